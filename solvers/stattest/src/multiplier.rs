//! The wild-bootstrap multiplier process.
//!
//! `W_t = e^{−1/l} W_{t−1} + √(1 − e^{−2/l}) ε_t`, `ε_t ~ N(0, 1)` iid, started in
//! stationarity (`W_1 ~ N(0, 1)`), so `Var W_t = 1` and `Corr(W_t, W_{t+k}) = e^{−k/l}`
//! (Chwialkowski, Sejdinovic & Gretton 2014, §3; Leucht & Neumann 2013).
//! The centred variant uses `W̃_t = W_t − W̄`.

use quadra_core::rng::standard_normal;
use rand::Rng;

/// Fills `out` with one multiplier path of block length `l > 0`.
pub fn ar_multiplier<R: Rng + ?Sized>(l: f64, rng: &mut R, out: &mut [f64]) {
    let a = (-1.0 / l).exp();
    let b = (1.0 - a * a).sqrt();
    let mut w = standard_normal(rng);
    for (t, o) in out.iter_mut().enumerate() {
        if t > 0 {
            w = a * w + b * standard_normal(rng);
        }
        *o = w;
    }
}

/// Subtracts the mean.
pub fn centre_in_place(v: &mut [f64]) {
    if v.is_empty() {
        return;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    v.iter_mut().for_each(|x| *x -= m);
}

/// Multiple of the data's correlation time used by the automatic block length.
///
/// With `l = τ = −1/ln ρ` the multiplier's weights `e^{−k/l}` halve the long-run variance of
/// an AR(1)-like feature process (`Σ(ρe^{−1/l})^k` vs `Σρ^k`), so the bootstrap is liberal;
/// `l = 4τ` keeps about 80 % of it while the centring loss (≈ 2l/n) stays small for
/// `n ≳ 100τ`. Measured levels are in docs/stattest.md (§ Validation); the comparison with
/// `l = τ`, `8τ` and `l = √(nρ/(1−ρ²))` (none better at φ = 0.8, n = 300/1000) in
/// docs/validation.md (`examples/stattest_block_study.rs`).
pub const AUTO_BLOCK_FACTOR: f64 = 4.0;

/// Automatic block length from a lag-1 autocorrelation `rho`: `l = 4τ`, `τ = −1/ln ρ`
/// (the time over which the data's correlation falls by `e`), clamped to `[1, max(1, n/8)]`
/// (the theory needs `l → ∞`, `l/n → 0`); `l = 1` for `ρ ≤ 0` or non-finite `ρ`.
pub fn block_from_autocorrelation(rho: f64, n: usize) -> f64 {
    let hi = (n as f64 / 8.0).max(1.0);
    if !(rho.is_finite() && rho > 0.0) {
        return 1.0;
    }
    // ρ → 1 gives τ → ∞; the upper clamp keeps l = o(n).
    let rho = rho.min(1.0 - 1e-12);
    (AUTO_BLOCK_FACTOR * (-1.0 / rho.ln())).clamp(1.0, hi)
}
