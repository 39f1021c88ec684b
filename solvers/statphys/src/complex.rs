//! Small complex-polynomial helpers: cubic roots (Cardano + Newton polish)
//! and all roots of a low-degree polynomial (Durand–Kerner).

use num_complex::Complex64 as C64;

/// Evaluates `Σ c_k z^k` (coefficients in ascending order) and its derivative.
pub(crate) fn horner(coeffs: &[C64], z: C64) -> (C64, C64) {
    let mut p = C64::new(0.0, 0.0);
    let mut dp = C64::new(0.0, 0.0);
    for &c in coeffs.iter().rev() {
        dp = dp * z + p;
        p = p * z + c;
    }
    (p, dp)
}

/// Newton steps on `p` from `z` (stops when the step no longer shrinks).
fn polish(coeffs: &[C64], mut z: C64) -> C64 {
    let mut last = f64::INFINITY;
    for _ in 0..8 {
        let (p, dp) = horner(coeffs, z);
        if dp.norm() == 0.0 {
            break;
        }
        let step = p / dp;
        let s = step.norm();
        if !s.is_finite() || s >= last {
            break;
        }
        z -= step;
        last = s;
        if s <= 1e-16 * (1.0 + z.norm()) {
            break;
        }
    }
    z
}

/// The three roots of `c3 z³ + c2 z² + c1 z + c0` (`c3 ≠ 0`), by Cardano's
/// formula (the numerically larger cube root) followed by Newton polishing.
pub(crate) fn cubic_roots(c3: C64, c2: C64, c1: C64, c0: C64) -> [C64; 3] {
    let a = c2 / c3;
    let b = c1 / c3;
    let c = c0 / c3;
    let p = b - a * a / 3.0;
    let q = a * a * a * (2.0 / 27.0) - a * b / 3.0 + c;
    let disc = (q * q / 4.0 + p * p * p / 27.0).sqrt();
    let w1 = -q / 2.0 + disc;
    let w2 = -q / 2.0 - disc;
    let w = if w1.norm() >= w2.norm() { w1 } else { w2 };
    let shift = a / 3.0;
    let omega = C64::new(-0.5, 3f64.sqrt() / 2.0);
    let coeffs = [c0, c1, c2, c3];
    if w.norm() == 0.0 {
        let r = polish(&coeffs, -shift);
        return [r, r, r];
    }
    let u0 = w.cbrt();
    let mut roots = [C64::new(0.0, 0.0); 3];
    let mut uk = u0;
    for root in roots.iter_mut() {
        let vk = -p / (uk * 3.0);
        *root = uk + vk - shift;
        uk *= omega;
    }
    // Deflate off the largest root (stable) and recompute the other two from the
    // quadratic z² + βz + γ: Cardano loses the small roots to cancellation when
    // the magnitudes differ by orders (e.g. t → 0 in the free convolution).
    roots.sort_by(|x, y| y.norm().total_cmp(&x.norm()));
    roots[0] = polish(&coeffs, roots[0]);
    let r = roots[0];
    if r.norm() > 0.0 {
        // monic: z³ + a z² + b z + c = (z − r)(z² + βz + γ), γ = −c/r, β = a + r.
        let gamma = -c / r;
        let beta = a + r;
        let d = (beta * beta - gamma * 4.0).sqrt();
        let q1 = if (-beta + d).norm() >= (-beta - d).norm() {
            (-beta + d) / 2.0
        } else {
            (-beta - d) / 2.0
        };
        if q1.norm() > 0.0 {
            roots[1] = polish(&coeffs, q1);
            roots[2] = polish(&coeffs, gamma / q1);
        }
    }
    roots
}

/// All roots of the real polynomial `Σ c_k x^k` (ascending, leading
/// coefficient non-zero) by Durand–Kerner iteration.
pub(crate) fn poly_roots(coeffs: &[f64]) -> Vec<C64> {
    let n = coeffs.len() - 1;
    let lead = coeffs[n];
    let monic: Vec<C64> = coeffs.iter().map(|&c| C64::new(c / lead, 0.0)).collect();
    // Initial guesses on a circle of the Cauchy bound radius.
    let radius = 1.0 + monic[..n].iter().map(|c| c.norm()).fold(0.0_f64, f64::max);
    let mut z: Vec<C64> = (0..n)
        .map(|k| {
            C64::from_polar(
                radius,
                0.4 + 2.0 * std::f64::consts::PI * k as f64 / n as f64,
            )
        })
        .collect();
    for _ in 0..500 {
        let mut change = 0.0_f64;
        for i in 0..n {
            let (p, _) = horner(&monic, z[i]);
            let mut den = C64::new(1.0, 0.0);
            for j in 0..n {
                if j != i {
                    den *= z[i] - z[j];
                }
            }
            if den.norm() == 0.0 {
                den = C64::new(1e-300, 0.0);
            }
            let step = p / den;
            z[i] -= step;
            change = change.max(step.norm() / (1.0 + z[i].norm()));
        }
        if change < 1e-15 {
            break;
        }
    }
    z.into_iter().map(|r| polish(&monic, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_roots_reproduce_factors() {
        let r = [C64::new(1.0, 0.0), C64::new(-2.0, 0.5), C64::new(0.3, -4.0)];
        // (z - r0)(z - r1)(z - r2)
        let c2 = -(r[0] + r[1] + r[2]);
        let c1 = r[0] * r[1] + r[0] * r[2] + r[1] * r[2];
        let c0 = -(r[0] * r[1] * r[2]);
        let got = cubic_roots(C64::new(1.0, 0.0), c2, c1, c0);
        for want in r {
            let best = got
                .iter()
                .map(|g| (g - want).norm())
                .fold(f64::INFINITY, f64::min);
            assert!(best < 1e-12, "root {want} missing: {got:?}");
        }
    }

    #[test]
    fn quartic_roots_reproduce_factors() {
        // (x-1)(x+2)(x-0.5)(x-3) expanded.
        let coeffs = [-3.0, 8.5, -4.0, -2.5, 1.0];
        let got = poly_roots(&coeffs);
        for want in [1.0, -2.0, 0.5, 3.0] {
            let best = got
                .iter()
                .map(|g| (g - C64::new(want, 0.0)).norm())
                .fold(f64::INFINITY, f64::min);
            assert!(best < 1e-12, "root {want} missing: {got:?}");
        }
    }
}
