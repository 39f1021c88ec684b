//! Dormand–Prince 5(4) embedded Runge–Kutta integrator with error control.

use crate::error::{QuadratureError, Result};

/// Settings of [`DormandPrince`].
///
/// | Name | Default | Meaning | Range |
/// |---|---|---|---|
/// | `rtol` | 1e-8 | relative tolerance per step | > 0 |
/// | `atol` | 1e-8 | absolute tolerance per step | > 0 |
/// | `max_steps` | 100000 | steps per call of [`DormandPrince::advance`] | ≥ 1 |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OdeSettings {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Step limit per call.
    pub max_steps: usize,
}

impl Default for OdeSettings {
    fn default() -> Self {
        OdeSettings {
            rtol: 1e-8,
            atol: 1e-8,
            max_steps: 100_000,
        }
    }
}

const C: [f64; 7] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];
const A: [[f64; 6]; 7] = [
    [0.0; 6],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
        0.0,
    ],
    [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// 5th-order weights (the last row of `A`, FSAL).
const B: [f64; 7] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
    0.0,
];
/// 4th-order embedded weights.
const BS: [f64; 7] = [
    5179.0 / 57600.0,
    0.0,
    7571.0 / 16695.0,
    393.0 / 640.0,
    -92097.0 / 339200.0,
    187.0 / 2100.0,
    1.0 / 40.0,
];

/// Right-hand side `f(t, x, ẋ)` of an ODE, writing `ẋ`.
pub type OdeRhs<'a> = dyn FnMut(f64, &[f64], &mut [f64]) + 'a;

/// Dormand–Prince 5(4) stepper that remembers its step size between calls.
#[derive(Debug, Clone)]
pub struct DormandPrince {
    settings: OdeSettings,
    h: Option<f64>,
    /// Accepted steps over the stepper's life.
    pub steps: usize,
}

impl DormandPrince {
    /// New stepper.
    pub fn new(settings: OdeSettings) -> Result<Self> {
        if !(settings.rtol > 0.0 && settings.atol > 0.0 && settings.max_steps > 0) {
            return Err(QuadratureError::invalid(
                "ode settings",
                format!("{settings:?}"),
                "rtol > 0, atol > 0, max_steps >= 1",
            ));
        }
        Ok(DormandPrince {
            settings,
            h: None,
            steps: 0,
        })
    }

    /// Integrates `ẋ = f(t, x)` from `t0` to `t1 > t0` in place, landing exactly on `t1`.
    pub fn advance(&mut self, f: &mut OdeRhs<'_>, t0: f64, x: &mut [f64], t1: f64) -> Result<()> {
        let n = x.len();
        let mut k = vec![vec![0.0; n]; 7];
        let mut tmp = vec![0.0; n];
        let mut xnew = vec![0.0; n];
        let mut t = t0;
        let span = t1 - t0;
        if span <= 0.0 {
            return Ok(());
        }
        let mut h = self.h.unwrap_or(span * 1e-2).min(span);
        for _ in 0..self.settings.max_steps {
            let last = t + h >= t1 || (t1 - t - h) < 1e-12 * span;
            if last {
                h = t1 - t;
            }
            f(t, x, &mut k[0]);
            for s in 1..7 {
                for i in 0..n {
                    let mut acc = x[i];
                    for (j, kj) in k.iter().enumerate().take(s) {
                        acc += h * A[s][j] * kj[i];
                    }
                    tmp[i] = acc;
                }
                let (done, rest) = k.split_at_mut(s);
                let _ = done;
                f(t + C[s] * h, &tmp, &mut rest[0]);
            }
            let mut err = 0.0;
            for i in 0..n {
                let mut hi = x[i];
                let mut lo = 0.0;
                for s in 0..7 {
                    hi += h * B[s] * k[s][i];
                    lo += h * (B[s] - BS[s]) * k[s][i];
                }
                xnew[i] = hi;
                let sc = self.settings.atol + self.settings.rtol * x[i].abs().max(hi.abs());
                err += (lo / sc) * (lo / sc);
            }
            let err = (err / n.max(1) as f64).sqrt();
            if !err.is_finite() {
                return Err(QuadratureError::OdeFailed {
                    t,
                    reason: "non-finite state or error estimate".into(),
                });
            }
            let factor = if err == 0.0 {
                5.0
            } else {
                (0.9 * err.powf(-0.2)).clamp(0.2, 5.0)
            };
            if err <= 1.0 {
                x.copy_from_slice(&xnew);
                t += h;
                self.steps += 1;
                if last {
                    return Ok(());
                }
                self.h = Some(h * factor);
                h = (h * factor).min(t1 - t);
            } else {
                h *= factor;
                if h < 1e-14 * span.max(t.abs()) {
                    return Err(QuadratureError::OdeFailed {
                        t,
                        reason: format!("step size {h:e} underflows"),
                    });
                }
            }
        }
        Err(QuadratureError::OdeFailed {
            t,
            reason: format!("more than {} steps", self.settings.max_steps),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmonic_oscillator_to_tolerance() {
        // x'' = −x: (cos t, −sin t) from (1, 0).
        let mut dp = DormandPrince::new(OdeSettings::default()).unwrap();
        let mut x = [1.0, 0.0];
        let mut f = |_t: f64, x: &[f64], d: &mut [f64]| {
            d[0] = x[1];
            d[1] = -x[0];
        };
        let mut t = 0.0;
        for i in 1..=100 {
            let t1 = 0.1 * i as f64;
            dp.advance(&mut f, t, &mut x, t1).unwrap();
            t = t1;
        }
        // Global error of a 1e-8 local tolerance over 10 time units.
        assert!((x[0] - 10f64.cos()).abs() < 1e-7, "{}", x[0]);
        assert!((x[1] + 10f64.sin()).abs() < 1e-7, "{}", x[1]);
    }

    #[test]
    fn fifth_order_on_a_polynomial_is_exact() {
        // ẋ = 5t⁴ → x = t⁵, integrated exactly by a 5th-order method.
        let mut dp = DormandPrince::new(OdeSettings::default()).unwrap();
        let mut x = [0.0];
        dp.advance(&mut |t, _x, d| d[0] = 5.0 * t.powi(4), 0.0, &mut x, 2.0)
            .unwrap();
        assert!((x[0] - 32.0).abs() < 1e-12);
    }
}
