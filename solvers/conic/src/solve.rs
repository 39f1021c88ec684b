//! Assembly into clarabel's `(P, q, A, b, K)` and the solve itself.

use crate::error::{Accuracy, ConicError, Limit, Result};
use crate::model::{Block, Model};
use crate::settings::SolverSettings;
use crate::solution::{IterationInfo, Solution, SolveStatus};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSolver, IPSolver, SolverStatus, SupportedConeT};
use quadra_core::svec::svec_index;
use std::f64::consts::SQRT_2;

/// clarabel's problem data, assembled from a [`Model`].
pub(crate) struct Assembled {
    pub p: CscMatrix<f64>,
    pub q: Vec<f64>,
    pub a: CscMatrix<f64>,
    pub b: Vec<f64>,
    pub cones: Vec<SupportedConeT<f64>>,
    /// First row of each block in `A`.
    pub offsets: Vec<usize>,
}

/// Triplet accumulator for `A` and `b`.
struct Rows {
    i: Vec<usize>,
    j: Vec<usize>,
    v: Vec<f64>,
    b: Vec<f64>,
}

impl Rows {
    /// Appends the row `s_r = e` (so `b_r = c`, `A_r = −a`), scaled by `scale`.
    fn push_scaled(&mut self, e: &crate::LinExpr, scale: f64) {
        let r = self.b.len();
        for (v, a) in &e.terms {
            if *a != 0.0 {
                self.i.push(r);
                self.j.push(v.index());
                self.v.push(-scale * a);
            }
        }
        self.b.push(scale * e.constant);
    }
}

