//! Certificates: they verify, they reject tampering and other networks, and the bound they
//! prove is never below what the network actually does.

use quadra_core::{gaussian_matrix, seeded_rng, Mat};
use quadra_lipschitz::{
    lipschitz_bound, verify_certificate, Activation, BoundSettings, Dense, Implicit, Layer,
    LipschitzError, Method, Network, Norm, OutputSelection,
};

fn random_net(dims: &[usize], act: Activation, seed: u64) -> Network {
    let mut rng = seeded_rng(seed);
    let mut layers = Vec::new();
    for k in 0..dims.len() - 1 {
        let w: Mat<f64> = gaussian_matrix(dims[k + 1], dims[k], &mut rng);
        let s = 1.0 / (dims[k] as f64).sqrt();
        let w = Mat::from_fn(w.nrows(), w.ncols(), |i, j| w[(i, j)] * s);
        layers.push(Layer::Dense(Dense::new(w)));
        if k + 2 < dims.len() {
            layers.push(Layer::Activation(act.clone()));
        }
    }
    Network {
        input_dim: dims[0],
        layers,
    }
}

/// The bound with default settings.
fn bound(
    net: &Network,
    sel: &OutputSelection,
    method: Method,
    norm: Norm,
) -> quadra_lipschitz::Result<quadra_lipschitz::Bound> {
    lipschitz_bound(net, sel, method, norm, &BoundSettings::default())
}

/// Largest ‖J(x)‖₂ over seeded random points: a lower bound on the ℓ2 constant.
fn sampled_gradient_norm(net: &Network, seed: u64) -> f64 {
    let mut rng = seeded_rng(seed);
    let mut best = 0.0f64;
    for _ in 0..200 {
        let x = quadra_core::rng::gaussian_vec(net.input_dim, &mut rng);
        let j = net.jacobian(&x).unwrap();
        best = best.max(quadra_core::spectral_norm(j.as_ref()).unwrap().lower);
    }
    best
}

#[test]
fn certificates_verify_and_tampering_is_caught() {
    let net = random_net(&[4, 8, 8, 3], Activation::Relu, 1);
    let b = bound(&net, &OutputSelection::All, Method::LipsdpNeuron, Norm::L2).unwrap();
    let proven = verify_certificate(&net, &b.certificate).unwrap();
    assert!(proven <= b.value);
    assert!(b.value >= sampled_gradient_norm(&net, 3));

    // A bound stated below what the multipliers prove is rejected.
    let mut low = b.certificate.clone();
    low.bound = proven * 0.999;
    assert!(matches!(
        verify_certificate(&net, &low),
        Err(LipschitzError::NotCertified(_))
    ));
    // Shrinking ρ breaks the LMI.
    let mut shrunk = b.certificate.clone();
    shrunk.multipliers[0] *= 0.9;
    shrunk.bound *= 0.95;
    assert!(verify_certificate(&net, &shrunk).is_err());
    // A negative slope multiplier violates its sign restriction.
    let mut neg = b.certificate.clone();
    neg.multipliers[1] = -1.0;
    assert!(verify_certificate(&net, &neg).is_err());
    // Another network has another fingerprint.
    let other = random_net(&[4, 8, 8, 3], Activation::Relu, 2);
    assert!(matches!(
        verify_certificate(&other, &b.certificate),
        Err(LipschitzError::BadCertificate(_))
    ));
    // The certificate survives a JSON round trip.
    let text = serde_json::to_string(&b.certificate).unwrap();
    let back: quadra_lipschitz::Certificate = serde_json::from_str(&text).unwrap();
    assert_eq!(verify_certificate(&net, &back).unwrap(), proven);
}

#[test]
fn margin_and_row_selection_bound_the_selected_function() {
    let net = random_net(&[5, 10, 4], Activation::Tanh, 4);
    let all = bound(&net, &OutputSelection::All, Method::LipsdpNeuron, Norm::L2).unwrap();
    let row = bound(
        &net,
        &OutputSelection::Rows { rows: vec![2] },
        Method::LipsdpNeuron,
        Norm::L2,
    )
    .unwrap();
    let margin = bound(
        &net,
        &OutputSelection::Margin { i: 0, j: 3 },
        Method::LipsdpNeuron,
        Norm::L2,
    )
    .unwrap();
    // One row is bounded by the whole map; the margin by √2 times it.
    assert!(row.value <= all.value * (1.0 + 1e-5));
    assert!(margin.value <= 2f64.sqrt() * all.value * (1.0 + 1e-5));
    for b in [&row, &margin] {
        verify_certificate(&net, &b.certificate).unwrap();
    }
    let mut sel = net.clone();
    sel.select_margin(0, 3).unwrap();
    assert!(margin.value >= sampled_gradient_norm(&sel, 5));
    assert!(bound(
        &net,
        &OutputSelection::Margin { i: 0, j: 9 },
        Method::Naive,
        Norm::L2
    )
    .is_err());
}

#[test]
fn linf_bound_dominates_gradient_l1_norms() {
    // One output: the ℓ∞ constant is sup ‖∇f‖₁.
    let net = random_net(&[6, 12, 1], Activation::Relu, 6);
    let b = bound(
        &net,
        &OutputSelection::All,
        Method::LipsdpNeuron,
        Norm::Linf,
    )
    .unwrap();
    verify_certificate(&net, &b.certificate).unwrap();
    let naive = bound(&net, &OutputSelection::All, Method::Naive, Norm::Linf).unwrap();
    assert!(
        b.value <= naive.value * (1.0 + 1e-5),
        "{} > naive {}",
        b.value,
        naive.value
    );
    let mut rng = seeded_rng(8);
    for _ in 0..300 {
        let x = quadra_core::rng::gaussian_vec(6, &mut rng);
        let j = net.jacobian(&x).unwrap();
        let l1: f64 = (0..6).map(|c| j[(0, c)].abs()).sum();
        assert!(l1 <= b.value);
    }
}

