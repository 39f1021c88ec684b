//! The Schur complement of a block whose coefficient matrices are all sums of sparse
//! rank-one terms, by dense products over panels of factors.
//!
//! With every factor `w_k` (scale `s_k`, owner term `t(k)`) as a column of `W`,
//!
//! ```text
//!   M_ij = Σ_{t(k)=i, t(l)=j} s_k s_l (WᵀXW)_kl (WᵀS⁻¹W)_kl        (proofs/lmi_ipm_schur.md)
//! ```
//!
//! The factors are sorted by their first row and gathered into *panels*: consecutive
//! factors whose rows span a short range `lo..lo+len`, stored as a dense
//! `len × count` matrix (for LipSDP one panel per layer: a neuron's factor spans its
//! incoming layer and itself). Then `Z = XW` and `WᵀZ` are sums of small dense GEMMs
//! (`X[:, lo..lo+len]·W_g`, `W_hᵀ·Z[lo_h.., g]`) instead of gathers over sparse vectors;
//! the flops are those of the sparse route times the panels' fill (≥ 40 %), at GEMM
//! speed. Rows on which a panel has at most [`SPARSE_ROW_MAX`] nonzeros and that lie
//! outside the range of its denser rows (for LipSDP: a neuron's own coordinate, one per
//! factor) are kept as sparse entries `E` beside the dense rows `D`, `W_g = D_g + E_g`:
//! `A·E_g` and `E_hᵀ·Z` are column and row gathers, so the GEMMs run over the incoming
//! layer only (half the rows, half the flops of a dense `2n`-row panel).
//! Factors whose dense parts are proportional share one stored part: `D_g` holds the
//! distinct parts and factor `k` is `a_k d_{j(k)} + E_k`. A LipSDP neuron's two factors
//! `(β−α)w` and `−(α+β)w + 2e` share `w`, so the products `X·D`, `D_hᵀ(X·D)` and
//! `D diag(γ) Dᵀ` run over half the columns (a quarter of the pair GEMM's flops), and
//! `w_kᵀXw_l = a_k a_l d_kᵀXd_l + a_k (Xd_k)ᵀE_l + a_l (Xd_l)ᵀE_k + E_kᵀXE_l` is
//! assembled from them and gathers at the sparse rows (`PairProducts`).
//! Panels are processed in parallel (rayon), each producing the columns of `M`
//! that its factors own from the panels at or before it (`M` is symmetric, so the other
//! half is the transpose). The same panels give `Σ yᵢFᵢ = Σ_g W_g diag(s∘y) W_gᵀ` and the
//! adjoint `⟨Fᵢ, T⟩ = Σ_{t(k)=i} s_k (W_gᵀ T W_g)_kk` as GEMMs.

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::reborrow::ReborrowMut;
use quadra_core::faer::{Accum, ColMut, MatMut, Par};
use quadra_core::Mat;
use rayon::prelude::*;

use super::block_tridiagonal::for_column_chunks;
use super::data::Coef;
use crate::lmi::SparseVector;

/// A row with at most this many nonzeros in a panel, outside the range of the panel's
/// denser rows, is stored as sparse entries instead of a dense row.
const SPARSE_ROW_MAX: usize = 2;

/// A panel accepts one more factor while `rows × factors ≤ FILL · nnz` ...
const FILL: f64 = 2.5;
/// ... or while it stays below this many entries.
const SMALL_PANEL: usize = 4096;
/// A panel of at least this many factors (with more than one entry each on average)
/// closes when the next factor starts past the end of all of them.
const PANEL_SPLIT_MIN: usize = 16;

/// Relative distance below which two dense parts count as proportional: the rounding
/// of the scales that produced them, nothing more.
const PROPORTIONAL_TOL: f64 = 8.0 * f64::EPSILON;

/// Earlier distinct parts with the same pivot row compared against a new one.
const PROPORTIONAL_CANDIDATES: usize = 64;

