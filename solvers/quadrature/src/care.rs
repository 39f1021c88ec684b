//! Continuous-time algebraic Riccati equation `AᵀP + PA − PBR⁻¹BᵀP + Q = 0` by
//! Kleinman's (Newton's) iteration with Lyapunov solves through the Kronecker form
//! (small state dimensions, n ≤ 30).

use crate::error::{QuadratureError, Result};
use quadra_core::faer::linalg::solvers::Solve;
use quadra_core::{cholesky, Mat};

/// Solution of the CARE.
#[derive(Debug, Clone)]
pub struct CareSolution {
    /// Stabilising solution `P`.
    pub p: Mat<f64>,
    /// Optimal gain `K = R⁻¹BᵀP` (`u = −Kx`).
    pub k: Mat<f64>,
    /// Newton iterations.
    pub iterations: usize,
    /// Frobenius norm of the Riccati residual.
    pub residual: f64,
}

/// Kleinman stops when `‖P_{k+1} − P_k‖_F ≤ 1e-13·‖P‖_F` (quadratic convergence reaches
/// round-off one step after this).
const KLEINMAN_RTOL: f64 = 1e-13;
const KLEINMAN_MAX_ITER: usize = 100;
/// Largest state dimension for the n²×n² Kronecker Lyapunov solve.
const MAX_DIM: usize = 30;

/// Solves `AcᵀP + PAc + M = 0` (Kronecker form, LU).
pub fn lyapunov(ac: &Mat<f64>, m: &Mat<f64>) -> Mat<f64> {
    let n = ac.nrows();
    // vec(AcᵀP + PAc) = (I⊗Acᵀ + Acᵀ⊗I) vec(P), column-major vec.
    let big = Mat::from_fn(n * n, n * n, |r, c| {
        let (i, j) = (r % n, r / n);
        let (k, l) = (c % n, c / n);
        let mut v = 0.0;
        if j == l {
            v += ac[(k, i)];
        }
        if i == k {
            v += ac[(l, j)];
        }
        v
    });
    let rhs = Mat::from_fn(n * n, 1, |r, _| -m[(r % n, r / n)]);
    let x = big.partial_piv_lu().solve(&rhs);
    Mat::from_fn(n, n, |i, j| 0.5 * (x[(i + j * n, 0)] + x[(j + i * n, 0)]))
}

/// Kleinman's iteration from a stabilising gain `k0` (`None`: zero, valid when `A` is
/// Hurwitz). Errors: dimension mismatch, a non-stabilising gain (the Lyapunov solution is
/// not positive definite), no convergence.
pub fn care(
    a: &Mat<f64>,
    b: &Mat<f64>,
    q: &Mat<f64>,
    r: &Mat<f64>,
    k0: Option<&Mat<f64>>,
) -> Result<CareSolution> {
    let n = a.nrows();
    let m = b.ncols();
    if a.ncols() != n
        || b.nrows() != n
        || q.nrows() != n
        || q.ncols() != n
        || r.nrows() != m
        || r.ncols() != m
        || n == 0
        || n > MAX_DIM
    {
        return Err(QuadratureError::invalid(
            "CARE dimensions",
            format!(
                "A {}x{}, B {}x{}, Q {}x{}, R {}x{}",
                a.nrows(),
                a.ncols(),
                b.nrows(),
                b.ncols(),
                q.nrows(),
                q.ncols(),
                r.nrows(),
                r.ncols()
            ),
            "A n×n (1 ≤ n ≤ 30), B n×m, Q n×n, R m×m",
        ));
    }
    let rchol = cholesky(r.as_ref())?;
    let bt = b.transpose().to_owned();
    let mut k = match k0 {
        Some(k) => k.clone(),
        None => Mat::zeros(m, n),
    };
    let mut p_old: Option<Mat<f64>> = None;
    for it in 1..=KLEINMAN_MAX_ITER {
        let ac = a - b * &k;
        let mm = q + k.transpose() * r * &k;
        let p = lyapunov(&ac, &mm);
        if cholesky(p.as_ref()).is_err() {
            return Err(QuadratureError::invalid(
                "initial gain",
                format!("iteration {it}"),
                "a stabilising gain (A − BK Hurwitz); the Lyapunov solution is not positive definite",
            ));
        }
        k = rchol.solve((&bt * &p).as_ref())?;
        let change = p_old.as_ref().map(|po| (&p - po).norm_l2());
        let done = change.is_some_and(|c| c <= KLEINMAN_RTOL * p.norm_l2());
        if done {
            let rbp = rchol.solve((&bt * &p).as_ref())?;
            let res = a.transpose() * &p + &p * a - &p * b * &rbp + q;
            return Ok(CareSolution {
                residual: res.norm_l2(),
                k,
                p,
                iterations: it,
            });
        }
        p_old = Some(p);
    }
    Err(QuadratureError::NotConverged {
        context: "Kleinman iteration",
        iterations: KLEINMAN_MAX_ITER,
        residual: f64::NAN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_riccati_closed_form() {
        // 2ap − p²b²/r + q = 0 → p = r(a + √(a² + b²q/r))/b².
        for &(av, bv, qv, rv) in &[
            (-1.0, 1.0, 1.0, 1.0),
            (-0.5, 2.0, 3.0, 0.5),
            (-3.0, 0.7, 0.2, 4.0),
        ] {
            let s = care(
                &Mat::from_fn(1, 1, |_, _| av),
                &Mat::from_fn(1, 1, |_, _| bv),
                &Mat::from_fn(1, 1, |_, _| qv),
                &Mat::from_fn(1, 1, |_, _| rv),
                None,
            )
            .unwrap();
            let want = rv * (av + (av * av + bv * bv * qv / rv).sqrt()) / (bv * bv);
            assert!(
                (s.p[(0, 0)] - want).abs() < 1e-12 * want,
                "{} vs {want}",
                s.p[(0, 0)]
            );
        }
    }

    #[test]
    fn double_integrator_closed_form() {
        // A = [[0,1],[0,0]], B = [0,1]ᵀ, Q = I, R = 1: P = [[√3, 1], [1, √3]], K = [1, √3].
        let a = Mat::from_fn(2, 2, |i, j| if i == 0 && j == 1 { 1.0 } else { 0.0 });
        let b = Mat::from_fn(2, 1, |i, _| if i == 1 { 1.0 } else { 0.0 });
        let q = Mat::<f64>::identity(2, 2);
        let r = Mat::<f64>::identity(1, 1);
        let k0 = Mat::from_fn(1, 2, |_, _| 1.0);
        let s = care(&a, &b, &q, &r, Some(&k0)).unwrap();
        let r3 = 3f64.sqrt();
        let want = [[r3, 1.0], [1.0, r3]];
        for (i, row) in want.iter().enumerate() {
            for (j, &wij) in row.iter().enumerate() {
                assert!((s.p[(i, j)] - wij).abs() < 1e-12);
            }
        }
        assert!((s.k[(0, 1)] - r3).abs() < 1e-12);
        assert!(s.residual < 1e-12);
        // Zero gain does not stabilise the double integrator.
        assert!(care(&a, &b, &q, &r, None).is_err());
    }
}
