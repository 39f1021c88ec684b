//! One-dimensional quadrature: Gauss–Legendre rules and adaptive
//! Gauss–Kronrod integration.
//!
//! # Gauss–Legendre
//!
//! The `n`-point rule `∫_{−1}^{1} f ≈ Σ w_i f(x_i)` has the zeros of the
//! Legendre polynomial `P_n` as nodes and weights
//! `w_i = 2 / ((1 − x_i²) P_n′(x_i)²)`; it integrates every polynomial of
//! degree `≤ 2n − 1` exactly, and for `f = x^{2n}` its error is
//! `2^{2n+1}(n!)⁴ / ((2n+1)((2n)!)²)` (Abramowitz & Stegun 25.4.29 with
//! `f^{(2n)} = (2n)!`). Nodes are found by Newton's method on the three-term
//! recurrence `(k+1)P_{k+1} = (2k+1)xP_k − kP_{k−1}` from Tricomi's initial
//! guesses `cos(π(i + 3/4)/(n + 1/2))` (Numerical Recipes §4.6), which
//! converge quadratically and give nodes and weights to a few ulps for `n`
//! up to several hundred.
//!
//! # Adaptive Gauss–Kronrod
//!
//! [`integrate_adaptive`] is QUADPACK's `qag` strategy (Piessens, de
//! Doncker-Kapenga, Überhuber, Kahaner, *QUADPACK*, Springer 1983, §2.2.1):
//! the 15-point Kronrod extension of the 7-point Gauss rule on each
//! subinterval, the error estimate `resasc·min(1, (200|K₁₅ − G₇|/resasc)^{3/2})`,
//! and repeated bisection of the subinterval with the largest estimated
//! error until the total estimate is below `max(abs_tol, rel_tol·|I|)`.
//! Gauss–Kronrod nodes never include the endpoints, so integrable endpoint
//! singularities (`√x`, `log x`) are handled. Infinite limits are mapped to
//! finite ones: `x = a + t/(1 − t)` on `[a, ∞)`, `x = b − t/(1 − t)` on
//! `(−∞, b]`, `x = t/(1 − t²)` on `ℝ`, with `t` in `[0, 1)` or `(−1, 1)`.

use crate::error::{CoreError, Result};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Newton iterations allowed per Legendre node; convergence is quadratic
/// from Tricomi's guesses, so 100 is never reached for valid `n`.
const NEWTON_MAX: usize = 100;

/// A quadrature rule on `[−1, 1]`: nodes ascending, weights positive.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussRule {
    /// Nodes in `(−1, 1)`, ascending.
    pub nodes: Vec<f64>,
    /// Weights, summing to 2.
    pub weights: Vec<f64>,
}

impl GaussRule {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the rule has no points (never, for rules from
    /// [`gauss_legendre`]).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// `∫_a^b f ≈ (b−a)/2 Σ w_i f((a+b)/2 + (b−a)/2 x_i)`.
    pub fn integrate(&self, f: impl FnMut(f64) -> f64, a: f64, b: f64) -> f64 {
        integrate_fixed(f, a, b, self)
    }
}

/// The `n`-point Gauss–Legendre rule on `[−1, 1]` (`n ≥ 1`).
pub fn gauss_legendre(n: usize) -> Result<GaussRule> {
    if n == 0 {
        return Err(CoreError::invalid("n", n, "at least one node"));
    }
    let nf = n as f64;
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let m = n.div_ceil(2);
    for i in 0..m {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..NEWTON_MAX {
            let (p, d) = legendre_and_derivative(n, x);
            dp = d;
            let dx = p / d;
            x -= dx;
            if dx.abs() <= 4.0 * f64::EPSILON * x.abs().max(f64::MIN_POSITIVE) {
                break;
            }
        }
        // Derivative at the converged node for the weight.
        let (_, d) = legendre_and_derivative(n, x);
        if d.is_finite() {
            dp = d;
        }
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        // i-th largest node at n−1−i, its mirror at i.
        nodes[n - 1 - i] = x;
        nodes[i] = -x;
        weights[n - 1 - i] = w;
        weights[i] = w;
    }
    if n % 2 == 1 {
        nodes[n / 2] = 0.0;
    }
    Ok(GaussRule { nodes, weights })
}

/// `(P_n(x), P_n′(x))` by the three-term recurrence; the derivative from
/// `(x² − 1)P_n′ = n(xP_n − P_{n−1})`.
fn legendre_and_derivative(n: usize, x: f64) -> (f64, f64) {
    let mut p0 = 1.0;
    let mut p1 = x;
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 1..n {
        let kf = k as f64;
        let p2 = ((2.0 * kf + 1.0) * x * p1 - kf * p0) / (kf + 1.0);
        p0 = p1;
        p1 = p2;
    }
    let d = n as f64 * (x * p1 - p0) / (x * x - 1.0);
    (p1, d)
}

/// `∫_a^b f(x) dx` by a fixed rule on `[−1, 1]` mapped affinely to `[a, b]`.
pub fn integrate_fixed(mut f: impl FnMut(f64) -> f64, a: f64, b: f64, rule: &GaussRule) -> f64 {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let mut s = 0.0;
    for (x, w) in rule.nodes.iter().zip(&rule.weights) {
        s += w * f(c + h * x);
    }
    h * s
}

/// Settings of [`integrate_adaptive`].
///
/// | Name | Default | Meaning | Range |
/// |---|---|---|---|
/// | `abs_tol` | `1e-12` | absolute error target | `≥ 0` |
/// | `rel_tol` | `1e-10` | relative error target (of `|I|`) | `≥ 0`; with `abs_tol`, not both 0 |
/// | `max_subdivisions` | `2000` | subintervals allowed | `≥ 1` |
///
/// The estimate must satisfy `err ≤ max(abs_tol, rel_tol·|I|)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveSettings {
    abs_tol: f64,
    rel_tol: f64,
    max_subdivisions: usize,
}