#[test]
fn implicit_layer_bound_is_above_sampled_gradients() {
    let mut rng = seeded_rng(9);
    let w: Mat<f64> = gaussian_matrix(6, 6, &mut rng);
    let w = Mat::from_fn(6, 6, |i, j| 0.15 * w[(i, j)]);
    let u: Mat<f64> = gaussian_matrix(6, 3, &mut rng);
    let net = Network {
        input_dim: 3,
        layers: vec![
            Layer::Implicit(Implicit {
                w,
                u,
                bias: vec![0.1; 6],
                activation: Activation::Tanh,
            }),
            Layer::Dense(Dense::new(gaussian_matrix(2, 6, &mut rng))),
        ],
    };
    let b = bound(&net, &OutputSelection::All, Method::LipsdpNeuron, Norm::L2).unwrap();
    verify_certificate(&net, &b.certificate).unwrap();
    assert!(b.value >= sampled_gradient_norm(&net, 10));
    let naive = bound(&net, &OutputSelection::All, Method::Naive, Norm::L2).unwrap();
    assert!(b.value <= naive.value * (1.0 + 1e-5));
}

#[test]
fn deep_maxmin_network_needs_normalisation_and_certifies() {
    // 12 layers with norms ~8 each: ~10¹⁰ range across the chain.
    let mut rng = seeded_rng(11);
    let mut layers = Vec::new();
    for k in 0..12 {
        let w: Mat<f64> = gaussian_matrix(8, 8, &mut rng);
        layers.push(Layer::Dense(Dense::new(Mat::from_fn(8, 8, |i, j| {
            2.0 * w[(i, j)]
        }))));
        if k < 11 {
            layers.push(Layer::Activation(Activation::MaxMin));
        }
    }
    let net = Network {
        input_dim: 8,
        layers,
    };
    let nsr = bound(&net, &OutputSelection::All, Method::LipsdpNsr, Norm::L2).unwrap();
    verify_certificate(&net, &nsr.certificate).unwrap();
    let naive = bound(&net, &OutputSelection::All, Method::Naive, Norm::L2).unwrap();
    assert!(nsr.value <= naive.value * (1.0 + 1e-5));
    assert!(nsr.value >= sampled_gradient_norm(&net, 12));
}

/// A deep, narrow random ReLU chain loses most of its per-layer norm: after
/// normalisation its multipliers fall geometrically towards the input, so the
/// certificate is proven on the program rebalanced layer by layer
/// (`preprocess::Rebalancing`). The certificate carries those exponents (not the plain
/// normalisation's), verifies, and bounds sampled gradients.
#[test]
fn deep_relu_chain_certifies_through_per_layer_rebalancing() {
    let mut dims = vec![6usize; 25];
    dims.push(2);
    let net = random_net(&dims, Activation::Relu, 21);
    let b = bound(&net, &OutputSelection::All, Method::LipsdpNeuron, Norm::L2).unwrap();
    let (_, plain) = quadra_lipschitz::preprocess::normalise_layers(&net).unwrap();
    let solver_scale = b.solver_value.unwrap() / quadra_lipschitz::preprocess::scale_of(&plain);
    assert!(
        solver_scale < 1e-2,
        "normalised constant {solver_scale}: the chain should lose most of its norm"
    );
    let moved = b
        .certificate
        .layer_exponents
        .iter()
        .zip(&plain)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        moved >= plain.len() / 2,
        "only {moved} of {} layer exponents were rebalanced",
        plain.len()
    );
    let proven = verify_certificate(&net, &b.certificate).unwrap();
    assert!((proven - b.value).abs() <= 1e-12 * b.value);
    assert!(b.value >= sampled_gradient_norm(&net, 22));
    assert!(b.value <= b.solver_value.unwrap() * (1.0 + 1e-4));
    // The rebalanced multipliers are of order one in every block.
    let big = b
        .certificate
        .multipliers
        .iter()
        .fold(0.0f64, |m, a| m.max(*a));
    assert!((0.25..=4.0).contains(&big), "largest multiplier {big}");
}

/// ECLipsE-Fast's closed-form point leaves the last hidden block exactly singular; the
/// certificate lifts it by scaling the multipliers by `1 + 1e-8` (or `1 + 1e-5`), which
/// `F_hh(λτ) = λF_hh(τ) + (λ−1)CᵀC_hh` makes strictly positive. A deep chain certifies,
/// verifies, and stays between LipSDP-Layer and the naive product.
#[test]
fn eclipse_fast_certifies_on_a_deep_chain() {
    let mut dims = vec![16usize; 21];
    dims.push(3);
    let net = random_net(&dims, Activation::Relu, 33);
    let e = bound(&net, &OutputSelection::All, Method::EclipseFast, Norm::L2).unwrap();
    let proven = verify_certificate(&net, &e.certificate).unwrap();
    assert!((proven - e.value).abs() <= 1e-12 * e.value);
    let layer = bound(&net, &OutputSelection::All, Method::LipsdpLayer, Norm::L2).unwrap();
    let naive = bound(&net, &OutputSelection::All, Method::Naive, Norm::L2).unwrap();
    assert!(
        layer.value <= e.value * (1.0 + 1e-5),
        "{} > {}",
        layer.value,
        e.value
    );
    assert!(e.value <= naive.value, "{} > {}", e.value, naive.value);
}
