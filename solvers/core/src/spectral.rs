//! Symmetric eigendecomposition with rigorous a-posteriori error bounds,
//! extreme eigenvalues as guaranteed intervals, and the spectral norm.
//!
//! # What is bounded
//!
//! For a square input `A` the decomposition is of its symmetric part
//! `S = (A + Aᵀ)/2` (equal to `A` when `A` is symmetric; an input whose
//! asymmetry exceeds [`SYMMETRY_TOL`] relative to its largest entry is
//! rejected as a likely bug). faer's self-adjoint solver returns
//! `λ̂₁ ≤ … ≤ λ̂ₙ` and `V̂`. We then bound, **rigorously** (every rounding of
//! the checking computation included, see [`crate::rounding`]):
//!
//! * the backward error `ε ≥ ‖S − V̂Λ̂V̂ᵀ‖₂`,
//! * the orthogonality defect `δ ≥ ‖V̂ᵀV̂ − I‖₂`,
//! * per pair, `r_i ≥ ‖S v̂_i − λ̂_i v̂_i‖₂ / ‖v̂_i‖₂`.
//!
//! # Theorems used
//!
//! **Ordered bound** (used for [`SymmetricEigen::bound`], [`lambda_max`],
//! [`lambda_min`]). If `δ < 1` then for every `k` (eigenvalues in ascending
//! order)
//!
//! ```text
//! |λ_k(S) − λ̂_k| ≤ δ·|λ̂_k| + ε.
//! ```
//!
//! *Derivation.* Write `S = V̂Λ̂V̂ᵀ + E`; `E` is symmetric with `‖E‖₂ ≤ ε`.
//! Weyl's inequality (Horn & Johnson, *Matrix Analysis*, 2nd ed., Thm 4.3.1)
//! gives `|λ_k(S) − λ_k(V̂Λ̂V̂ᵀ)| ≤ ‖E‖₂`. Since `δ < 1`, `V̂` is nonsingular
//! and Ostrowski's theorem (ibid., Thm 4.5.9) gives
//! `λ_k(V̂Λ̂V̂ᵀ) = θ_k λ̂_k` with `θ_k ∈ [σ_min(V̂)², σ_max(V̂)²]`. The squared
//! singular values of `V̂` are the eigenvalues of `V̂ᵀV̂ = I + F`, which lie in
//! `[1 − ‖F‖₂, 1 + ‖F‖₂] ⊂ [1 − δ, 1 + δ]`. Hence
//! `|λ_k(V̂Λ̂V̂ᵀ) − λ̂_k| = |θ_k − 1|·|λ̂_k| ≤ δ|λ̂_k|`, and the triangle
//! inequality finishes the proof. ∎
//!
//! **Per-pair bound** (Krylov–Bogoliubov / Bauer–Fike for normal matrices;
//! Parlett, *The Symmetric Eigenvalue Problem*, Thm 4.5.1): for any `μ` and
//! `v ≠ 0` some eigenvalue `λ` of `S` satisfies `|λ − μ| ≤ ‖Sv − μv‖₂/‖v‖₂`.
//! This says *some* eigenvalue is near `λ̂_i`, not which one; it is often
//! tighter for well-separated eigenvalues.
//!
//! # How the norms are bounded in floating point
//!
//! `Ê = fl(S − fl(fl(V̂Λ̂)V̂ᵀ))` differs from the exact `E` entrywise by at most
//! `γ_{n+1}(|V̂||Λ̂||V̂|ᵀ)_ij + u|Ê_ij|/(1 − u)` (Higham, *Accuracy and
//! Stability*, Lemma 3.1 / §3.5: a product of inner dimension `n` errs by
//! `γ_n|X||Y|` in any summation order, fused or not). Thus
//! `‖E‖₂ ≤ (1 + 2u)‖Ê‖_F + γ_{n+1} ρ(|V̂||Λ̂||V̂|ᵀ)` plus an underflow term,
//! and likewise `‖F‖₂ ≤ (1 + 2u)‖F̂‖_F + γ_{n+1} ρ(|V̂|ᵀ|V̂|)`. The spectral
//! radius of a nonnegative matrix `B` is bounded with the Collatz–Wielandt
//! inequality `ρ(B) ≤ max_i (Bx)_i / x_i` for any `x > 0` (because
//! `ρ(B) = ρ(D⁻¹BD) ≤ ‖D⁻¹BD‖_∞` with `D = diag(x)`), with `x` from a few
//! power iterations. Frobenius norms are bounded by
//! [`crate::rounding::frobenius_upper`]. The symmetrisation `fl((a_ij + a_ji)/2)`
//! adds at most `u‖S‖_F` (plus underflow), included in `ε`.
//!
//! Assumptions: IEEE binary64 in round-to-nearest (Rust's semantics) and
//! faer's products computed as sums of products (no Strassen-type
//! algorithms), which holds for faer 0.24's `matmul`.

