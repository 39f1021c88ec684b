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
//! The quadratic-form draws (wild MMD, permutation MMD, wild HSIC) are evaluated in batches
//! with one triangular matrix product per batch ([`crate::draws`]). Draw `b` always uses
//! its own ChaCha20 stream (`seed`, stream `b`), so results do not depend on the number
//! of threads. p-value: `(1 + #{T* ≥ T})/(1 + B)` (never 0; exact level for exchangeable draws).

use crate::data::Series;
pub use crate::draws::{draw_rng, quad_form_draws};
use crate::error::{Result, StatTestError};
use crate::gram::LowerGram;
use crate::kernel::{centre, resolve_kernel, sample_gram};
use crate::multiplier::{ar_multiplier, block_from_autocorrelation, centre_in_place};
use crate::settings::{Block, Method, Pairing, TestSettings, WildVariant};
use crate::stats::{hsic_v, BlockSums};
use quadra_core::Mat;
use rand::seq::SliceRandom;
use rayon::prelude::*;

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
    let g = LowerGram::pooled(&kernel, x, y)?;
    let sums = BlockSums::from_lower(g.lower(), nx, 2)?;
    let (stat, unbiased) = (sums.mmd2_v(), sums.mmd2_u());
    let (fx, fy) = (nx as f64, ny as f64);
    let seed = settings.seed;
    let (draws, block) = match settings.method {
        Method::Wild(variant) => {
            let rho = x.lag1_autocorrelation().max(y.lag1_autocorrelation());
            let l = resolve_block(settings.block, rho, nx.min(ny));
            let centred = variant == WildVariant::Centred;
            let pairing = settings.pairing;
            let draws = quad_form_draws(g.lower(), settings.n_boot, |b, v| {
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
            let draws = quad_form_draws(g.lower(), settings.n_boot, |b, v| {
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
    let kc = centre(&sample_gram(&kx, x));
    let lc = centre(&sample_gram(&ky, y));
    let stat = hsic_v(&kc, &lc)?;
    let nn = (n * n) as f64;
    let seed = settings.seed;
    let (draws, block) = match settings.method {
        Method::Wild(variant) => {
            let rho = x.lag1_autocorrelation().max(y.lag1_autocorrelation());
            let l = resolve_block(settings.block, rho, n);
            let centred = variant == WildVariant::Centred;
            let m = Mat::from_fn(n, n, |i, j| kc[(i, j)] * lc[(i, j)] / nn);
            let draws = quad_form_draws(m.as_ref(), settings.n_boot, |b, v| {
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
