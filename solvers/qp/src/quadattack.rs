//! The QuadAttack ordered top-K program on a linear head, solved exactly through its dual.
//!
//! For logits `ℓ(z) = Wz + b` (`W ∈ R^{C×d}`), features `f` and ordered targets
//! `t₁, …, t_K`, QuadAttack (Paniagua, Grainger & Wu 2023, eq. (5)) projects `f` onto the
//! region where the targets rank first, in order, with margin `m`:
//!
//! ```text
//!   min ‖z − f‖²  s.t.  ℓ_{t_k}(z) − ℓ_{t_{k+1}}(z) ≥ m   (k < K),
//!                      ℓ_{t_K}(z) − ℓ_c(z) ≥ m           (c ∉ T).
//! ```
//!
//! The `C − 1` constraints are `Gz ≥ h` with `G = DW`, where each row of `D` holds `+1` at
//! the higher class `a_j` and `−1` at the lower class `b_j`, and `h_j = m − (b_{a_j} − b_{b_j})`.
//! The optimum is `z = f + Gᵀμ` with `μ ≥ 0` the minimiser of the dual
//! `½μᵀHμ + μᵀ(Gf − h)`, whose Hessian `H = GGᵀ = D(WWᵀ)Dᵀ` needs only the per-head Gram
//! matrix `S = WWᵀ`: `H_ij = S_{a_i a_j} − S_{a_i b_j} − S_{b_i a_j} + S_{b_i b_j}`. The
//! dual is solved by the Goldfarb–Idnani active-set method ([`crate::dual_active_set`]),
//! which also detects infeasibility (when `d < C − 1` the reachable logits form a
//! `d`-dimensional affine subspace that may miss the ordered cone) and returns a Farkas
//! certificate. One solve costs two products with `W` (`O(Cd)`) plus `O(C·|A|)` per
//! active-set step; `S` is computed once per head (`O(C²d)`).
//!
//! Closed forms (tests): one active constraint gives the halfspace projection
//! `z = f + (h_j − g_jᵀf)/‖g_j‖² · g_j`; a known active set gives
//! `z = f − G_Aᵀ(G_A G_Aᵀ)⁻¹(G_A f − h_A)`; and the gradient of `‖f − z*(f)‖²` is
//! `2(f − z*)` (squared distance to a convex set), so no differentiable QP layer is needed
//! (`proofs/quadattack_dual.md`).
//!
//! ## References
//! - T. Paniagua, R. Grainger, T. Wu, *QuadAttacK: A Quadratic Programming Approach to
//!   Learning Ordered Top-K Adversarial Attacks*, NeurIPS 2023, arXiv:2312.11510.
//! - D. Goldfarb, A. Idnani, Math. Programming 27 (1983) 1–33.

use quadra_core::Mat;
use rayon::prelude::*;

use crate::dual_active_set::{ConstraintGram, DualActiveSet, DualOutcome, DualSettings};
use crate::error::{check_finite, check_len, QpError, Result};
use crate::settings::TopKSettings;

/// A linear classification head `ℓ(z) = Wz + b` with its Gram matrix `S = WWᵀ`
/// precomputed (the one-off cost shared by every solve on this head).
#[derive(Debug, Clone)]
pub struct LinearHead {
    classes: usize,
    dim: usize,
    /// `W` row-major (`C × d`): row `c` is `w_c`.
    w: Vec<f64>,
    bias: Vec<f64>,
    /// `S = WWᵀ`, `C × C`, symmetric (row `c` = column `c`).
    gram: Vec<f64>,
}

