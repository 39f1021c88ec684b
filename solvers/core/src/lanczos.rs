//! Lanczos iteration for the extreme eigenvalues of a matrix-free symmetric
//! operator.
//!
//! From a random unit `q₁`, the Lanczos recurrence
//! `β_{k+1} q_{k+1} = A q_k − α_k q_k − β_k q_{k−1}` builds an orthonormal
//! basis `Q_k` of the Krylov space and the tridiagonal `T_k = Q_kᵀ A Q_k`
//! (Golub & Van Loan, *Matrix Computations*, 4th ed., §10.1). Here every
//! new vector is re-orthogonalised against all previous ones (two passes of
//! classical Gram–Schmidt, "twice is enough"), which keeps `Q_k` orthonormal
//! to working precision so that no spurious copies of converged eigenvalues
//! appear. The Ritz values `θ` (eigenvalues of `T_k`) with eigenvectors `s`
//! of `T_k` satisfy `‖A y − θ y‖₂ = β_{k+1} |s_k|` for `y = Q_k s`
//! (Parlett, *The Symmetric Eigenvalue Problem*, §13.2), so some eigenvalue
//! of `A` lies within `β_{k+1}|s_k|` of `θ`; the extreme Ritz values
//! converge to the extreme eigenvalues from inside
//! (`θ_max ≤ λ_max`, `θ_min ≥ λ_min`, Cauchy interlacing).
//!
//! These are estimates with residuals, not rigorous enclosures: for a
//! guaranteed interval on a dense matrix use [`crate::spectral::lambda_max`].

use crate::error::{CoreError, Result};
use crate::rng::standard_normal;
use faer::{Mat, MatRef, Side};
use rand::Rng;

/// Once `k² > n`, convergence is checked every this many Lanczos steps: the check
/// solves the k×k tridiagonal eigenproblem (O(k³) with a dense solver), so checking
/// every step would dominate the O(kn) cost of a step (two Gram–Schmidt passes, besides
/// the operator) for k ≳ n^{1/2}. While `k² ≤ n` every step is checked, so that a large
/// operator stops as soon as the tolerance is met (LipSDP 40 × 64, `n = 2624`: 955 →
/// 853 steps for the primal step lengths of one `quadra lipschitz` solve, counted with a
/// temporary counter in `lowrank::ipm`).
const CHECK_EVERY: usize = 5;

/// A symmetric linear operator `y = A x` given only by its action.
pub trait SymmetricOperator {
    /// Dimension `n`.
    fn dim(&self) -> usize;
    /// Writes `A x` into `y` (both of length `n`).
    fn apply(&self, x: &[f64], y: &mut [f64]);
}

impl SymmetricOperator for MatRef<'_, f64> {
    fn dim(&self) -> usize {
        self.nrows()
    }
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        let xm = MatRef::from_column_major_slice(x, x.len(), 1);
        let r = *self * xm;
        y.copy_from_slice(r.col_as_slice(0));
    }
}

impl SymmetricOperator for Mat<f64> {
    fn dim(&self) -> usize {
        self.nrows()
    }
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        self.as_ref().apply(x, y)
    }
}

/// Settings of [`lanczos_extremes`].
///
/// | Name | Default | Meaning | Range |
/// |---|---|---|---|
/// | `max_iter` | `300` | Krylov dimension limit (capped at `n`) | `≥ 1` |
/// | `tolerance` | `1e-10` | stop when both extreme residuals `β|s_k| ≤ tol·max(|θ_max|, |θ_min|)` | `> 0` |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanczosSettings {
    /// Krylov dimension limit.
    pub max_iter: usize,
    /// Relative residual tolerance.
    pub tolerance: f64,
}

impl Default for LanczosSettings {
    fn default() -> Self {
        LanczosSettings {
            max_iter: 300,
            tolerance: 1e-10,
        }
    }
}

impl LanczosSettings {
    /// Checks the ranges in the table.
    pub fn validate(&self) -> Result<()> {
        if self.max_iter == 0 {
            return Err(CoreError::invalid("max_iter", 0, "at least 1"));
        }
        if self.tolerance.is_nan() || self.tolerance <= 0.0 || self.tolerance.is_infinite() {
            return Err(CoreError::invalid(
                "tolerance",
                self.tolerance,
                "a finite number > 0",
            ));
        }
        Ok(())
    }
}

