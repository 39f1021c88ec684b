//! Perfect-recovery thresholds of noiseless GLMs from the state evolution.
//!
//! **Algorithmic (AMP) threshold.** The SE map `G_α(q) = ρ − mmse(α·ĝ(q))` is
//! increasing in `q` and in `α`, so the iteration from `q₀ = 0` stays below any `q̄` with
//! `G_α(q̄) ≤ q̄` and otherwise climbs to `ρ`. Parametrising the fixed points by the
//! conjugate `r` (`q(r) = ρ − mmse(r)`, `α*(r) = r/ĝ(q(r))` solves `G_α(q(r)) = q(r)`),
//!
//! ```text
//! α_alg = sup_{r > 0} r / ĝ(ρ − mmse(r))
//! ```
//!
//! (for compressed sensing `ĝ = 1/mmse` and this is `sup_r r·mmse(r)`, Krzakala et al.
//! 2012). The supremum is located by a scan in `ln r` and golden-section refinement; a
//! supremum approached only as `r → ∞` is a continuous transition and is taken as the
//! limit. `proofs/glm_state_evolution.md` §5.
//!
//! **Information-theoretic threshold.** For a discrete prior and the sign channel, the
//! perfect-recovery free entropy is `−H(P₀)` and `α_IT` is where the uninformed branch's
//! free entropy, followed along the same parametrisation, drops below it (Barbier et al.
//! 2019, Fig. 2: `α_IT ≈ 1.249`, `α_alg ≈ 1.493` for the binary perceptron). For a
//! noiseless channel with a continuous output, both free entropies diverge and the
//! comparison reduces to the sign of `α·c − d(P₀)/2`: `α_IT = d(P₀)/(2c)`
//! (`d(P₀)` for compressed sensing, Wu & Verdú 2012; `2·d(P₀)` for the ReLU).

use super::GlmModel;
use crate::error::{Result, StatphysError};
use crate::glm::{GlmChannel, GlmPrior};
use quadra_core::roots::{brent, BrentSettings};
use serde::Serialize;

/// Range of `ln r` scanned for the supremum: `r ∈ [e^-10, e^40]`; beyond `e^40` every
/// prior has `mmse < 1e-17·ρ`, below `e^-10` `α*(r) ≈ r/ĝ(0) < 1e-4·α*` of any case here.
const LN_R_RANGE: (f64, f64) = (-10.0, 40.0);
/// Scan points in `ln r` (spacing 0.25: the maxima seen are several units wide).
const SCAN_POINTS: usize = 201;
/// Golden-section stops at this width in `ln r`; `α*` is flat at its maximum, so the
/// error in `α_alg` is quadratic in it (`~1e-16`, far below the 1e-4 asked).
const LN_R_TOL: f64 = 1e-8;

/// Perfect-recovery thresholds (`None` where the model has none).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GlmThresholds {
    /// Smallest `α` at which state evolution (AMP) from the uninformed start reaches
    /// perfect recovery.
    pub algorithmic: Option<f64>,
    /// Smallest `α` at which perfect recovery is the Bayes-optimal branch.
    pub information_theoretic: Option<f64>,
    /// `ln r` at the spinodal (the maximiser of `α*(r)`), `None` for a continuous
    /// transition or no threshold.
    #[serde(skip)]
    pub spinodal_ln_r: Option<f64>,
}

/// Whether `q = ρ` is reachable: a noiseless channel, and not the sign channel on a
/// prior with a continuous part (one bit per sample cannot pin a real number).
pub fn perfect_recovery_possible(prior: GlmPrior, channel: GlmChannel) -> bool {
    channel.is_noiseless() && !(channel == GlmChannel::Sign && prior.information_dimension() > 0.0)
}

/// Relative variance `V/ρ` below which `q(r)` is not resolved from `ρ` in floating
/// point well enough to evaluate `ĝ` (its relative rounding is `ε·ρ/V ≈ 2e-6` there).
const RESOLVABLE_VARIANCE: f64 = 1e-10;

/// `(α*(r), q(r))` at `r = e^u`: the `α` for which `q(r)` is a fixed point; `None`
/// where `q(r)` is numerically `ρ`.
fn alpha_star(prior: GlmPrior, channel: GlmChannel, u: f64) -> Result<Option<(f64, f64)>> {
    let r = u.exp();
    let rho = prior.second_moment();
    let v = prior.mmse(r)?;
    if v <= RESOLVABLE_VARIANCE * rho {
        return Ok(None);
    }
    let q = rho - v;
    Ok(Some((r / channel.g_out_sq(q, rho)?, q)))
}

