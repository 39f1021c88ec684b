//! BLAS symbols (`?gemm_`, `?gemv_`, `?symv_`, `?syrk_`, `?syr2k_`) called through the
//! `blas-sys` declarations and compared with triple-loop references.

// Long argument lists and tables of argument tuples mirror the BLAS/LAPACK calling convention.
#![allow(clippy::too_many_arguments, clippy::type_complexity)]

mod common;
use common::*;

const ALPHA_BETA: [(f64, f64); 7] = [
    (1.5, 0.0),
    (1.5, 1.0),
    (-0.75, 0.5),
    (0.0, 0.5),
    (0.0, 0.0),
    (1.0, -1.0),
    (0.0, 1.0),
];

/// Error bound for a sum of `k` products of magnitude ≤ `scale`: γ_k-style, with slack.
fn tol<T: Flt>(k: usize, scale: f64) -> f64 {
    8.0 * (k as f64 + 2.0) * T::EPS * scale + 1e-300
}

fn op(a: &D, t: u8) -> D {
    if t.eq_ignore_ascii_case(&b'N') {
        a.clone()
    } else {
        a.t()
    }
}

/// Strided vector storage: `len` logical elements with increment `inc` (reference layout for
/// negative increments), gaps filled with the sentinel.
fn strided<T: Flt>(v: &[f64], inc: i32) -> Vec<T> {
    let len = v.len();
    let step = inc.unsigned_abs() as usize;
    let mut out = vec![T::from(SENTINEL); if len == 0 { 1 } else { (len - 1) * step + 1 }];
    for (i, &x) in v.iter().enumerate() {
        out[pos(i, len, inc)] = T::from(x);
    }
    out
}

fn pos(i: usize, len: usize, inc: i32) -> usize {
    let step = inc.unsigned_abs() as usize;
    if inc > 0 {
        i * step
    } else {
        (len - 1 - i) * step
    }
}

fn unstride<T: Flt>(s: &[T], len: usize, inc: i32) -> Vec<f64> {
    (0..len).map(|i| s[pos(i, len, inc)].to()).collect()
}

fn gaps_intact<T: Flt>(s: &[T], len: usize, inc: i32) -> bool {
    let used: Vec<usize> = (0..len).map(|i| pos(i, len, inc)).collect();
    s.iter()
        .enumerate()
        .all(|(p, x)| used.contains(&p) || x.to() == SENTINEL)
}

fn gemm_case<T: Flt>(ta: u8, tb: u8, m: usize, n: usize, k: usize, pad: usize, ab: (f64, f64)) {
    let (alpha, beta) = ab;
    let mut r = rng((m * 1000 + n * 100 + k * 10 + pad) as u64);
    let nota = ta.eq_ignore_ascii_case(&b'N');
    let notb = tb.eq_ignore_ascii_case(&b'N');
    let a = if nota {
        D::random(m, k, &mut r)
    } else {
        D::random(k, m, &mut r)
    }
    .round::<T>();
    let b = if notb {
        D::random(k, n, &mut r)
    } else {
        D::random(n, k, &mut r)
    }
    .round::<T>();
    let c0 = D::random(m, n, &mut r).round::<T>();
    let pa = P::<T>::from_d(&a, pad);
    let pb = P::<T>::from_d(&b, pad + 1);
    let mut pc = P::<T>::from_d(&c0, pad);
    if beta == 0.0 {
        // beta = 0: C must not be read.
        for j in 0..n {
            for i in 0..m {
                pc.set(i, j, f64::NAN);
            }
        }
    }
    T::gemm(
        ta,
        tb,
        m as i32,
        n as i32,
        k as i32,
        T::from(alpha),
        &pa.data,
        pa.ld as i32,
        &pb.data,
        pb.ld as i32,
        T::from(beta),
        &mut pc.data,
        pc.ld as i32,
    );
    let prod = op(&a, ta).mul(&op(&b, tb));
    for j in 0..n {
        for i in 0..m {
            let c = if beta == 0.0 { 0.0 } else { beta * c0.at(i, j) };
            let expect = alpha * prod.at(i, j) + c;
            let got = pc.get(i, j);
            let bound = tol::<T>(k, alpha.abs() * k as f64 + beta.abs());
            assert!(
                (got - expect).abs() <= bound,
                "{} gemm {}{} m={m} n={n} k={k} pad={pad} alpha={alpha} beta={beta} ({i},{j}): \
                 got {got}, expected {expect}",
                T::NAME,
                ta as char,
                tb as char
            );
        }
    }
    assert!(pc.padding_intact(), "gemm wrote into C's padding");
}

