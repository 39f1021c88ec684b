//! Priors `P₀` of the GLM signal and their scalar Gaussian channel.
//!
//! The scalar channel is `y = √r·x₀ + z`, `x₀ ∼ P₀`, `z ∼ N(0, 1)`. For each prior this
//! module gives
//!
//! * `mmse(r) = E(x₀ − E[x₀|y])²`;
//! * the free entropy `ψ(r) = E_y ln ∫dP₀(x) e^{√r·y·x − r x²/2}`
//!   (Barbier et al. 2019, eq. (7)), whose derivative is `ψ'(r) = (ρ − mmse(r))/2`
//!   (`proofs/glm_state_evolution.md` §2, checked by `prior_free_entropy_derivative`).
//!
//! Closed forms: Gaussian `mmse = 1/(1 + r)`, `ψ = r/2 − ln(1 + r)/2`; Rademacher
//! `mmse = E[1 − tanh(r + √r z)]`, `ψ = E ln cosh(r + √r z) − r/2`; Gauss–Bernoulli
//! `(1 − ρ)δ₀ + ρN(0, 1)` through the posterior weight of the Gaussian component.

use super::gauss::gaussian_mean;
use crate::error::{Result, StatphysError};

/// Prior of the signal components (i.i.d.).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GlmPrior {
    /// `N(0, 1)`.
    Gaussian,
    /// `±1` with probability 1/2 each.
    Rademacher,
    /// `(1 − ρ)δ₀ + ρ·N(0, 1)`: a fraction `ρ ∈ (0, 1]` of non-zero Gaussian entries.
    GaussBernoulli {
        /// Density `ρ` of non-zero entries.
        rho: f64,
    },
}

impl GlmPrior {
    /// Checks the parameter (`ρ ∈ (0, 1]`).
    pub fn validate(&self) -> Result<()> {
        if let GlmPrior::GaussBernoulli { rho } = *self {
            if !(rho.is_finite() && rho > 0.0 && rho <= 1.0) {
                return Err(StatphysError::InvalidParameter {
                    name: "rho",
                    value: rho,
                    expected: "a density in (0, 1]",
                });
            }
        }
        Ok(())
    }

    /// Second moment `ρ = E x₀²` (the MMSE at `r = 0`; the mean is 0 for all three).
    pub fn second_moment(&self) -> f64 {
        match *self {
            GlmPrior::Gaussian | GlmPrior::Rademacher => 1.0,
            GlmPrior::GaussBernoulli { rho } => rho,
        }
    }

    /// Rényi information dimension `d(P₀)`: the weight of the absolutely continuous
    /// part (1, 0, `ρ`). A noiseless linear channel recovers the signal iff `α > d(P₀)`
    /// (Wu & Verdú 2012).
    pub fn information_dimension(&self) -> f64 {
        match *self {
            GlmPrior::Gaussian => 1.0,
            GlmPrior::Rademacher => 0.0,
            GlmPrior::GaussBernoulli { rho } => rho,
        }
    }

    /// Shannon entropy `H(P₀)` of a discrete prior (`ln 2` for Rademacher), `None`
    /// otherwise. It is the limit `ψ(r) − rρ/2 → −H(P₀)` as `r → ∞`.
    pub fn discrete_entropy(&self) -> Option<f64> {
        match self {
            GlmPrior::Rademacher => Some(std::f64::consts::LN_2),
            _ => None,
        }
    }

