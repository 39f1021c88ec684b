//! `?gesdd_` / `?gesvd_` through the `lapack-sys` declarations, against one-sided Jacobi SVD
//! and residual / orthogonality checks, for every job combination.

// Long argument lists and tables of argument tuples mirror the BLAS/LAPACK calling convention.
#![allow(clippy::too_many_arguments, clippy::type_complexity)]

mod common;
use common::*;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Routine {
    Gesdd(u8),
    Gesvd(u8, u8),
}

/// Results of one call, with U / VT assembled from wherever the job put them.
struct Svd {
    info: i32,
    s: Vec<f64>,
    /// m × (number of columns returned), or None.
    u: Option<D>,
    /// (number of rows returned) × n, or None.
    vt: Option<D>,
    pads_ok: bool,
    a_after: D,
}

fn up(c: u8) -> u8 {
    c.to_ascii_uppercase()
}

/// Where each side's vectors go: (U job, VT job) in gesvd terms.
fn sides(r: Routine, m: usize, n: usize) -> (u8, u8) {
    match r {
        Routine::Gesvd(ju, jv) => (up(ju), up(jv)),
        Routine::Gesdd(j) => match up(j) {
            b'O' if m >= n => (b'O', b'S'),
            b'O' => (b'S', b'O'),
            j => (j, j),
        },
    }
}

fn run<T: Flt>(r: Routine, a: &D, pad: usize, lwork: Option<i32>) -> Svd {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    let (ju, jv) = sides(r, m, n);
    let mut pa = P::<T>::from_d(a, pad);
    let ucols = match ju {
        b'A' => m,
        b'S' => k,
        _ => 0,
    };
    let vtrows = match jv {
        b'A' => n,
        b'S' => k,
        _ => 0,
    };
    // Arrays that are not referenced get a 1×1 sentinel with leading dimension 1.
    let mut pu = if matches!(ju, b'A' | b'S') {
        P::<T>::new(m, ucols, m.max(1) + pad)
    } else {
        P::<T>::new(0, 1, 1)
    };
    let mut pvt = if matches!(jv, b'A' | b'S') {
        P::<T>::new(vtrows, n, vtrows + pad + 1)
    } else {
        P::<T>::new(0, 1, 1)
    };
    let mut s = vec![T::from(SENTINEL); k + 1];
    let mut iwork = vec![0; 8 * k.max(1)];
    let mut call =
        |pa: &mut P<T>, s: &mut [T], pu: &mut P<T>, pvt: &mut P<T>, work: &mut [T], lwork: i32| {
            let (lda, ldu, ldvt) = (pa.ld as i32, pu.ld as i32, pvt.ld as i32);
            match r {
                Routine::Gesdd(j) => T::gesdd(
                    j,
                    m as i32,
                    n as i32,
                    &mut pa.data,
                    lda,
                    s,
                    &mut pu.data,
                    ldu,
                    &mut pvt.data,
                    ldvt,
                    work,
                    lwork,
                    &mut iwork,
                ),
                Routine::Gesvd(ju, jv) => T::gesvd(
                    ju,
                    jv,
                    m as i32,
                    n as i32,
                    &mut pa.data,
                    lda,
                    s,
                    &mut pu.data,
                    ldu,
                    &mut pvt.data,
                    ldvt,
                    work,
                    lwork,
                ),
            }
        };
    let lwork = lwork.unwrap_or_else(|| {
        let mut q = [T::from(0.0)];
        let mut pa2 = pa.clone();
        let info = call(
            &mut pa2,
            &mut s,
            &mut pu.clone(),
            &mut pvt.clone(),
            &mut q,
            -1,
        );
        assert_eq!(info, 0, "query failed for {r:?}");
        q[0].to() as i32
    });
    let mut work = vec![T::from(0.0); lwork.max(1) as usize];
    let info = call(&mut pa, &mut s, &mut pu, &mut pvt, &mut work, lwork);
    let a_after = pa.to_d();
    let u = match ju {
        b'A' | b'S' => Some(pu.to_d()),
        b'O' => Some(D::from_fn(m, k, |i, j| a_after.at(i, j))),
        _ => None,
    };
    let vt = match jv {
        b'A' | b'S' => Some(pvt.to_d()),
        b'O' => Some(D::from_fn(k, n, |i, j| a_after.at(i, j))),
        _ => None,
    };
    Svd {
        info,
        s: s[..k].iter().map(|x| x.to()).collect(),
        u,
        vt,
        pads_ok: pa.padding_intact()
            && pu.padding_intact()
            && pvt.padding_intact()
            && s[k].to() == SENTINEL,
        a_after,
    }
}

