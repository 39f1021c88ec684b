//! The Bayes-optimal fixed point (replica-symmetric / state evolution).
//!
//! With `n = αd²` samples and label noise `Δ`, the effective denoising noise `t`
//! solves `mmse_den(t) = 2αt − Δ/2`; then `MMSE = mmse_den(t)`, `q̂ = 1/t`, the
//! test error is `2·MMSE + Δ` and the overlap (Nishimori: `E⟨Ŝ,S*⟩ = E‖Ŝ‖²`,
//! centred and per `d²`) is `1 − MMSE`. For `Δ = 0` the non-trivial root of
//! `mmse_den(t)/t = 2α` is taken and `MMSE = 2αt`; it exists iff `α < α_PR` with
//! `α_PR(κ) = κ − κ²/2` (κ ≤ 1), `1/2` (κ ≥ 1) (perfect recovery beyond).
//!
//! `mmse_den` is increasing and concave in `t` (it is the MMSE of a Gaussian
//! channel at SNR `1/t`), so `f(t) = mmse_den(t) − 2αt + Δ/2` is concave with
//! `f(0⁺) = Δ/2 > 0` and `f → −∞`: the root is unique; Brent's method in `log t`
//! on a bracket `[t_lo, (2 + Δ)/(4α)]` finds it.

use crate::error::{check_nonnegative, check_positive, Result, StatphysError};
use crate::freeconv::FreeConvolution;
use quadra_core::roots::{brent, BrentSettings};
use serde::Serialize;

/// Relative tolerance on `log t` for Brent (MMSE to ~1e-12, well under the
/// 1e-5 of the published points).
const LOG_T_TOL: f64 = 1e-13;

/// Smallest `t` tried when bracketing from below; `MMSE ≤ 2α·t` there, so a
/// root below it changes the MMSE by less than `1e-10`.
const T_MIN: f64 = 1e-10;

/// One point of the Bayes-optimal curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BayesPoint {
    /// Samples per `d²`.
    pub alpha: f64,
    /// Width ratio `m/d`.
    pub kappa: f64,
    /// Label-noise variance.
    pub delta: f64,
    /// Minimum mean-squared error on `S*` per `d²` (1 at `α = 0`).
    pub mmse: f64,
    /// Bayes-optimal test error `2·MMSE + Δ`.
    pub test_error: f64,
    /// Effective signal-to-noise `q̂ = 1/t` (`None` = ∞ at perfect recovery).
    pub q_hat: Option<f64>,
    /// Centred overlap `1 − MMSE`.
    pub overlap: f64,
    /// Effective denoising noise `t` (0 at perfect recovery).
    pub t: f64,
    /// `|mmse_den(t) − 2αt + Δ/2|` at the returned `t` (Δ = 0: `|mmse_den(t)/t − 2α|`).
    pub residual: f64,
    /// Brent iterations spent (0 when no root was needed).
    pub iterations: usize,
}

/// Perfect-recovery threshold at `Δ = 0`: `κ − κ²/2` for `κ ≤ 1`, else `1/2`.
pub fn alpha_pr(kappa: f64) -> Result<f64> {
    check_positive("kappa", kappa)?;
    Ok(if kappa <= 1.0 {
        kappa - kappa * kappa / 2.0
    } else {
        0.5
    })
}

fn check_inputs(alpha: f64, kappa: f64, delta: f64) -> Result<()> {
    check_positive("alpha", alpha)?;
    check_positive("kappa", kappa)?;
    check_nonnegative("delta", delta)
}

fn md(kappa: f64, t: f64) -> Result<f64> {
    Ok(FreeConvolution::new(kappa, t)?.mmse_den())
}

fn point(
    alpha: f64,
    kappa: f64,
    delta: f64,
    mmse: f64,
    t: f64,
    residual: f64,
    it: usize,
) -> BayesPoint {
    BayesPoint {
        alpha,
        kappa,
        delta,
        mmse,
        test_error: 2.0 * mmse + delta,
        q_hat: (t > 0.0).then(|| 1.0 / t),
        overlap: 1.0 - mmse,
        t,
        residual,
        iterations: it,
    }
}

