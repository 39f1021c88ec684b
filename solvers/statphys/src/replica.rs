//! A generic engine for replica-symmetric order parameters.
//!
//! A [`ReplicaProblem`] is a fixed-point map `x ↦ G(x)` on order parameters (the
//! state evolution / saddle-point equations) together with the replica free entropy
//! `Φ(x)` at a fixed point. [`ReplicaSolver`] runs the map on the shared executor
//! of `quadra_core::fixed_point` (damping, Anderson acceleration, observers) and adds
//! what replica computations need on top of it:
//!
//! * **several starting points → several branches**: where fixed points coexist
//!   (first-order transitions), the uninformed start is what message passing reaches and
//!   the informed start is the high-overlap solution;
//! * **branch selection**: the thermodynamic (Bayes-optimal) branch is the one of
//!   largest free entropy (Barbier et al. 2019, Thm 1: `f = sup_q inf_r f_RS`; at a
//!   fixed point `f_RS` is the value of the variational problem);
//! * **continuation** in a control parameter (e.g. `α`): each problem starts from the
//!   previous fixed point, so a sweep follows one branch through its metastable region.
//!
//! ## References
//! - J. Barbier, F. Krzakala, N. Macris, L. Miolane, L. Zdeborová, *Optimal errors and
//!   phase transitions in high-dimensional generalized linear models*, PNAS 116 (2019)
//!   5451–5460, doi:10.1073/pnas.1802705116.

use crate::error::{Result, StatphysError};
use quadra_core::fixed_point::{FixedPointSettings, FixedPointSolver};

/// A replica-symmetric fixed-point problem in its order parameters.
pub trait ReplicaProblem {
    /// Number of order parameters.
    fn dimension(&self) -> usize;
    /// One step of the state evolution: writes `G(x)` into `out`.
    fn update(&self, x: &[f64], out: &mut [f64]) -> Result<()>;
    /// Replica free entropy at `x` (a fixed point); `±∞` where it diverges
    /// (e.g. perfect recovery through a noiseless channel with a continuous output).
    /// The default, NaN, means "not available": such a problem is used where its fixed
    /// point is unique, and [`ReplicaSolver::equilibrium`] then keeps the first start.
    fn free_entropy(&self, _x: &[f64]) -> Result<f64> {
        Ok(f64::NAN)
    }
}

/// One fixed point reached from one start.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The starting point.
    pub start: Vec<f64>,
    /// The fixed point (final iterate).
    pub order: Vec<f64>,
    /// Free entropy there.
    pub free_entropy: f64,
    /// Iterations spent.
    pub iterations: usize,
    /// Final `‖G(x) − x‖_∞`.
    pub residual: f64,
    /// `‖G(x_k) − x_k‖_∞` per iteration (the trajectory's convergence).
    pub residual_history: Vec<f64>,
}

/// Branches from several starts and the thermodynamic one among them.
#[derive(Debug, Clone, PartialEq)]
pub struct Equilibrium {
    /// One branch per start, in the order of the starts.
    pub branches: Vec<Branch>,
    /// Index of the branch of largest free entropy (the first on ties, so the
    /// uninformed start wins when the branches coincide).
    pub thermodynamic: usize,
}

impl Equilibrium {
    /// The thermodynamic branch.
    pub fn thermodynamic_branch(&self) -> &Branch {
        &self.branches[self.thermodynamic]
    }
}

/// Runs [`ReplicaProblem`]s with the shared fixed-point executor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicaSolver {
    settings: FixedPointSettings,
}

/// Free entropies closer than this are ties: a fixed point is located to `1e-10` and
/// `Φ` is stationary there, so two starts landing on the same point agree to `~1e-12`.
const FREE_ENTROPY_TIE: f64 = 1e-9;

impl ReplicaSolver {
    /// A solver with the given executor settings.
    pub fn new(settings: FixedPointSettings) -> Self {
        ReplicaSolver { settings }
    }

    /// The executor settings.
    pub fn settings(&self) -> &FixedPointSettings {
        &self.settings
    }

    /// Iterates from `start` to a fixed point; an error if the iteration limit is hit.
    pub fn branch<P: ReplicaProblem>(&self, problem: &P, start: &[f64]) -> Result<Branch> {
        let report = self.run(problem, start)?;
        if !report.converged {
            return Err(StatphysError::NoConvergence {
                context: "replica fixed point",
                iterations: report.iterations,
                residual: report.residual,
            });
        }
        let free_entropy = problem.free_entropy(&report.x)?;
        Ok(Branch {
            start: start.to_vec(),
            order: report.x,
            free_entropy,
            iterations: report.iterations,
            residual: report.residual,
            residual_history: report.residual_history,
        })
    }

    /// Iterates from `start` for at most the iteration limit and returns the final
    /// iterate whether or not it converged (for threshold bisection, where the
    /// question is only which side of a bottleneck the iteration ends on).
    pub fn final_iterate<P: ReplicaProblem>(&self, problem: &P, start: &[f64]) -> Result<Vec<f64>> {
        Ok(self.run(problem, start)?.x)
    }

