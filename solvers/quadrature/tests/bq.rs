//! Bayesian quadrature: closed forms (Brownian = trapezoid, Matérn-½), convergence order,
//! classical rules, maximum-likelihood lengthscale.

use quadra_core::rng::standard_normal;
use quadra_core::{cholesky, seeded_rng, sym_from_fn};
use quadra_quadrature::{
    fit_lengthscale, worst_case_error, BayesQuadrature, BqRule, BqSettings, GaussLegendre,
    Interval, Kernel, KernelKind, QuadratureRule, Simpson, Trapezoid,
};

/// Closed forms hold to round-off; the Gram solves lose at most a few digits for these
/// well-separated nodes (condition numbers below 1e4).
const CLOSED_FORM_RTOL: f64 = 1e-10;

fn uneven_nodes(a: f64, b: f64, n: usize) -> Vec<f64> {
    // Sorted, uneven, both ends included.
    (0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            if i == n - 1 {
                b
            } else {
                a + (b - a) * (t + 0.15 * (std::f64::consts::PI * t).sin().powi(2) * t * (1.0 - t))
            }
        })
        .collect()
}

#[test]
fn brownian_bq_is_the_trapezoid_rule_with_variance_sum_h3_over_12() {
    // A node at 0 is excluded: min(0, 0) = 0, Brownian motion is pinned there.
    for &(a, b, n) in &[(0.25, 1.0, 5), (0.5, 2.0, 9), (3.0, 3.7, 13)] {
        let iv = Interval::new(a, b).unwrap();
        let x = uneven_nodes(a, b, n);
        let rule = BqRule::new(Kernel::brownian(), iv, &x, BqSettings::default()).unwrap();
        let trap = Trapezoid.weights(&x, iv).unwrap();
        for (w, t) in rule.weights.iter().zip(&trap) {
            assert!(
                (w - t).abs() <= CLOSED_FORM_RTOL * t.abs(),
                "[{a},{b}] n={n}: {w} vs {t}"
            );
        }
        let want: f64 = x.windows(2).map(|w| (w[1] - w[0]).powi(3) / 12.0).sum();
        // The variance is ∫∫k − zᵀw with ∫∫k ≈ aL² + L³/3: absolute round-off ~ε·∫∫k.
        let tol = CLOSED_FORM_RTOL * want + 64.0 * f64::EPSILON * rule.initial_error;
        assert!(
            (rule.variance - want).abs() <= tol,
            "[{a},{b}] n={n}: variance {} vs Σh³/12 = {want}",
            rule.variance
        );
        // The worst-case error of the trapezoid weights is the posterior std.
        let wce = worst_case_error(Kernel::brownian(), iv, &x, &trap).unwrap();
        assert!(
            (wce * wce - want).abs() <= tol,
            "wce² {} vs {want}",
            wce * wce
        );
        assert_eq!(rule.jitter, 0.0);
    }
}

#[test]
fn matern12_weights_and_variance_in_closed_form() {
    for &ell in &[0.1, 0.5, 2.0] {
        let iv = Interval::new(-1.0, 2.0).unwrap();
        let x = uneven_nodes(-1.0, 2.0, 11);
        let k = Kernel::new(KernelKind::Matern12, ell).unwrap();
        let rule = BqRule::new(k, iv, &x, BqSettings::default()).unwrap();
        let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let t = |h: f64| ell * (h / (2.0 * ell)).tanh();
        for i in 0..x.len() {
            let want =
                if i > 0 { t(h[i - 1]) } else { 0.0 } + if i < h.len() { t(h[i]) } else { 0.0 };
            let got = rule.weights[i];
            assert!(
                (got - want).abs() <= CLOSED_FORM_RTOL * want,
                "ℓ={ell} i={i}: {got} vs {want}"
            );
        }
        let want: f64 = h
            .iter()
            .map(|&h| 2.0 * ell * h - 4.0 * ell * ell * (h / (2.0 * ell)).tanh())
            .sum();
        let tol = CLOSED_FORM_RTOL * want + 64.0 * f64::EPSILON * rule.initial_error;
        assert!(
            (rule.variance - want).abs() <= tol,
            "ℓ={ell}: {} vs {want}",
            rule.variance
        );
    }
}

#[test]
fn bq_integrates_kernel_translates_exactly() {
    // f = k(·, x_j) lies in the span of the interpolant: the estimate is z_j.
    let iv = Interval::new(0.0, 1.0).unwrap();
    let x = iv.equispaced(7);
    for kind in [KernelKind::Matern32, KernelKind::Matern52, KernelKind::Rbf] {
        let k = Kernel::new(kind, 0.4).unwrap();
        let rule = BqRule::new(k, iv, &x, BqSettings::default()).unwrap();
        for j in 0..x.len() {
            let y: Vec<f64> = x.iter().map(|&xi| k.eval(xi, x[j])).collect();
            let est = rule.estimate(&y).unwrap();
            let want = k.mean(x[j], iv);
            // RBF with 7 nodes at ℓ = 0.4 has cond(K) ~ 1e8.
            assert!(
                (est.mean - want).abs() <= 1e-7 * want,
                "{kind:?} j={j}: {} vs {want}",
                est.mean
            );
        }
    }
}

