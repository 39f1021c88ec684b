//! Null distributions (wild bootstrap, permutation) and the two tests.
//!
//! Every null draw is a quadratic form in the Gram matrix computed once:
//!
//! * MMD, wild: `T* = vᵀGv`, `v = (W̃ˣ/nx, −W̃ʸ/ny)` with AR multipliers `Wˣ`, `Wʸ`
//!   (independent, or one shared path when paired);
//! * MMD, permutation: `T* = (Πa)ᵀG(Πa)`, `a = (1/nx,…, −1/ny,…)`, `Π` a uniform permutation;
//! * HSIC, wild: `T* = W̃ᵀ(K̃∘L̃)W̃/n²`;
//! * HSIC, permutation: `T* = Σᵢⱼ K̃ᵢⱼ L̃_{π(i)π(j)}/n²`.
//!
//! Wild and permutation MMD draws are evaluated in chunks of [`CHUNK`] columns with one
//! matrix product `G·V` per chunk; chunks run in parallel (rayon). Draw `b` always uses
//! its own ChaCha20 stream (`seed`, stream `b`), so results do not depend on the number
//! of threads. p-value: `(1 + #{T* ≥ T})/(1 + B)` (never 0; exact level for exchangeable draws).

use crate::data::Series;
use crate::error::{Result, StatTestError};
use crate::kernel::{centre, gram, pooled_gram, resolve_kernel};
use crate::multiplier::{ar_multiplier, block_from_autocorrelation, centre_in_place};
use crate::settings::{Block, Method, Pairing, TestSettings, WildVariant};
use crate::stats::{hsic_v, mmd2_u, mmd2_v};
use quadra_core::{seeded_rng, ChaCha20Rng, Mat, MatRef};
use rand::seq::SliceRandom;
use rayon::prelude::*;

/// Draws per matrix product: large enough for GEMM efficiency, small enough for load balance.
pub const CHUNK: usize = 32;

/// The outcome of a test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The statistic (`MMD²_V` or `HSIC_V`).
    pub statistic: f64,
    /// `MMD²_U` (MMD only).
    pub unbiased: Option<f64>,
    /// Bootstrap p-value `(1 + #{T* ≥ T})/(1 + B)`.
    pub p_value: f64,
    /// `p_value ≤ alpha`.
    pub reject: bool,
    /// The level.
    pub alpha: f64,
    /// The null method.
    pub method: Method,
    /// Number of draws.
    pub n_boot: usize,
    /// Block length used (wild bootstrap only).
    pub block: Option<f64>,
    /// Bandwidths (one for MMD; σ_X, σ_Y for HSIC).
    pub bandwidth: Vec<f64>,
    /// The null draws, in draw order.
    pub null_draws: Vec<f64>,
}

/// The ChaCha20 generator of draw `b`.
pub fn draw_rng(seed: u64, b: usize) -> ChaCha20Rng {
    let mut r = seeded_rng(seed);
    r.set_stream(b as u64);
    r
}

/// `vᵦᵀ G vᵦ` for `b < n_boot`, where `fill(b, vᵦ)` writes draw `b`'s vector.
pub fn quad_form_draws<F>(g: &Mat<f64>, n_boot: usize, fill: F) -> Vec<f64>
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    let n = g.nrows();
    let n_chunks = n_boot.div_ceil(CHUNK);
    let per_chunk: Vec<Vec<f64>> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let b0 = c * CHUNK;
            let m = CHUNK.min(n_boot - b0);
            let mut buf = vec![0.0; n * m];
            for k in 0..m {
                fill(b0 + k, &mut buf[k * n..(k + 1) * n]);
            }
            let v = MatRef::from_column_major_slice(&buf, n, m);
            let gv: Mat<f64> = g.as_ref() * v;
            (0..m)
                .map(|k| {
                    let col = &buf[k * n..(k + 1) * n];
                    col.iter().zip(gv.col_as_slice(k)).map(|(a, b)| a * b).sum()
                })
                .collect()
        })
        .collect();
    per_chunk.into_iter().flatten().collect()
}

fn p_value(stat: f64, draws: &[f64]) -> f64 {
    let exceed = draws.iter().filter(|&&d| d >= stat).count();
    (1 + exceed) as f64 / (1 + draws.len()) as f64
}

fn resolve_block(block: Block, rho: f64, n: usize) -> f64 {
    match block {
        Block::Fixed(l) => l,
        Block::Auto => block_from_autocorrelation(rho, n),
    }
}

fn check_dims(x: &Series, y: &Series) -> Result<()> {
    if x.dim() != y.dim() {
        return Err(StatTestError::DimensionMismatch {
            context: "number of columns of Y vs X",
            expected: x.dim(),
            found: y.dim(),
        });
    }
    Ok(())
}

fn min_len(s: &Series, context: &'static str, needed: usize) -> Result<()> {
    if s.len() < needed {
        return Err(StatTestError::TooShort {
            context,
            needed,
            found: s.len(),
        });
    }
    Ok(())
}

