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
//! Panels are processed in parallel (rayon), each producing the columns of `M`
//! that its factors own from the panels at or before it (`M` is symmetric, so the other
//! half is the transpose). The same panels give `Σ yᵢFᵢ = Σ_g W_g diag(s∘y) W_gᵀ` and the
//! adjoint `⟨Fᵢ, T⟩ = Σ_{t(k)=i} s_k (W_gᵀ T W_g)_kk` as GEMMs.

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::reborrow::ReborrowMut;
use quadra_core::faer::{Accum, MatMut, MatRef, Par};
use quadra_core::Mat;
use rayon::prelude::*;

use super::data::Coef;
use crate::lmi::SparseVector;

/// A row with at most this many nonzeros in a panel, outside the range of the panel's
/// denser rows, is stored as sparse entries instead of a dense row.
const SPARSE_ROW_MAX: usize = 2;

/// A panel accepts one more factor while `rows × factors ≤ FILL · nnz` ...
const FILL: f64 = 2.5;
/// ... or while it stays below this many entries.
const SMALL_PANEL: usize = 4096;

/// Threads for a product with `rows` output rows.
fn par_for(rows: usize) -> Par {
    if rows >= 256 {
        Par::rayon(0)
    } else {
        Par::Seq
    }
}

/// One panel: factors `first..first + w.ncols()`, dense on rows `lo..lo + w.nrows()`
/// plus the sparse entries `(factor c, row r, value)` outside those rows.
#[derive(Debug, Clone)]
struct Panel {
    lo: usize,
    first: usize,
    w: Mat<f64>,
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
        let sparse = sparse.into_iter().map(|((c, i), a)| (c, i, a)).collect();
        Panel {
            lo,
            first,
            w,
            sparse,
        }
    }

    /// `Z ← A W_g` for the panel's columns `z` of `Z` (`A` is `n × n`).
    fn times_into(&self, a: &Mat<f64>, mut z: MatMut<'_, f64>) {
        if self.w.nrows() > 0 {
            matmul(
                z.rb_mut(),
                Accum::Replace,
                a.as_ref().subcols(self.lo, self.w.nrows()),
                self.w.as_ref(),
                1.0,
                Par::Seq,
            );
        } else {
            z.fill(0.0);
        }
        for &(c, r, v) in &self.sparse {
            let (src, dst) = (a.col_as_slice(r), z.rb_mut().col_mut(c));
            for (d, s) in dst.iter_mut().zip(src) {
                *d += v * s;
            }
        }
    }

    /// `P ← W_hᵀ Z[:, cols]` for this panel `h` and the columns `z` of `Z`.
    fn transpose_times(&self, z: MatRef<'_, f64>, mut p: MatMut<'_, f64>) {
        if self.w.nrows() > 0 {
            matmul(
                p.rb_mut(),
                Accum::Replace,
                self.w.transpose(),
                z.subrows(self.lo, self.w.nrows()),
                1.0,
                Par::Seq,
            );
        } else {
            p.fill(0.0);
        }
        for &(c, r, v) in &self.sparse {
            for l in 0..z.ncols() {
                p[(c, l)] += v * z[(r, l)];
            }
        }
    }
}

