//! A sampled teacher and data set for GAMP-RIE: `S = S*/√d` with
//! `S* = W*W*ᵀ/√m`, inputs `x_μ ~ N(0, I_d)`, labels
//! `y_μ = ⟨uX_μ, S⟩ + √Δ z_μ`, `uX_μ = (x_μx_μᵀ − I)/√d`.

use quadra_core::rng::{gaussian_matrix, seeded_rng, standard_normal};
use quadra_core::Mat;

/// Teacher, inputs, labels and per-row sensing weights of one instance.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    /// `S = S*/√d` (`d × d`, symmetric).
    pub s_true: Mat<f64>,
    /// Inputs, one row per sample (`n × d`).
    pub x: Mat<f64>,
    /// Labels.
    pub y: Vec<f64>,
    /// `w_μ = ‖uX_μ‖²_F/(d + 1) = (r⁴ − 2r² + d)/(d(d + 1))`, `r² = ‖x_μ‖²`:
    /// the row's squared norm over its mean (`E‖uX‖²_F = d + 1`); the output
    /// variance of row μ is `V·w_μ` (proofs/gamp_rie_state_evolution.md §2).
    pub row_weight: Vec<f64>,
}

impl Instance {
    /// Samples an instance at `(d, κ, α, Δ)` from `seed`: `m = round(κd)`,
    /// `n = round(αd²)` (both at least 1). Parameters are checked by the caller.
    pub fn sample(d: usize, kappa: f64, alpha: f64, delta: f64, seed: u64) -> Self {
        let m = ((kappa * d as f64).round() as usize).max(1);
        let n = ((alpha * (d * d) as f64).round() as usize).max(1);
        let sd = (d as f64).sqrt();
        let mut rng = seeded_rng(seed);
        let w = gaussian_matrix(d, m, &mut rng);
        let s: Mat<f64> = &w * w.transpose() * (1.0 / ((m as f64).sqrt() * sd));
        let s_true = Mat::from_fn(d, d, |i, j| 0.5 * (s[(i, j)] + s[(j, i)]));
        let x = gaussian_matrix(n, d, &mut rng);
        let y = {
            let q = quadratic_forms(&x, &s_true);
            q.into_iter()
                .map(|q| q + delta.sqrt() * standard_normal(&mut rng))
                .collect()
        };
        let df = d as f64;
        let row_weight = (0..n)
            .map(|mu| {
                let r2: f64 = (0..d).map(|j| x[(mu, j)] * x[(mu, j)]).sum();
                (r2 * r2 - 2.0 * r2 + df) / (df * (df + 1.0))
            })
            .collect();
        Instance {
            s_true,
            x,
            y,
            row_weight,
        }
    }

    /// `‖a − S‖²_F/d` (equals `‖a√d − S*‖²_F/d²`, the MMSE normalisation).
    pub fn error(&self, a: &Mat<f64>) -> f64 {
        squared_distance(a, &self.s_true) / self.s_true.nrows() as f64
    }
}

/// `⟨uX_μ, M⟩ = (x_μᵀMx_μ − Tr M)/√d` for every row, with one GEMM `XM`.
pub(crate) fn quadratic_forms(x: &Mat<f64>, m: &Mat<f64>) -> Vec<f64> {
    let d = m.nrows();
    let xm = x * m;
    let tr: f64 = (0..d).map(|i| m[(i, i)]).sum();
    let sd = (d as f64).sqrt();
    (0..x.nrows())
        .map(|mu| {
            let q: f64 = (0..d).map(|j| xm[(mu, j)] * x[(mu, j)]).sum();
            (q - tr) / sd
        })
        .collect()
}

/// `‖a − b‖²_F`.
pub(crate) fn squared_distance(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut s = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            s += (a[(i, j)] - b[(i, j)]).powi(2);
        }
    }
    s
}