/// Extreme Ritz values with their residual norms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanczosResult {
    /// Largest Ritz value (≤ λ_max).
    pub lambda_max: f64,
    /// Smallest Ritz value (≥ λ_min).
    pub lambda_min: f64,
    /// `‖A y − θ_max y‖₂` for the unit Ritz vector `y`.
    pub residual_max: f64,
    /// `‖A y − θ_min y‖₂`.
    pub residual_min: f64,
    /// Krylov dimension reached.
    pub iterations: usize,
    /// Whether the tolerance was met (or an invariant subspace found).
    pub converged: bool,
}

/// Lanczos with full reorthogonalisation for `λ_max` and `λ_min` of `op`,
/// started from a Gaussian vector drawn from `rng`.
pub fn lanczos_extremes<O, R>(
    op: &O,
    settings: &LanczosSettings,
    rng: &mut R,
) -> Result<LanczosResult>
where
    O: SymmetricOperator + ?Sized,
    R: Rng + ?Sized,
{
    lanczos(op, settings, rng, Wanted::Both)
}

/// As [`lanczos_extremes`], but the tolerance is checked on the smallest Ritz value
/// only (`β|s_k(θ_min)| ≤ tol·max(|θ_max|, |θ_min|)`): for step lengths to the
/// boundary of the PSD cone, where only `λ_min` matters and the largest Ritz value
/// would keep the iteration going. `lambda_max` and `residual_max` are reported as
/// reached.
pub fn lanczos_smallest<O, R>(
    op: &O,
    settings: &LanczosSettings,
    rng: &mut R,
) -> Result<LanczosResult>
where
    O: SymmetricOperator + ?Sized,
    R: Rng + ?Sized,
{
    lanczos(op, settings, rng, Wanted::Smallest)
}

/// Which Ritz residuals the stopping test reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Both,
    Smallest,
}

fn lanczos<O, R>(
    op: &O,
    settings: &LanczosSettings,
    rng: &mut R,
    wanted: Wanted,
) -> Result<LanczosResult>
where
    O: SymmetricOperator + ?Sized,
    R: Rng + ?Sized,
{
    settings.validate()?;
    let n = op.dim();
    if n == 0 {
        return Err(CoreError::Empty {
            context: "lanczos_extremes",
        });
    }
    let kmax = settings.max_iter.min(n);
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(kmax);
    let mut alpha: Vec<f64> = Vec::with_capacity(kmax);
    let mut beta: Vec<f64> = Vec::with_capacity(kmax);
    let mut v: Vec<f64> = (0..n).map(|_| standard_normal(rng)).collect();
    let nv = norm2(&v);
    v.iter_mut().for_each(|x| *x /= nv);
    let mut w = vec![0.0; n];
    let mut last = None;
    for k in 0..kmax {
        q.push(v.clone());
        op.apply(&q[k], &mut w);
        if let Some(i) = w.iter().position(|x| !x.is_finite()) {
            return Err(CoreError::NonFinite {
                context: "lanczos_extremes: operator output",
                index: i,
                value: w[i],
            });
        }
        let a = dot(&w, &q[k]);
        alpha.push(a);
        // Two passes of full Gram–Schmidt against the whole basis.
        for _ in 0..2 {
            for qj in &q {
                let c = dot(&w, qj);
                w.iter_mut().zip(qj).for_each(|(wi, qi)| *wi -= c * qi);
            }
        }
        let b = norm2(&w);
        let scale = alpha
            .iter()
            .chain(&beta)
            .fold(0.0f64, |m, x| m.max(x.abs()));
        let invariant = b <= 64.0 * f64::EPSILON * scale.max(f64::MIN_POSITIVE) * (k + 1) as f64;
        // The k×k tridiagonal eigenproblem costs O(k³): solve it every step while
        // k² ≤ n, then every CHECK_EVERY steps, and at the end.
        let check = (k + 1) * (k + 1) <= n || (k + 1) % CHECK_EVERY == 0;
        if invariant || check || k + 1 == kmax {
            let r = ritz_extremes(&alpha, &beta, if invariant { 0.0 } else { b })?;
            last = Some(r);
            let tol = settings.tolerance * r.0.abs().max(r.1.abs()).max(f64::MIN_POSITIVE);
            let max_done = wanted == Wanted::Smallest || r.2 <= tol;
            if invariant || (max_done && r.3 <= tol) || k + 1 == n {
                return Ok(LanczosResult {
                    lambda_max: r.0,
                    lambda_min: r.1,
                    residual_max: r.2,
                    residual_min: r.3,
                    iterations: k + 1,
                    converged: true,
                });
            }
        }
        beta.push(b);
        v = w.iter().map(|x| x / b).collect();
    }
    let (lmax, lmin, rmax, rmin) = last.unwrap_or((f64::NAN, f64::NAN, f64::NAN, f64::NAN));
    Ok(LanczosResult {
        lambda_max: lmax,
        lambda_min: lmin,
        residual_max: rmax,
        residual_min: rmin,
        iterations: kmax,
        converged: false,
    })
}

