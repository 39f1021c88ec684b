//! Directed rounding emulated in round-to-nearest, and the constants of the
//! standard model of floating-point arithmetic.
//!
//! Rust performs IEEE 754 binary64 arithmetic in round-to-nearest-even and
//! never contracts `a * b + c` into a fused multiply-add on its own, so every
//! `+ − × ÷ √` below obeys the standard model (Higham, *Accuracy and Stability
//! of Numerical Algorithms*, 2nd ed., §2.2, with underflow as in §2.1):
//!
//! ```text
//! fl(a ∘ b) = (a ∘ b)(1 + δ) + η′,   |δ| ≤ u = 2⁻⁵³,   |η′| ≤ η = 2⁻¹⁰⁷⁴,   δ·η′ = 0.
//! ```
//!
//! Consequently `fl(x)` and the exact `x` differ by less than one unit in the
//! last place, so [`next_up`]`(fl(x)) ≥ x` and [`next_down`]`(fl(x)) ≤ x`:
//! the float just above the nearest float is above the exact value. The
//! helpers [`up`] and [`down`] apply exactly that step; they are how the
//! rigorous bounds of [`crate::spectral`] and [`crate::verified`] emulate
//! rounding towards ±∞ without changing the FPU mode.
//!
//! [`gamma`] is Higham's γ_k = k·u/(1 − k·u) (Lemma 3.1): a recursive or
//! tree-shaped sum of k products, fused or not, has relative error at most
//! γ_k in the sum of absolute values.

/// Unit roundoff u = 2⁻⁵³ of binary64 in round-to-nearest (half of
/// `f64::EPSILON`).
pub const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// The smallest positive subnormal η = 2⁻¹⁰⁷⁴: the absolute error bound of
/// one operation that underflows.
pub const UNDERFLOW_UNIT: f64 = f64::from_bits(1);

/// The smallest float strictly greater than `x` (`+∞` and NaN map to
/// themselves, `−0.0` and `+0.0` to the smallest positive subnormal).
pub fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return UNDERFLOW_UNIT;
    }
    let bits = x.to_bits();
    if x > 0.0 {
        f64::from_bits(bits + 1)
    } else {
        f64::from_bits(bits - 1)
    }
}

/// The largest float strictly less than `x` (`−∞` and NaN map to themselves).
pub fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Upper bound of an exact value whose round-to-nearest result is `x`:
/// call it as `up(a + b)`, `up(a * b)`, … to emulate rounding towards +∞.
#[inline]
pub fn up(x: f64) -> f64 {
    next_up(x)
}

/// Lower bound of an exact value whose round-to-nearest result is `x`:
/// `down(a - b) ≤ a − b` exactly.
#[inline]
pub fn down(x: f64) -> f64 {
    next_down(x)
}

/// A rigorous upper bound of γ_k = k·u/(1 − k·u); `+∞` when k·u ≥ 1/2,
/// where the bound is useless anyway.
pub fn gamma(k: usize) -> f64 {
    let ku = k as f64 * UNIT_ROUNDOFF; // exact for k < 2^53: u is a power of two
    if ku >= 0.5 {
        return f64::INFINITY;
    }
    up(ku / down(1.0 - ku))
}

