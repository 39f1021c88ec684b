//! Verified positive definiteness: a floating-point computation whose success
//! is a **proof** that `A − m·I ≻ 0`, i.e. `λ_min(A) > m`.
//!
//! # The theorem
//!
//! S. M. Rump, *Verification of positive definiteness*, BIT Numer. Math. 46
//! (2006) 433–452, Theorem 2.3 and Corollary 2.4, in the form machine-checked
//! in Coq by P. Roux (validsdp, `cholesky/cholesky.v`, `th_2_3`,
//! `corollary_2_4`). Let `u = 2⁻⁵³`, `η = 2⁻¹⁰⁷⁴`,
//! `γ_k = k·u/(1 − k·u)`, and let `Ã ∈ 𝔽^{N×N}` be a symmetric floating-point
//! matrix with `2(N+1)u < 1`. Run the floating-point Cholesky algorithm
//!
//! ```text
//! for j = 0..N:  for i = 0..j:  r_ij = fl((ã_ij − r_0i r_0j − … − r_{i−1,i} r_{i−1,j}) / r_ii)
//!                r_jj = fl(√(ã_jj − r_0j² − … − r_{j−1,j}²))
//! ```
//!
//! (sums evaluated left to right, as below). If it **runs to completion**
//! (every `r_jj > 0`, no overflow) then for every `x ≠ 0`
//!
//! ```text
//! xᵀÃx > −|x|ᵀ Δ |x|,   Δ_ij = γ_{min(i,j)+2} d_i d_j + 4η(N + 1 + M),
//! d_j = √((ã_jj + 2jη)/(1 − γ_{j+2})),   M ≥ max_j ã_jj   (0-based j).
//! ```
//!
//! # The bound we use
//!
//! `Δ` is entrywise nonnegative and, since `γ` is increasing,
//! `γ_{min(i,j)+2} ≤ (γ_{i+2} γ_{j+2})^{1/2}`; so `Δ ≤ ggᵀ + κ𝟙𝟙ᵀ` entrywise
//! with `g_j = γ_{j+2}^{1/2} d_j`, `κ = 4η(N+1+M)`, and by monotonicity of the
//! spectral radius on nonnegative matrices
//!
//! ```text
//! |x|ᵀΔ|x| ≤ ρ(Δ)‖x‖² ≤ ρ̄‖x‖²,   ρ̄ := Σ_j γ_{j+2}/(1 − γ_{j+2}) · (ã_jj + 2jη) + 4ηN(N + 1 + M),
//! ```
//!
//! with `γ_k/(1 − γ_k) = k·u/(1 − 2k·u)`. (`ρ̄ ≈ Σ_j (j+2)·u·ã_jj`: the
//! γ_{n+1}·tr(A) of the literature, made precise per row.)
//!
//! # The certificate
//!
//! **Claim.** Let `A ∈ 𝔽^{N×N}` be symmetric, `m ∈ 𝔽`, `D = diag(d_i)` with
//! powers of two `d_i`, and `B = DAD` computed exactly (checked). Let
//! `e_i = m·d_i²`, let `ā_j ≥ b_jj − e_j` and `ρ̄` be computed from
//! `max(ā_j, 0)` (rounded upwards), and let `Ã` agree with `B` off the
//! diagonal with `ã_jj ≤ b_jj − e_j − ρ̄` (rounded downwards). If
//! floating-point Cholesky of `Ã` runs to completion, then `λ_min(A) > m`.
//!
//! *Proof.* Success implies `ã_jj > 0`, and `ã_jj ≤ ā_j`, so the `ρ̄` we
//! computed bounds the one of the theorem for `Ã` (it is increasing in each
//! `ã_jj` and in `M`). For `x ≠ 0`,
//! `xᵀ(B − diag(e))x = xᵀÃx + Σ_j (b_jj − e_j − ã_jj) x_j² ≥ xᵀÃx + ρ̄‖x‖² > 0`.
//! Hence `B − diag(e) = D(A − mI)D ≻ 0`, and by congruence `A − mI ≻ 0`. ∎
//!
//! Every quantity is rounded in the safe direction with
//! [`crate::rounding::up`] / [`down`] (the float beside a round-to-nearest
//! result), so no change of rounding mode is needed. Rust evaluates
//! `s -= r_ki * r_kj` as a rounded product then a rounded difference (it
//! never contracts to FMA) and never reassociates, which is exactly the
//! algorithm of the theorem.
//!
//! # Resolution
//!
//! The test succeeds when `λ_min(A) − m` exceeds roughly `ρ̄` (in the scaled
//! units), about `N²·u·max_j b_jj / 2`: a matrix whose smallest eigenvalue
//! is below that relative level cannot be certified, however exactly it is
//! positive definite. The power-of-two (van der Sluis) scaling `d_i ≈
//! a_ii^{−1/2}` makes the scaled diagonal ≈ 1, so badly scaled but
//! well-conditioned matrices are certified too (as in Rump's INTLAB
//! `isspd`).

