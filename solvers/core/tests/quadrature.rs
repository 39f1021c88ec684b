//! Gauss–Legendre exactness (and its sharp failure one degree higher),
//! agreement with Golub–Welsch, and adaptive Gauss–Kronrod on smooth,
//! singular and infinite-range integrals.

use quadra_core::{
    gauss_legendre, integrate_adaptive, integrate_fixed, AdaptiveSettings, CoreError, Mat, Side,
};

/// ∫_{−1}^{1} x^k = 2/(k+1) for even k, 0 for odd k.
fn monomial_integral(k: usize) -> f64 {
    if k % 2 == 1 {
        0.0
    } else {
        2.0 / (k as f64 + 1.0)
    }
}

/// Exact for every monomial of degree ≤ 2n − 1.
#[test]
fn gauss_legendre_exact_to_degree_2n_minus_1() {
    for n in [1usize, 2, 3, 5, 8, 16, 33, 64, 150] {
        let rule = gauss_legendre(n).unwrap();
        assert_eq!(rule.len(), n);
        for k in 0..2 * n {
            let q: f64 = rule
                .nodes
                .iter()
                .zip(&rule.weights)
                .map(|(x, w)| w * x.powi(k as i32))
                .sum();
            let tol = 8.0 * n as f64 * f64::EPSILON;
            assert!((q - monomial_integral(k)).abs() <= tol, "n={n} k={k}: {q}");
        }
        assert!(rule.nodes.windows(2).all(|w| w[0] < w[1]));
        assert!(rule.weights.iter().all(|&w| w > 0.0));
    }
}

/// Not exact for x^{2n}: the error is exactly 2^{2n+1}(n!)⁴/((2n+1)((2n)!)²)
/// (the Gauss error formula with f^{(2n)} = (2n)!).
#[test]
fn gauss_legendre_error_at_degree_2n() {
    for n in 1usize..=8 {
        let rule = gauss_legendre(n).unwrap();
        let q: f64 = rule
            .nodes
            .iter()
            .zip(&rule.weights)
            .map(|(x, w)| w * x.powi(2 * n as i32))
            .sum();
        let err = monomial_integral(2 * n) - q;
        let fact = |m: usize| (1..=m).map(|i| i as f64).product::<f64>();
        let predicted = 2f64.powi(2 * n as i32 + 1) * fact(n).powi(4)
            / ((2 * n + 1) as f64 * fact(2 * n).powi(2));
        assert!(err > 0.0, "n={n}");
        assert!(
            (err - predicted).abs() <= 1e-9 * predicted + 1e-15,
            "n={n}: {err} vs {predicted}"
        );
    }
}

/// Independent method: Golub–Welsch. The nodes are the eigenvalues of the
/// Jacobi matrix with off-diagonal k/√(4k²−1), the weights 2·(first
/// eigenvector component)².
#[test]
fn agrees_with_golub_welsch() {
    for n in [5usize, 20, 100] {
        let j = Mat::from_fn(n, n, |r, c| {
            let k = r.max(c);
            if r.abs_diff(c) == 1 {
                let kf = k as f64;
                kf / (4.0 * kf * kf - 1.0).sqrt()
            } else {
                0.0
            }
        });
        let evd = j.self_adjoint_eigen(Side::Lower).unwrap();
        let rule = gauss_legendre(n).unwrap();
        for i in 0..n {
            let x = evd.S().column_vector()[i];
            let w = 2.0 * evd.U()[(0, i)].powi(2);
            assert!((x - rule.nodes[i]).abs() <= 1e-13, "n={n} i={i}");
            // Golub–Welsch weights come from eigenvector components, accurate
            // to ~n·ε absolutely (not relatively): compare absolutely.
            assert!(
                (w - rule.weights[i]).abs() <= 4.0 * n as f64 * f64::EPSILON,
                "n={n} i={i}: {w} vs {}",
                rule.weights[i]
            );
        }
    }
}

#[test]
fn fixed_rule_on_an_interval() {
    let rule = gauss_legendre(20).unwrap();
    assert!((integrate_fixed(f64::sin, 0.0, std::f64::consts::PI, &rule) - 2.0).abs() < 1e-14);
    assert!((rule.integrate(|x| x.exp(), 0.0, 1.0) - (1f64.exp() - 1.0)).abs() < 1e-14);
}

