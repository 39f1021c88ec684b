//! The replica-symmetric free entropy of the GLM (Barbier et al. 2019, eq. (8)):
//!
//! ```text
//! f_RS(q, r) = ψ_{P₀}(r) + α·Ψ_out(q) − r·q/2,
//! ```
//!
//! evaluated on the stationarity curve `r = α·ĝ(q)` (`∂_q f_RS = 0`); at a fixed point
//! of the state evolution also `∂_r f_RS = 0`. The asymptotic per-sample mutual
//! information is `I/n = −f_RS + α·E ln P_out(Y|Z)` (a constant in `q`), so the branch
//! of largest `f_RS` is the Bayes-optimal one.
//!
//! **Perfect recovery** `q = ρ` (noiseless channels): with `V = ρ − q → 0`,
//! `ψ(r) − rq/2 → −H(P₀)` for a discrete prior and `≈ −(d(P₀)/2)·ln(1/V)` for a prior with
//! information dimension `d(P₀) > 0`, while `α·Ψ_out ≈ α·c·ln(1/V)` with `c` the
//! channel's [`output_dimension_weight`](super::GlmChannel::output_dimension_weight).
//! Hence `f_RS(ρ) = −H(P₀) + α·Ψ_out(ρ)` when both are finite (discrete prior, sign
//! channel: `−ln 2`), and otherwise `±∞` with the sign of `α·c − d(P₀)/2`
//! (`proofs/glm_state_evolution.md` §4).

use super::{GlmModel, PERFECT_RECOVERY_RTOL};
use crate::error::Result;

impl GlmModel {
    /// `f_RS(q, r)` at an arbitrary pair (no stationarity assumed).
    pub fn free_entropy_at(&self, q: f64, r: f64) -> Result<f64> {
        let rho = self.prior.second_moment();
        Ok(
            self.prior.free_entropy(r)? + self.alpha * self.channel.free_entropy(q, rho)?
                - 0.5 * r * q,
        )
    }

    /// `f_RS` on the stationarity curve `r = α·ĝ(q)`; at perfect recovery of a noiseless
    /// channel, the limit described in the module docs (possibly `±∞`).
    pub fn free_entropy(&self, q: f64) -> Result<f64> {
        let rho = self.prior.second_moment();
        if self.channel.is_noiseless() && q >= rho * (1.0 - PERFECT_RECOVERY_RTOL) {
            return Ok(self.perfect_recovery_free_entropy());
        }
        let q = q.clamp(0.0, rho);
        let r = self.conjugate(q)?;
        self.free_entropy_at(q, r)
    }

    /// `f_RS` at `q = ρ` for a noiseless channel (see the module docs).
    pub fn perfect_recovery_free_entropy(&self) -> f64 {
        let growth = self.alpha * self.channel.output_dimension_weight()
            - 0.5 * self.prior.information_dimension();
        match self.prior.discrete_entropy() {
            Some(h) if self.channel.output_dimension_weight() == 0.0 => -h, // Ψ_out(ρ) = 0 (sign)
            _ if growth > 0.0 => f64::INFINITY,
            _ if growth < 0.0 => f64::NEG_INFINITY,
            // Exactly at the information-theoretic threshold: the two divergences
            // cancel and the remainder is not computed; treat it as not preferred.
            _ => f64::NEG_INFINITY,
        }
    }
}