/// A rigorous upper bound of the Frobenius norm ‖X‖_F of the matrix whose
/// entries `values` yields (any order, any count).
///
/// The sum of squares is scaled by a power of two (exact) so that it neither
/// overflows nor loses the small entries, and then inflated by
/// 1/(1 − γ_{N+1}) for N terms (squares and sums, Higham Lemma 3.1) plus 4N·η
/// for underflowed squares; the square root adds one more rounding.
pub fn frobenius_upper<I>(values: I) -> f64
where
    I: IntoIterator<Item = f64> + Clone,
{
    let mut max_abs = 0.0_f64;
    let mut count = 0usize;
    for v in values.clone() {
        let a = v.abs();
        if a.is_nan() {
            return f64::NAN;
        }
        max_abs = max_abs.max(a);
        count += 1;
    }
    if max_abs == 0.0 {
        return 0.0;
    }
    if max_abs.is_infinite() {
        return f64::INFINITY;
    }
    // Power of two p with max_abs·p in [0.5, 2): exact scaling.
    let p = pow2(-(max_abs.log2().round() as i32));
    let mut s = 0.0_f64;
    for v in values {
        let w = v * p;
        s += w * w;
    }
    let n = count + 1;
    let g = gamma(n);
    // exact sum ≤ s/(1 − γ) + 4N·η ≤ s·(1 + 2γ) + 4N·η for γ ≤ 1/4; the 4N·η
    // covers squares that underflow and scaled entries that became subnormal.
    let inflated = up(up(s * up(1.0 + up(2.0 * g))) + up(4.0 * count as f64 * UNDERFLOW_UNIT));
    up(up(inflated.sqrt()) / p)
}

/// `2^k` as an exact float for `k` in the normal range −1022 ..= 1023
/// (clamped outside it).
pub fn pow2(k: i32) -> f64 {
    let k = k.clamp(-1022, 1023);
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// `x · p` for a power of two `p`, if that product is exact (no overflow, no
/// loss of bits to underflow); `None` otherwise. Exactness is proved by the
/// round trip `(x·p)/p == x`, which is exact whenever the forward product is
/// and reveals the error whenever it is not.
pub fn mul_pow2_exact(x: f64, p: f64) -> Option<f64> {
    let y = x * p;
    (y.is_finite() && y / p == x).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_up_and_down_bracket() {
        for &x in &[0.0, -0.0, 1.0, -1.0, 1e-310, -1e-310, 3.5e300, f64::MAX] {
            assert!(next_up(x) > x, "{x}");
            assert!(next_down(x) < x, "{x}");
            if x != f64::MAX && x != 0.0 {
                assert_eq!(next_down(next_up(x)), x);
            }
        }
        assert_eq!(next_up(1.0), 1.0 + f64::EPSILON);
        assert_eq!(next_up(f64::MAX), f64::INFINITY);
        assert!(next_up(f64::NAN).is_nan());
    }

    #[test]
    fn up_bounds_the_exact_sum() {
        // 0.1 + 0.2 rounds up to 0.30000000000000004; 1 + 2^-60 rounds to 1.
        let a = 1.0;
        let b = 2f64.powi(-60);
        assert_eq!(a + b, 1.0);
        assert!(up(a + b) > 1.0);
        assert!(down(a - b) < 1.0);
    }

    #[test]
    fn gamma_values() {
        let g2 = gamma(2);
        let exact = 2.0 * UNIT_ROUNDOFF / (1.0 - 2.0 * UNIT_ROUNDOFF);
        assert!(g2 >= exact && g2 <= exact * (1.0 + 1e-15));
        assert_eq!(gamma(usize::MAX), f64::INFINITY);
    }

    #[test]
    fn frobenius_upper_is_tight_and_above() {
        let v = [3.0, 4.0];
        let f = frobenius_upper(v.iter().copied());
        assert!((5.0..5.0 * (1.0 + 1e-14)).contains(&f));
        let tiny = [3e-300, 4e-300];
        let f = frobenius_upper(tiny.iter().copied());
        assert!((5e-300..5e-300 * (1.0 + 1e-14)).contains(&f), "{f}");
        let big = [3e300, 4e300];
        let f = frobenius_upper(big.iter().copied());
        assert!((5e300..5e300 * (1.0 + 1e-14)).contains(&f), "{f}");
        assert_eq!(frobenius_upper(std::iter::empty()), 0.0);
    }

    #[test]
    fn exact_power_of_two_products() {
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-3), 0.125);
        assert_eq!(mul_pow2_exact(3.0, 0.5), Some(1.5));
        // 2^-1074 · 2^-1 underflows to 0 (or rounds): not exact.
        assert_eq!(mul_pow2_exact(UNDERFLOW_UNIT * 3.0, 0.5), None);
        assert_eq!(mul_pow2_exact(f64::MAX, 2.0), None);
    }
}
