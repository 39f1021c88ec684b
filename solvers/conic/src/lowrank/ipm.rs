//! The primal–dual path-following loop: HKM direction, Mehrotra predictor–corrector,
//! infeasible start, and infeasibility detection by normalised iterates.
//!
//! Pair (the LMI in `y` and its dual in `X`):
//!
//! ```text
//!   (D)  min cᵀy   s.t. S = F₀ + Σᵢ yᵢ Fᵢ ⪰ 0,
//!   (P)  max −⟨F₀, X⟩  s.t. ⟨Fᵢ, X⟩ = cᵢ,  X ⪰ 0,
//! ```
//! with the LP rows (`1×1` blocks and `yᵢ ≥ 0`) as scalar cones in both. One iteration
//! (Helmberg–Rendl–Vanderbei–Wolkowicz 1996; Kojima–Shindoh–Hara 1997; Monteiro 1997)
//! solves, with `r_p = c − A(X)` and `r_d = F₀ + A*(y) − S`,
//!
//! ```text
//!   M Δy = A(σμS⁻¹ − X − (X r_d + K) S⁻¹) − r_p,     M_ij = tr(Fᵢ X Fⱼ S⁻¹),
//!   ΔS = r_d + A*(Δy),   ΔX = σμS⁻¹ − X − sym((X ΔS + K) S⁻¹),
//! ```
//! with `K = 0, σ = 0` for the predictor and `K = ΔX_p ΔS_p`, `σ = (μ_aff/μ)^e` for
//! Mehrotra's corrector (Mehrotra 1992; Todd–Toh–Tütüncü 1998 for the SDP version).
//! `A(σμS⁻¹ − X − G)` is assembled as `σμA(S⁻¹) − A(X) − A(G)` with the first two formed
//! once per iteration. Once `r_d` is negligible against the centrality
//! ([`negligible_dual_residual`]) the iterate takes `S = F(y)` exactly, so `r_d = 0` and
//! the products `X r_d` and `(X r_d)S⁻¹` drop out of both directions.

use std::time::Instant;

use quadra_core::faer::Side;
use quadra_core::Mat;

use super::block_tridiagonal::{for_column_chunks, BlockPartition, TRANSPOSE_TILE};
use super::data::{frob_inner_banded, IpmData};
use super::factor::CholeskyFactor;
use super::schur::schur_complement;
use super::settings::{Centring, LowRankSettings};
use super::IterationRecord;
use crate::{ConicError, Result};

/// What the loop returns on success.
pub(crate) struct IpmOutcome {
    pub y: Vec<f64>,
    pub x: Vec<Mat<f64>>,
    pub xl: Vec<f64>,
    pub dobj: f64,
    pub gap_rel: f64,
    pub iterations: u32,
}

/// Iterate `(y, X, S)` with the LP parts.
struct Iterate {
    y: Vec<f64>,
    x: Vec<Mat<f64>>,
    s: Vec<Mat<f64>>,
    xl: Vec<f64>,
    sl: Vec<f64>,
}

/// A search direction.
struct Direction {
    dy: Vec<f64>,
    dx: Vec<Mat<f64>>,
    ds: Vec<Mat<f64>>,
    dxl: Vec<f64>,
    dsl: Vec<f64>,
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Blocks up to this size get their step length from a dense eigenvalue problem; larger
/// ones from Lanczos (a dense symmetric eigensolver costs ~10n³, Lanczos ~40 steps of
/// 3n², and the Cholesky confirmation of the step catches any overestimate).
const DENSE_STEP_MAX_DIM: usize = 100;

/// `v ↦ L⁻¹ D L⁻ᵀ v` for the Lanczos step length.
struct ScaledDirection<'a> {
    l: &'a CholeskyFactor,
    d: &'a Mat<f64>,
}

impl quadra_core::SymmetricOperator for ScaledDirection<'_> {
    fn dim(&self) -> usize {
        self.l.dim()
    }
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        let n = x.len();
        let mut t = Mat::<f64>::from_fn(n, 1, |i, _| x[i]);
        self.l.solve_upper_in_place(t.as_mut());
        // D t through the factor's pattern (banded, or dense on both threads).
        let mut u = self.l.pattern_mul(self.d, &t);
        self.l.solve_lower_in_place(u.as_mut());
        y.copy_from_slice(u.col_as_slice(0));
    }
}