/// One panel: factors `first..first + count`, dense on rows `lo..lo + len` plus sparse
/// entries outside those rows. Factor `c`'s dense part is `scale_c · d[:, col_c]`:
/// proportional dense parts (LipSDP's two factors of a neuron both carry its incoming
/// weights) are stored, multiplied and paired once.
#[derive(Debug, Clone)]
struct Panel {
    lo: usize,
    first: usize,
    /// The distinct dense parts, `len × u`.
    d: Mat<f64>,
    /// First column of this panel's parts in `A·D` (all panels side by side).
    dfirst: usize,
    /// Per factor: `(column of d, scale)`; scale 0 for a factor with no dense part.
    dense_of: Vec<(usize, f64)>,
    /// Entries outside the dense rows, sorted by factor.
    sparse: Vec<(usize, usize, f64)>,
}

impl Panel {
    /// The panel of `factors` (sparse vectors): rows with more than
    /// [`SPARSE_ROW_MAX`] nonzeros fix the dense row range; the rest go to `sparse`.
    fn new(first: usize, factors: &[&SparseVector]) -> Panel {
        let mut count = std::collections::BTreeMap::<usize, usize>::new();
        for w in factors {
            for &i in &w.indices {
                *count.entry(i).or_insert(0) += 1;
            }
        }
        let dense_rows = count.iter().filter(|(_, &c)| c > SPARSE_ROW_MAX);
        let (lo, hi) = dense_rows.fold((usize::MAX, 0), |(lo, hi), (&i, _)| {
            (lo.min(i), hi.max(i + 1))
        });
        let (lo, hi) = if lo == usize::MAX { (0, 0) } else { (lo, hi) };
        let mut w = Mat::<f64>::zeros(hi - lo, factors.len());
        // Keyed by (factor, row): a sparse vector may repeat an index, and the products
        // below take each (factor, row) entry once.
        let mut sparse = std::collections::BTreeMap::<(usize, usize), f64>::new();
        for (c, f) in factors.iter().enumerate() {
            for (i, a) in f.iter() {
                if (lo..hi).contains(&i) {
                    w[(i - lo, c)] += a;
                } else {
                    *sparse.entry((c, i)).or_insert(0.0) += a;
                }
            }
        }
        let sparse: Vec<(usize, usize, f64)> =
            sparse.into_iter().map(|((c, i), a)| (c, i, a)).collect();
        let (d, dense_of) = distinct_columns(&w);
        Panel {
            lo,
            first,
            d,
            dfirst: 0,
            dense_of,
            sparse,
        }
    }

    /// Number of factors.
    fn count(&self) -> usize {
        self.dense_of.len()
    }

    /// Factor `c`'s dense part at dense row `i`.
    fn dense(&self, i: usize, c: usize) -> f64 {
        match self.dense_of[c] {
            (_, 0.0) => 0.0,
            (j, s) => s * self.d[(i, j)],
        }
    }

    /// `Z ← A D` (the distinct dense parts) into the panel's columns `z` (`A` is `n × n`).
    fn times_into(&self, a: &Mat<f64>, z: MatMut<'_, f64>) {
        if self.d.nrows() > 0 && self.d.ncols() > 0 {
            matmul(
                z,
                Accum::Replace,
                a.as_ref().subcols(self.lo, self.d.nrows()),
                self.d.as_ref(),
                1.0,
                Par::Seq,
            );
        }
    }
}

