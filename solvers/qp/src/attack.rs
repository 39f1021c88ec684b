//! The QuadAttack loop on a linear head over features (Paniagua et al. 2023, Alg. 1):
//! gradient steps on `‖δ‖² + c·‖x − z*(x)‖²` at `x = f + δ`, where `z*(x)` is the
//! ordered top-K projection of the embedding (here the features themselves), with a
//! binary search on the loss weight `c` (smallest weight that still succeeds, as in
//! Carlini–Wagner) and the ordered top-K success check on the logits of `x`.
//!
//! The attack-loss gradient is `2c(x − z*(x))` (the gradient of a squared distance to a
//! convex set), so each step costs one QP solve, warm-started from the previous
//! step's active set.

use std::time::Instant;

use crate::error::Result;
use crate::quadattack::{ordered_topk_success, LinearHead, OrderedTopK, TopKStatus};
use crate::settings::AttackSettings;

/// The result of [`attack_linear_head`].
#[derive(Debug, Clone, PartialEq)]
pub struct AttackResult {
    /// Whether some step ranked the targets first, in order.
    pub success: bool,
    /// The smallest successful perturbation `δ` (zeros when none succeeded).
    pub delta: Vec<f64>,
    /// `‖δ‖₂` of [`AttackResult::delta`].
    pub perturbation_norm: f64,
    /// Loss weight `c` at which the best perturbation was found.
    pub weight: f64,
    /// QP solves performed.
    pub qp_solves: usize,
    /// Wall-clock seconds of the loop.
    pub seconds: f64,
    /// True when the ordered region is unreachable from any features (the QP is
    /// infeasible; no perturbation can succeed).
    pub infeasible: bool,
}

impl AttackResult {
    /// QP solves per second.
    pub fn solves_per_second(&self) -> f64 {
        self.qp_solves as f64 / self.seconds.max(f64::MIN_POSITIVE)
    }
}

/// Runs the attack loop for `targets` from `features`.
pub fn attack_linear_head(
    head: &LinearHead,
    features: &[f64],
    targets: &[usize],
    settings: &AttackSettings,
) -> Result<AttackResult> {
    let start = Instant::now();
    let qp = settings.qp();
    let problem = OrderedTopK::new(head, targets, qp.margin())?;
    let d = head.dim();
    crate::error::check_len("features", d, features.len())?;
    crate::error::check_finite("features", features)?;
    let mut result = AttackResult {
        success: false,
        delta: vec![0.0; d],
        perturbation_norm: f64::INFINITY,
        weight: f64::NAN,
        qp_solves: 0,
        seconds: 0.0,
        infeasible: false,
    };
    let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
    let mut c = settings.initial_weight();
    let mut warm: Option<Vec<usize>> = None;
    let mut x = vec![0.0; d];
    for _ in 0..settings.binary_steps() {
        let mut delta = vec![0.0; d];
        let mut succeeded = false;
        let eta = settings.learning_rate() / (1.0 + c);
        for _ in 0..settings.steps() {
            for ((xi, fi), di) in x.iter_mut().zip(features).zip(&delta) {
                *xi = fi + di;
            }
            let logits = head.logits(&x);
            if ordered_topk_success(&logits, targets) {
                succeeded = true;
                let n = norm(&delta);
                if n < result.perturbation_norm {
                    result.perturbation_norm = n;
                    result.delta.clone_from(&delta);
                    result.weight = c;
                    result.success = true;
                }
            }
            let sol = problem.solve_at(&x, &logits, warm.as_deref(), qp)?;
            result.qp_solves += 1;
            if let TopKStatus::Infeasible { .. } = sol.status {
                result.infeasible = true;
                result.seconds = start.elapsed().as_secs_f64();
                return Ok(finish(result));
            }
            // ∇(‖δ‖² + c‖x − z*‖²) = 2δ + 2c(x − z*).
            for i in 0..d {
                delta[i] -= eta * (2.0 * delta[i] + 2.0 * c * (x[i] - sol.z[i]));
            }
            warm = Some(sol.active);
        }
        for ((xi, fi), di) in x.iter_mut().zip(features).zip(&delta) {
            *xi = fi + di;
        }
        if ordered_topk_success(&head.logits(&x), targets) {
            succeeded = true;
            let n = norm(&delta);
            if n < result.perturbation_norm {
                result.perturbation_norm = n;
                result.delta.clone_from(&delta);
                result.weight = c;
                result.success = true;
            }
        }
        if succeeded {
            hi = c;
            c = 0.5 * (lo + hi);
        } else {
            lo = c;
            c = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                10.0 * c
            };
        }
    }
    result.seconds = start.elapsed().as_secs_f64();
    Ok(finish(result))
}

fn finish(mut r: AttackResult) -> AttackResult {
    if !r.success {
        r.perturbation_norm = 0.0;
    }
    r
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}