/// Least-squares slope of ln y against ln n.
fn slope(ns: &[usize], ys: &[f64]) -> f64 {
    let lx: Vec<f64> = ns.iter().map(|&n| (n as f64).ln()).collect();
    let ly: Vec<f64> = ys.iter().map(|y| y.ln()).collect();
    let (mx, my) = (
        lx.iter().sum::<f64>() / lx.len() as f64,
        ly.iter().sum::<f64>() / ly.len() as f64,
    );
    let num: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = lx.iter().map(|x| (x - mx) * (x - mx)).sum();
    num / den
}

/// Measured orders must be within this of ν + ½: the local orders approach ν + ½ from
/// above (pre-asymptotic O(1/N) corrections; 3.13 for ν = 5/2 at N = 128 and 4.25 for
/// ν = 7/2 at N = 64, measured), and larger N runs into round-off in ∫∫k − zᵀw.
const ORDER_TOL: f64 = 0.3;

#[test]
fn worst_case_error_decays_at_order_nu_plus_half() {
    let iv = Interval::new(0.0, 1.0).unwrap();
    for (kind, ns) in [
        (KernelKind::Matern12, vec![16, 32, 64, 128]),
        (KernelKind::Matern32, vec![16, 32, 64, 128]),
        (KernelKind::Matern52, vec![64, 96, 128]),
        (KernelKind::Matern72, vec![32, 48, 64]),
    ] {
        // ℓ = 0.2: the asymptotic regime needs h ≪ ℓ; smaller ℓ reaches it at smaller N.
        let k = Kernel::new(kind, 0.2).unwrap();
        let stds: Vec<f64> = ns
            .iter()
            .map(|&n| {
                BqRule::new(k, iv, &iv.equispaced(n), BqSettings::default())
                    .unwrap()
                    .std()
            })
            .collect();
        let order = -slope(&ns, &stds);
        let b = kind.sobolev_order();
        assert!(
            (order - b).abs() <= ORDER_TOL,
            "{kind:?}: order {order} vs ν+½ = {b} (stds {stds:?})"
        );
    }
}

#[test]
fn error_on_a_smooth_integrand_decays_at_least_at_order_nu_plus_half() {
    let iv = Interval::new(0.0, 1.0).unwrap();
    let f = |x: f64| (3.0 * x).sin() + x * x;
    let exact = (1.0 - 3f64.cos()) / 3.0 + 1.0 / 3.0;
    for (kind, ns) in [
        (KernelKind::Matern12, vec![16, 32, 64, 128]),
        (KernelKind::Matern32, vec![16, 32, 64, 128]),
        (KernelKind::Matern52, vec![8, 16, 32, 64]),
    ] {
        let k = Kernel::new(kind, 0.5).unwrap();
        let errs: Vec<f64> = ns
            .iter()
            .map(|&n| {
                let bq = BayesQuadrature {
                    kernel: k,
                    settings: BqSettings::default(),
                };
                (bq.integrate(&mut |x| f(x), n, iv).unwrap() - exact).abs()
            })
            .collect();
        let order = -slope(&ns, &errs);
        assert!(
            order >= kind.sobolev_order() - ORDER_TOL,
            "{kind:?}: order {order} (errors {errs:?})"
        );
    }
}

#[test]
fn jitter_is_reported_and_changes_the_rule() {
    let iv = Interval::new(0.0, 0.1).unwrap();
    let x = iv.equispaced(20);
    let k = Kernel::new(KernelKind::Matern72, 0.3).unwrap();
    let exact = BqRule::new(k, iv, &x, BqSettings::default());
    let jit = BqRule::new(k, iv, &x, BqSettings::with_jitter(1e-8).unwrap()).unwrap();
    assert_eq!(jit.jitter, 1e-8);
    // Jittered weights still integrate constants to about the interval length.
    let s: f64 = jit.weights.iter().sum();
    assert!((s - 0.1).abs() < 1e-3, "Σw = {s}");
    if let Ok(exact) = exact {
        let d: f64 = exact
            .weights
            .iter()
            .zip(&jit.weights)
            .map(|(a, b)| (a - b).abs())
            .sum();
        assert!(d > 0.0);
    }
    assert!(BqSettings::with_jitter(-1.0).is_err());
}

