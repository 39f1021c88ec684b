//! Shared test support: safe-ish wrappers that call the exported symbols through the
//! `blas-sys` / `lapack-sys` declarations (the ones clarabel links against), padded column-major
//! matrices with a sentinel, and plain reference implementations computed in f64.
#![allow(dead_code, clippy::too_many_arguments, clippy::needless_range_loop)]

use core::ffi::c_char;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

// Make sure the crate that defines the symbols is linked into the test binary.
use quadra_lapack as _;

/// Value written into padding rows (i ≥ rows, i < ld); exact in f32 and f64.
pub const SENTINEL: f64 = -12345.5;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn ch(c: u8) -> c_char {
    c as c_char
}

/// The two precisions, with wrappers around the exported symbols.
pub trait Flt: Copy + PartialEq + core::fmt::Debug + 'static {
    const EPS: f64;
    const NAME: &'static str;
    fn from(x: f64) -> Self;
    fn to(self) -> f64;

    fn gemm(
        ta: u8,
        tb: u8,
        m: i32,
        n: i32,
        k: i32,
        alpha: Self,
        a: &[Self],
        lda: i32,
        b: &[Self],
        ldb: i32,
        beta: Self,
        c: &mut [Self],
        ldc: i32,
    );
    fn gemv(
        t: u8,
        m: i32,
        n: i32,
        alpha: Self,
        a: &[Self],
        lda: i32,
        x: &[Self],
        incx: i32,
        beta: Self,
        y: &mut [Self],
        incy: i32,
    );
    fn symv(
        uplo: u8,
        n: i32,
        alpha: Self,
        a: &[Self],
        lda: i32,
        x: &[Self],
        incx: i32,
        beta: Self,
        y: &mut [Self],
        incy: i32,
    );
    fn syrk(
        uplo: u8,
        t: u8,
        n: i32,
        k: i32,
        alpha: Self,
        a: &[Self],
        lda: i32,
        beta: Self,
        c: &mut [Self],
        ldc: i32,
    );
    fn syr2k(
        uplo: u8,
        t: u8,
        n: i32,
        k: i32,
        alpha: Self,
        a: &[Self],
        lda: i32,
        b: &[Self],
        ldb: i32,
        beta: Self,
        c: &mut [Self],
        ldc: i32,
    );
    fn potrf(uplo: u8, n: i32, a: &mut [Self], lda: i32) -> i32;
    fn potrs(uplo: u8, n: i32, nrhs: i32, a: &[Self], lda: i32, b: &mut [Self], ldb: i32) -> i32;
    fn gesv(
        n: i32,
        nrhs: i32,
        a: &mut [Self],
        lda: i32,
        ipiv: &mut [i32],
        b: &mut [Self],
        ldb: i32,
    ) -> i32;
    /// Returns (info, m).
    fn syevr(
        jobz: u8,
        range: u8,
        uplo: u8,
        n: i32,
        a: &mut [Self],
        lda: i32,
        vl: Self,
        vu: Self,
        il: i32,
        iu: i32,
        w: &mut [Self],
        z: &mut [Self],
        ldz: i32,
        isuppz: &mut [i32],
        work: &mut [Self],
        lwork: i32,
        iwork: &mut [i32],
        liwork: i32,
    ) -> (i32, i32);
    fn gesdd(
        jobz: u8,
        m: i32,
        n: i32,
        a: &mut [Self],
        lda: i32,
        s: &mut [Self],
        u: &mut [Self],
        ldu: i32,
        vt: &mut [Self],
        ldvt: i32,
        work: &mut [Self],
        lwork: i32,
        iwork: &mut [i32],
    ) -> i32;
    fn gesvd(
        jobu: u8,
        jobvt: u8,
        m: i32,
        n: i32,
        a: &mut [Self],
        lda: i32,
        s: &mut [Self],
        u: &mut [Self],
        ldu: i32,
        vt: &mut [Self],
        ldvt: i32,
        work: &mut [Self],
        lwork: i32,
    ) -> i32;
}