/// Largest `α` with `V + αD ⪰ 0`, given `V = LLᵀ`: `1/max(0, −λ_min(L⁻¹DL⁻ᵀ))`
/// (`∞` when the direction does not leave the cone).
fn max_step(l: &CholeskyFactor, d: &Mat<f64>) -> Result<f64> {
    let n = l.dim();
    let lmin = if n > DENSE_STEP_MAX_DIM {
        let op = ScaledDirection { l, d };
        let settings = quadra_core::LanczosSettings {
            max_iter: 60,
            tolerance: 1e-3,
        };
        let mut rng = quadra_core::seeded_rng(0x5EED);
        let r = quadra_core::lanczos_smallest(&op, &settings, &mut rng)?;
        // Ritz values lie inside the spectrum; subtract the residual to err towards a
        // shorter step.
        r.lambda_min - r.residual_min
    } else {
        let mut y = d.clone();
        l.solve_lower_in_place(y.as_mut());
        let mut b = y.transpose().to_owned();
        l.solve_lower_in_place(b.as_mut());
        // Symmetrise the rounding before the eigenvalues.
        for j in 0..n {
            for i in 0..j {
                let v = 0.5 * (b[(i, j)] + b[(j, i)]);
                b[(i, j)] = v;
                b[(j, i)] = v;
            }
        }
        let ev = b.self_adjoint_eigenvalues(Side::Lower).map_err(|_| {
            ConicError::Backend("eigenvalue iteration did not converge in the step length".into())
        })?;
        ev.iter().copied().fold(f64::INFINITY, f64::min)
    };
    Ok(if lmin >= 0.0 {
        f64::INFINITY
    } else {
        -1.0 / lmin
    })
}

fn max_step_lp(v: &[f64], d: &[f64]) -> f64 {
    v.iter()
        .zip(d)
        .filter(|(_, d)| **d < 0.0)
        .map(|(v, d)| -v / d)
        .fold(f64::INFINITY, f64::min)
}

/// Cholesky of the Schur complement with a diagonal shift on failure (free variables
/// can make `M` singular; the shift `δ·max M_ii`, `δ` growing from `1e-14`, changes
/// `Δy` only in `M`'s near-null space, which the residuals then correct).
fn factor_schur(mut mat: Mat<f64>) -> Option<quadra_core::faer::linalg::solvers::Llt<f64>> {
    let m = mat.nrows();
    let dmax = (0..m)
        .map(|i| mat[(i, i)].abs())
        .fold(0.0, f64::max)
        .max(1e-300);
    let mut delta = 0.0;
    for _ in 0..8 {
        if let Ok(f) = mat.llt(Side::Lower) {
            return Some(f);
        }
        let next = if delta == 0.0 {
            1e-14 * dmax
        } else {
            delta * 100.0
        };
        for i in 0..m {
            mat[(i, i)] += next - delta;
        }
        delta = next;
    }
    None
}