impl LinearHead {
    /// Builds a head from `W` (row-major, `classes × dim`) and `b` (`classes`), computing
    /// `S = WWᵀ` with faer.
    pub fn new(weights: &[f64], classes: usize, dim: usize, bias: &[f64]) -> Result<Self> {
        if classes < 2 {
            return Err(QpError::InvalidSetting {
                name: "classes",
                value: classes.to_string(),
                expected: "at least 2 classes",
            });
        }
        if dim == 0 {
            return Err(QpError::Empty("head with feature dimension 0"));
        }
        check_len("W (classes × dim entries)", classes * dim, weights.len())?;
        check_len("b (one bias per class)", classes, bias.len())?;
        check_finite("W", weights)?;
        check_finite("b", bias)?;
        let wt = Mat::from_fn(dim, classes, |i, c| weights[c * dim + i]);
        let s = wt.transpose() * &wt;
        let mut gram = vec![0.0; classes * classes];
        for c in 0..classes {
            for r in 0..classes {
                // Symmetrise exactly (faer's product is symmetric up to rounding).
                gram[c * classes + r] = 0.5 * (s[(r, c)] + s[(c, r)]);
            }
        }
        Ok(LinearHead {
            classes,
            dim,
            w: weights.to_vec(),
            bias: bias.to_vec(),
            gram,
        })
    }

    /// Number of classes `C`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Feature dimension `d`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Row `c` of `W`.
    pub fn weight_row(&self, c: usize) -> &[f64] {
        &self.w[c * self.dim..(c + 1) * self.dim]
    }

    /// `S_ij = w_iᵀ w_j`.
    pub fn gram(&self, i: usize, j: usize) -> f64 {
        self.gram[i * self.classes + j]
    }

    /// Logits `Wz + b`.
    pub fn logits(&self, z: &[f64]) -> Vec<f64> {
        (0..self.classes)
            .map(|c| dot(self.weight_row(c), z) + self.bias[c])
            .collect()
    }

    /// `ℓ(f + Wᵀv) = ℓ(f) + Sv` for a class-space vector `v` (skipping zeros).
    pub fn logits_after_step(&self, logits: &[f64], v: &[f64]) -> Vec<f64> {
        let mut out = logits.to_vec();
        for (c, &vc) in v.iter().enumerate() {
            if vc != 0.0 {
                let col = &self.gram[c * self.classes..(c + 1) * self.classes];
                for (o, s) in out.iter_mut().zip(col) {
                    *o += vc * s;
                }
            }
        }
        out
    }

    /// `z ← z + Wᵀv` for a class-space vector `v` (skipping zeros).
    fn add_transpose_times(&self, v: &[f64], z: &mut [f64]) {
        for (c, &vc) in v.iter().enumerate() {
            if vc != 0.0 {
                for (zi, wi) in z.iter_mut().zip(self.weight_row(c)) {
                    *zi += vc * wi;
                }
            }
        }
    }
}

/// Dot product with four accumulators (vectorises, and rounds no worse than the naive sum).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Checks an ordered target list against `classes`: nonempty, distinct, in range, `K < C`.
pub fn check_targets(targets: &[usize], classes: usize) -> Result<()> {
    if targets.is_empty() {
        return Err(QpError::InvalidTargets(
            "no targets given (need 1 ≤ K < C)".into(),
        ));
    }
    if targets.len() >= classes {
        return Err(QpError::InvalidTargets(format!(
            "K = {} targets for C = {classes} classes (need K < C)",
            targets.len()
        )));
    }
    let mut seen = vec![false; classes];
    for (k, &t) in targets.iter().enumerate() {
        if t >= classes {
            return Err(QpError::InvalidTargets(format!(
                "target {t} (position {}) out of range 0..{classes}",
                k + 1
            )));
        }
        if seen[t] {
            return Err(QpError::InvalidTargets(format!(
                "target {t} repeated (position {})",
                k + 1
            )));
        }
        seen[t] = true;
    }
    Ok(())
}

/// Whether `logits` rank `targets` first, in order, strictly above every other class.
pub fn ordered_topk_success(logits: &[f64], targets: &[usize]) -> bool {
    let k = targets.len();
    if k == 0 || k >= logits.len() {
        return false;
    }
    for w in targets.windows(2) {
        if logits[w[0]] <= logits[w[1]] {
            return false;
        }
    }
    let last = logits[targets[k - 1]];
    logits
        .iter()
        .enumerate()
        .all(|(c, &l)| targets.contains(&c) || l < last)
}

/// The ordered top-K program for one head and target list (features vary per solve).
#[derive(Debug, Clone)]
pub struct OrderedTopK<'h> {
    head: &'h LinearHead,
    targets: Vec<usize>,
    margin: f64,
    /// Constraint `j` reads `ℓ_{a_j} − ℓ_{b_j} ≥ m`.
    pairs: Vec<(usize, usize)>,
}