/// The distinct columns of `w` up to scale: `(D, [(column of D, scale)])` with
/// `w[:, c] = scale_c · D[:, col_c]` to rounding (scale 0 for a zero column). Columns
/// are matched by their largest entry's row, then entrywise.
fn distinct_columns(w: &Mat<f64>) -> (Mat<f64>, Vec<(usize, f64)>) {
    let mut keep: Vec<usize> = Vec::new();
    let mut by_pivot = std::collections::HashMap::<usize, Vec<usize>>::new();
    let mut dense_of = Vec::with_capacity(w.ncols());
    for c in 0..w.ncols() {
        let col = w.col_as_slice(c);
        let (pivot, big) = col.iter().enumerate().fold((0, 0.0), |(pi, pb), (i, a)| {
            if a.abs() > pb {
                (i, a.abs())
            } else {
                (pi, pb)
            }
        });
        if big == 0.0 {
            dense_of.push((0, 0.0));
            continue;
        }
        let candidates = by_pivot.entry(pivot).or_default();
        let found = candidates
            .iter()
            .rev()
            .take(PROPORTIONAL_CANDIDATES)
            .find_map(|&u| {
                let du = w.col_as_slice(keep[u]);
                let ratio = col[pivot] / du[pivot];
                let close = col
                    .iter()
                    .zip(du)
                    .all(|(a, b)| (a - ratio * b).abs() <= PROPORTIONAL_TOL * big);
                close.then_some((u, ratio))
            });
        match found {
            Some(f) => dense_of.push(f),
            None => {
                candidates.push(keep.len());
                dense_of.push((keep.len(), 1.0));
                keep.push(c);
            }
        }
    }
    let d = Mat::from_fn(w.nrows(), keep.len(), |i, u| w[(i, keep[u])]);
    (d, dense_of)
}

/// The factors of a block's terms gathered into dense panels.
#[derive(Debug, Clone)]
pub(crate) struct FactorPanels {
    panels: Vec<Panel>,
    /// For each factor (panel order): owner term and scale.
    owner: Vec<(usize, f64)>,
    /// For each term: its factors as `(panel, column within the panel, scale)`.
    term_factors: Vec<Vec<(usize, usize, f64)>>,
    /// Number of distinct dense parts over all panels.
    distinct: usize,
}

impl FactorPanels {
    /// Panels for `terms` when every term is a sum of rank-one factors (`None`
    /// otherwise, or when there are no factors).
    pub(crate) fn new(terms: &[(usize, Coef)]) -> Option<FactorPanels> {
        let mut factors = Vec::new();
        for (t, (_, f)) in terms.iter().enumerate() {
            for (s, w) in f.factors()? {
                let lo = *w.indices.iter().min()?;
                let hi = *w.indices.iter().max()? + 1;
                factors.push((lo, hi, t, s, w));
            }
        }
        if factors.is_empty() {
            return None;
        }
        factors.sort_by_key(|f| (f.0, f.1));
        // Greedy grouping. A factor that starts at or after the end of every factor in
        // the current panel (LipSDP: the next layer's incoming weights, after this
        // layer's) opens a new panel once the current one holds PANEL_SPLIT_MIN factors:
        // rows shared by one panel's factors are then dense and a factor's lone extra
        // rows (a neuron's own coordinate) stay sparse.
        // (lo, hi, start, nnz, smallest hi)
        let mut groups: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
        for (k, (lo, hi, _, _, w)) in factors.iter().enumerate() {
            let nnz = w.indices.len();
            if let Some(g) = groups.last_mut() {
                let (glo, ghi) = (g.0.min(*lo), g.1.max(*hi));
                let count = k + 1 - g.2;
                let area = (ghi - glo) * count;
                // (Single-entry factors, such as an objective's unit vectors, never
                // share rows, so they are not split this way.)
                let past_all = *lo >= g.4 && count > PANEL_SPLIT_MIN && g.3 > count;
                if !past_all && (area <= SMALL_PANEL || area as f64 <= FILL * (g.3 + nnz) as f64) {
                    *g = (glo, ghi, g.2, g.3 + nnz, g.4.min(*hi));
                    continue;
                }
            }
            groups.push((*lo, *hi, k, nnz, *hi));
        }
        let mut panels = Vec::with_capacity(groups.len());
        let mut area = 0;
        for (gi, &(lo, hi, start, _, _)) in groups.iter().enumerate() {
            let end = groups.get(gi + 1).map_or(factors.len(), |g| g.2);
            area += (hi - lo) * (end - start);
            let members: Vec<&SparseVector> = factors[start..end].iter().map(|f| &f.4).collect();
            panels.push(Panel::new(start, &members));
        }
        // Worth it only when the panels are reasonably full overall (scattered
        // entries, as in many SDPLIB problems, are cheaper through the sparse route).
        let nnz: usize = factors.iter().map(|f| f.4.indices.len()).sum();
        if area as f64 > 2.0 * FILL * nnz as f64 + SMALL_PANEL as f64 {
            return None;
        }
        let owner: Vec<(usize, f64)> = factors.iter().map(|f| (f.2, f.3)).collect();
        let mut term_factors = vec![Vec::new(); terms.len()];
        for (gi, p) in panels.iter().enumerate() {
            for c in 0..p.count() {
                let (t, s) = owner[p.first + c];
                term_factors[t].push((gi, c, s));
            }
        }
        let mut distinct = 0;
        for p in &mut panels {
            p.dfirst = distinct;
            distinct += p.d.ncols();
        }
        Some(FactorPanels {
            panels,
            owner,
            term_factors,
            distinct,
        })
    }