/// The starting iterate (Todd–Toh–Tütüncü 1998 / SDPT3's scaling): `X = ξI`,
/// `S = ηI` with `ξ, η` sized from the data; a warm start takes `y0` and lifts
/// `S = F(y0)` into the interior.
fn initial_iterate(data: &IpmData, warm_y: Option<&[f64]>) -> Result<Iterate> {
    let m = data.m;
    let nb = data.psd.len();
    let mut x = Vec::with_capacity(nb);
    let mut s = Vec::with_capacity(nb);
    for b in &data.psd {
        let n = b.dim as f64;
        let mut xi: f64 = 10f64.max(n.sqrt());
        let mut eta: f64 = 10f64.max(n.sqrt()).max(b.constant.norm_l2());
        for (i, f) in &b.terms {
            let nf = f.frob2(b.dim).sqrt();
            xi = xi.max(n * (1.0 + data.c[*i].abs()) / (1.0 + nf));
            eta = eta.max(nf);
        }
        x.push(Mat::<f64>::identity(b.dim, b.dim) * xi);
        s.push(Mat::<f64>::identity(b.dim, b.dim) * eta);
    }
    let p = data.lp.rows.len() as f64;
    let mut xi: f64 = 10f64.max(p.sqrt());
    let mut eta: f64 = 10f64.max(p.sqrt());
    for (row, g0) in data.lp.rows.iter().zip(&data.lp.constant) {
        eta = eta.max(g0.abs());
        for &(i, a) in row {
            xi = xi.max((1.0 + data.c[i].abs()) / (1.0 + a.abs()));
            eta = eta.max(a.abs());
        }
    }
    let mut it = Iterate {
        y: vec![0.0; m],
        x,
        s,
        xl: vec![xi; data.lp.rows.len()],
        sl: vec![eta; data.lp.rows.len()],
    };
    if let Some(y0) = warm_y {
        // Warm start: y from the caller, S = F(y0) lifted into the interior.
        it.y = y0.to_vec();
        let (fs, fl) = data.affine(y0, true);
        for (k, f) in fs.into_iter().enumerate() {
            let n = f.nrows();
            let ev = f
                .self_adjoint_eigenvalues(Side::Lower)
                .map_err(|_| ConicError::Backend("eigenvalues of the warm start".into()))?;
            let lmin = ev.iter().copied().fold(f64::INFINITY, f64::min);
            let shift = (1e-3 * (1.0 + f.norm_l2() / (n as f64).sqrt())) - lmin.min(0.0);
            it.s[k] = f + Mat::<f64>::identity(n, n) * shift.max(0.0);
        }
        for (r, v) in fl.into_iter().enumerate() {
            it.sl[r] = if v > 1e-3 { v } else { 1e-3 + v.abs() };
        }
    }
    Ok(it)
}

/// `V + αD` for each block with `α` shortened by 0.8 (at most 30 times) until every
/// block factors; returns the new blocks, the step taken and their factors (fewer
/// factors than blocks when the step could not be confirmed).
fn confirm_in_cone<'a>(
    current: &[Mat<f64>],
    direction: &[Mat<f64>],
    mut alpha: f64,
    partition: impl Fn(usize) -> Option<&'a BlockPartition>,
) -> (Vec<Mat<f64>>, f64, Vec<CholeskyFactor>) {
    let step = |alpha: f64| -> Vec<Mat<f64>> {
        current
            .iter()
            .zip(direction)
            .enumerate()
            .map(|(b, (v, d))| step_to(v, d, alpha, partition(b)))
            .collect()
    };
    let mut next = step(alpha);
    let mut factors = Vec::new();
    for _ in 0..30 {
        factors = next
            .iter()
            .enumerate()
            .map_while(|(b, v)| CholeskyFactor::factor(v, partition(b)))
            .collect();
        if factors.len() == next.len() {
            break;
        }
        alpha *= 0.8;
        next = step(alpha);
    }
    (next, alpha, factors)
}

/// `V + αD` in one pass (column chunks in parallel); with a partition only its band is
/// formed (the slack and its direction are zero outside it).
fn step_to(v: &Mat<f64>, d: &Mat<f64>, alpha: f64, partition: Option<&BlockPartition>) -> Mat<f64> {
    let n = v.nrows();
    let mut out = Mat::<f64>::zeros(n, v.ncols());
    for_column_chunks(out.as_mut(), &|first, mut chunk| {
        for jj in 0..chunk.ncols() {
            let j = first + jj;
            let (lo, len) = match partition {
                Some(p) => p.band_rows(p.block_of(j)),
                None => (0, n),
            };
            let (vj, dj) = (v.col_as_slice(j), d.col_as_slice(j));
            for i in lo..lo + len {
                chunk[(i, jj)] = vj[i] + alpha * dj[i];
            }
        }
    });
    out
}

/// `ΔX = σμS⁻¹ − X − ½(G + Gᵀ)`: one pass down the columns, then `−½Gᵀ` over
/// `TRANSPOSE_TILE` tiles so that reading `Gᵀ` stays in cache (no temporaries); column
/// chunks run in parallel. (A single pass over row tiles was measured 5–20 % slower.)
fn primal_direction(sigma_mu: f64, s_inv: &Mat<f64>, x: &Mat<f64>, g: &Mat<f64>) -> Mat<f64> {
    const TILE: usize = TRANSPOSE_TILE;
    let n = x.nrows();
    let mut out = Mat::<f64>::zeros(n, n);
    for_column_chunks(out.as_mut(), &|first, mut chunk| {
        for jj in 0..chunk.ncols() {
            let j = first + jj;
            let (si, xj, gj) = (s_inv.col_as_slice(j), x.col_as_slice(j), g.col_as_slice(j));
            for (i, ((s, x), g)) in si.iter().zip(xj).zip(gj).enumerate() {
                chunk[(i, jj)] = sigma_mu * s - x - 0.5 * g;
            }
        }
        for j0 in (0..chunk.ncols()).step_by(TILE) {
            for i0 in (0..n).step_by(TILE) {
                for jj in j0..(j0 + TILE).min(chunk.ncols()) {
                    let j = first + jj;
                    for i in i0..(i0 + TILE).min(n) {
                        chunk[(i, jj)] -= 0.5 * g.col_as_slice(i)[j];
                    }
                }
            }
        }
    });
    out
}