fn gemm_all<T: Flt>() {
    let shapes = [
        (0, 3, 2),
        (3, 0, 2),
        (3, 2, 0),
        (1, 1, 1),
        (4, 3, 5),
        (7, 6, 3),
    ];
    for ta in [b'N', b'T', b'C', b'n', b't', b'c'] {
        for tb in [b'N', b'T', b'C', b'n', b't'] {
            for &(m, n, k) in &shapes {
                for pad in [0, 3] {
                    for ab in ALPHA_BETA {
                        gemm_case::<T>(ta, tb, m, n, k, pad, ab);
                    }
                }
            }
        }
    }
    // Sizes that take faer's blocked kernels.
    for (ta, tb) in [(b'N', b'N'), (b'T', b'N'), (b'N', b'T'), (b'T', b'T')] {
        gemm_case::<T>(ta, tb, 70, 65, 90, 2, (1.25, -0.5));
        gemm_case::<T>(ta, tb, 70, 65, 90, 0, (1.0, 0.0));
    }
}

#[test]
fn gemm_matches_reference_for_all_flags_shapes_and_scalars() {
    gemm_all::<f64>();
    gemm_all::<f32>();
}

#[test]
fn gemm_alpha_zero_does_not_read_a_or_b() {
    let (m, n, k) = (3, 2, 4);
    let a = vec![f64::NAN; m * k];
    let b = vec![f64::NAN; k * n];
    let mut c = vec![2.0; m * n];
    f64::gemm(b'N', b'N', 3, 2, 4, 0.0, &a, 3, &b, 4, 0.5, &mut c, 3);
    assert!(c.iter().all(|&x| x == 1.0), "{c:?}");
    let mut c = vec![f64::NAN; m * n];
    f64::gemm(b'N', b'N', 3, 2, 4, 0.0, &a, 3, &b, 4, 0.0, &mut c, 3);
    assert!(c.iter().all(|&x| x == 0.0), "{c:?}");
}

#[test]
fn gemm_illegal_arguments_leave_c_untouched() {
    let a = vec![1.0f64; 64];
    let b = vec![1.0f64; 64];
    // (transa, transb, m, n, k, lda, ldb, ldc)
    let cases: [(u8, u8, i32, i32, i32, i32, i32, i32); 8] = [
        (b'X', b'N', 2, 2, 2, 2, 2, 2),  // 1
        (b'N', b'Y', 2, 2, 2, 2, 2, 2),  // 2
        (b'N', b'N', -1, 2, 2, 2, 2, 2), // 3
        (b'N', b'N', 2, -1, 2, 2, 2, 2), // 4
        (b'N', b'N', 2, 2, -1, 2, 2, 2), // 5
        (b'N', b'N', 3, 2, 2, 2, 2, 3),  // 8: lda < m
        (b'T', b'N', 2, 2, 3, 2, 2, 2),  // 8: lda < k for trans A
        (b'N', b'N', 2, 2, 2, 2, 2, 1),  // 13: ldc < m
    ];
    for (ta, tb, m, n, k, lda, ldb, ldc) in cases {
        let mut c = vec![7.0f64; 16];
        f64::gemm(ta, tb, m, n, k, 1.0, &a, lda, &b, ldb, 0.0, &mut c, ldc);
        assert!(
            c.iter().all(|&x| x == 7.0),
            "case {:?}",
            (ta, tb, m, n, k, lda, ldb, ldc)
        );
    }
    let mut c = vec![7.0f32; 16];
    f32::gemm(
        b'N', b'N', 2, 2, 2, 1.0, &[1.0; 8], 2, &[1.0; 8], 1, 0.0, &mut c, 2,
    ); // ldb
    assert!(c.iter().all(|&x| x == 7.0));
}