    /// Number of panels.
    pub(crate) fn len(&self) -> usize {
        self.panels.len()
    }

    /// Number of entries kept sparse beside the panels' dense rows.
    #[cfg(test)]
    pub(crate) fn sparse_entries(&self) -> usize {
        self.panels.iter().map(|p| p.sparse.len()).sum()
    }

    /// Number of distinct dense parts against the number of factors.
    #[cfg(test)]
    pub(crate) fn distinct_parts(&self) -> (usize, usize) {
        (self.distinct, self.owner.len())
    }

    /// `Z = A·D` (`n ×` distinct parts), panels in parallel.
    fn times(&self, a: &Mat<f64>) -> Mat<f64> {
        let n = a.nrows();
        let mut z = Mat::<f64>::zeros(n, self.distinct);
        let mut chunks = Vec::with_capacity(self.panels.len());
        let mut rest = z.as_mut();
        for p in &self.panels {
            let (head, tail) = rest.split_at_col_mut(p.d.ncols());
            chunks.push((p, head));
            rest = tail;
        }
        chunks
            .into_par_iter()
            .for_each(|(p, chunk)| p.times_into(a, chunk));
        z
    }

    /// `out += Σ_k y_{var(t(k))} s_k w_k w_kᵀ` (the block's part of `Σ yᵢFᵢ`): per panel
    /// one GEMM `D diag(γ) Dᵀ` over the distinct dense parts (`γ_j` sums
    /// `s_k y scale_k²` over the factors on part `j`) plus the sparse entries' cross
    /// terms. Panels may share rows, so the work is split by columns of `out` instead
    /// (each chunk takes every panel's entries in its columns), in parallel.
    pub(crate) fn add_combination(&self, vars: &[usize], y: &[f64], out: &mut Mat<f64>) {
        // Per panel: the coefficients s_k y_{var(t(k))} and D diag(γ), or nothing when
        // every coefficient is zero.
        let scaled: Vec<Option<(Vec<f64>, Mat<f64>)>> = self
            .panels
            .par_iter()
            .map(|p| {
                let coef: Vec<f64> = (0..p.count())
                    .map(|c| {
                        let (t, s) = self.owner[p.first + c];
                        s * y[vars[t]]
                    })
                    .collect();
                if coef.iter().all(|c| *c == 0.0) {
                    return None;
                }
                let mut gamma = vec![0.0; p.d.ncols()];
                for (c, &(j, s)) in p.dense_of.iter().enumerate() {
                    if s != 0.0 {
                        gamma[j] += coef[c] * s * s;
                    }
                }
                let d =
                    Mat::<f64>::from_fn(p.d.nrows(), p.d.ncols(), |i, j| p.d[(i, j)] * gamma[j]);
                Some((coef, d))
            })
            .collect();
        for_column_chunks(out.as_mut(), &|first, mut chunk| {
            let cols = first..first + chunk.ncols();
            for (p, sc) in self.panels.iter().zip(&scaled) {
                let Some((coef, dg)) = sc else { continue };
                let len = p.d.nrows();
                // Dense rows: columns lo..lo+len of D diag(γ) Dᵀ within the chunk.
                let (c0, c1) = (p.lo.max(cols.start), (p.lo + len).min(cols.end));
                if c0 < c1 && p.d.ncols() > 0 {
                    matmul(
                        chunk.rb_mut().submatrix_mut(p.lo, c0 - first, len, c1 - c0),
                        Accum::Add,
                        dg.as_ref(),
                        p.d.as_ref().subrows(c0 - p.lo, c1 - c0).transpose(),
                        1.0,
                        Par::Seq,
                    );
                }
                for (e, &(c, r, v)) in p.sparse.iter().enumerate() {
                    let cv = coef[c] * v;
                    if cv == 0.0 {
                        continue;
                    }
                    // Dense × sparse, both triangles (r lies outside the dense rows).
                    if p.dense_of[c].1 != 0.0 {
                        if cols.contains(&r) {
                            for i in 0..len {
                                chunk[(p.lo + i, r - first)] += cv * p.dense(i, c);
                            }
                        }
                        for i in c0..c1 {
                            chunk[(r, i - first)] += cv * p.dense(i - p.lo, c);
                        }
                    }
                    // Sparse × sparse within the same factor (entries sorted by factor).
                    for &(_, r2, v2) in p.sparse[e..].iter().take_while(|s| s.0 == c) {
                        let a = cv * v2;
                        if cols.contains(&r2) {
                            chunk[(r, r2 - first)] += a;
                        }
                        if r2 != r && cols.contains(&r) {
                            chunk[(r2, r - first)] += a;
                        }
                    }
                }
            }
        });
    }