impl Model {
    pub(crate) fn assemble(&self) -> Result<Assembled> {
        let n = self.n_vars;
        let mut rows = Rows {
            i: vec![],
            j: vec![],
            v: vec![],
            b: vec![],
        };
        let mut cones = Vec::with_capacity(self.blocks.len());
        let mut offsets = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            offsets.push(rows.b.len());
            match block {
                Block::Zero(es) | Block::Nonneg(es) | Block::SecondOrder(es) => {
                    es.iter().for_each(|e| rows.push_scaled(e, 1.0));
                    cones.push(match block {
                        Block::Zero(_) => SupportedConeT::ZeroConeT(es.len()),
                        Block::Nonneg(_) => SupportedConeT::NonnegativeConeT(es.len()),
                        _ => SupportedConeT::SecondOrderConeT(es.len()),
                    });
                }
                Block::Psd(m) => {
                    let base = rows.b.len();
                    rows.b.resize(base + block.rows(), 0.0);
                    for (v, i, j, a) in m.entries() {
                        let r = base + svec_index(i, j);
                        let scale = if i == j { 1.0 } else { SQRT_2 };
                        match v {
                            None => rows.b[r] += scale * a,
                            Some(v) => {
                                rows.i.push(r);
                                rows.j.push(v.index());
                                rows.v.push(-scale * a);
                            }
                        }
                    }
                    cones.push(SupportedConeT::PSDTriangleConeT(m.dim()));
                }
            }
        }
        let m_rows = rows.b.len();
        let a = CscMatrix::new_from_triplets(m_rows, n, rows.i, rows.j, rows.v);
        let mut q = vec![0.0; n];
        for (v, c) in &self.objective.terms {
            q[v.index()] += c;
        }
        let p = self.hessian_csc()?;
        Ok(Assembled {
            p,
            q,
            a,
            b: rows.b,
            cones,
            offsets,
        })
    }

    /// `P` as an upper-triangular CSC matrix, after checking `P ⪰ 0`.
    fn hessian_csc(&self) -> Result<CscMatrix<f64>> {
        let n = self.n_vars;
        if self.hessian.is_empty() {
            return Ok(CscMatrix::zeros((n, n)));
        }
        let mut dense = quadra_core::Mat::<f64>::zeros(n, n);
        for (&(i, j), &a) in &self.hessian {
            dense[(i, j)] += a;
            if i != j {
                dense[(j, i)] += a;
            }
        }
        let lmin = quadra_core::spectral::lambda_min(dense.as_ref())?;
        // Allow round-off-sized negativity: PSD up to the certified interval's upper end.
        if lmin.upper < 0.0 {
            return Err(ConicError::NonConvexObjective {
                lambda_min: lmin.value,
            });
        }
        let (mut ii, mut jj, mut vv) = (vec![], vec![], vec![]);
        for (&(i, j), &a) in &self.hessian {
            ii.push(i);
            jj.push(j);
            vv.push(a);
        }
        Ok(CscMatrix::new_from_triplets(n, n, ii, jj, vv))
    }

    /// Solves the model with clarabel.
    ///
    /// Returns the solution when clarabel reports *solved* (or *almost solved*, if
    /// the settings accept reduced accuracy); every other outcome is an error that
    /// says what happened, with iterations and residuals.
    pub fn solve(&self, settings: &SolverSettings) -> Result<Solution> {
        self.solve_observed(settings, |_| {})
    }

    /// As [`Model::solve`], calling `observer` after every interior-point iteration
    /// (e.g. to draw progress). The observer cannot stop the solve.
    pub fn solve_observed<F>(&self, settings: &SolverSettings, mut observer: F) -> Result<Solution>
    where
        F: FnMut(&IterationInfo) + Send + Sync + 'static,
    {
        let data = self.assemble()?;
        let mut solver = DefaultSolver::new(
            &data.p,
            &data.q,
            &data.a,
            &data.b,
            &data.cones,
            settings.to_clarabel(),
        )
        .map_err(|e| ConicError::Backend(e.to_string()))?;
        solver.set_termination_callback(move |info: &clarabel::solver::DefaultInfo<f64>| {
            observer(&IterationInfo {
                iteration: info.iterations,
                cost_primal: info.cost_primal,
                cost_dual: info.cost_dual,
                r_prim: info.res_primal,
                r_dual: info.res_dual,
                gap_rel: info.gap_rel,
            });
            false
        });
        solver.solve();
        let sol = &solver.solution;
        let info = &solver.info;
        let status = match sol.status {
            SolverStatus::Solved => SolveStatus::Solved,
            SolverStatus::AlmostSolved if settings.accept_reduced_accuracy => {
                SolveStatus::AlmostSolved
            }
            other => return Err(status_error(other, info)),
        };
        let constant = self.objective.constant;
        let verification = self.verify_point(&data, &sol.x, &sol.z, sol.obj_val, sol.obj_val_dual);
        Ok(Solution {
            verification,
            status,
            x: sol.x.clone(),
            z: sol.z.clone(),
            s: sol.s.clone(),
            offsets: data.offsets,
            block_dims: self
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Psd(m) => m.dim(),
                    other => other.rows(),
                })
                .collect(),
            block_is_psd: self
                .blocks
                .iter()
                .map(|b| matches!(b, Block::Psd(_)))
                .collect(),
            objective: sol.obj_val + constant,
            dual_objective: sol.obj_val_dual + constant,
            iterations: sol.iterations,
            r_prim: sol.r_prim,
            r_dual: sol.r_dual,
            gap_rel: info.gap_rel,
            seconds: sol.solve_time,
        })
    }
}

fn status_error(status: SolverStatus, info: &clarabel::solver::DefaultInfo<f64>) -> ConicError {
    let iterations = info.iterations;
    let (r_prim, r_dual, gap_rel) = (info.res_primal, info.res_dual, info.gap_rel);
    let accuracy = |full: bool| {
        if full {
            Accuracy::Full
        } else {
            Accuracy::Reduced
        }
    };
    let limit = |limit| ConicError::LimitReached {
        limit,
        iterations,
        r_prim,
        r_dual,
        gap_rel,
    };
    let trouble = |what| ConicError::NumericalTrouble {
        what,
        iterations,
        r_prim,
        r_dual,
        gap_rel,
    };
    match status {
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
            ConicError::PrimalInfeasible {
                iterations,
                residual: info.res_primal_inf,
                accuracy: accuracy(status == SolverStatus::PrimalInfeasible),
            }
        }
        SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => {
            ConicError::DualInfeasible {
                iterations,
                residual: info.res_dual_inf,
                accuracy: accuracy(status == SolverStatus::DualInfeasible),
            }
        }
        SolverStatus::MaxIterations => limit(Limit::Iterations),
        SolverStatus::MaxTime => limit(Limit::Time),
        SolverStatus::AlmostSolved => trouble("only reduced accuracy reached"),
        SolverStatus::InsufficientProgress => trouble("insufficient progress"),
        SolverStatus::NumericalError => trouble("numerical error in the KKT solve"),
        _ => trouble("solver stopped without a result"),
    }
}