fn gemv_case<T: Flt>(t: u8, m: usize, n: usize, incx: i32, incy: i32, pad: usize, ab: (f64, f64)) {
    let (alpha, beta) = ab;
    let mut r = rng((m * 100 + n) as u64 + 7);
    let tr = !t.eq_ignore_ascii_case(&b'N');
    let (lenx, leny) = if tr { (m, n) } else { (n, m) };
    let a = D::random(m, n, &mut r).round::<T>();
    let x: Vec<f64> = D::random(lenx, 1, &mut r).round::<T>().d;
    let y0: Vec<f64> = if beta == 0.0 {
        vec![f64::NAN; leny]
    } else {
        D::random(leny, 1, &mut r).round::<T>().d
    };
    let pa = P::<T>::from_d(&a, pad);
    let xs = strided::<T>(&x, incx);
    let mut ys = strided::<T>(&y0, incy);
    T::gemv(
        t,
        m as i32,
        n as i32,
        T::from(alpha),
        &pa.data,
        pa.ld as i32,
        &xs,
        incx,
        T::from(beta),
        &mut ys,
        incy,
    );
    let ax = op(&a, t).mul(&D {
        rows: lenx,
        cols: 1,
        d: x.clone(),
    });
    let got = unstride(&ys, leny, incy);
    for i in 0..leny {
        let expect = if m == 0 || n == 0 {
            y0[i]
        } else {
            alpha * ax.at(i, 0) + if beta == 0.0 { 0.0 } else { beta * y0[i] }
        };
        let ok = if expect.is_nan() {
            got[i].is_nan()
        } else {
            (got[i] - expect).abs() <= tol::<T>(lenx, alpha.abs() * lenx as f64 + beta.abs())
        };
        assert!(
            ok,
            "{} gemv {} m={m} n={n} incx={incx} incy={incy} alpha={alpha} beta={beta} [{i}]: got {}, expected {expect}",
            T::NAME,
            t as char,
            got[i]
        );
    }
    assert!(
        gaps_intact(&ys, leny, incy),
        "gemv wrote between y's elements"
    );
}

fn gemv_all<T: Flt>() {
    for t in [b'N', b'T', b'C', b't'] {
        for (m, n) in [(0, 3), (3, 0), (1, 1), (5, 3), (3, 5), (40, 33)] {
            for (incx, incy) in [(1, 1), (2, -1), (-3, 2), (-1, -2)] {
                for ab in ALPHA_BETA {
                    gemv_case::<T>(t, m, n, incx, incy, 2, ab);
                }
            }
        }
    }
}

#[test]
fn gemv_matches_reference_with_negative_increments() {
    gemv_all::<f64>();
    gemv_all::<f32>();
}

#[test]
fn gemv_illegal_arguments_leave_y_untouched() {
    let a = vec![1.0f64; 16];
    let x = vec![1.0f64; 8];
    for (t, m, n, lda, incx, incy) in [
        (b'Q', 2, 2, 2, 1, 1),
        (b'N', -1, 2, 2, 1, 1),
        (b'N', 2, -2, 2, 1, 1),
        (b'N', 3, 2, 2, 1, 1),
        (b'N', 2, 2, 2, 0, 1),
        (b'N', 2, 2, 2, 1, 0),
    ] {
        let mut y = vec![5.0f64; 8];
        f64::gemv(t, m, n, 1.0, &a, lda, &x, incx, 0.0, &mut y, incy);
        assert!(y.iter().all(|&v| v == 5.0));
    }
}

fn symv_case<T: Flt>(uplo: u8, n: usize, incx: i32, incy: i32, ab: (f64, f64)) {
    let (alpha, beta) = ab;
    let mut r = rng(n as u64 + 99);
    let a = D::random_sym(n, &mut r).round::<T>();
    let x: Vec<f64> = D::random(n, 1, &mut r).round::<T>().d;
    let y0: Vec<f64> = if beta == 0.0 {
        vec![f64::NAN; n]
    } else {
        D::random(n, 1, &mut r).round::<T>().d
    };
    let mut pa = P::<T>::from_d(&a, 1);
    // The other triangle must not be read.
    poison_other_triangle(&mut pa, uplo, f64::NAN);
    let xs = strided::<T>(&x, incx);
    let mut ys = strided::<T>(&y0, incy);
    T::symv(
        uplo,
        n as i32,
        T::from(alpha),
        &pa.data,
        pa.ld as i32,
        &xs,
        incx,
        T::from(beta),
        &mut ys,
        incy,
    );
    let ax = a.mul(&D {
        rows: n,
        cols: 1,
        d: x,
    });
    let got = unstride(&ys, n, incy);
    for i in 0..n {
        let expect = alpha * ax.at(i, 0) + if beta == 0.0 { 0.0 } else { beta * y0[i] };
        assert!(
            (got[i] - expect).abs() <= tol::<T>(n, alpha.abs() * n as f64 + beta.abs()),
            "{} symv {} n={n} incx={incx} incy={incy} alpha={alpha} beta={beta} [{i}]: got {}, expected {expect}",
            T::NAME,
            uplo as char,
            got[i]
        );
    }
    assert!(gaps_intact(&ys, n, incy));
}

