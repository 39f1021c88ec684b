//! Exact Euclidean projection onto a quadric level set `{x : xᵀQx + qᵀx = y}`.
//!
//! `min ‖x − z‖²  s.t.  xᵀQx + qᵀx = y`. With `Q = UΛUᵀ`, `w = Uᵀz`, `b = Uᵀq`, stationarity
//! of the Lagrangian gives `xᵢ(μ) = (wᵢ − μbᵢ)/(1 + 2μλᵢ)` in eigen-coordinates, and the global
//! minimiser has `I + 2μQ ⪰ 0` (Moré 1993), i.e. `μ ∈ [μ_lo, μ_hi]`,
//! `μ_lo = −1/(2λ_max)` (if `λ_max > 0`), `μ_hi = −1/(2λ_min)` (if `λ_min < 0`). On that
//! interval `φ(μ) = Σ λᵢxᵢ² + bᵢxᵢ − y` is decreasing,
//! `φ'(μ) = −Σ (2λᵢxᵢ + bᵢ)²/(1 + 2μλᵢ) ≤ 0` (proofs/quadric_projection.md), so the root is
//! bracketed on the side given by the sign of `φ(0) = f(z) − y` and found with
//! quadra-core's Brent. If `φ` keeps its sign up to a finite pole `μ*` (the "hard case":
//! the numerators `wᵢ − μ*bᵢ` vanish on the pole's eigenspace), `μ = μ*`, the other
//! coordinates follow from the formula and the pole coordinates are `w_P + r·u`, `u` a unit
//! eigenvector, `r` fixed by the constraint (the solution is then not unique). If `φ` keeps
//! its sign to an infinite end, the level set is empty.
//!
//! Reference: J. J. Moré, *Generalizations of the trust region problem*, Optim. Methods
//! Softw. 2 (1993) 189–209.

use crate::error::{Result, StatTestError};
use quadra_core::{brent, symmetric_eigen, BrentSettings, Mat};

/// Eigenvalues with `|λ| ≤ EIG_ZERO_FACTOR · ε · n · max|λ|` count as zero when locating
/// poles: the eigen-solver's backward error is of that order.
pub const EIG_ZERO_FACTOR: f64 = 64.0;

/// The projection and its diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The projected point.
    pub x: Vec<f64>,
    /// The Lagrange multiplier `μ`.
    pub multiplier: f64,
    /// `|xᵀQx + qᵀx − y|`.
    pub residual: f64,
    /// Whether the hard case occurred (the nearest point is not unique).
    pub hard_case: bool,
}

