//! The dual active-set method of Goldfarb and Idnani for projections onto polyhedra,
//! written in *constraint space*.
//!
//! Problem: the projection of `y₀` onto `{y : g_jᵀy ≥ h_j (j ∉ E), g_jᵀy = h_j (j ∈ E)}`,
//!
//! ```text
//!   min ½‖y − y₀‖²  s.t.  Gy ≥ h  (rows in E with equality).
//! ```
//!
//! With multipliers `μ` the optimum is `y = y₀ + Gᵀμ` (stationarity), so every quantity
//! the method needs is a function of the constraint Gram matrix `H = GGᵀ` and of the
//! slacks `s = Gy − h = s₀ + Hμ` with `s₀ = Gy₀ − h`:
//!
//! * adding a violated constraint `p` to the active set `A` moves `μ_A` by `−t·r`,
//!   `μ_p` by `+t`, where `r = H_AA⁻¹ H_Ap` (dual direction) and the slacks by
//!   `t·(H_{:,p} − H_{:,A} r)`; the primal step length `‖z‖² = H_pp − H_pAᵀ r` is the squared
//!   norm of the component of `g_p` orthogonal to the active normals
//!   (Goldfarb & Idnani 1983, §3, step 2(a) with the Hessian `I`);
//! * the full step `t₂ = −s_p/‖z‖²` makes `p` active; the partial step
//!   `t₁ = min_{k∈A∖E, r_k>0} μ_k/r_k` keeps `μ ≥ 0` and drops the blocking constraint;
//! * when `‖z‖ = 0` (`g_p` is a combination of the active normals) and no multiplier
//!   blocks (`r ≤ 0` on the inequalities), the program is **infeasible**: `v = (−r, 1)` on
//!   `A ∪ {p}` satisfies `v ≥ 0`, `Gᵀv = z = 0` and `hᵀv = −vᵀs = −s_p > 0` — a Farkas certificate
//!   (Goldfarb & Idnani 1983, §3, step 2(c)(i)).
//!
//! `H_AA` is held as a Cholesky factor, grown by one row when a constraint enters
//! (`O(|A|²)`) and downdated by Givens rotations when one leaves (`O(|A|²)`).
//!
//! The method starts from any dual-feasible point: the unconstrained minimum `y₀`
//! (cold start) or the minimum on a previous active set whose multipliers are
//! nonnegative (warm start, [`DualActiveSet::warm_start`]).
//!
//! ## References
//! - D. Goldfarb, A. Idnani, *A numerically stable dual method for solving strictly convex
//!   quadratic programs*, Math. Programming 27 (1983) 1–33, doi:10.1007/BF02591962.

/// Access to the constraint Gram matrix `H = GGᵀ` of a projection problem.
pub trait ConstraintGram {
    /// Number of constraints (rows of `G`).
    fn len(&self) -> usize;
    /// True when there are no constraints.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// `H_ij = g_iᵀ g_j`.
    fn entry(&self, i: usize, j: usize) -> f64;
    /// `out ← H v` for the sparse `v = Σ_k coeff_k e_{index_k}` (`out` has [`Self::len`] entries).
    fn mul_sparse(&self, terms: &[(usize, f64)], out: &mut [f64]);
}

/// A Farkas certificate of infeasibility: `v ≥ 0` (on the inequalities) with
/// `Gᵀv = 0` and `hᵀv > 0`, so no `y` has `Gy ≥ h` (`0 = vᵀGy ≥ vᵀh > 0`).
#[derive(Debug, Clone, PartialEq)]
pub struct FarkasRay {
    /// `(constraint, v_j)` for the nonzero entries of `v`.
    pub entries: Vec<(usize, f64)>,
}

/// How the active-set iteration ended.
#[derive(Debug, Clone, PartialEq)]
pub enum DualOutcome {
    /// All constraints hold to the tolerance with `μ ≥ 0`: the projection.
    Optimal,
    /// No feasible point; the certificate.
    Infeasible(FarkasRay),
    /// The iteration limit was reached.
    IterationLimit,
}

