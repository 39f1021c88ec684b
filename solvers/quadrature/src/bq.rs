//! Bayesian quadrature: weights `w = K⁻¹z` by Cholesky, posterior mean and variance,
//! worst-case error of any rule, lengthscale by maximum likelihood. Matérn kernels go
//! through the O(N) state-space filter by default ([`BqMethod`]).

use crate::error::{QuadratureError, Result};
use crate::kernel::{Interval, Kernel, KernelKind};
use crate::state_space::{state_space_bq, FilterRecord};
use quadra_core::{cholesky, sym_from_fn, CoreError, Mat};

/// How the weights `w = (K + jitter·I)⁻¹ z` are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BqMethod {
    /// State space for Matérn ν ∈ {½, 3/2, 5/2, 7/2}, dense for RBF and Brownian kernels.
    #[default]
    Auto,
    /// Gram matrix and Cholesky factorisation: O(N³) time, O(N²) memory, any kernel.
    Dense,
    /// Kalman filter on the Matérn SDE augmented with the running integral: O(N) time and
    /// memory, Matérn kernels only (`crate::state_space`, `proofs/state_space_bq.md`).
    StateSpace,
}

/// Settings of a Bayesian-quadrature rule, built by [`BqSettings::builder`].
///
/// | Name | Default | Meaning | Range |
/// |---|---|---|---|
/// | `jitter` | 0 | added to the diagonal of `K` (the observation-noise variance; reported) | ≥ 0, finite |
/// | `method` | `Auto` | [`BqMethod`]: state space for Matérn kernels, else dense | enum |
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct BqSettings {
    jitter: f64,
    method: BqMethod,
}

impl BqSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> BqSettingsBuilder {
        BqSettingsBuilder {
            settings: BqSettings::default(),
        }
    }

    /// Settings with the given diagonal jitter (and the default method).
    pub fn with_jitter(jitter: f64) -> Result<Self> {
        Self::builder().jitter(jitter).build()
    }

    /// The jitter.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// The method.
    pub fn method(&self) -> BqMethod {
        self.method
    }
}

/// Builder of [`BqSettings`]; [`BqSettingsBuilder::build`] checks the values.
#[derive(Debug, Clone, Copy)]
pub struct BqSettingsBuilder {
    settings: BqSettings,
}

impl BqSettingsBuilder {
    /// Diagonal jitter (default 0).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.settings.jitter = jitter;
        self
    }

    /// Method (default [`BqMethod::Auto`]).
    pub fn method(mut self, method: BqMethod) -> Self {
        self.settings.method = method;
        self
    }

    /// Checks and returns the settings.
    pub fn build(self) -> Result<BqSettings> {
        let jitter = self.settings.jitter;
        if !(jitter.is_finite() && jitter >= 0.0) {
            return Err(QuadratureError::invalid(
                "jitter",
                jitter,
                "a finite number >= 0",
            ));
        }
        Ok(self.settings)
    }
}

/// A Bayesian-quadrature rule for fixed nodes: weights and prior quantities.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BqRule {
    /// Kernel used.
    pub kernel: Kernel,
    /// Interval of integration.
    pub interval: Interval,
    /// Nodes.
    pub nodes: Vec<f64>,
    /// Weights `w = (K + jitter·I)⁻¹ z`.
    pub weights: Vec<f64>,
    /// Prior variance of the integral `∫∫k`.
    pub initial_error: f64,
    /// Posterior variance of the integral at unit amplitude, `∫∫k − zᵀw`
    /// (dense: may be slightly negative from round-off when tiny, see [`BqRule::std`];
    /// state space: the filtered variance, computed without that cancellation).
    pub variance: f64,
    /// Jitter that was added to the diagonal.
    pub jitter: f64,
    /// Method that computed the weights ([`BqMethod::Dense`] or [`BqMethod::StateSpace`]).
    pub method: BqMethod,
    /// The state-space filter, replayed by [`BqRule::estimate`].
    #[serde(skip)]
    filter: Option<FilterRecord>,
}