/// Projects `z` onto `{x : xᵀQx + qᵀx = y}` (`Q` symmetric `n × n`).
///
/// Errors: shape mismatch, non-finite input, or an empty level set
/// ([`StatTestError::EmptyLevelSet`]).
pub fn project_quadric(q_mat: &Mat<f64>, q: &[f64], y: f64, z: &[f64]) -> Result<Projection> {
    let n = q_mat.nrows();
    if q_mat.ncols() != n || q.len() != n || z.len() != n {
        return Err(StatTestError::DimensionMismatch {
            context: "projection: Q must be n×n and q, z of length n",
            expected: n,
            found: if q_mat.ncols() != n {
                q_mat.ncols()
            } else if q.len() != n {
                q.len()
            } else {
                z.len()
            },
        });
    }
    if !y.is_finite() || q.iter().chain(z).any(|v| !v.is_finite()) {
        return Err(StatTestError::invalid(
            "projection input",
            "non-finite",
            "finite q, y, z",
        ));
    }
    let sym = Mat::from_fn(n, n, |i, j| 0.5 * (q_mat[(i, j)] + q_mat[(j, i)]));
    let eig = symmetric_eigen(sym.as_ref())?;
    let lam = eig.values.clone();
    let u = &eig.vectors;
    let w: Vec<f64> = (0..n)
        .map(|k| (0..n).map(|i| u[(i, k)] * z[i]).sum())
        .collect();
    let b: Vec<f64> = (0..n)
        .map(|k| (0..n).map(|i| u[(i, k)] * q[i]).sum())
        .collect();
    let lmax_abs = lam.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let zero = EIG_ZERO_FACTOR * f64::EPSILON * n as f64 * lmax_abs;
    let xs = |mu: f64| -> Vec<f64> {
        (0..n)
            .map(|i| (w[i] - mu * b[i]) / (1.0 + 2.0 * mu * lam[i]))
            .collect()
    };
    let phi = |mu: f64| -> f64 {
        let x = xs(mu);
        (0..n)
            .map(|i| lam[i] * x[i] * x[i] + b[i] * x[i])
            .sum::<f64>()
            - y
    };
    let to_original = |xe: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| (0..n).map(|k| u[(i, k)] * xe[k]).sum())
            .collect()
    };
    let residual_of = |x: &[f64]| -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..n {
                s += x[i] * sym[(i, j)] * x[j];
            }
            s += q[i] * x[i];
        }
        (s - y).abs()
    };
    let f0 = phi(0.0);
    if f0 == 0.0 {
        return Ok(Projection {
            x: z.to_vec(),
            multiplier: 0.0,
            residual: residual_of(z),
            hard_case: false,
        });
    }
    // φ decreasing: f0 > 0 → root at μ > 0 (towards the pole of λ_min < 0); else μ < 0.
    let dir = if f0 > 0.0 { 1.0 } else { -1.0 };
    let pole_lambda = if dir > 0.0 {
        lam.iter().copied().fold(f64::INFINITY, f64::min)
    } else {
        lam.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    };
    let finite_pole = dir * pole_lambda < -zero;
    let settings = BrentSettings::builder().build()?;
    let mut prev: f64 = 0.0;
    if finite_pole {
        let pole = -1.0 / (2.0 * pole_lambda);
        for k in 1..=60 {
            let mu = pole - dir * pole.abs() * 0.5f64.powi(k);
            let v = phi(mu);
            if v.is_finite() && v * f0 <= 0.0 {
                let root = brent(phi, prev.min(mu), prev.max(mu), &settings)?;
                let x = to_original(&xs(root.x));
                let residual = residual_of(&x);
                return Ok(Projection {
                    x,
                    multiplier: root.x,
                    residual,
                    hard_case: false,
                });
            }
            prev = mu;
        }
        // Hard case: μ = pole; pole coordinates w_P + r·u.
        let tol_p = (pole_lambda.abs() * 1e-9).max(zero);
        let in_pole: Vec<bool> = lam
            .iter()
            .map(|l| (l - pole_lambda).abs() <= tol_p)
            .collect();
        let mut xe = vec![0.0; n];
        let mut c = y;
        let mut wp2 = 0.0;
        for i in 0..n {
            if in_pole[i] {
                xe[i] = w[i];
                wp2 += w[i] * w[i];
            } else {
                xe[i] = (w[i] - pole * b[i]) / (1.0 + 2.0 * pole * lam[i]);
                c -= lam[i] * xe[i] * xe[i] + b[i] * xe[i];
            }
        }
        // λ*‖x_P‖² + b_P·x_P = λ*‖x_P − w_P‖² − λ*‖w_P‖² (since b_P = −2λ* w_P at the pole).
        let r2 = ((c + pole_lambda * wp2) / pole_lambda).max(0.0);
        let first = in_pole.iter().position(|&p| p).unwrap_or(0);
        xe[first] += r2.sqrt();
        let x = to_original(&xe);
        let residual = residual_of(&x);
        return Ok(Projection {
            x,
            multiplier: pole,
            residual,
            hard_case: true,
        });
    }
    // Infinite end: expand geometrically.
    for k in -20..=200 {
        let mu = dir * 2f64.powi(k);
        let v = phi(mu);
        if !v.is_finite() {
            break;
        }
        if v * f0 <= 0.0 {
            let root = brent(phi, prev.min(mu), prev.max(mu), &settings)?;
            let x = to_original(&xs(root.x));
            let residual = residual_of(&x);
            return Ok(Projection {
                x,
                multiplier: root.x,
                residual,
                hard_case: false,
            });
        }
        prev = mu;
    }
    // y equals the extreme value of f on this side (e.g. y = min f for Q ⪰ 0): the level
    // set is the set of extremisers, reached as μ → ±∞: xᵢ = −bᵢ/(2λᵢ) for λᵢ ≠ 0 and
    // xᵢ = wᵢ where λᵢ = 0 (then bᵢ must vanish).
    let flat_ok = (0..n).all(|i| lam[i].abs() > zero || b[i].abs() <= zero.max(f64::EPSILON));
    if flat_ok {
        let xe: Vec<f64> = (0..n)
            .map(|i| {
                if lam[i].abs() > zero {
                    -b[i] / (2.0 * lam[i])
                } else {
                    w[i]
                }
            })
            .collect();
        let x = to_original(&xe);
        let residual = residual_of(&x);
        if residual <= LIMIT_RESIDUAL_FACTOR * f64::EPSILON * (1.0 + y.abs() + lmax_abs) {
            return Ok(Projection {
                x,
                multiplier: dir * f64::INFINITY,
                residual,
                hard_case: false,
            });
        }
    }
    Err(StatTestError::EmptyLevelSet { y })
}