fn check(a: &D, out: &Svd, s_ref: &[f64], eps: f64, what: &str) {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    let big = m.max(n) as f64;
    let smax = s_ref.first().copied().unwrap_or(0.0).max(1e-300);
    let tol = 30.0 * big * eps * smax;
    assert_eq!(out.info, 0, "{what}");
    assert!(out.pads_ok, "{what}: padding or S beyond min(m, n) written");
    assert!(
        out.s.windows(2).all(|p| p[0] >= p[1]) && out.s.iter().all(|&x| x >= 0.0),
        "{what}: {:?}",
        out.s
    );
    for (x, y) in out.s.iter().zip(s_ref) {
        assert!((x - y).abs() <= tol, "{what}: σ {x} vs {y}");
    }
    if let Some(u) = &out.u {
        assert!(
            orth_err(u) <= 30.0 * big * eps,
            "{what}: UᵀU ≠ I ({})",
            orth_err(u)
        );
        // ‖Aᵀ u_i‖ = σ_i.
        let atu = a.t().mul(u);
        for i in 0..k {
            let nrm = (0..n).map(|r| atu.at(r, i).powi(2)).sum::<f64>().sqrt();
            assert!(
                (nrm - out.s[i]).abs() <= tol,
                "{what}: ‖Aᵀu_{i}‖ = {nrm}, σ = {}",
                out.s[i]
            );
        }
    }
    if let Some(vt) = &out.vt {
        assert!(orth_err(&vt.t()) <= 30.0 * big * eps, "{what}: VVᵀ ≠ I");
        let av = a.mul(&vt.t());
        for i in 0..k {
            let nrm = (0..m).map(|r| av.at(r, i).powi(2)).sum::<f64>().sqrt();
            assert!((nrm - out.s[i]).abs() <= tol, "{what}: ‖Av_{i}‖ = {nrm}");
        }
    }
    if let (Some(u), Some(vt)) = (&out.u, &out.vt) {
        let us = D::from_fn(m, k, |i, j| u.at(i, j) * out.s[j]);
        let rec = us.mul(&vt.rows_range(0, k));
        let res = rec.sub(a).max_abs();
        assert!(res <= tol, "{what}: ‖A − UΣVᵀ‖ = {res}");
    }
}

const SHAPES: [(usize, usize); 10] = [
    (0, 3),
    (3, 0),
    (1, 1),
    (1, 6),
    (6, 1),
    (5, 5),
    (10, 7),
    (7, 10),
    (40, 12),
    (12, 40),
];

fn routines() -> Vec<Routine> {
    let mut v: Vec<Routine> = [b'A', b'S', b'O', b'N', b's']
        .iter()
        .map(|&j| Routine::Gesdd(j))
        .collect();
    for ju in [b'A', b'S', b'O', b'N'] {
        for jv in [b'A', b'S', b'O', b'N'] {
            if !(ju == b'O' && jv == b'O') {
                v.push(Routine::Gesvd(ju, jv));
            }
        }
    }
    v
}

