//! Lower bounds on the Lipschitz constant: the largest Jacobian norm found.
//!
//! For a network `f` that is differentiable at `x`, `L ≥ ‖J_f(x)‖` in the operator norm of
//! the chosen pair of norms ([`Norm`]): `‖J‖₂ = σ_max(J)` for ℓ2, and
//! `‖J‖_{∞→2} = max_{s ∈ {±1}ⁿ} ‖J s‖₂` for ℓ∞ input (a convex function of `u` is
//! maximised over the cube `‖u‖∞ ≤ 1` at a vertex). Two searches:
//!
//! * **sampling** (any network): `starts` seeded random points at several input scales,
//!   each improved by derivative-free hill climbing (accept a Gaussian step when the norm
//!   grows, adapt the step). Each start has its own ChaCha stream (`seed`, start index),
//!   so the result does not depend on the thread count.
//! * **exact pattern enumeration** (feed-forward ReLU / leaky-ReLU networks with at most
//!   `exact_max_neurons` hidden neurons): on the interior of each linear region the
//!   Jacobian is the *pattern Jacobian* `J_p = W_L D_{L−1} W_{L−1} ⋯ D₀ W₀`
//!   (`D_k = diag(1 or slope)`), and `L = max` over realisable patterns. Patterns are
//!   visited by decreasing `‖J_p‖` (ℓ2) or an upper estimate of it (ℓ∞); a pattern is
//!   realisable when the LP `max s` s.t. `σᵢ zᵢ(x) ≥ s`, `s ≤ 1` has `s > 0` (its
//!   pre-activations `zᵢ` are affine in `x` given the earlier layers' pattern); the first
//!   realisable pattern whose norm no later upper estimate can beat gives the exact
//!   constant (`proofs/lower_bound_realisable_patterns.md`).
//!
//! The reported value is a true lower bound up to the rounding of `J(x)`: for ℓ2 it is
//! the lower end of quadra-core's rigorous enclosure of `σ_max` of the computed Jacobian.

use quadra_conic::{LinExpr, Model, SolverSettings};
use quadra_core::rng::{gaussian_vec, seeded_rng};
use quadra_core::{spectral_norm, Mat};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Activation, FeedForward, Layer, LipschitzError, Network, Norm, Result};

/// Largest input dimension for which `‖J‖_{∞→2}` is computed by enumerating all sign
/// vectors (2ⁿ⁻¹ of them); above it a greedy sign-flip local search gives a lower value.
pub const LINF_EXACT_MAX_INPUTS: usize = 16;

/// LP margin above which a pattern counts as realisable: well above clarabel's 1e-8
/// feasibility tolerance relative to unit-scale constraints, and the point found is
/// re-checked by a forward pass anyway.
pub const REALISABLE_MARGIN: f64 = 1e-9;

/// Which search produced a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowerBoundMethod {
    /// Seeded multi-start hill climbing of the Jacobian norm.
    Sampling,
    /// Exact enumeration of realisable ReLU activation patterns.
    ExactPatterns,
}

impl LowerBoundMethod {
    /// `"sampling"` or `"exact_patterns"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LowerBoundMethod::Sampling => "sampling",
            LowerBoundMethod::ExactPatterns => "exact_patterns",
        }
    }
}

/// A lower bound with the point that attains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowerBound {
    /// `‖J_f(point)‖` (rigorous lower end for ℓ2); `L ≥ value`.
    pub value: f64,
    /// The input point.
    pub point: Vec<f64>,
    /// Which search found it.
    pub method: LowerBoundMethod,
    /// Jacobian evaluations plus patterns examined.
    pub evaluations: usize,
    /// For [`LowerBoundMethod::ExactPatterns`]: the value is the exact constant (up to
    /// rounding), not only a lower bound.
    pub exact: bool,
}

/// Settings of [`lower_bound`].
///
/// | name | default | meaning | range |
/// |---|---|---|---|
/// | `seed` | 0 | seed of every random draw | any |
/// | `starts` | 64 | random starting points | ≥ 1 |
/// | `scales` | `[0.1, 1, 10]` | standard deviations of the starting points (cycled) | > 0 |
/// | `local_steps` | 100 | hill-climbing steps per start | ≥ 0 |
/// | `exact_max_neurons` | 20 | largest hidden-neuron count for exact enumeration (0 = off) | ≤ 24 |
/// | `max_lp_solves` | 20000 | realisability LPs before exact enumeration gives up | ≥ 1 |
/// | `work_budget` | 2e10 | multiply–adds the sampling search may spend (`starts × (local_steps + 1)` Jacobians of `Σ_k n_{k+1}n_k n₀` each); over it, `local_steps` and then `starts` shrink (to at least 10 and 8) — a deterministic cap that keeps wide, deep nets at seconds | > 0 |
#[derive(Debug, Clone, PartialEq)]
pub struct LowerBoundSettings {
    seed: u64,
    starts: usize,
    scales: Vec<f64>,
    local_steps: usize,
    exact_max_neurons: usize,
    max_lp_solves: usize,
    work_budget: f64,
}

impl Default for LowerBoundSettings {
    fn default() -> Self {
        LowerBoundSettings {
            seed: 0,
            starts: 64,
            scales: vec![0.1, 1.0, 10.0],
            local_steps: 100,
            exact_max_neurons: 20,
            max_lp_solves: 20_000,
            work_budget: 2e10,
        }
    }
}

impl LowerBoundSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> LowerBoundSettingsBuilder {
        LowerBoundSettingsBuilder(LowerBoundSettings::default())
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Number of random starts.
    pub fn starts(&self) -> usize {
        self.starts
    }
}