use crate::error::{CoreError, Result};
use crate::rounding::{down, mul_pow2_exact, pow2, up, UNDERFLOW_UNIT, UNIT_ROUNDOFF};
use crate::symmetric::{check_finite, check_square, check_symmetric};
use faer::MatRef;

/// Largest exponent magnitude used for the power-of-two scaling: keeps
/// `d_i²` within the normal range (`2^{±1000}`), so it and `m·d_i²` are
/// exact unless `m` itself is extreme.
const MAX_SCALE_EXPONENT: i32 = 500;

/// Number of margins tried by [`verify_positive_definite`] when sharpening
/// the certified lower bound; each try costs one `N³/3` Cholesky.
const SHARPEN_TRIES: usize = 4;

/// A proof that `λ_min(A) > lower_bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdCertificate {
    /// Matrix size.
    pub dim: usize,
    /// Proven strict lower bound: `λ_min(A) > lower_bound`.
    pub lower_bound: f64,
    /// The rounding allowance `ρ̄` subtracted from the (scaled) diagonal.
    pub rounding_allowance: f64,
    /// `ρ̄ / min_i d_i²`: roughly the smallest `λ_min(A) − margin` (in the
    /// units of `A`) that the test can resolve.
    pub resolution: f64,
    /// Whether power-of-two diagonal scaling was applied.
    pub scaled: bool,
}

/// Proves `λ_min(A) > margin` for a symmetric `A` (exact symmetry required:
/// symmetrize first with [`crate::symmetric::symmetrize`] if needed, and the
/// certificate is then about the symmetrized matrix).
///
/// Errors: malformed input ([`CoreError::NotSquare`], [`CoreError::Empty`],
/// [`CoreError::NonFiniteEntry`], [`CoreError::NotSymmetric`],
/// [`CoreError::InvalidParameter`] for a non-finite margin), and
/// [`CoreError::NotVerified`] when the proof does not go through — which
/// happens when `A − margin·I` is not positive definite, and may happen when
/// it is but `λ_min(A) − margin` is below [`PdCertificate::resolution`].
pub fn verify_psd_with_margin(a: MatRef<'_, f64>, margin: f64) -> Result<PdCertificate> {
    let n = check_input(a)?;
    if !margin.is_finite() {
        return Err(CoreError::invalid("margin", margin, "a finite number"));
    }
    attempt(a, n, margin)
}

/// Proves `A ≻ 0` and returns the best certified lower bound on `λ_min(A)`
/// it can find: after the proof with margin 0, it estimates `λ_min` with
/// faer's eigensolver and certifies margins just below the estimate
/// (each attempt is itself rigorous; the estimate only guides the search).
pub fn verify_positive_definite(a: MatRef<'_, f64>) -> Result<PdCertificate> {
    let cert = verify_psd_with_margin(a, 0.0)?;
    let Ok(values) = crate::spectral::symmetric_eigenvalues(a) else {
        return Ok(cert);
    };
    let est = values[0];
    if est.is_nan() || est <= 0.0 {
        return Ok(cert);
    }
    let mut gap = 2.0 * cert.resolution + 64.0 * f64::EPSILON * est;
    for _ in 0..SHARPEN_TRIES {
        let m = est - gap;
        if m <= 0.0 {
            break;
        }
        if let Ok(c) = verify_psd_with_margin(a, m) {
            return Ok(c);
        }
        gap *= 4.0;
    }
    Ok(cert)
}

