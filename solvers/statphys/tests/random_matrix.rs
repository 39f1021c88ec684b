//! Closed forms of the random-matrix laws against seeded Monte-Carlo spectra
//! from quadra-core's ensembles, and the RIE against its asymptotic MMSE.

use quadra_core::rng::{gaussian_matrix, goe, seeded_rng, wishart};
use quadra_core::spectral::symmetric_eigenvalues;
use quadra_core::Mat;
use quadra_statphys::rie::rie_denoise;
use quadra_statphys::{
    mmse_den, spiked_covariance_top, spiked_wigner_top, Complex64, MarchenkoPastur, Semicircle,
};

/// Kolmogorov distance allowed between the empirical and limiting CDFs: the
/// DKW bound √(ln(2/δ)/(2n)) at δ = 1e-6 (eigenvalues of these ensembles
/// fluctuate far less than iid samples, so this is conservative), plus the
/// O(1/n) bias of the finite-n spectrum.
fn cdf_tol(n: usize) -> f64 {
    ((2.0e6_f64).ln() / (2.0 * n as f64)).sqrt() + 2.0 / n as f64
}

/// Edge and outlier fluctuations: Tracy–Widom scale n^{-2/3} for edges,
/// n^{-1/2} for outliers; 6 standard units.
fn edge_tol(n: usize) -> f64 {
    6.0 * (n as f64).powf(-2.0 / 3.0)
}
fn outlier_tol(n: usize) -> f64 {
    6.0 / (n as f64).sqrt()
}

