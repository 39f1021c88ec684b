//! The Schur complement `M_ij = Σ_b tr(F_bi X_b F_bj S_b⁻¹) + Σ_r g_ri g_rj x_r / s_r`
//! of the HKM direction (`proofs/lmi_ipm_schur.md`), formed column by column.
//!
//! For a column whose matrix is `F_j = Σ_l s_l w_l w_lᵀ`,
//! `tr(F_i X F_j S⁻¹) = Σ_l s_l (X w_l)ᵀ F_i (S⁻¹ w_l)`, so one pair of vectors
//! `p_l = X w_l`, `q_l = S⁻¹ w_l` per rank-one factor (cost `n·nnz(w_l)` each) serves
//! every row `i`, and each row costs one bilinear form `p_lᵀ F_i q_l` (the stored
//! nonzeros of `F_i`). A LipSDP block of size `n` with `m` rank-2 multipliers costs
//! `O(n·nnz(W) + m·nnz(W))` this way instead of the `O(m n³)` of a dense column.

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::{Accum, Par};
use quadra_core::Mat;

use super::block_tridiagonal::symmetrise;
use super::data::{ColumnRoute, IpmData};

/// `M` (dense, symmetric, `m × m`) at the iterate `(X, S)` with `S⁻¹` given.
pub(crate) fn schur_complement(
    data: &IpmData,
    x: &[Mat<f64>],
    s_inv: &[Mat<f64>],
    xl: &[f64],
    sl: &[f64],
) -> Mat<f64> {
    let m = data.m;
    let mut out = Mat::<f64>::zeros(m, m);
    for ((block, xb), sb) in data.psd.iter().zip(x).zip(s_inv) {
        if let Some(panels) = &block.panels {
            panels.add_schur(&block.vars(), xb, sb, &mut out);
            continue;
        }
        let n = block.dim;
        let mut p = vec![0.0; n];
        let mut q = vec![0.0; n];
        for (tj, ((vj, fj), route)) in block.terms.iter().zip(&block.routes).enumerate() {
            match route {
                ColumnRoute::Factors(factors) => {
                    // Rows i ≤ j of this block (mirrored below): one pass per factor.
                    let mut col = vec![0.0; tj + 1];
                    for (sl_, w) in factors {
                        p.iter_mut().for_each(|v| *v = 0.0);
                        q.iter_mut().for_each(|v| *v = 0.0);
                        for (k, a) in w.iter() {
                            let (xc, sc) = (xb.col_as_slice(k), sb.col_as_slice(k));
                            for ((pr, qr), (xr, sr)) in
                                p.iter_mut().zip(q.iter_mut()).zip(xc.iter().zip(sc))
                            {
                                *pr += a * xr;
                                *qr += a * sr;
                            }
                        }
                        for (ti, (_, fi)) in block.terms[..=tj].iter().enumerate() {
                            col[ti] += sl_ * fi.bilinear(&p, &q);
                        }
                    }
                    for (ti, (vi, _)) in block.terms[..=tj].iter().enumerate() {
                        out[(*vi, *vj)] += col[ti];
                        if ti != tj {
                            out[(*vj, *vi)] += col[ti];
                        }
                    }
                }
                ColumnRoute::Dense => {
                    let f = fj.to_dense(n);
                    let mut xf = Mat::<f64>::zeros(n, n);
                    matmul(
                        xf.as_mut(),
                        Accum::Replace,
                        xb.as_ref(),
                        f.as_ref(),
                        1.0,
                        Par::Seq,
                    );
                    let mut t = Mat::<f64>::zeros(n, n);
                    matmul(
                        t.as_mut(),
                        Accum::Replace,
                        xf.as_ref(),
                        sb.as_ref(),
                        1.0,
                        Par::Seq,
                    );
                    for (ti, (vi, fi)) in block.terms[..=tj].iter().enumerate() {
                        let v = fi.inner(&t);
                        out[(*vi, *vj)] += v;
                        if ti != tj {
                            out[(*vj, *vi)] += v;
                        }
                    }
                }
            }
        }
    }
    for ((row, x), s) in data.lp.rows.iter().zip(xl).zip(sl) {
        let d = x / s;
        for &(i, a) in row {
            for &(j, b) in row {
                out[(i, j)] += d * a * b;
            }
        }
    }
    // Exact symmetry (the two halves were accumulated in the same order, but the
    // factor and dense routes differ in rounding); it also completes the panel
    // route's part, which is added as 2C for M = C + Cᵀ (`FactorPanels::add_schur`).
    symmetrise(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lmi::{CoefMatrix, LmiBlock, LmiProblem, SparseVector, VarDomain};
    use quadra_core::faer::linalg::solvers::DenseSolveCore;
    use quadra_core::faer::Side;

    fn spd(n: usize, rng: &mut quadra_core::ChaCha20Rng) -> Mat<f64> {
        let g = quadra_core::gaussian_matrix(n, n, rng);
        &g * g.transpose() + Mat::<f64>::identity(n, n)
    }

    /// Checks `M_ij = tr(Fᵢ X Fⱼ S⁻¹)` (plus `x/s` on the sign rows of nonnegative
    /// variables) for a one-block problem at random `X, S`, with `xl = 2, sl = 0.5`.
    fn check_against_dense_traces(p: &LmiProblem, data: &IpmData, seed: u64) {
        let n = p.blocks[0].dim;
        let mut rng = quadra_core::seeded_rng(seed);
        let x = spd(n, &mut rng);
        let s = spd(n, &mut rng);
        let s_inv = s.llt(Side::Lower).unwrap().inverse();
        let nl = data.lp.rows.len();
        let (xl, sl) = (vec![2.0; nl], vec![0.5; nl]);
        let m = schur_complement(
            data,
            std::slice::from_ref(&x),
            std::slice::from_ref(&s_inv),
            &xl,
            &sl,
        );
        let f: Vec<Mat<f64>> = p.blocks[0]
            .terms
            .iter()
            .map(|(_, c)| c.to_dense(n))
            .collect();
        let k = f.len();
        // tr(Fᵢ X Fⱼ S⁻¹) = Σ_ab (FᵢX)_ab (FⱼS⁻¹)_ba.
        let fx: Vec<Mat<f64>> = f.iter().map(|fi| fi * &x).collect();
        let fs: Vec<Mat<f64>> = f.iter().map(|fj| fj * &s_inv).collect();
        for i in 0..k {
            for j in 0..k {
                let mut want: f64 = (0..n)
                    .flat_map(|a| (0..n).map(move |b| (a, b)))
                    .map(|(a, b)| fx[i][(a, b)] * fs[j][(b, a)])
                    .sum();
                if i == j && p.domains[i] == VarDomain::Nonneg {
                    want += 2.0 / 0.5;
                }
                let tol = 1e-10 * (1.0 + want.abs());
                assert!(
                    (m[(i, j)] - want).abs() < tol,
                    "M[{i},{j}] = {} vs {want}",
                    m[(i, j)]
                );
            }
        }
    }

    /// The factor and dense routes, with all three coefficient kinds and an LP row
    /// (`proofs/lmi_ipm_schur.md`).
    #[test]
    fn schur_complement_matches_dense_traces() {
        let n = 6;
        let mut rng = quadra_core::seeded_rng(3);
        let dense = quadra_core::goe(n, &mut rng);
        let mut p = LmiProblem::new(4, VarDomain::Free);
        p.domains[3] = VarDomain::Nonneg;
        let mut b = LmiBlock::new(n);
        b.terms.push((
            0,
            CoefMatrix::LowRank(vec![
                (1.5, SparseVector::from_pairs([(0, 1.0), (3, -2.0)])),
                (
                    -0.5,
                    SparseVector::from_pairs([(1, 0.3), (5, 1.0), (2, 0.7)]),
                ),
            ]),
        ));
        b.terms.push((
            1,
            CoefMatrix::Sparse(vec![(0, 4, 2.0), (2, 2, -1.0), (1, 3, 0.5)]),
        ));
        b.terms.push((2, CoefMatrix::Dense(dense)));
        b.terms.push((3, CoefMatrix::Sparse(vec![(5, 5, 1.0)])));
        p.blocks.push(b);
        let data = IpmData::new(&p, (true, true));
        assert!(data.psd[0].panels.is_none(), "a dense term forbids panels");
        check_against_dense_traces(&p, &data, 4);
    }

    /// The panel route (`panels.rs`) on a chain of rank-two terms like LipSDP's
    /// (each spans its incoming layer and one own coordinate), sparse entries, and a
    /// nonnegative variable; the sparse factor route on the same problem agrees.
    #[test]
    fn panel_route_matches_dense_traces() {
        for p in [panel_chain(), chain(3, 40)] {
            let with_panels = IpmData::new(&p, (true, true));
            assert!(with_panels.psd[0].panels.is_some(), "panels expected");
            check_against_dense_traces(&p, &with_panels, 12);
            let sparse_route = IpmData::new(&p, (true, false));
            assert!(sparse_route.psd[0].panels.is_none());
            check_against_dense_traces(&p, &sparse_route, 12);
        }
        // On the wide chain each layer is a panel whose own coordinates are sparse
        // entries beside the dense incoming rows.
        let wide = IpmData::new(&chain(3, 40), (true, true));
        let panels = wide.psd[0].panels.as_ref().expect("panels");
        assert!(panels.len() >= 3 && panels.sparse_entries() > 0);
        // Factors with proportional dense parts (a neuron's `w` and `0.3·w` where its
        // own coordinate stays sparse) share one stored part.
        let (distinct, factors) = panels.distinct_parts();
        assert!(distinct < factors, "{distinct} distinct parts of {factors}");
    }

    /// The panel route with the block's variables out of order, so that its part of
    /// `M` is not a submatrix (the scattered fill instead of the parallel one): the
    /// same Schur complement, permuted.
    #[test]
    fn panel_route_with_permuted_variables() {
        let p = chain(3, 40);
        let k = p.num_vars();
        // t ↦ 7t + 3 mod 121 is a bijection (121 = 11²).
        let perm: Vec<usize> = (0..k).map(|t| (7 * t + 3) % k).collect();
        let mut q = p.clone();
        for term in q.blocks[0].terms.iter_mut() {
            term.0 = perm[term.0];
        }
        for (v, d) in p.domains.iter().enumerate() {
            q.domains[perm[v]] = *d;
        }
        let (dp, dq) = (
            IpmData::new(&p, (true, true)),
            IpmData::new(&q, (true, true)),
        );
        assert!(dp.psd[0].panels.is_some() && dq.psd[0].panels.is_some());
        let n = p.blocks[0].dim;
        let mut rng = quadra_core::seeded_rng(21);
        let x = spd(n, &mut rng);
        let s_inv = spd(n, &mut rng).llt(Side::Lower).unwrap().inverse();
        let nl = dp.lp.rows.len();
        let (xl, sl) = (vec![2.0; nl], vec![0.5; nl]);
        let schur = |d: &IpmData| {
            schur_complement(
                d,
                std::slice::from_ref(&x),
                std::slice::from_ref(&s_inv),
                &xl,
                &sl,
            )
        };
        let (mp, mq) = (schur(&dp), schur(&dq));
        for i in 0..k {
            for j in 0..k {
                let (a, b) = (mp[(i, j)], mq[(perm[i], perm[j])]);
                assert!(
                    (a - b).abs() <= 1e-12 * (1.0 + a.abs()),
                    "M[{i},{j}] = {a} vs permuted {b}"
                );
            }
        }
    }

    /// `Σ yᵢFᵢ` and `⟨Fᵢ, T⟩` through the panels' GEMMs equal the term-by-term sums
    /// (for a non-symmetric `T`, as the direction's right-hand side is).
    #[test]
    fn panel_affine_and_adjoint_match_term_sums() {
        for p in [panel_chain(), chain(3, 40)] {
            affine_and_adjoint_agree(&p);
        }
    }

    fn affine_and_adjoint_agree(p: &LmiProblem) {
        let panels = IpmData::new(p, (true, true));
        let plain = IpmData::new(p, (true, false));
        let n = p.blocks[0].dim;
        let mut rng = quadra_core::seeded_rng(13);
        let y: Vec<f64> = (0..p.num_vars()).map(|i| (i as f64 * 0.37).sin()).collect();
        let t = quadra_core::gaussian_matrix(n, n, &mut rng);
        let (a, _) = panels.affine(&y, true);
        let (b, _) = plain.affine(&y, true);
        for j in 0..n {
            for i in 0..n {
                assert!((a[0][(i, j)] - b[0][(i, j)]).abs() < 1e-12, "({i},{j})");
            }
        }
        let nl = plain.lp.rows.len();
        let adjoint = |d: &IpmData| {
            let mut g = d.adjoint_psd(std::slice::from_ref(&t));
            d.add_adjoint_lp(&vec![0.5; nl], &mut g);
            g
        };
        let (ga, gb) = (adjoint(&panels), adjoint(&plain));
        for (k, (u, v)) in ga.iter().zip(&gb).enumerate() {
            assert!(
                (u - v).abs() < 1e-12 * (1.0 + v.abs()),
                "adjoint {k}: {u} vs {v}"
            );
        }
    }

    /// A chain of rank-two terms like LipSDP's (each spans its incoming layer and one
    /// own coordinate), sparse entries, and a nonnegative variable.
    fn panel_chain() -> LmiProblem {
        chain(4, 5)
    }

    /// [`panel_chain`] with `layers` layers of `width` neurons.
    fn chain(layers: usize, width: usize) -> LmiProblem {
        let n = width * (layers + 1);
        let mut rng = quadra_core::seeded_rng(11);
        let mut p = LmiProblem::new(1 + layers * width, VarDomain::Nonneg);
        p.domains[0] = VarDomain::Free;
        let mut b = LmiBlock::new(n);
        b.terms.push((
            0,
            CoefMatrix::LowRank((0..width).map(|i| (1.0, SparseVector::unit(i))).collect()),
        ));
        let mut var = 1;
        for l in 0..layers {
            let w = quadra_core::gaussian_matrix(width, width, &mut rng);
            for r in 0..width {
                let own = (l + 1) * width + r;
                let mut a: Vec<(usize, f64)> =
                    (0..width).map(|c| (l * width + c, w[(r, c)])).collect();
                a.push((own, 0.7));
                let mut e: Vec<(usize, f64)> = (0..width)
                    .map(|c| (l * width + c, 0.3 * w[(r, c)]))
                    .collect();
                e.push((own, -1.1));
                if r % 3 == 1 {
                    // A repeated index (sparse vectors may have them).
                    e.push((own, 0.25));
                }
                let term = if r % 3 == 2 {
                    CoefMatrix::Sparse(vec![(own, own, -2.0), (l * width, own, 0.4)])
                } else {
                    CoefMatrix::LowRank(vec![
                        (1.3, SparseVector::from_pairs(a)),
                        (-0.6, SparseVector::from_pairs(e)),
                    ])
                };
                b.terms.push((var, term));
                var += 1;
            }
        }
        p.blocks.push(b);
        p
    }
}
