//! Kernels and their embeddings under the Lebesgue measure on an interval `[a, b]`.
//!
//! For a stationary kernel `k(x, y) = κ(|x − y|)` write `F(d) = ∫₀ᵈ κ(r) dr` and
//! `H(L) = ∫₀ᴸ F(t) dt`. Then, with `L = b − a`,
//!
//! * kernel mean `z(x) = ∫ₐᵇ k(x, y) dy = G(b − x) − G(a − x)` with `G` the odd extension of `F`
//!   (for `x ∈ [a, b]`: `F(x − a) + F(b − x)`);
//! * initial error `∫ₐᵇ∫ₐᵇ k = 2 H(L)`.
//!
//! Both depend on the node only through `x − a` and `b − x`: nothing is expanded around
//! the origin, so intervals far from zero (t ≈ 240 in integral RL) lose no digits.
//! For Matérn ν = p + ½, `κ(r) = e^{−u} Σ_k c_k u^k` with `u = √(2ν) r / ℓ`, and
//! `F`, `H` are sums of regularised incomplete gamma functions `P(k+1, ·)` and their
//! integrals, evaluated by a positive series for small arguments (no cancellation) and by
//! the closed form for large ones. Derivation: `proofs/kernel_embeddings.md`.

use crate::error::{QuadratureError, Result};

/// An interval `[a, b]` with `a < b`, both finite.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    /// Lower limit.
    pub a: f64,
    /// Upper limit.
    pub b: f64,
}

impl Interval {
    /// Checked constructor.
    pub fn new(a: f64, b: f64) -> Result<Self> {
        if !(a.is_finite() && b.is_finite() && a < b) {
            return Err(QuadratureError::invalid(
                "interval",
                format!("[{a}, {b}]"),
                "finite limits with a < b",
            ));
        }
        Ok(Interval { a, b })
    }

    /// Length `b − a`.
    pub fn length(&self) -> f64 {
        self.b - self.a
    }

    /// `n ≥ 2` equispaced points including both ends (`n = 1`: the midpoint).
    pub fn equispaced(&self, n: usize) -> Vec<f64> {
        match n {
            0 => Vec::new(),
            1 => vec![0.5 * (self.a + self.b)],
            _ => (0..n)
                .map(|i| {
                    if i == n - 1 {
                        self.b
                    } else {
                        self.a + self.length() * (i as f64 / (n - 1) as f64)
                    }
                })
                .collect(),
        }
    }
}

/// Kernel families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KernelKind {
    /// Matérn ν = 1/2 (Ornstein–Uhlenbeck), `e^{−r/ℓ}`.
    Matern12,
    /// Matérn ν = 3/2.
    Matern32,
    /// Matérn ν = 5/2.
    Matern52,
    /// Matérn ν = 7/2.
    Matern72,
    /// Gaussian (RBF) `exp(−r²/(2ℓ²))`.
    Rbf,
    /// Brownian motion `min(x, y)` on `x, y ≥ 0` (no lengthscale).
    Brownian,
}

impl KernelKind {
    /// Parses `matern12|matern32|matern52|matern72|rbf|brownian`.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "matern12" => KernelKind::Matern12,
            "matern32" => KernelKind::Matern32,
            "matern52" => KernelKind::Matern52,
            "matern72" => KernelKind::Matern72,
            "rbf" | "gaussian" => KernelKind::Rbf,
            "brownian" | "min" => KernelKind::Brownian,
            _ => {
                return Err(QuadratureError::invalid(
                    "kernel",
                    s,
                    "one of matern12, matern32, matern52, matern72, rbf, brownian",
                ))
            }
        })
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            KernelKind::Matern12 => "matern12",
            KernelKind::Matern32 => "matern32",
            KernelKind::Matern52 => "matern52",
            KernelKind::Matern72 => "matern72",
            KernelKind::Rbf => "rbf",
            KernelKind::Brownian => "brownian",
        }
    }

    /// Sobolev order `b = ν + ½` of the RKHS (Brownian: 1; RBF: infinite).
    pub fn sobolev_order(self) -> f64 {
        match self {
            KernelKind::Matern12 | KernelKind::Brownian => 1.0,
            KernelKind::Matern32 => 2.0,
            KernelKind::Matern52 => 3.0,
            KernelKind::Matern72 => 4.0,
            KernelKind::Rbf => f64::INFINITY,
        }
    }

    /// `(√(2ν), c_k)` of a Matérn half-integer kernel `e^{−u} Σ c_k u^k`, `u = √(2ν) r/ℓ`.
    pub(crate) fn matern(self) -> Option<(f64, &'static [f64])> {
        match self {
            KernelKind::Matern12 => Some((1.0, &[1.0])),
            KernelKind::Matern32 => Some((3f64.sqrt(), &[1.0, 1.0])),
            KernelKind::Matern52 => Some((5f64.sqrt(), &[1.0, 1.0, 1.0 / 3.0])),
            KernelKind::Matern72 => Some((7f64.sqrt(), &[1.0, 1.0, 2.0 / 5.0, 1.0 / 15.0])),
            _ => None,
        }
    }
}

