//! Convex QPs in the two-sided form users hand to OSQP or qpsolvers, solved by clarabel
//! through `quadra-conic`:
//!
//! ```text
//!   min ½ xᵀPx + qᵀx  s.t.  l ≤ Ax ≤ u,  lb ≤ x ≤ ub.
//! ```
//!
//! Each finite side of a row becomes one nonnegative-cone row, a row with `l = u` one
//! equality, and an infinite side (`±∞`, or `|v| ≥` [`INFINITE_BOUND`] as in OSQP's
//! `1e30`) is **dropped** rather than passed on as a huge number, which is what breaks
//! interior-point wrappers on the Maros–Meszaros problems with free rows.

use quadra_conic::{LinExpr, Model, SolveStatus, SolverSettings};

use crate::error::{check_len, QpError, Result};

/// Bounds at or beyond this magnitude are infinite (OSQP's `OSQP_INFTY` is 1e30; 1e20
/// also catches the common `1e20` convention of CUTEst/QPS files).
pub const INFINITE_BOUND: f64 = 1e20;

/// A dense QP (row-major matrices).
#[derive(Debug, Clone, PartialEq)]
pub struct DenseQp {
    /// Number of variables `n`.
    pub n: usize,
    /// `P` (`n × n`, symmetric positive semidefinite), row-major.
    pub p: Vec<f64>,
    /// `q` (`n`).
    pub q: Vec<f64>,
    /// `A` (`m × n`), row-major; empty for no rows.
    pub a: Vec<f64>,
    /// Lower row bounds `l` (`m`).
    pub l: Vec<f64>,
    /// Upper row bounds `u` (`m`).
    pub u: Vec<f64>,
    /// Lower variable bounds (`n`, or empty for none).
    pub lb: Vec<f64>,
    /// Upper variable bounds (`n`, or empty for none).
    pub ub: Vec<f64>,
}

/// The solution of a [`DenseQp`].
#[derive(Debug, Clone, PartialEq)]
pub struct DenseQpSolution {
    /// Primal point.
    pub x: Vec<f64>,
    /// `½xᵀPx + qᵀx`.
    pub objective: f64,
    /// clarabel's status (solved or almost solved).
    pub status: SolveStatus,
    /// Whether the a-posteriori re-check passed.
    pub verified: bool,
    /// Interior-point iterations.
    pub iterations: u32,
    /// Solve seconds (clarabel's timer).
    pub seconds: f64,
    /// Equality rows passed to clarabel.
    pub equalities: usize,
    /// Inequality rows passed to clarabel (each finite side counts once).
    pub inequalities: usize,
    /// Row or bound sides dropped because they were infinite.
    pub dropped: usize,
}

fn finite_bound(v: f64) -> Option<f64> {
    (v.abs() < INFINITE_BOUND).then_some(v)
}

impl DenseQp {
    /// Checks shapes, NaN (infinite bounds are allowed, infinite data is not), `l ≤ u`,
    /// `lb ≤ ub`, and symmetry of `P`.
    pub fn validate(&self) -> Result<()> {
        let n = self.n;
        if n == 0 {
            return Err(QpError::Empty("no variables"));
        }
        check_len("P (n × n entries)", n * n, self.p.len())?;
        check_len("q (n entries)", n, self.q.len())?;
        if self.a.len() % n != 0 {
            return Err(QpError::DimensionMismatch {
                place: "A (a multiple of n entries)",
                expected: n * (self.a.len() / n + 1),
                found: self.a.len(),
            });
        }
        let m = self.a.len() / n;
        check_len("l (one per row of A)", m, self.l.len())?;
        check_len("u (one per row of A)", m, self.u.len())?;
        if !self.lb.is_empty() {
            check_len("lb (n entries)", n, self.lb.len())?;
        }
        if !self.ub.is_empty() {
            check_len("ub (n entries)", n, self.ub.len())?;
        }
        crate::error::check_finite("P", &self.p)?;
        crate::error::check_finite("q", &self.q)?;
        crate::error::check_finite("A", &self.a)?;
        for (place, v) in [
            ("l", &self.l),
            ("u", &self.u),
            ("lb", &self.lb),
            ("ub", &self.ub),
        ] {
            if let Some(index) = v.iter().position(|x| x.is_nan()) {
                return Err(QpError::NonFinite {
                    place,
                    index,
                    value: f64::NAN,
                });
            }
        }
        for (place, lo, hi) in [("l ≤ u", &self.l, &self.u), ("lb ≤ ub", &self.lb, &self.ub)] {
            if let Some(i) = (0..lo.len().min(hi.len())).find(|&i| lo[i] > hi[i]) {
                return Err(QpError::InvalidSetting {
                    name: if place == "l ≤ u" { "l, u" } else { "lb, ub" },
                    value: format!("{} > {} at index {i}", lo[i], hi[i]),
                    expected: "lower bound ≤ upper bound",
                });
            }
        }
        let pmax = self.p.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        for i in 0..n {
            for j in 0..i {
                let d = (self.p[i * n + j] - self.p[j * n + i]).abs();
                // Symmetric up to rounding of the writer (√ε relative).
                if d > 1.5e-8 * pmax.max(f64::MIN_POSITIVE) {
                    return Err(QpError::InvalidSetting {
                        name: "P",
                        value: format!("P[{i}][{j}] ≠ P[{j}][{i}]"),
                        expected: "a symmetric matrix",
                    });
                }
            }
        }
        Ok(())
    }

