//! svec/smat: clarabel's PSD-triangle convention, isometry and round trips.

use proptest::prelude::*;
use quadra_core::symmetric::sym_from_fn;
use quadra_core::{smat, svec, svec_dim_from_len, svec_index, svec_len, Mat};

fn sym_strategy() -> impl Strategy<Value = (usize, Vec<f64>, Vec<f64>)> {
    (1usize..9).prop_flat_map(|n| {
        let len = svec_len(n);
        (
            Just(n),
            prop::collection::vec(-1e3f64..1e3, len),
            prop::collection::vec(-1e3f64..1e3, len),
        )
    })
}

fn from_upper(n: usize, v: &[f64]) -> Mat<f64> {
    sym_from_fn(n, |i, j| v[svec_index(i, j)])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// smat(svec(A)) = A and svec(smat(v)) = v, to a few ulps.
    #[test]
    fn round_trip((n, a_upper, v) in sym_strategy()) {
        let a = from_upper(n, &a_upper);
        let back = smat(&svec(a.as_ref()).unwrap(), n).unwrap();
        for j in 0..n {
            for i in 0..n {
                prop_assert!((back[(i, j)] - a[(i, j)]).abs() <= 4.0 * f64::EPSILON * a[(i, j)].abs());
            }
        }
        let w = svec(smat(&v, n).unwrap().as_ref()).unwrap();
        for (x, y) in w.iter().zip(&v) {
            prop_assert!((x - y).abs() <= 4.0 * f64::EPSILON * y.abs());
        }
    }

    /// ⟨svec A, svec B⟩ = tr(AB) (the √2 scaling makes svec an isometry).
    #[test]
    fn inner_product_is_trace((n, a_upper, b_upper) in sym_strategy()) {
        let a = from_upper(n, &a_upper);
        let b = from_upper(n, &b_upper);
        let sa = svec(a.as_ref()).unwrap();
        let sb = svec(b.as_ref()).unwrap();
        let lhs: f64 = sa.iter().zip(&sb).map(|(x, y)| x * y).sum();
        let ab = &a * &b;
        let rhs: f64 = (0..n).map(|i| ab[(i, i)]).sum();
        // Both sides sum n² products of size ≤ 1e6: error ≤ ~2n²ε·1e6.
        let tol = 4.0 * (n * n) as f64 * f64::EPSILON * 1e6;
        prop_assert!((lhs - rhs).abs() <= tol, "{} vs {}", lhs, rhs);
    }
}

/// The order is clarabel's: upper triangle, column by column, (i,j) at j(j+1)/2 + i,
/// and a non-symmetric input is vectorised through (a_ij + a_ji)/√2.
#[test]
fn clarabel_layout_and_symmetric_part() {
    let a = Mat::from_fn(3, 3, |i, j| (1 + i + 3 * j) as f64);
    let v = svec(a.as_ref()).unwrap();
    let r = std::f64::consts::FRAC_1_SQRT_2;
    let expected = [
        a[(0, 0)],
        (a[(0, 1)] + a[(1, 0)]) * r,
        a[(1, 1)],
        (a[(0, 2)] + a[(2, 0)]) * r,
        (a[(1, 2)] + a[(2, 1)]) * r,
        a[(2, 2)],
    ];
    assert_eq!(v, expected);
    assert_eq!(svec_dim_from_len(v.len()).unwrap(), 3);
    assert!(svec(Mat::<f64>::zeros(2, 3).as_ref()).is_err());
}