/// `⟨X, S⟩` over all cones.
fn complementarity(it: &Iterate, data: &IpmData) -> f64 {
    it.x.iter()
        .zip(&it.s)
        .zip(&data.psd)
        .map(|((x, s), b)| frob_inner_banded(x.as_ref(), s.as_ref(), b.partition.as_ref()))
        .sum::<f64>()
        + it.xl.iter().zip(&it.sl).map(|(x, s)| x * s).sum::<f64>()
}

/// Whether replacing `S` by `F(y) = S + r_d` moves the centrality `X^{1/2} S X^{1/2}`
/// by less than 1 % of `μ`: `‖X^{1/2} r_d X^{1/2}‖₂ ≤ tr(X)‖r_d‖_F ≤ 0.01 μ` per block
/// (and `x_r |r_r| ≤ 0.01 μ` on the scalar cones).
fn negligible_dual_residual(
    it: &Iterate,
    data: &IpmData,
    rd: &[Mat<f64>],
    rdl: &[f64],
    n_cone: f64,
) -> bool {
    let mu = complementarity(it, data) / n_cone;
    let psd = it.x.iter().zip(rd).zip(&data.psd).all(|((x, r), b)| {
        let trace: f64 = (0..x.nrows()).map(|i| x[(i, i)]).sum();
        let r2 = frob_inner_banded(r.as_ref(), r.as_ref(), b.partition.as_ref());
        trace * r2.sqrt() <= 0.01 * mu
    });
    psd && it.xl.iter().zip(rdl).all(|(x, r)| x * r.abs() <= 0.01 * mu)
}

