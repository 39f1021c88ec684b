//! Checked settings with documented defaults.
//!
//! [`TopKSettings`] (one ordered top-K solve):
//!
//! | Name | Default | Meaning | Range |
//! |---|---|---|---|
//! | `margin` | 0.2 | logit margin `m` (the QuadAttack paper's value) | finite, ≥ 0 |
//! | `feas_tol` | 1e-11 | a constraint is violated when its slack, as a distance, is below `−feas_tol·(1 + ‖f‖)` (~50ε above the rounding of a slack computed from `d ≤ 10⁴` products) | (0, 1e-3] |
//! | `dep_tol` | 1e-10 | a new constraint normal is dependent on the active ones when its orthogonal part has squared norm `≤ dep_tol·‖g‖²` | (0, 1e-2] |
//! | `max_iter` | 10 000 | limit on active-set steps (adds plus drops) | ≥ 1 |
//!
//! [`AttackSettings`] (the attack loop, [`crate::attack`]):
//!
//! | Name | Default | Meaning | Range |
//! |---|---|---|---|
//! | `steps` | 20 | gradient steps per loss weight | ≥ 1 |
//! | `binary_steps` | 8 | binary-search rounds on the loss weight `c` | ≥ 1 |
//! | `initial_weight` | 1.0 | first loss weight `c` | > 0 |
//! | `learning_rate` | 0.5 | step `η/(1 + c)` on `‖δ‖² + c‖x − z*(x)‖²` | (0, 1] |

use crate::error::{QpError, Result};

/// Settings of an ordered top-K solve (see the module table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopKSettings {
    margin: f64,
    feas_tol: f64,
    dep_tol: f64,
    max_iter: usize,
}

impl Default for TopKSettings {
    fn default() -> Self {
        TopKSettings {
            margin: 0.2,
            feas_tol: 1e-11,
            dep_tol: 1e-10,
            max_iter: 10_000,
        }
    }
}

impl TopKSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> TopKSettingsBuilder {
        TopKSettingsBuilder {
            s: TopKSettings::default(),
        }
    }
    /// Margin `m`.
    pub fn margin(&self) -> f64 {
        self.margin
    }
    /// Feasibility tolerance.
    pub fn feas_tol(&self) -> f64 {
        self.feas_tol
    }
    /// Dependence tolerance.
    pub fn dep_tol(&self) -> f64 {
        self.dep_tol
    }
    /// Step limit.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }
}

/// Builder of [`TopKSettings`]; [`TopKSettingsBuilder::build`] checks the ranges.
#[derive(Debug, Clone, Copy)]
pub struct TopKSettingsBuilder {
    s: TopKSettings,
}

impl TopKSettingsBuilder {
    /// Margin `m` (default 0.2).
    pub fn margin(mut self, v: f64) -> Self {
        self.s.margin = v;
        self
    }
    /// Feasibility tolerance (default 1e-11).
    pub fn feas_tol(mut self, v: f64) -> Self {
        self.s.feas_tol = v;
        self
    }
    /// Dependence tolerance (default 1e-10).
    pub fn dep_tol(mut self, v: f64) -> Self {
        self.s.dep_tol = v;
        self
    }
    /// Step limit (default 10 000).
    pub fn max_iter(mut self, v: usize) -> Self {
        self.s.max_iter = v;
        self
    }
    /// Checks the ranges.
    pub fn build(self) -> Result<TopKSettings> {
        let s = self.s;
        if !(s.margin.is_finite() && s.margin >= 0.0) {
            return Err(invalid("margin", s.margin, "a finite number ≥ 0"));
        }
        if !(s.feas_tol > 0.0 && s.feas_tol <= 1e-3) {
            return Err(invalid("feas_tol", s.feas_tol, "a number in (0, 1e-3]"));
        }
        if !(s.dep_tol > 0.0 && s.dep_tol <= 1e-2) {
            return Err(invalid("dep_tol", s.dep_tol, "a number in (0, 1e-2]"));
        }
        if s.max_iter == 0 {
            return Err(invalid("max_iter", 0.0, "an integer ≥ 1"));
        }
        Ok(s)
    }
}

fn invalid(name: &'static str, v: f64, expected: &'static str) -> QpError {
    QpError::InvalidSetting {
        name,
        value: v.to_string(),
        expected,
    }
}

/// Settings of the attack loop (see the module table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttackSettings {
    steps: usize,
    binary_steps: usize,
    initial_weight: f64,
    learning_rate: f64,
    qp: TopKSettings,
}

impl Default for AttackSettings {
    fn default() -> Self {
        AttackSettings {
            steps: 20,
            binary_steps: 8,
            initial_weight: 1.0,
            learning_rate: 0.5,
            qp: TopKSettings::default(),
        }
    }
}

impl AttackSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> AttackSettingsBuilder {
        AttackSettingsBuilder {
            s: AttackSettings::default(),
        }
    }
    /// Gradient steps per weight.
    pub fn steps(&self) -> usize {
        self.steps
    }
    /// Binary-search rounds.
    pub fn binary_steps(&self) -> usize {
        self.binary_steps
    }
    /// First loss weight.
    pub fn initial_weight(&self) -> f64 {
        self.initial_weight
    }
    /// Learning rate `η`.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// Settings of the inner QP solves.
    pub fn qp(&self) -> &TopKSettings {
        &self.qp
    }
}

/// Builder of [`AttackSettings`].
#[derive(Debug, Clone, Copy)]
pub struct AttackSettingsBuilder {
    s: AttackSettings,
}

impl AttackSettingsBuilder {
    /// Gradient steps per weight (default 20).
    pub fn steps(mut self, v: usize) -> Self {
        self.s.steps = v;
        self
    }
    /// Binary-search rounds (default 8).
    pub fn binary_steps(mut self, v: usize) -> Self {
        self.s.binary_steps = v;
        self
    }
    /// First loss weight (default 1).
    pub fn initial_weight(mut self, v: f64) -> Self {
        self.s.initial_weight = v;
        self
    }
    /// Learning rate (default 0.5).
    pub fn learning_rate(mut self, v: f64) -> Self {
        self.s.learning_rate = v;
        self
    }
    /// Settings of the inner QP solves.
    pub fn qp(mut self, v: TopKSettings) -> Self {
        self.s.qp = v;
        self
    }
    /// Checks the ranges.
    pub fn build(self) -> Result<AttackSettings> {
        let s = self.s;
        if s.steps == 0 {
            return Err(invalid("steps", 0.0, "an integer ≥ 1"));
        }
        if s.binary_steps == 0 {
            return Err(invalid("binary_steps", 0.0, "an integer ≥ 1"));
        }
        if !(s.initial_weight.is_finite() && s.initial_weight > 0.0) {
            return Err(invalid(
                "initial_weight",
                s.initial_weight,
                "a finite number > 0",
            ));
        }
        if !(s.learning_rate > 0.0 && s.learning_rate <= 1.0) {
            return Err(invalid(
                "learning_rate",
                s.learning_rate,
                "a number in (0, 1]",
            ));
        }
        Ok(s)
    }
}