use crate::error::{CoreError, Result};
use crate::rounding::{down, frobenius_upper, gamma, up, UNDERFLOW_UNIT, UNIT_ROUNDOFF};
use crate::symmetric::{check_finite, check_square, check_symmetric, symmetrize, SYMMETRY_TOL};
use faer::{Mat, MatRef, Side};

/// Power-iteration steps used to choose the Collatz–Wielandt vector. Any
/// positive vector gives a valid bound; a dozen steps make it tight to a few
/// percent for the nearly-rank-structured `|V̂||Λ̂||V̂|ᵀ`, and the bound only
/// enters multiplied by γ_{n+1}.
const COLLATZ_STEPS: usize = 12;

/// A computed eigenvalue (or singular value) with a guaranteed enclosure
/// `lower ≤ true value ≤ upper`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EigenBound {
    /// The computed value.
    pub value: f64,
    /// Guaranteed lower bound of the true value.
    pub lower: f64,
    /// Guaranteed upper bound of the true value.
    pub upper: f64,
}

impl EigenBound {
    /// Half-width of the enclosure, `max(value − lower, upper − value)`.
    pub fn radius(&self) -> f64 {
        (self.value - self.lower).max(self.upper - self.value)
    }

    /// Whether `x` lies in `[lower, upper]`.
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
}

/// Eigendecomposition `S ≈ V̂Λ̂V̂ᵀ` of a symmetric matrix with rigorous error
/// bounds (see the module docs for the theorems).
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    /// Computed eigenvalues λ̂, ascending.
    pub values: Vec<f64>,
    /// Computed eigenvectors, column `k` for `values[k]`.
    pub vectors: Mat<f64>,
    /// `pair_residuals[k] ≥ ‖S v̂_k − λ̂_k v̂_k‖₂/‖v̂_k‖₂`: some eigenvalue of
    /// `S` lies within it of `λ̂_k`.
    pub pair_residuals: Vec<f64>,
    /// `δ ≥ ‖V̂ᵀV̂ − I‖₂`.
    pub orthogonality_defect: f64,
    /// `ε ≥ ‖S − V̂Λ̂V̂ᵀ‖₂`.
    pub backward_error: f64,
    /// `max_k bound(k)`: every `λ_k(S)` is within it of `λ̂_k`.
    pub residual_bound: f64,
}

impl SymmetricEigen {
    /// Matrix size.
    pub fn dim(&self) -> usize {
        self.values.len()
    }

    /// Guaranteed `|λ_k(S) − λ̂_k| ≤ δ|λ̂_k| + ε` (k-th smallest, 0-based);
    /// `+∞` if `δ ≥ 1`. Panics if `k ≥ dim()` (index misuse).
    pub fn bound(&self, k: usize) -> f64 {
        let d = self.orthogonality_defect;
        if d >= 1.0 || d.is_nan() {
            return f64::INFINITY;
        }
        up(up(d * self.values[k].abs()) + self.backward_error)
    }

    /// Guaranteed enclosure of the k-th smallest eigenvalue of `S`. Panics
    /// if `k ≥ dim()`.
    pub fn enclosure(&self, k: usize) -> EigenBound {
        let b = self.bound(k);
        let v = self.values[k];
        EigenBound {
            value: v,
            lower: down(v - b),
            upper: up(v + b),
        }
    }

    /// Enclosure of λ_max(S). Panics on an empty decomposition (impossible
    /// through [`symmetric_eigen`], which rejects empty input).
    pub fn max(&self) -> EigenBound {
        self.enclosure(self.dim() - 1)
    }

    /// Enclosure of λ_min(S).
    pub fn min(&self) -> EigenBound {
        self.enclosure(0)
    }
}

