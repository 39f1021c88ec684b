//! The norms a Lipschitz constant is measured in.

use serde::{Deserialize, Serialize};

/// Which pair of norms `‖f(x) − f(y)‖_out ≤ L ‖x − y‖_in` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// `‖·‖₂ → ‖·‖₂`.
    L2,
    /// `‖·‖∞` on the input, `‖·‖₂` on the output. For one output row (or a margin
    /// `f_i − f_j`) this is the usual ℓ∞ constant `sup ‖∇f‖₁`; for several outputs it
    /// also bounds `‖·‖∞ → ‖·‖∞` since `‖v‖∞ ≤ ‖v‖₂`.
    Linf,
}

impl Norm {
    /// `"l2"` or `"linf"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Norm::L2 => "l2",
            Norm::Linf => "linf",
        }
    }
}