fn all_jobs<T: Flt>() {
    for (m, n) in SHAPES {
        let mut r = rng((m * 100 + n) as u64);
        let a = D::random(m, n, &mut r).round::<T>();
        let s_ref = ref_jacobi_svd(&a);
        for routine in routines() {
            for pad in [0, 2] {
                let what = format!("{} {routine:?} {m}×{n} pad={pad}", T::NAME);
                let out = run::<T>(routine, &a, pad, None);
                if m.min(n) == 0 {
                    assert_eq!(out.info, 0, "{what}");
                    assert!(out.pads_ok);
                    continue;
                }
                check(&a, &out, &s_ref, T::EPS, &what);
                let (ju, jv) = sides(routine, m, n);
                if ju != b'O' && jv != b'O' {
                    assert_eq!(out.a_after, a, "{what}: A modified although no job is O");
                }
                if ju == b'A' {
                    assert_eq!(out.u.as_ref().unwrap().cols, m);
                }
                if jv == b'A' {
                    assert_eq!(out.vt.as_ref().unwrap().rows, n);
                }
            }
        }
    }
}

#[test]
fn svd_all_jobs_and_shapes_match_jacobi() {
    all_jobs::<f64>();
    all_jobs::<f32>();
}

#[test]
fn svd_rank_deficient_and_ill_conditioned() {
    let mut r = rng(77);
    // Rank 2, 10×7.
    let x = D::random(10, 2, &mut r);
    let y = D::random(7, 2, &mut r);
    let a = x.mul(&y.t());
    let s_ref = ref_jacobi_svd(&a);
    for routine in [
        Routine::Gesdd(b'S'),
        Routine::Gesdd(b'A'),
        Routine::Gesvd(b'S', b'S'),
        Routine::Gesvd(b'A', b'O'),
    ] {
        let out = run::<f64>(routine, &a, 1, None);
        check(
            &a,
            &out,
            &s_ref,
            f64::EPSILON,
            &format!("rank 2 {routine:?}"),
        );
        assert!(
            out.s[2] <= 50.0 * f64::EPSILON * out.s[0],
            "σ₃ = {}",
            out.s[2]
        );
    }
    // Graded singular values 1 … 1e-9 (cond 1e9), 15×10 with random orthogonal factors.
    let (m, n) = (15, 10);
    let sig: Vec<f64> = (0..n).map(|k| 10f64.powi(-(k as i32))).collect();
    let u = D::random_orthogonal(m, &mut r);
    let v = D::random_orthogonal(n, &mut r);
    let us = D::from_fn(m, n, |i, j| u.at(i, j) * sig[j]);
    let a = us.mul(&v.t());
    for routine in [Routine::Gesdd(b'S'), Routine::Gesvd(b'S', b'A')] {
        let out = run::<f64>(routine, &a, 0, None);
        check(&a, &out, &sig, f64::EPSILON, &format!("graded {routine:?}"));
    }
    // Hilbert 12×8.
    let h = D::from_fn(12, 8, |i, j| 1.0 / (i + j + 1) as f64);
    let s_ref = ref_jacobi_svd(&h);
    for routine in [Routine::Gesdd(b'O'), Routine::Gesvd(b'O', b'S')] {
        let out = run::<f64>(routine, &h, 0, None);
        check(
            &h,
            &out,
            &s_ref,
            f64::EPSILON,
            &format!("hilbert {routine:?}"),
        );
    }
}

#[test]
fn svd_workspace_minimums_and_queries() {
    let a = D::random(10, 7, &mut rng(9));
    let big = D::random(40, 12, &mut rng(10));
    // LAPACK's per-path minimum lwork (dgesvd: max(3·7 + 10, 5·7) = 35 on this path; dgesdd 'N':
    // 3·7 + max(10, 7·7) = 70; dgesdd 'S' tall path 40×12: 3·144 + 48 + 144 + 36 = 660).
    for (routine, a, min) in [
        (Routine::Gesvd(b'N', b'N'), &a, 35),
        (Routine::Gesvd(b'S', b'S'), &a, 35),
        (Routine::Gesdd(b'N'), &a, 70),
        (Routine::Gesdd(b'S'), &big, 660),
    ] {
        let out = run::<f64>(routine, a, 0, Some(min));
        check(
            a,
            &out,
            &ref_jacobi_svd(a),
            f64::EPSILON,
            &format!("{routine:?} minimal lwork"),
        );
        let out = run::<f64>(routine, a, 0, Some(min - 1));
        let expect = if matches!(routine, Routine::Gesdd(_)) {
            -12
        } else {
            -13
        };
        assert_eq!(out.info, expect, "{routine:?} lwork = min − 1");
        assert!(
            out.s.iter().all(|&x| x == SENTINEL),
            "nothing computed on error"
        );
    }
    // Queries: at least the minimum, and the f32 encoding never rounds below what is needed.
    for routine in routines() {
        let out = run::<f32>(routine, &a.round::<f32>(), 0, None);
        assert_eq!(out.info, 0, "{routine:?}");
    }
}

