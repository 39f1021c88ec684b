//! Rump's verified positive-definiteness test: certified matrices, matrices
//! it must refuse (indefinite, singular), the resolution limit, margins,
//! scaling, and random PD matrices of sizes 1..200.

mod common;

use common::{linspace, with_spectrum};
use quadra_core::symmetric::sym_from_fn;
use quadra_core::{
    cholesky, rng, spectral, verify_positive_definite, verify_psd_with_margin, CoreError, Mat,
};

/// λ_min = 1e-3 on a well-scaled matrix is certified, with a lower bound that
/// is below the true λ_min (rigorous enclosure) and close to it.
#[test]
fn small_positive_lambda_min_is_certified() {
    for (n, seed) in [(10, 1), (50, 2), (120, 3)] {
        let mut lam = linspace(1e-3, 1.0, n);
        lam.reverse();
        let a = with_spectrum(&lam, seed);
        let cert = verify_positive_definite(a.as_ref()).unwrap();
        let enc = spectral::lambda_min(a.as_ref()).unwrap();
        assert!(cert.lower_bound < enc.upper, "n={n}: {cert:?} vs {enc:?}");
        assert!(
            cert.lower_bound > 0.9e-3,
            "n={n}: bound not sharpened: {cert:?}"
        );
        // The certified margin is a true statement: slightly above it fails.
        assert!(verify_psd_with_margin(a.as_ref(), enc.upper).is_err());
    }
}

/// A matrix whose λ_min is provably −1e-12 (rigorous enclosure below 0)
/// must not be certified, however close to PD it is. (At n = 100 the
/// rigorous enclosure is ~1e-12 wide, so −1e-10 is used there.)
#[test]
fn slightly_indefinite_is_refused() {
    for (n, seed, neg) in [
        (5, 11, -1e-12),
        (20, 14, -1e-12),
        (40, 12, -1e-12),
        (100, 13, -1e-10),
    ] {
        let mut lam = linspace(1.0, 2.0, n);
        lam[0] = neg;
        let a = with_spectrum(&lam, seed);
        let enc = spectral::lambda_min(a.as_ref()).unwrap();
        assert!(
            enc.upper < 0.0,
            "test matrix not provably indefinite: {enc:?}"
        );
        assert!(matches!(
            verify_positive_definite(a.as_ref()),
            Err(CoreError::NotVerified { .. })
        ));
    }
}

/// Exactly singular matrices (integer Gram matrices of rank n−1, formed
/// without rounding) are refused.
#[test]
fn exactly_singular_is_refused() {
    for n in [2usize, 3, 8, 30] {
        // X ∈ Z^{n×(n−1)}, entries in −3..=3: XXᵀ is exact in f64 and rank ≤ n−1.
        let x = Mat::from_fn(n, n - 1, |i, j| ((7 * i + 3 * j + i * j) % 7) as f64 - 3.0);
        let a = sym_from_fn(n, |i, j| (0..n - 1).map(|k| x[(i, k)] * x[(j, k)]).sum());
        assert!(verify_positive_definite(a.as_ref()).is_err(), "n={n}");
    }
    let ones = sym_from_fn(4, |_, _| 1.0);
    assert!(verify_positive_definite(ones.as_ref()).is_err());
}

/// Fibonacci matrices [[F_{k+1}, F_k], [F_k, F_{k−1}]] have determinant
/// (−1)^k exactly (Cassini) and integer entries: for even k they are exactly
/// positive definite with λ_min ≈ 1/(F_{k+1}+F_{k−1}), λ_max ≈ F_{k+1}+F_{k−1}.
/// For small k the test certifies them; for k ≥ 44 the relative λ_min
/// (≤ 3e-19) is far below the resolution ~5u, so it must refuse — even where the
/// plain floating-point Cholesky (the naive check) succeeds. For odd k
/// (determinant −1: indefinite) it must refuse.
#[test]
fn resolution_limit_on_exactly_pd_fibonacci() {
    let mut fib = vec![0i128, 1];
    for k in 2..80 {
        fib.push(fib[k - 1] + fib[k - 2]);
    }
    let m = |k: usize| {
        let (a, b, c) = (fib[k + 1] as f64, fib[k] as f64, fib[k - 1] as f64);
        sym_from_fn(2, move |i, j| [[a, b], [b, c]][i][j])
    };
    // Exact determinants from integer arithmetic.
    for k in [10usize, 20, 30, 40, 41] {
        let det = fib[k + 1] * fib[k - 1] - fib[k] * fib[k];
        assert_eq!(det, if k % 2 == 0 { 1 } else { -1 });
    }
    // Well within resolution: certified.
    assert!(verify_positive_definite(m(10).as_ref()).is_ok());
    // Below resolution though exactly PD: refused. Find one where the naive
    // floating-point Cholesky passes, to show the difference.
    let mut naive_passed_but_refused = 0;
    for k in (44..60).step_by(2) {
        let a = m(k);
        assert!(verify_positive_definite(a.as_ref()).is_err(), "k={k}");
        if cholesky(a.as_ref()).is_ok() {
            naive_passed_but_refused += 1;
        }
    }
    assert!(
        naive_passed_but_refused > 0,
        "no k where the naive check passes"
    );
    // Odd k: indefinite, refused.
    for k in (11..60).step_by(2) {
        assert!(verify_positive_definite(m(k).as_ref()).is_err(), "k={k}");
    }
}

