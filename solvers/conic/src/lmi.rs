//! Linear matrix inequality programs in the form every LMI backend shares.
//!
//! ```text
//!   minimise    cᵀy
//!   subject to  F_b(y) = F_b0 + Σᵢ yᵢ F_bi ⪰ 0     for each block b,
//!               yᵢ ≥ 0                              for i with domain Nonneg.
//! ```
//!
//! This is the SDPA "primal" form (and the dual of the standard primal SDP
//! `max ⟨F₀, X⟩`). Coefficient matrices keep their structure — a sum of rank-one
//! terms `Σ_k s_k w_k w_kᵀ` with sparse `w_k`, sparse triplets, or dense — so a
//! backend that exploits low rank (a LipSDP multiplier's matrix has rank ≤ 2: a
//! neuron's incoming weights and its own coordinate) can read it as given, while
//! the clarabel backend ([`ClarabelLmiBackend`]) expands it into a [`Model`].
//!
//! Backends implement [`LmiBackend`]; each returns an [`LmiSolution`] with the
//! multipliers `y`, the dual matrix of every block and its statistics. Callers that
//! print bounds must re-check `y` themselves (the Lipschitz crate does, with a
//! verified positive-definiteness test): the backend's status is not a certificate.

use std::time::Instant;

use quadra_core::Mat;

use crate::{ConicError, Dual, LinExpr, Model, Result, SolverSettings, SymAffine, Var};

/// A sparse vector: `values[k]` at position `indices[k]` (indices need not be sorted
/// but must be distinct).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SparseVector {
    /// Positions of the nonzeros.
    pub indices: Vec<usize>,
    /// Values of the nonzeros.
    pub values: Vec<f64>,
}

impl SparseVector {
    /// A sparse vector from (index, value) pairs; exact zeros are dropped.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (usize, f64)>) -> Self {
        let mut v = SparseVector::default();
        for (i, a) in pairs {
            if a != 0.0 {
                v.indices.push(i);
                v.values.push(a);
            }
        }
        v
    }

    /// The unit vector `e_i`.
    pub fn unit(i: usize) -> Self {
        SparseVector {
            indices: vec![i],
            values: vec![1.0],
        }
    }

    /// Iterates over `(index, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.indices
            .iter()
            .copied()
            .zip(self.values.iter().copied())
    }
}

/// A symmetric coefficient matrix with its structure kept.
#[derive(Debug, Clone, PartialEq)]
pub enum CoefMatrix {
    /// `Σ_k s_k w_k w_kᵀ` (any symmetric matrix of rank r is a sum of r such terms;
    /// `u vᵀ + v uᵀ = ½[(u+v)(u+v)ᵀ − (u−v)(u−v)ᵀ]`).
    LowRank(Vec<(f64, SparseVector)>),
    /// Upper-triangle triplets `(i, j, a)` with `i ≤ j`; `(j, i)` is implied.
    /// Repeated positions add up.
    Sparse(Vec<(usize, usize, f64)>),
    /// A dense symmetric matrix (both triangles stored and equal).
    Dense(Mat<f64>),
}

impl CoefMatrix {
    /// The zero matrix.
    pub fn zero() -> Self {
        CoefMatrix::Sparse(Vec::new())
    }

    /// Adds `scale` times this matrix to the dense `out`.
    pub fn add_to(&self, scale: f64, out: &mut Mat<f64>) {
        match self {
            CoefMatrix::LowRank(terms) => {
                for (s, w) in terms {
                    // (scale·s)·(a·b): the same rounding for (i, j) and (j, i), so the
                    // result is exactly symmetric.
                    let c = scale * s;
                    for (i, a) in w.iter() {
                        for (j, b) in w.iter() {
                            out[(i, j)] += c * (a * b);
                        }
                    }
                }
            }
            CoefMatrix::Sparse(entries) => {
                for &(i, j, a) in entries {
                    out[(i, j)] += scale * a;
                    if i != j {
                        out[(j, i)] += scale * a;
                    }
                }
            }
            CoefMatrix::Dense(m) => {
                for j in 0..m.ncols() {
                    for i in 0..m.nrows() {
                        out[(i, j)] += scale * m[(i, j)];
                    }
                }
            }
        }
    }