impl BqRule {
    /// Computes the rule. Errors: empty or non-finite nodes, a node outside the kernel's
    /// domain, [`BqMethod::StateSpace`] with a kernel that is not Matérn,
    /// [`QuadratureError::GramNotPositiveDefinite`] when Cholesky fails (dense) or a node
    /// repeats with jitter 0 (state space).
    pub fn new(
        kernel: Kernel,
        interval: Interval,
        nodes: &[f64],
        settings: BqSettings,
    ) -> Result<Self> {
        check_nodes(kernel, interval, nodes)?;
        let jitter = settings.jitter;
        let initial_error = kernel.initial_error(interval);
        let state_space = match settings.method {
            BqMethod::Dense => false,
            BqMethod::StateSpace => true,
            BqMethod::Auto => kernel.kind().matern().is_some(),
        };
        if state_space {
            let ss = state_space_bq(kernel, interval, nodes, jitter)?;
            return Ok(BqRule {
                kernel,
                interval,
                nodes: nodes.to_vec(),
                weights: ss.weights,
                initial_error,
                variance: ss.variance,
                jitter,
                method: BqMethod::StateSpace,
                filter: Some(ss.record),
            });
        }
        let n = nodes.len();
        let k = gram(kernel, nodes, jitter);
        let chol = cholesky(k.as_ref()).map_err(|e| gram_error(e, n, jitter, kernel))?;
        let z: Vec<f64> = nodes.iter().map(|&x| kernel.mean(x, interval)).collect();
        let weights = chol.solve_vec(&z)?;
        let zw: f64 = z.iter().zip(&weights).map(|(a, b)| a * b).sum();
        Ok(BqRule {
            kernel,
            interval,
            nodes: nodes.to_vec(),
            weights,
            initial_error,
            variance: initial_error - zw,
            jitter,
            method: BqMethod::Dense,
            filter: None,
        })
    }

    /// Kernel mean `z_i = ∫ₐᵇ k(x, x_i) dx` at the nodes (closed form, computed on demand).
    pub fn kernel_mean(&self) -> Vec<f64> {
        self.nodes
            .iter()
            .map(|&x| self.kernel.mean(x, self.interval))
            .collect()
    }

    /// Posterior standard deviation at unit amplitude, `√max(variance, 0)`; equals the
    /// worst-case error of the rule in the unit ball of the RKHS (jitter 0).
    pub fn std(&self) -> f64 {
        self.variance.max(0.0).sqrt()
    }

    /// Posterior of the integral given `values = f(nodes)`.
    pub fn estimate(&self, values: &[f64]) -> Result<BqEstimate> {
        check_values(values, self.nodes.len())?;
        let mean = self.weights.iter().zip(values).map(|(w, y)| w * y).sum();
        // Amplitude σ² by maximum likelihood, yᵀK⁻¹y / n (the profile of the marginal
        // likelihood over the amplitude).
        let quad = match &self.filter {
            Some(filter) => filter.quadratic_form_and_log_det(values).0,
            None => {
                let k = gram(self.kernel, &self.nodes, self.jitter);
                let chol = cholesky(k.as_ref())
                    .map_err(|e| gram_error(e, self.nodes.len(), self.jitter, self.kernel))?;
                let alpha = chol.solve_vec(values)?;
                alpha.iter().zip(values).map(|(a, y)| a * y).sum()
            }
        };
        let amplitude = quad / values.len() as f64;
        Ok(BqEstimate {
            mean,
            variance: self.variance,
            amplitude,
            std: (amplitude * self.variance.max(0.0)).sqrt(),
        })
    }
}

/// Posterior of an integral.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BqEstimate {
    /// Posterior mean `wᵀy`.
    pub mean: f64,
    /// Posterior variance at unit amplitude.
    pub variance: f64,
    /// Amplitude `σ̂² = yᵀK⁻¹y / n` (maximum likelihood).
    pub amplitude: f64,
    /// Posterior standard deviation `√(σ̂²·variance)`.
    pub std: f64,
}

