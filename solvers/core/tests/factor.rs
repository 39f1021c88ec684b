//! Cholesky and Bunch–Kaufman LBLᵀ: solve residuals, reconstruction,
//! log-determinants, failing-pivot indices and inertia.

mod common;

use common::{linspace, with_spectrum};
use proptest::prelude::*;
use quadra_core::symmetric::{frobenius_norm, sym_from_fn};
use quadra_core::{cholesky, ldlt, rng, CoreError, Inertia, Mat};

fn residual_norm(a: &Mat<f64>, x: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let r = a * x - b;
    frobenius_norm(r.as_ref())
}

/// Backward-stable solves: ‖AX − B‖ ≤ c·n·ε·‖A‖‖X‖ (Higham Thm 10.4).
#[test]
fn cholesky_solve_residual_and_logdet() {
    for (idx, n) in [1usize, 3, 10, 60, 150].into_iter().enumerate() {
        let mut r = rng::seeded_rng(200 + idx as u64);
        let a = rng::wishart(n, 2 * n + 1, &mut r).unwrap();
        let b = rng::gaussian_matrix(n, 3, &mut r);
        let c = cholesky(a.as_ref()).unwrap();
        let x = c.solve(b.as_ref()).unwrap();
        let tol = 32.0
            * n as f64
            * f64::EPSILON
            * frobenius_norm(a.as_ref())
            * frobenius_norm(x.as_ref());
        assert!(residual_norm(&a, &x, &b) <= tol, "n={n}");
        let rec = c.reconstruct();
        assert!(
            frobenius_norm((&rec - &a).as_ref())
                <= 32.0 * n as f64 * f64::EPSILON * frobenius_norm(a.as_ref())
        );
        // log det = Σ log λ_i (independent: eigenvalues).
        let ev = quadra_core::spectral::symmetric_eigenvalues(a.as_ref()).unwrap();
        let logdet: f64 = ev.iter().map(|l| l.ln()).sum();
        assert!(
            (c.log_det() - logdet).abs() <= 1e-10 * (1.0 + logdet.abs()),
            "n={n}"
        );
    }
}

/// A matrix whose leading k×k block is PD and whose (k+1)-th leading minor
/// is not: the error names pivot k.
#[test]
fn cholesky_names_first_failing_pivot() {
    for (n, k) in [(5usize, 0usize), (5, 3), (40, 17)] {
        let w = rng::wishart(n, 2 * n, &mut rng::seeded_rng(7)).unwrap();
        // Decouple row/column k and make its diagonal negative.
        let a = sym_from_fn(n, |i, j| {
            if i == k || j == k {
                if i == j {
                    -1.0
                } else {
                    0.0
                }
            } else {
                w[(i, j)]
            }
        });
        assert_eq!(
            cholesky(a.as_ref()).unwrap_err(),
            CoreError::NotPositiveDefinite { index: k }
        );
    }
}

/// Inertia of Q diag(λ) Qᵀ with p positive and q negative eigenvalues is
/// (p, q, 0) by Sylvester's law; solves are backward stable.
#[test]
fn ldlt_inertia_and_solve() {
    for (p, q, seed) in [(1usize, 0usize, 1u64), (0, 3, 2), (7, 5, 3), (30, 45, 4)] {
        let n = p + q;
        let mut lam = linspace(0.5, 2.0, p);
        lam.truncate(p);
        lam.extend(linspace(-2.0, -0.5, q).into_iter().take(q));
        let a = with_spectrum(&lam, seed);
        let f = ldlt(a.as_ref()).unwrap();
        assert_eq!(
            f.inertia(),
            Inertia {
                positive: p,
                negative: q,
                zero: 0
            },
            "p={p} q={q}"
        );
        let b = rng::gaussian_matrix(n, 2, &mut rng::seeded_rng(seed + 50));
        let x = f.solve(b.as_ref()).unwrap();
        let tol = 64.0
            * n as f64
            * f64::EPSILON
            * frobenius_norm(a.as_ref())
            * frobenius_norm(x.as_ref());
        assert!(residual_norm(&a, &x, &b) <= tol);
        assert!(
            frobenius_norm((&f.reconstruct() - &a).as_ref()) <= 1e-12 * frobenius_norm(a.as_ref())
        );
        // Cholesky refuses exactly when q > 0.
        assert_eq!(cholesky(a.as_ref()).is_ok(), q == 0);
    }
}

/// Exactly singular integer matrix: zero in the inertia, Singular on solve.
#[test]
fn ldlt_singular() {
    // Rank-2 integer Gram matrix of size 4 (exact).
    let x = [[1.0, 2.0], [0.0, 1.0], [3.0, -1.0], [1.0, 1.0]];
    let a = sym_from_fn(4, |i, j| x[i][0] * x[j][0] + x[i][1] * x[j][1]);
    let f = ldlt(a.as_ref()).unwrap();
    let inertia = f.inertia();
    assert_eq!(inertia.positive, 2);
    assert_eq!(inertia.zero, 2);
    assert!(matches!(
        f.solve_vec(&[1.0; 4]),
        Err(CoreError::Singular { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For any seed and size, A = GGᵀ + I is factored and the solve residual
    /// is at rounding level.
    #[test]
    fn cholesky_solve_property(n in 1usize..25, seed in any::<u64>()) {
        let mut r = rng::seeded_rng(seed);
        let g = rng::gaussian_matrix(n, n, &mut r);
        let gg = &g * g.transpose();
        let a = sym_from_fn(n, |i, j| gg[(i, j)] + if i == j { 1.0 } else { 0.0 });
        let b = rng::gaussian_matrix(n, 1, &mut r);
        let x = cholesky(a.as_ref()).unwrap().solve(b.as_ref()).unwrap();
        let tol = 64.0 * n as f64 * f64::EPSILON * frobenius_norm(a.as_ref()) * frobenius_norm(x.as_ref());
        prop_assert!(residual_norm(&a, &x, &b) <= tol);
    }
}