/// `(θ_max, θ_min, β|s_k(θ_max)|, β|s_k(θ_min)|)` of the tridiagonal with
/// diagonal `alpha` and off-diagonal `beta` (length `k−1`).
fn ritz_extremes(alpha: &[f64], beta: &[f64], b_next: f64) -> Result<(f64, f64, f64, f64)> {
    let k = alpha.len();
    let t = Mat::from_fn(k, k, |i, j| {
        if i == j {
            alpha[i]
        } else if i == j + 1 {
            beta[j]
        } else if j == i + 1 {
            beta[i]
        } else {
            0.0
        }
    });
    let evd = t
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| CoreError::NoConvergence {
            context: "lanczos_extremes: tridiagonal eigenproblem",
        })?;
    let s = evd.S().column_vector();
    let u = evd.U();
    let (mut imax, mut imin) = (0, 0);
    for i in 0..k {
        if s[i] > s[imax] {
            imax = i;
        }
        if s[i] < s[imin] {
            imin = i;
        }
    }
    Ok((
        s[imax],
        s[imin],
        b_next * u[(k - 1, imax)].abs(),
        b_next * u[(k - 1, imin)].abs(),
    ))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm2(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded_rng;
    use crate::symmetric::sym_from_fn;

    #[test]
    fn diagonal_operator() {
        // diag(1..=50): λ_max = 50, λ_min = 1.
        let a = sym_from_fn(50, |i, j| if i == j { (i + 1) as f64 } else { 0.0 });
        let r = lanczos_extremes(&a, &LanczosSettings::default(), &mut seeded_rng(1)).unwrap();
        assert!(r.converged);
        assert!((r.lambda_max - 50.0).abs() < 1e-8, "{r:?}");
        assert!((r.lambda_min - 1.0).abs() < 1e-8, "{r:?}");
        assert!(LanczosSettings {
            max_iter: 0,
            tolerance: 1.0
        }
        .validate()
        .is_err());
    }

    #[test]
    fn smallest_only_stops_once_lambda_min_has_converged() {
        // An isolated λ_min = −10 converges in a few steps; λ_max sits at the top of a
        // dense cluster in [1, 2] and needs many more.
        let n = 400;
        let a = sym_from_fn(n, |i, j| match (i == j, i) {
            (false, _) => 0.0,
            (true, 0) => -10.0,
            (true, _) => 1.0 + (i as f64 / n as f64).powi(3),
        });
        let settings = LanczosSettings {
            max_iter: 200,
            tolerance: 1e-6,
        };
        let both = lanczos_extremes(&a, &settings, &mut seeded_rng(4)).unwrap();
        let min = lanczos_smallest(&a, &settings, &mut seeded_rng(4)).unwrap();
        assert!(min.converged, "{min:?}");
        assert!((min.lambda_min + 10.0).abs() < 1e-6, "{min:?}");
        assert!(min.residual_min <= 1e-6 * 10.0, "{min:?}");
        assert!(
            min.iterations < both.iterations,
            "smallest-only {} steps, both {} steps",
            min.iterations,
            both.iterations
        );
    }
}