/// A kernel with its lengthscale (unit amplitude).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Kernel {
    kind: KernelKind,
    lengthscale: f64,
}

impl Kernel {
    /// Checked constructor; `lengthscale > 0` finite (ignored by [`KernelKind::Brownian`]).
    pub fn new(kind: KernelKind, lengthscale: f64) -> Result<Self> {
        if !(lengthscale.is_finite() && lengthscale > 0.0) {
            return Err(QuadratureError::invalid(
                "lengthscale",
                lengthscale,
                "a finite number > 0",
            ));
        }
        Ok(Kernel { kind, lengthscale })
    }

    /// The Brownian-motion kernel `min(x, y)`.
    pub fn brownian() -> Self {
        Kernel {
            kind: KernelKind::Brownian,
            lengthscale: 1.0,
        }
    }

    /// Family.
    pub fn kind(&self) -> KernelKind {
        self.kind
    }

    /// Lengthscale ℓ.
    pub fn lengthscale(&self) -> f64 {
        self.lengthscale
    }

    /// Whether `k(x, y)` depends on `x − y` only.
    pub fn is_stationary(&self) -> bool {
        self.kind != KernelKind::Brownian
    }

    /// Checks that the kernel is defined on `interval` (Brownian needs `a ≥ 0`).
    pub fn check_domain(&self, interval: Interval) -> Result<()> {
        if self.kind == KernelKind::Brownian && interval.a < 0.0 {
            return Err(QuadratureError::invalid(
                "interval",
                format!("[{}, {}]", interval.a, interval.b),
                "a >= 0 for the Brownian kernel min(x, y)",
            ));
        }
        Ok(())
    }

    /// `k(x, y)`.
    pub fn eval(&self, x: f64, y: f64) -> f64 {
        let r = (x - y).abs();
        match self.kind {
            KernelKind::Brownian => x.min(y),
            KernelKind::Rbf => {
                let q = r / self.lengthscale;
                (-0.5 * q * q).exp()
            }
            kind => {
                let (s, c) = kind.matern().expect("Matérn family");
                let u = s * r / self.lengthscale;
                let mut poly = 0.0;
                for &ck in c.iter().rev() {
                    poly = poly * u + ck;
                }
                (-u).exp() * poly
            }
        }
    }

    /// `F(d) = ∫₀ᵈ κ(r) dr` for `d ≥ 0` (stationary kernels).
    fn f_integral(&self, d: f64) -> f64 {
        let ell = self.lengthscale;
        match self.kind {
            KernelKind::Rbf => {
                ell * std::f64::consts::FRAC_PI_2.sqrt()
                    * libm::erf(d / (std::f64::consts::SQRT_2 * ell))
            }
            kind => {
                let (s, c) = kind.matern().expect("Matérn family");
                let v = s * d / ell;
                let mut acc = 0.0;
                let mut fact = 1.0;
                for (k, &ck) in c.iter().enumerate() {
                    if k > 0 {
                        fact *= k as f64;
                    }
                    acc += ck * fact * gamma_p(k, v);
                }
                acc * ell / s
            }
        }
    }

    /// `H(L) = ∫₀ᴸ F(t) dt = ∫₀ᴸ (L − r) κ(r) dr`.
    fn h_integral(&self, len: f64) -> f64 {
        let ell = self.lengthscale;
        match self.kind {
            KernelKind::Rbf => {
                let c = std::f64::consts::SQRT_2 * ell;
                ell * std::f64::consts::FRAC_PI_2.sqrt() * len * libm::erf(len / c)
                    + ell * ell * (-(len / c) * (len / c)).exp_m1()
            }
            kind => {
                let (s, c) = kind.matern().expect("Matérn family");
                let v = s * len / ell;
                let mut acc = 0.0;
                let mut fact = 1.0;
                for (k, &ck) in c.iter().enumerate() {
                    if k > 0 {
                        fact *= k as f64;
                    }
                    acc += ck * fact * gamma_p_integral(k, v);
                }
                acc * (ell / s) * (ell / s)
            }
        }
    }