/// The limit point (μ → ±∞) is accepted when its residual is within this many ε of the data's
/// scale: it is then the exact extremiser set, up to rounding.
pub const LIMIT_RESIDUAL_FACTOR: f64 = 1024.0;

/// The range `{xᵀQx + qᵀx : x ∈ ℝⁿ}` as `(lo, hi)` (infinite ends as `±∞`).
///
/// In eigen-coordinates `f = Σ λᵢξᵢ² + bᵢξᵢ`, `b = Uᵀq`. Completing the square, each term with
/// `λᵢ ≠ 0` has the one-sided range `[−bᵢ²/(4λᵢ), ∞)` (`λᵢ > 0`) or `(−∞, −bᵢ²/(4λᵢ)]`
/// (`λᵢ < 0`), and a term with `λᵢ = 0 ≠ bᵢ` takes every real value. So `f` is bounded below
/// iff `Q ⪰ 0` and `b` vanishes on its kernel, with `min f = −Σ_{λᵢ>0} bᵢ²/(4λᵢ)`; bounded
/// above in the mirror case; otherwise onto `ℝ` (proofs/quadric_projection.md, § Range;
/// checked by `level_range_closed_forms`). Eigenvalues and coefficients within
/// [`EIG_ZERO_FACTOR`]`·ε·n` of the largest count as zero.
pub fn level_range(q_mat: &Mat<f64>, q: &[f64]) -> Result<(f64, f64)> {
    let n = q_mat.nrows();
    if q_mat.ncols() != n || q.len() != n {
        return Err(StatTestError::DimensionMismatch {
            context: "level range: Q must be n×n and q of length n",
            expected: n,
            found: if q_mat.ncols() != n {
                q_mat.ncols()
            } else {
                q.len()
            },
        });
    }
    let sym = Mat::from_fn(n, n, |i, j| 0.5 * (q_mat[(i, j)] + q_mat[(j, i)]));
    let eig = symmetric_eigen(sym.as_ref())?;
    let lam = &eig.values;
    let u = &eig.vectors;
    let b: Vec<f64> = (0..n)
        .map(|k| (0..n).map(|i| u[(i, k)] * q[i]).sum())
        .collect();
    let tol = |m: f64| EIG_ZERO_FACTOR * f64::EPSILON * n as f64 * m;
    let lam_zero = tol(lam.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    let b_zero = tol(q.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    let (mut lo, mut hi) = (0.0, 0.0);
    let (mut below, mut above) = (true, true);
    for (l, bi) in lam.iter().zip(&b) {
        if *l > lam_zero {
            lo -= bi * bi / (4.0 * l);
            above = false;
        } else if *l < -lam_zero {
            hi -= bi * bi / (4.0 * l);
            below = false;
        } else if bi.abs() > b_zero {
            below = false;
            above = false;
        }
    }
    Ok(match (below, above) {
        (true, true) => (0.0, 0.0),
        (true, false) => (lo, f64::INFINITY),
        (false, true) => (f64::NEG_INFINITY, hi),
        (false, false) => (f64::NEG_INFINITY, f64::INFINITY),
    })
}
