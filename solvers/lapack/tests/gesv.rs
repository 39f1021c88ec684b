//! `?gesv_` through the `lapack-sys` declarations, against Gaussian elimination with partial
//! pivoting written out plainly.

// Long argument lists and tables of argument tuples mirror the BLAS/LAPACK calling convention.
#![allow(clippy::too_many_arguments, clippy::type_complexity)]

mod common;
use common::*;

struct Out {
    info: i32,
    lu: D,
    ipiv: Vec<i32>,
    x: D,
    a_pad_ok: bool,
    b_pad_ok: bool,
}

fn run<T: Flt>(a: &D, b: &D, pad: usize) -> Out {
    let n = a.rows;
    let mut pa = P::<T>::from_d(a, pad);
    let mut pb = P::<T>::from_d(b, pad + 1);
    let mut ipiv = vec![-3; n];
    let info = T::gesv(
        n as i32,
        b.cols as i32,
        &mut pa.data,
        pa.ld as i32,
        &mut ipiv,
        &mut pb.data,
        pb.ld as i32,
    );
    Out {
        info,
        lu: pa.to_d(),
        ipiv,
        x: pb.to_d(),
        a_pad_ok: pa.padding_intact(),
        b_pad_ok: pb.padding_intact(),
    }
}

fn unit_lower(lu: &D) -> D {
    D::from_fn(lu.rows, lu.cols, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Greater => lu.at(i, j),
        std::cmp::Ordering::Equal => 1.0,
        std::cmp::Ordering::Less => 0.0,
    })
}

fn upper(lu: &D) -> D {
    D::from_fn(
        lu.rows,
        lu.cols,
        |i, j| if i <= j { lu.at(i, j) } else { 0.0 },
    )
}

/// max |P·A − L·U| with P from ipiv applied LAPACK-style (row i ↔ row ipiv[i], in order).
fn plu_residual(a: &D, out: &Out) -> f64 {
    apply_ipiv(a, &out.ipiv)
        .sub(&unit_lower(&out.lu).mul(&upper(&out.lu)))
        .max_abs()
}

fn gesv_random<T: Flt>() {
    let mut cases = vec![];
    for n in [1, 2, 3, 31, 32, 33] {
        for nrhs in [0, 1, 4] {
            cases.push((n, nrhs));
        }
    }
    // Several panels of the blocked factorisation.
    cases.extend([(70, 3), (100, 1)]);
    {
        for (n, nrhs) in cases {
            let mut r = rng((n * 7 + nrhs) as u64);
            let a = D::random(n, n, &mut r).round::<T>();
            let b = D::random(n, nrhs, &mut r).round::<T>();
            let out = run::<T>(&a, &b, 2);
            let (lu_ref, ipiv_ref, info_ref) = ref_gepp(&a);
            assert_eq!(out.info, 0);
            assert_eq!(info_ref, 0);
            let growth = upper(&out.lu).max_abs().max(1.0);
            let res = plu_residual(&a, &out);
            assert!(
                res <= 10.0 * n as f64 * T::EPS * growth,
                "{} n={n}: P·A − L·U = {res}",
                T::NAME
            );
            if T::EPS == f64::EPSILON {
                // Same pivot rule as the reference ⇒ same pivots and the same factors.
                assert_eq!(out.ipiv, ipiv_ref, "n={n}");
                let d = out.lu.sub(&lu_ref).max_abs();
                assert!(
                    d <= 100.0 * n as f64 * f64::EPSILON * growth,
                    "n={n}: LU differs by {d}"
                );
            }
            assert!(out
                .ipiv
                .iter()
                .enumerate()
                .all(|(i, &p)| p as usize > i && p as usize <= n));
            if nrhs > 0 {
                let res = a.mul(&out.x).sub(&b).max_abs();
                let bound = 10.0 * n as f64 * T::EPS * growth * out.x.max_abs() * n as f64;
                assert!(res <= bound, "{} n={n}: A·X − B = {res} > {bound}", T::NAME);
            }
            assert!(out.a_pad_ok && out.b_pad_ok);
        }
    }
}