/// The algorithmic and information-theoretic thresholds of `prior × channel`.
pub fn glm_thresholds(prior: GlmPrior, channel: GlmChannel) -> Result<GlmThresholds> {
    prior.validate()?;
    channel.validate()?;
    if !perfect_recovery_possible(prior, channel) {
        return Ok(GlmThresholds {
            algorithmic: None,
            information_theoretic: None,
            spinodal_ln_r: None,
        });
    }
    let (u0, u1) = LN_R_RANGE;
    let h = (u1 - u0) / (SCAN_POINTS - 1) as f64;
    let mut best = (f64::NEG_INFINITY, 0usize);
    let mut values = Vec::with_capacity(SCAN_POINTS);
    for i in 0..SCAN_POINTS {
        match alpha_star(prior, channel, u0 + h * i as f64)? {
            Some((a, _)) => {
                values.push(a);
                if a > best.0 {
                    best = (a, i);
                }
            }
            None => break,
        }
    }
    // A maximum in the interior (strictly above the values at the large-r end of the
    // resolvable range) is a spinodal; refine it. Otherwise α* increases to its r → ∞
    // limit: a continuous transition.
    let n = values.len();
    let tail = values
        .iter()
        .rev()
        .take(8)
        .fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let interior = best.1 > 0 && best.1 + 8 < n && best.0 > tail * (1.0 + 1e-9);
    let (alpha_alg, spinodal) = if interior {
        let (mut a, mut b) = (u0 + h * (best.1 - 1) as f64, u0 + h * (best.1 + 1) as f64);
        let g = 0.5 * (5f64.sqrt() - 1.0);
        let f = |u: f64| -> Result<f64> { Ok(alpha_star(prior, channel, u)?.map_or(0.0, |v| v.0)) };
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut fc, mut fd) = (f(c)?, f(d)?);
        while b - a > LN_R_TOL {
            if fc > fd {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = f(c)?;
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = f(d)?;
            }
        }
        let um = 0.5 * (a + b);
        (f(um)?, Some(um))
    } else {
        (continuous_limit(prior, channel), None)
    };
    let information_theoretic = match (prior.discrete_entropy(), channel) {
        (Some(h), GlmChannel::Sign) => {
            Some(it_by_free_entropy(prior, channel, h, alpha_alg, spinodal)?)
        }
        _ => Some(prior.information_dimension() / (2.0 * channel.output_dimension_weight())),
    };
    Ok(GlmThresholds {
        algorithmic: Some(alpha_alg),
        information_theoretic,
        spinodal_ln_r: spinodal,
    })
}

/// `lim_{r→∞} α*(r)` for a continuous transition: with `V = mmse(r) → 0`,
/// `ĝ ≈ 2c/V` (`c` the output weight) and `r·mmse(r) → d(P₀)`, so `α* → d(P₀)/(2c)`.
fn continuous_limit(prior: GlmPrior, channel: GlmChannel) -> f64 {
    prior.information_dimension() / (2.0 * channel.output_dimension_weight())
}

/// `α_IT` for a discrete prior and the sign channel: the root in `ln r` of
/// `f_RS(α*(r); q(r)) + H(P₀)` on the uninformed branch (`r` below the spinodal).
fn it_by_free_entropy(
    prior: GlmPrior,
    channel: GlmChannel,
    entropy: f64,
    alpha_alg: f64,
    spinodal: Option<f64>,
) -> Result<f64> {
    let Some(u_sp) = spinodal else {
        return Ok(alpha_alg);
    };
    let err: std::cell::RefCell<Option<StatphysError>> = std::cell::RefCell::new(None);
    let gap = |u: f64| -> f64 {
        let run = || -> Result<f64> {
            let Some((a, q)) = alpha_star(prior, channel, u)? else {
                return Ok(-entropy); // not reached: u is below the spinodal
            };
            let model = GlmModel::new(prior, channel, a)?;
            Ok(model.free_entropy_at(q, u.exp())? + entropy)
        };
        match run() {
            Ok(v) => v,
            Err(e) => {
                err.borrow_mut().get_or_insert(e);
                f64::NAN
            }
        }
    };
    let g_sp = gap(u_sp);
    if let Some(e) = err.borrow_mut().take() {
        return Err(e);
    }
    if g_sp >= 0.0 {
        // The uninformed branch stays preferred up to its spinodal.
        return Ok(alpha_alg);
    }
    let settings = BrentSettings::builder()
        .abs_tol(1e-12)
        .rel_tol(1e-12)
        .max_iter(200)
        .build()?;
    let root = brent(gap, LN_R_RANGE.0, u_sp, &settings)?;
    if let Some(e) = err.borrow_mut().take() {
        return Err(e);
    }
    Ok(alpha_star(prior, channel, root.x)?.map_or(alpha_alg, |v| v.0))
}