/// Builder of [`LowerBoundSettings`]; [`LowerBoundSettingsBuilder::build`] checks ranges.
#[derive(Debug, Clone)]
pub struct LowerBoundSettingsBuilder(LowerBoundSettings);

impl LowerBoundSettingsBuilder {
    /// Seed of every random draw.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
    /// Number of random starts (≥ 1).
    pub fn starts(mut self, starts: usize) -> Self {
        self.0.starts = starts;
        self
    }
    /// Standard deviations of the starting points (each > 0).
    pub fn scales(mut self, scales: Vec<f64>) -> Self {
        self.0.scales = scales;
        self
    }
    /// Hill-climbing steps per start.
    pub fn local_steps(mut self, steps: usize) -> Self {
        self.0.local_steps = steps;
        self
    }
    /// Largest hidden-neuron count for exact pattern enumeration (0 disables it; ≤ 24).
    pub fn exact_max_neurons(mut self, n: usize) -> Self {
        self.0.exact_max_neurons = n;
        self
    }
    /// Realisability LPs allowed before exact enumeration gives up (≥ 1).
    pub fn max_lp_solves(mut self, n: usize) -> Self {
        self.0.max_lp_solves = n;
        self
    }
    /// Multiply–adds the sampling search may spend (> 0; see the settings table).
    pub fn work_budget(mut self, flops: f64) -> Self {
        self.0.work_budget = flops;
        self
    }
    /// Checks the ranges.
    pub fn build(self) -> Result<LowerBoundSettings> {
        let s = self.0;
        if !(s.work_budget.is_finite() && s.work_budget > 0.0) {
            return Err(LipschitzError::InvalidArgument(format!(
                "lower bound: work_budget {} must be finite and positive",
                s.work_budget
            )));
        }
        if s.starts == 0 {
            return Err(LipschitzError::InvalidArgument(
                "lower bound: starts must be at least 1".into(),
            ));
        }
        if s.scales.is_empty() || s.scales.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(LipschitzError::InvalidArgument(format!(
                "lower bound: scales {:?} must be non-empty, finite and positive",
                s.scales
            )));
        }
        if s.exact_max_neurons > 24 {
            return Err(LipschitzError::InvalidArgument(format!(
                "lower bound: exact_max_neurons {} exceeds 24 (2^24 patterns)",
                s.exact_max_neurons
            )));
        }
        if s.max_lp_solves == 0 {
            return Err(LipschitzError::InvalidArgument(
                "lower bound: max_lp_solves must be at least 1".into(),
            ));
        }
        Ok(s)
    }
}

/// `λ_max` of a symmetric positive semidefinite matrix (symmetrised first), by the dense
/// eigensolver.
fn gram_lambda_max(g: &Mat<f64>) -> Result<f64> {
    let k = g.nrows();
    if k == 1 {
        return Ok(g[(0, 0)].max(0.0));
    }
    let sym = Mat::from_fn(k, k, |i, j| 0.5 * (g[(i, j)] + g[(j, i)]));
    let values = quadra_core::spectral::symmetric_eigenvalues(sym.as_ref())?;
    Ok(values.last().copied().unwrap_or(0.0).max(0.0))
}

/// `σ_max(J)` through the smaller Gram matrix (`J Jᵀ` or `JᵀJ`).
fn sigma_max(j: &Mat<f64>) -> Result<f64> {
    let (m, n) = (j.nrows(), j.ncols());
    if m == 0 || n == 0 {
        return Ok(0.0);
    }
    let g = if m <= n {
        j * j.transpose()
    } else {
        j.transpose() * j
    };
    Ok(gram_lambda_max(&g)?.sqrt())
}

