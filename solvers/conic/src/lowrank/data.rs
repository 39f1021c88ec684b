//! The problem as the interior point reads it: PSD blocks with their coefficient
//! matrices kept in structure, and an LP part that collects the `1×1` blocks and the
//! sign constraints `yᵢ ≥ 0` (both are scalar cones `s_r = g_r0 + Σᵢ g_ri yᵢ ≥ 0`).

use quadra_core::{Mat, MatRef};

use super::block_tridiagonal::BlockPartition;
use super::panels::FactorPanels;
use crate::lmi::{CoefMatrix, LmiProblem, SparseVector, VarDomain};

/// A symmetric coefficient matrix in the form the Schur complement reads.
#[derive(Debug, Clone)]
pub(crate) enum Coef {
    /// `Σ_k s_k w_k w_kᵀ`.
    LowRank(Vec<(f64, SparseVector)>),
    /// Upper-triangle triplets, duplicates summed.
    Sparse(Vec<(usize, usize, f64)>),
    /// Dense symmetric.
    Dense(Mat<f64>),
}

impl Coef {
    pub(crate) fn from_coef(c: &CoefMatrix) -> Coef {
        match c {
            CoefMatrix::LowRank(t) => Coef::LowRank(t.clone()),
            CoefMatrix::Sparse(e) => {
                let mut map = std::collections::BTreeMap::new();
                for &(i, j, a) in e {
                    *map.entry((i.min(j), i.max(j))).or_insert(0.0) += a;
                }
                Coef::Sparse(
                    map.into_iter()
                        .filter(|(_, a)| *a != 0.0)
                        .map(|((i, j), a)| (i, j, a))
                        .collect(),
                )
            }
            CoefMatrix::Dense(m) => Coef::Dense(m.clone()),
        }
    }

    /// Number of stored numbers touched by one inner product.
    pub(crate) fn work(&self, n: usize) -> usize {
        match self {
            Coef::LowRank(t) => t.iter().map(|(_, w)| w.indices.len()).sum::<usize>() + 1,
            Coef::Sparse(e) => e.len() + 1,
            Coef::Dense(_) => n * n,
        }
    }

    /// `⟨F, T⟩ = Σ_ij F_ij T_ij` (equal to `⟨F, sym T⟩` for any square `T`).
    pub(crate) fn inner(&self, t: &Mat<f64>) -> f64 {
        match self {
            Coef::LowRank(terms) => terms
                .iter()
                .map(|(s, w)| {
                    let mut acc = 0.0;
                    for (j, b) in w.iter() {
                        let col = t.col_as_slice(j);
                        let mut cj = 0.0;
                        for (&i, &a) in w.indices.iter().zip(&w.values) {
                            cj += a * col[i];
                        }
                        acc += b * cj;
                    }
                    s * acc
                })
                .sum(),
            Coef::Sparse(e) => e
                .iter()
                .map(|&(i, j, a)| {
                    if i == j {
                        a * t[(i, i)]
                    } else {
                        a * (t[(i, j)] + t[(j, i)])
                    }
                })
                .sum(),
            Coef::Dense(m) => frob_inner(m.as_ref(), t.as_ref()),
        }
    }

    /// `pᵀ F q`.
    pub(crate) fn bilinear(&self, p: &[f64], q: &[f64]) -> f64 {
        match self {
            Coef::LowRank(terms) => terms
                .iter()
                .map(|(s, w)| {
                    let (mut wp, mut wq) = (0.0, 0.0);
                    for (i, a) in w.iter() {
                        wp += a * p[i];
                        wq += a * q[i];
                    }
                    s * wp * wq
                })
                .sum(),
            Coef::Sparse(e) => e
                .iter()
                .map(|&(i, j, a)| {
                    if i == j {
                        a * p[i] * q[i]
                    } else {
                        a * (p[i] * q[j] + p[j] * q[i])
                    }
                })
                .sum(),
            Coef::Dense(m) => {
                let mut acc = 0.0;
                for j in 0..m.ncols() {
                    let mut cj = 0.0;
                    for i in 0..m.nrows() {
                        cj += p[i] * m[(i, j)];
                    }
                    acc += cj * q[j];
                }
                acc
            }
        }
    }