    /// `mmse(r)` of the scalar channel `y = √r·x₀ + z`, `r ≥ 0`.
    pub fn mmse(&self, r: f64) -> quadra_core::Result<f64> {
        if r == 0.0 {
            return Ok(self.second_moment());
        }
        if r.is_infinite() {
            return Ok(0.0);
        }
        match *self {
            GlmPrior::Gaussian => Ok(1.0 / (1.0 + r)),
            // x₀ = 1 by symmetry; 1 − tanh(a) = 2/(1 + e^{2a}) has no cancellation.
            GlmPrior::Rademacher => {
                let sr = r.sqrt();
                gaussian_mean(|z| 2.0 / (1.0 + (2.0 * (r + sr * z)).exp()))
            }
            GlmPrior::GaussBernoulli { rho } => {
                // mmse = E_y[π/(1+r) + π(1−π)·m²], m = √r·y/(1+r), π = P(x ≠ 0 | y):
                // a sum of non-negative terms (no cancellation at large r).
                let w = |y: f64| {
                    let pi = gb_weight(rho, r, y);
                    let m = r.sqrt() * y / (1.0 + r);
                    pi / (1.0 + r) + pi * (1.0 - pi) * m * m
                };
                gb_marginal_mean(rho, r, w)
            }
        }
    }

    /// Free entropy `ψ(r)` of the scalar channel (see the module docs).
    pub fn free_entropy(&self, r: f64) -> quadra_core::Result<f64> {
        if r == 0.0 {
            return Ok(0.0);
        }
        match *self {
            GlmPrior::Gaussian => Ok(0.5 * r - 0.5 * r.ln_1p()),
            GlmPrior::Rademacher => {
                let sr = r.sqrt();
                let m = gaussian_mean(|z| ln_cosh(r + sr * z))?;
                Ok(m - 0.5 * r)
            }
            GlmPrior::GaussBernoulli { rho } => {
                // ln Z(y) = ln[(1−ρ) + ρ(1+r)^{-1/2} e^{r y²/(2(1+r))}], as a log-sum-exp.
                let w = |y: f64| {
                    let a = (1.0 - rho).ln();
                    let b = rho.ln() - 0.5 * r.ln_1p() + r * y * y / (2.0 * (1.0 + r));
                    if rho == 1.0 {
                        b
                    } else {
                        let m = a.max(b);
                        m + ((a - m).exp() + (b - m).exp()).ln()
                    }
                };
                gb_marginal_mean(rho, r, w)
            }
        }
    }
}

impl GlmPrior {
    /// Posterior mean and variance of `x₀` given `y = √r·x₀ + z` (the AMP denoiser).
    pub fn posterior(&self, r: f64, y: f64) -> (f64, f64) {
        match *self {
            GlmPrior::Gaussian => (r.sqrt() * y / (1.0 + r), 1.0 / (1.0 + r)),
            GlmPrior::Rademacher => {
                let m = (r.sqrt() * y).tanh();
                (m, 1.0 - m * m)
            }
            GlmPrior::GaussBernoulli { rho } => {
                let pi = gb_weight(rho, r, y);
                let m = r.sqrt() * y / (1.0 + r);
                let mean = pi * m;
                // Var = π/(1+r) + π(1−π)m² (no cancellation).
                (mean, pi / (1.0 + r) + pi * (1.0 - pi) * m * m)
            }
        }
    }

    /// A draw from the prior, from two standard normals `z1, z2` (sign of `z1` for
    /// Rademacher; `Φ(z1) < ρ` selects the Gaussian part `z2` for Gauss–Bernoulli).
    pub fn sample_from_normals(&self, z1: f64, z2: f64) -> f64 {
        match *self {
            GlmPrior::Gaussian => z1,
            GlmPrior::Rademacher => {
                if z1 >= 0.0 {
                    1.0
                } else {
                    -1.0
                }
            }
            GlmPrior::GaussBernoulli { rho } => {
                if super::gauss::ncdf(z1) < rho {
                    z2
                } else {
                    0.0
                }
            }
        }
    }
}

/// `ln cosh a = |a| + ln(1 + e^{−2|a|}) − ln 2`, without overflow.
fn ln_cosh(a: f64) -> f64 {
    let b = a.abs();
    b + (-2.0 * b).exp().ln_1p() - std::f64::consts::LN_2
}

