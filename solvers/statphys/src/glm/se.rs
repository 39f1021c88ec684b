//! Bayes-optimal state evolution of the GLM (Barbier et al. 2019, eqs. (9)–(10);
//! Rangan 2011 for GAMP):
//!
//! ```text
//! r_t = α·ĝ(q_t),          q_{t+1} = ρ − mmse_{P₀}(r_t),
//! ```
//!
//! from `q₀ = 0` (all three priors have mean 0, so the uninformed estimate is 0). On
//! the Nishimori line one order parameter suffices: the overlap `m = E x*·x̂/n` equals
//! the self-overlap `q`, and the MMSE is `ρ − q`.

use super::{GlmModel, PERFECT_RECOVERY_RTOL};
use crate::replica::ReplicaProblem;

/// Below this relative variance `V/ρ` a noiseless channel is treated as having
/// recovered the signal (`q ← ρ`): there `r ≳ α/(ρ·1e-13)` and the prior MMSE is
/// below `1e-13·ρ` for all three priors, under the `1e-10` fixed-point tolerance.
const VARIANCE_FLOOR: f64 = 1e-13;

impl GlmModel {
    /// The conjugate parameter `r = α·ĝ(q)`.
    pub fn conjugate(&self, q: f64) -> quadra_core::Result<f64> {
        let rho = self.prior.second_moment();
        Ok(self.alpha * self.channel.g_out_sq(q, rho)?)
    }

    /// One step of the state evolution `q ↦ ρ − mmse(α·ĝ(q))`.
    pub fn se_step(&self, q: f64) -> quadra_core::Result<f64> {
        let rho = self.prior.second_moment();
        let q = q.clamp(0.0, rho);
        if self.channel.is_noiseless() && rho - q <= VARIANCE_FLOOR * rho {
            return Ok(rho);
        }
        let r = self.conjugate(q)?;
        Ok(rho - self.prior.mmse(r)?)
    }

    /// The state-evolution trajectory `q_1, …, q_T` from `q0` (at most `steps`, stopping
    /// once `|q_{t+1} − q_t| ≤ tol`).
    pub fn se_trajectory(&self, q0: f64, steps: usize, tol: f64) -> quadra_core::Result<Vec<f64>> {
        let mut q = q0;
        let mut out = Vec::new();
        for _ in 0..steps {
            let next = self.se_step(q)?;
            out.push(next);
            let done = (next - q).abs() <= tol;
            q = next;
            if done {
                break;
            }
        }
        Ok(out)
    }

    /// Whether `q` counts as perfect recovery (`ρ − q ≤ 1e-7·ρ`, noiseless channels).
    pub fn is_perfect_recovery(&self, q: f64) -> bool {
        let rho = self.prior.second_moment();
        self.channel.is_noiseless() && q >= rho * (1.0 - PERFECT_RECOVERY_RTOL)
    }
}

impl ReplicaProblem for GlmModel {
    fn dimension(&self) -> usize {
        1
    }
    fn update(&self, x: &[f64], out: &mut [f64]) -> crate::error::Result<()> {
        out[0] = self.se_step(x[0])?;
        Ok(())
    }
    fn free_entropy(&self, x: &[f64]) -> crate::error::Result<f64> {
        GlmModel::free_entropy(self, x[0])
    }
}
