//! Rotationally invariant estimator (RIE) for `Y = S + √t·W`, `W` a GOE with
//! semicircle on `[−2, 2]` and `S` with spectrum `ν_κ`: keep the eigenvectors of
//! `Y`, map each eigenvalue `λ ↦ λ − 2t·Re G_{μ_t}(λ)` (Bun–Bouchaud–Potters 2017,
//! the Tweedie-type formula for additive rotational-invariant noise). Its
//! asymptotic error per `(1/d)‖·‖²_F` is `mmse_den(t)`.

use crate::error::{check_positive, Result};
use crate::freeconv::FreeConvolution;
use quadra_core::{spectral::symmetric_eigen, Mat, MatRef};

/// Applies the RIE with noise variance `t` and prior `ν_κ` to the symmetric `y`.
/// Errors: invalid `κ`, `t`; non-square, non-finite or non-symmetric `y`.
pub fn rie_denoise(y: MatRef<'_, f64>, kappa: f64, t: f64) -> Result<Mat<f64>> {
    check_positive("kappa", kappa)?;
    check_positive("t", t)?;
    let fc = FreeConvolution::new(kappa, t)?;
    rie_denoise_with(y, &fc)
}

/// [`rie_denoise`] with a prepared [`FreeConvolution`].
pub fn rie_denoise_with(y: MatRef<'_, f64>, fc: &FreeConvolution) -> Result<Mat<f64>> {
    quadra_core::symmetric::check_symmetric(y, quadra_core::SYMMETRY_TOL)?;
    let eig = symmetric_eigen(y)?;
    let n = eig.values.len();
    let xi: Vec<f64> = eig.values.iter().map(|&l| fc.rie_shrink(l)).collect();
    let v = &eig.vectors;
    let mut vs = v.clone();
    for j in 0..n {
        for i in 0..n {
            vs[(i, j)] *= xi[j];
        }
    }
    let out = &vs * v.transpose();
    Ok(quadra_core::symmetric::symmetrize(out.as_ref())?)
}
