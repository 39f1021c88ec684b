//! Damped and Anderson-accelerated fixed-point iteration `x = g(x)`, in the
//! problem / settings / executor / observer shape of argmin (STYLE.md 3–5).
//!
//! # Iteration
//!
//! With residual `f(x) = g(x) − x`, damping `β ∈ (0, 1]` and memory `m`:
//!
//! * **damped (Picard/Mann) step** (`m = 0`): `x⁺ = x + β f(x) = (1 − β)x + β g(x)`;
//! * **Anderson type II** (Walker & Ni 2011, eq. (2.2) with damping; memory
//!   `m_k = min(m, k)`): with `ΔF = [f_{k−m_k+1} − f_{k−m_k}, …, f_k − f_{k−1}]`
//!   and `ΔG` likewise from `g`,
//!
//!   ```text
//!   γ = argmin_γ ‖f_k − ΔF γ‖₂² + λ‖ΔF‖_F²‖γ‖₂²,
//!   x⁺ = x_k + β f_k − (ΔG − (1 − β) ΔF) γ,
//!   ```
//!
//!   the least-squares problem solved by Householder QR of the stacked
//!   matrix `[ΔF; (λ^{1/2}‖ΔF‖_F) I]` (the Tikhonov term `λ` keeps it full
//!   rank when the differences become collinear).
//! * **Safeguard**: if an Anderson step *increases* the residual
//!   `‖f‖_∞`, it is rejected, the damped step is taken instead, and the
//!   history is cleared (counted in [`FixedPointReport::anderson_restarts`]).
//!
//! Termination: `‖f(x_k)‖_∞ ≤ tolerance + relative_tolerance·‖x_k‖_∞`.
//!
//! For a linear map `g(x) = Mx + b`, undamped Anderson with full memory is
//! equivalent to GMRES on `(I − M)x = b` (Walker & Ni, Thm 2.2), which is
//! why it needs far fewer iterations than the Picard iteration's
//! `log(tol)/log ρ(M)`.
//!
//! # References
//! * H. F. Walker, P. Ni, *Anderson acceleration for fixed-point
//!   iterations*, SIAM J. Numer. Anal. 49 (2011) 1715–1735,
//!   doi:10.1137/10078356X.
//! * D. G. Anderson, *Iterative procedures for nonlinear integral
//!   equations*, J. ACM 12 (1965) 547–560.

use crate::error::{CoreError, Result};
use faer::linalg::solvers::SolveLstsq;
use faer::Mat;
use std::collections::VecDeque;

/// A map `g: ℝⁿ → ℝⁿ` whose fixed point is sought. Closures
/// `FnMut(&[f64], &mut [f64]) -> Result<()>` implement it.
pub trait FixedPointMap {
    /// Writes `g(x)` into `out` (same length as `x`).
    fn apply(&mut self, x: &[f64], out: &mut [f64]) -> Result<()>;
}

impl<F> FixedPointMap for F
where
    F: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    fn apply(&mut self, x: &[f64], out: &mut [f64]) -> Result<()> {
        self(x, out)
    }
}

/// Settings of the fixed-point executor.
///
/// | Name | Default | Meaning | Range |
/// |---|---|---|---|
/// | `tolerance` | `1e-10` | absolute target for `‖g(x) − x‖_∞` | `≥ 0` |
/// | `relative_tolerance` | `0` | adds `rel·‖x‖_∞` to the target | `≥ 0`, not both 0 |
/// | `max_iter` | `1000` | iterations (accepted steps) | `≥ 1` |
/// | `damping` | `1` | `β` in `x + β(g(x) − x)` | `(0, 1]` |
/// | `anderson_memory` | `0` | `m`; 0 = plain damped iteration | `≥ 0` |
/// | `anderson_regularization` | `1e-10` | Tikhonov `λ` relative to `‖ΔF‖_F²`: perturbs `γ` by ~1e-10 relatively (far below the tolerances used) while keeping nearly collinear differences solvable (a rank-deficient `ΔF` falls back to the damped step) | `≥ 0` |
/// | `safeguard` | `true` | reject Anderson steps that increase the residual | |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPointSettings {
    tolerance: f64,
    relative_tolerance: f64,
    max_iter: usize,
    damping: f64,
    anderson_memory: usize,
    anderson_regularization: f64,
    safeguard: bool,
}