/// Tolerances and limits of the dual active-set method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DualSettings {
    /// A constraint is violated when `s_j < −feas_tol·‖g_j‖·scale`, with `scale` the size
    /// of the point (`1 + ‖y₀‖`); 1e-11 is ~50 ε above the rounding of a slack computed
    /// from `d ≤ 10⁴` products, so the method never chases rounding noise.
    pub feas_tol: f64,
    /// `g_p` counts as dependent on the active normals when `‖z‖² ≤ dep_tol·‖g_p‖²`
    /// (cancellation in `H_pp − H_pAᵀr` loses `cond(H_AA)·ε` relative accuracy; 1e-10
    /// accepts active sets with condition numbers up to ~10⁵).
    pub dep_tol: f64,
    /// Limit on the number of steps (adds plus drops).
    pub max_iter: usize,
}

impl Default for DualSettings {
    fn default() -> Self {
        DualSettings {
            feas_tol: 1e-11,
            dep_tol: 1e-10,
            max_iter: 10_000,
        }
    }
}

/// State of the dual active-set method: active set, Cholesky factor of `H_AA`,
/// multipliers and slacks.
#[derive(Debug, Clone)]
pub struct DualActiveSet<'g, G: ConstraintGram> {
    gram: &'g G,
    settings: DualSettings,
    /// Orientation `σ_j = ±1` (equalities may be flipped so that they start violated).
    sign: Vec<f64>,
    is_eq: Vec<bool>,
    /// Per-constraint violation threshold `feas_tol·‖g_j‖·scale`.
    tol: Vec<f64>,
    /// Active constraints in factor order.
    active: Vec<usize>,
    in_active: Vec<bool>,
    /// Rows of the lower Cholesky factor `L` of `(σσᵀ∘H)_AA` (row `i` has `i+1` entries).
    chol: Vec<Vec<f64>>,
    /// Multipliers of the (signed) constraints.
    mu: Vec<f64>,
    /// Slacks of the (signed) constraints `σ_j (g_jᵀy − h_j)`.
    slack: Vec<f64>,
    iterations: usize,
    work: Vec<f64>,
}

impl<'g, G: ConstraintGram> DualActiveSet<'g, G> {
    /// Cold start at `y₀`: `slack0[j] = g_jᵀy₀ − h_j`, `equalities` the indices held with
    /// equality, `scale` the size of `y₀` (for the tolerance).
    pub fn new(
        gram: &'g G,
        slack0: &[f64],
        equalities: &[usize],
        scale: f64,
        settings: DualSettings,
    ) -> Self {
        let m = gram.len();
        assert_eq!(slack0.len(), m, "one initial slack per constraint");
        let mut is_eq = vec![false; m];
        for &e in equalities {
            is_eq[e] = true;
        }
        let tol = (0..m)
            .map(|j| settings.feas_tol * gram.entry(j, j).max(0.0).sqrt() * scale)
            .collect();
        DualActiveSet {
            gram,
            settings,
            sign: vec![1.0; m],
            is_eq,
            tol,
            active: Vec::new(),
            in_active: vec![false; m],
            chol: Vec::new(),
            mu: vec![0.0; m],
            slack: slack0.to_vec(),
            iterations: 0,
            work: vec![0.0; m],
        }
    }

    fn h(&self, i: usize, j: usize) -> f64 {
        self.sign[i] * self.sign[j] * self.gram.entry(i, j)
    }