/// The factors of a block's terms gathered into dense panels.
#[derive(Debug, Clone)]
pub(crate) struct FactorPanels {
    panels: Vec<Panel>,
    /// For each factor (panel order): owner term and scale.
    owner: Vec<(usize, f64)>,
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
        // Greedy grouping.
        let mut groups: Vec<(usize, usize, usize, usize)> = Vec::new(); // (lo, hi, start, nnz)
        for (k, (lo, hi, _, _, w)) in factors.iter().enumerate() {
            let nnz = w.indices.len();
            if let Some(g) = groups.last_mut() {
                let (glo, ghi) = (g.0.min(*lo), g.1.max(*hi));
                let count = k + 1 - g.2;
                let area = (ghi - glo) * count;
                if area <= SMALL_PANEL || area as f64 <= FILL * (g.3 + nnz) as f64 {
                    *g = (glo, ghi, g.2, g.3 + nnz);
                    continue;
                }
            }
            groups.push((*lo, *hi, k, nnz));
        }
        let mut panels = Vec::with_capacity(groups.len());
        let mut area = 0;
        for (gi, &(lo, hi, start, _)) in groups.iter().enumerate() {
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
        let owner = factors.iter().map(|f| (f.2, f.3)).collect();
        Some(FactorPanels { panels, owner })
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

    /// Number of factors.
    fn count(&self) -> usize {
        self.owner.len()
    }

    /// `Z = AW` (`n × F`), panels in parallel.
    fn times(&self, a: &Mat<f64>) -> Mat<f64> {
        let n = a.nrows();
        let mut z = Mat::<f64>::zeros(n, self.count());
        let mut chunks = Vec::with_capacity(self.panels.len());
        let mut rest = z.as_mut();
        for p in &self.panels {
            let (head, tail) = rest.split_at_col_mut(p.w.ncols());
            chunks.push((p, head));
            rest = tail;
        }
        chunks
            .into_par_iter()
            .for_each(|(p, chunk)| p.times_into(a, chunk));
        z
    }

    /// `out += Σ_k y_{var(t(k))} s_k w_k w_kᵀ`, one GEMM `D_g diag(·) D_gᵀ` per panel plus
    /// the sparse entries' cross terms (the block's part of `Σᵢ yᵢ Fᵢ`).
    pub(crate) fn add_combination(&self, vars: &[usize], y: &[f64], out: &mut Mat<f64>) {
        for p in &self.panels {
            let (len, cg) = (p.w.nrows(), p.w.ncols());
            let coef: Vec<f64> = (0..cg)
                .map(|c| {
                    let (t, s) = self.owner[p.first + c];
                    s * y[vars[t]]
                })
                .collect();
            if coef.iter().all(|c| *c == 0.0) {
                continue;
            }
            if len > 0 {
                let scaled = Mat::<f64>::from_fn(len, cg, |i, c| p.w[(i, c)] * coef[c]);
                matmul(
                    out.as_mut().submatrix_mut(p.lo, p.lo, len, len),
                    Accum::Add,
                    scaled.as_ref(),
                    p.w.transpose(),
                    1.0,
                    par_for(len),
                );
            }
            for (e, &(c, r, v)) in p.sparse.iter().enumerate() {
                let cv = coef[c] * v;
                if cv == 0.0 {
                    continue;
                }
                // Dense × sparse, both triangles (r lies outside the dense rows).
                for i in 0..len {
                    let a = cv * p.w[(i, c)];
                    out[(p.lo + i, r)] += a;
                    out[(r, p.lo + i)] += a;
                }
                // Sparse × sparse within the same factor (entries sorted by factor).
                for &(_, r2, v2) in p.sparse[e..].iter().take_while(|s| s.0 == c) {
                    let a = cv * v2;
                    out[(r, r2)] += a;
                    if r2 != r {
                        out[(r2, r)] += a;
                    }
                }
            }
        }
    }

    /// `out[var(t(k))] += s_k w_kᵀ T w_k` for any square `T` (the block's part of the
    /// adjoint `⟨Fᵢ, T⟩`), one GEMM `T_DD D_g` per panel plus the sparse entries' terms,
    /// panels in parallel.
    pub(crate) fn add_quadratic_forms(&self, vars: &[usize], t: &Mat<f64>, out: &mut [f64]) {
        let forms: Vec<Vec<f64>> = self
            .panels
            .par_iter()
            .map(|p| {
                let (len, cg) = (p.w.nrows(), p.w.ncols());
                let mut z = Mat::<f64>::zeros(len, cg);
                if len > 0 {
                    matmul(
                        z.as_mut(),
                        Accum::Replace,
                        t.as_ref().submatrix(p.lo, p.lo, len, len),
                        p.w.as_ref(),
                        1.0,
                        Par::Seq,
                    );
                }
                let mut forms: Vec<f64> = (0..cg)
                    .map(|c| {
                        p.w.col_as_slice(c)
                            .iter()
                            .zip(z.col_as_slice(c))
                            .map(|(a, b)| a * b)
                            .sum()
                    })
                    .collect();
                for (e, &(c, r, v)) in p.sparse.iter().enumerate() {
                    // d_cᵀ T[D, r] v + v T[r, D] d_c.
                    let mut cross = 0.0;
                    for i in 0..len {
                        cross += p.w[(i, c)] * (t[(p.lo + i, r)] + t[(r, p.lo + i)]);
                    }
                    forms[c] += v * cross;
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

    /// Adds `Σ s_k s_l (WᵀXW)_kl (WᵀS⁻¹W)_kl` into `out[var(t(k)), var(t(l))]`.
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
                let cg = g.w.ncols();
                let mut c = Mat::<f64>::zeros(nterms, cg);
                let mut ph = Mat::<f64>::zeros(0, 0);
                let mut qh = Mat::<f64>::zeros(0, 0);
                for (hi, h) in self.panels[..=gi].iter().enumerate() {
                    let weight = if hi == gi { 0.5 } else { 1.0 };
                    let ch = h.w.ncols();
                    ph.resize_with(ch, cg, |_, _| 0.0);
                    qh.resize_with(ch, cg, |_, _| 0.0);
                    for (dst, z) in [(&mut ph, &zx), (&mut qh, &zs)] {
                        h.transpose_times(z.as_ref().subcols(g.first, cg), dst.as_mut());
                    }
                    for l in 0..cg {
                        let (pc, qc) = (ph.col_as_slice(l), qh.col_as_slice(l));
                        let cc = c.col_as_slice_mut(l);
                        for (k, (p, q)) in pc.iter().zip(qc).enumerate() {
                            let (t, s) = self.owner[h.first + k];
                            cc[t] += weight * s * p * q;
                        }
                    }
                }
                c
            })
            .collect();
        for (g, c) in self.panels.iter().zip(&strips) {
            for l in 0..g.w.ncols() {
                let (tl, sl) = self.owner[g.first + l];
                let vj = vars[tl];
                for (t, v) in c.col_as_slice(l).iter().enumerate() {
                    out[(vars[t], vj)] += sl * v;
                    out[(vj, vars[t])] += sl * v;
                }
            }
        }
    }
}