impl<'h> OrderedTopK<'h> {
    /// The program for `targets` (ordered, distinct, `1 ≤ K < C`) and margin `m ≥ 0`.
    pub fn new(head: &'h LinearHead, targets: &[usize], margin: f64) -> Result<Self> {
        check_targets(targets, head.classes)?;
        if !(margin.is_finite() && margin >= 0.0) {
            return Err(QpError::InvalidSetting {
                name: "margin",
                value: margin.to_string(),
                expected: "a finite number ≥ 0",
            });
        }
        let k = targets.len();
        let mut pairs = Vec::with_capacity(head.classes - 1);
        for w in targets.windows(2) {
            pairs.push((w[0], w[1]));
        }
        let mut is_target = vec![false; head.classes];
        for &t in targets {
            is_target[t] = true;
        }
        for (c, &it) in is_target.iter().enumerate() {
            if !it {
                pairs.push((targets[k - 1], c));
            }
        }
        Ok(OrderedTopK {
            head,
            targets: targets.to_vec(),
            margin,
            pairs,
        })
    }

    /// The constraints as `(a, b)`: `ℓ_a(z) − ℓ_b(z) ≥ m`.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    /// The targets.
    pub fn targets(&self) -> &[usize] {
        &self.targets
    }

    /// The margin `m`.
    pub fn margin(&self) -> f64 {
        self.margin
    }

    /// Constraint values `g_jᵀz − h_j = ℓ_{a_j}(z) − ℓ_{b_j}(z) − m` from logits.
    pub fn slacks_from_logits(&self, logits: &[f64]) -> Vec<f64> {
        self.pairs
            .iter()
            .map(|&(a, b)| logits[a] - logits[b] - self.margin)
            .collect()
    }

    /// `h_j = m − (b_a − b_b)`.
    fn rhs(&self, j: usize) -> f64 {
        let (a, b) = self.pairs[j];
        self.margin - (self.head.bias[a] - self.head.bias[b])
    }

    /// `Dᵀμ` in class space.
    fn class_vector(&self, terms: impl Iterator<Item = (usize, f64)>) -> Vec<f64> {
        let mut v = vec![0.0; self.head.classes];
        for (j, c) in terms {
            let (a, b) = self.pairs[j];
            v[a] += c;
            v[b] -= c;
        }
        v
    }

    /// Solves the program at `features`, warm-started from a previous active set
    /// (constraint indices, e.g. [`TopKSolution::active`]) if given.
    pub fn solve(
        &self,
        features: &[f64],
        warm: Option<&[usize]>,
        settings: &TopKSettings,
    ) -> Result<TopKSolution> {
        check_len("features", self.head.dim, features.len())?;
        check_finite("features", features)?;
        let logits0 = self.head.logits(features);
        self.solve_at(features, &logits0, warm, settings)
    }