impl Default for FixedPointSettings {
    fn default() -> Self {
        FixedPointSettings {
            tolerance: 1e-10,
            relative_tolerance: 0.0,
            max_iter: 1000,
            damping: 1.0,
            anderson_memory: 0,
            anderson_regularization: 1e-10,
            safeguard: true,
        }
    }
}

impl FixedPointSettings {
    /// Builder from the defaults.
    pub fn builder() -> FixedPointSettingsBuilder {
        FixedPointSettingsBuilder {
            inner: FixedPointSettings::default(),
        }
    }
    /// Absolute tolerance on `‖g(x) − x‖_∞`.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }
    /// Relative tolerance (times `‖x‖_∞`).
    pub fn relative_tolerance(&self) -> f64 {
        self.relative_tolerance
    }
    /// Iteration limit.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }
    /// Damping `β`.
    pub fn damping(&self) -> f64 {
        self.damping
    }
    /// Anderson memory `m`.
    pub fn anderson_memory(&self) -> usize {
        self.anderson_memory
    }
    /// Anderson Tikhonov regularisation `λ`.
    pub fn anderson_regularization(&self) -> f64 {
        self.anderson_regularization
    }
    /// Whether Anderson steps are safeguarded.
    pub fn safeguard(&self) -> bool {
        self.safeguard
    }
}

/// Builder for [`FixedPointSettings`]; `build` validates.
#[derive(Debug, Clone, Copy)]
pub struct FixedPointSettingsBuilder {
    inner: FixedPointSettings,
}

impl FixedPointSettingsBuilder {
    /// Absolute tolerance.
    pub fn tolerance(mut self, v: f64) -> Self {
        self.inner.tolerance = v;
        self
    }
    /// Relative tolerance.
    pub fn relative_tolerance(mut self, v: f64) -> Self {
        self.inner.relative_tolerance = v;
        self
    }
    /// Iteration limit.
    pub fn max_iter(mut self, v: usize) -> Self {
        self.inner.max_iter = v;
        self
    }
    /// Damping `β ∈ (0, 1]`.
    pub fn damping(mut self, v: f64) -> Self {
        self.inner.damping = v;
        self
    }
    /// Anderson memory (0 disables acceleration).
    pub fn anderson_memory(mut self, v: usize) -> Self {
        self.inner.anderson_memory = v;
        self
    }
    /// Anderson regularisation.
    pub fn anderson_regularization(mut self, v: f64) -> Self {
        self.inner.anderson_regularization = v;
        self
    }
    /// Safeguarding of Anderson steps.
    pub fn safeguard(mut self, v: bool) -> Self {
        self.inner.safeguard = v;
        self
    }
    /// Validated settings.
    pub fn build(self) -> Result<FixedPointSettings> {
        let s = self.inner;
        let finite_nonneg = |v: f64| v >= 0.0 && v.is_finite();
        if !finite_nonneg(s.tolerance) {
            return Err(CoreError::invalid(
                "tolerance",
                s.tolerance,
                "a finite number ≥ 0",
            ));
        }
        if !finite_nonneg(s.relative_tolerance) {
            return Err(CoreError::invalid(
                "relative_tolerance",
                s.relative_tolerance,
                "a finite number ≥ 0",
            ));
        }
        if s.tolerance == 0.0 && s.relative_tolerance == 0.0 {
            return Err(CoreError::invalid(
                "tolerance, relative_tolerance",
                "0, 0",
                "at least one positive tolerance",
            ));
        }
        if s.max_iter == 0 {
            return Err(CoreError::invalid("max_iter", 0, "at least 1"));
        }
        if s.damping.is_nan() || s.damping <= 0.0 || s.damping > 1.0 {
            return Err(CoreError::invalid(
                "damping",
                s.damping,
                "a number in (0, 1]",
            ));
        }
        if !finite_nonneg(s.anderson_regularization) {
            return Err(CoreError::invalid(
                "anderson_regularization",
                s.anderson_regularization,
                "a finite number ≥ 0",
            ));
        }
        Ok(s)
    }
}