macro_rules! impl_flt {
    ($t:ty, $eps:expr, $name:literal, $gemm:path, $gemv:path, $symv:path, $syrk:path,
     $syr2k:path, $potrf:path, $potrs:path, $gesv:path, $syevr:path, $gesdd:path,
     $gesvd:path) => {
        impl Flt for $t {
            const EPS: f64 = $eps;
            const NAME: &'static str = $name;
            fn from(x: f64) -> Self {
                x as $t
            }
            fn to(self) -> f64 {
                self as f64
            }
            fn gemm(
                ta: u8,
                tb: u8,
                m: i32,
                n: i32,
                k: i32,
                alpha: Self,
                a: &[Self],
                lda: i32,
                b: &[Self],
                ldb: i32,
                beta: Self,
                c: &mut [Self],
                ldc: i32,
            ) {
                unsafe {
                    $gemm(
                        &ch(ta),
                        &ch(tb),
                        &m,
                        &n,
                        &k,
                        &alpha,
                        a.as_ptr(),
                        &lda,
                        b.as_ptr(),
                        &ldb,
                        &beta,
                        c.as_mut_ptr(),
                        &ldc,
                    )
                }
            }
            fn gemv(
                t: u8,
                m: i32,
                n: i32,
                alpha: Self,
                a: &[Self],
                lda: i32,
                x: &[Self],
                incx: i32,
                beta: Self,
                y: &mut [Self],
                incy: i32,
            ) {
                unsafe {
                    $gemv(
                        &ch(t),
                        &m,
                        &n,
                        &alpha,
                        a.as_ptr(),
                        &lda,
                        x.as_ptr(),
                        &incx,
                        &beta,
                        y.as_mut_ptr(),
                        &incy,
                    )
                }
            }
            fn symv(
                uplo: u8,
                n: i32,
                alpha: Self,
                a: &[Self],
                lda: i32,
                x: &[Self],
                incx: i32,
                beta: Self,
                y: &mut [Self],
                incy: i32,
            ) {
                unsafe {
                    $symv(
                        &ch(uplo),
                        &n,
                        &alpha,
                        a.as_ptr(),
                        &lda,
                        x.as_ptr(),
                        &incx,
                        &beta,
                        y.as_mut_ptr(),
                        &incy,
                    )
                }
            }
            fn syrk(
                uplo: u8,
                t: u8,
                n: i32,
                k: i32,
                alpha: Self,
                a: &[Self],
                lda: i32,
                beta: Self,
                c: &mut [Self],
                ldc: i32,
            ) {
                unsafe {
                    $syrk(
                        &ch(uplo),
                        &ch(t),
                        &n,
                        &k,
                        &alpha,
                        a.as_ptr(),
                        &lda,
                        &beta,
                        c.as_mut_ptr(),
                        &ldc,
                    )
                }
            }
            fn syr2k(
                uplo: u8,
                t: u8,
                n: i32,
                k: i32,
                alpha: Self,
                a: &[Self],
                lda: i32,
                b: &[Self],
                ldb: i32,
                beta: Self,
                c: &mut [Self],
                ldc: i32,
            ) {
                unsafe {
                    $syr2k(
                        &ch(uplo),
                        &ch(t),
                        &n,
                        &k,
                        &alpha,
                        a.as_ptr(),
                        &lda,
                        b.as_ptr(),
                        &ldb,
                        &beta,
                        c.as_mut_ptr(),
                        &ldc,
                    )
                }
            }
            fn potrf(uplo: u8, n: i32, a: &mut [Self], lda: i32) -> i32 {
                let mut info = 99;
                unsafe { $potrf(&ch(uplo), &n, a.as_mut_ptr(), &lda, &mut info) };
                info
            }
            fn potrs(
                uplo: u8,
                n: i32,
                nrhs: i32,
                a: &[Self],
                lda: i32,
                b: &mut [Self],
                ldb: i32,
            ) -> i32 {
                let mut info = 99;
                unsafe {
                    $potrs(
                        &ch(uplo),
                        &n,
                        &nrhs,
                        a.as_ptr(),
                        &lda,
                        b.as_mut_ptr(),
                        &ldb,
                        &mut info,
                    )
                };
                info
            }
            fn gesv(
                n: i32,
                nrhs: i32,
                a: &mut [Self],
                lda: i32,
                ipiv: &mut [i32],
                b: &mut [Self],
                ldb: i32,
            ) -> i32 {
                let mut info = 99;
                unsafe {
                    $gesv(
                        &n,
                        &nrhs,
                        a.as_mut_ptr(),
                        &lda,
                        ipiv.as_mut_ptr(),
                        b.as_mut_ptr(),
                        &ldb,
                        &mut info,
                    )
                };
                info
            }
            fn syevr(
                jobz: u8,
                range: u8,
                uplo: u8,
                n: i32,
                a: &mut [Self],
                lda: i32,
                vl: Self,
                vu: Self,
                il: i32,
                iu: i32,
                w: &mut [Self],
                z: &mut [Self],
                ldz: i32,
                isuppz: &mut [i32],
                work: &mut [Self],
                lwork: i32,
                iwork: &mut [i32],
                liwork: i32,
            ) -> (i32, i32) {
                let (mut info, mut m) = (99, -7);
                let abstol: Self = -1.0;
                unsafe {
                    $syevr(
                        &ch(jobz),
                        &ch(range),
                        &ch(uplo),
                        &n,
                        a.as_mut_ptr(),
                        &lda,
                        &vl,
                        &vu,
                        &il,
                        &iu,
                        &abstol,
                        &mut m,
                        w.as_mut_ptr(),
                        z.as_mut_ptr(),
                        &ldz,
                        isuppz.as_mut_ptr(),
                        work.as_mut_ptr(),
                        &lwork,
                        iwork.as_mut_ptr(),
                        &liwork,
                        &mut info,
                    )
                };
                (info, m)
            }
            fn gesdd(
                jobz: u8,
                m: i32,
                n: i32,
                a: &mut [Self],
                lda: i32,
                s: &mut [Self],
                u: &mut [Self],
                ldu: i32,
                vt: &mut [Self],
                ldvt: i32,
                work: &mut [Self],
                lwork: i32,
                iwork: &mut [i32],
            ) -> i32 {
                let mut info = 99;
                unsafe {
                    $gesdd(
                        &ch(jobz),
                        &m,
                        &n,
                        a.as_mut_ptr(),
                        &lda,
                        s.as_mut_ptr(),
                        u.as_mut_ptr(),
                        &ldu,
                        vt.as_mut_ptr(),
                        &ldvt,
                        work.as_mut_ptr(),
                        &lwork,
                        iwork.as_mut_ptr(),
                        &mut info,
                    )
                };
                info
            }
            fn gesvd(
                jobu: u8,
                jobvt: u8,
                m: i32,
                n: i32,
                a: &mut [Self],
                lda: i32,
                s: &mut [Self],
                u: &mut [Self],
                ldu: i32,
                vt: &mut [Self],
                ldvt: i32,
                work: &mut [Self],
                lwork: i32,
            ) -> i32 {
                let mut info = 99;
                unsafe {
                    $gesvd(
                        &ch(jobu),
                        &ch(jobvt),
                        &m,
                        &n,
                        a.as_mut_ptr(),
                        &lda,
                        s.as_mut_ptr(),
                        u.as_mut_ptr(),
                        &ldu,
                        vt.as_mut_ptr(),
                        &ldvt,
                        work.as_mut_ptr(),
                        &lwork,
                        &mut info,
                    )
                };
                info
            }
        }
    };
}

