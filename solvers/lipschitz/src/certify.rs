//! Turning a solver's multipliers into a verified bound.
//!
//! The solver's objective is never reported. With the multipliers `τ` held fixed, the
//! smallest objective variables making `F ⪰ 0` are recomputed by a Schur complement on
//! the input block (`proofs/lipschitz_certificate.md`):
//!
//! ```text
//!   G = F(0, τ) = [[G_xx, G_xh], [G_hx, G_hh]],   G_hh ≻ 0,
//!   K = G_xh G_hh⁻¹ G_hx − G_xx,
//!   ℓ2:  ρ = λ_max(K);      ℓ∞:  λ ← c·λ_solver with c = λ_max(Λ^{-1/2} K Λ^{-1/2}),
//! ```
//!
//! padded slightly, and then `F(objective, τ) ⪰ 0` is *proven* with quadra-core's
//! Rump test, with a margin covering (i) the rounding of assembling `F` in floating
//! point and (ii) the rounding committed when the signal graph was computed from the
//! weights. Only then is `√objective` a bound.

use quadra_conic::lmi::{CoefMatrix, LmiBlock, VarDomain};
use quadra_core::rounding::{frobenius_upper, gamma, up};
use quadra_core::{cholesky, lambda_max, verify_psd_with_margin, Mat};

use crate::program::LipProgram;
use crate::{LipschitzError, Norm, Result};

/// Relative pads tried on the recomputed objective, smallest first. The first is far
/// above rounding (1e-16) and far below any digit people read.
const PADS: [f64; 5] = [1e-10, 1e-8, 1e-6, 1e-4, 1e-2];

/// A multiplier vector whose LMI was proven positive semidefinite.
#[derive(Debug, Clone)]
pub struct Certified {
    /// The multipliers with the recomputed objective variables.
    pub y: Vec<f64>,
    /// The proven objective value (ρ, or Σλ for ℓ∞), rounded upwards.
    pub objective: f64,
    /// The margin the proof used (rounding allowance of assembly and graph).
    pub margin: f64,
    /// Proven `λ_min(F) >` this value (≥ margin).
    pub lambda_min_lower: f64,
}

/// Entrywise `|F₀| + Σ|yᵢ||Fᵢ|` (with `|s| |w| |w|ᵀ` for rank-one terms) and the largest
/// number of contributions to one entry.
fn abs_eval(block: &LmiBlock, y: &[f64]) -> (Mat<f64>, usize) {
    let n = block.dim;
    let mut m = Mat::zeros(n, n);
    let mut count = 0usize;
    let mut add = |c: &CoefMatrix, scale: f64, m: &mut Mat<f64>| match c {
        CoefMatrix::LowRank(terms) => {
            count += terms.len();
            for (s, w) in terms {
                for (i, a) in w.iter() {
                    for (j, b) in w.iter() {
                        m[(i, j)] += scale * (s * a * b).abs();
                    }
                }
            }
        }
        CoefMatrix::Sparse(e) => {
            count += e.len();
            for &(i, j, a) in e {
                m[(i, j)] += scale * a.abs();
                if i != j {
                    m[(j, i)] += scale * a.abs();
                }
            }
        }
        CoefMatrix::Dense(d) => {
            count += 1;
            for j in 0..n {
                for i in 0..n {
                    m[(i, j)] += scale * d[(i, j)].abs();
                }
            }
        }
    };
    add(&block.constant, 1.0, &mut m);
    for (i, c) in &block.terms {
        if y[*i] != 0.0 {
            add(c, y[*i].abs(), &mut m);
        }
    }
    (m, count)
}

/// The rounding allowance for `F(y)`: assembly (`γ_{k+4}‖|F|‖_F`) plus the graph error.
fn allowance(prog: &LipProgram, y: &[f64]) -> f64 {
    let block = &prog.problem.blocks[0];
    let (abs, count) = abs_eval(block, y);
    let n = abs.nrows();
    let entries: Vec<f64> = (0..n)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| abs[(i, j)])
        .collect();
    let assembly = up(gamma(count + 4) * frobenius_upper(entries.iter().copied()));
    let graph = prog.constant_error
        + y.iter()
            .zip(&prog.coef_errors)
            .map(|(a, e)| a.abs() * e)
            .sum::<f64>();
    up(up(assembly + graph) * (1.0 + 1e-12))
}

/// Recomputes the objective variables from the multipliers and proves the LMI.
pub fn certify(prog: &LipProgram, y_solver: &[f64]) -> Result<Certified> {
    let p = &prog.problem;
    if y_solver.len() != p.num_vars() {
        return Err(LipschitzError::BadCertificate(format!(
            "{} multipliers given, the program has {}",
            y_solver.len(),
            p.num_vars()
        )));
    }
    if let Some(i) = y_solver.iter().position(|a| !a.is_finite()) {
        return Err(LipschitzError::BadCertificate(format!(
            "multiplier {i} is not finite"
        )));
    }
    // Clamp sign-restricted multipliers into their domain (solvers return −1e-12).
    let y: Vec<f64> = y_solver
        .iter()
        .zip(&p.domains)
        .map(|(&a, d)| {
            if *d == VarDomain::Nonneg {
                a.max(0.0)
            } else {
                a
            }
        })
        .collect();
    // The multipliers as given, then scaled up slightly: F_hh(λτ) = λF_hh(τ) + (λ−1)CᵀC_hh
    // on the hidden block (the constant is −CᵀC), so λ > 1 lifts a hidden block that
    // the multipliers leave singular (ECLipsE-Fast's point is exactly singular there) at
    // a relative cost of about λ − 1 in the bound.
    let attempt = |lambda: f64| {
        let mut scaled = y.clone();
        scaled[prog.objective_vars..]
            .iter_mut()
            .for_each(|a| *a *= lambda);
        certify_clamped(prog, scaled)
    };
    MULTIPLIER_SCALES
        .iter()
        .fold(attempt(1.0), |result, &lambda| {
            result.or_else(|_| attempt(lambda))
        })
}