/// What an observer sees after each iteration.
#[derive(Debug, Clone, Copy)]
pub struct IterationState<'a> {
    /// Iteration index (0 = the initial point).
    pub iteration: usize,
    /// Current iterate.
    pub x: &'a [f64],
    /// `‖g(x) − x‖_∞` at `x`.
    pub residual: f64,
    /// Whether the step that produced `x` was an accepted Anderson step.
    pub anderson_step: bool,
}

/// Receives the iteration state; the default method does nothing.
pub trait FixedPointObserver {
    /// Called according to the [`ObserverMode`].
    fn observe(&mut self, _state: &IterationState<'_>) {}
}

/// The no-op observer.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;
impl FixedPointObserver for NoObserver {}

/// Records the residual trajectory (and optionally the iterates).
#[derive(Debug, Clone, Default)]
pub struct RecordingObserver {
    /// `(iteration, residual)` pairs.
    pub residuals: Vec<(usize, f64)>,
    /// Iterates, if `keep_iterates`.
    pub iterates: Vec<Vec<f64>>,
    /// Whether to copy each observed iterate.
    pub keep_iterates: bool,
}
impl FixedPointObserver for RecordingObserver {
    fn observe(&mut self, state: &IterationState<'_>) {
        self.residuals.push((state.iteration, state.residual));
        if self.keep_iterates {
            self.iterates.push(state.x.to_vec());
        }
    }
}

/// When the observer is called (argmin's `ObserverMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObserverMode {
    /// Every iteration.
    Always,
    /// Every `n`-th iteration (and never if `n = 0`).
    Every(usize),
    /// Never.
    Never,
}

impl ObserverMode {
    fn fires(self, iteration: usize) -> bool {
        match self {
            ObserverMode::Always => true,
            ObserverMode::Every(0) | ObserverMode::Never => false,
            ObserverMode::Every(n) => iteration % n == 0,
        }
    }
}

/// Outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedPointReport {
    /// Final iterate.
    pub x: Vec<f64>,
    /// Accepted steps.
    pub iterations: usize,
    /// Calls of the map (≥ iterations + 1; rejected Anderson steps add one).
    pub evaluations: usize,
    /// Final `‖g(x) − x‖_∞`.
    pub residual: f64,
    /// `‖g(x_k) − x_k‖_∞` for `k = 0..=iterations`.
    pub residual_history: Vec<f64>,
    /// Whether the tolerance was met.
    pub converged: bool,
    /// Anderson steps rejected by the safeguard (each clears the history).
    pub anderson_restarts: usize,
}

/// The executor: owns the map, settings and observer, and the loop.
#[derive(Debug, Clone)]
pub struct FixedPointSolver<M, O = NoObserver> {
    map: M,
    settings: FixedPointSettings,
    observer: O,
    mode: ObserverMode,
}

impl<M: FixedPointMap> FixedPointSolver<M, NoObserver> {
    /// A solver with the no-op observer.
    pub fn new(map: M, settings: FixedPointSettings) -> Self {
        FixedPointSolver {
            map,
            settings,
            observer: NoObserver,
            mode: ObserverMode::Never,
        }
    }
}

impl<M: FixedPointMap, O: FixedPointObserver> FixedPointSolver<M, O> {
    /// Replaces the observer.
    pub fn with_observer<O2: FixedPointObserver>(
        self,
        observer: O2,
        mode: ObserverMode,
    ) -> FixedPointSolver<M, O2> {
        FixedPointSolver {
            map: self.map,
            settings: self.settings,
            observer,
            mode,
        }
    }

    /// The observer (e.g. to read what it recorded).
    pub fn observer(&self) -> &O {
        &self.observer
    }

    /// The map.
    pub fn map(&self) -> &M {
        &self.map
    }

