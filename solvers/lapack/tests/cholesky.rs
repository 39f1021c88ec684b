//! `?potrf_` / `?potrs_` through the `lapack-sys` declarations, against an unblocked reference
//! Cholesky.

// Long argument lists and tables of argument tuples mirror the BLAS/LAPACK calling convention.
#![allow(clippy::too_many_arguments, clippy::type_complexity)]

mod common;
use common::*;

/// Extracts the factor as a lower-triangular L (`uplo = L`) or Lᵀ-of-U (`uplo = U`).
fn factor_as_lower<T: Flt>(p: &P<T>, uplo: u8) -> D {
    let n = p.rows;
    let upper = uplo.eq_ignore_ascii_case(&b'U');
    D::from_fn(n, n, |i, j| {
        if i < j {
            0.0
        } else if upper {
            p.get(j, i)
        } else {
            p.get(i, j)
        }
    })
}

fn potrf_case<T: Flt>(a: &D, uplo: u8, pad: usize) -> (i32, D, P<T>, P<T>) {
    potrf_case_poisoned(a, uplo, pad, f64::NAN)
}

/// As [`potrf_case`] with the other triangle filled with `poison` (NaN checks that it is not
/// read; a finite value checks that it is not written, which clarabel relies on).
fn potrf_case_poisoned<T: Flt>(a: &D, uplo: u8, pad: usize, poison: f64) -> (i32, D, P<T>, P<T>) {
    let mut p = P::<T>::from_d(a, pad);
    poison_other_triangle(&mut p, uplo, poison);
    let before = p.clone();
    let info = T::potrf(uplo, a.rows as i32, &mut p.data, p.ld as i32);
    let f = factor_as_lower(&p, uplo);
    (info, f, p, before)
}

fn potrf_random<T: Flt>() {
    // (uplo, n, pad): every flag on small and blocked sizes, and one large case per triangle
    // (kept few: the test profile may be unoptimised).
    let mut cases = vec![];
    for uplo in [b'U', b'L', b'u', b'l'] {
        for n in [1, 2, 5, 33] {
            for pad in [0, 2] {
                cases.push((uplo, n, pad));
            }
        }
        cases.push((uplo, 70, 1));
    }
    if T::EPS == f64::EPSILON {
        cases.extend([(b'U', 150, 1), (b'L', 150, 1)]);
    }
    {
        for (uplo, n, pad) in cases {
            {
                let mut r = rng(n as u64 * 3 + pad as u64);
                let a = D::random_spd(n, &mut r).round::<T>();
                let (info, f, p, before) = potrf_case::<T>(&a, uplo, pad);
                assert_eq!(info, 0, "{} potrf {} n={n}", T::NAME, uplo as char);
                let l_ref = ref_cholesky(&a).unwrap();
                let err = f.sub(&l_ref).max_abs();
                let bound = 20.0 * n as f64 * T::EPS * l_ref.max_abs();
                assert!(
                    err <= bound,
                    "{} potrf {} n={n}: factor error {err} > {bound}",
                    T::NAME,
                    uplo as char
                );
                let res = f.mul(&f.t()).sub(&a).max_abs();
                assert!(
                    res <= 20.0 * n as f64 * T::EPS * a.max_abs(),
                    "residual {res}"
                );
                let upper = uplo.eq_ignore_ascii_case(&b'U');
                assert!(
                    p.triangle_equal(&before, !upper),
                    "potrf touched the other triangle"
                );
                assert!(p.padding_intact());
                let (info, _, p, before) = potrf_case_poisoned::<T>(&a, uplo, pad, 7.25);
                assert_eq!(info, 0);
                assert!(
                    p.triangle_equal(&before, !upper),
                    "potrf wrote into the other triangle (finite poison), n={n}"
                );
            }
        }
    }
}

#[test]
fn potrf_matches_reference_cholesky_for_both_triangles() {
    potrf_random::<f64>();
    potrf_random::<f32>();
}