/// `max_{s ∈ {±1}ⁿ} ‖J s‖₂`: exact by Gray-code enumeration for `n ≤`
/// [`LINF_EXACT_MAX_INPUTS`], otherwise a greedy sign-flip local optimum (a lower value).
fn inf_to_two(j: &Mat<f64>) -> f64 {
    let (m, n) = (j.nrows(), j.ncols());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let col = |c: usize| (0..m).map(move |r| j[(r, c)]);
    if n <= LINF_EXACT_MAX_INPUTS {
        // s₀ = +1 (‖Js‖ = ‖J(−s)‖); Gray code over the other n − 1 signs.
        let mut s = vec![1.0; n];
        let mut y: Vec<f64> = (0..m).map(|r| (0..n).map(|c| j[(r, c)]).sum()).collect();
        let mut best: f64 = y.iter().map(|a| a * a).sum();
        for step in 1u64..(1u64 << (n - 1)) {
            let c = 1 + step.trailing_zeros() as usize;
            s[c] = -s[c];
            for (r, yr) in y.iter_mut().enumerate() {
                *yr += 2.0 * s[c] * j[(r, c)];
            }
            best = best.max(y.iter().map(|a| a * a).sum());
        }
        return best.sqrt();
    }
    // Greedy: start from the signs of the top right singular vector, flip while it helps.
    let g = j.transpose() * j;
    let mut v: Vec<f64> = (0..n)
        .map(|i| 1.0 + 0.1 * ((i * 7919) % 13) as f64)
        .collect();
    for _ in 0..50 {
        let w: Vec<f64> = (0..n)
            .map(|r| (0..n).map(|c| g[(r, c)] * v[c]).sum())
            .collect();
        let nw = w.iter().map(|a| a * a).sum::<f64>().sqrt();
        if nw == 0.0 {
            break;
        }
        v = w.iter().map(|a| a / nw).collect();
    }
    let mut s: Vec<f64> = v
        .iter()
        .map(|a| if *a >= 0.0 { 1.0 } else { -1.0 })
        .collect();
    let mut y: Vec<f64> = (0..m)
        .map(|r| (0..n).map(|c| j[(r, c)] * s[c]).sum())
        .collect();
    let mut val: f64 = y.iter().map(|a| a * a).sum();
    for _ in 0..20 {
        let mut improved = false;
        for (c, sc) in s.iter_mut().enumerate() {
            let cand: f64 = y
                .iter()
                .zip(col(c))
                .map(|(a, b)| (a - 2.0 * *sc * b).powi(2))
                .sum();
            if cand > val * (1.0 + 1e-14) {
                for (yr, b) in y.iter_mut().zip(col(c)) {
                    *yr -= 2.0 * *sc * b;
                }
                *sc = -*sc;
                val = cand;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    val.sqrt()
}

fn jacobian_norm(j: &Mat<f64>, norm: Norm) -> Result<f64> {
    match norm {
        Norm::L2 => sigma_max(j),
        Norm::Linf => Ok(inf_to_two(j)),
    }
}

/// The reported value at a point: the rigorous lower end of `σ_max` (ℓ2), or `‖J s‖₂`
/// shrunk by `4(n+m)ε` to cover the rounding of the sum (ℓ∞).
fn certified_value(j: &Mat<f64>, norm: Norm) -> Result<f64> {
    match norm {
        Norm::L2 => Ok(spectral_norm(j.as_ref())?.lower.max(0.0)),
        Norm::Linf => {
            let k = (j.nrows() + j.ncols()) as f64;
            Ok(inf_to_two(j) * (1.0 - 4.0 * k * f64::EPSILON))
        }
    }
}

struct Found {
    value: f64,
    point: Vec<f64>,
    evaluations: usize,
}

/// Jacobian evaluation: forward mode seeded with the first weight `W₀` when the network
/// starts with a dense layer (cost `Σ n_{k+1} n_k n₀`, where seeding with the identity
/// adds `n₁ n₀²`: 784-input nets spend most of the search there); feed-forward and
/// residual layers are handled, networks with implicit layers use [`Network::jacobian`].
enum JacobianEval<'a> {
    Seeded(&'a Network),
    General(&'a Network),
}

fn has_implicit(layers: &[Layer]) -> bool {
    layers.iter().any(|l| match l {
        Layer::Implicit(_) => true,
        Layer::Residual(inner) => has_implicit(inner),
        _ => false,
    })
}

/// Runs `layers` on `x` carrying the row-major Jacobian `j` (`x.len() × n`).
fn run_seeded(
    layers: &[Layer],
    mut x: Vec<f64>,
    mut j: Vec<f64>,
    n: usize,
) -> (Vec<f64>, Vec<f64>) {
    for layer in layers {
        match layer {
            Layer::Dense(d) => {
                let w = &d.weight;
                let (r, c) = (w.nrows(), w.ncols());
                let mut nj = vec![0.0; r * n];
                for i in 0..r {
                    let row = &mut nj[i * n..(i + 1) * n];
                    for t in 0..c {
                        let a = w[(i, t)];
                        if a != 0.0 {
                            row.iter_mut()
                                .zip(&j[t * n..(t + 1) * n])
                                .for_each(|(o, v)| *o += a * v);
                        }
                    }
                }
                x = (0..r)
                    .map(|i| d.bias[i] + (0..c).map(|t| w[(i, t)] * x[t]).sum::<f64>())
                    .collect();
                j = nj;
            }
            Layer::Activation(act) => {
                act.jacobian_apply(&x, &mut j, n);
                act.apply(&mut x);
            }
            Layer::Residual(inner) => {
                let (y, jy) = run_seeded(inner, x.clone(), j.clone(), n);
                x.iter_mut().zip(&y).for_each(|(a, b)| *a += b);
                j.iter_mut().zip(&jy).for_each(|(a, b)| *a += b);
            }
            Layer::Implicit(_) => unreachable!("networks with implicit layers are not seeded"),
        }
    }
    (x, j)
}

impl JacobianEval<'_> {
    fn new(net: &Network) -> JacobianEval<'_> {
        if matches!(net.layers.first(), Some(Layer::Dense(_))) && !has_implicit(&net.layers) {
            JacobianEval::Seeded(net)
        } else {
            JacobianEval::General(net)
        }
    }

    fn at(&self, x: &[f64]) -> Result<Mat<f64>> {
        let net = match self {
            JacobianEval::General(net) => return net.jacobian(x),
            JacobianEval::Seeded(net) => net,
        };
        let Some(Layer::Dense(first)) = net.layers.first() else {
            unreachable!("checked in new")
        };
        let n = x.len();
        let w0 = &first.weight;
        let z: Vec<f64> = (0..w0.nrows())
            .map(|i| first.bias[i] + (0..n).map(|j| w0[(i, j)] * x[j]).sum::<f64>())
            .collect();
        let j: Vec<f64> = (0..w0.nrows())
            .flat_map(|i| (0..n).map(move |c| w0[(i, c)]))
            .collect();
        let (_, j) = run_seeded(&net.layers[1..], z, j, n);
        let rows = j.len() / n;
        Ok(Mat::from_fn(rows, n, |i, c| j[i * n + c]))
    }
}

fn climb(
    net: &Network,
    jac: &JacobianEval,
    norm: Norm,
    settings: &LowerBoundSettings,
    start: usize,
) -> Result<Found> {
    let n = net.input_dim;
    // Independent stream per start: the seed mixed with the start index (SplitMix64 constant).
    let mut rng =
        seeded_rng(settings.seed ^ (start as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let scale = settings.scales[start % settings.scales.len()];
    let mut x: Vec<f64> = gaussian_vec(n, &mut rng)
        .iter()
        .map(|v| scale * v)
        .collect();
    let mut best = jacobian_norm(&jac.at(&x)?, norm)?;
    let mut evaluations = 1;
    let mut step = 0.3 * scale;
    for _ in 0..settings.local_steps {
        let dir = gaussian_vec(n, &mut rng);
        let cand: Vec<f64> = x
            .iter()
            .zip(&dir)
            .map(|(a, d)| a + step * d / (n as f64).sqrt())
            .collect();
        let val = jacobian_norm(&jac.at(&cand)?, norm)?;
        evaluations += 1;
        if val > best {
            best = val;
            x = cand;
            step = (step * 1.5).min(10.0 * scale);
        } else {
            step *= 0.85;
            if step < 1e-6 * scale {
                step = 0.3 * scale;
            }
        }
    }
    Ok(Found {
        value: best,
        point: x,
        evaluations,
    })
}

/// Multiply–adds of one Jacobian evaluation, `Σ_k n_{k+1} n_k n₀` over the dense
/// layers (residual and implicit layers counted through their dense parts).
fn jacobian_work(net: &Network) -> f64 {
    fn walk(layers: &[Layer], n0: f64) -> f64 {
        layers
            .iter()
            .map(|l| match l {
                Layer::Dense(d) => (d.weight.nrows() * d.weight.ncols()) as f64 * n0,
                Layer::Residual(inner) => walk(inner, n0),
                Layer::Implicit(imp) => {
                    let k = imp.w.nrows() as f64;
                    k * k * (k + n0)
                }
                Layer::Activation(_) => 0.0,
            })
            .sum()
    }
    walk(&net.layers, net.input_dim as f64).max(1.0)
}

/// The settings with `local_steps`, then `starts`, reduced to fit `work_budget`.
fn within_budget(net: &Network, settings: &LowerBoundSettings) -> LowerBoundSettings {
    let mut s = settings.clone();
    let per_eval = jacobian_work(net);
    let total = |s: &LowerBoundSettings| s.starts as f64 * (s.local_steps + 1) as f64 * per_eval;
    if total(&s) > s.work_budget {
        let steps = s.work_budget / (s.starts as f64 * per_eval) - 1.0;
        s.local_steps = s.local_steps.min((steps.max(10.0)) as usize);
    }
    if total(&s) > s.work_budget {
        let starts = s.work_budget / ((s.local_steps + 1) as f64 * per_eval);
        s.starts = s.starts.min((starts.max(8.0)) as usize);
    }
    s
}

/// A lower bound on the Lipschitz constant of `net` in `norm` (see the module docs).
pub fn lower_bound(net: &Network, norm: Norm, settings: &LowerBoundSettings) -> Result<LowerBound> {
    net.validate()?;
    let jac = JacobianEval::new(net);
    let settings = &within_budget(net, settings);
    let runs: Vec<Result<Found>> = (0..settings.starts)
        .into_par_iter()
        .map(|k| climb(net, &jac, norm, settings, k))
        .collect();
    let mut evaluations = 0;
    let mut best: Option<Found> = None;
    for r in runs {
        let f = r?;
        evaluations += f.evaluations;
        // Ties keep the lowest start index: deterministic under any thread count.
        if best.as_ref().is_none_or(|b| f.value > b.value) {
            best = Some(f);
        }
    }
    let best = best.expect("starts ≥ 1");
    let mut result = LowerBound {
        value: certified_value(&net.jacobian(&best.point)?, norm)?,
        point: best.point,
        method: LowerBoundMethod::Sampling,
        evaluations,
        exact: false,
    };
    if let Some(exact) = exact_patterns(net, norm, settings)? {
        // The exact maximum over regions dominates every sampled point.
        let evaluations = result.evaluations + exact.evaluations;
        result = LowerBound {
            evaluations,
            ..exact
        };
    }
    Ok(result)
}

/// The slope of a ReLU-like activation on its inactive side, `None` for others.
fn inactive_slope(a: &Activation) -> Option<f64> {
    match a {
        Activation::Relu => Some(0.0),
        Activation::LeakyRelu { slope } => Some(*slope),
        _ => None,
    }
}

/// Pre-activation maps `z_k = A_k x + c_k` of every hidden layer and the pattern
/// Jacobian, for pattern bits `p` (bit `i` set = neuron `i` active, layers in order).
/// `z = A x + c`.
type AffineMap = (Mat<f64>, Vec<f64>);

fn pattern_maps(ff: &FeedForward, slopes: &[f64], p: u64) -> (Vec<AffineMap>, Mat<f64>) {
    let mut a = ff.weights[0].clone();
    let mut c = ff.biases[0].clone();
    let mut maps = Vec::new();
    let mut bit = 0;
    for (k, &slope) in slopes.iter().enumerate() {
        maps.push((a.clone(), c.clone()));
        // Apply D_k.
        for i in 0..a.nrows() {
            let d = if p >> bit & 1 == 1 { 1.0 } else { slope };
            bit += 1;
            if d != 1.0 {
                for j in 0..a.ncols() {
                    a[(i, j)] *= d;
                }
                c[i] *= d;
            }
        }
        let w = &ff.weights[k + 1];
        let nc: Vec<f64> = (0..w.nrows())
            .map(|i| ff.biases[k + 1][i] + (0..w.ncols()).map(|j| w[(i, j)] * c[j]).sum::<f64>())
            .collect();
        a = w * &a;
        c = nc;
    }
    (maps, a)
}

/// `‖J_p‖₂` for many patterns through the Gram matrix `M (W₀W₀ᵀ) Mᵀ` with
/// `M = W_L D_{L−1} ⋯ W₁ D₀`, so the cost per pattern does not grow with the input
/// dimension. Row-major copies of the weights keep the per-pattern loop free of
/// allocation (2²⁰ patterns at the enumeration limit).
struct PatternNorms {
    /// `W₁ … W_L`, row-major, with their shapes.
    weights: Vec<(usize, usize, Vec<f64>)>,
    /// `W₀W₀ᵀ`, row-major `n₁ × n₁`.
    g0: Vec<f64>,
    widths: Vec<usize>,
    offset: Vec<usize>,
    slopes: Vec<f64>,
    out: usize,
}

impl PatternNorms {
    fn new(ff: &FeedForward, slopes: &[f64]) -> Self {
        let rm = |w: &Mat<f64>| -> (usize, usize, Vec<f64>) {
            let data = (0..w.nrows())
                .flat_map(|i| (0..w.ncols()).map(move |j| w[(i, j)]))
                .collect();
            (w.nrows(), w.ncols(), data)
        };
        let w0 = &ff.weights[0];
        let g = w0 * w0.transpose();
        let widths = ff.hidden_widths();
        let mut offset = vec![0; widths.len() + 1];
        for k in 0..widths.len() {
            offset[k + 1] = offset[k] + widths[k];
        }
        PatternNorms {
            weights: ff.weights[1..].iter().map(rm).collect(),
            g0: rm(&g).2,
            widths,
            offset,
            slopes: slopes.to_vec(),
            out: ff.output_dim(),
        }
    }

    /// `‖J_p‖₂`, with scratch buffers `(m, tmp)` reused across calls.
    fn norm(&self, p: u64, bufs: &mut (Vec<f64>, Vec<f64>)) -> Result<f64> {
        let l = self.widths.len();
        let (m, tmp) = bufs;
        let (rows, mut cols, last) = &self.weights[l - 1];
        m.clear();
        m.extend_from_slice(last);
        for k in (0..l).rev() {
            for j in 0..self.widths[k] {
                if p >> (self.offset[k] + j) & 1 == 0 {
                    let d = self.slopes[k];
                    for i in 0..*rows {
                        m[i * cols + j] *= d;
                    }
                }
            }
            if k > 0 {
                // m ← m · W_k  (rows × n_k).
                let (wr, wc, w) = &self.weights[k - 1];
                debug_assert_eq!(*wr, cols);
                tmp.clear();
                tmp.resize(rows * wc, 0.0);
                for i in 0..*rows {
                    for t in 0..cols {
                        let a = m[i * cols + t];
                        if a != 0.0 {
                            let wrow = &w[t * wc..(t + 1) * wc];
                            let trow = &mut tmp[i * wc..(i + 1) * wc];
                            trow.iter_mut().zip(wrow).for_each(|(x, y)| *x += a * y);
                        }
                    }
                }
                std::mem::swap(m, tmp);
                cols = *wc;
            }
        }
        // G = M G₀ Mᵀ (out × out).
        let n1 = cols;
        let mg: Vec<f64> = (0..self.out)
            .flat_map(|i| {
                let mrow = &m[i * n1..(i + 1) * n1];
                (0..n1).map(move |c| (0..n1).map(|t| mrow[t] * self.g0[t * n1 + c]).sum::<f64>())
            })
            .collect();
        let g = Mat::from_fn(self.out, self.out, |i, j| {
            (0..n1).map(|t| mg[i * n1 + t] * m[j * n1 + t]).sum::<f64>()
        });
        Ok(gram_lambda_max(&g)?.sqrt())
    }
}

/// Maximises the sign margin of pattern `p` on its first `upto` hidden layers; `Some(x)`
/// when `s > REALISABLE_MARGIN`.
fn realise(ff: &FeedForward, slopes: &[f64], p: u64, upto: usize) -> Result<Option<Vec<f64>>> {
    let (mut maps, _) = pattern_maps(ff, slopes, p);
    maps.truncate(upto);
    let n = ff.input_dim();
    let mut model = Model::new();
    let x = model.add_vars(n);
    let s = model.add_var();
    let mut rows = Vec::new();
    let mut bit = 0;
    for (a, c) in &maps {
        for i in 0..a.nrows() {
            let sign = if p >> bit & 1 == 1 { 1.0 } else { -1.0 };
            bit += 1;
            // Normalise each constraint so the margin is in units of ‖aᵢ‖.
            let nrm = (0..n).map(|j| a[(i, j)] * a[(i, j)]).sum::<f64>().sqrt();
            if nrm == 0.0 {
                // Constant pre-activation: realisable iff its sign matches.
                if sign * c[i] <= 0.0 {
                    return Ok(None);
                }
                continue;
            }
            let coeffs: Vec<f64> = (0..n).map(|j| sign * a[(i, j)] / nrm).collect();
            let e = LinExpr::weighted_sum(&x, &coeffs) + LinExpr::constant(sign * c[i] / nrm) - s;
            rows.push(e);
        }
    }
    rows.push(LinExpr::constant(1.0) - s);
    model.add_nonneg(rows)?;
    model.minimize(LinExpr::constant(0.0) - s);
    match model.solve(&SolverSettings::default()) {
        Ok(sol) if sol.value(s) > REALISABLE_MARGIN => {
            Ok(Some(x.iter().map(|v| sol.value(*v)).collect()))
        }
        Ok(_) => Ok(None),
        Err(quadra_conic::ConicError::PrimalInfeasible { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether the pre-activations at `x` have exactly the signs of pattern `p` (strictly).
fn pattern_holds(ff: &FeedForward, p: u64, x: &[f64]) -> bool {
    let mut h = x.to_vec();
    let mut bit = 0;
    for (k, act) in ff.activations.iter().enumerate() {
        let w = &ff.weights[k];
        let z: Vec<f64> = (0..w.nrows())
            .map(|i| ff.biases[k][i] + (0..w.ncols()).map(|j| w[(i, j)] * h[j]).sum::<f64>())
            .collect();
        for &zi in &z {
            let on = p >> bit & 1 == 1;
            bit += 1;
            if (on && zi <= 0.0) || (!on && zi >= 0.0) {
                return false;
            }
        }
        h = z;
        act.apply(&mut h);
    }
    true
}

/// Exact enumeration for small ReLU / leaky-ReLU feed-forward networks; `None` when it
/// does not apply or runs out of LP solves.
fn exact_patterns(
    net: &Network,
    norm: Norm,
    settings: &LowerBoundSettings,
) -> Result<Option<LowerBound>> {
    let Some(ff) = net.feed_forward()? else {
        return Ok(None);
    };
    let Some(slopes) = ff
        .activations
        .iter()
        .map(inactive_slope)
        .collect::<Option<Vec<f64>>>()
    else {
        return Ok(None);
    };
    let neurons: usize = ff.hidden_widths().iter().sum();
    if neurons == 0 || neurons > settings.exact_max_neurons {
        return Ok(None);
    }
    let n = ff.input_dim();
    if norm == Norm::Linf && n > LINF_EXACT_MAX_INPUTS {
        return Ok(None);
    }
    let norms = PatternNorms::new(&ff, &slopes);
    // Sort key: ‖J_p‖₂ (ℓ2, exact) or √n‖J_p‖₂ ≥ ‖J_p‖_{∞→2} (ℓ∞, an upper estimate),
    // inflated slightly so rounding cannot make a key fall below the value it bounds.
    let inflate = 1.0 + 1e-9;
    let mut keys: Vec<(f64, u64)> = (0..1u64 << neurons)
        .into_par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |bufs, p| {
                let l2 = norms.norm(p, bufs)?;
                let key = match norm {
                    Norm::L2 => l2,
                    Norm::Linf => l2 * (n as f64).sqrt(),
                };
                Ok((key * inflate, p))
            },
        )
        .collect::<Result<_>>()?;
    keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut best: Option<(f64, Vec<f64>)> = None;
    let depth = ff.activations.len();
    let widths = ff.hidden_widths();
    let mut offset = vec![0; depth + 1];
    for k in 0..depth {
        offset[k + 1] = offset[k] + widths[k];
    }
    let mut prefix_memo: std::collections::HashMap<(usize, u64), bool> =
        std::collections::HashMap::new();
    let mut lps = 0;
    let mut examined = 0;
    for &(key, p) in &keys {
        if let Some((b, _)) = &best {
            if key <= *b {
                break;
            }
        }
        examined += 1;
        let (_, jp) = pattern_maps(&ff, &slopes, p);
        let value = jacobian_norm(&jp, norm)?;
        if best.as_ref().is_some_and(|(b, _)| value <= *b) {
            continue;
        }
        // Realisability of the pattern restricted to layers < k is necessary for the
        // whole pattern; those prefixes are shared by many patterns, so their LPs are
        // cached (a 2-input net with 10 first-layer neurons has ~56 of 1024 realisable).
        let mut prefix_ok = true;
        for (k, &off) in offset.iter().enumerate().take(depth).skip(1) {
            let key = (k, p & ((1u64 << off) - 1));
            let ok = match prefix_memo.get(&key) {
                Some(&ok) => ok,
                None => {
                    if lps == settings.max_lp_solves {
                        return Ok(None);
                    }
                    lps += 1;
                    let ok = realise(&ff, &slopes, p, k)?.is_some();
                    prefix_memo.insert(key, ok);
                    ok
                }
            };
            if !ok {
                prefix_ok = false;
                break;
            }
        }
        if !prefix_ok {
            continue;
        }
        if lps == settings.max_lp_solves {
            return Ok(None);
        }
        lps += 1;
        if let Some(x) = realise(&ff, &slopes, p, depth)? {
            if pattern_holds(&ff, p, &x) {
                best = Some((value, x));
                if norm == Norm::L2 {
                    // Keys are the exact norms: nothing later can beat it.
                    break;
                }
            }
        }
    }
    let Some((_, point)) = best else {
        return Ok(None);
    };
    let j = net.jacobian(&point)?;
    Ok(Some(LowerBound {
        value: certified_value(&j, norm)?,
        point,
        method: LowerBoundMethod::ExactPatterns,
        evaluations: examined,
        exact: true,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dense;
    use proptest::prelude::*;

    fn net(layers: Vec<Layer>, input_dim: usize) -> Network {
        Network { input_dim, layers }
    }

    fn fast() -> LowerBoundSettings {
        LowerBoundSettings::builder()
            .starts(16)
            .local_steps(40)
            .build()
            .unwrap()
    }

    /// relu(x) − relu(−x) = x: L = 1 (LipSDP gives 2).
    #[test]
    fn identity_written_with_two_relus_has_lower_bound_one() {
        let n = net(
            vec![
                Layer::Dense(Dense::from_rows(2, 1, &[1.0, -1.0], None)),
                Layer::Activation(Activation::Relu),
                Layer::Dense(Dense::from_rows(1, 2, &[1.0, -1.0], None)),
            ],
            1,
        );
        for norm in [Norm::L2, Norm::Linf] {
            let lb = lower_bound(&n, norm, &fast()).unwrap();
            assert!((lb.value - 1.0).abs() < 1e-12, "{norm:?}: {lb:?}");
            assert_eq!(lb.method, LowerBoundMethod::ExactPatterns);
            // Sampling alone finds it too.
            let s = LowerBoundSettings::builder()
                .exact_max_neurons(0)
                .build()
                .unwrap();
            let lb = lower_bound(&n, norm, &s).unwrap();
            assert!((lb.value - 1.0).abs() < 1e-12 && lb.method == LowerBoundMethod::Sampling);
        }
    }

    /// A diagonal (separable) network: L = max_i |w2_i| · |w1_i| over neurons that can be
    /// active, which is every neuron since each acts on its own coordinate.
    #[test]
    fn diagonal_network_lower_bound_is_the_exact_constant() {
        let w1 = [2.0, -0.5, 1.5];
        let w2 = [0.7, 3.0, -1.2];
        let n = net(
            vec![
                Layer::Dense(Dense::from_rows(
                    3,
                    3,
                    &[w1[0], 0., 0., 0., w1[1], 0., 0., 0., w1[2]],
                    Some(&[0.1, -0.2, 0.3]),
                )),
                Layer::Activation(Activation::Relu),
                Layer::Dense(Dense::from_rows(
                    3,
                    3,
                    &[w2[0], 0., 0., 0., w2[1], 0., 0., 0., w2[2]],
                    None,
                )),
            ],
            3,
        );
        // ℓ2: the Jacobian is diagonal with entries w2_i w1_i or 0: max |w2_i w1_i| = 1.8.
        let lb = lower_bound(&n, Norm::L2, &fast()).unwrap();
        assert!((lb.value - 1.8).abs() < 1e-12, "{lb:?}");
        assert!(lb.exact);
        // ℓ∞ → ℓ2: all active, ‖diag(d)‖_{∞→2} = ‖d‖₂.
        let d: f64 = (0..3).map(|i| (w1[i] * w2[i]).powi(2)).sum::<f64>().sqrt();
        let lb = lower_bound(&n, Norm::Linf, &fast()).unwrap();
        assert!((lb.value - d).abs() < 1e-12, "{lb:?} vs {d}");
    }

    fn random_net(seed: u64, widths: &[usize], act: Activation) -> Network {
        let mut rng = seeded_rng(seed);
        let mut layers = Vec::new();
        for k in 0..widths.len() - 1 {
            let w = quadra_core::rng::gaussian_matrix(widths[k + 1], widths[k], &mut rng);
            let b = gaussian_vec(widths[k + 1], &mut rng);
            layers.push(Layer::Dense(Dense { weight: w, bias: b }));
            if k + 2 < widths.len() {
                layers.push(Layer::Activation(act.clone()));
            }
        }
        net(layers, widths[0])
    }

    fn naive_product(n: &Network) -> f64 {
        n.layers
            .iter()
            .filter_map(|l| match l {
                Layer::Dense(d) => Some(spectral_norm(d.weight.as_ref()).unwrap().upper),
                _ => None,
            })
            .product()
    }

    /// The work cap leaves small searches alone and shrinks large ones deterministically
    /// (steps first, then starts, never below 10 / 8).
    #[test]
    fn work_budget_caps_large_searches_only() {
        let small = random_net(1, &[2, 10, 30, 20, 2], Activation::Relu);
        let d = LowerBoundSettings::default();
        assert_eq!(within_budget(&small, &d), d);
        let wide = random_net(2, &[256, 256, 256, 10], Activation::Relu);
        let capped = within_budget(&wide, &d);
        assert!(capped.local_steps < d.local_steps && capped.local_steps >= 10);
        let work = capped.starts as f64 * (capped.local_steps + 1) as f64 * jacobian_work(&wide);
        assert!(
            work <= d.work_budget * 1.01 || capped.starts == 8,
            "{capped:?}"
        );
        let tiny_budget = LowerBoundSettings::builder()
            .work_budget(1.0)
            .build()
            .unwrap();
        let floor = within_budget(&wide, &tiny_budget);
        assert_eq!((floor.local_steps, floor.starts), (10, 8));
        assert!(LowerBoundSettings::builder()
            .work_budget(0.0)
            .build()
            .is_err());
        let lb = lower_bound(&wide, Norm::L2, &tiny_budget).unwrap();
        assert_eq!(lb.evaluations, 8 * 11);
    }

    #[test]
    fn enumeration_dominates_sampling_on_a_small_net() {
        let n = random_net(3, &[2, 5, 4, 1], Activation::Relu);
        for norm in [Norm::L2, Norm::Linf] {
            let exact = lower_bound(&n, norm, &fast()).unwrap();
            assert!(exact.exact, "{norm:?}");
            let s = LowerBoundSettings::builder()
                .exact_max_neurons(0)
                .starts(64)
                .local_steps(100)
                .build()
                .unwrap();
            let sampled = lower_bound(&n, norm, &s).unwrap();
            assert!(
                sampled.value <= exact.value * (1.0 + 1e-9),
                "{norm:?}: {sampled:?} > {exact:?}"
            );
            // Sampling gets close on a 2-D input (few regions).
            assert!(
                sampled.value >= 0.9 * exact.value,
                "{norm:?}: {sampled:?} ≪ {exact:?}"
            );
            // The point is in the interior of a region whose Jacobian has that norm.
            let j = n.jacobian(&exact.point).unwrap();
            assert!((jacobian_norm(&j, norm).unwrap() - exact.value).abs() <= 1e-9 * exact.value);
        }
    }

    #[test]
    fn leaky_relu_enumeration_and_sampling_agree_on_a_one_input_net() {
        // With one input every region is an interval: dense sampling sees all of them.
        let n = random_net(5, &[1, 6, 1], Activation::LeakyRelu { slope: 0.1 });
        let exact = lower_bound(&n, Norm::L2, &fast()).unwrap();
        assert!(exact.exact);
        let mut best: f64 = 0.0;
        for k in 0..200_001 {
            let x = -40.0 + 80.0 * k as f64 / 200_000.0;
            best = best.max(n.jacobian(&[x]).unwrap()[(0, 0)].abs());
        }
        assert!(
            (best - exact.value).abs() <= 1e-9 * best,
            "{best} vs {exact:?}"
        );
    }

    #[test]
    fn settings_are_checked_and_results_reproducible() {
        assert!(LowerBoundSettings::builder().starts(0).build().is_err());
        assert!(LowerBoundSettings::builder()
            .scales(vec![1.0, -1.0])
            .build()
            .is_err());
        assert!(LowerBoundSettings::builder()
            .exact_max_neurons(30)
            .build()
            .is_err());
        let n = random_net(9, &[4, 8, 3], Activation::Tanh);
        let s = LowerBoundSettings::builder()
            .seed(42)
            .starts(8)
            .local_steps(20)
            .build()
            .unwrap();
        let a = lower_bound(&n, Norm::L2, &s).unwrap();
        let b = lower_bound(&n, Norm::L2, &s).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.method, LowerBoundMethod::Sampling);
    }

    #[test]
    fn pattern_gram_norms_match_the_pattern_jacobian() {
        let n = random_net(13, &[5, 4, 3, 2], Activation::LeakyRelu { slope: 0.2 });
        let ff = n.feed_forward().unwrap().unwrap();
        let slopes = vec![0.2, 0.2];
        let norms = PatternNorms::new(&ff, &slopes);
        let mut bufs = (Vec::new(), Vec::new());
        for p in 0..(1u64 << 7) {
            let (_, jp) = pattern_maps(&ff, &slopes, p);
            let direct = spectral_norm(jp.as_ref()).unwrap().value;
            let gram = norms.norm(p, &mut bufs).unwrap();
            assert!(
                (direct - gram).abs() <= 1e-12 * direct.max(1.0),
                "pattern {p}: {direct} vs {gram}"
            );
        }
    }

    #[test]
    fn fast_jacobian_matches_the_network_jacobian() {
        for (seed, act) in [
            (1, Activation::Relu),
            (2, Activation::MaxMin),
            (3, Activation::GroupSort { group: 3 }),
            (4, Activation::Tanh),
            (5, Activation::Softplus),
        ] {
            let mut n = random_net(seed, &[7, 6, 6, 3], act.clone());
            if seed == 5 {
                // A residual block x + W σ(V x) in the middle.
                let mut rng = seeded_rng(99);
                let block = vec![
                    Layer::Dense(Dense::new(quadra_core::rng::gaussian_matrix(
                        4, 6, &mut rng,
                    ))),
                    Layer::Activation(act),
                    Layer::Dense(Dense::new(quadra_core::rng::gaussian_matrix(
                        6, 4, &mut rng,
                    ))),
                ];
                n.layers.insert(2, Layer::Residual(block));
            }
            let jac = JacobianEval::new(&n);
            assert!(matches!(jac, JacobianEval::Seeded(_)));
            let mut rng = seeded_rng(seed);
            for _ in 0..5 {
                let x = gaussian_vec(7, &mut rng);
                let (a, b) = (jac.at(&x).unwrap(), n.jacobian(&x).unwrap());
                assert_eq!((a.nrows(), a.ncols()), (b.nrows(), b.ncols()));
                for i in 0..a.nrows() {
                    for c in 0..a.ncols() {
                        assert!((a[(i, c)] - b[(i, c)]).abs() <= 1e-12 * (1.0 + b[(i, c)].abs()));
                    }
                }
            }
        }
    }

    #[test]
    fn linf_greedy_never_exceeds_enumeration() {
        let mut rng = seeded_rng(1);
        for _ in 0..20 {
            let j = quadra_core::rng::gaussian_matrix(3, 12, &mut rng);
            let exact = inf_to_two(&j);
            // Force the greedy path on the same matrix padded with zero columns.
            let padded = Mat::from_fn(3, 20, |r, c| if c < 12 { j[(r, c)] } else { 0.0 });
            let greedy = inf_to_two(&padded);
            assert!(
                greedy <= exact * (1.0 + 1e-12) && greedy >= 0.8 * exact,
                "{greedy} vs {exact}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// A lower bound never exceeds the naive upper bound Π‖W_k‖₂ (1-Lipschitz
        /// activations), for ℓ2 and for ℓ∞ (where the upper bound is √n Π‖W_k‖₂).
        #[test]
        fn lower_bound_is_below_the_naive_product(seed in 0u64..10_000, w1 in 2usize..7, w2 in 1usize..6) {
            let n = random_net(seed, &[3, w1, w2, 2], Activation::Relu);
            let s = LowerBoundSettings::builder().seed(seed).starts(8).local_steps(20).build().unwrap();
            let naive = naive_product(&n);
            let l2 = lower_bound(&n, Norm::L2, &s).unwrap();
            prop_assert!(l2.value <= naive * (1.0 + 1e-12), "{} > {}", l2.value, naive);
            prop_assert!(l2.value > 0.0 || naive < 1e-12 || l2.value == 0.0);
            let linf = lower_bound(&n, Norm::Linf, &s).unwrap();
            prop_assert!(linf.value <= 3f64.sqrt() * naive * (1.0 + 1e-12));
            // ‖J‖₂ ≤ ‖J‖_{∞→2} at every point, so the best ℓ∞ value is at least the ℓ2 one
            // when both are exact.
            if l2.exact && linf.exact {
                prop_assert!(linf.value >= l2.value * (1.0 - 1e-9));
            }
        }
    }
}