    /// Runs to convergence; non-convergence is
    /// [`CoreError::MaxIterations`] carrying the final residual.
    pub fn solve(&mut self, x0: &[f64]) -> Result<FixedPointReport> {
        let report = self.iterate(x0)?;
        if report.converged {
            Ok(report)
        } else {
            Err(CoreError::MaxIterations {
                context: "fixed_point",
                iterations: report.iterations,
                residual: report.residual,
            })
        }
    }

    /// Runs until convergence or `max_iter`, returning the report either
    /// way (`converged` tells which). Errors only for a failing map, a
    /// non-finite map value (as [`CoreError::NonFinite`]) or an empty `x0`.
    pub fn iterate(&mut self, x0: &[f64]) -> Result<FixedPointReport> {
        let n = x0.len();
        if n == 0 {
            return Err(CoreError::Empty {
                context: "fixed_point: initial point",
            });
        }
        check_finite_vec(x0, "fixed_point: initial point")?;
        let s = self.settings;
        let beta = s.damping;
        let mut x = x0.to_vec();
        let mut g = vec![0.0; n];
        self.eval(&x, &mut g)?;
        let mut evaluations = 1;
        let mut f = sub(&g, &x);
        let mut res = norm_inf(&f);
        let mut history = vec![res];
        let mut df: VecDeque<Vec<f64>> = VecDeque::new();
        let mut dg: VecDeque<Vec<f64>> = VecDeque::new();
        let mut restarts = 0;
        let mut k = 0;
        let mut last_aa = false;
        let converged = loop {
            if self.mode.fires(k) {
                self.observer.observe(&IterationState {
                    iteration: k,
                    x: &x,
                    residual: res,
                    anderson_step: last_aa,
                });
            }
            if res <= s.tolerance + s.relative_tolerance * norm_inf(&x) {
                break true;
            }
            if k >= s.max_iter {
                break false;
            }
            let aa = if s.anderson_memory > 0 && !df.is_empty() {
                anderson_step(&x, &f, &df, &dg, beta, s.anderson_regularization)
            } else {
                None
            };
            let used_aa = aa.is_some();
            let mut x_new = aa.unwrap_or_else(|| damped(&x, &f, beta));
            let mut g_new = vec![0.0; n];
            let mut ok = self.map.apply(&x_new, &mut g_new);
            evaluations += 1;
            let mut accept_aa = used_aa;
            if used_aa {
                let bad = match &ok {
                    Ok(()) => {
                        let r = norm_inf(&sub(&g_new, &x_new));
                        !r.is_finite() || (s.safeguard && r > res)
                    }
                    Err(_) => true,
                };
                if bad {
                    accept_aa = false;
                    restarts += 1;
                    df.clear();
                    dg.clear();
                    x_new = damped(&x, &f, beta);
                    ok = self.map.apply(&x_new, &mut g_new);
                    evaluations += 1;
                }
            }
            ok?;
            check_finite_vec(&g_new, "fixed_point: map output g(x)")?;
            let f_new = sub(&g_new, &x_new);
            if s.anderson_memory > 0 {
                df.push_back(sub(&f_new, &f));
                dg.push_back(sub(&g_new, &g));
                if df.len() > s.anderson_memory {
                    df.pop_front();
                    dg.pop_front();
                }
            }
            x = x_new;
            g = g_new;
            f = f_new;
            res = norm_inf(&f);
            k += 1;
            history.push(res);
            last_aa = accept_aa;
        };
        Ok(FixedPointReport {
            x,
            iterations: k,
            evaluations,
            residual: res,
            residual_history: history,
            converged,
            anderson_restarts: restarts,
        })
    }

    fn eval(&mut self, x: &[f64], out: &mut [f64]) -> Result<()> {
        self.map.apply(x, out)?;
        check_finite_vec(out, "fixed_point: map output g(x)")
    }
}

/// Convenience: [`FixedPointSolver::solve`] without an observer.
pub fn fixed_point<M: FixedPointMap>(
    map: M,
    x0: &[f64],
    settings: &FixedPointSettings,
) -> Result<FixedPointReport> {
    FixedPointSolver::new(map, *settings).solve(x0)
}