fn symv_all<T: Flt>() {
    for uplo in [b'U', b'L', b'u', b'l'] {
        for n in [0, 1, 4, 37] {
            for (incx, incy) in [(1, 1), (-2, 3), (2, -1)] {
                for ab in ALPHA_BETA {
                    symv_case::<T>(uplo, n, incx, incy, ab);
                }
            }
        }
    }
}

#[test]
fn symv_reads_only_its_triangle_and_matches_reference() {
    symv_all::<f64>();
    symv_all::<f32>();
}

#[test]
fn symv_illegal_arguments_leave_y_untouched() {
    let a = vec![1.0f64; 16];
    let x = vec![1.0f64; 8];
    for (uplo, n, lda, incx, incy) in [
        (b'X', 2, 2, 1, 1),
        (b'U', -1, 2, 1, 1),
        (b'U', 3, 2, 1, 1),
        (b'L', 2, 2, 0, 1),
        (b'L', 2, 2, 1, 0),
    ] {
        let mut y = vec![5.0f64; 8];
        f64::symv(uplo, n, 1.0, &a, lda, &x, incx, 0.0, &mut y, incy);
        assert!(y.iter().all(|&v| v == 5.0));
    }
}

/// Shared checker for syrk / syr2k: `full` is the exact symmetric update without beta·C.
fn check_rank_update<T: Flt>(
    what: &str,
    uplo: u8,
    pc: &P<T>,
    before: &P<T>,
    c0: &D,
    full: &D,
    beta: f64,
    bound: f64,
) {
    let upper = uplo.eq_ignore_ascii_case(&b'U');
    let n = c0.rows;
    for j in 0..n {
        for i in 0..n {
            let in_tri = if upper { i <= j } else { i >= j };
            if !in_tri {
                continue;
            }
            let expect = full.at(i, j) + if beta == 0.0 { 0.0 } else { beta * c0.at(i, j) };
            let got = pc.get(i, j);
            assert!(
                (got - expect).abs() <= bound,
                "{} {what} uplo={} n={n} beta={beta} ({i},{j}): got {got}, expected {expect}",
                T::NAME,
                uplo as char
            );
        }
    }
    // The other triangle (holding NaN) and the padding are untouched.
    assert!(
        pc.triangle_equal(before, !upper),
        "{what} wrote outside its triangle"
    );
    assert!(pc.padding_intact());
}

fn syrk_case<T: Flt>(uplo: u8, t: u8, n: usize, k: usize, ab: (f64, f64)) {
    let (alpha, beta) = ab;
    let mut r = rng((n * 31 + k) as u64);
    let tr = !t.eq_ignore_ascii_case(&b'N');
    let a = if tr {
        D::random(k, n, &mut r)
    } else {
        D::random(n, k, &mut r)
    }
    .round::<T>();
    let c0 = D::random_sym(n, &mut r).round::<T>();
    let pa = P::<T>::from_d(&a, 2);
    let mut pc = P::<T>::from_d(&c0, 3);
    poison_other_triangle(&mut pc, uplo, f64::NAN);
    if beta == 0.0 {
        // The referenced triangle must not be read either.
        poison_other_triangle(
            &mut pc,
            if uplo.eq_ignore_ascii_case(&b'U') {
                b'L'
            } else {
                b'U'
            },
            f64::NAN,
        );
        for i in 0..n {
            pc.set(i, i, f64::NAN);
        }
    }
    let before = pc.clone();
    T::syrk(
        uplo,
        t,
        n as i32,
        k as i32,
        T::from(alpha),
        &pa.data,
        pa.ld as i32,
        T::from(beta),
        &mut pc.data,
        pc.ld as i32,
    );
    let oa = op(&a, t);
    let g = oa.mul(&oa.t());
    let full = D::from_fn(n, n, |i, j| alpha * g.at(i, j));
    let bound = tol::<T>(k, alpha.abs() * k as f64 + beta.abs());
    check_rank_update("syrk", uplo, &pc, &before, &c0, &full, beta, bound);
}