    /// [`Self::solve`] with the logits `ℓ(f) = Wf + b` already computed (the attack loop
    /// needs them for its success check; this saves one pass over `W`).
    pub fn solve_at(
        &self,
        features: &[f64],
        logits0: &[f64],
        warm: Option<&[usize]>,
        settings: &TopKSettings,
    ) -> Result<TopKSolution> {
        check_len("features", self.head.dim, features.len())?;
        check_len("logits", self.head.classes, logits0.len())?;
        check_finite("features", features)?;
        check_finite("logits", logits0)?;
        let s0 = self.slacks_from_logits(logits0);
        let scale = 1.0 + dot(features, features).sqrt();
        let dual = DualSettings {
            feas_tol: settings.feas_tol(),
            dep_tol: settings.dep_tol(),
            max_iter: settings.max_iter(),
        };
        let mut state = DualActiveSet::new(self, &s0, &[], scale, dual);
        if let Some(w) = warm {
            state.warm_start(w);
        }
        let outcome = state.solve();
        let mut iterations = state.iterations();
        let (outcome, mu, active) = match outcome {
            DualOutcome::Optimal => {
                // Polish: recompute μ_A from a fresh factor and fresh slacks (no drift),
                // and continue if that point is not optimal after all.
                let mut polish = DualActiveSet::new(self, &s0, &[], scale, dual);
                polish.warm_start(state.active());
                let o = polish.solve();
                iterations += polish.iterations();
                (o, polish.multipliers(), polish.active().to_vec())
            }
            other => (other, state.multipliers(), state.active().to_vec()),
        };
        if outcome == DualOutcome::IterationLimit {
            return Err(QpError::IterationLimit {
                max_iter: settings.max_iter(),
                active: active.len(),
                violation: state.max_violation(),
            });
        }
        let v = self.class_vector(mu.iter().copied().enumerate().filter(|(_, u)| *u != 0.0));
        let mut z = features.to_vec();
        self.head.add_transpose_times(&v, &mut z);
        // ℓ(z) = ℓ(f) + W Wᵀ v = ℓ(f) + S v: O(C·nnz(v)) instead of a pass over W.
        let logits = self.head.logits_after_step(logits0, &v);
        let slack = self.slacks_from_logits(&logits);
        let norms: Vec<f64> = self
            .pairs
            .iter()
            .map(|&(a, b)| {
                (self.head.gram(a, a) - 2.0 * self.head.gram(a, b) + self.head.gram(b, b))
                    .max(0.0)
                    .sqrt()
            })
            .collect();
        let kkt = KktResiduals::new(&slack, &mu, &norms, scale);
        let distance = z
            .iter()
            .zip(features)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let status = match outcome {
            DualOutcome::Infeasible(ray) => {
                let u = self.class_vector(ray.entries.iter().copied());
                let mut gtv = vec![0.0; self.head.dim];
                self.head.add_transpose_times(&u, &mut gtv);
                let size: f64 = ray.entries.iter().map(|&(j, x)| x.abs() * norms[j]).sum();
                let gap: f64 = ray.entries.iter().map(|&(j, x)| x * self.rhs(j)).sum();
                TopKStatus::Infeasible {
                    ray: ray.entries,
                    ray_residual: dot(&gtv, &gtv).sqrt() / size.max(f64::MIN_POSITIVE),
                    ray_gap: gap,
                }
            }
            _ => TopKStatus::Optimal,
        };
        let success = ordered_topk_success(&logits, &self.targets);
        Ok(TopKSolution {
            status,
            z,
            distance,
            active,
            multipliers: mu,
            kkt,
            iterations,
            success,
        })
    }
}

impl ConstraintGram for OrderedTopK<'_> {
    fn len(&self) -> usize {
        self.pairs.len()
    }

    fn entry(&self, i: usize, j: usize) -> f64 {
        let (ai, bi) = self.pairs[i];
        let (aj, bj) = self.pairs[j];
        let s = |x, y| self.head.gram(x, y);
        s(ai, aj) - s(ai, bj) - s(bi, aj) + s(bi, bj)
    }

    fn mul_sparse(&self, terms: &[(usize, f64)], out: &mut [f64]) {
        // H v = D S (Dᵀ v): Dᵀv has at most 2·nnz(v) entries, S·(Dᵀv) costs O(C·nnz).
        let c = self.head.classes;
        let mut classes: Vec<(usize, f64)> = Vec::with_capacity(2 * terms.len());
        for &(j, x) in terms {
            let (a, b) = self.pairs[j];
            classes.push((a, x));
            classes.push((b, -x));
        }
        classes.sort_unstable_by_key(|e| e.0);
        let mut u = vec![0.0; c];
        let mut k = 0;
        while k < classes.len() {
            let cls = classes[k].0;
            let mut coeff = 0.0;
            while k < classes.len() && classes[k].0 == cls {
                coeff += classes[k].1;
                k += 1;
            }
            if coeff != 0.0 {
                let col = &self.head.gram[cls * c..(cls + 1) * c];
                for (ui, si) in u.iter_mut().zip(col) {
                    *ui += coeff * si;
                }
            }
        }
        for (o, &(a, b)) in out.iter_mut().zip(&self.pairs) {
            *o = u[a] - u[b];
        }
    }
}

