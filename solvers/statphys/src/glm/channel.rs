//! Output channels `P_out(y | z)` of the GLM `y_μ = φ_out(F_μ·x)` and their
//! Bayes-optimal scalar quantities.
//!
//! With prior second moment `ρ`, overlap `q ∈ [0, ρ]` and `V = ρ − q`, the new-sample
//! pre-activation is `z = ω + √V·w` with `ω = √q·ξ`, `ξ, w ∼ N(0, 1)`. Let
//! `Z_out(y; ω, V) = E_w P_out(y | ω + √V w)` and `g_out = ∂_ω ln Z_out`. This module
//! gives (Barbier et al. 2019, eqs. (7)–(9))
//!
//! * `Ψ_out(q) = E_{ξ,y} ln Z_out(y; √q ξ, V)`;
//! * `ĝ(q) = E_{ξ,y} g_out²`, so that the conjugate parameter is `r = α·ĝ(q)`
//!   and `∂_q Ψ_out = ĝ/2` (`proofs/glm_state_evolution.md` §3, checked by
//!   `channel_free_entropy_derivative`);
//! * the Bayes-optimal generalisation error on a fresh sample.
//!
//! With `u = ω/√V = kξ`, `k = √(q/V)`:
//!
//! | channel | `ĝ(q)` | `Ψ_out(q)` | error |
//! |---|---|---|---|
//! | Gaussian `y = z + √Δ ζ` | `1/(Δ + V)` | `−ln(2π(Δ + V))/2 − 1/2` | `Δ + V` (squared) |
//! | sign `y = sgn z` | `(2/V)·E φ(u)λ(−u)` | `2E Φ(u) ln Φ(u)` | `arccos(√(q/ρ))/π` (0–1 loss) |
//! | ReLU `y = max(0, z)` | `(1/V)·E[φ(u)λ(u) + Φ(u) − uφ(u)]` | `E[Φ(−u)lnΦ(−u) − Φ(u)ln(2πV)/2 − (Φ(u) − uφ(u))/2]` | `ρ/2 − V·E(uΦ(u) + φ(u))²` (squared) |
//!
//! where `λ(u) = φ(u)/Φ(−u)` is the inverse Mills ratio. The sign and ReLU channels,
//! and the Gaussian one at `Δ = 0`, are noiseless: `q = ρ` (perfect recovery) can be a
//! fixed point of the state evolution.

use super::gauss::{inv_mills, ln_ncdf, ncdf, npdf, scaled_mean};
use crate::error::{check_nonnegative, Result};
use std::f64::consts::PI;

/// Output channel of the GLM.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GlmChannel {
    /// `y = z + √Δ·ζ`, `ζ ∼ N(0, 1)`, `Δ ≥ 0` (linear regression / compressed sensing).
    Gaussian {
        /// Noise variance `Δ`.
        delta: f64,
    },
    /// `y = sgn(z)` (the perceptron).
    Sign,
    /// `y = max(0, z)`, noiseless.
    Relu,
}

impl GlmChannel {
    /// Checks the parameter (`Δ ≥ 0`, finite).
    pub fn validate(&self) -> Result<()> {
        if let GlmChannel::Gaussian { delta } = *self {
            check_nonnegative("delta", delta)?;
        }
        Ok(())
    }

    /// Whether `y` is a deterministic function of `z`.
    pub fn is_noiseless(&self) -> bool {
        match *self {
            GlmChannel::Gaussian { delta } => delta == 0.0,
            GlmChannel::Sign | GlmChannel::Relu => true,
        }
    }

    /// Coefficient `c` of `ln(1/V)` in `Ψ_out` as `V → 0` for a noiseless channel with a
    /// continuous output (½ Gaussian: every `y` is a density; ¼ ReLU: half of them);
    /// 0 for the sign channel, whose `Ψ_out → 0`.
    pub fn output_dimension_weight(&self) -> f64 {
        match *self {
            GlmChannel::Gaussian { .. } => 0.5,
            GlmChannel::Relu => 0.25,
            GlmChannel::Sign => 0.0,
        }
    }

    /// `ĝ(q) = E g_out²` at overlap `q` and prior second moment `rho` (`0 ≤ q < ρ`,
    /// or `q = ρ` when `Δ > 0`).
    pub fn g_out_sq(&self, q: f64, rho: f64) -> quadra_core::Result<f64> {
        let v = rho - q;
        match *self {
            GlmChannel::Gaussian { delta } => Ok(1.0 / (delta + v)),
            GlmChannel::Sign => {
                let k = (q / v).sqrt();
                Ok(2.0 / v * scaled_mean(k, |u| npdf(u) * inv_mills(-u))?)
            }
            GlmChannel::Relu => {
                let k = (q / v).sqrt();
                let m = scaled_mean(k, |u| npdf(u) * inv_mills(u) + ncdf(u) - u * npdf(u))?;
                Ok(m / v)
            }
        }
    }