/// Worst-case error `sup_{‖f‖_H ≤ 1} |∫f − Σ w_i f(x_i)|` of any rule:
/// `√(∫∫k − 2wᵀz + wᵀKw)` (clamped at 0 against round-off).
pub fn worst_case_error(
    kernel: Kernel,
    interval: Interval,
    nodes: &[f64],
    weights: &[f64],
) -> Result<f64> {
    check_nodes(kernel, interval, nodes)?;
    check_values(weights, nodes.len())?;
    let mut s = kernel.initial_error(interval);
    for (i, (&xi, &wi)) in nodes.iter().zip(weights).enumerate() {
        s -= 2.0 * wi * kernel.mean(xi, interval);
        for (&xj, &wj) in nodes.iter().zip(weights).take(i) {
            s += 2.0 * wi * wj * kernel.eval(xi, xj);
        }
        s += wi * wi * kernel.eval(xi, xi);
    }
    Ok(s.max(0.0).sqrt())
}

/// Result of [`fit_lengthscale`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LengthscaleFit {
    /// Maximum-likelihood lengthscale.
    pub lengthscale: f64,
    /// Amplitude `yᵀK⁻¹y / n` at that lengthscale.
    pub amplitude: f64,
    /// Profile log marginal likelihood `−n/2·ln(σ̂²) − ½ln|K| − n/2·(1 + ln 2π)`.
    pub log_likelihood: f64,
}

/// Points of the log-spaced grid that brackets the maximum before golden-section search.
const ML_GRID: usize = 41;
/// Golden-section steps: the bracket shrinks by 0.618 per step, 60 steps reach 1e-12 in ln ℓ.
const ML_GOLDEN_STEPS: usize = 60;