fn syr2k_case<T: Flt>(uplo: u8, t: u8, n: usize, k: usize, ab: (f64, f64)) {
    let (alpha, beta) = ab;
    let mut r = rng((n * 37 + k) as u64 + 5);
    let tr = !t.eq_ignore_ascii_case(&b'N');
    let (ra, ca) = if tr { (k, n) } else { (n, k) };
    let a = D::random(ra, ca, &mut r).round::<T>();
    let b = D::random(ra, ca, &mut r).round::<T>();
    let c0 = D::random_sym(n, &mut r).round::<T>();
    let pa = P::<T>::from_d(&a, 1);
    let pb = P::<T>::from_d(&b, 4);
    let mut pc = P::<T>::from_d(&c0, 2);
    poison_other_triangle(&mut pc, uplo, f64::NAN);
    if beta == 0.0 {
        poison_other_triangle(
            &mut pc,
            if uplo.eq_ignore_ascii_case(&b'U') {
                b'L'
            } else {
                b'U'
            },
            f64::NAN,
        );
        for i in 0..n {
            pc.set(i, i, f64::NAN);
        }
    }
    let before = pc.clone();
    T::syr2k(
        uplo,
        t,
        n as i32,
        k as i32,
        T::from(alpha),
        &pa.data,
        pa.ld as i32,
        &pb.data,
        pb.ld as i32,
        T::from(beta),
        &mut pc.data,
        pc.ld as i32,
    );
    let (oa, ob) = (op(&a, t), op(&b, t));
    let g1 = oa.mul(&ob.t());
    let g2 = ob.mul(&oa.t());
    let full = D::from_fn(n, n, |i, j| alpha * (g1.at(i, j) + g2.at(i, j)));
    let bound = tol::<T>(2 * k, 2.0 * alpha.abs() * k as f64 + beta.abs());
    check_rank_update("syr2k", uplo, &pc, &before, &c0, &full, beta, bound);
}

fn rank_updates_all<T: Flt>() {
    for uplo in [b'U', b'L', b'l'] {
        for t in [b'N', b'T', b'C', b'n'] {
            for (n, k) in [(0, 2), (3, 0), (1, 1), (5, 3), (4, 9), (40, 20)] {
                for ab in ALPHA_BETA {
                    syrk_case::<T>(uplo, t, n, k, ab);
                    syr2k_case::<T>(uplo, t, n, k, ab);
                }
            }
        }
    }
}

#[test]
fn syrk_and_syr2k_touch_only_their_triangle_and_match_reference() {
    rank_updates_all::<f64>();
    rank_updates_all::<f32>();
}

#[test]
fn syrk_and_syr2k_illegal_arguments_leave_c_untouched() {
    let a = vec![1.0f64; 32];
    for (uplo, t, n, k, lda, ldc) in [
        (b'X', b'N', 2, 2, 2, 2),
        (b'U', b'X', 2, 2, 2, 2),
        (b'U', b'N', -1, 2, 2, 2),
        (b'U', b'N', 2, -1, 2, 2),
        (b'U', b'N', 3, 2, 2, 3),
        (b'U', b'T', 2, 3, 2, 2),
        (b'U', b'N', 2, 2, 2, 1),
    ] {
        let mut c = vec![3.0f64; 16];
        f64::syrk(uplo, t, n, k, 1.0, &a, lda, 0.0, &mut c, ldc);
        assert!(c.iter().all(|&v| v == 3.0));
        f64::syr2k(uplo, t, n, k, 1.0, &a, lda, &a, lda, 0.0, &mut c, ldc);
        assert!(c.iter().all(|&v| v == 3.0));
    }
    // ldb < nrow for syr2k only.
    let mut c = vec![3.0f64; 16];
    f64::syr2k(b'L', b'N', 3, 2, 1.0, &a, 3, &a, 2, 0.0, &mut c, 3);
    assert!(c.iter().all(|&v| v == 3.0));
}
