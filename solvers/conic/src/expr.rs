//! Affine expressions: scalar `aᵀx + c` and symmetric-matrix `M₀ + Σᵢ xᵢ Mᵢ`.

use std::collections::BTreeMap;
use std::ops::{Add, Mul, Neg, Sub};

/// Handle to a scalar decision variable of a [`crate::Model`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Var(pub(crate) usize);

impl Var {
    /// Position of the variable in the model's primal vector `x`.
    pub fn index(self) -> usize {
        self.0
    }
}

/// A scalar affine expression `Σ aᵢ xᵢ + c`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinExpr {
    pub(crate) terms: BTreeMap<Var, f64>,
    pub(crate) constant: f64,
}

impl LinExpr {
    /// The constant expression `c`.
    pub fn constant(c: f64) -> Self {
        LinExpr {
            terms: BTreeMap::new(),
            constant: c,
        }
    }

    /// `Σ coeffs[k] · vars[k]`.
    pub fn weighted_sum(vars: &[Var], coeffs: &[f64]) -> Self {
        let mut e = LinExpr::default();
        for (&v, &a) in vars.iter().zip(coeffs) {
            e.add_term(v, a);
        }
        e
    }

    /// Adds `a · v` in place.
    pub fn add_term(&mut self, v: Var, a: f64) -> &mut Self {
        *self.terms.entry(v).or_insert(0.0) += a;
        self
    }

    /// Coefficient of `v` (0 if absent).
    pub fn coefficient(&self, v: Var) -> f64 {
        self.terms.get(&v).copied().unwrap_or(0.0)
    }

    /// The constant part.
    pub fn constant_term(&self) -> f64 {
        self.constant
    }

    /// Value at the primal point `x`.
    pub fn eval(&self, x: &[f64]) -> f64 {
        self.terms.iter().map(|(v, a)| a * x[v.0]).sum::<f64>() + self.constant
    }

    pub(crate) fn scale(mut self, s: f64) -> Self {
        self.terms.values_mut().for_each(|a| *a *= s);
        self.constant *= s;
        self
    }
}

impl From<Var> for LinExpr {
    fn from(v: Var) -> Self {
        let mut e = LinExpr::default();
        e.add_term(v, 1.0);
        e
    }
}

impl From<f64> for LinExpr {
    fn from(c: f64) -> Self {
        LinExpr::constant(c)
    }
}

impl<R: Into<LinExpr>> Add<R> for LinExpr {
    type Output = LinExpr;
    fn add(mut self, rhs: R) -> LinExpr {
        let rhs = rhs.into();
        for (v, a) in rhs.terms {
            self.add_term(v, a);
        }
        self.constant += rhs.constant;
        self
    }
}

impl<R: Into<LinExpr>> Sub<R> for LinExpr {
    type Output = LinExpr;
    fn sub(self, rhs: R) -> LinExpr {
        self + rhs.into().scale(-1.0)
    }
}

impl Neg for LinExpr {
    type Output = LinExpr;
    fn neg(self) -> LinExpr {
        self.scale(-1.0)
    }
}

impl Mul<f64> for LinExpr {
    type Output = LinExpr;
    fn mul(self, s: f64) -> LinExpr {
        self.scale(s)
    }
}

impl Mul<Var> for f64 {
    type Output = LinExpr;
    fn mul(self, v: Var) -> LinExpr {
        LinExpr::from(v).scale(self)
    }
}

impl Mul<f64> for Var {
    type Output = LinExpr;
    fn mul(self, s: f64) -> LinExpr {
        LinExpr::from(self).scale(s)
    }
}

impl<R: Into<LinExpr>> Add<R> for Var {
    type Output = LinExpr;
    fn add(self, rhs: R) -> LinExpr {
        LinExpr::from(self) + rhs
    }
}

impl<R: Into<LinExpr>> Sub<R> for Var {
    type Output = LinExpr;
    fn sub(self, rhs: R) -> LinExpr {
        LinExpr::from(self) - rhs
    }
}

/// Key of one coefficient of a symmetric affine expression: the constant part
/// (`None`) or the coefficient matrix of a variable, at upper-triangle entry `(i, j)`, `i ≤ j`.
type SymKey = (Option<Var>, usize, usize);

