//! Combination weights of surrogate models (Yang et al. 2024, adaptive testing of
//! connected and automated vehicles with dense reinforcement learning): given surrogate
//! criticality predictions `F ∈ R^{N×M}` (sample `s`, surrogate `i`), a target `y` and
//! sample weights `w ≥ 0`,
//!
//! ```text
//!   min_α Σ_s w_s (y_s − Σ_i α_i F_{s,i})²   with α ∈ Δ (simplex: α ≥ 0, Σα = 1),
//!                                            α ≥ 0 (NNLS), or α free.
//! ```
//!
//! With `Q = FᵀWF` and `c = FᵀWy` the objective is `αᵀQα − 2cᵀα + yᵀWy`.
//!
//! * **free**: `Qα = c` (Cholesky; collinear surrogates are an error);
//! * **support enumeration** (small `M`): on each support `S` the reduced problem has the
//!   closed form `α_S = Q_SS⁻¹c_S` (NNLS) or `α_S = Q_SS⁻¹(c_S + ν1)`,
//!   `ν = (1 − 1ᵀQ_SS⁻¹c_S)/(1ᵀQ_SS⁻¹1)` (simplex, from the KKT system of the equality);
//!   the optimum is the feasible candidate of least objective (the optimal support is
//!   among the `2^M − 1`);
//! * **active set** (any `M`): the Goldfarb–Idnani dual method of
//!   [`crate::dual_active_set`] on the whitened problem `y = Lᵀα` (`Q = LLᵀ`), whose
//!   constraint Gram matrix is `NᵀQ⁻¹N` for the constraint normals `N` (`e_i`, and `1`
//!   for the simplex equality).

use crate::dual_active_set::{ConstraintGram, DualActiveSet, DualOutcome, DualSettings};
use crate::error::{check_finite, check_len, QpError, Result};

/// The feasible set of the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WeightConstraint {
    /// `α ≥ 0`, `Σα = 1` (the default: a convex combination).
    #[default]
    Simplex,
    /// `α ≥ 0` (nonnegative least squares).
    Nonneg,
    /// No constraint (weighted least squares).
    Free,
}

impl WeightConstraint {
    /// `simplex`, `nonneg` or `free`.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightConstraint::Simplex => "simplex",
            WeightConstraint::Nonneg => "nonneg",
            WeightConstraint::Free => "free",
        }
    }
}

/// How the constrained problem is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SurrogateMethod {
    /// Enumeration for `M ≤` [`ENUMERATION_MAX`], the active-set method above.
    #[default]
    Auto,
    /// All `2^M − 1` supports (`M ≤` [`ENUMERATION_LIMIT`]).
    Enumeration,
    /// The dual active-set method.
    ActiveSet,
    /// The normal equations (only for [`WeightConstraint::Free`]).
    NormalEquations,
}

impl SurrogateMethod {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SurrogateMethod::Auto => "auto",
            SurrogateMethod::Enumeration => "enumeration",
            SurrogateMethod::ActiveSet => "active_set",
            SurrogateMethod::NormalEquations => "normal_equations",
        }
    }
}

/// [`SurrogateMethod::Auto`] enumerates supports up to this many surrogates (4095
/// supports of at most 12×12 systems: well under a millisecond).
pub const ENUMERATION_MAX: usize = 12;
/// Enumeration refuses more surrogates than this (2²⁰ supports).
pub const ENUMERATION_LIMIT: usize = 20;

/// Fitted combination weights.
#[derive(Debug, Clone, PartialEq)]
pub struct SurrogateFit {
    /// The weights `α`.
    pub alpha: Vec<f64>,
    /// `Σ_s w_s (y_s − F_s α)²`, recomputed from the data.
    pub objective: f64,
    /// Largest KKT violation, relative to `1 + ‖FᵀWy‖∞` (gradient) and 1 (feasibility).
    pub kkt_residual: f64,
    /// The method that produced `α`.
    pub method: SurrogateMethod,
}

/// The surrogate data: `F` row-major `N × M`, target `y`, weights `w`.
#[derive(Debug, Clone)]
pub struct SurrogateData {
    n: usize,
    m: usize,
    q: Vec<f64>,
    c: Vec<f64>,
    f: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
}

