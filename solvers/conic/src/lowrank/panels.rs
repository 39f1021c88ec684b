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
//! speed. Panels are processed in parallel (rayon), each producing the columns of `M`
//! that its factors own.

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::{Accum, Par};
use quadra_core::Mat;
use rayon::prelude::*;

use super::data::Coef;

/// A panel accepts one more factor while `rows × factors ≤ FILL · nnz` ...
const FILL: f64 = 2.5;
/// ... or while it stays below this many entries.
const SMALL_PANEL: usize = 4096;

/// One panel: factors `first..first + w.ncols()` on rows `lo..lo + w.nrows()`.
#[derive(Debug, Clone)]
struct Panel {
    lo: usize,
    first: usize,
    w: Mat<f64>,
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
        for (gi, &(lo, hi, start, _)) in groups.iter().enumerate() {
            let end = groups.get(gi + 1).map_or(factors.len(), |g| g.2);
            let mut w = Mat::<f64>::zeros(hi - lo, end - start);
            for (c, f) in factors[start..end].iter().enumerate() {
                for (i, a) in f.4.iter() {
                    w[(i - lo, c)] += a;
                }
            }
            panels.push(Panel {
                lo,
                first: start,
                w,
            });
        }
        // Worth it only when the panels are reasonably full overall (scattered
        // entries, as in many SDPLIB problems, are cheaper through the sparse route).
        let area: usize = panels.iter().map(|p| p.w.nrows() * p.w.ncols()).sum();
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

    /// Number of factors.
    fn count(&self) -> usize {
        self.owner.len()
    }

    /// `Z = AW` (`n × F`).
    fn times(&self, a: &Mat<f64>) -> Mat<f64> {
        let n = a.nrows();
        let mut z = Mat::<f64>::zeros(n, self.count());
        for p in &self.panels {
            matmul(
                z.as_mut().subcols_mut(p.first, p.w.ncols()),
                Accum::Replace,
                a.as_ref().subcols(p.lo, p.w.nrows()),
                p.w.as_ref(),
                1.0,
                Par::rayon(0),
            );
        }
        z
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
        // Column panel g: C[t, l] = Σ_{k: t(k) = t} s_k P_kl Q_kl for the factors l of g.
        let strips: Vec<Mat<f64>> = self
            .panels
            .par_iter()
            .map(|g| {
                let cg = g.w.ncols();
                let mut c = Mat::<f64>::zeros(nterms, cg);
                let mut ph = Mat::<f64>::zeros(0, 0);
                let mut qh = Mat::<f64>::zeros(0, 0);
                for h in &self.panels {
                    let (lh, ch) = (h.w.nrows(), h.w.ncols());
                    ph.resize_with(ch, cg, |_, _| 0.0);
                    qh.resize_with(ch, cg, |_, _| 0.0);
                    for (dst, z) in [(&mut ph, &zx), (&mut qh, &zs)] {
                        matmul(
                            dst.as_mut(),
                            Accum::Replace,
                            h.w.transpose(),
                            z.as_ref().submatrix(h.lo, g.first, lh, cg),
                            1.0,
                            Par::Seq,
                        );
                    }
                    for l in 0..cg {
                        let (pc, qc) = (ph.col_as_slice(l), qh.col_as_slice(l));
                        let cc = c.col_as_slice_mut(l);
                        for (k, (p, q)) in pc.iter().zip(qc).enumerate() {
                            let (t, s) = self.owner[h.first + k];
                            cc[t] += s * p * q;
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
                }
            }
        }
    }
}