#[test]
fn gesv_matches_reference_pivoting_and_solves() {
    gesv_random::<f64>();
    gesv_random::<f32>();
}

#[test]
fn gesv_singular_reports_first_exact_zero_pivot_and_leaves_b() {
    let mut r = rng(11);
    let mut cases: Vec<(D, i32)> = vec![
        (D::from_fn(2, 2, |i, j| [[1.0, 2.0], [2.0, 4.0]][i][j]), 2),
        (D::zeros(1, 1), 1),
    ];
    // A zero column stays exactly zero through the elimination: U(j, j) = 0 at that column.
    for (n, zero_col) in [(5, 2), (40, 35), (70, 0)] {
        let mut a = D::random(n, n, &mut r);
        for i in 0..n {
            a.set(i, zero_col, 0.0);
        }
        cases.push((a, zero_col as i32 + 1));
    }
    for (a, expect) in &cases {
        let n = a.rows;
        let b = D::random(n, 2, &mut r);
        assert_eq!(ref_gepp(a).2, *expect, "reference disagrees");
        for pad in [0, 1] {
            let out = run::<f64>(a, &b, pad);
            assert_eq!(out.info, *expect, "n={n}");
            assert_eq!(out.x, b, "B must be unchanged when info > 0");
            // The factorisation is completed: finite factors that reproduce P·A.
            assert!(
                out.lu.d.iter().all(|x| x.is_finite()),
                "n={n}: non-finite factor"
            );
            assert!(plu_residual(a, &out) <= 1e-12 * (n as f64), "n={n}");
            assert_eq!(out.ipiv, ref_gepp(a).1, "n={n}");
            let out32 = run::<f32>(&a.round::<f32>(), &b.round::<f32>(), pad);
            assert_eq!(out32.info, *expect);
        }
    }
}

#[test]
fn gesv_is_backward_stable_on_hilbert() {
    for n in [6, 10, 12] {
        let a = D::hilbert(n);
        let ones = D::from_fn(n, 1, |_, _| 1.0);
        let b = a.mul(&ones);
        let out = run::<f64>(&a, &b, 1);
        assert_eq!(out.info, 0);
        let res = a.mul(&out.x).sub(&b).max_abs();
        assert!(
            res <= 10.0 * n as f64 * f64::EPSILON * out.x.max_abs(),
            "n={n}: {res}"
        );
        assert!(plu_residual(&a, &out) <= 10.0 * n as f64 * f64::EPSILON);
    }
}

#[test]
fn gesv_empty_and_illegal_arguments() {
    let mut a = vec![1.0f64; 9];
    let mut b = vec![2.0f64; 9];
    let mut ipiv = vec![0; 3];
    assert_eq!(f64::gesv(0, 1, &mut a, 1, &mut ipiv, &mut b, 1), 0);
    assert_eq!(f64::gesv(-1, 1, &mut a, 1, &mut ipiv, &mut b, 1), -1);
    assert_eq!(f64::gesv(2, -1, &mut a, 2, &mut ipiv, &mut b, 2), -2);
    assert_eq!(f64::gesv(3, 1, &mut a, 2, &mut ipiv, &mut b, 3), -4);
    assert_eq!(f64::gesv(3, 1, &mut a, 3, &mut ipiv, &mut b, 2), -7);
    assert!(a.iter().all(|&x| x == 1.0) && b.iter().all(|&x| x == 2.0));
    assert_eq!(ipiv, vec![0; 3]);
    // nrhs = 0 still factors A.
    let mut a = vec![0.0, 1.0, 1.0, 0.0];
    let mut ipiv = vec![0; 2];
    assert_eq!(f64::gesv(2, 0, &mut a, 2, &mut ipiv, &mut [], 2), 0);
    assert_eq!(ipiv, vec![2, 2]);
    assert_eq!(a, vec![1.0, 0.0, 0.0, 1.0]);
}