#[test]
fn potrf_is_backward_stable_on_ill_conditioned_matrices() {
    // Hilbert (cond ≈ 1.5e10 for n = 8; n = 4 in f32): normwise backward error.
    for (n, f32_too) in [(8usize, false), (4, true)] {
        let a = D::hilbert(n);
        for uplo in [b'U', b'L'] {
            let (info, f, _, _) = potrf_case::<f64>(&a, uplo, 1);
            assert_eq!(info, 0);
            let res = f.mul(&f.t()).sub(&a).max_abs();
            assert!(
                res <= 10.0 * n as f64 * f64::EPSILON * a.max_abs(),
                "hilbert {n}: {res}"
            );
            if f32_too {
                let a32 = a.round::<f32>();
                let (info, f, _, _) = potrf_case::<f32>(&a32, uplo, 0);
                assert_eq!(info, 0);
                let res = f.mul(&f.t()).sub(&a32).max_abs();
                assert!(res <= 10.0 * n as f64 * f32::EPSILON as f64 * a32.max_abs());
            }
        }
    }
    // Graded: A = G·S·G with G = diag(10^(-j/4)), cond(A) ≈ 1e12 for n = 50. Cholesky is
    // componentwise accurate here: |L·Lᵀ − A|_ij ≤ c·n·ε·sqrt(a_ii·a_jj).
    let n = 50;
    let mut r = rng(42);
    let s = D::random_spd(n, &mut r);
    let g: Vec<f64> = (0..n).map(|j| 10f64.powf(-(j as f64) / 4.0)).collect();
    let a = D::from_fn(n, n, |i, j| g[i] * s.at(i, j) * g[j]);
    for uplo in [b'U', b'L'] {
        let (info, f, _, _) = potrf_case::<f64>(&a, uplo, 3);
        assert_eq!(info, 0);
        let res = f.mul(&f.t()).sub(&a);
        for j in 0..n {
            for i in 0..n {
                let scale = (a.at(i, i) * a.at(j, j)).sqrt();
                assert!(res.at(i, j).abs() <= 20.0 * n as f64 * f64::EPSILON * scale);
            }
        }
    }
}

#[test]
fn potrf_reports_the_first_non_positive_definite_minor() {
    let cases: Vec<(D, i32)> = vec![
        // Indefinite.
        (
            D::from_fn(4, 4, |i, j| {
                if i == j {
                    [1.0, 2.0, -1.0, 3.0][i]
                } else {
                    0.0
                }
            }),
            3,
        ),
        // PSD, singular: [[4, 2], [2, 1]] has pivot 1 − 1 = 0 exactly.
        (D::from_fn(2, 2, |i, j| [[4.0, 2.0], [2.0, 1.0]][i][j]), 2),
        (
            D::from_fn(3, 3, |i, j| {
                [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]][i][j]
            }),
            2,
        ),
        // Zero 1×1.
        (D::zeros(1, 1), 1),
        // Failures deep inside the blocked algorithm.
        (
            D::from_fn(150, 150, |i, j| {
                if i == j {
                    if i == 130 {
                        0.0
                    } else {
                        1.0
                    }
                } else {
                    0.0
                }
            }),
            131,
        ),
        (
            D::from_fn(150, 150, |i, j| {
                if i == j || (i.min(j) == 59 && i.max(j) == 60) {
                    1.0
                } else {
                    0.0
                }
            }),
            61,
        ),
    ];
    for (a, expect) in &cases {
        assert_eq!(
            ref_cholesky(a).unwrap_err() as i32,
            *expect,
            "reference disagrees"
        );
        for uplo in [b'U', b'L'] {
            assert_eq!(
                potrf_case::<f64>(a, uplo, 1).0,
                *expect,
                "uplo {}",
                uplo as char
            );
            assert_eq!(potrf_case::<f32>(&a.round::<f32>(), uplo, 0).0, *expect);
        }
    }
}

