//! GLM state evolution, free entropy and thresholds: closed forms, independent
//! cross-checks and published thresholds (proofs/glm_state_evolution.md).

use quadra_core::rng::{seeded_rng, wishart};
use quadra_core::symmetric_eigen;
use quadra_statphys::glm::{default_settings, BranchKind};
use quadra_statphys::{glm_curve, glm_point, glm_thresholds, GlmChannel, GlmModel, GlmPrior};

/// Ridge / Gaussian-channel MMSE in closed form: the positive root of
/// `E² + (Δ + α − 1)E − Δ = 0` (proofs §6).
fn ridge_mmse(alpha: f64, delta: f64) -> f64 {
    let b = delta + alpha - 1.0;
    if delta == 0.0 {
        return (1.0 - alpha).max(0.0);
    }
    0.5 * (-b + (b * b + 4.0 * delta).sqrt())
}

#[test]
fn gaussian_prior_gaussian_channel_closed_form() {
    for delta in [0.0, 0.1, 0.5] {
        for alpha in [0.3, 0.8, 1.7, 3.0] {
            let m =
                GlmModel::new(GlmPrior::Gaussian, GlmChannel::Gaussian { delta }, alpha).unwrap();
            let p = glm_point(&m, &default_settings()).unwrap();
            let e = ridge_mmse(alpha, delta);
            // SE is contracting with rate ≤ 1/(α + …) away from α = 1: the 1e-10
            // residual bounds the error by 1e-10/(1 − rate) < 1e-8.
            assert!(
                (p.mmse - e).abs() < 1e-8,
                "Δ={delta} α={alpha}: {} vs {e}",
                p.mmse
            );
            assert!((p.gen_error - (delta + e)).abs() < 1e-8);
            assert_eq!(p.branch, BranchKind::Uninformed);
            assert!((p.amp_mmse - p.mmse).abs() < 1e-12);
            // Free entropy: closed form −ln(1+r)/2 + rE/2 − α(ln(2π(Δ+E)) + 1)/2, r = α/(Δ+E).
            if delta > 0.0 {
                let r = alpha / (delta + e);
                let f = -0.5 * r.ln_1p() + 0.5 * r * e
                    - 0.5 * alpha * ((2.0 * std::f64::consts::PI * (delta + e)).ln() + 1.0);
                assert!((p.free_entropy.unwrap() - f).abs() < 1e-8);
            }
        }
    }
}

/// Independent cross-check by random matrices: for `F` with i.i.d. `N(0, 1/N)` entries
/// (n = αN rows), the Bayes estimator of a Gaussian signal is ridge and
/// `MMSE = E tr(I + FᵀF/Δ)⁻¹/N`, `I/N = E Σ ln(1 + λᵢ/Δ)/(2N)`; the replica formulas
/// must match these finite-N spectra (Wishart, seeded) within finite-size error.
#[test]
fn ridge_mmse_and_mutual_information_match_wishart_spectra() {
    let n_dim = 300;
    let mut rng = seeded_rng(11);
    for (alpha, delta) in [(0.5, 0.2), (2.0, 0.5)] {
        let n = (alpha * n_dim as f64) as usize;
        // wishart(N, n) = XXᵀ/n with X ∈ ℝ^{N×n}: FᵀF = (n/N)·W.
        let w = wishart(n_dim, n, &mut rng).unwrap();
        let eig = symmetric_eigen(w.as_ref()).unwrap();
        let scale = n as f64 / n_dim as f64;
        let lams: Vec<f64> = eig.values.iter().map(|&l| (scale * l).max(0.0)).collect();
        let mmse_mc = lams.iter().map(|l| 1.0 / (1.0 + l / delta)).sum::<f64>() / n_dim as f64;
        let mi_mc = lams.iter().map(|l| (1.0 + l / delta).ln()).sum::<f64>() / (2.0 * n_dim as f64);
        let m = GlmModel::new(GlmPrior::Gaussian, GlmChannel::Gaussian { delta }, alpha).unwrap();
        let p = glm_point(&m, &default_settings()).unwrap();
        // I/N = −f_RS − (α/2)·ln(2πeΔ) (the channel entropy; proofs §6).
        let mi = -p.free_entropy.unwrap()
            - 0.5 * alpha * (2.0 * std::f64::consts::PI * std::f64::consts::E * delta).ln();
        // Linear spectral statistics of a Wishart matrix fluctuate O(1/N) and their
        // mean is off by O(1/N): 3/N = 0.01 is a generous finite-size tolerance.
        let tol = 3.0 / n_dim as f64;
        assert!(
            (p.mmse - mmse_mc).abs() < tol,
            "α={alpha}: {} vs MC {mmse_mc}",
            p.mmse
        );
        assert!((mi - mi_mc).abs() < tol, "α={alpha}: I {mi} vs MC {mi_mc}");
    }
}

