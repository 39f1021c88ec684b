//! Settings of a GAMP-RIE run, with their defaults and checks.

use crate::error::{Result, StatphysError};

/// Settings of a GAMP-RIE run.
///
/// | name | default | meaning | range |
/// |---|---|---|---|
/// | `damping` | 0.5 | θ in `new = θ·update + (1 − θ)·old` for `V` and `ω`; the state evolution is exact only at θ = 1 | (0, 1] |
/// | `tolerance` | 1e-6 | stop when `‖ΔŜ‖²_F/d` falls below | > 0 |
/// | `stall_window` | 10 | stop when `‖ΔŜ‖²_F/d` has set no new minimum for this many iterations (finite-size noise floor); 0 disables | ≥ 0 |
/// | `max_iter` | 100 | iteration cap | ≥ 1 |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GampSettings {
    /// Damping θ ∈ (0, 1]. Default 0.5.
    pub damping: f64,
    /// Stop when `‖ΔŜ‖²_F/d < tolerance`. Default 1e-6.
    pub tolerance: f64,
    /// Stop when the step `‖ΔŜ‖²_F/d` has not reached a new minimum within the
    /// last `stall_window` iterations: at finite `d` the step settles on a noise
    /// floor (≈ 7e-3 at d = 100, α = 0.15, Δ = 0) far above `tolerance`, while
    /// the error no longer moves. Default 10; 0 disables the rule.
    pub stall_window: usize,
    /// Iteration cap. Default 100.
    pub max_iter: usize,
}

impl Default for GampSettings {
    fn default() -> Self {
        Self {
            damping: 0.5,
            tolerance: 1e-6,
            stall_window: 10,
            max_iter: 100,
        }
    }
}

impl GampSettings {
    /// Checks every field; the error names the field and the range expected.
    pub fn validate(&self) -> Result<()> {
        if !(self.damping > 0.0 && self.damping <= 1.0) {
            return Err(StatphysError::InvalidParameter {
                name: "damping",
                value: self.damping,
                expected: "a number in (0, 1]",
            });
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(StatphysError::InvalidParameter {
                name: "tolerance",
                value: self.tolerance,
                expected: "a finite number > 0",
            });
        }
        if self.max_iter == 0 {
            return Err(StatphysError::InvalidParameter {
                name: "max_iter",
                value: 0.0,
                expected: "at least 1",
            });
        }
        Ok(())
    }

    /// `true` when the run is undamped (θ = 1), the case the state evolution
    /// [`crate::gamp::se_prediction`] describes exactly.
    pub fn se_exact(&self) -> bool {
        self.damping == 1.0
    }
}
