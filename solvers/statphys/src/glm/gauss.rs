//! Standard normal density, distribution and Gaussian expectations, stable in the tails.
//!
//! `Φ(−u)` underflows for `u > 38`; every ratio the channels need is written with the
//! inverse Mills ratio `λ(u) = φ(u)/Φ(−u)`, evaluated by its continued fraction
//! `Φ(−u)/φ(u) = 1/(u + 1/(u + 2/(u + 3/(u + …))))` for `u ≥ 5`
//! (Abramowitz & Stegun 26.2.14), so no `0/0` reaches an integrand.

use quadra_core::quadrature::{integrate_adaptive, AdaptiveSettings};
use quadra_core::Result;
use std::f64::consts::{PI, SQRT_2};

/// Gaussian expectations integrate over `|ξ| ≤ Z_MAX`: the mass outside is
/// `2Φ(−12) ≈ 3.6e-33`, far below every tolerance used.
pub(crate) const Z_MAX: f64 = 12.0;

/// Absolute tolerance of the adaptive Gaussian expectations: order parameters are
/// solved to `1e-10`, so each expectation is computed two decades tighter.
const ABS_TOL: f64 = 1e-13;
/// Relative tolerance of the adaptive Gaussian expectations (`≈ 2^-36`).
const REL_TOL: f64 = 1e-11;

/// `φ(u) = e^{−u²/2}/√(2π)`.
pub(crate) fn npdf(u: f64) -> f64 {
    (-0.5 * u * u).exp() / (2.0 * PI).sqrt()
}

/// `Φ(u)`, accurate in both tails (via `erfc`).
pub(crate) fn ncdf(u: f64) -> f64 {
    0.5 * libm::erfc(-u / SQRT_2)
}

/// Inverse Mills ratio `λ(u) = φ(u)/Φ(−u)` (≈ `u` for large `u`, → 0 for `u → −∞`).
pub(crate) fn inv_mills(u: f64) -> f64 {
    if u < 5.0 {
        npdf(u) / ncdf(-u)
    } else {
        // Backward evaluation of the continued fraction; 60 levels give full
        // double precision for u ≥ 5.
        let mut t = u;
        for n in (1..=60).rev() {
            t = u + n as f64 / t;
        }
        t
    }
}

/// `ln Φ(u)`, finite for every finite `u`.
pub(crate) fn ln_ncdf(u: f64) -> f64 {
    if u > -5.0 {
        ncdf(u).ln()
    } else {
        // Φ(u) = φ(u)/λ(−u).
        -0.5 * u * u - 0.5 * (2.0 * PI).ln() - inv_mills(-u).ln()
    }
}

fn settings() -> Result<AdaptiveSettings> {
    AdaptiveSettings::builder()
        .abs_tol(ABS_TOL)
        .rel_tol(REL_TOL)
        .max_subdivisions(400)
        .build()
}

/// `E_{ξ∼N(0,1)} f(ξ)`.
pub(crate) fn gaussian_mean(mut f: impl FnMut(f64) -> f64) -> Result<f64> {
    let s = settings()?;
    Ok(integrate_adaptive(|x| npdf(x) * f(x), -Z_MAX, Z_MAX, &s)?.value)
}

/// `E_{ξ∼N(0,1)} h(kξ)` for `k ≥ 0`, for integrands `h` whose features sit at `|s| ≲ 1`.
///
/// For `k ≤ 1` it integrates in `ξ`; for `k > 1` in `s = kξ` with the weight
/// `φ(s/k)/k`, split at `±Z_MAX` so that the adaptive rule sees the unit-scale
/// features of `h` and the wide Gaussian weight separately.
pub(crate) fn scaled_mean(k: f64, mut h: impl FnMut(f64) -> f64) -> Result<f64> {
    if k <= 1.0 {
        return gaussian_mean(|x| h(k * x));
    }
    let s = settings()?;
    let mut w = |x: f64| npdf(x / k) / k * h(x);
    let mid = integrate_adaptive(&mut w, -Z_MAX, Z_MAX, &s)?.value;
    let lo = integrate_adaptive(&mut w, -Z_MAX * k, -Z_MAX, &s)?.value;
    let hi = integrate_adaptive(&mut w, Z_MAX, Z_MAX * k, &s)?.value;
    Ok(lo + mid + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_are_consistent() {
        // λ(u) from the continued fraction matches φ/Φ(−u) where both are accurate.
        for u in [5.0, 6.0, 8.0] {
            let direct = npdf(u) / ncdf(-u);
            assert!((inv_mills(u) - direct).abs() < 1e-10 * direct, "{u}");
        }
        // ln Φ is continuous across the switch and right deep in the tail:
        // ln Φ(−40) = −800 − ln(40√(2π)) − ln(1 − 1/1600 + …).
        assert!((ln_ncdf(-5.0 + 1e-12) - ln_ncdf(-5.0 - 1e-12)).abs() < 1e-9);
        let expect = -800.0 - (40.0 * (2.0 * PI).sqrt()).ln() + (1.0 - 1.0 / 1600.0f64).ln();
        assert!((ln_ncdf(-40.0) - expect).abs() < 1e-5);
    }

    #[test]
    fn gaussian_moments() {
        assert!((gaussian_mean(|_| 1.0).unwrap() - 1.0).abs() < 1e-12);
        assert!((gaussian_mean(|x| x * x).unwrap() - 1.0).abs() < 1e-12);
        for k in [0.0, 0.3, 1.0, 7.0, 1e4] {
            // E (kξ)² = k², E Φ(kξ) = 1/2.
            let m2 = scaled_mean(k, |s| s * s).unwrap();
            assert!((m2 - k * k).abs() < 1e-10 * (1.0 + k * k), "{k}: {m2}");
            let half = scaled_mean(k, ncdf).unwrap();
            assert!((half - 0.5).abs() < 1e-11, "{k}: {half}");
        }
    }
}