#[test]
fn svd_illegal_arguments_and_nan() {
    let mut a = vec![1.0f64; 64];
    let mut s = vec![0.0f64; 8];
    let mut u = vec![0.0f64; 64];
    let mut vt = vec![0.0f64; 64];
    let mut work = vec![0.0f64; 4096];
    let mut iwork = vec![0; 64];
    // gesdd: (jobz, m, n, lda, ldu, ldvt, expected)
    for (j, m, n, lda, ldu, ldvt, e) in [
        (b'X', 3, 3, 3, 3, 3, -1),
        (b'A', -1, 3, 3, 3, 3, -2),
        (b'A', 3, -1, 3, 3, 3, -3),
        (b'A', 3, 3, 2, 3, 3, -5),
        (b'A', 3, 3, 3, 2, 3, -8),
        (b'S', 3, 2, 3, 2, 2, -8),
        (b'O', 2, 3, 2, 1, 1, -8),
        (b'N', 3, 3, 3, 0, 1, -8),
        (b'A', 3, 4, 3, 3, 3, -10),
        (b'S', 4, 3, 4, 4, 2, -10),
        (b'O', 3, 2, 3, 1, 1, -10),
    ] {
        let info = f64::gesdd(
            j, m, n, &mut a, lda, &mut s, &mut u, ldu, &mut vt, ldvt, &mut work, 4096, &mut iwork,
        );
        assert_eq!(info, e, "gesdd {:?}", (j as char, m, n, lda, ldu, ldvt));
    }
    // gesvd: (jobu, jobvt, m, n, lda, ldu, ldvt, expected)
    for (ju, jv, m, n, lda, ldu, ldvt, e) in [
        (b'X', b'N', 3, 3, 3, 3, 3, -1),
        (b'N', b'X', 3, 3, 3, 3, 3, -2),
        (b'O', b'O', 3, 3, 3, 3, 3, -2),
        (b'N', b'N', -1, 3, 3, 3, 3, -3),
        (b'N', b'N', 3, -1, 3, 3, 3, -4),
        (b'N', b'N', 3, 3, 2, 3, 3, -6),
        (b'S', b'N', 3, 3, 3, 2, 3, -9),
        (b'O', b'N', 3, 3, 3, 0, 3, -9),
        (b'N', b'A', 3, 4, 3, 1, 3, -11),
        (b'N', b'S', 4, 3, 4, 1, 2, -11),
    ] {
        let info = f64::gesvd(
            ju, jv, m, n, &mut a, lda, &mut s, &mut u, ldu, &mut vt, ldvt, &mut work, 4096,
        );
        assert_eq!(
            info,
            e,
            "gesvd {:?}",
            (ju as char, jv as char, m, n, lda, ldu, ldvt)
        );
    }
    assert!(a.iter().all(|&x| x == 1.0) && s.iter().all(|&x| x == 0.0));
    // NaN: gesdd reports −4 like LAPACK 3.x; gesvd reports a failure (info > 0).
    let mut b = D::random(6, 4, &mut rng(1));
    b.set(2, 3, f64::NAN);
    assert_eq!(run::<f64>(Routine::Gesdd(b'S'), &b, 0, None).info, -4);
    assert_eq!(
        run::<f32>(Routine::Gesdd(b'N'), &b.round::<f32>(), 0, None).info,
        -4
    );
    assert_eq!(run::<f64>(Routine::Gesvd(b'S', b'S'), &b, 0, None).info, 3);
    assert_eq!(run::<f64>(Routine::Gesvd(b'N', b'N'), &b, 0, None).info, 3);
}