/// Kernel two-sample test `H₀: P_X = P_Y` with the statistic `MMD²_V`.
///
/// Lengths may differ (independent multipliers); [`Pairing::Paired`] needs equal lengths.
pub fn mmd_test(x: &Series, y: &Series, settings: &TestSettings) -> Result<TestResult> {
    check_dims(x, y)?;
    min_len(x, "X", 2)?;
    min_len(y, "Y", 2)?;
    let (nx, ny) = (x.len(), y.len());
    if settings.pairing == Pairing::Paired && nx != ny {
        return Err(StatTestError::DimensionMismatch {
            context: "paired MMD: length of Y vs X",
            expected: nx,
            found: ny,
        });
    }
    let kernel = resolve_kernel(settings.kernel, settings.bandwidth, &[x, y])?;
    let g = pooled_gram(&kernel, x, y)?;
    let stat = mmd2_v(&g, nx)?;
    let unbiased = mmd2_u(&g, nx)?;
    let (fx, fy) = (nx as f64, ny as f64);
    let seed = settings.seed;
    let (draws, block) = match settings.method {
        Method::Wild(variant) => {
            let rho = x.lag1_autocorrelation().max(y.lag1_autocorrelation());
            let l = resolve_block(settings.block, rho, nx.min(ny));
            let centred = variant == WildVariant::Centred;
            let pairing = settings.pairing;
            let draws = quad_form_draws(&g, settings.n_boot, |b, v| {
                let mut rng = draw_rng(seed, b);
                let (vx, vy) = v.split_at_mut(nx);
                ar_multiplier(l, &mut rng, vx);
                if centred {
                    centre_in_place(vx);
                }
                match pairing {
                    Pairing::Independent => {
                        ar_multiplier(l, &mut rng, vy);
                        if centred {
                            centre_in_place(vy);
                        }
                    }
                    Pairing::Paired => vy.copy_from_slice(vx),
                }
                vx.iter_mut().for_each(|w| *w /= fx);
                vy.iter_mut().for_each(|w| *w /= -fy);
            });
            (draws, Some(l))
        }
        Method::Permutation => {
            let draws = quad_form_draws(&g, settings.n_boot, |b, v| {
                let mut rng = draw_rng(seed, b);
                for (i, o) in v.iter_mut().enumerate() {
                    *o = if i < nx { 1.0 / fx } else { -1.0 / fy };
                }
                v.shuffle(&mut rng);
            });
            (draws, None)
        }
    };
    let p = p_value(stat, &draws);
    Ok(TestResult {
        statistic: stat,
        unbiased: Some(unbiased),
        p_value: p,
        reject: p <= settings.alpha,
        alpha: settings.alpha,
        method: settings.method,
        n_boot: settings.n_boot,
        block,
        bandwidth: vec![kernel.sigma],
        null_draws: draws,
    })
}

/// Kernel independence test `H₀: X_t ⫫ Y_t` with the statistic `HSIC_V`.
///
/// `X` and `Y` are observed at the same times (equal lengths); dimensions may differ.
/// Bandwidths are chosen on each sample separately.
pub fn hsic_test(x: &Series, y: &Series, settings: &TestSettings) -> Result<TestResult> {
    min_len(x, "X", 2)?;
    if y.len() != x.len() {
        return Err(StatTestError::DimensionMismatch {
            context: "HSIC: length of Y vs X (samples are paired in time)",
            expected: x.len(),
            found: y.len(),
        });
    }
    let n = x.len();
    let kx = resolve_kernel(settings.kernel, settings.bandwidth, &[x])?;
    let ky = resolve_kernel(settings.kernel, settings.bandwidth, &[y])?;
    let kc = centre(&gram(&kx, x, x)?);
    let lc = centre(&gram(&ky, y, y)?);
    let stat = hsic_v(&kc, &lc)?;
    let nn = (n * n) as f64;
    let seed = settings.seed;
    let (draws, block) = match settings.method {
        Method::Wild(variant) => {
            let rho = x.lag1_autocorrelation().max(y.lag1_autocorrelation());
            let l = resolve_block(settings.block, rho, n);
            let centred = variant == WildVariant::Centred;
            let m = Mat::from_fn(n, n, |i, j| kc[(i, j)] * lc[(i, j)] / nn);
            let draws = quad_form_draws(&m, settings.n_boot, |b, v| {
                let mut rng = draw_rng(seed, b);
                ar_multiplier(l, &mut rng, v);
                if centred {
                    centre_in_place(v);
                }
            });
            (draws, Some(l))
        }
        Method::Permutation => {
            let draws = (0..settings.n_boot)
                .into_par_iter()
                .map(|b| {
                    let mut rng = draw_rng(seed, b);
                    let mut perm: Vec<usize> = (0..n).collect();
                    perm.shuffle(&mut rng);
                    let mut s = 0.0;
                    for j in 0..n {
                        let pj = perm[j];
                        let kcol = kc.col_as_slice(j);
                        let lcol = lc.col_as_slice(pj);
                        for i in 0..n {
                            s += kcol[i] * lcol[perm[i]];
                        }
                    }
                    s / nn
                })
                .collect();
            (draws, None)
        }
    };
    let p = p_value(stat, &draws);
    Ok(TestResult {
        statistic: stat,
        unbiased: None,
        p_value: p,
        reject: p <= settings.alpha,
        alpha: settings.alpha,
        method: settings.method,
        n_boot: settings.n_boot,
        block,
        bandwidth: vec![kx.sigma, ky.sigma],
        null_draws: draws,
    })
}