/// The interior-point loop.
pub(crate) fn solve(
    data: &IpmData,
    settings: &LowRankSettings,
    warm_y: Option<&[f64]>,
    observer: &mut dyn FnMut(&IterationRecord),
) -> Result<IpmOutcome> {
    use quadra_core::faer::linalg::solvers::Solve;
    let start = Instant::now();
    let m = data.m;
    let nb = data.psd.len();
    let n_cone = data.cone_dim().max(1) as f64;
    let norm_c = norm2(&data.c);
    let norm_f0 = (data
        .psd
        .iter()
        .map(|b| b.constant.norm_l2().powi(2))
        .sum::<f64>()
        + data.lp.constant.iter().map(|a| a * a).sum::<f64>())
    .sqrt();

    let mut it = initial_iterate(data, warm_y)?;

    let gamma = settings.step_fraction;
    // Best max(gap, residuals) and best infeasibility-certificate residual seen, with
    // the iteration each was reached (stall detection: no 10% decrease of either in
    // STALL_ITERS iterations ends the solve). They are tracked apart: an early, transient
    // small infeasibility ratio must not hide the later progress towards optimality.
    const STALL_ITERS: u32 = 8;
    let mut best_optimality = (f64::INFINITY, 0u32);
    let mut best_infeasibility = (f64::INFINITY, 0u32);
    let mut last_step = (0.0, 0.0, 0.0);
    // Cholesky factors of (X, S) at the current iterate when the last step computed them.
    type Factors = (Vec<CholeskyFactor>, Vec<CholeskyFactor>);
    let mut factors: Option<Factors> = None;
    // Whether `S = F(y)` holds by construction (see the residuals below).
    let mut dual_exact = false;
    for iter in 0..=settings.max_iter {
        // Residuals and objectives. Once `S = F(y)` has been taken (`dual_exact`), every
        // step moves `S` and `y` along the same `ΔS = A(Δy)`, so `r_d` stays zero up to
        // rounding (which the caller's re-check of `F(y)` absorbs) and `F(y)` is not
        // formed again.
        let zero_residuals = |it: &Iterate| -> (Vec<Mat<f64>>, Vec<f64>) {
            let zeros = it.s.iter().map(|s| Mat::zeros(s.nrows(), s.ncols()));
            (zeros.collect(), vec![0.0; it.sl.len()])
        };
        let (rd, rdl) = if dual_exact {
            zero_residuals(&it)
        } else {
            let (fy, fyl) = data.affine(&it.y, true);
            let rd: Vec<Mat<f64>> = fy.iter().zip(&it.s).map(|(f, s)| f - s).collect();
            let rdl: Vec<f64> = fyl.iter().zip(&it.sl).map(|(f, s)| f - s).collect();
            // Once the dual residual is negligible against the centrality (it shrinks
            // by 1 − α every step), take S = F(y) exactly: r_d = 0 from then on and the
            // direction skips the dense products X r_d and (X r_d)S⁻¹.
            if negligible_dual_residual(&it, data, &rd, &rdl, n_cone) {
                let s_factors: Option<Vec<CholeskyFactor>> = fy
                    .iter()
                    .zip(&data.psd)
                    .map(|(f, b)| CholeskyFactor::factor(f, b.partition.as_ref()))
                    .collect();
                if let (Some(fs), true) = (s_factors, fyl.iter().all(|v| *v > 0.0)) {
                    it.s = fy;
                    it.sl = fyl;
                    factors = factors.map(|(fx, _)| (fx, fs));
                    dual_exact = true;
                }
            }
            if dual_exact {
                zero_residuals(&it)
            } else {
                (rd, rdl)
            }
        };
        // ‖r_d‖² per block, over the band (`r_d` lies in the slack's pattern).
        let rd_sq: Vec<f64> = rd
            .iter()
            .zip(&data.psd)
            .map(|(r, b)| frob_inner_banded(r.as_ref(), r.as_ref(), b.partition.as_ref()))
            .collect();
        let rd_zero = dual_exact || rd_sq.iter().all(|r| *r == 0.0);
        let a_x = data.adjoint_psd(&it.x);
        let mut ax = a_x.clone();
        data.add_adjoint_lp(&it.xl, &mut ax);
        let rp: Vec<f64> = data.c.iter().zip(&ax).map(|(c, a)| c - a).collect();
        let pobj: f64 = data.c.iter().zip(&it.y).map(|(c, y)| c * y).sum();
        let f0x = data.constant_inner(&it.x, &it.xl);
        let dobj = -f0x;
        let xs = complementarity(&it, data);
        let mu = xs / n_cone;
        let scale = 1.0 + pobj.abs() + dobj.abs();
        let gap_rel = (pobj - dobj).abs().max(xs) / scale;
        let rd_norm = (rd_sq.iter().sum::<f64>() + rdl.iter().map(|a| a * a).sum::<f64>()).sqrt();
        let pinf = norm2(&rp) / (1.0 + norm_c);
        let dinf = rd_norm / (1.0 + norm_f0);
        let record = IterationRecord {
            iteration: iter,
            primal_objective: pobj,
            dual_objective: dobj,
            gap_rel,
            primal_residual: pinf,
            dual_residual: dinf,
            mu,
            seconds: start.elapsed().as_secs_f64(),
            step_primal: last_step.0,
            step_dual: last_step.1,
            sigma: last_step.2,
        };
        observer(&record);
        let outcome = |it: &Iterate| IpmOutcome {
            y: it.y.clone(),
            x: it.x.clone(),
            xl: it.xl.clone(),
            dobj,
            gap_rel,
            iterations: iter,
        };
        if gap_rel <= settings.tol_gap_rel && pinf <= settings.tol_feas && dinf <= settings.tol_feas
        {
            return Ok(outcome(&it));
        }
        // Infeasibility: X/(−⟨F₀,X⟩) with A(X) small is a Farkas certificate that the
        // LMI has no solution; y/(−cᵀy) with F₀ − r_d small relative to it is a
        // recession direction along which cᵀy → −∞.
        let mut infeas_merit = f64::INFINITY;
        if dobj > 0.0 {
            let res = norm2(&ax) / dobj;
            infeas_merit = infeas_merit.min(res);
            if res <= settings.tol_infeas {
                return Err(ConicError::PrimalInfeasible {
                    iterations: iter,
                    residual: res,
                    accuracy: crate::Accuracy::Full,
                });
            }
        }
        if pobj < 0.0 {
            let off = (data
                .psd
                .iter()
                .zip(&rd)
                .map(|(b, r)| {
                    let d = &b.constant - r;
                    frob_inner_banded(d.as_ref(), d.as_ref(), b.partition.as_ref())
                })
                .sum::<f64>()
                + data
                    .lp
                    .constant
                    .iter()
                    .zip(&rdl)
                    .map(|(g, r)| (g - r).powi(2))
                    .sum::<f64>())
            .sqrt();
            let res = off / (-pobj);
            infeas_merit = infeas_merit.min(res);
            if res <= settings.tol_infeas {
                return Err(ConicError::DualInfeasible {
                    iterations: iter,
                    residual: res,
                    accuracy: crate::Accuracy::Full,
                });
            }
        }
        let limit = |what: crate::Limit| ConicError::LimitReached {
            limit: what,
            iterations: iter,
            r_prim: pinf,
            r_dual: dinf,
            gap_rel,
        };
        if iter == settings.max_iter {
            return Err(limit(crate::Limit::Iterations));
        }
        if let Some(t) = settings.time_limit {
            if start.elapsed().as_secs_f64() > t {
                return Err(limit(crate::Limit::Time));
            }
        }
        let reduced_ok = gap_rel <= settings.tol_reduced
            && pinf <= settings.tol_reduced
            && dinf <= settings.tol_reduced;
        // Progress towards optimality or towards an infeasibility certificate.
        for (best, merit) in [
            (&mut best_optimality, gap_rel.max(pinf).max(dinf)),
            (&mut best_infeasibility, infeas_merit),
        ] {
            if merit < 0.9 * best.0 {
                *best = (merit, iter);
            }
        }
        let stalled = iter >= best_optimality.1.max(best_infeasibility.1) + STALL_ITERS;
        let trouble = |what: &'static str| -> Result<IpmOutcome> {
            Err(ConicError::NumericalTrouble {
                what,
                iterations: iter,
                r_prim: pinf,
                r_dual: dinf,
                gap_rel,
            })
        };

        if stalled {
            return if reduced_ok {
                Ok(outcome(&it))
            } else {
                trouble("no progress in 8 iterations")
            };
        }

        // Factorisations.
        let mut ls = Vec::with_capacity(nb);
        let mut lx = Vec::with_capacity(nb);
        let mut s_inv = Vec::with_capacity(nb);
        let cached = factors.take();
        let (cached_x, cached_s) = match cached {
            Some((fx, fs)) => (
                fx.into_iter().map(Some).collect(),
                fs.into_iter().map(Some).collect(),
            ),
            None => (vec![None; nb], vec![None; nb]),
        };
        for (b, ((x, s), (cx, cs))) in
            it.x.iter()
                .zip(&it.s)
                .zip(cached_x.into_iter().zip(cached_s))
                .enumerate()
        {
            let partition = data.psd[b].partition.as_ref();
            let fs = cs.or_else(|| CholeskyFactor::factor(s, partition));
            let fx = cx.or_else(|| CholeskyFactor::factor(x, None));
            let (Some(fs), Some(fx)) = (fs, fx) else {
                return if reduced_ok {
                    Ok(outcome(&it))
                } else {
                    trouble("iterate left the cone")
                };
            };
            s_inv.push(fs.inverse());
            ls.push(fs);
            lx.push(fx);
        }
        let schur = schur_complement(data, &it.x, &s_inv, &it.xl, &it.sl);
        let a_sinv = data.adjoint_psd(&s_inv);
        if (0..m).any(|i| !schur[(i, i)].is_finite()) {
            return trouble("non-finite Schur complement");
        }
        let Some(mfac) = factor_schur(schur) else {
            return if reduced_ok {
                Ok(outcome(&it))
            } else {
                trouble("Schur complement is singular")
            };
        };

        // One direction for given σμ and corrector term K (blockwise; LP entrywise).
        // Every product is formed transposed, `Gᵀ = S⁻¹(r_d X + Kᵀ)` and
        // `S⁻¹(ΔS X + Kᵀ)`: banded-times-dense products and solves down the columns,
        // with no transposed views, each panel of columns solved as soon as it is
        // formed. `Gᵀ` serves as well as `G`, since the direction reads only `G + Gᵀ`
        // and `⟨Fᵢ, G⟩` (`Fᵢ` symmetric).
        let direction = |sigma_mu: f64, corr: Option<&Direction>| -> Direction {
            // G = (X r_d + K) S⁻¹; rhs h = A(σμS⁻¹ − X − G) − r_p.
            // The corrector's second-order term Kᵀ = ΔS_p ΔX_p, formed once. When
            // r_d = 0 only S⁻¹Kᵀ is ever needed (in G, and in S⁻¹(ΔS X + Kᵀ) below as
            // S⁻¹(ΔS X) plus it), so it is formed already solved.
            let kmat: Option<Vec<Mat<f64>>> = corr.map(|c| {
                (0..nb)
                    .map(|b| {
                        if rd_zero {
                            ls[b].solve_pattern_product(&c.ds[b], &c.dx[b], None, &s_inv[b])
                        } else {
                            ls[b].pattern_mul(&c.ds[b], &c.dx[b])
                        }
                    })
                    .collect()
            });
            // h = A(σμS⁻¹ − X − G) − r_p, with A(S⁻¹) and A(X) formed once per
            // iteration, so only A(G) is new (and nothing when G = 0).
            let mut h: Vec<f64> = a_sinv
                .iter()
                .zip(&a_x)
                .zip(&rp)
                .map(|((s, x), r)| sigma_mu * s - x - r)
                .collect();
            // A(G) summed over the blocks, then taken from h once.
            let mut ag = vec![0.0; m];
            for b in 0..nb {
                match (rd_zero, &kmat) {
                    (true, None) => break,
                    // G = S⁻¹Kᵀ, formed above.
                    (true, Some(solved)) => data.add_adjoint_block(b, &solved[b], &mut ag),
                    (false, k) => {
                        let k = k.as_ref().map(|k| &k[b]);
                        let g = ls[b].solve_pattern_product(&rd[b], &it.x[b], k, &s_inv[b]);
                        data.add_adjoint_block(b, &g, &mut ag);
                    }
                }
            }
            h.iter_mut().zip(&ag).for_each(|(h, a)| *h -= a);
            let tl_rhs: Vec<f64> = (0..it.xl.len())
                .map(|r| {
                    let k = corr.map_or(0.0, |c| c.dxl[r] * c.dsl[r]);
                    sigma_mu / it.sl[r] - it.xl[r] - (it.xl[r] * rdl[r] + k) / it.sl[r]
                })
                .collect();
            data.add_adjoint_lp(&tl_rhs, &mut h);
            let hm = Mat::<f64>::from_fn(m, 1, |i, _| h[i]);
            let dym = mfac.solve(hm.as_ref());
            let dy: Vec<f64> = (0..m).map(|i| dym[(i, 0)]).collect();
            let (ady, adyl) = data.affine(&dy, false);
            let ds: Vec<Mat<f64>> = if rd_zero {
                ady
            } else {
                rd.iter().zip(ady).map(|(r, a)| r + a).collect()
            };
            let dsl: Vec<f64> = rdl.iter().zip(adyl).map(|(r, a)| r + a).collect();
            let mut dx = Vec::with_capacity(nb);
            for b in 0..nb {
                // S⁻¹(ΔS X + Kᵀ): Kᵀ enters before the solve when r_d ≠ 0, and as
                // S⁻¹Kᵀ, formed solved, when r_d = 0.
                let k = kmat.as_ref().map(|k| &k[b]);
                let before = if rd_zero { None } else { k };
                let mut g = ls[b].solve_pattern_product(&ds[b], &it.x[b], before, &s_inv[b]);
                if let (true, Some(solved)) = (rd_zero, k) {
                    g += solved;
                }
                dx.push(primal_direction(sigma_mu, &s_inv[b], &it.x[b], &g));
            }
            let dxl: Vec<f64> = (0..it.xl.len())
                .map(|r| {
                    let k = corr.map_or(0.0, |c| c.dxl[r] * c.dsl[r]);
                    sigma_mu / it.sl[r] - it.xl[r] - (it.xl[r] * dsl[r] + k) / it.sl[r]
                })
                .collect();
            Direction {
                dy,
                dx,
                ds,
                dxl,
                dsl,
            }
        };
        // The primal and dual step lengths are independent Lanczos runs: one each.
        let steps = |d: &Direction| -> Result<(f64, f64)> {
            let primal = || {
                (0..nb).try_fold(max_step_lp(&it.xl, &d.dxl), |a, b| {
                    Ok::<f64, ConicError>(a.min(max_step(&lx[b], &d.dx[b])?))
                })
            };
            let dual = || {
                (0..nb).try_fold(max_step_lp(&it.sl, &d.dsl), |a, b| {
                    Ok::<f64, ConicError>(a.min(max_step(&ls[b], &d.ds[b])?))
                })
            };
            let (ap, ad) = rayon::join(primal, dual);
            Ok((ap?, ad?))
        };

        // Predictor.
        let pred = direction(0.0, None);
        let (ap_max, ad_max) = steps(&pred)?;
        let (ap, ad) = (ap_max.min(1.0), ad_max.min(1.0));
        let mut xs_aff = 0.0;
        for b in 0..nb {
            // ⟨X + a ΔX, S + d ΔS⟩ without forming either sum.
            let (x, dx, s, ds) = (
                it.x[b].as_ref(),
                pred.dx[b].as_ref(),
                it.s[b].as_ref(),
                pred.ds[b].as_ref(),
            );
            // S and ΔS lie in the slack's pattern: the products read its band only.
            let part = data.psd[b].partition.as_ref();
            xs_aff += frob_inner_banded(x, s, part)
                + ad * frob_inner_banded(x, ds, part)
                + ap * frob_inner_banded(dx, s, part)
                + ap * ad * frob_inner_banded(dx, ds, part);
        }
        for r in 0..it.xl.len() {
            xs_aff += (it.xl[r] + ap * pred.dxl[r]) * (it.sl[r] + ad * pred.dsl[r]);
        }
        let ratio = (xs_aff / xs).clamp(0.0, 1.0);
        let expo = match settings.centring {
            Centring::Fixed(e) => e,
            Centring::Adaptive if mu > 1e-6 => (3.0 * ap.min(ad).powi(2)).max(1.0),
            Centring::Adaptive => 3.0,
        };
        let sigma = ratio.powf(expo).clamp(0.0, 1.0);

        // Corrector.
        let corr = direction(sigma * mu, Some(&pred));
        let (ap_max, ad_max) = steps(&corr)?;
        let (ap, ad) = ((gamma * ap_max).min(1.0), (gamma * ad_max).min(1.0));
        // One step length for both sides: separate primal and dual steps let the
        // iterate drift from the central path on LipSDP (measured: 64-50-50-10 stalls
        // at gap 0.46 with separate steps, converges in 16 iterations with equal ones).
        let (ap, ad) = (ap.min(ad), ap.min(ad));
        if !(ap.is_finite() && ad.is_finite()) || corr.dy.iter().any(|v| !v.is_finite()) {
            return if reduced_ok {
                Ok(outcome(&it))
            } else {
                trouble("non-finite search direction")
            };
        }
        if ap.max(ad) < 1e-10 {
            return if reduced_ok {
                Ok(outcome(&it))
            } else {
                trouble("step length below 1e-10")
            };
        }
        // The eigenvalue bound on the step is exact in exact arithmetic; near the
        // boundary rounding can still leave the cone, so confirm by Cholesky and
        // shorten the step by 0.8 until the new iterate factors.
        let ((new_x, ap, fx), (new_s, ad, fs)) = rayon::join(
            || confirm_in_cone(&it.x, &corr.dx, ap, |_| None),
            || confirm_in_cone(&it.s, &corr.ds, ad, |b| data.psd[b].partition.as_ref()),
        );
        it.x = new_x;
        it.s = new_s;
        // The confirming factorisations are the next iteration's.
        if fx.len() == nb && fs.len() == nb {
            factors = Some((fx, fs));
        }
        last_step = (ap, ad, sigma);
        for r in 0..it.xl.len() {
            it.xl[r] += ap * corr.dxl[r];
            it.sl[r] += ad * corr.dsl[r];
        }
        for i in 0..m {
            it.y[i] += ad * corr.dy[i];
        }
    }
    unreachable!("the loop returns at max_iter")
}
