//! Generalised linear models: replica free entropy, Bayes-optimal state evolution and
//! perfect-recovery thresholds for priors × channels.
//!
//! Model (Barbier, Krzakala, Macris, Miolane, Zdeborová 2019): a signal `x* ∈ ℝᴺ`
//! with i.i.d. components from [`GlmPrior`], `n = αN` samples `y_μ ∼ P_out(· | F_μ·x*)`
//! with `F_μ ∼ N(0, I/N)` and [`GlmChannel`] `P_out`. In the limit `N → ∞` the
//! Bayes-optimal overlap `q = E x*·x̂/N` is a fixed point of the state evolution
//! ([`se`]) of largest replica free entropy ([`free_entropy`]); the generic
//! [`ReplicaSolver`](crate::replica::ReplicaSolver) finds the branches and picks it.
//!
//! Reported per `α` ([`GlmPoint`]): the overlap `q`, `MMSE = ρ − q`, the
//! generalisation error of the Bayes-optimal predictor, the free entropy, and the
//! uninformed branch AMP reaches (`amp_*`), which differs inside a hard phase.
//!
//! ## References
//! - J. Barbier, F. Krzakala, N. Macris, L. Miolane, L. Zdeborová, PNAS 116 (2019)
//!   5451–5460, doi:10.1073/pnas.1802705116 (eqs. (7)–(10), Fig. 2).
//! - F. Krzakala, M. Mézard, F. Sausset, Y. Sun, L. Zdeborová, *Statistical-physics-based
//!   reconstruction in compressed sensing*, Phys. Rev. X 2 (2012) 021005.
//! - Y. Wu, S. Verdú, *Optimal phase transitions in compressed sensing*, IEEE Trans.
//!   Inf. Theory 58 (2012) 6241–6263.
//! - S. Rangan, *Generalized approximate message passing*, ISIT 2011.

pub mod amp;
mod channel;
pub mod free_entropy;
mod gauss;
mod prior;
pub mod se;
pub mod thresholds;

pub use channel::GlmChannel;
pub use prior::GlmPrior;
pub use thresholds::{glm_thresholds, perfect_recovery_possible, GlmThresholds};

use crate::error::{check_positive, Result};
use crate::replica::{Branch, ReplicaSolver};
use quadra_core::fixed_point::FixedPointSettings;
use serde::Serialize;

/// `q ≥ ρ(1 − 1e-7)` counts as perfect recovery for a noiseless channel: the state
/// evolution snaps to `ρ` below a relative variance of `1e-13`, and every non-perfect
/// fixed point met in the tests has `ρ − q > 1e-4·ρ`.
pub const PERFECT_RECOVERY_RTOL: f64 = 1e-7;

/// One GLM: prior, channel and sample ratio `α = n/N`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlmModel {
    /// Prior of the signal.
    pub prior: GlmPrior,
    /// Output channel.
    pub channel: GlmChannel,
    /// Samples per dimension.
    pub alpha: f64,
}

impl GlmModel {
    /// A checked model (`α > 0` finite, prior and channel parameters in range).
    pub fn new(prior: GlmPrior, channel: GlmChannel, alpha: f64) -> Result<Self> {
        check_positive("alpha", alpha)?;
        prior.validate()?;
        channel.validate()?;
        Ok(GlmModel {
            prior,
            channel,
            alpha,
        })
    }
}

/// Executor settings for GLM state evolution: plain (undamped, unaccelerated)
/// iteration, which *is* the AMP trajectory and never jumps between branches;
/// tolerance `1e-10` on `|G(q) − q|`; `100 000` iterations, enough for the critical
/// slowing-down within `~1e-4` of a continuous transition.
pub fn default_settings() -> FixedPointSettings {
    FixedPointSettings::builder()
        .tolerance(1e-10)
        .max_iter(100_000)
        .build()
        .expect("valid constant settings")
}