impl SurrogateData {
    /// Checks shapes, finiteness and weights (≥ 0, not all zero) and forms `Q`, `c`.
    pub fn new(f: &[f64], n: usize, m: usize, y: &[f64], weights: Option<&[f64]>) -> Result<Self> {
        if n == 0 {
            return Err(QpError::Empty("no samples"));
        }
        if m == 0 {
            return Err(QpError::Empty("no surrogate columns"));
        }
        check_len("surrogate matrix F (N × M entries)", n * m, f.len())?;
        check_len("target y (one value per sample)", n, y.len())?;
        check_finite("surrogate matrix F", f)?;
        check_finite("target y", y)?;
        let w = match weights {
            Some(w) => {
                check_len("weights (one per sample)", n, w.len())?;
                check_finite("weights", w)?;
                if let Some(i) = w.iter().position(|&x| x < 0.0) {
                    return Err(QpError::InvalidSetting {
                        name: "weights",
                        value: format!("{} at sample {i}", w[i]),
                        expected: "weights ≥ 0",
                    });
                }
                if w.iter().all(|&x| x == 0.0) {
                    return Err(QpError::Empty("all weights are zero"));
                }
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        let mut q = vec![0.0; m * m];
        let mut c = vec![0.0; m];
        for s in 0..n {
            let row = &f[s * m..(s + 1) * m];
            for i in 0..m {
                let wi = w[s] * row[i];
                c[i] += wi * y[s];
                for j in i..m {
                    q[i * m + j] += wi * row[j];
                }
            }
        }
        for i in 0..m {
            for j in 0..i {
                q[i * m + j] = q[j * m + i];
            }
        }
        Ok(SurrogateData {
            n,
            m,
            q,
            c,
            f: f.to_vec(),
            y: y.to_vec(),
            w,
        })
    }

    /// Number of surrogates `M`.
    pub fn surrogates(&self) -> usize {
        self.m
    }

    /// `Σ_s w_s (y_s − F_s α)²`.
    pub fn objective(&self, alpha: &[f64]) -> f64 {
        (0..self.n)
            .map(|s| {
                let row = &self.f[s * self.m..(s + 1) * self.m];
                let r = self.y[s] - row.iter().zip(alpha).map(|(a, b)| a * b).sum::<f64>();
                self.w[s] * r * r
            })
            .sum()
    }

    fn gradient(&self, alpha: &[f64]) -> Vec<f64> {
        (0..self.m)
            .map(|i| {
                let qa: f64 = (0..self.m).map(|j| self.q[i * self.m + j] * alpha[j]).sum();
                2.0 * (qa - self.c[i])
            })
            .collect()
    }

    /// The KKT residual of `α` for `constraint` (see [`SurrogateFit::kkt_residual`]).
    pub fn kkt_residual(&self, alpha: &[f64], constraint: WeightConstraint) -> f64 {
        let g = self.gradient(alpha);
        let gscale = 1.0 + self.c.iter().fold(0.0f64, |a, &b| a.max(b.abs())) * 2.0;
        let amax = alpha.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        let on = |a: f64| a > 1e-12 * amax.max(1.0);
        match constraint {
            WeightConstraint::Free => g.iter().fold(0.0f64, |a, &b| a.max(b.abs())) / gscale,
            WeightConstraint::Nonneg => {
                let mut r = 0.0f64;
                for (&a, &gi) in alpha.iter().zip(&g) {
                    r = r.max((-a).max(0.0));
                    r = r.max(if on(a) { gi.abs() } else { (-gi).max(0.0) } / gscale);
                }
                r
            }
            WeightConstraint::Simplex => {
                let support: Vec<usize> = (0..self.m).filter(|&i| on(alpha[i])).collect();
                let nu = if support.is_empty() {
                    0.0
                } else {
                    support.iter().map(|&i| g[i]).sum::<f64>() / support.len() as f64
                };
                let mut r = (alpha.iter().sum::<f64>() - 1.0).abs();
                for (i, (&a, &gi)) in alpha.iter().zip(&g).enumerate() {
                    r = r.max((-a).max(0.0));
                    let dev = if support.contains(&i) {
                        (gi - nu).abs()
                    } else {
                        (nu - gi).max(0.0)
                    };
                    r = r.max(dev / gscale);
                }
                r
            }
        }
    }
}

/// Fits the combination weights.
pub fn combine_surrogates(
    data: &SurrogateData,
    constraint: WeightConstraint,
    method: SurrogateMethod,
) -> Result<SurrogateFit> {
    let m = data.m;
    let (alpha, used) = match (constraint, method) {
        (WeightConstraint::Free, _) => {
            let l = cholesky(&data.q, m)?;
            (chol_solve(&l, m, &data.c), SurrogateMethod::NormalEquations)
        }
        (_, SurrogateMethod::Enumeration) => (enumerate(data, constraint)?, method),
        (_, SurrogateMethod::Auto) if m <= ENUMERATION_MAX => {
            (enumerate(data, constraint)?, SurrogateMethod::Enumeration)
        }
        (_, SurrogateMethod::NormalEquations) => {
            return Err(QpError::InvalidSetting {
                name: "method",
                value: "normal_equations".into(),
                expected: "enumeration, active_set or auto for a constrained fit",
            })
        }
        _ => (active_set(data, constraint)?, SurrogateMethod::ActiveSet),
    };
    Ok(SurrogateFit {
        objective: data.objective(&alpha),
        kkt_residual: data.kkt_residual(&alpha, constraint),
        alpha,
        method: used,
    })
}

/// Dense Cholesky `Q = LLᵀ` (row-major `L`); error on a nonpositive pivot.
fn cholesky(q: &[f64], m: usize) -> Result<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    let scale = (0..m).fold(0.0f64, |a, i| a.max(q[i * m + i]));
    for i in 0..m {
        for j in 0..=i {
            let mut s = q[i * m + j];
            for k in 0..j {
                s -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                // Pivots below m·ε·max(Q_ii) are rounding: the Gram matrix is singular.
                if s <= (m as f64) * f64::EPSILON * scale || s <= 0.0 {
                    return Err(QpError::RankDeficient { pivot: i });
                }
                l[i * m + i] = s.sqrt();
            } else {
                l[i * m + j] = s / l[j * m + j];
            }
        }
    }
    Ok(l)
}

fn chol_solve(l: &[f64], m: usize, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    for i in 0..m {
        for k in 0..i {
            x[i] -= l[i * m + k] * x[k];
        }
        x[i] /= l[i * m + i];
    }
    for i in (0..m).rev() {
        for k in i + 1..m {
            x[i] -= l[k * m + i] * x[k];
        }
        x[i] /= l[i * m + i];
    }
    x
}

fn enumerate(data: &SurrogateData, constraint: WeightConstraint) -> Result<Vec<f64>> {
    let m = data.m;
    if m > ENUMERATION_LIMIT {
        return Err(QpError::InvalidSetting {
            name: "method",
            value: format!("enumeration with M = {m}"),
            expected: "at most 20 surrogates for support enumeration (use active_set)",
        });
    }
    let quad = |a: &[f64]| -> f64 {
        let mut v = 0.0;
        for i in 0..m {
            let qa: f64 = (0..m).map(|j| data.q[i * m + j] * a[j]).sum();
            v += a[i] * (qa - 2.0 * data.c[i]);
        }
        v
    };
    let mut best: Option<(f64, Vec<f64>)> = None;
    if constraint == WeightConstraint::Nonneg {
        best = Some((0.0, vec![0.0; m]));
    }
    for mask in 1u32..(1u32 << m) {
        let support: Vec<usize> = (0..m).filter(|&i| mask & (1 << i) != 0).collect();
        let k = support.len();
        let mut qs = vec![0.0; k * k];
        for (a, &i) in support.iter().enumerate() {
            for (b, &j) in support.iter().enumerate() {
                qs[a * k + b] = data.q[i * m + j];
            }
        }
        let Ok(l) = cholesky(&qs, k) else {
            continue;
        };
        let cs: Vec<f64> = support.iter().map(|&i| data.c[i]).collect();
        let xs = match constraint {
            WeightConstraint::Simplex => {
                let u = chol_solve(&l, k, &cs);
                let v = chol_solve(&l, k, &vec![1.0; k]);
                let nu = (1.0 - u.iter().sum::<f64>()) / v.iter().sum::<f64>();
                u.iter()
                    .zip(&v)
                    .map(|(a, b)| a + nu * b)
                    .collect::<Vec<f64>>()
            }
            _ => chol_solve(&l, k, &cs),
        };
        if xs.iter().any(|&x| x < 0.0) {
            continue;
        }
        let mut alpha = vec![0.0; m];
        for (&i, &x) in support.iter().zip(&xs) {
            alpha[i] = x;
        }
        let v = quad(&alpha);
        if best.as_ref().is_none_or(|(b, _)| v < *b) {
            best = Some((v, alpha));
        }
    }
    best.map(|(_, a)| a).ok_or_else(|| {
        QpError::Infeasible(
            "no support gave a feasible point (all reduced Gram matrices singular)".into(),
        )
    })
}

/// Constraint Gram `NᵀQ⁻¹N` of `α_i ≥ 0` (normals `e_i`) and, for the simplex, `1ᵀα = 1`
/// (normal `1`, index `M`).
struct WhitenedGram<'a> {
    qinv: &'a [f64],
    qinv_ones: Vec<f64>,
    ones_qinv_ones: f64,
    m: usize,
    simplex: bool,
}