impl Default for AdaptiveSettings {
    fn default() -> Self {
        AdaptiveSettings {
            abs_tol: 1e-12,
            rel_tol: 1e-10,
            max_subdivisions: 2000,
        }
    }
}

impl AdaptiveSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> AdaptiveSettingsBuilder {
        AdaptiveSettingsBuilder {
            inner: AdaptiveSettings::default(),
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

    /// Maximum number of subintervals.
    pub fn max_subdivisions(&self) -> usize {
        self.max_subdivisions
    }
}

/// Builder for [`AdaptiveSettings`]; [`AdaptiveSettingsBuilder::build`]
/// validates.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveSettingsBuilder {
    inner: AdaptiveSettings,
}

impl AdaptiveSettingsBuilder {
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

    /// Maximum number of subintervals.
    pub fn max_subdivisions(mut self, v: usize) -> Self {
        self.inner.max_subdivisions = v;
        self
    }

    /// Validated settings.
    pub fn build(self) -> Result<AdaptiveSettings> {
        let s = self.inner;
        if s.abs_tol.is_nan() || s.abs_tol < 0.0 || s.abs_tol.is_infinite() {
            return Err(CoreError::invalid(
                "abs_tol",
                s.abs_tol,
                "a finite number ≥ 0",
            ));
        }
        if s.rel_tol.is_nan() || s.rel_tol < 0.0 || s.rel_tol.is_infinite() {
            return Err(CoreError::invalid(
                "rel_tol",
                s.rel_tol,
                "a finite number ≥ 0",
            ));
        }
        if s.abs_tol == 0.0 && s.rel_tol == 0.0 {
            return Err(CoreError::invalid(
                "abs_tol, rel_tol",
                "0, 0",
                "at least one positive tolerance",
            ));
        }
        if s.max_subdivisions == 0 {
            return Err(CoreError::invalid("max_subdivisions", 0, "at least 1"));
        }
        Ok(s)
    }
}

/// Result of [`integrate_adaptive`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Integral {
    /// The integral.
    pub value: f64,
    /// Estimated absolute error (QUADPACK's estimate; an estimate, not a
    /// bound).
    pub error_estimate: f64,
    /// Integrand evaluations.
    pub evaluations: usize,
    /// Subintervals in the final partition.
    pub subdivisions: usize,
}

// 15-point Kronrod / 7-point Gauss rule, digits as published in QUADPACK's
// qk15 (kept in full for provenance; the compiler rounds them to f64).
#[allow(clippy::excessive_precision)]
const XGK: [f64; 8] = [
    0.991_455_371_120_812_639_206_854_697_526_329,
    0.949_107_912_342_758_524_526_189_684_047_851,
    0.864_864_423_359_769_072_789_712_788_640_926,
    0.741_531_185_599_394_439_863_864_773_280_788,
    0.586_087_235_467_691_130_294_144_845_693_013,
    0.405_845_151_377_397_166_906_606_412_076_961,
    0.207_784_955_007_898_467_600_689_403_773_245,
    0.0,
];
#[allow(clippy::excessive_precision)]
const WGK: [f64; 8] = [
    0.022_935_322_010_529_224_963_732_008_058_970,
    0.063_092_092_629_978_553_290_700_663_189_204,
    0.104_790_010_322_250_183_839_876_322_541_518,
    0.140_653_259_715_525_918_745_189_590_510_238,
    0.169_004_726_639_267_902_826_583_426_598_550,
    0.190_350_578_064_785_409_913_256_402_421_014,
    0.204_432_940_075_298_892_414_161_999_234_649,
    0.209_482_141_084_727_828_012_999_174_891_714,
];
#[allow(clippy::excessive_precision)]
const WG: [f64; 4] = [
    0.129_484_966_168_869_693_270_611_432_679_082,
    0.279_705_391_489_276_667_901_467_771_423_780,
    0.381_830_050_505_118_944_950_369_775_488_975,
    0.417_959_183_673_469_387_755_102_040_816_327,
];