    /// `out += scale · F`.
    pub(crate) fn add_to(&self, scale: f64, out: &mut Mat<f64>) {
        match self {
            Coef::LowRank(t) => {
                for (s, w) in t {
                    let c = scale * s;
                    for (j, b) in w.iter() {
                        let col = out.col_as_slice_mut(j);
                        let cb = c * b;
                        for (&i, &a) in w.indices.iter().zip(&w.values) {
                            col[i] += cb * a;
                        }
                    }
                }
            }
            Coef::Sparse(e) => {
                for &(i, j, a) in e {
                    out[(i, j)] += scale * a;
                    if i != j {
                        out[(j, i)] += scale * a;
                    }
                }
            }
            Coef::Dense(m) => {
                for j in 0..m.ncols() {
                    let src = m.col_as_slice(j);
                    for (o, a) in out.col_as_slice_mut(j).iter_mut().zip(src) {
                        *o += scale * a;
                    }
                }
            }
        }
    }

    /// Rank-one factors `Σ s_l w_l w_lᵀ` when the matrix is stored so (sparse entries
    /// split as `a(eᵢeⱼᵀ + eⱼeᵢᵀ) = (a/2)[(eᵢ+eⱼ)(eᵢ+eⱼ)ᵀ − (eᵢ−eⱼ)(eᵢ−eⱼ)ᵀ]`);
    /// `None` for dense matrices.
    pub(crate) fn factors(&self) -> Option<Vec<(f64, SparseVector)>> {
        match self {
            Coef::LowRank(t) => Some(t.clone()),
            Coef::Sparse(e) => {
                let mut out = Vec::with_capacity(2 * e.len());
                for &(i, j, a) in e {
                    if i == j {
                        out.push((a, SparseVector::unit(i)));
                    } else {
                        out.push((
                            0.5 * a,
                            SparseVector {
                                indices: vec![i, j],
                                values: vec![1.0, 1.0],
                            },
                        ));
                        out.push((
                            -0.5 * a,
                            SparseVector {
                                indices: vec![i, j],
                                values: vec![1.0, -1.0],
                            },
                        ));
                    }
                }
                Some(out)
            }
            Coef::Dense(_) => None,
        }
    }

    /// Squared Frobenius norm.
    pub(crate) fn frob2(&self, n: usize) -> f64 {
        match self {
            Coef::Dense(m) => m.norm_l2().powi(2),
            Coef::Sparse(e) => e
                .iter()
                .map(|&(i, j, a)| if i == j { a * a } else { 2.0 * a * a })
                .sum(),
            // ‖Σ s_k w_k w_kᵀ‖²_F = Σ_{k,l} s_k s_l (w_kᵀw_l)², without forming the matrix.
            Coef::LowRank(t) => {
                let mut scratch = vec![0.0; n];
                let mut acc = 0.0;
                for (k, (sk, wk)) in t.iter().enumerate() {
                    for (i, a) in wk.iter() {
                        scratch[i] += a;
                    }
                    for (l, (sl, wl)) in t.iter().enumerate().skip(k) {
                        let d: f64 = wl.iter().map(|(i, a)| a * scratch[i]).sum();
                        acc += if l == k { 1.0 } else { 2.0 } * sk * sl * d * d;
                    }
                    for (i, _) in wk.iter() {
                        scratch[i] = 0.0;
                    }
                }
                acc
            }
        }
    }

    pub(crate) fn to_dense(&self, n: usize) -> Mat<f64> {
        let mut m = Mat::zeros(n, n);
        self.add_to(1.0, &mut m);
        m
    }
}