/// The binary perceptron (Rademacher prior, sign channel): Gardner & Derrida (1989) /
/// Györgyi (1990) find the first-order transition to perfect generalisation at
/// α = 1.245; Barbier et al. (2019) report the algorithmic (AMP) threshold 1.493.
#[test]
fn binary_perceptron_thresholds() {
    let th = glm_thresholds(GlmPrior::Rademacher, GlmChannel::Sign).unwrap();
    let alg = th.algorithmic.unwrap();
    let it = th.information_theoretic.unwrap();
    assert!((alg - 1.493).abs() < 5e-4, "α_alg = {alg}");
    assert!((it - 1.245).abs() < 5e-4, "α_IT = {it}");
    // Independent check of α_alg by running the state evolution on both sides.
    let s = default_settings();
    let below = glm_point(
        &GlmModel::new(GlmPrior::Rademacher, GlmChannel::Sign, alg - 1e-4).unwrap(),
        &s,
    )
    .unwrap();
    let above = glm_point(
        &GlmModel::new(GlmPrior::Rademacher, GlmChannel::Sign, alg + 1e-4).unwrap(),
        &s,
    )
    .unwrap();
    assert!(below.amp_overlap < 0.95 && above.amp_overlap == 1.0);
    // And of α_IT through the branch selection of glm_point.
    let before = glm_point(
        &GlmModel::new(GlmPrior::Rademacher, GlmChannel::Sign, it - 1e-4).unwrap(),
        &s,
    )
    .unwrap();
    let after = glm_point(
        &GlmModel::new(GlmPrior::Rademacher, GlmChannel::Sign, it + 1e-4).unwrap(),
        &s,
    )
    .unwrap();
    assert_eq!(before.branch, BranchKind::Uninformed);
    assert!(before.gen_error > 0.1 && before.free_entropy.unwrap() > -std::f64::consts::LN_2);
    assert_eq!(after.branch, BranchKind::Informed);
    assert_eq!(after.gen_error, 0.0);
    assert!(
        after.amp_gen_error > 0.1,
        "hard phase: AMP stays away from the teacher"
    );
}

/// Noiseless compressed sensing with a Gauss–Bernoulli prior: α_IT = ρ (Wu–Verdú) and
/// α_alg(ρ) = sup_r r·mmse(r) (Krzakala et al. 2012), checked against the state
/// evolution on both sides, ρ < α_alg < 1, and increasing in ρ.
#[test]
fn compressed_sensing_amp_threshold_curve() {
    let s = default_settings();
    let mut last = 0.0;
    for rho in [0.1, 0.3, 0.5, 0.7] {
        let prior = GlmPrior::GaussBernoulli { rho };
        let ch = GlmChannel::Gaussian { delta: 0.0 };
        let th = glm_thresholds(prior, ch).unwrap();
        let alg = th.algorithmic.unwrap();
        assert_eq!(th.information_theoretic, Some(rho));
        assert!(alg > rho && alg < 1.0 && alg > last, "ρ={rho}: {alg}");
        last = alg;
        let below = glm_point(&GlmModel::new(prior, ch, alg - 1e-3).unwrap(), &s).unwrap();
        let above = glm_point(&GlmModel::new(prior, ch, alg + 1e-3).unwrap(), &s).unwrap();
        assert!(
            below.amp_mmse > 1e-3 * rho,
            "ρ={rho}: AMP should be stuck below α_alg"
        );
        assert_eq!(
            above.amp_mmse, 0.0,
            "ρ={rho}: AMP should recover above α_alg"
        );
        // Between α_IT and α_alg the thermodynamic branch is perfect recovery.
        assert_eq!(below.branch, BranchKind::Informed);
        assert_eq!(below.mmse, 0.0);
    }
}