/// One subinterval with its Kronrod value and error estimate.
#[derive(Debug, Clone, Copy)]
struct Piece {
    a: f64,
    b: f64,
    value: f64,
    error: f64,
}

impl PartialEq for Piece {
    fn eq(&self, other: &Self) -> bool {
        self.error.total_cmp(&other.error) == Ordering::Equal
    }
}
impl Eq for Piece {}
impl PartialOrd for Piece {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Piece {
    fn cmp(&self, other: &Self) -> Ordering {
        self.error.total_cmp(&other.error)
    }
}

/// QUADPACK qk15 on `[a, b]`: `(K₁₅, error estimate)`; 15 evaluations.
fn kronrod15(f: &mut impl FnMut(f64) -> Result<f64>, a: f64, b: f64) -> Result<(f64, f64)> {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c)?;
    let mut resg = fc * WG[3];
    let mut resk = fc * WGK[7];
    let mut resabs = resk.abs();
    let mut fv1 = [0.0; 7];
    let mut fv2 = [0.0; 7];
    for j in 0..7 {
        let dx = h * XGK[j];
        let f1 = f(c - dx)?;
        let f2 = f(c + dx)?;
        fv1[j] = f1;
        fv2[j] = f2;
        resk += WGK[j] * (f1 + f2);
        resabs += WGK[j] * (f1.abs() + f2.abs());
        if j % 2 == 1 {
            resg += WG[j / 2] * (f1 + f2);
        }
    }
    let reskh = 0.5 * resk;
    let mut resasc = WGK[7] * (fc - reskh).abs();
    for j in 0..7 {
        resasc += WGK[j] * ((fv1[j] - reskh).abs() + (fv2[j] - reskh).abs());
    }
    let result = resk * h;
    let resabs = resabs * h.abs();
    let resasc = resasc * h.abs();
    let mut err = ((resk - resg) * h).abs();
    if resasc != 0.0 && err != 0.0 {
        err = resasc * (200.0 * err / resasc).powf(1.5).min(1.0);
    }
    if resabs > f64::MIN_POSITIVE / (50.0 * f64::EPSILON) {
        err = err.max(50.0 * f64::EPSILON * resabs);
    }
    Ok((result, err))
}

/// Adaptive `∫_a^b f(x) dx`; `a` and/or `b` may be infinite (then `f` must
/// decay so the integral converges). `a > b` gives `−∫_b^a`.
///
/// Errors: [`CoreError::NonFiniteIntegrand`] naming the abscissa,
/// [`CoreError::QuadratureNotConverged`] with the best value and its error
/// estimate when `max_subdivisions` is reached (or no subinterval can be
/// split further), [`CoreError::InvalidParameter`] for NaN limits.
pub fn integrate_adaptive(
    mut f: impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    settings: &AdaptiveSettings,
) -> Result<Integral> {
    if a.is_nan() || b.is_nan() {
        return Err(CoreError::invalid(
            "interval",
            format!("[{a}, {b}]"),
            "limits that are not NaN",
        ));
    }
    if a == b {
        return Ok(Integral {
            value: 0.0,
            error_estimate: 0.0,
            evaluations: 0,
            subdivisions: 0,
        });
    }
    if a > b {
        let mut r = integrate_adaptive(f, b, a, settings)?;
        r.value = -r.value;
        return Ok(r);
    }
    let mut checked = |x: f64| -> Result<f64> {
        let v = f(x);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(CoreError::NonFiniteIntegrand { x, value: v })
        }
    };
    match (a.is_finite(), b.is_finite()) {
        (true, true) => adaptive_finite(&mut checked, a, b, settings),
        (true, false) => adaptive_finite(
            &mut |t: f64| {
                let s = 1.0 - t;
                if s <= 0.0 {
                    return Ok(0.0);
                }
                let x = a + t / s;
                Ok(checked(x)? / (s * s))
            },
            0.0,
            1.0,
            settings,
        ),
        (false, true) => adaptive_finite(
            &mut |t: f64| {
                let s = 1.0 - t;
                if s <= 0.0 {
                    return Ok(0.0);
                }
                let x = b - t / s;
                Ok(checked(x)? / (s * s))
            },
            0.0,
            1.0,
            settings,
        ),
        (false, false) => adaptive_finite(
            &mut |t: f64| {
                let s = 1.0 - t * t;
                if s <= 0.0 {
                    return Ok(0.0);
                }
                let x = t / s;
                Ok(checked(x)? * (1.0 + t * t) / (s * s))
            },
            -1.0,
            1.0,
            settings,
        ),
    }
}

