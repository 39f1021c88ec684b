//! The model: variables, constraints and objective, assembled into clarabel's form
//!
//! ```text
//!   minimise ½ xᵀPx + qᵀx   subject to   b − Ax = s ∈ K,
//! ```
//! with `K` a product of zero, nonnegative, second-order and PSD-triangle cones.
//! A constraint "expression ∈ cone" becomes the rows `s = expression`, i.e.
//! `b = constant part`, `A = −(coefficients)`. For an LMI `M(x) ⪰ 0` the rows are
//! `svec(M(x))` in clarabel's PSD-triangle order (upper triangle column by column,
//! off-diagonals scaled by √2), so the dual block `z` is `svec(Z)` of a dual matrix
//! `Z ⪰ 0` with `⟨Z, M(x*)⟩ = 0` at the optimum.

use crate::error::{ConicError, Result};
use crate::expr::{LinExpr, SymAffine, Var};
use std::collections::BTreeMap;

/// Handle to a constraint block, for reading its dual from a [`crate::Solution`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConstraintId(pub(crate) usize);

/// One block of constraints and its cone.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// Each expression `= 0`.
    Zero(Vec<LinExpr>),
    /// Each expression `≥ 0`.
    Nonneg(Vec<LinExpr>),
    /// `(t, x₁, …, x_k)` with `‖x‖₂ ≤ t`.
    SecondOrder(Vec<LinExpr>),
    /// `M(x) ⪰ 0`.
    Psd(SymAffine),
}

impl Block {
    /// Number of rows of `A` the block occupies.
    pub(crate) fn rows(&self) -> usize {
        match self {
            Block::Zero(e) | Block::Nonneg(e) | Block::SecondOrder(e) => e.len(),
            Block::Psd(m) => m.dim() * (m.dim() + 1) / 2,
        }
    }
}

/// A conic program under construction.
///
/// ```
/// use quadra_conic::{Model, SymAffine, SolverSettings};
/// // minimise t subject to [[t, 1], [1, t]] ⪰ 0: the optimum is t = 1.
/// let mut m = Model::new();
/// let t = m.add_var();
/// let mut lmi = SymAffine::zeros(2);
/// lmi.add_identity_term(t, 1.0).add_constant_entry(0, 1, 1.0);
/// m.add_psd(lmi).unwrap();
/// m.minimize(t.into());
/// let sol = m.solve(&SolverSettings::default()).unwrap();
/// assert!((sol.value(t) - 1.0).abs() < 1e-7);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub(crate) n_vars: usize,
    pub(crate) objective: LinExpr,
    /// Upper-triangle entries of the Hessian `P` of `½ xᵀPx`.
    pub(crate) hessian: BTreeMap<(usize, usize), f64>,
    pub(crate) blocks: Vec<Block>,
}

impl Model {
    /// An empty model.
    pub fn new() -> Self {
        Model::default()
    }

    /// Adds one free scalar variable.
    pub fn add_var(&mut self) -> Var {
        self.n_vars += 1;
        Var(self.n_vars - 1)
    }

    /// Adds `n` free scalar variables.
    pub fn add_vars(&mut self, n: usize) -> Vec<Var> {
        (0..n).map(|_| self.add_var()).collect()
    }

    /// Number of scalar variables.
    pub fn num_vars(&self) -> usize {
        self.n_vars
    }

    /// Number of constraint blocks.
    pub fn num_constraints(&self) -> usize {
        self.blocks.len()
    }

    /// Sets a linear objective `min qᵀx + c`.
    pub fn minimize(&mut self, objective: LinExpr) {
        self.objective = objective;
        self.hessian.clear();
    }

    /// Sets a convex quadratic objective `min ½ xᵀPx + qᵀx + c`, with `P` given by its
    /// entries `(u, v, P_uv)` (each unordered pair once; repeated pairs add).
    /// Convexity is checked at solve time (`P ⪰ 0`).
    pub fn minimize_quadratic(
        &mut self,
        linear: LinExpr,
        hessian: &[(Var, Var, f64)],
    ) -> Result<()> {
        self.check_expr(&linear, "objective")?;
        let mut h = BTreeMap::new();
        for &(u, v, a) in hessian {
            self.check_var(u)?;
            self.check_var(v)?;
            check_finite(a, "objective Hessian")?;
            let key = if u.0 <= v.0 { (u.0, v.0) } else { (v.0, u.0) };
            *h.entry(key).or_insert(0.0) += a;
        }
        self.objective = linear;
        self.hessian = h;
        Ok(())
    }

    /// Adds `M(x) ⪰ 0`.
    pub fn add_psd(&mut self, m: SymAffine) -> Result<ConstraintId> {
        for (v, i, j, a) in m.entries() {
            if let Some(v) = v {
                self.check_var(v)?;
            }
            if j >= m.dim() {
                return Err(ConicError::EntryOutOfRange {
                    row: i,
                    col: j,
                    dim: m.dim(),
                });
            }
            check_finite(a, "LMI coefficient")?;
        }
        Ok(self.push(Block::Psd(m)))
    }

    /// Adds `M(x) ⪯ 0` (stored as `−M(x) ⪰ 0`; its dual is the matrix paired with `−M`).
    pub fn add_nsd(&mut self, m: SymAffine) -> Result<ConstraintId> {
        self.add_psd(m.negated())
    }

    /// Adds `e ≥ 0` for each expression.
    pub fn add_nonneg(&mut self, exprs: Vec<LinExpr>) -> Result<ConstraintId> {
        self.check_all(&exprs, "nonnegativity constraint")?;
        Ok(self.push(Block::Nonneg(exprs)))
    }

    /// Adds `e = 0` for each expression.
    pub fn add_eq(&mut self, exprs: Vec<LinExpr>) -> Result<ConstraintId> {
        self.check_all(&exprs, "equality constraint")?;
        Ok(self.push(Block::Zero(exprs)))
    }

    /// Adds the second-order cone constraint `‖(x₁, …, x_k)‖₂ ≤ t`.
    pub fn add_soc(&mut self, t: LinExpr, x: Vec<LinExpr>) -> Result<ConstraintId> {
        let mut exprs = Vec::with_capacity(x.len() + 1);
        exprs.push(t);
        exprs.extend(x);
        self.check_all(&exprs, "second-order cone constraint")?;
        Ok(self.push(Block::SecondOrder(exprs)))
    }

    fn push(&mut self, b: Block) -> ConstraintId {
        self.blocks.push(b);
        ConstraintId(self.blocks.len() - 1)
    }

    fn check_var(&self, v: Var) -> Result<()> {
        if v.0 < self.n_vars {
            Ok(())
        } else {
            Err(ConicError::UnknownVariable {
                index: v.0,
                count: self.n_vars,
            })
        }
    }

    fn check_expr(&self, e: &LinExpr, place: &str) -> Result<()> {
        for (&v, &a) in &e.terms {
            self.check_var(v)?;
            check_finite(a, place)?;
        }
        check_finite(e.constant, place)
    }

    fn check_all(&self, exprs: &[LinExpr], place: &str) -> Result<()> {
        exprs.iter().try_for_each(|e| self.check_expr(e, place))
    }
}

fn check_finite(a: f64, place: &str) -> Result<()> {
    if a.is_finite() {
        Ok(())
    } else {
        Err(ConicError::NonFinite {
            place: place.to_string(),
            value: a,
        })
    }
}