#[test]
fn classical_rules_are_exact_on_their_polynomials() {
    let iv = Interval::new(240.0, 240.1).unwrap();
    let (a, b) = (iv.a, iv.b);
    let shift = |x: f64| x - a;
    // ∫ (x − a)^p dx = L^{p+1}/(p+1)
    let exact = |p: i32| (b - a).powi(p + 1) / (p + 1) as f64;
    let x = uneven_nodes(a, b, 9);
    let w = Trapezoid.weights(&x, iv).unwrap();
    let q: f64 = x.iter().zip(&w).map(|(x, w)| w * shift(*x)).sum();
    assert!((q - exact(1)).abs() <= 1e-12 * exact(1));
    let w = Simpson.weights(&x, iv).unwrap();
    for p in 0..=3 {
        let q: f64 = x.iter().zip(&w).map(|(x, w)| w * shift(*x).powi(p)).sum();
        let tol = if p == 3 { 1e-3 } else { 1e-10 };
        assert!(
            (q - exact(p)).abs() <= tol * exact(p),
            "simpson p={p}: {q} vs {}",
            exact(p)
        );
    }
    let e = iv.equispaced(9);
    let w = Simpson.weights(&e, iv).unwrap();
    let q: f64 = e.iter().zip(&w).map(|(x, w)| w * shift(*x).powi(3)).sum();
    assert!(
        (q - exact(3)).abs() <= 1e-10 * exact(3),
        "equispaced Simpson is exact for cubics"
    );
    for n in [3, 5, 8] {
        let g = GaussLegendre.nodes(n, iv).unwrap();
        let w = GaussLegendre.weights(&g, iv).unwrap();
        let p = 2 * n as i32 - 1;
        let q: f64 = g.iter().zip(&w).map(|(x, w)| w * shift(*x).powi(p)).sum();
        assert!(
            (q - exact(p)).abs() <= 1e-9 * exact(p),
            "GL n={n}: {q} vs {}",
            exact(p)
        );
    }
    assert!(Simpson.nodes(4, iv).is_err());
    assert!(Trapezoid.weights(&[240.01, 240.1], iv).is_err());
    assert!(GaussLegendre.weights(&e, iv).is_err());
}

#[test]
fn maximum_likelihood_recovers_the_lengthscale_of_a_gp_sample() {
    let iv = Interval::new(0.0, 1.0).unwrap();
    let x = iv.equispaced(60);
    let truth = 0.25;
    let k = Kernel::new(KernelKind::Matern52, truth).unwrap();
    let gram = sym_from_fn(x.len(), |i, j| {
        k.eval(x[i], x[j]) + if i == j { 1e-10 } else { 0.0 }
    });
    let l = cholesky(gram.as_ref()).unwrap();
    let l = l.l();
    let mut rng = seeded_rng(7);
    let e: Vec<f64> = (0..x.len()).map(|_| standard_normal(&mut rng)).collect();
    let y: Vec<f64> = (0..x.len())
        .map(|i| (0..=i).map(|j| l[(i, j)] * e[j]).sum::<f64>() * 2.0)
        .collect();
    let fit = fit_lengthscale(
        KernelKind::Matern52,
        &x,
        &y,
        (0.01, 10.0),
        BqSettings::default(),
    )
    .unwrap();
    // One sample of 60 points pins ℓ to within a factor ~1.5 (sampling spread).
    assert!(
        fit.lengthscale > truth / 1.6 && fit.lengthscale < truth * 1.6,
        "fit {fit:?}"
    );
    assert!(
        fit.amplitude > 1.0 && fit.amplitude < 16.0,
        "amplitude {} (truth 4)",
        fit.amplitude
    );
    // The fit is a local maximum of the profile likelihood.
    for f in [0.97, 1.03] {
        let other = fit_lengthscale(
            KernelKind::Matern52,
            &x,
            &y,
            (fit.lengthscale * f * 0.9999, fit.lengthscale * f * 1.0001),
            BqSettings::default(),
        )
        .unwrap();
        assert!(other.log_likelihood <= fit.log_likelihood + 1e-9);
    }
    assert!(fit_lengthscale(
        KernelKind::Brownian,
        &x,
        &y,
        (0.1, 1.0),
        BqSettings::default()
    )
    .is_err());
}

#[test]
fn bq_variance_is_the_worst_case_error_of_its_weights_and_minimal() {
    let iv = Interval::new(240.0, 240.1).unwrap();
    let x = iv.equispaced(9);
    for kind in [
        KernelKind::Matern32,
        KernelKind::Matern52,
        KernelKind::Matern72,
    ] {
        let k = Kernel::new(kind, 0.3).unwrap();
        let rule = BqRule::new(k, iv, &x, BqSettings::default()).unwrap();
        let wce = worst_case_error(k, iv, &x, &rule.weights).unwrap();
        // Both are differences of O(∫∫k) = O(1e-2) quantities: compare at ε·∫∫k·cond.
        let tol = 1e-6 * rule.std() + 1e-9 * rule.initial_error.sqrt();
        assert!(
            (wce - rule.std()).abs() <= tol,
            "{kind:?}: wce {wce} vs std {}",
            rule.std()
        );
        // Any other rule does no better in the worst case.
        let trap = Trapezoid.weights(&x, iv).unwrap();
        let simp = Simpson.weights(&x, iv).unwrap();
        for w in [trap, simp] {
            assert!(worst_case_error(k, iv, &x, &w).unwrap() >= wce * (1.0 - 1e-6));
        }
    }
}