/// Checks shared by the symmetric entry points: square, non-empty, finite,
/// symmetric within [`SYMMETRY_TOL`]. Returns `n`.
fn check_symmetric_input(a: MatRef<'_, f64>, context: &'static str) -> Result<usize> {
    let n = check_square(a)?;
    if n == 0 {
        return Err(CoreError::Empty { context });
    }
    check_finite(a)?;
    check_symmetric(a, SYMMETRY_TOL)?;
    Ok(n)
}

/// Eigenvalues of the symmetric part of `a`, ascending, without bounds.
pub fn symmetric_eigenvalues(a: MatRef<'_, f64>) -> Result<Vec<f64>> {
    check_symmetric_input(a, "symmetric_eigenvalues")?;
    let s = symmetrize(a)?;
    let mut values =
        s.self_adjoint_eigenvalues(Side::Lower)
            .map_err(|_| CoreError::NoConvergence {
                context: "symmetric_eigenvalues",
            })?;
    if let Some((k, &v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(CoreError::NonFinite {
            context: "symmetric_eigenvalues: eigenvalue",
            index: k,
            value: v,
        });
    }
    values.sort_by(f64::total_cmp);
    Ok(values)
}

/// Eigendecomposition of the symmetric part of `a` with rigorous bounds.
///
/// Cost: the dense eigensolver plus three `n³` products (`V̂Λ̂V̂ᵀ`, `V̂ᵀV̂`,
/// `SV̂`) and `O(n²)` Collatz iterations.
pub fn symmetric_eigen(a: MatRef<'_, f64>) -> Result<SymmetricEigen> {
    let n = check_symmetric_input(a, "symmetric_eigen")?;
    // Exactly symmetric input is used as is; otherwise the rounding of
    // fl((a_ij + a_ji)/2) enters the bounds (term `sym_err` below).
    let exactly_symmetric = check_symmetric(a, 0.0).is_ok();
    let s = symmetrize(a)?;
    let evd = s
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| CoreError::NoConvergence {
            context: "symmetric_eigen",
        })?;
    let raw: Vec<f64> = (0..n).map(|k| evd.S().column_vector()[k]).collect();
    // faer returns nondecreasing order; sort anyway (stable permutation).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| raw[i].total_cmp(&raw[j]));
    let values: Vec<f64> = order.iter().map(|&k| raw[k]).collect();
    let u = evd.U();
    let vectors = Mat::from_fn(n, n, |i, j| u[(i, order[j])]);
    if let Some((k, &v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(CoreError::NonFinite {
            context: "symmetric_eigen: eigenvalue",
            index: k,
            value: v,
        });
    }
    check_finite(vectors.as_ref())?;

    let nf = n as f64;
    let g = gamma(n + 1);
    let lam_max_abs = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let v_max_abs = crate::symmetric::max_abs(vectors.as_ref());
    // Underflow slack: a product of inner dimension n whose factors are
    // bounded by vmax and (1 + L) has n products each erring by ≤ η when they
    // underflow; a few such stages, with the Collatz vector bounded by 1.
    let uf = up(4.0
        * (nf + 2.0)
        * (nf + 2.0)
        * (1.0 + lam_max_abs)
        * (1.0 + v_max_abs)
        * UNDERFLOW_UNIT);

    // --- backward error ε ≥ ‖S − VΛVᵀ‖₂ ------------------------------------
    let mut vl = vectors.clone();
    for (j, &l) in values.iter().enumerate() {
        for x in vl.col_as_slice_mut(j) {
            *x *= l;
        }
    }
    let recon = &vl * vectors.transpose();
    let e_hat = Mat::from_fn(n, n, |i, j| s[(i, j)] - recon[(i, j)]);
    let e_f = frobenius_upper(mat_values(&e_hat));
    let abs_lam: Vec<f64> = values.iter().map(|v| v.abs()).collect();
    let rho_vlv = collatz_upper(n, |x, y| {
        // y ≥ |V| |Λ| |V|ᵀ x (nonnegative x).
        let mut t = abs_t_mul(&vectors, x);
        for (ti, li) in t.iter_mut().zip(&abs_lam) {
            *ti *= li;
        }
        abs_mul(&vectors, &t, y);
        inflate(y, 2 * n + 2, uf);
    });
    let s_f = frobenius_upper(mat_values(&s));
    // ‖S_exact − fl(S)‖₂ ≤ 2u‖S‖_F (+ underflow) when a halving was rounded.
    let sym_err = if exactly_symmetric {
        0.0
    } else {
        up(up(2.0 * UNIT_ROUNDOFF * s_f) + uf)
    };
    let backward_error =
        up(up(up(e_f * up(1.0 + 2.0 * UNIT_ROUNDOFF)) + up(g * rho_vlv)) + up(sym_err + uf));

    // --- orthogonality δ ≥ ‖VᵀV − I‖₂ ----------------------------------------
    let gram = vectors.transpose() * &vectors;
    let f_hat = Mat::from_fn(n, n, |i, j| gram[(i, j)] - if i == j { 1.0 } else { 0.0 });
    let f_f = frobenius_upper(mat_values(&f_hat));
    let rho_vv = collatz_upper(n, |x, y| {
        let t = abs_t_mul(&vectors, x);
        abs_mul(&vectors, &t, y);
        inflate(y, 2 * n + 2, uf);
    });
    let orthogonality_defect =
        up(up(f_f * up(1.0 + 2.0 * UNIT_ROUNDOFF)) + up(up(g * up(rho_vv + 1.0)) + uf));

    // --- per-pair residuals -------------------------------------------------
    let sv = &s * &vectors;
    let mut pair_residuals = Vec::with_capacity(n);
    for k in 0..n {
        let lam = values[k];
        let vk = vectors.col_as_slice(k);
        let r = frobenius_upper((0..n).map(|i| sv[(i, k)] - lam * vk[i]));
        let v_hi = frobenius_upper(vk.iter().copied());
        let v_lo = norm2_lower(vk);
        // ‖r_true‖ ≤ (1+2u)‖r̂‖ + γ_{n+1}(‖S‖_F + |λ|)‖v‖ + underflow.
        let num = up(up(r * up(1.0 + 2.0 * UNIT_ROUNDOFF))
            + up(up(g * up(s_f + lam.abs())) * v_hi)
            + up(uf + up(sym_err * v_hi)));
        pair_residuals.push(if v_lo > 0.0 {
            up(num / v_lo)
        } else {
            f64::INFINITY
        });
    }

    let mut eig = SymmetricEigen {
        values,
        vectors,
        pair_residuals,
        orthogonality_defect,
        backward_error,
        residual_bound: 0.0,
    };
    eig.residual_bound = (0..n).map(|k| eig.bound(k)).fold(0.0, f64::max);
    Ok(eig)
}

/// Guaranteed enclosure of λ_max of the symmetric part of `a`.
pub fn lambda_max(a: MatRef<'_, f64>) -> Result<EigenBound> {
    Ok(symmetric_eigen(a)?.max())
}

/// Guaranteed enclosure of λ_min of the symmetric part of `a`.
pub fn lambda_min(a: MatRef<'_, f64>) -> Result<EigenBound> {
    Ok(symmetric_eigen(a)?.min())
}

/// Guaranteed enclosure of the spectral norm `‖A‖₂ = σ_max(A)` of a general
/// (rectangular) matrix.
///
/// Uses the Jordan–Wielandt matrix `J = [[0, A], [Aᵀ, 0]]` (size `m + n`),
/// whose eigenvalues are `±σ_i(A)` and zeros, so `σ_max(A) = λ_max(J)`
/// (Horn & Johnson Thm 7.3.3); the enclosure is [`lambda_max`]'s, which is
/// rigorous. Cost `O((m+n)³)`: for large or matrix-free operators use
/// [`crate::lanczos`] on `AᵀA`.
pub fn spectral_norm(a: MatRef<'_, f64>) -> Result<EigenBound> {
    let (m, n) = (a.nrows(), a.ncols());
    if m == 0 || n == 0 {
        return Err(CoreError::Empty {
            context: "spectral_norm",
        });
    }
    check_finite(a)?;
    let k = m.min(n);
    if m.max(n) >= 4 * k {
        return spectral_norm_via_gram(a);
    }
    let j = Mat::from_fn(m + n, m + n, |r, c| {
        if r < m && c >= m {
            a[(r, c - m)]
        } else if r >= m && c < m {
            a[(c, r - m)]
        } else {
            0.0
        }
    });
    let mut b = lambda_max(j.as_ref())?;
    b.lower = b.lower.max(0.0);
    b.value = b.value.max(0.0);
    Ok(b)
}

/// `‖A‖₂` for a thin or wide `A` from the small Gram matrix `G = AAᵀ` (or `AᵀA`), size
/// `k = min(m, n)`: `‖A‖₂² = λ_max(AAᵀ)`, and the computed `fl(G)` differs from `G` by at
/// most `γ_{p+2}·|A||A|ᵀ` entrywise (`p` the inner dimension; Higham, *Accuracy and
/// Stability*, §3.5), whose Frobenius norm bounds the eigenvalue shift (Weyl). The
/// enclosure of `λ_max(fl(G))` widened by that shift gives `σ_max²`; square roots are
/// rounded outwards. Cost `O(k²·max(m,n) + k³)` instead of `O((m+n)³)`.
fn spectral_norm_via_gram(a: MatRef<'_, f64>) -> Result<EigenBound> {
    let (m, n) = (a.nrows(), a.ncols());
    let wide = n >= m;
    let small = if wide {
        a.to_owned()
    } else {
        a.transpose().to_owned()
    };
    let p = small.ncols();
    let g0 = &small * small.transpose();
    let k = g0.nrows();
    // Exact symmetry (the product is symmetric up to rounding order).
    let g = Mat::from_fn(k, k, |i, j| if i <= j { g0[(i, j)] } else { g0[(j, i)] });
    let abs = Mat::from_fn(k, p, |i, j| small[(i, j)].abs());
    let ga = &abs * abs.transpose();
    let shift = crate::rounding::up(
        crate::rounding::gamma(p + 4) * crate::rounding::frobenius_upper(mat_values(&ga)),
    );
    let lam = lambda_max(g.as_ref())?;
    let hi = crate::rounding::up(lam.upper + shift);
    let lo = crate::rounding::down(lam.lower - shift).max(0.0);
    let upper = crate::rounding::next_up(hi.sqrt());
    let lower = crate::rounding::next_down(lo.sqrt()).max(0.0);
    let value = lam.value.max(0.0).sqrt().clamp(lower, upper);
    Ok(EigenBound {
        value,
        lower,
        upper,
    })
}

/// Iterator over all entries of a matrix (column-major).
fn mat_values(m: &Mat<f64>) -> impl Iterator<Item = f64> + Clone + '_ {
    (0..m.ncols()).flat_map(move |j| m.col_as_slice(j).iter().copied())
}