    fn run<P: ReplicaProblem>(
        &self,
        problem: &P,
        start: &[f64],
    ) -> Result<quadra_core::FixedPointReport> {
        if start.len() != problem.dimension() {
            return Err(StatphysError::InvalidParameter {
                name: "start length",
                value: start.len() as f64,
                expected: "the problem's number of order parameters",
            });
        }
        // The executor speaks `CoreError`; a problem's own error is carried out beside it.
        let failure: std::cell::RefCell<Option<StatphysError>> = std::cell::RefCell::new(None);
        let map = |x: &[f64], out: &mut [f64]| -> quadra_core::Result<()> {
            problem.update(x, out).map_err(|e| match e {
                StatphysError::Core(c) => c,
                other => {
                    failure.borrow_mut().get_or_insert(other);
                    quadra_core::CoreError::invalid("replica update", "failed", "see the cause")
                }
            })
        };
        let report = FixedPointSolver::new(map, self.settings).iterate(start);
        if let Some(e) = failure.borrow_mut().take() {
            return Err(e);
        }
        Ok(report?)
    }

    /// Branches from each start and the one of largest free entropy.
    pub fn equilibrium<P: ReplicaProblem>(
        &self,
        problem: &P,
        starts: &[Vec<f64>],
    ) -> Result<Equilibrium> {
        if starts.is_empty() {
            return Err(StatphysError::InvalidParameter {
                name: "starts",
                value: 0.0,
                expected: "at least one starting point",
            });
        }
        let branches = starts
            .iter()
            .map(|s| self.branch(problem, s))
            .collect::<Result<Vec<_>>>()?;
        let mut best = 0;
        for (i, b) in branches.iter().enumerate().skip(1) {
            let cur = branches[best].free_entropy;
            if b.free_entropy > cur + FREE_ENTROPY_TIE || (cur.is_nan() && !b.free_entropy.is_nan())
            {
                best = i;
            }
        }
        Ok(Equilibrium {
            branches,
            thermodynamic: best,
        })
    }

    /// Continuation in a control parameter: for each `params[i]`, builds the problem
    /// with `make` and starts it from the previous fixed point (`start` for the first).
    pub fn continuation<P, F>(
        &self,
        params: &[f64],
        start: &[f64],
        mut make: F,
    ) -> Result<Vec<Branch>>
    where
        P: ReplicaProblem,
        F: FnMut(f64) -> Result<P>,
    {
        let mut x = start.to_vec();
        let mut out = Vec::with_capacity(params.len());
        for &p in params {
            let problem = make(p)?;
            let b = self.branch(&problem, &x)?;
            x.clone_from(&b.order);
            out.push(b);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A double-well toy: `G(x) = tanh(βx)` has fixed points `0, ±x*` for `β > 1`;
    /// free entropy `Φ(x) = −(x²/2 − ln cosh(βx)/β)` (its stationary points are those
    /// fixed points). Starting at 0 stays at 0; starting at 1 reaches `x* > 0` with
    /// `Φ(x*) > Φ(0) = 0`, so selection must pick the second branch.
    struct Curie {
        beta: f64,
    }
    impl ReplicaProblem for Curie {
        fn dimension(&self) -> usize {
            1
        }
        fn update(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
            out[0] = (self.beta * x[0]).tanh();
            Ok(())
        }
        fn free_entropy(&self, x: &[f64]) -> Result<f64> {
            Ok(-(0.5 * x[0] * x[0] - (self.beta * x[0]).cosh().ln() / self.beta))
        }
    }

    #[test]
    fn selects_the_branch_of_largest_free_entropy() {
        let s = ReplicaSolver::new(
            FixedPointSettings::builder()
                .tolerance(1e-12)
                .max_iter(10_000)
                .build()
                .unwrap(),
        );
        let eq = s
            .equilibrium(&Curie { beta: 1.5 }, &[vec![0.0], vec![1.0]])
            .unwrap();
        assert_eq!(eq.branches[0].order[0], 0.0);
        let xs = eq.branches[1].order[0];
        assert!((xs - (1.5 * xs).tanh()).abs() < 1e-11 && xs > 0.8);
        assert_eq!(eq.thermodynamic, 1);
        // β < 1: one fixed point; both starts agree and the first wins the tie.
        let eq = s
            .equilibrium(&Curie { beta: 0.5 }, &[vec![0.0], vec![1.0]])
            .unwrap();
        assert_eq!(eq.thermodynamic, 0);
        assert!(eq.branches[1].order[0].abs() < 1e-11);
    }

    #[test]
    fn continuation_follows_a_branch_and_reports_non_convergence() {
        let s = ReplicaSolver::new(
            FixedPointSettings::builder()
                .tolerance(1e-12)
                .max_iter(10_000)
                .build()
                .unwrap(),
        );
        let betas = [1.2, 1.5, 2.0, 3.0];
        let path = s
            .continuation(&betas, &[1.0], |b| Ok(Curie { beta: b }))
            .unwrap();
        for (b, br) in betas.iter().zip(&path) {
            let x = br.order[0];
            assert!((x - (b * x).tanh()).abs() < 1e-11 && x > 0.0);
        }
        // Warm starts: later points need fewer iterations than a cold start would.
        let cold = s.branch(&Curie { beta: 3.0 }, &[1e-3]).unwrap();
        assert!(path[3].iterations < cold.iterations);
        let tight = ReplicaSolver::new(
            FixedPointSettings::builder()
                .tolerance(1e-12)
                .max_iter(3)
                .build()
                .unwrap(),
        );
        assert!(matches!(
            tight.branch(&Curie { beta: 1.01 }, &[1.0]),
            Err(StatphysError::NoConvergence { .. })
        ));
    }
}