/// The rounding allowance `ρ̄` of the theorem (module docs) for a matrix of
/// size `diag.len()` whose (shifted) diagonal is bounded above by `diag`:
/// `Σ_j γ_{j+2}/(1 − γ_{j+2})·(max(diag_j,0) + 2jη) + 4ηN(N+1+M)`, rounded
/// upwards. `+∞` if `2(N+1)u ≥ 1`.
pub fn rump_allowance(diag: &[f64]) -> f64 {
    let n = diag.len();
    if 2.0 * (n as f64 + 1.0) * UNIT_ROUNDOFF >= 1.0 {
        return f64::INFINITY;
    }
    let mut sum = 0.0f64;
    let mut max_d = 0.0f64;
    for (j, &dj) in diag.iter().enumerate() {
        let dj = dj.max(0.0);
        max_d = max_d.max(dj);
        let ku = (j + 2) as f64 * UNIT_ROUNDOFF; // exact
        let ratio = up(ku / down(1.0 - 2.0 * ku)); // γ/(1 − γ) = ku/(1 − 2ku)
        let term = up(ratio * up(dj + up(2.0 * j as f64 * UNDERFLOW_UNIT)));
        sum = up(sum + term);
    }
    let nf = n as f64;
    let tail = up(up(4.0 * UNDERFLOW_UNIT * nf) * up(up(nf + 1.0) + max_d));
    up(sum + tail)
}

fn check_input(a: MatRef<'_, f64>) -> Result<usize> {
    let n = check_square(a)?;
    if n == 0 {
        return Err(CoreError::Empty {
            context: "verify_positive_definite",
        });
    }
    check_finite(a)?;
    check_symmetric(a, 0.0)?;
    Ok(n)
}

/// Power-of-two scaling `d_i ≈ a_ii^{−1/2}` and the exactly scaled matrix
/// `B = DAD` (column-major, full), if every diagonal entry is positive and
/// every scaled entry is exact; `None` otherwise.
fn scaled_copy(a: MatRef<'_, f64>, n: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut d = Vec::with_capacity(n);
    for i in 0..n {
        let aii = a[(i, i)];
        if aii <= 0.0 {
            return None;
        }
        let k = -((aii.log2() / 2.0).round() as i32);
        d.push(pow2(k.clamp(-MAX_SCALE_EXPONENT, MAX_SCALE_EXPONENT)));
    }
    let mut b = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..=j {
            let v = mul_pow2_exact(a[(i, j)], d[i]).and_then(|t| mul_pow2_exact(t, d[j]))?;
            b[i + j * n] = v;
        }
    }
    Some((d, b))
}