#[test]
fn continuous_transitions_and_no_threshold_cases() {
    // Gaussian prior: CS recovers iff α ≥ 1, ReLU iff α ≥ 2 (half the samples are linear).
    let th = glm_thresholds(GlmPrior::Gaussian, GlmChannel::Gaussian { delta: 0.0 }).unwrap();
    assert_eq!(th.algorithmic, Some(1.0));
    let th = glm_thresholds(GlmPrior::Gaussian, GlmChannel::Relu).unwrap();
    assert!((th.algorithmic.unwrap() - 2.0).abs() < 1e-6);
    // One bit per sample cannot pin a real number; noisy channels never recover.
    let th = glm_thresholds(GlmPrior::Gaussian, GlmChannel::Sign).unwrap();
    assert_eq!((th.algorithmic, th.information_theoretic), (None, None));
    let th = glm_thresholds(GlmPrior::Rademacher, GlmChannel::Gaussian { delta: 0.1 }).unwrap();
    assert_eq!(th.algorithmic, None);
}

#[test]
fn curve_continuation_matches_cold_starts_and_is_monotone() {
    let alphas: Vec<f64> = (1..=12).map(|i| 0.25 * i as f64).collect();
    let s = default_settings();
    for (prior, ch) in [
        (GlmPrior::Rademacher, GlmChannel::Sign),
        (
            GlmPrior::GaussBernoulli { rho: 0.3 },
            GlmChannel::Gaussian { delta: 0.01 },
        ),
        (GlmPrior::Gaussian, GlmChannel::Relu),
    ] {
        let curve = glm_curve(prior, ch, &alphas, &s).unwrap();
        for (a, p) in alphas.iter().zip(&curve) {
            let cold = glm_point(&GlmModel::new(prior, ch, *a).unwrap(), &s).unwrap();
            assert!(
                (cold.amp_overlap - p.amp_overlap).abs() < 1e-7,
                "{prior:?} {ch:?} α={a}"
            );
            assert!((cold.overlap - p.overlap).abs() < 1e-7);
        }
        for w in curve.windows(2) {
            assert!(w[1].overlap >= w[0].overlap - 1e-9);
            assert!(w[1].gen_error <= w[0].gen_error + 1e-9);
        }
    }
}

#[test]
fn bad_parameters_are_errors() {
    assert!(GlmModel::new(GlmPrior::Gaussian, GlmChannel::Sign, 0.0).is_err());
    assert!(GlmModel::new(GlmPrior::Gaussian, GlmChannel::Sign, f64::NAN).is_err());
    assert!(GlmModel::new(GlmPrior::GaussBernoulli { rho: 1.5 }, GlmChannel::Sign, 1.0).is_err());
    assert!(GlmModel::new(
        GlmPrior::Gaussian,
        GlmChannel::Gaussian { delta: -0.1 },
        1.0
    )
    .is_err());
    assert!(glm_thresholds(GlmPrior::GaussBernoulli { rho: 0.0 }, GlmChannel::Sign).is_err());
}

/// Independent check of the state evolution: Bayes-optimal AMP on sampled instances
/// (N = 2000, seeded) follows the SE trajectory `E_{t+1} = mmse(α/(Δ + E_t))` iteration by
/// iteration, including getting stuck in the hard phase of compressed sensing.
#[test]
fn amp_simulation_tracks_state_evolution() {
    use quadra_statphys::glm::amp::amp_gaussian_channel;
    let n_dim = 2000;
    for (prior, delta, alpha) in [
        (GlmPrior::GaussBernoulli { rho: 0.3 }, 1e-4, 0.4), // hard phase: AMP stuck
        (GlmPrior::GaussBernoulli { rho: 0.3 }, 1e-4, 0.6), // AMP recovers
        (GlmPrior::Rademacher, 0.1, 0.5),
        (GlmPrior::Gaussian, 0.2, 1.5),
    ] {
        let m = GlmModel::new(prior, GlmChannel::Gaussian { delta }, alpha).unwrap();
        let rho = prior.second_moment();
        let se: Vec<f64> = m
            .se_trajectory(0.0, 25, 0.0)
            .unwrap()
            .iter()
            .map(|q| rho - q)
            .collect();
        let amp = amp_gaussian_channel(prior, delta, alpha, n_dim, se.len(), 5).unwrap();
        // Per-component errors average N terms: fluctuations ~ρ·N^{-1/2} ≈ 0.02ρ, and
        // they compound along the trajectory; 0.05ρ + 10% of the value bounds them.
        for (t, (a, s)) in amp.iter().zip(&se).enumerate() {
            let tol = 0.05 * rho + 0.1 * s;
            assert!(
                (a - s).abs() < tol,
                "{prior:?} Δ={delta} α={alpha} t={t}: AMP {a} vs SE {s}"
            );
        }
    }
}
