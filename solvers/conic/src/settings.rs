//! Solver settings with documented, validated defaults.
//!
//! | Name | Default | Meaning | Range |
//! |---|---|---|---|
//! | `max_iter` | 200 | interior-point iteration limit | ≥ 1 |
//! | `time_limit` | ∞ | wall-clock limit in seconds | > 0 |
//! | `tol_gap_abs` | 1e-8 | absolute duality-gap tolerance | > 0 |
//! | `tol_gap_rel` | 1e-8 | relative duality-gap tolerance | > 0 |
//! | `tol_feas` | 1e-8 | primal/dual feasibility tolerance | > 0 |
//! | `tol_infeas_abs` | 1e-8 | absolute tolerance of infeasibility certificates | > 0 |
//! | `tol_infeas_rel` | 1e-8 | relative tolerance of infeasibility certificates | > 0 |
//! | `accept_reduced_accuracy` | true | return clarabel's "almost solved" (reduced tolerances, 5e-5) as a solution flagged [`crate::SolveStatus::AlmostSolved`] instead of an error | bool |
//! | `verbose` | false | let clarabel print its iteration log (to stdout) | bool |
//!
//! The defaults are clarabel's own; 1e-8 leaves two to three digits of headroom over
//! the 1e-5 relative agreement we test against SDPLIB's published optima.

use crate::error::{ConicError, Result};

/// Settings of a conic solve (see the module table for defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct SolverSettings {
    pub(crate) max_iter: u32,
    pub(crate) time_limit: f64,
    pub(crate) tol_gap_abs: f64,
    pub(crate) tol_gap_rel: f64,
    pub(crate) tol_feas: f64,
    pub(crate) tol_infeas_abs: f64,
    pub(crate) tol_infeas_rel: f64,
    pub(crate) accept_reduced_accuracy: bool,
    pub(crate) verbose: bool,
}

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            max_iter: 200,
            time_limit: f64::INFINITY,
            tol_gap_abs: 1e-8,
            tol_gap_rel: 1e-8,
            tol_feas: 1e-8,
            tol_infeas_abs: 1e-8,
            tol_infeas_rel: 1e-8,
            accept_reduced_accuracy: true,
            verbose: false,
        }
    }
}

impl SolverSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> SolverSettingsBuilder {
        SolverSettingsBuilder {
            settings: SolverSettings::default(),
        }
    }

    /// Iteration limit.
    pub fn max_iter(&self) -> u32 {
        self.max_iter
    }

    /// Whether "almost solved" is accepted.
    pub fn accept_reduced_accuracy(&self) -> bool {
        self.accept_reduced_accuracy
    }

    pub(crate) fn to_clarabel(&self) -> clarabel::solver::DefaultSettings<f64> {
        clarabel::solver::DefaultSettings {
            max_iter: self.max_iter,
            time_limit: self.time_limit,
            verbose: self.verbose,
            tol_gap_abs: self.tol_gap_abs,
            tol_gap_rel: self.tol_gap_rel,
            tol_feas: self.tol_feas,
            tol_infeas_abs: self.tol_infeas_abs,
            tol_infeas_rel: self.tol_infeas_rel,
            ..Default::default()
        }
    }
}

/// Builder for [`SolverSettings`]; [`SolverSettingsBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct SolverSettingsBuilder {
    settings: SolverSettings,
}

macro_rules! setter {
    ($name:ident, $ty:ty, $doc:literal) => {
        #[doc = $doc]
        pub fn $name(mut self, value: $ty) -> Self {
            self.settings.$name = value;
            self
        }
    };
}

impl SolverSettingsBuilder {
    setter!(max_iter, u32, "Iteration limit (≥ 1).");
    setter!(
        time_limit,
        f64,
        "Wall-clock limit in seconds (> 0, may be ∞)."
    );
    setter!(tol_gap_abs, f64, "Absolute duality-gap tolerance (> 0).");
    setter!(tol_gap_rel, f64, "Relative duality-gap tolerance (> 0).");
    setter!(tol_feas, f64, "Feasibility tolerance (> 0).");
    setter!(
        tol_infeas_abs,
        f64,
        "Absolute infeasibility-certificate tolerance (> 0)."
    );
    setter!(
        tol_infeas_rel,
        f64,
        "Relative infeasibility-certificate tolerance (> 0)."
    );
    setter!(
        accept_reduced_accuracy,
        bool,
        "Accept clarabel's reduced-accuracy solutions."
    );
    setter!(verbose, bool, "Print clarabel's iteration log to stdout.");

    /// Checks every value and returns the settings.
    pub fn build(self) -> Result<SolverSettings> {
        let s = self.settings;
        if s.max_iter == 0 {
            return Err(ConicError::InvalidSetting {
                name: "max_iter",
                value: "0".into(),
                expected: "at least 1",
            });
        }
        if s.time_limit.is_nan() || s.time_limit <= 0.0 {
            return Err(ConicError::InvalidSetting {
                name: "time_limit",
                value: s.time_limit.to_string(),
                expected: "a positive number of seconds",
            });
        }
        let tols = [
            ("tol_gap_abs", s.tol_gap_abs),
            ("tol_gap_rel", s.tol_gap_rel),
            ("tol_feas", s.tol_feas),
            ("tol_infeas_abs", s.tol_infeas_abs),
            ("tol_infeas_rel", s.tol_infeas_rel),
        ];
        for (name, v) in tols {
            if !(v.is_finite() && v > 0.0) {
                return Err(ConicError::InvalidSetting {
                    name,
                    value: v.to_string(),
                    expected: "a finite positive tolerance",
                });
            }
        }
        Ok(s)
    }
}
