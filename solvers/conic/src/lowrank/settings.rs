//! Settings of the low-rank LMI interior point, built and checked by
//! [`LowRankSettingsBuilder`].
//!
//! | Name | Default | Meaning | Range |
//! |---|---|---|---|
//! | `max_iter` | 100 | iteration limit | ≥ 1 |
//! | `tol_gap_rel` | 1e-9 | relative duality gap `|cᵀy + ⟨F₀,X⟩| / (1 + |cᵀy| + |⟨F₀,X⟩|)` | (0, 1) |
//! | `tol_feas` | 1e-9 | relative primal and dual residuals | (0, 1) |
//! | `tol_infeas` | 1e-8 | size of a normalised infeasibility certificate's residual | (0, 1) |
//! | `tol_reduced` | 1e-6 | gap/residuals accepted when the iteration stalls | ≥ the full tolerances |
//! | `step_fraction` | 0.98 | fraction of the step to the cone boundary | (0, 1) |
//! | `time_limit` | none | wall-clock limit in seconds | > 0 |
//! | `verbose` | false | print one line per iteration to stderr | |
//! | `block_tridiagonal` | true | factor the slack through its block-tridiagonal sparsity pattern when that is cheaper than a dense Cholesky (multi-layer LipSDP) | |
//! | `dense_panels` | true | form the Schur complement from dense panels of factors when they are full enough | |
//! | `centring` | `Adaptive` | Mehrotra's exponent `e` in `σ = (μ_aff/μ)^e`: `Adaptive` is SDPT3's `max(1, 3α²)` while `μ > 1e-6`, then 3; `Fixed(e)` uses `e` throughout | `Fixed(e)`: `e ≥ 1` |
//!
//! The default gap and residual tolerances are 1e-9 so that two independent solvers
//! stopping at their tolerances agree to 1e-7 relative on well-posed programs; a
//! double-precision interior point reaches about `√ε ≈ 1.5e-8` on the gap of
//! degenerate programs, hence the reduced `1e-6` accepted on a stall.

use crate::{ConicError, Result};

/// Mehrotra's centring exponent `e` in `σ = (μ_aff/μ)^e`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Centring {
    /// SDPT3's rule: `e = max(1, 3·min(α_P, α_D)²)` while `μ > 1e-6`, then `e = 3`
    /// (short predictor steps centre more). The robust default: every SDPLIB problem
    /// the backend solves converges with it.
    #[default]
    Adaptive,
    /// `e` at every iteration. `Fixed(3.0)` cut the LipSDP-Neuron iterations by 10–15 %
    /// on deep and wide nets (10×256: 28 → 25; 20×64: 34 → 29) but stalls SDPLIB hinf4
    /// and ss30, so only the Lipschitz crate uses it, retrying with `Adaptive` on failure.
    Fixed(f64),
}

/// Checked settings (see the module table for defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct LowRankSettings {
    /// Iteration limit.
    pub max_iter: u32,
    /// Relative duality gap tolerance.
    pub tol_gap_rel: f64,
    /// Relative primal/dual residual tolerance.
    pub tol_feas: f64,
    /// Infeasibility certificate tolerance.
    pub tol_infeas: f64,
    /// Tolerance accepted when the iteration stalls before full accuracy.
    pub tol_reduced: f64,
    /// Fraction of the step to the boundary.
    pub step_fraction: f64,
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// One line per iteration on stderr.
    pub verbose: bool,
    /// Exploit a block-tridiagonal slack pattern (`block_tridiagonal.rs`).
    pub block_tridiagonal: bool,
    /// Schur complement through dense factor panels (`panels.rs`).
    pub dense_panels: bool,
    /// Mehrotra's centring exponent rule.
    pub centring: Centring,
}

impl Default for LowRankSettings {
    fn default() -> Self {
        LowRankSettings {
            max_iter: 100,
            tol_gap_rel: 1e-9,
            tol_feas: 1e-9,
            tol_infeas: 1e-8,
            tol_reduced: 1e-6,
            step_fraction: 0.98,
            time_limit: None,
            verbose: false,
            block_tridiagonal: true,
            dense_panels: true,
            centring: Centring::Adaptive,
        }
    }
}