    /// Solves with clarabel (infinite sides dropped, `l = u` rows as equalities).
    pub fn solve(&self, settings: &SolverSettings) -> Result<DenseQpSolution> {
        self.validate()?;
        let n = self.n;
        let m = self.a.len() / n;
        let mut model = Model::new();
        let x = model.add_vars(n);
        let mut hessian = Vec::new();
        for i in 0..n {
            for j in i..n {
                let v = if i == j {
                    self.p[i * n + i]
                } else {
                    0.5 * (self.p[i * n + j] + self.p[j * n + i])
                };
                if v != 0.0 {
                    hessian.push((x[i], x[j], v));
                }
            }
        }
        model.minimize_quadratic(LinExpr::weighted_sum(&x, &self.q), &hessian)?;
        let mut eqs = Vec::new();
        let mut ineqs = Vec::new();
        let mut dropped = 0;
        let row_expr = |coeffs: &[f64], sign: f64, rhs: f64| {
            let mut e = LinExpr::constant(-sign * rhs);
            for (k, &c) in coeffs.iter().enumerate() {
                if c != 0.0 {
                    e.add_term(x[k], sign * c);
                }
            }
            e
        };
        let mut side = |coeffs: &[f64], lo: f64, hi: f64, eqs: &mut Vec<LinExpr>| match (
            finite_bound(lo),
            finite_bound(hi),
        ) {
            (Some(a), Some(b)) if a == b => eqs.push(row_expr(coeffs, 1.0, a)),
            (lo, hi) => {
                match lo {
                    Some(a) => ineqs.push(row_expr(coeffs, 1.0, a)),
                    None => dropped += 1,
                }
                match hi {
                    Some(b) => ineqs.push(row_expr(coeffs, -1.0, b)),
                    None => dropped += 1,
                }
            }
        };
        for i in 0..m {
            side(&self.a[i * n..(i + 1) * n], self.l[i], self.u[i], &mut eqs);
        }
        for k in 0..n {
            let lo = self.lb.get(k).copied().unwrap_or(f64::NEG_INFINITY);
            let hi = self.ub.get(k).copied().unwrap_or(f64::INFINITY);
            if self.lb.is_empty() && self.ub.is_empty() {
                continue;
            }
            let mut e = vec![0.0; n];
            e[k] = 1.0;
            side(&e, lo, hi, &mut eqs);
        }
        let (ne, ni) = (eqs.len(), ineqs.len());
        if !eqs.is_empty() {
            model.add_eq(eqs)?;
        }
        if !ineqs.is_empty() {
            model.add_nonneg(ineqs)?;
        }
        let sol = model.solve(settings)?;
        Ok(DenseQpSolution {
            verified: sol.verified(),
            objective: sol.objective,
            status: sol.status,
            iterations: sol.iterations,
            seconds: sol.seconds,
            x: sol.x,
            equalities: ne,
            inequalities: ni,
            dropped,
        })
    }
}