    /// Kernel mean `z(x) = ∫ₐᵇ k(x, y) dy`.
    pub fn mean(&self, x: f64, interval: Interval) -> f64 {
        let (a, b) = (interval.a, interval.b);
        if self.kind == KernelKind::Brownian {
            let len = b - a;
            if x <= a {
                return x * len;
            }
            let t = (x - a).min(len);
            return a * len + t * len - 0.5 * t * t;
        }
        let g = |d: f64| {
            if d >= 0.0 {
                self.f_integral(d)
            } else {
                -self.f_integral(-d)
            }
        };
        g(b - x) - g(a - x)
    }

    /// Initial error `∫ₐᵇ∫ₐᵇ k(x, y) dx dy` (the prior variance of the integral).
    pub fn initial_error(&self, interval: Interval) -> f64 {
        let len = interval.length();
        if self.kind == KernelKind::Brownian {
            return interval.a * len * len + len * len * len / 3.0;
        }
        2.0 * self.h_integral(len)
    }
}

/// Below this argument the incomplete-gamma quantities are summed as positive series
/// (no cancellation); above it the closed forms lose at most a factor ~30 (1.5 digits)
/// at the switch and less beyond.
const SERIES_SWITCH: f64 = 8.0;
/// Series terms: at v < 8, `e^{−v} v^m/m!` is below 1e-20 for m ≥ 60.
const SERIES_TERMS: usize = 80;
/// A series stops when its terms fall below a quarter ulp of the partial sum.
const SERIES_STOP: f64 = 0.25 * f64::EPSILON;

/// Regularised lower incomplete gamma `P(k+1, v) = 1 − e^{−v} Σ_{m≤k} v^m/m!`, `v ≥ 0`.
fn gamma_p(k: usize, v: f64) -> f64 {
    if v < SERIES_SWITCH {
        // Σ_{m>k} e^{−v} v^m/m!
        let mut t = (-v).exp();
        let mut sum = 0.0;
        for m in 1..SERIES_TERMS {
            t *= v / m as f64;
            if m > k {
                sum += t;
                // Terms decrease once m > v; stop when they no longer change the sum.
                if m as f64 > v && t <= SERIES_STOP * sum {
                    break;
                }
            }
        }
        sum
    } else {
        let mut t = 1.0;
        let mut s = 1.0;
        for m in 1..=k {
            t *= v / m as f64;
            s += t;
        }
        1.0 - (-v).exp() * s
    }
}