/// Lengthscale of a stationary kernel by maximum (profile) likelihood over `[lo, hi]`:
/// a log-spaced grid, then golden-section search on `ln ℓ`. Lengthscales whose Gram matrix
/// is not positive definite (with `settings.jitter`) are skipped. Matérn kernels evaluate
/// the likelihood with the O(N) state-space filter unless `settings.method` is `Dense`.
pub fn fit_lengthscale(
    kind: KernelKind,
    nodes: &[f64],
    values: &[f64],
    bounds: (f64, f64),
    settings: BqSettings,
) -> Result<LengthscaleFit> {
    if kind == KernelKind::Brownian {
        return Err(QuadratureError::invalid(
            "kernel",
            "brownian",
            "a kernel with a lengthscale (matern*, rbf)",
        ));
    }
    let (lo, hi) = bounds;
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo < hi) {
        return Err(QuadratureError::invalid(
            "lengthscale bounds",
            format!("[{lo}, {hi}]"),
            "0 < lo < hi, finite",
        ));
    }
    if nodes.is_empty() || nodes.iter().any(|x| !x.is_finite()) {
        return Err(QuadratureError::invalid(
            "nodes",
            format!("{nodes:?}"),
            "a non-empty list of finite numbers",
        ));
    }
    check_values(values, nodes.len())?;
    let state_space = match settings.method {
        BqMethod::Dense => false,
        BqMethod::StateSpace | BqMethod::Auto => kind.matern().is_some(),
    };
    // Any interval will do: the likelihood does not depend on it.
    let interval = Interval::new(0.0, 1.0)?;
    let eval = |log_ell: f64| -> Option<LengthscaleFit> {
        let kernel = Kernel::new(kind, log_ell.exp()).ok()?;
        // yᵀ(K + jitter·I)⁻¹y and ln det(K + jitter·I): from the innovations of the
        // state-space filter in O(N), or from a Cholesky factor.
        let (quad, log_det) = if state_space {
            state_space_bq(kernel, interval, nodes, settings.jitter)
                .ok()?
                .record
                .quadratic_form_and_log_det(values)
        } else {
            let k = gram(kernel, nodes, settings.jitter);
            let chol = cholesky(k.as_ref()).ok()?;
            let alpha = chol.solve_vec(values).ok()?;
            let quad: f64 = alpha.iter().zip(values).map(|(a, y)| a * y).sum();
            (quad, chol.log_det())
        };
        let n = values.len() as f64;
        let amplitude = quad / n;
        if amplitude.is_nan() || amplitude <= 0.0 {
            return None;
        }
        let ll = -0.5 * n * amplitude.ln()
            - 0.5 * log_det
            - 0.5 * n * (1.0 + (2.0 * std::f64::consts::PI).ln());
        Some(LengthscaleFit {
            lengthscale: log_ell.exp(),
            amplitude,
            log_likelihood: ll,
        })
    };
    let (llo, lhi) = (lo.ln(), hi.ln());
    let step = (lhi - llo) / (ML_GRID - 1) as f64;
    let mut best: Option<(usize, LengthscaleFit)> = None;
    for i in 0..ML_GRID {
        if let Some(fit) = eval(llo + step * i as f64) {
            if best.is_none_or(|(_, b)| fit.log_likelihood > b.log_likelihood) {
                best = Some((i, fit));
            }
        }
    }
    let (i, mut fit) = best.ok_or_else(|| {
        QuadratureError::invalid(
            "lengthscale bounds",
            format!("[{lo}, {hi}]"),
            "a range where the Gram matrix is positive definite (add jitter)",
        )
    })?;
    let mut a = llo + step * i.saturating_sub(1) as f64;
    let mut b = (llo + step * (i + 1) as f64).min(lhi);
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let score = |x: f64| eval(x).map_or(f64::NEG_INFINITY, |f| f.log_likelihood);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (score(c), score(d));
    for _ in 0..ML_GOLDEN_STEPS {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = score(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = score(d);
        }
    }
    if let Some(f) = eval(0.5 * (a + b)) {
        if f.log_likelihood >= fit.log_likelihood {
            fit = f;
        }
    }
    Ok(fit)
}

pub(crate) fn gram(kernel: Kernel, nodes: &[f64], jitter: f64) -> Mat<f64> {
    sym_from_fn(nodes.len(), |i, j| {
        kernel.eval(nodes[i], nodes[j]) + if i == j { jitter } else { 0.0 }
    })
}

fn gram_error(e: CoreError, n: usize, jitter: f64, kernel: Kernel) -> QuadratureError {
    match e {
        CoreError::NotPositiveDefinite { index } => QuadratureError::GramNotPositiveDefinite {
            nodes: n,
            index,
            jitter,
            lengthscale: kernel.lengthscale(),
        },
        e => e.into(),
    }
}

pub(crate) fn check_nodes(kernel: Kernel, interval: Interval, nodes: &[f64]) -> Result<()> {
    kernel.check_domain(interval)?;
    if nodes.is_empty() {
        return Err(QuadratureError::invalid("nodes", "[]", "at least one node"));
    }
    if let Some(x) = nodes.iter().find(|x| !x.is_finite()) {
        return Err(QuadratureError::invalid("nodes", x, "finite numbers"));
    }
    if kernel.kind() == KernelKind::Brownian {
        if let Some(x) = nodes.iter().find(|&&x| x < 0.0) {
            return Err(QuadratureError::invalid(
                "nodes",
                x,
                "nodes >= 0 for the Brownian kernel",
            ));
        }
    }
    Ok(())
}

fn check_values(values: &[f64], n: usize) -> Result<()> {
    if values.len() != n {
        return Err(QuadratureError::Core(CoreError::DimensionMismatch {
            context: "values against nodes",
            expected: n,
            found: values.len(),
        }));
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(QuadratureError::invalid("values", v, "finite numbers"));
    }
    Ok(())
}