/// `t = |V|ᵀ x` (nonnegative `x`), plain sums.
fn abs_t_mul(v: &Mat<f64>, x: &[f64]) -> Vec<f64> {
    (0..v.ncols())
        .map(|j| {
            v.col_as_slice(j)
                .iter()
                .zip(x)
                .map(|(a, b)| a.abs() * b)
                .sum()
        })
        .collect()
}

/// `y = |V| t` (nonnegative `t`), column-oriented sums.
fn abs_mul(v: &Mat<f64>, t: &[f64], y: &mut [f64]) {
    y.iter_mut().for_each(|x| *x = 0.0);
    for (j, &tj) in t.iter().enumerate() {
        for (yi, a) in y.iter_mut().zip(v.col_as_slice(j)) {
            *yi += a.abs() * tj;
        }
    }
}

/// Turns computed nonnegative sums of at most `k` rounded terms into upper
/// bounds of their exact values: `exact ≤ ŷ/(1 − γ_k) + abs ≤ ŷ(1 + 2γ_k) + abs`,
/// where `abs` bounds the absolute error of products that underflowed.
fn inflate(y: &mut [f64], k: usize, abs: f64) {
    let f = up(1.0 + up(2.0 * gamma(k)));
    for v in y.iter_mut() {
        *v = up(up(*v * f) + abs);
    }
}