/// Which start the thermodynamic branch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BranchKind {
    /// From `q₀ = 0` (what AMP reaches).
    Uninformed,
    /// From `q₀ = ρ`.
    Informed,
}

/// The Bayes-optimal point of a GLM at one `α`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GlmPoint {
    /// Samples per dimension.
    pub alpha: f64,
    /// Overlap `q = m` (Nishimori) of the thermodynamic branch.
    pub overlap: f64,
    /// `ρ − q`.
    pub mmse: f64,
    /// Bayes-optimal generalisation error (see [`GlmChannel::generalization_error`]).
    pub gen_error: f64,
    /// Replica free entropy of the thermodynamic branch (`None` where it diverges).
    pub free_entropy: Option<f64>,
    /// Which branch is thermodynamic.
    pub branch: BranchKind,
    /// Overlap of the uninformed branch (AMP's fixed point).
    pub amp_overlap: f64,
    /// MMSE of the uninformed branch.
    pub amp_mmse: f64,
    /// Generalisation error of the uninformed branch.
    pub amp_gen_error: f64,
    /// SE iterations of the uninformed branch.
    pub iterations: usize,
    /// `|G(q) − q|` at the uninformed fixed point.
    pub residual: f64,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl GlmModel {
    fn point_from(&self, uninformed: &Branch, informed: &Branch) -> Result<GlmPoint> {
        let rho = self.prior.second_moment();
        let clamp = |q: f64| {
            if self.is_perfect_recovery(q) {
                rho
            } else {
                q.clamp(0.0, rho)
            }
        };
        let qa = clamp(uninformed.order[0]);
        let (best, kind) = if informed.free_entropy > uninformed.free_entropy + 1e-9 {
            (informed, BranchKind::Informed)
        } else {
            (uninformed, BranchKind::Uninformed)
        };
        let q = clamp(best.order[0]);
        Ok(GlmPoint {
            alpha: self.alpha,
            overlap: q,
            mmse: rho - q,
            gen_error: self.channel.generalization_error(q, rho)?,
            free_entropy: finite(best.free_entropy),
            branch: kind,
            amp_overlap: qa,
            amp_mmse: rho - qa,
            amp_gen_error: self.channel.generalization_error(qa, rho)?,
            iterations: uninformed.iterations,
            residual: uninformed.residual,
        })
    }
}

/// The Bayes-optimal point: state evolution from `q₀ = 0` and from `q₀ = ρ`, the branch
/// of larger free entropy is thermodynamic.
pub fn glm_point(model: &GlmModel, settings: &FixedPointSettings) -> Result<GlmPoint> {
    let solver = ReplicaSolver::new(*settings);
    let rho = model.prior.second_moment();
    let eq = solver.equilibrium(model, &[vec![0.0], vec![rho]])?;
    model.point_from(&eq.branches[0], &eq.branches[1])
}

/// Points over `alphas`. For an increasing sweep the uninformed branch is followed by
/// continuation (each SE starts at the previous fixed point, exact because `G_α` is
/// increasing in `α`); otherwise each point starts cold.
pub fn glm_curve(
    prior: GlmPrior,
    channel: GlmChannel,
    alphas: &[f64],
    settings: &FixedPointSettings,
) -> Result<Vec<GlmPoint>> {
    let models = alphas
        .iter()
        .map(|&a| GlmModel::new(prior, channel, a))
        .collect::<Result<Vec<_>>>()?;
    let increasing = alphas.windows(2).all(|w| w[0] < w[1]);
    if !increasing {
        return models.iter().map(|m| glm_point(m, settings)).collect();
    }
    let solver = ReplicaSolver::new(*settings);
    let rho = prior.second_moment();
    let uninformed = solver.continuation(alphas, &[0.0], |a| GlmModel::new(prior, channel, a))?;
    models
        .iter()
        .zip(&uninformed)
        .map(|(m, u)| {
            let informed = solver.branch(m, &[rho])?;
            m.point_from(u, &informed)
        })
        .collect()
}