/// How column `j` of the Schur complement is formed for one block term.
#[derive(Debug, Clone)]
pub(crate) enum ColumnRoute {
    /// Through the rank-one factors: `p = X w`, `q = S⁻¹ w`, then `pᵀ Fᵢ q`.
    Factors(Vec<(f64, SparseVector)>),
    /// Through the dense product `X Fⱼ S⁻¹`.
    Dense,
}

/// One PSD block.
#[derive(Debug, Clone)]
pub(crate) struct PsdBlock {
    /// Index of the block in the user's problem.
    pub original: usize,
    pub dim: usize,
    /// `F₀` (dense).
    pub constant: Mat<f64>,
    /// `(variable, Fᵢ)`.
    pub terms: Vec<(usize, Coef)>,
    /// Column route of each term.
    pub routes: Vec<ColumnRoute>,
    /// The factors gathered into dense panels when every term is routed through its
    /// factors and the panels are full enough.
    pub panels: Option<FactorPanels>,
    /// Block-tridiagonal partition of the aggregate sparsity pattern, when factoring
    /// the slack through it beats a dense Cholesky.
    pub partition: Option<BlockPartition>,
}

impl PsdBlock {
    /// The variable of each term, in term order.
    pub(crate) fn vars(&self) -> Vec<usize> {
        self.terms.iter().map(|(v, _)| *v).collect()
    }

    /// `reach[j]`: the largest row `i ≥ j` where `F₀` or some `Fᵢ` is nonzero in
    /// column `j` — the aggregate sparsity pattern, which the slack `S = F₀ + Σ yᵢFᵢ`
    /// and every dual direction stay in.
    pub(crate) fn reach(&self) -> Vec<usize> {
        let n = self.dim;
        let mut reach: Vec<usize> = (0..n).collect();
        let mut touch = |i: usize, j: usize| {
            let (lo, hi) = (i.min(j), i.max(j));
            reach[lo] = reach[lo].max(hi);
        };
        for j in 0..n {
            for (i, &a) in self.constant.col_as_slice(j).iter().enumerate() {
                if a != 0.0 {
                    touch(i, j);
                }
            }
        }
        for (_, f) in &self.terms {
            match f {
                Coef::LowRank(t) => {
                    for (_, w) in t {
                        if let (Some(&lo), Some(&hi)) =
                            (w.indices.iter().min(), w.indices.iter().max())
                        {
                            for &i in &w.indices {
                                touch(i, hi);
                                touch(lo, i);
                            }
                        }
                    }
                }
                Coef::Sparse(e) => e.iter().for_each(|&(i, j, _)| touch(i, j)),
                Coef::Dense(_) => touch(0, n - 1),
            }
        }
        reach
    }
}

/// Where an LP row came from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LpOrigin {
    /// A `1×1` block of the user's problem.
    Block(usize),
    /// The sign constraint of a variable.
    Sign,
}

/// Scalar cones `s_r = g_r0 + Σᵢ g_ri yᵢ ≥ 0`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LpPart {
    pub constant: Vec<f64>,
    pub rows: Vec<Vec<(usize, f64)>>,
    pub origin: Vec<LpOrigin>,
}

/// The whole program in internal form.
#[derive(Debug, Clone)]
pub(crate) struct IpmData {
    pub m: usize,
    pub c: Vec<f64>,
    pub psd: Vec<PsdBlock>,
    pub lp: LpPart,
    /// Number of blocks in the user's problem.
    pub num_user_blocks: usize,
}