    /// Warm start on a previous active set: makes the (independent) candidates active with
    /// `μ_A = −H_AA⁻¹ s₀_A`, dropping inequalities whose multiplier comes out negative until
    /// all are nonnegative. The result is dual feasible, so [`Self::solve`] continues from it.
    /// Must be called before any step.
    pub fn warm_start(&mut self, candidates: &[usize]) {
        debug_assert!(self.active.is_empty() && self.iterations == 0);
        let m = self.gram.len();
        let s0 = self.slack.clone();
        let mut set: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&j| j < m && !self.is_eq[j])
            .collect();
        set.sort_unstable();
        set.dedup();
        loop {
            // Factor the independent part of the candidate set.
            self.active.clear();
            self.chol.clear();
            for &j in &set {
                let hjj = self.h(j, j);
                let col: Vec<f64> = self.active.iter().map(|&a| self.h(a, j)).collect();
                let l = forward(&self.chol, &col);
                let d2 = hjj - dot(&l, &l);
                if d2 > self.settings.dep_tol * hjj && hjj > 0.0 {
                    let mut row = l;
                    row.push(d2.sqrt());
                    self.chol.push(row);
                    self.active.push(j);
                }
            }
            let rhs: Vec<f64> = self.active.iter().map(|&a| -s0[a]).collect();
            let mu_a = backward(&self.chol, &forward(&self.chol, &rhs));
            let negative: Vec<usize> = self
                .active
                .iter()
                .zip(&mu_a)
                .filter(|(_, &u)| u < 0.0)
                .map(|(&a, _)| a)
                .collect();
            if negative.is_empty() || self.active.is_empty() {
                self.in_active = vec![false; m];
                for &a in &self.active {
                    self.in_active[a] = true;
                }
                self.mu = vec![0.0; m];
                let terms: Vec<(usize, f64)> = self
                    .active
                    .iter()
                    .copied()
                    .zip(mu_a.iter().copied())
                    .collect();
                for (&a, &u) in self.active.iter().zip(&mu_a) {
                    self.mu[a] = u;
                }
                self.gram.mul_sparse(&terms, &mut self.work);
                for ((s, &a), &w) in self.slack.iter_mut().zip(&s0).zip(&self.work) {
                    *s = a + w;
                }
                for &a in &self.active {
                    self.slack[a] = 0.0;
                }
                return;
            }
            set.retain(|j| !negative.contains(j));
        }
    }

    /// Runs the method to optimality, infeasibility or the iteration limit.
    pub fn solve(&mut self) -> DualOutcome {
        // Equalities first, in order; then the most violated inequality each round.
        let eqs: Vec<usize> = (0..self.gram.len()).filter(|&j| self.is_eq[j]).collect();
        for p in eqs {
            if self.in_active[p] {
                continue;
            }
            if self.slack[p] > 0.0 {
                self.flip(p);
            }
            match self.add_constraint(p) {
                Step::Added | Step::Redundant => {}
                Step::Infeasible(ray) => return DualOutcome::Infeasible(ray),
                Step::Limit => return DualOutcome::IterationLimit,
            }
        }
        loop {
            let mut p = None;
            let mut worst = 0.0;
            for j in 0..self.gram.len() {
                if self.in_active[j] || self.is_eq[j] {
                    continue;
                }
                let s = self.slack[j];
                if s < -self.tol[j] {
                    let norm = self.gram.entry(j, j).sqrt().max(f64::MIN_POSITIVE);
                    let v = s / norm;
                    if v < worst {
                        worst = v;
                        p = Some(j);
                    }
                }
            }
            let Some(p) = p else {
                return DualOutcome::Optimal;
            };
            match self.add_constraint(p) {
                Step::Added | Step::Redundant => {}
                Step::Infeasible(ray) => return DualOutcome::Infeasible(ray),
                Step::Limit => return DualOutcome::IterationLimit,
            }
        }
    }

    fn flip(&mut self, p: usize) {
        self.sign[p] = -self.sign[p];
        self.slack[p] = -self.slack[p];
        self.mu[p] = -self.mu[p];
    }

    /// Goldfarb–Idnani step 2 for the violated constraint `p`: partial steps (dropping
    /// blocking constraints) until `p` becomes active, or a certificate of infeasibility.
    fn add_constraint(&mut self, p: usize) -> Step {
        let m = self.gram.len();
        loop {
            if self.iterations >= self.settings.max_iter {
                return Step::Limit;
            }
            self.iterations += 1;
            let hpp = self.h(p, p);
            let col: Vec<f64> = self.active.iter().map(|&a| self.h(a, p)).collect();
            let l = forward(&self.chol, &col);
            let r = backward(&self.chol, &l);
            let z2 = hpp - dot(&l, &l);
            let dependent = !(z2 > self.settings.dep_tol * hpp && hpp > 0.0);
            // Partial step: the largest t keeping the inequality multipliers nonnegative.
            let mut t1 = f64::INFINITY;
            let mut blocking = None;
            for (k, &a) in self.active.iter().enumerate() {
                if !self.is_eq[a] && r[k] > 0.0 {
                    let t = self.mu[a] / r[k];
                    if t < t1 {
                        t1 = t;
                        blocking = Some(k);
                    }
                }
            }
            let t2 = if dependent {
                f64::INFINITY
            } else {
                (-self.slack[p] / z2).max(0.0)
            };
            if dependent && blocking.is_none() {
                if self.is_eq[p] && self.slack[p].abs() <= self.tol[p] {
                    return Step::Redundant;
                }
                // v = (−r on A, 1 on p) in the signed constraints; back to the original signs.
                let mut entries: Vec<(usize, f64)> = self
                    .active
                    .iter()
                    .zip(&r)
                    .map(|(&a, &rk)| (a, -rk * self.sign[a]))
                    .collect();
                entries.push((p, self.sign[p]));
                entries.retain(|&(_, v)| v != 0.0);
                return Step::Infeasible(FarkasRay { entries });
            }
            let t = t1.min(t2);
            if !dependent && t > 0.0 {
                // Slack direction H_{:,p} − H_{:,A} r (signed).
                let mut terms: Vec<(usize, f64)> = Vec::with_capacity(self.active.len() + 1);
                terms.push((p, self.sign[p]));
                for (k, &a) in self.active.iter().enumerate() {
                    terms.push((a, -r[k] * self.sign[a]));
                }
                self.gram.mul_sparse(&terms, &mut self.work);
                for j in 0..m {
                    self.slack[j] += t * self.sign[j] * self.work[j];
                }
                for &a in &self.active {
                    self.slack[a] = 0.0;
                }
            }
            for (k, &a) in self.active.iter().enumerate() {
                self.mu[a] -= t * r[k];
            }
            self.mu[p] += t;
            if t2 <= t1 {
                let mut row = l;
                row.push(z2.sqrt());
                self.chol.push(row);
                self.active.push(p);
                self.in_active[p] = true;
                self.slack[p] = 0.0;
                return Step::Added;
            }
            let k = blocking.expect("a finite partial step has a blocking constraint");
            let a = self.active.remove(k);
            self.in_active[a] = false;
            self.mu[a] = 0.0;
            chol_delete(&mut self.chol, k);
        }
    }

    /// Multipliers of the constraints as given (original orientation): `y = y₀ + Gᵀμ`.
    pub fn multipliers(&self) -> Vec<f64> {
        self.mu.iter().zip(&self.sign).map(|(u, s)| u * s).collect()
    }

    /// The active constraints.
    pub fn active(&self) -> &[usize] {
        &self.active
    }

    /// Steps taken (adds plus drops).
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Largest violation `max_j (−s_j)/‖g_j‖` of the tracked slacks (inequalities).
    pub fn max_violation(&self) -> f64 {
        (0..self.gram.len())
            .map(|j| {
                let n = self.gram.entry(j, j).sqrt().max(f64::MIN_POSITIVE);
                if self.is_eq[j] {
                    self.slack[j].abs() / n
                } else {
                    (-self.slack[j]).max(0.0) / n
                }
            })
            .fold(0.0, f64::max)
    }
}