impl LowRankSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> LowRankSettingsBuilder {
        LowRankSettingsBuilder {
            s: LowRankSettings::default(),
        }
    }

    /// Checks every field against its range.
    pub fn validate(&self) -> Result<()> {
        let open01 = |name: &'static str, v: f64| -> Result<()> {
            if v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(ConicError::InvalidSetting {
                    name,
                    value: v.to_string(),
                    expected: "a number in (0, 1)",
                })
            }
        };
        if self.max_iter == 0 {
            return Err(ConicError::InvalidSetting {
                name: "max_iter",
                value: "0".into(),
                expected: "at least 1",
            });
        }
        open01("tol_gap_rel", self.tol_gap_rel)?;
        open01("tol_feas", self.tol_feas)?;
        open01("tol_infeas", self.tol_infeas)?;
        open01("tol_reduced", self.tol_reduced)?;
        open01("step_fraction", self.step_fraction)?;
        if self.tol_reduced < self.tol_gap_rel.max(self.tol_feas) {
            return Err(ConicError::InvalidSetting {
                name: "tol_reduced",
                value: self.tol_reduced.to_string(),
                expected: "at least tol_gap_rel and tol_feas",
            });
        }
        if let Centring::Fixed(e) = self.centring {
            if !(e >= 1.0 && e.is_finite()) {
                return Err(ConicError::InvalidSetting {
                    name: "centring",
                    value: e.to_string(),
                    expected: "a fixed exponent of at least 1",
                });
            }
        }
        if let Some(t) = self.time_limit {
            if !(t > 0.0 && t.is_finite()) {
                return Err(ConicError::InvalidSetting {
                    name: "time_limit",
                    value: t.to_string(),
                    expected: "a positive number of seconds",
                });
            }
        }
        Ok(())
    }
}

/// Builder for [`LowRankSettings`]; [`build`](Self::build) validates.
#[derive(Debug, Clone)]
pub struct LowRankSettingsBuilder {
    s: LowRankSettings,
}

impl LowRankSettingsBuilder {
    /// Iteration limit (default 100).
    pub fn max_iter(mut self, v: u32) -> Self {
        self.s.max_iter = v;
        self
    }
    /// Relative gap tolerance (default 1e-9).
    pub fn tol_gap_rel(mut self, v: f64) -> Self {
        self.s.tol_gap_rel = v;
        self
    }
    /// Residual tolerance (default 1e-9).
    pub fn tol_feas(mut self, v: f64) -> Self {
        self.s.tol_feas = v;
        self
    }
    /// Infeasibility certificate tolerance (default 1e-8).
    pub fn tol_infeas(mut self, v: f64) -> Self {
        self.s.tol_infeas = v;
        self
    }
    /// Tolerance accepted on a stall (default 1e-6).
    pub fn tol_reduced(mut self, v: f64) -> Self {
        self.s.tol_reduced = v;
        self
    }
    /// Fraction of the step to the boundary (default 0.98).
    pub fn step_fraction(mut self, v: f64) -> Self {
        self.s.step_fraction = v;
        self
    }
    /// Wall-clock limit in seconds (default none).
    pub fn time_limit(mut self, seconds: f64) -> Self {
        self.s.time_limit = Some(seconds);
        self
    }
    /// Per-iteration log on stderr (default off).
    pub fn verbose(mut self, v: bool) -> Self {
        self.s.verbose = v;
        self
    }
    /// Factor the slack through a block-tridiagonal pattern when cheaper (default
    /// true; false forces dense factors, for cross-checks).
    pub fn block_tridiagonal(mut self, v: bool) -> Self {
        self.s.block_tridiagonal = v;
        self
    }
    /// Schur complement through dense factor panels when full enough (default true;
    /// false forces the sparse factor route, for cross-checks).
    pub fn dense_panels(mut self, v: bool) -> Self {
        self.s.dense_panels = v;
        self
    }
    /// Mehrotra's centring exponent rule (default [`Centring::Adaptive`]).
    pub fn centring(mut self, v: Centring) -> Self {
        self.s.centring = v;
        self
    }
    /// Validates and returns the settings.
    pub fn build(self) -> Result<LowRankSettings> {
        self.s.validate()?;
        Ok(self.s)
    }
}