fn max_cdf_gap(eigs: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = eigs.len() as f64;
    eigs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let c = cdf(x);
            (c - i as f64 / n).abs().max((c - (i + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max)
}

fn cdf_from_density(density: impl Fn(f64) -> f64, lo: f64, x: f64) -> f64 {
    if x <= lo {
        return 0.0;
    }
    let rule = quadra_core::quadrature::gauss_legendre(64).unwrap();
    // Edge substitution x = lo + (x-lo) sin²: smooth for square-root edges.
    rule.integrate(
        |th: f64| {
            let y = lo + (x - lo) * (1.0 - th.cos()) / 2.0;
            density(y) * (x - lo) * th.sin() / 2.0
        },
        0.0,
        std::f64::consts::PI,
    )
}

#[test]
fn semicircle_against_goe() {
    let n = 400;
    let mut rng = seeded_rng(11);
    let eigs = symmetric_eigenvalues(goe(n, &mut rng).as_ref()).unwrap();
    let sc = Semicircle::new(1.0).unwrap();
    let gap = max_cdf_gap(&eigs, |x| {
        cdf_from_density(|y| sc.density(y), -2.0, x.min(2.0))
    });
    assert!(gap < cdf_tol(n), "KS {gap}");
    let (lo, hi) = sc.edges();
    assert!((eigs[0] - lo).abs() < edge_tol(n) && (eigs[n - 1] - hi).abs() < edge_tol(n));
    // Cauchy transform vs the empirical resolvent trace, away from the support.
    for z in [
        Complex64::new(3.0, 0.0),
        Complex64::new(0.5, 1.0),
        Complex64::new(-2.5, 0.2),
    ] {
        let emp: Complex64 = eigs.iter().map(|&l| 1.0 / (z - l)).sum::<Complex64>() / n as f64;
        assert!((emp - sc.cauchy(z)).norm() < 0.05, "z={z}");
        // R-transform identity G(R(g) + 1/g) = g.
        let g = sc.cauchy(z);
        assert!((sc.cauchy(sc.r_transform(g) + 1.0 / g) - g).norm() < 1e-12);
    }
}

#[test]
fn marchenko_pastur_against_wishart() {
    for &(n, p) in &[(200usize, 400usize), (300, 150)] {
        let mut rng = seeded_rng(7 + n as u64);
        let eigs = symmetric_eigenvalues(wishart(n, p, &mut rng).unwrap().as_ref()).unwrap();
        let mp = MarchenkoPastur::new(n as f64 / p as f64).unwrap();
        let (a, b) = mp.edges();
        let atom = mp.atom();
        // Continuous part: the non-zero eigenvalues against the density
        // renormalised by 1 − atom (the zero eigenvalues are counted below).
        let bulk: Vec<f64> = eigs.iter().copied().filter(|l| l.abs() > 1e-8).collect();
        let gap = max_cdf_gap(&bulk, |x| {
            cdf_from_density(|y| mp.density(y), a, x.min(b)) / (1.0 - atom)
        });
        assert!(gap < cdf_tol(bulk.len()), "n={n} p={p}: KS {gap}");
        assert!(
            (eigs[n - 1] - b).abs() < edge_tol(n) * b,
            "top {}",
            eigs[n - 1]
        );
        let zero = eigs.iter().filter(|&&l| l.abs() < 1e-8).count() as f64 / n as f64;
        assert!(
            (zero - atom).abs() < 1.0 / n as f64 + 1e-12,
            "atom {zero} vs {atom}"
        );
        for z in [Complex64::new(-1.0, 0.0), Complex64::new(1.0, 0.7)] {
            let emp: Complex64 = eigs.iter().map(|&l| 1.0 / (z - l)).sum::<Complex64>() / n as f64;
            assert!((emp - mp.cauchy(z)).norm() < 0.05, "z={z}");
            let g = mp.cauchy(z);
            assert!((mp.cauchy(mp.r_transform(g) + 1.0 / g) - g).norm() < 1e-10);
        }
    }
}

#[test]
fn bbp_spiked_wigner() {
    let n = 500;
    for (seed, &theta) in [0.5, 2.0, 3.0].iter().enumerate() {
        let mut rng = seeded_rng(100 + seed as u64);
        let mut m = goe(n, &mut rng);
        // v = e₁ (rotation invariance of the GOE makes the direction irrelevant).
        m[(0, 0)] += theta;
        let eigs = symmetric_eigenvalues(m.as_ref()).unwrap();
        let want = spiked_wigner_top(theta, 1.0).unwrap();
        let tol = if theta > 1.0 {
            outlier_tol(n)
        } else {
            edge_tol(n)
        };
        assert!(
            (eigs[n - 1] - want).abs() < tol,
            "θ={theta}: {} vs {want}",
            eigs[n - 1]
        );
    }
}

#[test]
fn bbp_spiked_covariance() {
    let (n, p) = (200usize, 800usize);
    let gamma = n as f64 / p as f64;
    for (seed, &ell) in [1.2, 3.0, 5.0].iter().enumerate() {
        let mut rng = seeded_rng(200 + seed as u64);
        let mut x = gaussian_matrix(n, p, &mut rng);
        for j in 0..p {
            x[(0, j)] *= f64::sqrt(ell);
        }
        let c: Mat<f64> = &x * x.transpose() * (1.0 / p as f64);
        let c = quadra_core::symmetric::symmetrize(c.as_ref()).unwrap();
        let top = *symmetric_eigenvalues(c.as_ref()).unwrap().last().unwrap();
        let want = spiked_covariance_top(ell, gamma).unwrap();
        let tol = if ell > 1.0 + gamma.sqrt() {
            outlier_tol(p) * ell
        } else {
            edge_tol(n) * want
        };
        assert!((top - want).abs() < tol, "ℓ={ell}: {top} vs {want}");
    }
}

#[test]
fn rie_reaches_mmse_den_on_a_sample() {
    // Y = S*/√d + √t·GOE with S* = WWᵀ/√m. Finite-size tolerance: the error is an
    // average of d² terms with O(1/d) bias from the edges and outliers; 0.02 at
    // d = 200 (observed spread across seeds ≪ that).
    const RIE_TOL: f64 = 0.02;
    let d = 200;
    for (seed, &(kappa, t)) in [(0.5_f64, 0.3_f64), (2.0, 0.5)].iter().enumerate() {
        let m = (kappa * d as f64) as usize;
        let mut rng = seeded_rng(300 + seed as u64);
        let w = gaussian_matrix(d, m, &mut rng);
        let scale = 1.0 / ((m as f64).sqrt() * (d as f64).sqrt());
        let s: Mat<f64> = &w * w.transpose() * scale;
        let noise = goe(d, &mut rng);
        let y = Mat::from_fn(d, d, |i, j| s[(i, j)] + t.sqrt() * noise[(i, j)]);
        let y = quadra_core::symmetric::symmetrize(y.as_ref()).unwrap();
        let s = quadra_core::symmetric::symmetrize(s.as_ref()).unwrap();
        let est = rie_denoise(y.as_ref(), kappa, t).unwrap();
        let err = (0..d)
            .flat_map(|j| (0..d).map(move |i| (i, j)))
            .map(|(i, j)| (est[(i, j)] - s[(i, j)]).powi(2))
            .sum::<f64>()
            / d as f64;
        let want = mmse_den(kappa, t).unwrap();
        assert!(
            (err - want).abs() < RIE_TOL,
            "κ={kappa} t={t}: {err} vs {want}"
        );
        // The identity map (no denoising) errs by t: the RIE must do much better.
        assert!(err < 0.8 * t);
    }
}

#[test]
fn semicircle_prior_closed_form() {
    // A unit semicircle prior denoised at noise t: MMSE = t/(1+t), via
    // ∫ρ³ = 3/(4π²s²) of the semicircle of variance s² = 1 + t.
    for &t in &[0.1, 0.5, 2.0] {
        let s2 = 1.0 + t;
        let sc = Semicircle::new(s2).unwrap();
        let rule = quadra_core::quadrature::gauss_legendre(80).unwrap();
        let r = 2.0 * s2.sqrt();
        let i3 = rule.integrate(
            |th: f64| sc.density(-r * th.cos()).powi(3) * r * th.sin(),
            0.0,
            std::f64::consts::PI,
        );
        assert!((i3 - 3.0 / (4.0 * std::f64::consts::PI.powi(2) * s2)).abs() < 1e-10);
        let m = t - 4.0 * std::f64::consts::PI.powi(2) / 3.0 * t * t * i3;
        assert!((m - t / (1.0 + t)).abs() < 1e-10);
        // And our free convolution at κ → ∞ approaches it.
        assert!((mmse_den(1e6, t).unwrap() - t / (1.0 + t)).abs() < 1e-3);
    }
}

#[test]
fn bad_parameters() {
    assert!(Semicircle::new(0.0).is_err());
    assert!(MarchenkoPastur::new(-1.0).is_err());
    assert!(spiked_wigner_top(1.0, 0.0).is_err());
    assert!(spiked_covariance_top(f64::NAN, 0.5).is_err());
}