/// The Bayes-optimal point at `(α, κ, Δ)`, `α > 0`, `κ > 0`, `Δ ≥ 0`.
pub fn bayes_optimal(alpha: f64, kappa: f64, delta: f64) -> Result<BayesPoint> {
    check_inputs(alpha, kappa, delta)?;
    let settings = BrentSettings::builder()
        .abs_tol(LOG_T_TOL)
        .rel_tol(LOG_T_TOL)
        .max_iter(200)
        .build()?;
    // Evaluation errors inside the closure are carried out through `err`.
    let err: std::cell::RefCell<Option<StatphysError>> = std::cell::RefCell::new(None);
    if delta == 0.0 {
        if alpha >= alpha_pr(kappa)? {
            return Ok(point(alpha, kappa, delta, 0.0, 0.0, 0.0, 0));
        }
        let mut h = |u: f64| -> f64 {
            let t = u.exp();
            match md(kappa, t) {
                Ok(m) => m / t - 2.0 * alpha,
                Err(e) => {
                    err.borrow_mut().get_or_insert(e);
                    f64::NAN
                }
            }
        };
        let hi = (1.0 / (2.0 * alpha)).ln();
        let mut lo = hi - 1.0;
        while h(lo) <= 0.0 {
            lo -= 2.0;
            if lo < T_MIN.ln() {
                break;
            }
        }
        if let Some(e) = err.borrow_mut().take() {
            return Err(e);
        }
        if lo < T_MIN.ln() {
            // α is within numerical reach of α_PR: MMSE ≤ 2α·T_MIN.
            return Ok(point(alpha, kappa, delta, 0.0, 0.0, 0.0, 0));
        }
        let root = brent(&mut h, lo, hi, &settings)?;
        if let Some(e) = err.borrow_mut().take() {
            return Err(e);
        }
        let t = root.x.exp();
        let m = 2.0 * alpha * t;
        return Ok(point(
            alpha,
            kappa,
            delta,
            m,
            t,
            root.f_x.abs(),
            root.iterations,
        ));
    }
    let mut f = |u: f64| -> f64 {
        let t = u.exp();
        match md(kappa, t) {
            Ok(m) => m - 2.0 * alpha * t + delta / 2.0,
            Err(e) => {
                err.borrow_mut().get_or_insert(e);
                f64::NAN
            }
        }
    };
    let hi = ((2.0 + delta) / (4.0 * alpha)).ln();
    let mut lo = (delta / (4.0 * alpha)).ln().min(hi - 1.0);
    let mut guard = 0;
    while f(lo) <= 0.0 && guard < 60 {
        lo -= 2.0;
        guard += 1;
    }
    if let Some(e) = err.borrow_mut().take() {
        return Err(e);
    }
    let root = brent(&mut f, lo, hi, &settings)?;
    if let Some(e) = err.borrow_mut().take() {
        return Err(e);
    }
    let t = root.x.exp();
    let m = md(kappa, t)?;
    Ok(point(
        alpha,
        kappa,
        delta,
        m,
        t,
        root.f_x.abs(),
        root.iterations,
    ))
}

/// The curve over `alphas` (each point solved independently).
pub fn bayes_optimal_curve(alphas: &[f64], kappa: f64, delta: f64) -> Result<Vec<BayesPoint>> {
    alphas
        .iter()
        .map(|&a| bayes_optimal(a, kappa, delta))
        .collect()
}

/// A phase diagram: the Bayes-optimal point at every `(α, κ)` of `alphas × kappas`
/// (row-major in κ: entry `i·alphas.len() + j` is `(alphas[j], kappas[i])`), computed
/// in parallel with rayon (points are independent).
pub fn bayes_optimal_grid(alphas: &[f64], kappas: &[f64], delta: f64) -> Result<Vec<BayesPoint>> {
    use rayon::prelude::*;
    let cells: Vec<(f64, f64)> = kappas
        .iter()
        .flat_map(|&k| alphas.iter().map(move |&a| (a, k)))
        .collect();
    cells
        .par_iter()
        .map(|&(a, k)| bayes_optimal(a, k, delta))
        .collect()
}

/// This model's state evolution as a [`ReplicaProblem`](crate::replica::ReplicaProblem)
/// for the generic engine: order parameter `MMSE`, map
/// `m ↦ mmse_den((Δ + 2m)/(4α))` (the iteration of [`state_evolution`]), so it can be
/// run with damping, Anderson acceleration, observers and continuation in `α`. The fixed
/// point is unique (`mmse_den` is concave), so no free entropy is needed to select it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadraticNetworkSe {
    alpha: f64,
    kappa: f64,
    delta: f64,
}

impl QuadraticNetworkSe {
    /// Checked parameters (`α, κ > 0`, `Δ ≥ 0`).
    pub fn new(alpha: f64, kappa: f64, delta: f64) -> Result<Self> {
        check_inputs(alpha, kappa, delta)?;
        Ok(QuadraticNetworkSe {
            alpha,
            kappa,
            delta,
        })
    }
}

impl crate::replica::ReplicaProblem for QuadraticNetworkSe {
    fn dimension(&self) -> usize {
        1
    }
    fn update(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        let t = (self.delta + 2.0 * x[0].max(0.0)) / (4.0 * self.alpha);
        out[0] = if t <= T_MIN { 0.0 } else { md(self.kappa, t)? };
        Ok(())
    }
}

/// State evolution of GAMP-RIE: `t_{k+1} = (Δ + 2·mmse_den(t_k))/(4α)` from
/// `MMSE₀ = 1`; returns the MMSE after each of `iterations` steps (stops early
/// when the MMSE reaches 0 at `Δ = 0`).
pub fn state_evolution(alpha: f64, kappa: f64, delta: f64, iterations: usize) -> Result<Vec<f64>> {
    check_inputs(alpha, kappa, delta)?;
    let mut mmse = 1.0;
    let mut out = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = (delta + 2.0 * mmse) / (4.0 * alpha);
        if t <= T_MIN {
            mmse = 0.0;
            out.push(mmse);
            break;
        }
        mmse = md(kappa, t)?;
        out.push(mmse);
    }
    Ok(out)
}