    /// The dense `n × n` matrix.
    pub fn to_dense(&self, n: usize) -> Mat<f64> {
        let mut m = Mat::zeros(n, n);
        self.add_to(1.0, &mut m);
        m
    }

    /// Checks indices against the dimension `n`, finiteness and symmetry (dense).
    fn validate(&self, n: usize, place: &str) -> Result<()> {
        let finite = |a: f64| -> Result<()> {
            if a.is_finite() {
                Ok(())
            } else {
                Err(ConicError::NonFinite {
                    place: place.to_string(),
                    value: a,
                })
            }
        };
        let in_range = |i: usize, j: usize| -> Result<()> {
            if i < n && j < n {
                Ok(())
            } else {
                Err(ConicError::EntryOutOfRange {
                    row: i,
                    col: j,
                    dim: n,
                })
            }
        };
        match self {
            CoefMatrix::LowRank(terms) => {
                for (s, w) in terms {
                    finite(*s)?;
                    if w.indices.len() != w.values.len() {
                        return Err(ConicError::DimensionMismatch {
                            place: format!("{place}: sparse vector values"),
                            expected: w.indices.len(),
                            found: w.values.len(),
                        });
                    }
                    for (i, a) in w.iter() {
                        in_range(i, i)?;
                        finite(a)?;
                    }
                }
            }
            CoefMatrix::Sparse(entries) => {
                for &(i, j, a) in entries {
                    in_range(i, j)?;
                    finite(a)?;
                }
            }
            CoefMatrix::Dense(m) => {
                if m.nrows() != n || m.ncols() != n {
                    return Err(ConicError::DimensionMismatch {
                        place: place.to_string(),
                        expected: n,
                        found: m.nrows().max(m.ncols()),
                    });
                }
                for j in 0..n {
                    for i in 0..n {
                        finite(m[(i, j)])?;
                        if m[(i, j)] != m[(j, i)] {
                            return Err(ConicError::Backend(format!(
                                "{place}: dense coefficient matrix is not symmetric at ({i}, {j})"
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// One LMI block `F₀ + Σᵢ yᵢ Fᵢ ⪰ 0` of dimension `dim`.
#[derive(Debug, Clone, PartialEq)]
pub struct LmiBlock {
    /// Dimension of the block.
    pub dim: usize,
    /// The constant matrix `F₀`.
    pub constant: CoefMatrix,
    /// `(variable index i, Fᵢ)`; a variable may appear at most once per block.
    pub terms: Vec<(usize, CoefMatrix)>,
}

impl LmiBlock {
    /// An empty block (`0 ⪰ 0`) of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        LmiBlock {
            dim,
            constant: CoefMatrix::zero(),
            terms: Vec::new(),
        }
    }

    /// The dense matrix `F(y)`.
    pub fn eval(&self, y: &[f64]) -> Mat<f64> {
        let mut m = self.constant.to_dense(self.dim);
        for (i, f) in &self.terms {
            if y[*i] != 0.0 {
                f.add_to(y[*i], &mut m);
            }
        }
        m
    }
}

/// Sign restriction of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarDomain {
    /// `yᵢ ∈ ℝ`.
    Free,
    /// `yᵢ ≥ 0`.
    Nonneg,
}

/// `min cᵀy` subject to LMI blocks and sign restrictions (see the module docs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LmiProblem {
    /// Objective `c`.
    pub objective: Vec<f64>,
    /// Domain of each variable.
    pub domains: Vec<VarDomain>,
    /// The LMI blocks.
    pub blocks: Vec<LmiBlock>,
}

impl LmiProblem {
    /// A problem with `num_vars` variables of the given domain, zero objective, no blocks.
    pub fn new(num_vars: usize, domain: VarDomain) -> Self {
        LmiProblem {
            objective: vec![0.0; num_vars],
            domains: vec![domain; num_vars],
            blocks: Vec::new(),
        }
    }

    /// Number of variables `m`.
    pub fn num_vars(&self) -> usize {
        self.objective.len()
    }

    /// Checks shapes, indices and finiteness.
    pub fn validate(&self) -> Result<()> {
        let m = self.num_vars();
        if self.domains.len() != m {
            return Err(ConicError::DimensionMismatch {
                place: "LMI problem variable domains".into(),
                expected: m,
                found: self.domains.len(),
            });
        }
        for (i, &c) in self.objective.iter().enumerate() {
            if !c.is_finite() {
                return Err(ConicError::NonFinite {
                    place: format!("objective coefficient {i}"),
                    value: c,
                });
            }
        }
        for (b, block) in self.blocks.iter().enumerate() {
            block
                .constant
                .validate(block.dim, &format!("block {b} constant"))?;
            let mut seen = vec![false; m];
            for (i, f) in &block.terms {
                if *i >= m {
                    return Err(ConicError::UnknownVariable {
                        index: *i,
                        count: m,
                    });
                }
                if seen[*i] {
                    return Err(ConicError::Backend(format!(
                        "block {b}: variable {i} appears twice"
                    )));
                }
                seen[*i] = true;
                f.validate(block.dim, &format!("block {b} coefficient of y{i}"))?;
            }
        }
        Ok(())
    }

    /// `cᵀy`.
    pub fn objective_value(&self, y: &[f64]) -> f64 {
        self.objective.iter().zip(y).map(|(c, y)| c * y).sum()
    }

    /// The clarabel model of this program: returns the model, its variables and the
    /// constraint id of each block.
    pub fn to_model(&self) -> Result<(Model, Vec<Var>, Vec<crate::ConstraintId>)> {
        self.validate()?;
        let mut model = Model::new();
        let vars = model.add_vars(self.num_vars());
        model.minimize(LinExpr::weighted_sum(&vars, &self.objective));
        let nonneg: Vec<LinExpr> = vars
            .iter()
            .zip(&self.domains)
            .filter(|(_, d)| **d == VarDomain::Nonneg)
            .map(|(v, _)| LinExpr::from(*v))
            .collect();
        if !nonneg.is_empty() {
            model.add_nonneg(nonneg)?;
        }
        let mut ids = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let mut f = SymAffine::zeros(block.dim);
            add_coef(&mut f, None, &block.constant);
            for (i, c) in &block.terms {
                add_coef(&mut f, Some(vars[*i]), c);
            }
            ids.push(model.add_psd(f)?);
        }
        Ok((model, vars, ids))
    }
}

impl LmiProblem {
    /// Splits every block into its connected components: indices `i, j` are connected
    /// when some coefficient matrix couples them. A block-diagonal LMI is equivalent to
    /// one LMI per diagonal block, and cone sizes drop accordingly (LipSDP with
    /// MaxMin/GroupSort constraints decouples into one LMI per layer this way).
    /// Variables and the objective are unchanged; only `blocks` is rewritten.
    pub fn split_components(&self) -> LmiProblem {
        let mut blocks = Vec::new();
        for block in &self.blocks {
            let n = block.dim;
            let mut parent: Vec<usize> = (0..n).collect();
            fn find(p: &mut [usize], mut i: usize) -> usize {
                while p[i] != i {
                    p[i] = p[p[i]];
                    i = p[i];
                }
                i
            }
            let union = |p: &mut Vec<usize>, a: usize, b: usize| {
                let (ra, rb) = (find(p, a), find(p, b));
                if ra != rb {
                    p[ra] = rb;
                }
            };
            let all = std::iter::once(&block.constant).chain(block.terms.iter().map(|(_, c)| c));
            for c in all {
                match c {
                    CoefMatrix::LowRank(terms) => {
                        for (_, w) in terms {
                            for k in 1..w.indices.len() {
                                union(&mut parent, w.indices[0], w.indices[k]);
                            }
                        }
                    }
                    CoefMatrix::Sparse(e) => {
                        for &(i, j, _) in e {
                            union(&mut parent, i, j);
                        }
                    }
                    CoefMatrix::Dense(m) => {
                        for j in 0..n {
                            for i in 0..j {
                                if m[(i, j)] != 0.0 {
                                    union(&mut parent, i, j);
                                }
                            }
                        }
                    }
                }
            }
            let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
            let mut comp_of_root = std::collections::BTreeMap::new();
            let mut local = vec![0usize; n];
            let mut sizes: Vec<usize> = Vec::new();
            for i in 0..n {
                let c = *comp_of_root.entry(roots[i]).or_insert_with(|| {
                    sizes.push(0);
                    sizes.len() - 1
                });
                local[i] = sizes[c];
                sizes[c] += 1;
            }
            if sizes.len() <= 1 {
                blocks.push(block.clone());
                continue;
            }
            let comp = |i: usize| comp_of_root[&roots[i]];
            let split = |c: &CoefMatrix| -> Vec<CoefMatrix> {
                let mut out: Vec<CoefMatrix> = match c {
                    CoefMatrix::LowRank(_) => vec![CoefMatrix::LowRank(Vec::new()); sizes.len()],
                    _ => vec![CoefMatrix::Sparse(Vec::new()); sizes.len()],
                };
                match c {
                    CoefMatrix::LowRank(terms) => {
                        for (s, w) in terms {
                            if let Some(&i0) = w.indices.first() {
                                let v = SparseVector {
                                    indices: w.indices.iter().map(|&i| local[i]).collect(),
                                    values: w.values.clone(),
                                };
                                if let CoefMatrix::LowRank(t) = &mut out[comp(i0)] {
                                    t.push((*s, v));
                                }
                            }
                        }
                    }
                    CoefMatrix::Sparse(e) => {
                        for &(i, j, a) in e {
                            if let CoefMatrix::Sparse(t) = &mut out[comp(i)] {
                                t.push((local[i], local[j], a));
                            }
                        }
                    }
                    CoefMatrix::Dense(m) => {
                        for j in 0..n {
                            for i in 0..=j {
                                if m[(i, j)] != 0.0 {
                                    if let CoefMatrix::Sparse(t) = &mut out[comp(i)] {
                                        t.push((local[i], local[j], m[(i, j)]));
                                    }
                                }
                            }
                        }
                    }
                }
                out
            };
            let mut new_blocks: Vec<LmiBlock> = sizes.iter().map(|&d| LmiBlock::new(d)).collect();
            for (k, c) in split(&block.constant).into_iter().enumerate() {
                new_blocks[k].constant = c;
            }
            for (var, c) in &block.terms {
                for (k, part) in split(c).into_iter().enumerate() {
                    let empty = match &part {
                        CoefMatrix::LowRank(t) => t.is_empty(),
                        CoefMatrix::Sparse(t) => t.is_empty(),
                        CoefMatrix::Dense(_) => false,
                    };
                    if !empty {
                        new_blocks[k].terms.push((*var, part));
                    }
                }
            }
            blocks.extend(new_blocks);
        }
        LmiProblem {
            objective: self.objective.clone(),
            domains: self.domains.clone(),
            blocks,
        }
    }
}

/// Adds a coefficient matrix (upper triangle) to a symmetric affine expression.
fn add_coef(f: &mut SymAffine, var: Option<Var>, c: &CoefMatrix) {
    let mut put = |i: usize, j: usize, a: f64| {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        match var {
            None => f.add_constant_entry(i, j, a),
            Some(v) => f.add_term_entry(v, i, j, a),
        };
    };
    match c {
        CoefMatrix::LowRank(terms) => {
            for (s, w) in terms {
                for (p, (i, a)) in w.iter().enumerate() {
                    for (q, (j, b)) in w.iter().enumerate() {
                        // Each unordered pair once: (i, j) and (j, i) are one stored entry.
                        if q < p {
                            continue;
                        }
                        if i == j && p != q {
                            put(i, j, 2.0 * s * a * b);
                        } else {
                            put(i, j, s * a * b);
                        }
                    }
                }
            }
        }
        CoefMatrix::Sparse(entries) => {
            for &(i, j, a) in entries {
                put(i, j, a);
            }
        }
        CoefMatrix::Dense(m) => {
            for j in 0..m.ncols() {
                for i in 0..=j {
                    if m[(i, j)] != 0.0 {
                        put(i, j, m[(i, j)]);
                    }
                }
            }
        }
    }
}

/// What a backend returns.
#[derive(Debug, Clone)]
pub struct LmiSolution {
    /// The multipliers `y`.
    pub y: Vec<f64>,
    /// `cᵀy` at the returned point.
    pub objective: f64,
    /// The dual objective (a lower bound on the optimum when the dual point is feasible).
    pub dual_objective: f64,
    /// The dual matrix `Z_b ⪰ 0` of each block (`Σ_b ⟨F_bi, Z_b⟩ = cᵢ` at optimality).
    pub block_duals: Vec<Mat<f64>>,
    /// Iterations taken.
    pub iterations: u32,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
    /// Relative duality gap reported by the backend.
    pub gap_rel: f64,
    /// Which backend produced it.
    pub backend: &'static str,
}

/// An a-posteriori check of an [`LmiSolution`], independent of the backend that
/// produced it: slack and dual eigenvalues, stationarity and gap, each relative.
#[derive(Debug, Clone, PartialEq)]
pub struct LmiCheck {
    /// `min_b λ_min(F_b(y)) / (1 + max_b ‖F_b(y)‖_F)` (negative when `y` is infeasible).
    pub slack_min_eig: f64,
    /// `min_b λ_min(Z_b) / (1 + max_b ‖Z_b‖_F)`.
    pub dual_min_eig: f64,
    /// `max_i |cᵢ − Σ_b ⟨F_bi, Z_b⟩| / (1 + ‖c‖_∞)`, with only the excess counted for
    /// nonnegative `yᵢ` (`Σ_b ⟨F_bi, Z_b⟩ ≤ cᵢ` is dual feasible there).
    pub stationarity: f64,
    /// `|cᵀy + Σ_b ⟨F_b0, Z_b⟩| / (1 + |cᵀy|)`.
    pub gap: f64,
    /// `min yᵢ` over nonnegative variables (0 when there are none).
    pub sign_min: f64,
}

impl LmiCheck {
    /// Re-checks `sol` against `problem` (dense eigenvalues: `O(Σ n_b³)`).
    pub fn new(problem: &LmiProblem, sol: &LmiSolution) -> Result<LmiCheck> {
        let mut slack: f64 = f64::INFINITY;
        let mut dual: f64 = f64::INFINITY;
        let mut slack_norm: f64 = 0.0;
        let mut dual_norm: f64 = 0.0;
        let mut az = vec![0.0; problem.num_vars()];
        let mut f0z = 0.0;
        for (b, z) in problem.blocks.iter().zip(&sol.block_duals) {
            if b.dim == 0 {
                continue;
            }
            let f = b.eval(&sol.y);
            slack = slack.min(min_eig(&f)?);
            slack_norm = slack_norm.max(f.norm_l2());
            let zs = quadra_core::symmetrize(z.as_ref())?;
            dual = dual.min(min_eig(&zs)?);
            dual_norm = dual_norm.max(zs.norm_l2());
            let inner = |c: &CoefMatrix| -> f64 {
                let d = c.to_dense(b.dim);
                let mut acc = 0.0;
                for j in 0..b.dim {
                    for i in 0..b.dim {
                        acc += d[(i, j)] * zs[(i, j)];
                    }
                }
                acc
            };
            f0z += inner(&b.constant);
            for (i, c) in &b.terms {
                az[*i] += inner(c);
            }
        }
        let cmax = problem.objective.iter().fold(0.0f64, |a, c| a.max(c.abs()));
        let stationarity = problem
            .objective
            .iter()
            .zip(&az)
            .zip(&problem.domains)
            .map(|((c, a), d)| match d {
                VarDomain::Free => (c - a).abs(),
                VarDomain::Nonneg => (a - c).max(0.0),
            })
            .fold(0.0, f64::max)
            / (1.0 + cmax);
        let obj = problem.objective_value(&sol.y);
        let sign_min = problem
            .domains
            .iter()
            .zip(&sol.y)
            .filter(|(d, _)| **d == VarDomain::Nonneg)
            .map(|(_, y)| *y)
            .fold(0.0, f64::min);
        Ok(LmiCheck {
            slack_min_eig: if slack.is_finite() {
                slack / (1.0 + slack_norm)
            } else {
                0.0
            },
            dual_min_eig: if dual.is_finite() {
                dual / (1.0 + dual_norm)
            } else {
                0.0
            },
            stationarity,
            gap: (obj + f0z).abs() / (1.0 + obj.abs()),
            sign_min,
        })
    }

    /// True when every measure is within `tol` (eigenvalues and signs `≥ −tol`).
    pub fn passes(&self, tol: f64) -> bool {
        self.slack_min_eig >= -tol
            && self.dual_min_eig >= -tol
            && self.stationarity <= tol
            && self.gap <= tol
            && self.sign_min >= -tol
    }
}

fn min_eig(a: &Mat<f64>) -> Result<f64> {
    Ok(quadra_core::spectral::symmetric_eigenvalues(a.as_ref())?
        .into_iter()
        .fold(f64::INFINITY, f64::min))
}

/// A solver for [`LmiProblem`]s.
pub trait LmiBackend {
    /// Short name (`"clarabel"`, `"lowrank"`).
    fn name(&self) -> &'static str;
    /// Solves the program; infeasible, unbounded or stalled programs are errors.
    fn solve(&self, problem: &LmiProblem) -> Result<LmiSolution>;
}

/// The clarabel backend: expands the coefficient matrices into a [`Model`].
#[derive(Debug, Clone, Default)]
pub struct ClarabelLmiBackend {
    /// Solver settings passed to clarabel.
    pub settings: SolverSettings,
}

impl LmiBackend for ClarabelLmiBackend {
    fn name(&self) -> &'static str {
        "clarabel"
    }

    fn solve(&self, problem: &LmiProblem) -> Result<LmiSolution> {
        let start = Instant::now();
        let (model, vars, ids) = problem.to_model()?;
        let sol = model.solve(&self.settings)?;
        let y: Vec<f64> = vars.iter().map(|&v| sol.value(v)).collect();
        let mut block_duals = Vec::with_capacity(ids.len());
        for id in ids {
            match sol.dual(id)? {
                Dual::Matrix(z) => block_duals.push(z),
                Dual::Vector(_) => {
                    return Err(ConicError::Backend(
                        "an LMI block returned a vector dual".into(),
                    ))
                }
            }
        }
        Ok(LmiSolution {
            objective: problem.objective_value(&y),
            y,
            dual_objective: sol.dual_objective,
            block_duals,
            iterations: sol.iterations,
            seconds: start.elapsed().as_secs_f64(),
            gap_rel: sol.gap_rel,
            backend: "clarabel",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(p: &[(usize, f64)]) -> SparseVector {
        SparseVector::from_pairs(p.iter().copied())
    }

    #[test]
    fn low_rank_and_sparse_and_dense_agree() {
        // F = 2 w wᵀ with w = (1, 0, 3) written three ways.
        let lr = CoefMatrix::LowRank(vec![(2.0, sv(&[(0, 1.0), (2, 3.0)]))]);
        let sp = CoefMatrix::Sparse(vec![(0, 0, 2.0), (0, 2, 6.0), (2, 2, 18.0)]);
        let dense = lr.to_dense(3);
        assert_eq!(dense, sp.to_dense(3));
        assert_eq!(CoefMatrix::Dense(dense.clone()).to_dense(3), dense);
        assert_eq!(dense[(2, 0)], 6.0);
        // The model expansion of the low-rank form reproduces the same matrix.
        let mut f = SymAffine::zeros(3);
        add_coef(&mut f, None, &lr);
        assert_eq!(f.eval(&[]), dense);
    }

    #[test]
    fn lambda_max_as_lmi() {
        // min t s.t. t I − A ⪰ 0 gives λ_max(A) = 3 for A = diag(1, 3) + offdiag 0.
        let mut p = LmiProblem::new(1, VarDomain::Free);
        p.objective[0] = 1.0;
        let mut b = LmiBlock::new(2);
        b.constant = CoefMatrix::Sparse(vec![(0, 0, -1.0), (1, 1, -3.0)]);
        b.terms.push((
            0,
            CoefMatrix::LowRank(vec![
                (1.0, SparseVector::unit(0)),
                (1.0, SparseVector::unit(1)),
            ]),
        ));
        p.blocks.push(b);
        let sol = ClarabelLmiBackend::default().solve(&p).unwrap();
        assert!((sol.y[0] - 3.0).abs() < 1e-6, "{}", sol.y[0]);
        // Dual: Z ⪰ 0 with tr Z = 1 concentrated on the top eigenvector.
        let z = &sol.block_duals[0];
        assert!((z[(1, 1)] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn split_components_keeps_the_spectrum() {
        // diag blocks {0, 2} and {1}: y0·(e0+e2)(e0+e2)ᵀ + y1·e1e1ᵀ − I.
        let mut p = LmiProblem::new(2, VarDomain::Free);
        let mut b = LmiBlock::new(3);
        b.constant = CoefMatrix::Sparse(vec![(0, 0, -1.0), (1, 1, -1.0), (2, 2, -1.0)]);
        b.terms.push((
            0,
            CoefMatrix::LowRank(vec![(1.0, sv(&[(0, 1.0), (2, 1.0)]))]),
        ));
        b.terms
            .push((1, CoefMatrix::LowRank(vec![(1.0, SparseVector::unit(1))])));
        p.blocks.push(b);
        let q = p.split_components();
        assert_eq!(q.blocks.len(), 2);
        let dims: Vec<usize> = q.blocks.iter().map(|b| b.dim).collect();
        assert_eq!(dims.iter().sum::<usize>(), 3);
        let y = [2.0, 3.0];
        let tr: f64 = q
            .blocks
            .iter()
            .map(|b| {
                let m = b.eval(&y);
                (0..b.dim).map(|i| m[(i, i)]).sum::<f64>()
            })
            .sum();
        let full = p.blocks[0].eval(&y);
        assert_eq!(tr, (0..3).map(|i| full[(i, i)]).sum::<f64>());
    }

    #[test]
    fn invalid_index_is_an_error() {
        let mut p = LmiProblem::new(1, VarDomain::Nonneg);
        let mut b = LmiBlock::new(2);
        b.terms.push((0, CoefMatrix::Sparse(vec![(0, 5, 1.0)])));
        p.blocks.push(b);
        assert!(matches!(
            p.validate(),
            Err(ConicError::EntryOutOfRange { .. })
        ));
        p.blocks[0].terms[0].0 = 3;
        assert!(matches!(
            p.validate(),
            Err(ConicError::UnknownVariable { .. })
        ));
    }
}