/// Scales tried on the multipliers (not the objective variables) after the multipliers
/// as given, smallest first.
const MULTIPLIER_SCALES: [f64; 2] = [1.0 + 1e-8, 1.0 + 1e-5];

/// [`certify`] for multipliers already inside their sign domains.
fn certify_clamped(prog: &LipProgram, mut y: Vec<f64>) -> Result<Certified> {
    let p = &prog.problem;
    let nobj = prog.objective_vars;
    let n0 = prog.input_dim;
    let block = &p.blocks[0];
    let n = block.dim;
    let solver_obj: Vec<f64> = y[..nobj].to_vec();
    y[..nobj].iter_mut().for_each(|a| *a = 0.0);
    let g = block.eval(&y);
    let k = if n > n0 {
        let ghh = g.submatrix(n0, n0, n - n0, n - n0).to_owned();
        let chol = cholesky(ghh.as_ref()).map_err(|e| {
            LipschitzError::NotCertified(format!(
                "the multipliers do not make the hidden block positive definite ({e})"
            ))
        })?;
        let ghx = g.submatrix(n0, 0, n - n0, n0).to_owned();
        let s = chol.solve(ghx.as_ref())?;
        let mut k = ghx.transpose() * &s;
        for j in 0..n0 {
            for i in 0..n0 {
                k[(i, j)] -= g[(i, j)];
            }
        }
        // Symmetrise exactly.
        for j in 0..n0 {
            for i in 0..j {
                let a = 0.5 * (k[(i, j)] + k[(j, i)]);
                k[(i, j)] = a;
                k[(j, i)] = a;
            }
        }
        k
    } else {
        Mat::from_fn(n0, n0, |i, j| -g[(i, j)])
    };
    let base: Vec<f64> = match prog.norm {
        Norm::L2 => vec![lambda_max(k.as_ref())?.upper.max(0.0)],
        Norm::Linf => {
            let scale = solver_obj
                .iter()
                .fold(0.0f64, |m, a| m.max(a.abs()))
                .max(1e-300);
            let d: Vec<f64> = solver_obj.iter().map(|a| a.max(1e-9 * scale)).collect();
            let ks = Mat::from_fn(n0, n0, |i, j| k[(i, j)] / (d[i] * d[j]).sqrt());
            let c = lambda_max(ks.as_ref())?.upper.max(0.0);
            d.iter().map(|a| a * c).collect()
        }
    };
    let size = base.iter().fold(0.0f64, |m, a| m.max(*a)).max(1e-300);
    let mut last_err = String::new();
    for pad in PADS {
        let mut yy = y.clone();
        for (i, b) in base.iter().enumerate() {
            yy[i] = up(b * (1.0 + pad) + pad * 1e-6 * size);
        }
        let f = block.eval(&yy);
        let margin = allowance(prog, &yy);
        match verify_psd_with_margin(f.as_ref(), margin) {
            Ok(cert) => {
                let objective = yy[..nobj].iter().fold(0.0, |s, a| up(s + a));
                return Ok(Certified {
                    y: yy,
                    objective,
                    margin,
                    lambda_min_lower: cert.lower_bound,
                });
            }
            Err(e) => last_err = e.to_string(),
        }
    }
    Err(LipschitzError::NotCertified(format!(
        "the LMI could not be proven positive semidefinite even with a 1% pad: {last_err}"
    )))
}

/// Proves the LMI at a given multiplier vector without recomputing anything (what
/// `quadra verify` does); returns the proven `λ_min` lower bound.
pub fn check(prog: &LipProgram, y: &[f64]) -> Result<f64> {
    let p = &prog.problem;
    if y.len() != p.num_vars() {
        return Err(LipschitzError::BadCertificate(format!(
            "{} multipliers given, the program has {}",
            y.len(),
            p.num_vars()
        )));
    }
    for (i, (a, d)) in y.iter().zip(&p.domains).enumerate() {
        if !a.is_finite() || (*d == VarDomain::Nonneg && *a < 0.0) {
            return Err(LipschitzError::BadCertificate(format!(
                "multiplier {i} = {a} violates its sign restriction"
            )));
        }
    }
    let f = p.blocks[0].eval(y);
    let margin = allowance(prog, y);
    let cert = verify_psd_with_margin(f.as_ref(), margin)
        .map_err(|e| LipschitzError::NotCertified(e.to_string()))?;
    Ok(cert.lower_bound)
}