enum Step {
    Added,
    Redundant,
    Infeasible(FarkasRay),
    Limit,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `L x = b` (L lower triangular by rows).
fn forward(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let mut x = Vec::with_capacity(b.len());
    for (i, row) in l.iter().enumerate() {
        let s = b[i] - dot(&row[..i], &x[..i]);
        x.push(s / row[i]);
    }
    x
}

/// Solves `Lᵀ x = b`.
fn backward(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut x = b.to_vec();
    for i in (0..n).rev() {
        x[i] /= l[i][i];
        let xi = x[i];
        for (k, xk) in x.iter_mut().enumerate().take(i) {
            *xk -= l[i][k] * xi;
        }
    }
    x
}

/// Removes row/column `k` of `A = LLᵀ` from its Cholesky factor in `O(n²)`: deleting row
/// `k` of `L` leaves a lower-Hessenberg tail whose superdiagonal Givens rotations (applied
/// from the right, which keeps `LLᵀ`) annihilate.
fn chol_delete(l: &mut Vec<Vec<f64>>, k: usize) {
    l.remove(k);
    let n = l.len();
    for i in k..n {
        let a = l[i][i];
        let b = l[i][i + 1];
        let rr = a.hypot(b);
        let (c, s) = if rr == 0.0 {
            (1.0, 0.0)
        } else {
            (a / rr, b / rr)
        };
        for row in l.iter_mut().skip(i) {
            let x = row[i];
            let y = row[i + 1];
            row[i] = c * x + s * y;
            row[i + 1] = -s * x + c * y;
        }
        l[i].pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense Gram of explicit rows, for tests.
    struct Dense {
        h: Vec<Vec<f64>>,
    }
    impl ConstraintGram for Dense {
        fn len(&self) -> usize {
            self.h.len()
        }
        fn entry(&self, i: usize, j: usize) -> f64 {
            self.h[i][j]
        }
        fn mul_sparse(&self, terms: &[(usize, f64)], out: &mut [f64]) {
            for (j, o) in out.iter_mut().enumerate() {
                *o = terms.iter().map(|&(k, c)| c * self.h[j][k]).sum();
            }
        }
    }

    #[test]
    fn cholesky_delete_matches_refactor() {
        // A = B Bᵀ for a 5×5 B; delete each k and compare L Lᵀ with A minus row/col k.
        let b = [
            [2.0, 0.1, 0.3, -0.2, 0.5],
            [0.4, 1.5, -0.3, 0.2, 0.1],
            [0.0, 0.2, 1.8, 0.6, -0.4],
            [0.3, -0.5, 0.1, 1.2, 0.2],
            [0.1, 0.3, 0.2, -0.1, 0.9],
        ];
        let a: Vec<Vec<f64>> = (0..5)
            .map(|i| (0..5).map(|j| dot(&b[i], &b[j])).collect())
            .collect();
        let mut l0: Vec<Vec<f64>> = Vec::new();
        for (i, ai) in a.iter().enumerate() {
            let col: Vec<f64> = (0..i).map(|k| a[k][i]).collect();
            let mut row = forward(&l0, &col);
            let d = (ai[i] - dot(&row, &row)).sqrt();
            row.push(d);
            l0.push(row);
        }
        for k in 0..5 {
            let mut l = l0.clone();
            chol_delete(&mut l, k);
            let keep: Vec<usize> = (0..5).filter(|&i| i != k).collect();
            for (ii, &i) in keep.iter().enumerate() {
                assert_eq!(l[ii].len(), ii + 1);
                assert!(l[ii][ii] > 0.0);
                for (jj, &j) in keep.iter().enumerate() {
                    let n = ii.min(jj) + 1;
                    let v = dot(&l[ii][..n], &l[jj][..n]);
                    assert!((v - a[i][j]).abs() < 1e-13, "k={k} ({i},{j})");
                }
            }
        }
    }

    #[test]
    fn two_halfspaces_in_the_plane() {
        // y₀ = 0; constraints y₁ ≥ 1 and y₂ ≥ 2 → y = (1, 2), μ = (1, 2).
        let g = Dense {
            h: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        };
        let mut s = DualActiveSet::new(&g, &[-1.0, -2.0], &[], 1.0, DualSettings::default());
        assert_eq!(s.solve(), DualOutcome::Optimal);
        let mu = s.multipliers();
        assert!((mu[0] - 1.0).abs() < 1e-15 && (mu[1] - 2.0).abs() < 1e-15);
    }

    #[test]
    fn opposite_halfspaces_are_infeasible_with_a_certificate() {
        // y ≥ 1 and −y ≥ 1 (g = ±1): H = [[1,−1],[−1,1]], s₀ = (−1, −1).
        let g = Dense {
            h: vec![vec![1.0, -1.0], vec![-1.0, 1.0]],
        };
        let mut s = DualActiveSet::new(&g, &[-1.0, -1.0], &[], 1.0, DualSettings::default());
        match s.solve() {
            DualOutcome::Infeasible(ray) => {
                let mut v = [0.0; 2];
                for (j, x) in ray.entries {
                    v[j] = x;
                }
                assert!(v[0] > 0.0 && v[1] > 0.0 && (v[0] - v[1]).abs() < 1e-15);
            }
            other => panic!("expected infeasible, got {other:?}"),
        }
    }
}