impl_flt!(
    f64,
    f64::EPSILON,
    "f64",
    blas_sys::dgemm_,
    blas_sys::dgemv_,
    blas_sys::dsymv_,
    blas_sys::dsyrk_,
    blas_sys::dsyr2k_,
    lapack_sys::dpotrf_,
    lapack_sys::dpotrs_,
    lapack_sys::dgesv_,
    lapack_sys::dsyevr_,
    lapack_sys::dgesdd_,
    lapack_sys::dgesvd_
);
impl_flt!(
    f32,
    f32::EPSILON as f64,
    "f32",
    blas_sys::sgemm_,
    blas_sys::sgemv_,
    blas_sys::ssymv_,
    blas_sys::ssyrk_,
    blas_sys::ssyr2k_,
    lapack_sys::spotrf_,
    lapack_sys::spotrs_,
    lapack_sys::sgesv_,
    lapack_sys::ssyevr_,
    lapack_sys::sgesdd_,
    lapack_sys::sgesvd_
);

// ---------------------------------------------------------------------------------------------
// Reference dense matrix (f64, column-major, no padding).
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct D {
    pub rows: usize,
    pub cols: usize,
    pub d: Vec<f64>,
}

impl D {
    pub fn zeros(rows: usize, cols: usize) -> D {
        D {
            rows,
            cols,
            d: vec![0.0; rows * cols],
        }
    }
    pub fn eye(n: usize) -> D {
        D::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 })
    }
    pub fn from_fn(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> D {
        let mut m = D::zeros(rows, cols);
        for j in 0..cols {
            for i in 0..rows {
                m.d[i + j * rows] = f(i, j);
            }
        }
        m
    }
    pub fn random(rows: usize, cols: usize, r: &mut ChaCha20Rng) -> D {
        let mut m = D::zeros(rows, cols);
        for x in &mut m.d {
            *x = r.random_range(-1.0..1.0);
        }
        m
    }
    /// Random symmetric matrix.
    pub fn random_sym(n: usize, r: &mut ChaCha20Rng) -> D {
        let a = D::random(n, n, r);
        D::from_fn(n, n, |i, j| a.at(i.min(j), i.max(j)))
    }
    /// Random symmetric positive definite matrix: B·Bᵀ + n·I.
    pub fn random_spd(n: usize, r: &mut ChaCha20Rng) -> D {
        let b = D::random(n, n, r);
        let mut a = b.mul(&b.t());
        for i in 0..n {
            a.d[i + i * n] += n as f64;
        }
        a
    }
    pub fn hilbert(n: usize) -> D {
        D::from_fn(n, n, |i, j| 1.0 / (i + j + 1) as f64)
    }
    /// Random orthogonal matrix (modified Gram–Schmidt twice on a random matrix).
    pub fn random_orthogonal(n: usize, r: &mut ChaCha20Rng) -> D {
        let mut q = D::random(n, n, r);
        for _ in 0..2 {
            for j in 0..n {
                for p in 0..j {
                    let dot: f64 = (0..n).map(|i| q.at(i, j) * q.at(i, p)).sum();
                    for i in 0..n {
                        let v = q.at(i, j) - dot * q.at(i, p);
                        q.set(i, j, v);
                    }
                }
                let nrm = (0..n).map(|i| q.at(i, j).powi(2)).sum::<f64>().sqrt();
                for i in 0..n {
                    let v = q.at(i, j) / nrm;
                    q.set(i, j, v);
                }
            }
        }
        q
    }
    /// Q·diag(d)·Qᵀ for a random orthogonal Q.
    pub fn sym_with_spectrum(d: &[f64], r: &mut ChaCha20Rng) -> D {
        let n = d.len();
        let q = D::random_orthogonal(n, r);
        let qd = D::from_fn(n, n, |i, j| q.at(i, j) * d[j]);
        let a = qd.mul(&q.t());
        // Exactly symmetric.
        D::from_fn(n, n, |i, j| 0.5 * (a.at(i, j) + a.at(j, i)))
    }
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.d[i + j * self.rows]
    }
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.d[i + j * self.rows] = v;
    }
    pub fn t(&self) -> D {
        D::from_fn(self.cols, self.rows, |i, j| self.at(j, i))
    }
    /// Triple-loop product.
    pub fn mul(&self, b: &D) -> D {
        assert_eq!(self.cols, b.rows);
        let mut c = D::zeros(self.rows, b.cols);
        for j in 0..b.cols {
            for p in 0..self.cols {
                let bp = b.at(p, j);
                for i in 0..self.rows {
                    c.d[i + j * self.rows] += self.at(i, p) * bp;
                }
            }
        }
        c
    }
    pub fn sub(&self, b: &D) -> D {
        assert_eq!((self.rows, self.cols), (b.rows, b.cols));
        D::from_fn(self.rows, self.cols, |i, j| self.at(i, j) - b.at(i, j))
    }
    pub fn fro(&self) -> f64 {
        self.d.iter().map(|x| x * x).sum::<f64>().sqrt()
    }
    pub fn max_abs(&self) -> f64 {
        self.d.iter().fold(0.0, |m, x| m.max(x.abs()))
    }
    pub fn cols_range(&self, c0: usize, c1: usize) -> D {
        D::from_fn(self.rows, c1 - c0, |i, j| self.at(i, c0 + j))
    }
    pub fn rows_range(&self, r0: usize, r1: usize) -> D {
        D::from_fn(r1 - r0, self.cols, |i, j| self.at(r0 + i, j))
    }
    /// Rounds every entry to precision T (so references see exactly the tested input).
    pub fn round<T: Flt>(&self) -> D {
        D::from_fn(self.rows, self.cols, |i, j| T::from(self.at(i, j)).to())
    }
}