/// Rigorous upper bound of the spectral radius of a nonnegative matrix `B`
/// given `apply(x, y)` writing upper bounds of `(Bx)_i` for `x > 0`
/// (Collatz–Wielandt: `ρ(B) ≤ max_i (Bx)_i/x_i`).
fn collatz_upper(n: usize, mut apply: impl FnMut(&[f64], &mut [f64])) -> f64 {
    // Floor for the Collatz vector: keeps x > 0 and the ratio finite.
    const FLOOR: f64 = 1e-150;
    let mut x = vec![1.0; n];
    let mut y = vec![0.0; n];
    let mut best = f64::INFINITY;
    for _ in 0..COLLATZ_STEPS {
        apply(&x, &mut y);
        let bound = x
            .iter()
            .zip(&y)
            .fold(0.0f64, |m, (xi, yi)| m.max(up(yi / xi)));
        best = best.min(bound);
        let ymax = y.iter().fold(0.0f64, |m, v| m.max(*v));
        if ymax == 0.0 || !ymax.is_finite() {
            break;
        }
        for (xi, yi) in x.iter_mut().zip(&y) {
            *xi = (yi / ymax).max(FLOOR);
        }
    }
    best
}

/// Rigorous lower bound of `‖v‖₂`.
fn norm2_lower(v: &[f64]) -> f64 {
    let s: f64 = v.iter().map(|x| x * x).sum();
    let shrink = down(1.0 - up(2.0 * gamma(v.len() + 1)));
    let t = down(down(s * shrink) - up(v.len() as f64 * UNDERFLOW_UNIT));
    if t <= 0.0 {
        0.0
    } else {
        down(t.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symmetric::sym_from_fn;

    #[test]
    fn diagonal_matrix_is_exact() {
        let a = sym_from_fn(4, |i, j| {
            if i == j {
                [3.0, -1.0, 2.0, 0.5][i]
            } else {
                0.0
            }
        });
        let e = symmetric_eigen(a.as_ref()).unwrap();
        assert_eq!(e.values, vec![-1.0, 0.5, 2.0, 3.0]);
        assert!(e.residual_bound < 1e-13);
        assert!(e.max().contains(3.0));
        assert!(e.min().contains(-1.0));
    }

    #[test]
    fn two_by_two_closed_form() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let a = sym_from_fn(2, |i, j| if i == j { 2.0 } else { 1.0 });
        let lmax = lambda_max(a.as_ref()).unwrap();
        let lmin = lambda_min(a.as_ref()).unwrap();
        assert!(lmax.contains(3.0) && lmax.radius() < 1e-14, "{lmax:?}");
        assert!(lmin.contains(1.0) && lmin.radius() < 1e-14, "{lmin:?}");
    }

    #[test]
    fn spectral_norm_of_thin_matrix_agrees_with_jordan_wielandt() {
        // 3×40: the Gram path; compare with the Jordan–Wielandt enclosure.
        let a = Mat::from_fn(3, 40, |i, j| ((i * 40 + j) as f64 * 0.37).sin());
        let g = spectral_norm(a.as_ref()).unwrap();
        let jw = {
            let (m, n) = (3, 40);
            let j = Mat::from_fn(m + n, m + n, |r, c| {
                if r < m && c >= m {
                    a[(r, c - m)]
                } else if r >= m && c < m {
                    a[(c, r - m)]
                } else {
                    0.0
                }
            });
            lambda_max(j.as_ref()).unwrap()
        };
        assert!(g.lower <= jw.upper && jw.lower <= g.upper);
        assert!(g.upper - g.lower < 1e-12 * g.value);
        let t = spectral_norm(a.transpose()).unwrap();
        assert!((t.value - g.value).abs() < 1e-13 * g.value);
    }

    #[test]
    fn spectral_norm_of_rank_one() {
        // u vᵀ with ‖u‖ = 5, ‖v‖ = 1: σ_max = 5.
        let a = Mat::from_fn(2, 3, |i, j| [3.0, 4.0][i] * [1.0, 0.0, 0.0][j]);
        let s = spectral_norm(a.as_ref()).unwrap();
        assert!(s.contains(5.0) && s.radius() < 1e-13, "{s:?}");
    }

    #[test]
    fn rejects_bad_input() {
        let mut a = sym_from_fn(3, |i, j| (i * j) as f64);
        a[(0, 2)] = 1.0;
        assert!(matches!(
            symmetric_eigen(a.as_ref()),
            Err(CoreError::NotSymmetric { .. })
        ));
        let e = Mat::<f64>::zeros(0, 0);
        assert!(matches!(
            lambda_max(e.as_ref()),
            Err(CoreError::Empty { .. })
        ));
    }
}