#[test]
fn potrf_nan_input_is_a_failure_not_a_success() {
    let mut r = rng(5);
    for n in [6, 80] {
        let a = D::random_spd(n, &mut r);
        // NaN off the diagonal in the referenced triangle: minor of order 4 fails.
        let mut b = a.clone();
        b.set(3, 1, f64::NAN);
        b.set(1, 3, f64::NAN);
        assert_eq!(ref_cholesky(&b).unwrap_err(), 4);
        for uplo in [b'U', b'L'] {
            assert_eq!(potrf_case::<f64>(&b, uplo, 0).0, 4);
        }
        // NaN on the diagonal.
        let mut b = a.clone();
        b.set(5, 5, f64::NAN);
        for uplo in [b'U', b'L'] {
            assert_eq!(potrf_case::<f64>(&b, uplo, 0).0, 6);
            assert_eq!(potrf_case::<f32>(&b.round::<f32>(), uplo, 0).0, 6);
        }
    }
}

#[test]
fn potrf_empty_and_illegal_arguments() {
    let mut a = vec![1.0f64; 4];
    assert_eq!(f64::potrf(b'U', 0, &mut a, 1), 0);
    assert_eq!(f64::potrf(b'X', 2, &mut a, 2), -1);
    assert_eq!(f64::potrf(b'L', -1, &mut a, 2), -2);
    assert_eq!(f64::potrf(b'L', 2, &mut a, 1), -4);
    assert_eq!(f64::potrf(b'L', 0, &mut a, 0), -4);
    assert!(a.iter().all(|&x| x == 1.0));
    let mut a = vec![1.0f32; 4];
    assert_eq!(f32::potrf(b'U', 2, &mut a, 1), -4);
    assert!(a.iter().all(|&x| x == 1.0));
}

fn potrs_random<T: Flt>() {
    let mut cases = vec![];
    for uplo in [b'U', b'L', b'l'] {
        for n in [1, 4, 40] {
            for nrhs in [0, 1, 3] {
                cases.push((uplo, n, nrhs));
            }
        }
    }
    cases.extend([(b'U', 150, 2), (b'L', 150, 2)]);
    {
        for (uplo, n, nrhs) in cases {
            {
                let mut r = rng((n * 10 + nrhs) as u64);
                let a = D::random_spd(n, &mut r).round::<T>();
                let b = D::random(n, nrhs, &mut r).round::<T>();
                let (info, _, mut fac, _) = potrf_case::<T>(&a, uplo, 2);
                assert_eq!(info, 0);
                // The solve must not read the other triangle either (it holds NaN already).
                poison_other_triangle(&mut fac, uplo, f64::NAN);
                let mut pb = P::<T>::from_d(&b, 3);
                let info = T::potrs(
                    uplo,
                    n as i32,
                    nrhs as i32,
                    &fac.data,
                    fac.ld as i32,
                    &mut pb.data,
                    pb.ld as i32,
                );
                assert_eq!(info, 0);
                let x = pb.to_d();
                if nrhs > 0 {
                    let res = a.mul(&x).sub(&b).max_abs();
                    let bound = 50.0 * n as f64 * T::EPS * a.max_abs() * x.max_abs() * n as f64;
                    assert!(
                        res <= bound,
                        "{} potrs {} n={n}: residual {res} > {bound}",
                        T::NAME,
                        uplo as char
                    );
                }
                assert!(pb.padding_intact());
            }
        }
    }
}

#[test]
fn potrs_solves_with_either_factor() {
    potrs_random::<f64>();
    potrs_random::<f32>();
}

#[test]
fn potrs_illegal_arguments() {
    let a = vec![1.0f64; 9];
    let mut b = vec![2.0f64; 9];
    assert_eq!(f64::potrs(b'Z', 2, 1, &a, 2, &mut b, 2), -1);
    assert_eq!(f64::potrs(b'U', -1, 1, &a, 2, &mut b, 2), -2);
    assert_eq!(f64::potrs(b'U', 2, -1, &a, 2, &mut b, 2), -3);
    assert_eq!(f64::potrs(b'U', 3, 1, &a, 2, &mut b, 3), -5);
    assert_eq!(f64::potrs(b'U', 3, 1, &a, 3, &mut b, 2), -7);
    assert!(b.iter().all(|&x| x == 2.0));
    assert_eq!(f64::potrs(b'U', 0, 1, &a, 1, &mut b, 1), 0);
    assert_eq!(f64::potrs(b'U', 2, 0, &a, 2, &mut b, 2), 0);
    assert!(b.iter().all(|&x| x == 2.0));
}