fn adaptive_finite(
    f: &mut impl FnMut(f64) -> Result<f64>,
    a: f64,
    b: f64,
    settings: &AdaptiveSettings,
) -> Result<Integral> {
    let mut evaluations = 15;
    let (v, e) = kronrod15(f, a, b)?;
    let mut heap = BinaryHeap::new();
    heap.push(Piece {
        a,
        b,
        value: v,
        error: e,
    });
    // Pieces too narrow to bisect in floating point.
    let mut frozen: Vec<Piece> = Vec::new();
    loop {
        let value: f64 = heap.iter().chain(&frozen).map(|p| p.value).sum();
        let error: f64 = heap.iter().chain(&frozen).map(|p| p.error).sum();
        let target = settings.abs_tol.max(settings.rel_tol * value.abs());
        let subdivisions = heap.len() + frozen.len();
        if error <= target {
            return Ok(Integral {
                value,
                error_estimate: error,
                evaluations,
                subdivisions,
            });
        }
        let worst = match heap.pop() {
            Some(p) if subdivisions < settings.max_subdivisions => p,
            _ => {
                return Err(CoreError::QuadratureNotConverged {
                    subdivisions,
                    value,
                    error_estimate: error,
                    requested: target,
                })
            }
        };
        let mid = 0.5 * (worst.a + worst.b);
        if !(worst.a < mid && mid < worst.b) {
            frozen.push(worst);
            continue;
        }
        let (v1, e1) = kronrod15(f, worst.a, mid)?;
        let (v2, e2) = kronrod15(f, mid, worst.b)?;
        evaluations += 30;
        heap.push(Piece {
            a: worst.a,
            b: mid,
            value: v1,
            error: e1,
        });
        heap.push(Piece {
            a: mid,
            b: worst.b,
            value: v2,
            error: e2,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_rules_closed_form() {
        let r1 = gauss_legendre(1).unwrap();
        assert_eq!(r1.nodes, vec![0.0]);
        assert!((r1.weights[0] - 2.0).abs() < 1e-15);
        // 2-point rule: ±1/√3, weights 1.
        let r2 = gauss_legendre(2).unwrap();
        assert!((r2.nodes[1] - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        assert!((r2.weights[0] - 1.0).abs() < 1e-15);
        // 3-point: 0, ±√(3/5); weights 8/9, 5/9.
        let r3 = gauss_legendre(3).unwrap();
        assert!((r3.nodes[2] - 0.6f64.sqrt()).abs() < 1e-15);
        assert!((r3.weights[1] - 8.0 / 9.0).abs() < 1e-15);
        assert!((r3.weights[0] - 5.0 / 9.0).abs() < 1e-15);
        assert!(gauss_legendre(0).is_err());
    }

    #[test]
    fn kronrod_constants_are_consistent() {
        // Weights sum to 2 for both rules.
        let sk: f64 = 2.0 * WGK[..7].iter().sum::<f64>() + WGK[7];
        let sg: f64 = 2.0 * WG[..3].iter().sum::<f64>() + WG[3];
        assert!((sk - 2.0).abs() < 4.0 * f64::EPSILON);
        assert!((sg - 2.0).abs() < 4.0 * f64::EPSILON);
        // The 7-point Gauss nodes are the Legendre zeros.
        let g7 = gauss_legendre(7).unwrap();
        for j in 0..3 {
            assert!((XGK[2 * j + 1] - g7.nodes[6 - j]).abs() < 1e-15);
            assert!((WG[j] - g7.weights[6 - j]).abs() < 1e-15);
        }
    }

    #[test]
    fn settings_validation() {
        assert!(AdaptiveSettings::builder().abs_tol(-1.0).build().is_err());
        assert!(AdaptiveSettings::builder()
            .abs_tol(0.0)
            .rel_tol(0.0)
            .build()
            .is_err());
        assert!(AdaptiveSettings::builder()
            .max_subdivisions(0)
            .build()
            .is_err());
        assert!(AdaptiveSettings::builder()
            .rel_tol(f64::NAN)
            .build()
            .is_err());
        let s = AdaptiveSettings::builder().abs_tol(1e-8).build().unwrap();
        assert_eq!(s.abs_tol(), 1e-8);
    }
}