    /// `Ψ_out(q)`; at `q = ρ` for the sign channel its limit 0.
    pub fn free_entropy(&self, q: f64, rho: f64) -> quadra_core::Result<f64> {
        let v = rho - q;
        match *self {
            GlmChannel::Gaussian { delta } => Ok(-0.5 * (2.0 * PI * (delta + v)).ln() - 0.5),
            GlmChannel::Sign => {
                if v <= 0.0 {
                    return Ok(0.0);
                }
                let k = (q / v).sqrt();
                Ok(2.0 * scaled_mean(k, |u| ncdf(u) * ln_ncdf(u))?)
            }
            GlmChannel::Relu => {
                let k = (q / v).sqrt();
                let lv = (2.0 * PI * v).ln();
                scaled_mean(k, |u| {
                    let pu = ncdf(u);
                    ncdf(-u) * ln_ncdf(-u) - 0.5 * pu * lv - 0.5 * (pu - u * npdf(u))
                })
            }
        }
    }

    /// Bayes-optimal generalisation error at overlap `q`: squared error of the
    /// posterior-mean prediction (Gaussian, ReLU; the Gaussian one includes the label
    /// noise `Δ`), misclassification probability (sign).
    pub fn generalization_error(&self, q: f64, rho: f64) -> quadra_core::Result<f64> {
        let v = (rho - q).max(0.0);
        match *self {
            GlmChannel::Gaussian { delta } => Ok(delta + v),
            GlmChannel::Sign => Ok((q / rho).clamp(0.0, 1.0).sqrt().acos() / PI),
            GlmChannel::Relu => {
                if v == 0.0 {
                    return Ok(0.0);
                }
                let k = (q / v).sqrt();
                let m = scaled_mean(k, |u| (u * ncdf(u) + npdf(u)).powi(2))?;
                Ok((0.5 * rho - v * m).max(0.0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNELS: [GlmChannel; 4] = [
        GlmChannel::Gaussian { delta: 0.3 },
        GlmChannel::Gaussian { delta: 0.0 },
        GlmChannel::Sign,
        GlmChannel::Relu,
    ];

    /// `∂_q Ψ_out = ĝ/2` by central differences.
    #[test]
    fn channel_free_entropy_derivative() {
        for c in CHANNELS {
            for rho in [1.0, 0.4] {
                for frac in [0.01, 0.3, 0.8, 0.99] {
                    let q = frac * rho;
                    let h = 1e-5 * rho;
                    let d = (c.free_entropy(q + h, rho).unwrap()
                        - c.free_entropy(q - h, rho).unwrap())
                        / (2.0 * h);
                    let expect = 0.5 * c.g_out_sq(q, rho).unwrap();
                    assert!(
                        (d - expect).abs() < 1e-6 * (1.0 + expect),
                        "{c:?} rho={rho} q={q}: {d} vs {expect}"
                    );
                }
            }
        }
    }

    #[test]
    fn closed_forms_at_zero_overlap() {
        // q = 0: sign gives ĝ = (2/ρ)φ(0)²/Φ(0) = 2/(πρ) and Ψ = −ln 2;
        // ReLU gives ĝ = (1/ρ)(2φ(0)² + 1/2) = (1/ρ)(1/π + 1/2).
        let rho = 0.7;
        let s = GlmChannel::Sign;
        assert!((s.g_out_sq(0.0, rho).unwrap() - 2.0 / (PI * rho)).abs() < 1e-12);
        assert!((s.free_entropy(0.0, rho).unwrap() + std::f64::consts::LN_2).abs() < 1e-12);
        assert!((s.generalization_error(0.0, rho).unwrap() - 0.5).abs() < 1e-15);
        let r = GlmChannel::Relu;
        assert!((r.g_out_sq(0.0, rho).unwrap() - (1.0 / PI + 0.5) / rho).abs() < 1e-12);
        // Var max(0, z) = ρ(1/2 − 1/(2π)).
        let e = r.generalization_error(0.0, rho).unwrap();
        assert!((e - rho * (0.5 - 0.5 / PI)).abs() < 1e-12);
        // Near q = ρ the sign error → 0 and Ψ_out → 0.
        assert!(s.free_entropy(rho * (1.0 - 1e-10), rho).unwrap().abs() < 1e-4);
        assert!(GlmChannel::Gaussian { delta: -1.0 }.validate().is_err());
    }
}