/// ‖QᵀQ − I‖_max for the columns of q.
pub fn orth_err(q: &D) -> f64 {
    q.t().mul(q).sub(&D::eye(q.cols)).max_abs()
}

// ---------------------------------------------------------------------------------------------
// Padded storage in precision T: rows × cols with leading dimension ld ≥ rows; padding rows
// hold SENTINEL.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct P<T> {
    pub rows: usize,
    pub cols: usize,
    pub ld: usize,
    pub data: Vec<T>,
}

impl<T: Flt> P<T> {
    pub fn new(rows: usize, cols: usize, ld: usize) -> P<T> {
        assert!(ld >= rows.max(1));
        P {
            rows,
            cols,
            ld,
            data: vec![T::from(SENTINEL); ld * cols],
        }
    }
    pub fn from_d(m: &D, pad: usize) -> P<T> {
        let mut p = P::new(m.rows, m.cols, m.rows.max(1) + pad);
        for j in 0..m.cols {
            for i in 0..m.rows {
                p.set(i, j, m.at(i, j));
            }
        }
        p
    }
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i + j * self.ld].to()
    }
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i + j * self.ld] = T::from(v);
    }
    pub fn to_d(&self) -> D {
        D::from_fn(self.rows, self.cols, |i, j| self.get(i, j))
    }
    pub fn ld(&self) -> i32 {
        self.ld as i32
    }
    /// All padding entries still hold the sentinel.
    pub fn padding_intact(&self) -> bool {
        (0..self.cols).all(|j| (self.rows..self.ld).all(|i| self.get(i, j) == SENTINEL))
    }
    /// Entries of the strict `uplo`-opposite triangle (those a triangle-only routine must not
    /// write) equal those of `other`, bitwise (NaN compares equal to NaN here).
    pub fn triangle_equal(&self, other: &P<T>, upper: bool) -> bool {
        (0..self.cols).all(|j| {
            (0..self.rows)
                .filter(|&i| if upper { i < j } else { i > j })
                .all(|i| self.get(i, j).to_bits() == other.get(i, j).to_bits())
        })
    }
}