fn attempt(a: MatRef<'_, f64>, n: usize, margin: f64) -> Result<PdCertificate> {
    let not_verified = |index: usize, allowance: f64| CoreError::NotVerified {
        index,
        margin,
        allowance,
    };
    // A diagonal entry ≤ margin (with margin ≥ 0 so that it is ≤ 0 or small)
    // already bounds λ_min ≤ a_ii ≤ margin: nothing to prove.
    for i in 0..n {
        if a[(i, i)] <= margin {
            return Err(not_verified(i, f64::NAN));
        }
    }
    let (d, b, scaled) = match scaled_copy(a, n) {
        Some((d, b)) => (d, b, true),
        None => {
            let mut b = vec![0.0; n * n];
            for j in 0..n {
                for i in 0..=j {
                    b[i + j * n] = a[(i, j)];
                }
            }
            (vec![1.0; n], b, false)
        }
    };
    // e_j = margin·d_j², enclosed in [e_lo, e_hi].
    let mut e_lo = Vec::with_capacity(n);
    let mut e_hi = Vec::with_capacity(n);
    for &dj in &d {
        let d2 = dj * dj; // exact: a power of two in [2^-1000, 2^1000]
        if margin == 0.0 {
            e_lo.push(0.0);
            e_hi.push(0.0);
        } else {
            let p = margin * d2;
            if !p.is_finite() {
                return Err(not_verified(usize::MAX, f64::NAN));
            }
            e_lo.push(down(p));
            e_hi.push(up(p));
        }
    }
    let a_bar: Vec<f64> = (0..n).map(|j| up(b[j + j * n] - e_lo[j])).collect();
    let rho = rump_allowance(&a_bar);
    if !rho.is_finite() {
        return Err(not_verified(usize::MAX, rho));
    }
    let mut diag = Vec::with_capacity(n);
    for j in 0..n {
        let shift = up(e_hi[j] + rho);
        diag.push(down(b[j + j * n] - shift));
    }
    if let Err(index) = floating_cholesky(&b, &diag, n) {
        return Err(not_verified(index, rho));
    }
    let min_d2 = d.iter().fold(f64::INFINITY, |m, &x| m.min(x * x));
    Ok(PdCertificate {
        dim: n,
        lower_bound: margin,
        rounding_allowance: rho,
        resolution: up(rho / min_d2),
        scaled,
    })
}

/// The floating-point Cholesky algorithm of the theorem on the symmetric
/// matrix with strict upper triangle from `b` (column-major `n×n`) and
/// diagonal `diag`. `Err(j)`: column `j` failed (pivot ≤ 0, NaN, or
/// overflow).
///
/// Only each column's envelope is visited. Let `f_j` be the first row with
/// `b_ij ≠ 0` in column `j` (or `j`). By induction on `i`, the algorithm of
/// the theorem computes `r_ij = 0` exactly for `i < f_j` (every product
/// `r_ki r_kj` with `k < i` has the factor `r_kj = 0`, and `b_ij = 0`), and in
/// every sum the terms with `k < max(f_i, f_j)` are products with an exact
/// zero, which leave the running sum unchanged. Skipping them therefore
/// yields the same values as the full loop, so the theorem applies unchanged;
/// a block-tridiagonal LipSDP matrix costs `O(N·w²)` (`w` its envelope width)
/// instead of `N³/3`.
fn floating_cholesky(b: &[f64], diag: &[f64], n: usize) -> std::result::Result<(), usize> {
    let first = envelope_starts(b, n);
    floating_cholesky_from(b, diag, n, &first).map(|_| ())
}

/// `f_j`: the first row `i ≤ j` of column `j` of the strict upper triangle of
/// `b` with `b_ij ≠ 0` (`j` when there is none).
fn envelope_starts(b: &[f64], n: usize) -> Vec<usize> {
    (0..n)
        .map(|j| (0..j).find(|&i| b[i + j * n] != 0.0).unwrap_or(j))
        .collect()
}