/// `J_k(V) = ∫₀ⱽ P(k+1, v) dv = V − Σ_{j≤k} P(j+1, V) = Σ_{m≥k+2} (m−k−1) e^{−V} V^m/m!`.
fn gamma_p_integral(k: usize, v: f64) -> f64 {
    if v < SERIES_SWITCH {
        let mut t = (-v).exp();
        let mut sum = 0.0;
        for m in 1..SERIES_TERMS {
            t *= v / m as f64;
            if m > k + 1 {
                let term = (m - k - 1) as f64 * t;
                sum += term;
                // (m − k − 1)·t decreases once m > v + 1; stop at round-off.
                if m as f64 > v + 1.0 && term <= SERIES_STOP * sum {
                    break;
                }
            }
        }
        sum
    } else {
        let mut s = v;
        for j in 0..=k {
            s -= gamma_p(j, v);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quadra_core::quadrature::{integrate_adaptive, AdaptiveSettings};

    /// Embeddings must match adaptive Gauss–Kronrod to this relative accuracy (the 1e-12);
    /// the adaptive rule is asked for 1e-14 so its own error is negligible.
    const EMBED_RTOL: f64 = 1e-12;

    fn adaptive(f: impl FnMut(f64) -> f64, a: f64, b: f64) -> f64 {
        let s = AdaptiveSettings::builder()
            .abs_tol(0.0)
            .rel_tol(1e-14)
            .max_subdivisions(2000)
            .build()
            .unwrap();
        match integrate_adaptive(f, a, b, &s) {
            Ok(i) => i.value,
            // 1e-14 is at round-off level; accept the estimate if it is within 1e-13.
            Err(quadra_core::CoreError::QuadratureNotConverged {
                value,
                error_estimate,
                ..
            }) if error_estimate <= 1e-13 * value.abs() => value,
            Err(e) => panic!("adaptive reference on [{a}, {b}]: {e}"),
        }
    }

    fn all_kernels(ell: f64) -> Vec<Kernel> {
        [
            KernelKind::Matern12,
            KernelKind::Matern32,
            KernelKind::Matern52,
            KernelKind::Matern72,
            KernelKind::Rbf,
            KernelKind::Brownian,
        ]
        .iter()
        .map(|&k| Kernel::new(k, ell).unwrap())
        .collect()
    }

    fn check(kernel: &Kernel, iv: Interval) {
        let scale = kernel.initial_error(iv).abs().max(1e-300);
        // Nodes inside, at the ends and outside the interval (Brownian: x >= 0 only).
        let l = iv.length();
        let mut xs = vec![iv.a, iv.b, iv.a + 0.3 * l, iv.a + 1e-9 * l, iv.b - 0.77 * l];
        xs.push(iv.b + 0.4 * l);
        if kernel.kind() != KernelKind::Brownian || iv.a - 0.5 * l >= 0.0 {
            xs.push(iv.a - 0.5 * l);
        }
        for &x in &xs {
            // Split at the kink x so the adaptive rule sees smooth pieces.
            let f = |y: f64| kernel.eval(x, y);
            let want = if x > iv.a && x < iv.b {
                adaptive(f, iv.a, x) + adaptive(f, x, iv.b)
            } else {
                adaptive(f, iv.a, iv.b)
            };
            let got = kernel.mean(x, iv);
            let tol = EMBED_RTOL * want.abs().max(1e-3 * l * l.min(kernel.lengthscale()));
            assert!(
                (got - want).abs() <= tol,
                "{:?} ℓ={} on [{}, {}] at x={x}: mean {got} vs adaptive {want}",
                kernel.kind(),
                kernel.lengthscale(),
                iv.a,
                iv.b
            );
        }
        let want = adaptive(|x| kernel.mean(x, iv), iv.a, iv.b);
        let got = kernel.initial_error(iv);
        assert!(
            (got - want).abs() <= EMBED_RTOL * scale,
            "{:?} ℓ={} on [{}, {}]: initial error {got} vs adaptive {want}",
            kernel.kind(),
            kernel.lengthscale(),
            iv.a,
            iv.b
        );
    }

    #[test]
    fn embeddings_match_adaptive_quadrature() {
        for &ell in &[0.05, 0.3, 1.0, 7.0] {
            for kernel in all_kernels(ell) {
                for &(a, b) in &[(0.0, 1.0), (-2.0, 3.0), (0.5, 0.6), (0.0, 30.0)] {
                    check(&kernel, Interval::new(a, b).unwrap());
                }
            }
        }
    }

    #[test]
    fn embeddings_stable_far_from_the_origin() {
        // Integral RL integrates over [t, t + T] with t up to a few hundred seconds.
        for &ell in &[0.3, 1.0] {
            for kernel in all_kernels(ell) {
                for &(a, b) in &[(240.0, 240.1), (239.95, 240.05), (1e4, 1e4 + 0.5)] {
                    check(&kernel, Interval::new(a, b).unwrap());
                }
            }
        }
    }

    #[test]
    fn shift_invariance_of_stationary_embeddings() {
        for kernel in all_kernels(0.3) {
            if !kernel.is_stationary() {
                continue;
            }
            let i0 = Interval::new(0.0, 0.1).unwrap();
            let i1 = Interval::new(240.0, 240.1).unwrap();
            let e0 = kernel.initial_error(i0);
            let e1 = kernel.initial_error(i1);
            // 240.1 − 240 differs from 0.1 by ~6e-14 relative.
            assert!((e0 - e1).abs() <= 1e-12 * e0, "{:?}", kernel.kind());
            let z0 = kernel.mean(0.025, i0);
            let z1 = kernel.mean(240.025, i1);
            // 240.025 − 240 carries an absolute error of ε·240 ≈ 3e-14 into x − a.
            assert!((z0 - z1).abs() <= 1e-12 * z0, "{:?}", kernel.kind());
        }
    }

    #[test]
    fn small_lengthscale_limits() {
        // ℓ → 0: z(x) → ℓ·2∫₀^∞κ for an interior x, ∫∫k → 2ℓ·L·∫₀^∞κ(u)du/ℓ.
        let iv = Interval::new(0.0, 1.0).unwrap();
        let ell = 1e-3;
        let k = Kernel::new(KernelKind::Matern12, ell).unwrap();
        assert!((k.mean(0.5, iv) - 2.0 * ell).abs() < 1e-15);
        assert!((k.initial_error(iv) - (2.0 * ell - 2.0 * ell * ell)).abs() < 1e-15);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(Kernel::new(KernelKind::Rbf, 0.0).is_err());
        assert!(Kernel::new(KernelKind::Rbf, f64::NAN).is_err());
        assert!(Interval::new(1.0, 1.0).is_err());
        assert!(KernelKind::parse("matern92").is_err());
        let iv = Interval::new(-1.0, 1.0).unwrap();
        assert!(Kernel::brownian().check_domain(iv).is_err());
    }
}