/// Random PD matrices of sizes 1..200 (Wishart with p = 2n, λ_min ≈ 0.086):
/// certified, with a lower bound inside the rigorous eigenvalue enclosure.
#[test]
fn random_pd_sizes_1_to_200() {
    for (idx, n) in [1usize, 2, 3, 7, 20, 64, 130, 200].into_iter().enumerate() {
        let a = rng::wishart(n, 2 * n + 2, &mut rng::seeded_rng(100 + idx as u64)).unwrap();
        let cert = verify_positive_definite(a.as_ref()).unwrap();
        let enc = spectral::lambda_min(a.as_ref()).unwrap();
        assert!(enc.lower > 0.0);
        assert!(cert.lower_bound < enc.upper, "n={n}");
        assert!(
            cert.lower_bound >= 0.9 * enc.lower,
            "n={n}: {cert:?} vs {enc:?}"
        );
        assert_eq!(cert.dim, n);
    }
}

/// Margins: λ_min(A) > m is certified for m just below λ_min and refused
/// just above it (and for a negative margin on an indefinite matrix).
#[test]
fn margins_both_sides() {
    let lam = linspace(0.5, 3.0, 25);
    let a = with_spectrum(&lam, 21);
    assert!(verify_psd_with_margin(a.as_ref(), 0.5 - 1e-6).is_ok());
    assert!(verify_psd_with_margin(a.as_ref(), 0.5 + 1e-6).is_err());
    // A − (−2)I ≻ 0 for an indefinite A with λ_min = −1.
    let b = with_spectrum(&linspace(-1.0, 1.0, 25), 22);
    assert!(verify_positive_definite(b.as_ref()).is_err());
    assert!(verify_psd_with_margin(b.as_ref(), -1.0 - 1e-6).is_ok());
    assert!(verify_psd_with_margin(b.as_ref(), -1.0 + 1e-6).is_err());
    assert!(matches!(
        verify_psd_with_margin(a.as_ref(), f64::NAN),
        Err(CoreError::InvalidParameter { .. })
    ));
}

/// Power-of-two diagonal scaling certifies badly scaled but well-conditioned
/// matrices D W D (diag of D spanning 1e-8..1e8); the certificate is about
/// the unscaled matrix.
#[test]
fn badly_scaled_matrix_is_certified_via_scaling() {
    let n = 30;
    let w = rng::wishart(n, 3 * n, &mut rng::seeded_rng(5)).unwrap();
    let d: Vec<f64> = (0..n)
        .map(|i| 10f64.powf(-8.0 + 16.0 * i as f64 / (n - 1) as f64))
        .collect();
    let a = sym_from_fn(n, |i, j| d[i] * w[(i, j)] * d[j]);
    let cert = verify_positive_definite(a.as_ref()).unwrap();
    assert!(cert.scaled);
    assert!(cert.lower_bound >= 0.0);
}

/// Malformed input is an error naming the problem.
#[test]
fn malformed_input() {
    let mut a = sym_from_fn(3, |i, j| if i == j { 2.0 } else { 0.1 });
    a[(0, 1)] += 1e-15; // not exactly symmetric
    assert!(matches!(
        verify_positive_definite(a.as_ref()),
        Err(CoreError::NotSymmetric { .. })
    ));
    let mut b = sym_from_fn(3, |i, j| if i == j { 2.0 } else { 0.1 });
    b[(2, 2)] = f64::NAN;
    assert!(matches!(
        verify_positive_definite(b.as_ref()),
        Err(CoreError::NonFiniteEntry { row: 2, col: 2, .. })
    ));
    assert!(matches!(
        verify_positive_definite(Mat::<f64>::zeros(0, 0).as_ref()),
        Err(CoreError::Empty { .. })
    ));
    assert!(matches!(
        verify_positive_definite(Mat::<f64>::zeros(2, 3).as_ref()),
        Err(CoreError::NotSquare { .. })
    ));
}