/// Fills the triangle that a routine told `uplo` must not read (strictly below the diagonal
/// for `U`, strictly above for `L`) with `v`.
pub fn poison_other_triangle<T: Flt>(p: &mut P<T>, uplo: u8, v: f64) {
    for j in 0..p.cols {
        for i in 0..p.rows {
            let other = if uplo.eq_ignore_ascii_case(&b'U') {
                i > j
            } else {
                i < j
            };
            if other {
                p.set(i, j, v);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reference algorithms (plain, unblocked, f64).
// ---------------------------------------------------------------------------------------------

/// Unblocked Cholesky A = L·Lᵀ; Err(k) (1-based) when pivot k is not positive.
pub fn ref_cholesky(a: &D) -> Result<D, usize> {
    let n = a.rows;
    let mut l = D::zeros(n, n);
    for j in 0..n {
        let mut d = a.at(j, j);
        for p in 0..j {
            d -= l.at(j, p) * l.at(j, p);
        }
        if d.is_nan() || d <= 0.0 {
            return Err(j + 1);
        }
        let d = d.sqrt();
        l.set(j, j, d);
        for i in j + 1..n {
            let mut s = a.at(i, j);
            for p in 0..j {
                s -= l.at(i, p) * l.at(j, p);
            }
            l.set(i, j, s / d);
        }
    }
    Ok(l)
}

/// Gaussian elimination with partial pivoting (LAPACK dgetf2): (LU, 1-based ipiv, info).
pub fn ref_gepp(a: &D) -> (D, Vec<i32>, i32) {
    let n = a.rows;
    let mut lu = a.clone();
    let mut ipiv = vec![0; n];
    let mut info = 0;
    for j in 0..n {
        let mut p = j;
        for i in j + 1..n {
            if lu.at(i, j).abs() > lu.at(p, j).abs() {
                p = i;
            }
        }
        ipiv[j] = p as i32 + 1;
        if lu.at(p, j) != 0.0 {
            for c in 0..n {
                let t = lu.at(j, c);
                lu.set(j, c, lu.at(p, c));
                lu.set(p, c, t);
            }
            for i in j + 1..n {
                let v = lu.at(i, j) / lu.at(j, j);
                lu.set(i, j, v);
            }
        } else if info == 0 {
            info = j as i32 + 1;
        }
        for c in j + 1..n {
            for i in j + 1..n {
                let v = lu.at(i, c) - lu.at(i, j) * lu.at(j, c);
                lu.set(i, c, v);
            }
        }
    }
    (lu, ipiv, info)
}

/// Applies LAPACK-style row interchanges (1-based, in order) to a copy of `a`.
pub fn apply_ipiv(a: &D, ipiv: &[i32]) -> D {
    let mut b = a.clone();
    for (i, &p) in ipiv.iter().enumerate() {
        let p = p as usize - 1;
        for c in 0..b.cols {
            let t = b.at(i, c);
            b.set(i, c, b.at(p, c));
            b.set(p, c, t);
        }
    }
    b
}

/// Cyclic Jacobi eigenvalue method: (ascending eigenvalues, eigenvectors as columns).
pub fn ref_jacobi_eig(a: &D) -> (Vec<f64>, D) {
    let n = a.rows;
    let mut a = a.clone();
    let mut v = D::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|j| (0..n).filter(move |&i| i != j).map(move |i| (i, j)))
            .map(|(i, j)| a.at(i, j).powi(2))
            .sum();
        if off <= 1e-30 * a.fro().powi(2) || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a.at(p, q);
                if apq == 0.0 {
                    continue;
                }
                let theta = (a.at(q, q) - a.at(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a.at(k, p), a.at(k, q));
                    a.set(k, p, c * akp - s * akq);
                    a.set(k, q, s * akp + c * akq);
                }
                for k in 0..n {
                    let (apk, aqk) = (a.at(p, k), a.at(q, k));
                    a.set(p, k, c * apk - s * aqk);
                    a.set(q, k, s * apk + c * aqk);
                }
                for k in 0..n {
                    let (vkp, vkq) = (v.at(k, p), v.at(k, q));
                    v.set(k, p, c * vkp - s * vkq);
                    v.set(k, q, s * vkp + c * vkq);
                }
            }
        }
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&i, &j| a.at(i, i).partial_cmp(&a.at(j, j)).unwrap());
    let w = idx.iter().map(|&i| a.at(i, i)).collect();
    let vs = D::from_fn(n, n, |i, j| v.at(i, idx[j]));
    (w, vs)
}

/// One-sided (Hestenes) Jacobi SVD: singular values in descending order.
pub fn ref_jacobi_svd(a: &D) -> Vec<f64> {
    let mut u = if a.rows >= a.cols { a.clone() } else { a.t() };
    let n = u.cols;
    let m = u.rows;
    for _sweep in 0..100 {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let alpha: f64 = (0..m).map(|k| u.at(k, p).powi(2)).sum();
                let beta: f64 = (0..m).map(|k| u.at(k, q).powi(2)).sum();
                let gamma: f64 = (0..m).map(|k| u.at(k, p) * u.at(k, q)).sum();
                if gamma == 0.0 || gamma.abs() <= 1e-15 * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for k in 0..m {
                    let (x, y) = (u.at(k, p), u.at(k, q));
                    u.set(k, p, c * x - s * y);
                    u.set(k, q, s * x + c * y);
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut s: Vec<f64> = (0..n)
        .map(|j| (0..m).map(|k| u.at(k, j).powi(2)).sum::<f64>().sqrt())
        .collect();
    s.sort_by(|x, y| y.partial_cmp(x).unwrap());
    s
}