    /// `out[var(t(k))] += s_k w_kᵀ T w_k` for any square `T` (the block's part of the
    /// adjoint `⟨Fᵢ, T⟩`): one GEMM `T_DD D` per panel over its distinct dense parts
    /// plus the sparse entries' terms, panels in parallel.
    pub(crate) fn add_quadratic_forms(&self, vars: &[usize], t: &Mat<f64>, out: &mut [f64]) {
        let forms: Vec<Vec<f64>> = self
            .panels
            .par_iter()
            .map(|p| {
                let (len, u) = (p.d.nrows(), p.d.ncols());
                let mut z = Mat::<f64>::zeros(len, u);
                if len > 0 && u > 0 {
                    matmul(
                        z.as_mut(),
                        Accum::Replace,
                        t.as_ref().submatrix(p.lo, p.lo, len, len),
                        p.d.as_ref(),
                        1.0,
                        Par::Seq,
                    );
                }
                // d_jᵀ T d_j per distinct part.
                let parts: Vec<f64> = (0..u)
                    .map(|j| {
                        p.d.col_as_slice(j)
                            .iter()
                            .zip(z.col_as_slice(j))
                            .map(|(a, b)| a * b)
                            .sum()
                    })
                    .collect();
                let mut forms: Vec<f64> = p
                    .dense_of
                    .iter()
                    .map(|&(j, s)| if s == 0.0 { 0.0 } else { s * s * parts[j] })
                    .collect();
                for (e, &(c, r, v)) in p.sparse.iter().enumerate() {
                    // d_cᵀ T[D, r] v + v T[r, D] d_c.
                    if p.dense_of[c].1 != 0.0 {
                        let mut cross = 0.0;
                        for i in 0..len {
                            cross += p.dense(i, c) * (t[(p.lo + i, r)] + t[(r, p.lo + i)]);
                        }
                        forms[c] += v * cross;
                    }
                    // Σ_{e, e'} v v' T[r, r'] over the factor's sparse entries: the
                    // diagonal once, each off-diagonal pair in both orders.
                    for &(_, r2, v2) in p.sparse[e..].iter().take_while(|s| s.0 == c) {
                        forms[c] += if r2 == r {
                            v * v2 * t[(r, r)]
                        } else {
                            v * v2 * (t[(r, r2)] + t[(r2, r)])
                        };
                    }
                }
                forms
            })
            .collect();
        for (p, f) in self.panels.iter().zip(forms) {
            for (c, v) in f.into_iter().enumerate() {
                let (t, s) = self.owner[p.first + c];
                out[vars[t]] += s * v;
            }
        }
    }