/// [`floating_cholesky`] skipping rows `i < first[j]` of column `j` (the caller
/// guarantees `b_ij = 0` there); returns `R` (column-major, upper triangle).
fn floating_cholesky_from(
    b: &[f64],
    diag: &[f64],
    n: usize,
    first: &[usize],
) -> std::result::Result<Vec<f64>, usize> {
    // r holds R column by column, upper triangle only: r[i + j n] = r_ij.
    let mut r = vec![0.0; n * n];
    for j in 0..n {
        let (done, rest) = r.split_at_mut(j * n);
        let col_j = &mut rest[..n];
        let fj = first[j];
        for i in fj..j {
            let col_i = &done[i * n..i * n + n];
            // s = ((b_ij − r_0i r_0j) − r_1i r_1j) − …, left to right, from the
            // first k where neither factor is an exact zero.
            let k0 = fj.max(first[i]);
            let mut s = b[i + j * n];
            for (rki, rkj) in col_i[k0..i].iter().zip(&col_j[k0..i]) {
                s -= rki * rkj;
            }
            let v = s / col_i[i];
            if !v.is_finite() {
                return Err(j);
            }
            col_j[i] = v;
        }
        let mut s = diag[j];
        for rkj in &col_j[fj..j] {
            s -= rkj * rkj;
        }
        if s.is_nan() || s <= 0.0 || s.is_infinite() {
            return Err(j);
        }
        col_j[j] = s.sqrt();
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symmetric::sym_from_fn;

    #[test]
    fn identity_and_scaled_identity() {
        for n in [1, 2, 5, 30] {
            let a = sym_from_fn(n, |i, j| if i == j { 1.0 } else { 0.0 });
            let c = verify_positive_definite(a.as_ref()).unwrap();
            assert!(c.lower_bound > 0.999 && c.lower_bound < 1.0, "{c:?}");
            assert!(verify_psd_with_margin(a.as_ref(), 0.999).is_ok());
            assert!(verify_psd_with_margin(a.as_ref(), 1.0).is_err());
        }
    }

    #[test]
    fn badly_scaled_diagonal_needs_scaling() {
        let a = sym_from_fn(3, |i, j| if i == j { [1.0, 1e-20, 1e20][i] } else { 0.0 });
        let c = verify_psd_with_margin(a.as_ref(), 0.0).unwrap();
        assert!(c.scaled);
    }

    #[test]
    fn indefinite_and_singular_fail() {
        let a = sym_from_fn(2, |i, j| if i == j { 1.0 } else { 2.0 });
        assert!(matches!(
            verify_positive_definite(a.as_ref()),
            Err(CoreError::NotVerified { index: 1, .. })
        ));
        let s = sym_from_fn(3, |_, _| 1.0);
        assert!(verify_positive_definite(s.as_ref()).is_err());
        let z = sym_from_fn(2, |i, j| if i == j && i == 0 { 1.0 } else { 0.0 });
        assert!(matches!(
            verify_positive_definite(z.as_ref()),
            Err(CoreError::NotVerified { index: 1, .. })
        ));
    }

    /// The envelope-skipping Cholesky computes the same pivots as the full loop
    /// (it skips only products with an exact zero): a banded matrix that is
    /// barely positive definite passes or fails both ways at the same column.
    #[test]
    fn envelope_cholesky_matches_full_loop() {
        let n = 40;
        let mut outcomes = Vec::new();
        for (shift, seed) in [(1.5, 1u64), (0.2, 2), (-0.05, 3), (0.01, 4)] {
            // A banded symmetric matrix with varying band (block-tridiagonal-like).
            let width = |j: usize| 3 + (j * 7 + seed as usize) % 6;
            let mut b = vec![0.0; n * n];
            let mut state = seed.wrapping_mul(0x9E3779B97F4A7C15);
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            };
            for j in 0..n {
                for i in j.saturating_sub(width(j))..j {
                    b[i + j * n] = 0.6 * next();
                }
            }
            let diag: Vec<f64> = (0..n).map(|_| 1.0 + shift).collect();
            let full = floating_cholesky_from(&b, &diag, n, &vec![0; n]);
            let skipped = floating_cholesky_from(&b, &diag, n, &envelope_starts(&b, n));
            // Same failing column, or the same R (zeros compare equal whatever their sign).
            assert_eq!(full, skipped, "shift {shift}");
            outcomes.push(full.is_ok());
            assert!(envelope_starts(&b, n)
                .iter()
                .enumerate()
                .any(|(j, f)| *f + 2 < j));
        }
        assert!(
            outcomes.contains(&true) && outcomes.contains(&false),
            "{outcomes:?}"
        );
        let mut b = vec![0.0; 4];
        b[2] = 2.0;
        assert_eq!(floating_cholesky(&b, &[1.0, 1.0], 2), Err(1));
        assert_eq!(floating_cholesky(&b, &[3.0, 3.0], 2), Ok(()));
    }

    #[test]
    fn allowance_matches_formula() {
        // N = 1, diag 1: ρ̄ ≈ 2u/(1 − 4u) + 8η.
        let r = rump_allowance(&[1.0]);
        let expect = 2.0 * UNIT_ROUNDOFF;
        assert!(r >= expect && r <= expect * (1.0 + 1e-14), "{r}");
    }
}