/// Posterior probability that `x₀ ≠ 0` given `y` (Gauss–Bernoulli):
/// `ρN(y; 0, 1+r) / [(1−ρ)N(y; 0, 1) + ρN(y; 0, 1+r)]`.
fn gb_weight(rho: f64, r: f64, y: f64) -> f64 {
    if rho == 1.0 {
        return 1.0;
    }
    // log-odds of the Gaussian component against the atom.
    let log_odds = rho.ln() - (1.0 - rho).ln() - 0.5 * r.ln_1p() + r * y * y / (2.0 * (1.0 + r));
    1.0 / (1.0 + (-log_odds).exp())
}

/// `E_y h(y)` under the marginal of `y = √r·x₀ + z`: `(1−ρ)N(0, 1) + ρN(0, 1+r)`.
fn gb_marginal_mean(rho: f64, r: f64, mut h: impl FnMut(f64) -> f64) -> quadra_core::Result<f64> {
    let s = (1.0 + r).sqrt();
    let spike = gaussian_mean(|z| h(s * z))?;
    if rho == 1.0 {
        return Ok(spike);
    }
    let atom = gaussian_mean(&mut h)?;
    Ok((1.0 - rho) * atom + rho * spike)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIORS: [GlmPrior; 4] = [
        GlmPrior::Gaussian,
        GlmPrior::Rademacher,
        GlmPrior::GaussBernoulli { rho: 0.3 },
        GlmPrior::GaussBernoulli { rho: 1.0 },
    ];

    /// `ψ'(r) = (ρ − mmse(r))/2` by central differences (step 1e-4: truncation
    /// ~1e-8·ψ''', rounding ~1e-16/1e-4 = 1e-12 times the integrand scale).
    #[test]
    fn prior_free_entropy_derivative() {
        for p in PRIORS {
            for r in [0.05, 0.7, 3.0, 20.0] {
                let h = 1e-4;
                let d =
                    (p.free_entropy(r + h).unwrap() - p.free_entropy(r - h).unwrap()) / (2.0 * h);
                let expect = 0.5 * (p.second_moment() - p.mmse(r).unwrap());
                assert!((d - expect).abs() < 1e-7, "{p:?} r={r}: {d} vs {expect}");
            }
        }
    }

    #[test]
    fn limits() {
        for p in PRIORS {
            assert_eq!(p.mmse(0.0).unwrap(), p.second_moment());
            // Small r: mmse = ρ − r·E[x⁴]... at first order mmse ≈ ρ − r·ρ² (zero mean).
            let r = 1e-4;
            let rho = p.second_moment();
            assert!(
                (p.mmse(r).unwrap() - (rho - r * rho * rho)).abs() < 1e-6,
                "{p:?}"
            );
            // Decreasing in r.
            assert!(p.mmse(2.0).unwrap() < p.mmse(1.0).unwrap());
        }
        // Gauss–Bernoulli with ρ = 1 is the Gaussian prior.
        let gb1 = GlmPrior::GaussBernoulli { rho: 1.0 };
        for r in [0.3, 5.0] {
            assert!((gb1.mmse(r).unwrap() - 1.0 / (1.0 + r)).abs() < 1e-12);
            assert!(
                (gb1.free_entropy(r).unwrap() - GlmPrior::Gaussian.free_entropy(r).unwrap()).abs()
                    < 1e-11
            );
        }
        // Large r: Gauss–Bernoulli mmse → ρ/r (only the Gaussian part is uncertain);
        // Rademacher ψ(r) − r/2 → −ln 2.
        let gb = GlmPrior::GaussBernoulli { rho: 0.3 };
        // (corrections are O((ln r)^{3/2}/√r): 1% at r = 1e8).
        let r = 1e8;
        assert!((gb.mmse(r).unwrap() * r / 0.3 - 1.0).abs() < 1e-2);
        let rad = GlmPrior::Rademacher;
        assert!((rad.free_entropy(200.0).unwrap() - 100.0 + std::f64::consts::LN_2).abs() < 1e-9);
        assert!(GlmPrior::GaussBernoulli { rho: 0.0 }.validate().is_err());
        assert!(GlmPrior::GaussBernoulli { rho: f64::NAN }
            .validate()
            .is_err());
    }
}