    /// Adds `Σ s_k s_l (WᵀXW)_kl (WᵀS⁻¹W)_kl` into `out[var(t(k)), var(t(l))]`, up to
    /// symmetrisation: what it adds is `2C` with `C + Cᵀ` the block's part of `M`, so
    /// the caller symmetrises `out` afterwards ([`super::schur::schur_complement`]
    /// does).
    ///
    /// With `w_k = a_k d_k + E_k` (scale, distinct dense part, sparse entries) and
    /// `Z = X·D`: `w_kᵀ X w_l = a_k a_l d_kᵀ Z_l + a_k Z_kᵀ E_l + a_l Z_lᵀ E_k +
    /// E_kᵀ X E_l` (X symmetric), so the GEMMs run over distinct parts only and the
    /// rest are gathers of `Z` and `X` at the sparse rows.
    pub(crate) fn add_schur(
        &self,
        vars: &[usize],
        x: &Mat<f64>,
        s_inv: &Mat<f64>,
        out: &mut Mat<f64>,
    ) {
        let zx = self.times(x);
        let zs = self.times(s_inv);
        let nterms = vars.len();
        // Column panel g: C[t, l] = Σ_{k: t(k) = t} ω_hg s_k P_kl Q_kl for the factors l of
        // g, over the panels h ≤ g only, with ω = 1 below the diagonal and ½ on it. `M` is
        // then C + Cᵀ: the pairs with h > g are the transposes of those with h < g, and
        // the diagonal panel's pairs form a symmetric set.
        let strips: Vec<Mat<f64>> = self
            .panels
            .par_iter()
            .enumerate()
            .map(|(gi, g)| {
                let mut c = Mat::<f64>::zeros(nterms, g.count());
                let (mut p, mut q) = (Vec::new(), Vec::new());
                let (mut px, mut ps) = (PairProducts::new(), PairProducts::new());
                for (hi, h) in self.panels[..=gi].iter().enumerate() {
                    let weight = if hi == gi { 0.5 } else { 1.0 };
                    px.fill(h, g, x, &zx);
                    ps.fill(h, g, s_inv, &zs);
                    p.resize(h.count(), 0.0);
                    q.resize(h.count(), 0.0);
                    let owners = &self.owner[h.first..h.first + h.count()];
                    for l in 0..g.count() {
                        px.column(h, g, l, &mut p);
                        ps.column(h, g, l, &mut q);
                        let cc = c.col_as_slice_mut(l);
                        for ((&(t, s), pk), qk) in owners.iter().zip(&p).zip(&q) {
                            cc[t] += weight * s * pk * qk;
                        }
                    }
                }
                c
            })
            .collect();
        // The block's part of M is C + Cᵀ. This adds 2C, summing each term's columns
        // from the strips straight into `out`, and leaves the transpose to the
        // symmetrisation of the whole M that the caller does anyway, so that no pass
        // reads C across its rows.
        // Column t of 2C into `dst` (from the term's factors), row i of C going to row
        // `row(i)`.
        fn add_column<R: Fn(usize) -> usize>(
            factors: &[(usize, usize, f64)],
            strips: &[Mat<f64>],
            mut dst: ColMut<'_, f64>,
            row: R,
        ) {
            for &(gi, l, s) in factors {
                for (i, v) in strips[gi].col_as_slice(l).iter().enumerate() {
                    dst[row(i)] += 2.0 * s * v;
                }
            }
        }
        let v0 = vars.first().copied().unwrap_or(0);
        if vars.iter().enumerate().all(|(i, &v)| v == v0 + i) {
            // Consecutive variables (LipSDP): the block is a submatrix of M, filled by
            // column chunks in parallel.
            let block = out.as_mut().submatrix_mut(v0, v0, nterms, nterms);
            for_column_chunks(block, &|first, mut chunk| {
                for jj in 0..chunk.ncols() {
                    let factors = &self.term_factors[first + jj];
                    add_column(factors, &strips, chunk.rb_mut().col_mut(jj), |i| i);
                }
            });
        } else {
            for (t, &v) in vars.iter().enumerate() {
                add_column(
                    &self.term_factors[t],
                    &strips,
                    out.as_mut().col_mut(v),
                    |i| vars[i],
                );
            }
        }
    }
}