impl IpmData {
    /// Internal form of a validated problem.
    /// `structure = (block_tridiagonal, dense_panels)` enables the two structure
    /// exploits (each still applied only where it pays).
    pub(crate) fn new(p: &LmiProblem, structure: (bool, bool)) -> IpmData {
        let m = p.num_vars();
        let mut psd = Vec::new();
        let mut lp = LpPart::default();
        for (b, block) in p.blocks.iter().enumerate() {
            if block.dim == 0 {
                continue;
            }
            if block.dim == 1 {
                let c0 = block.constant.to_dense(1)[(0, 0)];
                let row: Vec<(usize, f64)> = block
                    .terms
                    .iter()
                    .map(|(i, f)| (*i, f.to_dense(1)[(0, 0)]))
                    .filter(|(_, a)| *a != 0.0)
                    .collect();
                lp.constant.push(c0);
                lp.rows.push(row);
                lp.origin.push(LpOrigin::Block(b));
                continue;
            }
            let n = block.dim;
            let terms: Vec<(usize, Coef)> = block
                .terms
                .iter()
                .map(|(i, f)| (*i, Coef::from_coef(f)))
                .collect();
            let row_work: usize = terms.iter().map(|(_, f)| f.work(n)).sum();
            let routes = terms
                .iter()
                .map(|(_, f)| match f.factors() {
                    Some(fac) => {
                        let wbar: usize = fac.iter().map(|(_, w)| w.indices.len()).sum();
                        // Factor route: per factor one pass over the block's terms plus
                        // 2n·nnz(w) for X w and S⁻¹ w; dense route: two n³ products.
                        let lr = fac.len() as f64 * row_work as f64 + 2.0 * (n * wbar) as f64;
                        let dense = 2.0 * (n as f64).powi(3) + row_work as f64;
                        if lr <= dense {
                            ColumnRoute::Factors(fac)
                        } else {
                            ColumnRoute::Dense
                        }
                    }
                    None => ColumnRoute::Dense,
                })
                .collect();
            let mut psd_block = PsdBlock {
                original: b,
                dim: n,
                constant: block.constant.to_dense(n),
                terms,
                routes,
                panels: None,
                partition: None,
            };
            if structure.1
                && psd_block
                    .routes
                    .iter()
                    .all(|r| matches!(r, ColumnRoute::Factors(_)))
            {
                psd_block.panels = FactorPanels::new(&psd_block.terms);
            }
            if structure.0 {
                let partition = BlockPartition::from_reach(&psd_block.reach());
                psd_block.partition = partition.worthwhile().then_some(partition);
            }
            psd.push(psd_block);
        }
        for (i, d) in p.domains.iter().enumerate() {
            if *d == VarDomain::Nonneg {
                lp.constant.push(0.0);
                lp.rows.push(vec![(i, 1.0)]);
                lp.origin.push(LpOrigin::Sign);
            }
        }
        IpmData {
            m,
            c: p.objective.clone(),
            psd,
            lp,
            num_user_blocks: p.blocks.len(),
        }
    }

    /// Total cone dimension `Σ n_b + #LP` (the `n` in `μ = ⟨X, S⟩ / n`).
    pub(crate) fn cone_dim(&self) -> usize {
        self.psd.iter().map(|b| b.dim).sum::<usize>() + self.lp.rows.len()
    }

    /// `F₀ + Σ yᵢ Fᵢ` per block (with the constant when `with_constant`), and the LP part.
    pub(crate) fn affine(&self, y: &[f64], with_constant: bool) -> (Vec<Mat<f64>>, Vec<f64>) {
        let mats = self
            .psd
            .iter()
            .map(|b| {
                let mut s = if with_constant {
                    b.constant.clone()
                } else {
                    Mat::zeros(b.dim, b.dim)
                };
                match &b.panels {
                    Some(panels) => panels.add_combination(&b.vars(), y, &mut s),
                    None => {
                        for (i, f) in &b.terms {
                            if y[*i] != 0.0 {
                                f.add_to(y[*i], &mut s);
                            }
                        }
                    }
                }
                s
            })
            .collect();
        let lp = self
            .lp
            .rows
            .iter()
            .zip(&self.lp.constant)
            .map(|(row, g0)| {
                let base = if with_constant { *g0 } else { 0.0 };
                base + row.iter().map(|&(i, a)| a * y[i]).sum::<f64>()
            })
            .collect();
        (mats, lp)
    }

