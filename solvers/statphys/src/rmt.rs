//! Closed forms of classical random-matrix laws.
//!
//! * Semicircle of variance `s²`: density `√(4s² − x²)/(2πs²)` on `[−2s, 2s]`,
//!   Cauchy transform `G(z) = (z − √(z−2s)√(z+2s))/(2s²)`, R-transform `R(g) = s²g`.
//! * Marchenko–Pastur with ratio `c` and mean 1 (the spectrum of `XXᵀ/p`,
//!   `X ∈ ℝ^{n×p}`, `c = n/p`): edges `(1 ± √c)²`, density
//!   `√((b − x)(x − a))/(2πcx)`, an atom `1 − 1/c` at 0 when `c > 1`,
//!   `G(z) = (z − 1 + c − √(z−a)√(z−b))/(2cz)`, `R(g) = 1/(1 − cg)`.
//! * BBP transitions (Baik–Ben Arous–Péché 2005; Péché 2006): the top eigenvalue of
//!   `θvvᵀ + σW` (W a GOE with semicircle on `[−2, 2]`) tends to `θ + σ²/θ` if
//!   `θ > σ`, else `2σ`; that of a sample covariance with ratio `γ` and one
//!   population spike `ℓ` tends to `ℓ(1 + γ/(ℓ − 1))` if `ℓ > 1 + √γ`, else `(1 + √γ)²`.
//!
//! The product `√(z−a)√(z−b)` of principal square roots has its cut on `[a, b]` and
//! behaves like `z` at infinity, which selects the physical branch everywhere.

use crate::error::{check_nonnegative, check_positive, Result};
use num_complex::Complex64 as C64;
use std::f64::consts::PI;

/// `√(z−a)·√(z−b)` with principal roots: analytic off `[a, b]`, `~ z` at infinity.
fn sqrt_pair(z: C64, a: f64, b: f64) -> C64 {
    (z - a).sqrt() * (z - b).sqrt()
}

/// Wigner semicircle law of variance `s²` (support `[−2s, 2s]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Semicircle {
    variance: f64,
}

impl Semicircle {
    /// Semicircle of variance `variance > 0`.
    pub fn new(variance: f64) -> Result<Self> {
        check_positive("variance", variance)?;
        Ok(Self { variance })
    }

    /// The variance `s²`.
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// Support edges `(−2s, 2s)`.
    pub fn edges(&self) -> (f64, f64) {
        let r = 2.0 * self.variance.sqrt();
        (-r, r)
    }

    /// Density at `x`.
    pub fn density(&self, x: f64) -> f64 {
        let s2 = self.variance;
        let v = 4.0 * s2 - x * x;
        if v <= 0.0 {
            0.0
        } else {
            v.sqrt() / (2.0 * PI * s2)
        }
    }

    /// Cauchy transform `G(z) = ∫ρ(x)/(z − x) dx` (physical branch off the support;
    /// on the support, the boundary value from above).
    pub fn cauchy(&self, z: C64) -> C64 {
        let (a, b) = self.edges();
        let z = if z.im == 0.0 && z.re > a && z.re < b {
            C64::new(z.re, 1e-300)
        } else {
            z
        };
        (z - sqrt_pair(z, a, b)) / (2.0 * self.variance)
    }

    /// R-transform `R(g) = s² g`.
    pub fn r_transform(&self, g: C64) -> C64 {
        g * self.variance
    }
}

/// Marchenko–Pastur law with ratio `c > 0` and mean 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarchenkoPastur {
    pub(crate) ratio: f64,
}

impl MarchenkoPastur {
    /// Marchenko–Pastur with ratio `ratio = n/p > 0`.
    pub fn new(ratio: f64) -> Result<Self> {
        check_positive("ratio", ratio)?;
        Ok(Self { ratio })
    }

    /// The ratio `c`.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// Edges `((1 − √c)², (1 + √c)²)` of the continuous part.
    pub fn edges(&self) -> (f64, f64) {
        let s = self.ratio.sqrt();
        ((1.0 - s).powi(2), (1.0 + s).powi(2))
    }

    /// Mass of the atom at 0: `max(0, 1 − 1/c)`.
    pub fn atom(&self) -> f64 {
        (1.0 - 1.0 / self.ratio).max(0.0)
    }

    /// Density of the continuous part at `x`.
    pub fn density(&self, x: f64) -> f64 {
        let (a, b) = self.edges();
        if x <= a || x >= b {
            0.0
        } else {
            ((b - x) * (x - a)).sqrt() / (2.0 * PI * self.ratio * x)
        }
    }

    /// Cauchy transform (atom included).
    pub fn cauchy(&self, z: C64) -> C64 {
        let c = self.ratio;
        let (a, b) = self.edges();
        let z = if z.im == 0.0 && z.re > a && z.re < b {
            C64::new(z.re, 1e-300)
        } else {
            z
        };
        (z - 1.0 + c - sqrt_pair(z, a, b)) / (2.0 * c * z)
    }

    /// R-transform `R(g) = 1/(1 − c g)`.
    pub fn r_transform(&self, g: C64) -> C64 {
        C64::new(1.0, 0.0) / (1.0 - g * self.ratio)
    }
}

/// Limit of the top eigenvalue of `θvvᵀ + σW` (`W` a GOE normalised to the
/// semicircle on `[−2, 2]`, `‖v‖ = 1`): `θ + σ²/θ` if `θ > σ`, else `2σ`.
pub fn spiked_wigner_top(theta: f64, sigma: f64) -> Result<f64> {
    check_nonnegative("theta", theta)?;
    check_positive("sigma", sigma)?;
    Ok(if theta > sigma {
        theta + sigma * sigma / theta
    } else {
        2.0 * sigma
    })
}

/// Limit of the top eigenvalue of the sample covariance `XXᵀ/p` of `p` samples in
/// dimension `n = γp` whose population covariance is `I + (ℓ − 1)e₁e₁ᵀ`:
/// `ℓ(1 + γ/(ℓ − 1))` if `ℓ > 1 + √γ`, else `(1 + √γ)²`.
pub fn spiked_covariance_top(ell: f64, gamma: f64) -> Result<f64> {
    check_positive("ell", ell)?;
    check_positive("gamma", gamma)?;
    let threshold = 1.0 + gamma.sqrt();
    Ok(if ell > threshold {
        ell * (1.0 + gamma / (ell - 1.0))
    } else {
        threshold * threshold
    })
}