impl ConstraintGram for WhitenedGram<'_> {
    fn len(&self) -> usize {
        self.m + usize::from(self.simplex)
    }
    fn entry(&self, i: usize, j: usize) -> f64 {
        let m = self.m;
        match (i == m, j == m) {
            (false, false) => self.qinv[i * m + j],
            (true, false) => self.qinv_ones[j],
            (false, true) => self.qinv_ones[i],
            (true, true) => self.ones_qinv_ones,
        }
    }
    fn mul_sparse(&self, terms: &[(usize, f64)], out: &mut [f64]) {
        let m = self.m;
        let mut v = vec![0.0; m];
        for &(k, c) in terms {
            if k == m {
                v.iter_mut().for_each(|x| *x += c);
            } else {
                v[k] += c;
            }
        }
        let u: Vec<f64> = (0..m)
            .map(|i| (0..m).map(|j| self.qinv[i * m + j] * v[j]).sum())
            .collect();
        out[..m].copy_from_slice(&u);
        if self.simplex {
            out[m] = u.iter().sum();
        }
    }
}

fn active_set(data: &SurrogateData, constraint: WeightConstraint) -> Result<Vec<f64>> {
    let m = data.m;
    let l = cholesky(&data.q, m)?;
    let mut qinv = vec![0.0; m * m];
    for j in 0..m {
        let mut e = vec![0.0; m];
        e[j] = 1.0;
        let col = chol_solve(&l, m, &e);
        for i in 0..m {
            qinv[i * m + j] = col[i];
        }
    }
    let alpha0 = chol_solve(&l, m, &data.c);
    let simplex = constraint == WeightConstraint::Simplex;
    let qinv_ones: Vec<f64> = (0..m)
        .map(|i| (0..m).map(|j| qinv[i * m + j]).sum())
        .collect();
    let gram = WhitenedGram {
        qinv: &qinv,
        ones_qinv_ones: qinv_ones.iter().sum(),
        qinv_ones,
        m,
        simplex,
    };
    let mut s0 = alpha0.clone();
    let mut eqs = Vec::new();
    if simplex {
        s0.push(alpha0.iter().sum::<f64>() - 1.0);
        eqs.push(m);
    }
    let energy: f64 = (0..m)
        .map(|i| alpha0[i] * (0..m).map(|j| data.q[i * m + j] * alpha0[j]).sum::<f64>())
        .sum();
    let scale = 1.0 + energy.max(0.0).sqrt();
    let settings = DualSettings::default();
    let mut state = DualActiveSet::new(&gram, &s0, &eqs, scale, settings);
    match state.solve() {
        DualOutcome::Optimal => {}
        DualOutcome::Infeasible(_) => {
            return Err(QpError::Infeasible(
                "the weight constraints have no common point".into(),
            ))
        }
        DualOutcome::IterationLimit => {
            return Err(QpError::IterationLimit {
                max_iter: settings.max_iter,
                active: state.active().len(),
                violation: state.max_violation(),
            })
        }
    }
    let mu = state.multipliers();
    let terms: Vec<(usize, f64)> = mu
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, u)| *u != 0.0)
        .collect();
    let mut dir = vec![0.0; gram.len()];
    gram.mul_sparse(&terms, &mut dir);
    let mut alpha: Vec<f64> = alpha0.iter().zip(&dir).map(|(a, d)| a + d).collect();
    // Active bounds hold exactly.
    for &a in state.active() {
        if a < m {
            alpha[a] = 0.0;
        }
    }
    Ok(alpha)
}