/// An integrand with its limits and exact value.
type Integrand<'a> = &'a dyn Fn(f64) -> f64;

fn tight() -> AdaptiveSettings {
    AdaptiveSettings::builder()
        .abs_tol(1e-13)
        .rel_tol(1e-13)
        .build()
        .unwrap()
}

/// Closed forms: ∫₀^π sin = 2, ∫₀¹ √x = 2/3 and ∫₀¹ log x = −1 (endpoint
/// singularities), each to 1e-12 with an honest error estimate.
#[test]
fn adaptive_closed_forms() {
    let cases: [(Integrand, f64, f64, f64); 4] = [
        (&f64::sin, 0.0, std::f64::consts::PI, 2.0),
        (&f64::sqrt, 0.0, 1.0, 2.0 / 3.0),
        (&f64::ln, 0.0, 1.0, -1.0),
        (
            &|x: f64| 1.0 / (1.0 + x * x),
            -1.0,
            1.0,
            std::f64::consts::FRAC_PI_2,
        ),
    ];
    for (f, a, b, exact) in cases {
        let r = integrate_adaptive(f, a, b, &tight()).unwrap();
        assert!((r.value - exact).abs() <= 1e-12, "{r:?} vs {exact}");
        assert!(
            (r.value - exact).abs() <= r.error_estimate.max(4.0 * f64::EPSILON),
            "{r:?}"
        );
        assert!(r.evaluations >= 15 && r.evaluations % 15 == 0);
        // Reversed limits change the sign.
        let s = integrate_adaptive(f, b, a, &tight()).unwrap();
        assert_eq!(s.value, -r.value);
    }
}

/// Infinite ranges: ∫_ℝ e^{−x²} = √π, ∫₀^∞ e^{−x} = 1, ∫₁^∞ x⁻² = 1,
/// ∫_{−∞}^0 eˣ = 1.
#[test]
fn adaptive_infinite_ranges() {
    let inf = f64::INFINITY;
    let r = integrate_adaptive(|x| (-x * x).exp(), -inf, inf, &tight()).unwrap();
    assert!(
        (r.value - std::f64::consts::PI.sqrt()).abs() <= 1e-12,
        "{r:?}"
    );
    let r = integrate_adaptive(|x| (-x).exp(), 0.0, inf, &tight()).unwrap();
    assert!((r.value - 1.0).abs() <= 1e-12, "{r:?}");
    let r = integrate_adaptive(|x| 1.0 / (x * x), 1.0, inf, &tight()).unwrap();
    assert!((r.value - 1.0).abs() <= 1e-12, "{r:?}");
    let r = integrate_adaptive(f64::exp, -inf, 0.0, &tight()).unwrap();
    assert!((r.value - 1.0).abs() <= 1e-12, "{r:?}");
}

/// A divergent integral runs out of subdivisions and says how far it got;
/// a NaN integrand names the abscissa.
#[test]
fn adaptive_failures() {
    let s = AdaptiveSettings::builder()
        .max_subdivisions(50)
        .build()
        .unwrap();
    match integrate_adaptive(|x| 1.0 / x, 0.0, 1.0, &s) {
        Err(CoreError::QuadratureNotConverged {
            subdivisions,
            error_estimate,
            requested,
            ..
        }) => {
            assert_eq!(subdivisions, 50);
            assert!(error_estimate > requested);
        }
        other => panic!("{other:?}"),
    }
    match integrate_adaptive(|x| if x > 0.5 { f64::NAN } else { x }, 0.0, 1.0, &tight()) {
        Err(CoreError::NonFiniteIntegrand { x, value }) => {
            assert!(x > 0.5 && value.is_nan());
        }
        other => panic!("{other:?}"),
    }
    assert!(integrate_adaptive(|x| x, f64::NAN, 1.0, &tight()).is_err());
    assert_eq!(
        integrate_adaptive(|x| x, 2.0, 2.0, &tight()).unwrap().value,
        0.0
    );
}