/// A symmetric-matrix affine expression `M(x) = M₀ + Σᵢ xᵢ Mᵢ` of dimension `n`.
///
/// Entries are stored sparsely by their upper triangle; setting `(i, j)` sets
/// `(j, i)` too. Used for linear matrix inequalities `M(x) ⪰ 0` / `⪯ 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct SymAffine {
    dim: usize,
    entries: BTreeMap<SymKey, f64>,
}

impl SymAffine {
    /// The zero expression of dimension `n`.
    pub fn zeros(n: usize) -> Self {
        SymAffine {
            dim: n,
            entries: BTreeMap::new(),
        }
    }

    /// Dimension `n` of the `n × n` expression.
    pub fn dim(&self) -> usize {
        self.dim
    }

    fn add(&mut self, var: Option<Var>, i: usize, j: usize, value: f64) -> &mut Self {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        *self.entries.entry((var, i, j)).or_insert(0.0) += value;
        self
    }

    /// Adds `value` to the constant part at `(i, j)` and `(j, i)`.
    pub fn add_constant_entry(&mut self, i: usize, j: usize, value: f64) -> &mut Self {
        self.add(None, i, j, value)
    }

    /// Adds `coeff · v` at `(i, j)` and `(j, i)`.
    pub fn add_term_entry(&mut self, v: Var, i: usize, j: usize, coeff: f64) -> &mut Self {
        self.add(Some(v), i, j, coeff)
    }

    /// Adds the scalar expression `e` at `(i, j)` and `(j, i)`.
    pub fn add_expr_entry(&mut self, i: usize, j: usize, e: &LinExpr) -> &mut Self {
        for (&v, &a) in &e.terms {
            self.add(Some(v), i, j, a);
        }
        if e.constant != 0.0 {
            self.add(None, i, j, e.constant);
        }
        self
    }

    /// Adds `c · I` to the constant part.
    pub fn add_constant_identity(&mut self, c: f64) -> &mut Self {
        for i in 0..self.dim {
            self.add(None, i, i, c);
        }
        self
    }

    /// Adds `coeff · v · I`.
    pub fn add_identity_term(&mut self, v: Var, coeff: f64) -> &mut Self {
        for i in 0..self.dim {
            self.add(Some(v), i, i, coeff);
        }
        self
    }

    /// Adds the symmetric matrix `m` (its upper triangle is read) to the constant part,
    /// at rows/columns `offset..offset + m.nrows()`.
    pub fn add_constant_block(
        &mut self,
        offset: usize,
        m: quadra_core::MatRef<'_, f64>,
    ) -> &mut Self {
        self.add_block(None, offset, m)
    }

    /// Adds `v · m` (upper triangle of `m` read) at rows/columns `offset..`.
    pub fn add_term_block(
        &mut self,
        v: Var,
        offset: usize,
        m: quadra_core::MatRef<'_, f64>,
    ) -> &mut Self {
        self.add_block(Some(v), offset, m)
    }

    fn add_block(
        &mut self,
        var: Option<Var>,
        offset: usize,
        m: quadra_core::MatRef<'_, f64>,
    ) -> &mut Self {
        for j in 0..m.ncols() {
            for i in 0..=j.min(m.nrows().saturating_sub(1)) {
                let a = m[(i, j)];
                if a != 0.0 {
                    self.add(var, offset + i, offset + j, a);
                }
            }
        }
        self
    }

    /// Returns `−M(x)`.
    pub fn negated(&self) -> Self {
        let mut out = self.clone();
        out.entries.values_mut().for_each(|a| *a = -*a);
        out
    }

    /// Iterates over `(variable or constant, i, j, value)` with `i ≤ j`.
    pub fn entries(&self) -> impl Iterator<Item = (Option<Var>, usize, usize, f64)> + '_ {
        self.entries.iter().map(|(&(v, i, j), &a)| (v, i, j, a))
    }

    /// The dense matrix `M(x)` at the primal point `x`.
    pub fn eval(&self, x: &[f64]) -> quadra_core::Mat<f64> {
        let mut m = quadra_core::Mat::<f64>::zeros(self.dim, self.dim);
        for (v, i, j, a) in self.entries() {
            let s = match v {
                None => a,
                Some(v) => a * x[v.0],
            };
            m[(i, j)] += s;
            if i != j {
                m[(j, i)] += s;
            }
        }
        m
    }
}