fn check_finite_vec(v: &[f64], context: &'static str) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(CoreError::NonFinite {
            context,
            index,
            value: v[index],
        }),
        None => Ok(()),
    }
}

fn sub(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(
        0.0f64,
        |m, x| if x.is_nan() { f64::NAN } else { m.max(x.abs()) },
    )
}

fn damped(x: &[f64], f: &[f64], beta: f64) -> Vec<f64> {
    x.iter().zip(f).map(|(xi, fi)| xi + beta * fi).collect()
}

/// The Anderson type-II step, or `None` if the least-squares problem is
/// degenerate (all differences zero) or produced non-finite coefficients.
fn anderson_step(
    x: &[f64],
    f: &[f64],
    df: &VecDeque<Vec<f64>>,
    dg: &VecDeque<Vec<f64>>,
    beta: f64,
    reg: f64,
) -> Option<Vec<f64>> {
    let n = x.len();
    let mk = df.len();
    let fro2: f64 = df.iter().flat_map(|c| c.iter()).map(|v| v * v).sum();
    if fro2 == 0.0 || !fro2.is_finite() {
        return None;
    }
    let tik = (reg * fro2).sqrt();
    let rows = n + mk;
    let a = Mat::from_fn(rows, mk, |i, j| {
        if i < n {
            df[j][i]
        } else if i - n == j {
            tik
        } else {
            0.0
        }
    });
    let mut rhs = Mat::from_fn(rows, 1, |i, _| if i < n { f[i] } else { 0.0 });
    a.qr().solve_lstsq_in_place(rhs.as_mut());
    let gamma: Vec<f64> = (0..mk).map(|j| rhs[(j, 0)]).collect();
    if gamma.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut out: Vec<f64> = x.iter().zip(f).map(|(xi, fi)| xi + beta * fi).collect();
    for (j, gj) in gamma.iter().enumerate() {
        for i in 0..n {
            out[i] -= (dg[j][i] - (1.0 - beta) * df[j][i]) * gj;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_validation() {
        assert!(FixedPointSettings::builder().damping(0.0).build().is_err());
        assert!(FixedPointSettings::builder().damping(1.5).build().is_err());
        assert!(FixedPointSettings::builder()
            .tolerance(-1.0)
            .build()
            .is_err());
        assert!(FixedPointSettings::builder().max_iter(0).build().is_err());
        assert!(FixedPointSettings::builder()
            .tolerance(0.0)
            .relative_tolerance(0.0)
            .build()
            .is_err());
        assert!(FixedPointSettings::builder()
            .anderson_memory(5)
            .build()
            .is_ok());
    }

    #[test]
    fn observer_mode_every() {
        let settings = FixedPointSettings::builder()
            .tolerance(1e-12)
            .build()
            .unwrap();
        let map = |x: &[f64], out: &mut [f64]| {
            out[0] = 0.5 * x[0] + 1.0;
            Ok(())
        };
        let mut solver = FixedPointSolver::new(map, settings)
            .with_observer(RecordingObserver::default(), ObserverMode::Every(5));
        let r = solver.solve(&[0.0]).unwrap();
        assert!((r.x[0] - 2.0).abs() < 1e-11);
        let obs = solver.observer();
        assert!(obs.residuals.iter().all(|(k, _)| k % 5 == 0));
        assert_eq!(obs.residuals.len(), r.iterations / 5 + 1);
        // Residuals halve each step.
        assert!((r.residual_history[1] / r.residual_history[0] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn map_error_propagates() {
        let map = |_: &[f64], _: &mut [f64]| Err(CoreError::invalid("x", 0, "test"));
        let e = fixed_point(map, &[1.0], &FixedPointSettings::default()).unwrap_err();
        assert!(matches!(e, CoreError::InvalidParameter { .. }));
        let nan_map = |_: &[f64], out: &mut [f64]| {
            out[0] = f64::NAN;
            Ok(())
        };
        let e = fixed_point(nan_map, &[1.0], &FixedPointSettings::default()).unwrap_err();
        assert!(matches!(e, CoreError::NonFinite { index: 0, .. }));
    }
}