/// Residuals of the KKT conditions at the returned point, each relative to the problem's
/// size `σ = 1 + ‖f‖` (slacks measured as distances `s_j/‖g_j‖`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KktResiduals {
    /// `max_j max(0, −s_j)/(‖g_j‖σ)`: primal infeasibility.
    pub primal: f64,
    /// `max_j max(0, −μ_j)‖g_j‖/σ`: dual infeasibility (negative multipliers).
    pub dual: f64,
    /// `max_j μ_j|s_j|/σ²`: complementarity.
    pub complementarity: f64,
}

impl KktResiduals {
    fn new(slack: &[f64], mu: &[f64], norms: &[f64], scale: f64) -> Self {
        let mut r = KktResiduals {
            primal: 0.0,
            dual: 0.0,
            complementarity: 0.0,
        };
        for ((&s, &u), &n) in slack.iter().zip(mu).zip(norms) {
            let n = n.max(f64::MIN_POSITIVE);
            r.primal = r.primal.max((-s).max(0.0) / (n * scale));
            r.dual = r.dual.max((-u).max(0.0) * n / scale);
            r.complementarity = r.complementarity.max(u.abs() * s.abs() / (scale * scale));
        }
        r
    }

    /// The largest of the three.
    pub fn max(&self) -> f64 {
        self.primal.max(self.dual).max(self.complementarity)
    }
}

/// Outcome of one ordered top-K solve.
#[derive(Debug, Clone, PartialEq)]
pub enum TopKStatus {
    /// `z` is the projection (KKT residuals in [`TopKSolution::kkt`]).
    Optimal,
    /// No embedding reaches the ordered region. `ray` is a Farkas certificate
    /// `v ≥ 0` (constraint, value) with `Gᵀv = 0` and `hᵀv > 0`; `ray_residual` is
    /// `‖Gᵀv‖/Σ_j v_j‖g_j‖` recomputed from `W`, and `ray_gap` is `hᵀv`.
    Infeasible {
        /// Nonzero entries of the certificate.
        ray: Vec<(usize, f64)>,
        /// Relative residual of `Gᵀv = 0`.
        ray_residual: f64,
        /// `hᵀv` (positive).
        ray_gap: f64,
    },
}

impl TopKStatus {
    /// `"optimal"` or `"infeasible"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            TopKStatus::Optimal => "optimal",
            TopKStatus::Infeasible { .. } => "infeasible",
        }
    }
}

/// The result of [`OrderedTopK::solve`].
#[derive(Debug, Clone, PartialEq)]
pub struct TopKSolution {
    /// Optimal or infeasible (with certificate).
    pub status: TopKStatus,
    /// The projected embedding (the last iterate when infeasible).
    pub z: Vec<f64>,
    /// `‖z − f‖`.
    pub distance: f64,
    /// Active constraints (indices into [`OrderedTopK::pairs`]); pass back as a warm start.
    pub active: Vec<usize>,
    /// Multipliers `μ` (one per constraint): `z = f + Gᵀμ`.
    pub multipliers: Vec<f64>,
    /// KKT residuals at `z` (logits `ℓ(z) = ℓ(f) + S Dᵀμ`).
    pub kkt: KktResiduals,
    /// Active-set steps.
    pub iterations: usize,
    /// Whether `ℓ(z)` ranks the targets first, in order ([`ordered_topk_success`]).
    pub success: bool,
}

impl TopKSolution {
    /// The gradient of `‖f − z*(f)‖²` with respect to `f`: `2(f − z*)`.
    pub fn distance_gradient(&self, features: &[f64]) -> Vec<f64> {
        features
            .iter()
            .zip(&self.z)
            .map(|(f, z)| 2.0 * (f - z))
            .collect()
    }
}

/// One ordered top-K instance of a batch: features and targets.
#[derive(Debug, Clone, PartialEq)]
pub struct TopKInstance {
    /// Features `f` (length `d`).
    pub features: Vec<f64>,
    /// Ordered targets.
    pub targets: Vec<usize>,
}

/// Solves a batch of instances on one head in parallel (rayon), each cold-started.
pub fn solve_batch(
    head: &LinearHead,
    instances: &[TopKInstance],
    settings: &TopKSettings,
) -> Vec<Result<TopKSolution>> {
    instances
        .par_iter()
        .map(|inst| {
            OrderedTopK::new(head, &inst.targets, settings.margin())?.solve(
                &inst.features,
                None,
                settings,
            )
        })
        .collect()
}
