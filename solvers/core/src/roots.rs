//! Bracketing root finding: Brent's method.
//!
//! R. P. Brent, *Algorithms for Minimization without Derivatives*,
//! Prentice-Hall 1973, ch. 4 (`zero`; netlib `zeroin.f`). Given `f(a)` and
//! `f(b)` of opposite signs, each step keeps a bracket `[b, c]` with
//! `f(b)f(c) ≤ 0` and `|f(b)| ≤ |f(c)|`, tries inverse quadratic
//! interpolation (or the secant step when only two points are distinct),
//! and falls back to bisection whenever the interpolated step is not safely
//! inside the bracket or did not shrink it fast enough. Convergence is
//! guaranteed for continuous `f`: the bracket at least halves every two
//! steps at worst, and is superlinear near a simple root.
//!
//! Termination: `|c − b|/2 ≤ tol`, `tol = (abs_tol + rel_tol·|b|)/2`, or
//! `f(b) = 0`. The returned bracket contains a sign change of `f`.

use crate::error::{CoreError, Result};

/// Settings of [`brent`].
///
/// | Name | Default | Meaning | Range |
/// |---|---|---|---|
/// | `abs_tol` | `2e-12` | absolute bracket width target (as SciPy's `brentq`) | `≥ 0` |
/// | `rel_tol` | `4ε` | relative width target; below `4ε` the bracket cannot shrink reliably | `≥ 4ε` |
/// | `max_iter` | `200` | function evaluations after the first two | `≥ 1` |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrentSettings {
    abs_tol: f64,
    rel_tol: f64,
    max_iter: usize,
}

impl Default for BrentSettings {
    fn default() -> Self {
        BrentSettings {
            abs_tol: 2e-12,
            rel_tol: 4.0 * f64::EPSILON,
            max_iter: 200,
        }
    }
}

impl BrentSettings {
    /// Builder from the defaults.
    pub fn builder() -> BrentSettingsBuilder {
        BrentSettingsBuilder {
            inner: BrentSettings::default(),
        }
    }

    /// Absolute tolerance.
    pub fn abs_tol(&self) -> f64 {
        self.abs_tol
    }

    /// Relative tolerance.
    pub fn rel_tol(&self) -> f64 {
        self.rel_tol
    }

    /// Iteration limit.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }
}

/// Builder for [`BrentSettings`].
#[derive(Debug, Clone, Copy)]
pub struct BrentSettingsBuilder {
    inner: BrentSettings,
}

impl BrentSettingsBuilder {
    /// Absolute tolerance.
    pub fn abs_tol(mut self, v: f64) -> Self {
        self.inner.abs_tol = v;
        self
    }

    /// Relative tolerance.
    pub fn rel_tol(mut self, v: f64) -> Self {
        self.inner.rel_tol = v;
        self
    }

    /// Iteration limit.
    pub fn max_iter(mut self, v: usize) -> Self {
        self.inner.max_iter = v;
        self
    }

    /// Validated settings.
    pub fn build(self) -> Result<BrentSettings> {
        let s = self.inner;
        if s.abs_tol.is_nan() || s.abs_tol < 0.0 || s.abs_tol.is_infinite() {
            return Err(CoreError::invalid(
                "abs_tol",
                s.abs_tol,
                "a finite number ≥ 0",
            ));
        }
        if s.rel_tol.is_nan() || s.rel_tol < 4.0 * f64::EPSILON || s.rel_tol.is_infinite() {
            return Err(CoreError::invalid(
                "rel_tol",
                s.rel_tol,
                "a finite number ≥ 4ε",
            ));
        }
        if s.max_iter == 0 {
            return Err(CoreError::invalid("max_iter", 0, "at least 1"));
        }
        Ok(s)
    }
}

/// A root found by [`brent`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Root {
    /// The root estimate (the bracket end with the smaller `|f|`).
    pub x: f64,
    /// `f(x)`.
    pub f_x: f64,
    /// Evaluations after the two endpoint evaluations.
    pub iterations: usize,
    /// Final bracket `(lo, hi)` containing a sign change of `f` (or `x`
    /// twice when `f(x) = 0` exactly).
    pub bracket: (f64, f64),
}

/// Brent's method on `[a, b]`.
///
/// Errors: [`CoreError::NoBracket`] (same strict sign at both ends, with the
/// values), [`CoreError::NonFinite`] (a non-finite limit or function value),
/// [`CoreError::MaxIterations`] with the final bracket half-width as
/// residual.
pub fn brent(
    mut f: impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    settings: &BrentSettings,
) -> Result<Root> {
    let nf = |context: &'static str, v: f64| CoreError::NonFinite {
        context,
        index: 0,
        value: v,
    };
    if !a.is_finite() {
        return Err(nf("brent: a", a));
    }
    if !b.is_finite() {
        return Err(nf("brent: b", b));
    }
    let (mut a, mut b) = (a, b);
    let mut fa = f(a);
    if !fa.is_finite() {
        return Err(nf("brent: f(a)", fa));
    }
    let mut fb = f(b);
    if !fb.is_finite() {
        return Err(nf("brent: f(b)", fb));
    }
    if fa == 0.0 {
        return Ok(Root {
            x: a,
            f_x: fa,
            iterations: 0,
            bracket: (a, a),
        });
    }
    if fb == 0.0 {
        return Ok(Root {
            x: b,
            f_x: fb,
            iterations: 0,
            bracket: (b, b),
        });
    }
    if fa.signum() == fb.signum() {
        return Err(CoreError::NoBracket { a, b, fa, fb });
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    let mut iterations = 0;
    loop {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 0.5 * (settings.abs_tol + settings.rel_tol * b.abs());
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol || fb == 0.0 {
            let bracket = if fb == 0.0 {
                (b, b)
            } else {
                (b.min(c), b.max(c))
            };
            return Ok(Root {
                x: b,
                f_x: fb,
                iterations,
                bracket,
            });
        }
        if iterations >= settings.max_iter {
            return Err(CoreError::MaxIterations {
                context: "brent",
                iterations,
                residual: xm.abs(),
            });
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                // Secant step.
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                // Inverse quadratic interpolation.
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * xm * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(xm) };
        fb = f(b);
        iterations += 1;
        if !fb.is_finite() {
            return Err(nf("brent: f(x) during iteration", fb));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqrt_two() {
        let r = brent(|x| x * x - 2.0, 0.0, 2.0, &BrentSettings::default()).unwrap();
        assert!((r.x - 2f64.sqrt()).abs() <= 2e-12, "{r:?}");
        assert!(r.bracket.0 <= 2f64.sqrt() && 2f64.sqrt() <= r.bracket.1);
    }

    #[test]
    fn settings_validation() {
        assert!(BrentSettings::builder().rel_tol(0.0).build().is_err());
        assert!(BrentSettings::builder().abs_tol(f64::NAN).build().is_err());
        assert!(BrentSettings::builder().max_iter(0).build().is_err());
    }
}