/// `P_kl = w_kᵀ A w_l` for the factors `k` of panel `h` and `l` of panel `g` (`A`
/// symmetric, `Z = A·D`), as `a_k (Y[j_k, l] + a_l U[j_k, j_l]) + a_l V[k, j_l] +
/// E[k, l]` with `U = D_hᵀ Z_g`, `Y = Z_hᵀ E_g` and `V = E_hᵀ Z_g` (gathers of `Z` at
/// the sparse rows) and `E = E_hᵀ A E_g`. The buffers are reused from pair to pair.
struct PairProducts {
    u: Mat<f64>,
    y: Mat<f64>,
    v: Mat<f64>,
    e: Mat<f64>,
    /// `Y[:, l] + a_l U[:, j_l]` for the current column.
    part: Vec<f64>,
}

/// `m` resized to `rows × cols` and zeroed.
fn zeroed(m: &mut Mat<f64>, rows: usize, cols: usize) {
    m.resize_with(rows, cols, |_, _| 0.0);
    m.fill(0.0);
}

impl PairProducts {
    fn new() -> PairProducts {
        PairProducts {
            u: Mat::new(),
            y: Mat::new(),
            v: Mat::new(),
            e: Mat::new(),
            part: Vec::new(),
        }
    }

    fn fill(&mut self, h: &Panel, g: &Panel, a: &Mat<f64>, z: &Mat<f64>) {
        let (len, uh, ug) = (h.d.nrows(), h.d.ncols(), g.d.ncols());
        zeroed(&mut self.u, uh, ug);
        if len > 0 && uh > 0 && ug > 0 {
            matmul(
                self.u.as_mut(),
                Accum::Replace,
                h.d.transpose(),
                z.as_ref().submatrix(h.lo, g.dfirst, len, ug),
                1.0,
                Par::Seq,
            );
        }
        zeroed(&mut self.y, uh, g.count());
        for j in 0..uh {
            let col = z.col_as_slice(h.dfirst + j);
            for &(l, r, val) in &g.sparse {
                self.y[(j, l)] += val * col[r];
            }
        }
        zeroed(&mut self.v, h.count(), ug);
        if !h.sparse.is_empty() {
            for j in 0..ug {
                let col = z.col_as_slice(g.dfirst + j);
                let out = self.v.col_as_slice_mut(j);
                for &(k, r, val) in &h.sparse {
                    out[k] += val * col[r];
                }
            }
        }
        zeroed(&mut self.e, h.count(), g.count());
        if !h.sparse.is_empty() {
            for &(l, rg, vg) in &g.sparse {
                let col = a.col_as_slice(rg);
                let out = self.e.col_as_slice_mut(l);
                for &(k, rh, vh) in &h.sparse {
                    out[k] += vh * vg * col[rh];
                }
            }
        }
        self.part.resize(uh, 0.0);
    }

    /// Column `l` of `P` into `out` (length `h.count()`).
    fn column(&mut self, h: &Panel, g: &Panel, l: usize, out: &mut [f64]) {
        out.copy_from_slice(self.e.col_as_slice(l));
        let (jl, al) = g.dense_of[l];
        if !self.part.is_empty() {
            self.part.copy_from_slice(self.y.col_as_slice(l));
            if al != 0.0 && self.u.ncols() > 0 {
                for (p, u) in self.part.iter_mut().zip(self.u.col_as_slice(jl)) {
                    *p += al * u;
                }
            }
            for (o, &(jk, ak)) in out.iter_mut().zip(&h.dense_of) {
                *o += ak * self.part[jk];
            }
        }
        if al != 0.0 && self.v.ncols() > 0 {
            for (o, v) in out.iter_mut().zip(self.v.col_as_slice(jl)) {
                *o += al * v;
            }
        }
    }
}