    /// The PSD part of the adjoint `A(T)ᵢ = Σ_b ⟨F_bi, T_b⟩ + Σ_r g_ri t_r`
    /// (the scalar cones' part is [`add_adjoint_lp`](Self::add_adjoint_lp)).
    pub(crate) fn adjoint_psd(&self, t: &[Mat<f64>]) -> Vec<f64> {
        let mut out = vec![0.0; self.m];
        for (b, tb) in t.iter().enumerate() {
            self.add_adjoint_block(b, tb, &mut out);
        }
        out
    }

    /// `out_i += ⟨F_bi, T⟩` for one PSD block `b` (any square `T`).
    pub(crate) fn add_adjoint_block(&self, b: usize, t: &Mat<f64>, out: &mut [f64]) {
        let block = &self.psd[b];
        match &block.panels {
            Some(panels) => panels.add_quadratic_forms(&block.vars(), t, out),
            None => {
                for (i, f) in &block.terms {
                    out[*i] += f.inner(t);
                }
            }
        }
    }

    /// `out_i += Σ_r g_ri t_r` (the scalar cones' part of the adjoint).
    pub(crate) fn add_adjoint_lp(&self, tl: &[f64], out: &mut [f64]) {
        for (row, x) in self.lp.rows.iter().zip(tl) {
            for &(i, a) in row {
                out[i] += a * x;
            }
        }
    }

    /// `⟨F₀, X⟩` over all cones.
    pub(crate) fn constant_inner(&self, x: &[Mat<f64>], xl: &[f64]) -> f64 {
        let mut acc = 0.0;
        for (b, xb) in self.psd.iter().zip(x) {
            acc += frob_inner(b.constant.as_ref(), xb.as_ref());
        }
        acc + self
            .lp
            .constant
            .iter()
            .zip(xl)
            .map(|(g, x)| g * x)
            .sum::<f64>()
    }
}

/// `⟨A, B⟩ = Σ_ij A_ij B_ij`, halving the columns in parallel down to
/// [`FROB_SERIAL_COLS`] (a fixed split: the sum does not depend on the thread count).
pub(crate) fn frob_inner(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let n = a.ncols();
    if n < 2 * FROB_SERIAL_COLS {
        return frob_inner_serial(a, b);
    }
    let mid = n / 2;
    let (left, right) = rayon::join(
        || frob_inner(a.subcols(0, mid), b.subcols(0, mid)),
        || frob_inner(a.subcols(mid, n - mid), b.subcols(mid, n - mid)),
    );
    left + right
}

/// `⟨A, B⟩` for a `B` supported on the block-tridiagonal pattern of `partition` (the
/// slack, its direction and residual): only the band is read, `O(N·b)` instead of `N²`.
/// Without a partition, [`frob_inner`].
pub(crate) fn frob_inner_banded(
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    partition: Option<&BlockPartition>,
) -> f64 {
    let Some(part) = partition else {
        return frob_inner(a, b);
    };
    (0..part.len())
        .map(|k| {
            let (st, nk) = part.block(k);
            let (lo, len) = part.band_rows(k);
            frob_inner_serial(a.submatrix(lo, st, len, nk), b.submatrix(lo, st, len, nk))
        })
        .sum()
}

/// Column count below which [`frob_inner`] runs on one thread.
const FROB_SERIAL_COLS: usize = 128;

fn frob_inner_serial(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut acc = 0.0;
    for j in 0..a.ncols() {
        let (ca, cb) = (a.col(j), b.col(j));
        match (ca.try_as_col_major(), cb.try_as_col_major()) {
            (Some(x), Some(y)) => {
                acc += x
                    .as_slice()
                    .iter()
                    .zip(y.as_slice())
                    .map(|(p, q)| p * q)
                    .sum::<f64>();
            }
            _ => {
                for i in 0..a.nrows() {
                    acc += ca[i] * cb[i];
                }
            }
        }
    }
    acc
}
