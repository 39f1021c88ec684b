//! Simulated series for tests, calibration and examples.

use crate::data::Series;
use crate::error::{Result, StatTestError};
use quadra_core::rng::standard_normal;
use rand::Rng;

/// `d` independent stationary AR(1) coordinates with unit marginal variance:
/// `x_t = φ x_{t−1} + √(1 − φ²) ε_t`, `x_1 ~ N(0, 1)`, plus `shift` added to every entry.
pub fn ar1_series<R: Rng + ?Sized>(
    n: usize,
    d: usize,
    phi: f64,
    shift: f64,
    rng: &mut R,
) -> Result<Series> {
    if !(phi.is_finite() && phi.abs() < 1.0) {
        return Err(StatTestError::invalid("phi", phi, "a number in (−1, 1)"));
    }
    let b = (1.0 - phi * phi).sqrt();
    let mut data = vec![0.0; n * d];
    for c in 0..d {
        let mut x = standard_normal(rng);
        for t in 0..n {
            if t > 0 {
                x = phi * x + b * standard_normal(rng);
            }
            data[t * d + c] = x + shift;
        }
    }
    Series::from_rows(n, d, data)
}
