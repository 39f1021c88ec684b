//! Closed forms every bound must reproduce (../shared/data/lipschitz/README.md).

use quadra_core::Mat;
use quadra_lipschitz::{
    lipschitz_bound, verify_certificate, Activation, BoundSettings, Dense, Layer, Method, Network,
    Norm, OutputSelection, SolverChoice,
};

fn dense(rows: usize, cols: usize, data: &[f64]) -> Layer {
    Layer::Dense(Dense::from_rows(rows, cols, data, None))
}

/// The bound with both LMI backends selected explicitly (closed-form methods ignore the
/// choice); they must agree and both certificates must verify.
fn bound(net: &Network, method: Method, norm: Norm) -> f64 {
    let mut values = Vec::new();
    for solver in [SolverChoice::Clarabel, SolverChoice::LowRank] {
        let settings = BoundSettings {
            solver,
            ..BoundSettings::default()
        };
        let b = lipschitz_bound(net, &OutputSelection::All, method, norm, &settings)
            .unwrap_or_else(|e| panic!("{} ({}): {e}", method.as_str(), settings.solver_name()));
        let proven = verify_certificate(net, &b.certificate).unwrap();
        assert!(proven <= b.value);
        values.push(b.value);
    }
    assert!(
        (values[0] - values[1]).abs() <= 1e-6 * values[0].max(1.0),
        "{values:?}"
    );
    values[0].max(values[1])
}

/// relu(x) − relu(−x) = x has L = 1; LipSDP's slope constraints cannot see the
/// correlation between the two neurons and give 2 (the README's closed form).
#[test]
fn relu_minus_relu_of_minus_gives_two() {
    let net = Network {
        input_dim: 1,
        layers: vec![
            dense(2, 1, &[1.0, -1.0]),
            Layer::Activation(Activation::Relu),
            dense(1, 2, &[1.0, -1.0]),
        ],
    };
    for m in [Method::LipsdpNeuron, Method::LipsdpLayer] {
        let v = bound(&net, m, Norm::L2);
        assert!((v - 2.0).abs() < 1e-6 * 2.0, "{}: {v}", m.as_str());
    }
    assert!((bound(&net, Method::Naive, Norm::L2) - 2.0).abs() < 1e-9);
}

/// On a diagonal network LipSDP-Neuron is exact: max_i |a_i b_i|.
#[test]
fn diagonal_network_is_exact_under_neuron() {
    let a = [0.5, -2.0, 1.5];
    let b = [3.0, 0.25, -1.0];
    let mut w0 = vec![0.0; 9];
    let mut w1 = vec![0.0; 9];
    for i in 0..3 {
        w0[i * 3 + i] = a[i];
        w1[i * 3 + i] = b[i];
    }
    let net = Network {
        input_dim: 3,
        layers: vec![
            dense(3, 3, &w0),
            Layer::Activation(Activation::Relu),
            dense(3, 3, &w1),
        ],
    };
    let exact: f64 = (0..3).map(|i| (a[i] * b[i]).abs()).fold(0.0, f64::max);
    let v = bound(&net, Method::LipsdpNeuron, Norm::L2);
    assert!(v >= exact && v <= exact * (1.0 + 1e-6), "{v} vs {exact}");
}

/// One MaxMin, three ways. As a residual ReLU network `x + (1, −1)ᵀ relu(x₂ − x₁)` it has
/// one neuron, so the S-procedure is lossless and LipSDP-Neuron is exact (1). As a
/// feed-forward ReLU network with five neurons (`max = relu(a−b) + relu(b) − relu(−b)`,
/// `min = relu(a) − relu(−a) − relu(a−b)`) LipSDP-Neuron gives 2. LipSDP-NSR on the
/// MaxMin activation itself gives the exact 1. (The shared README states √2 for "a single
/// MaxMin written as a residual ReLU network" without the representation; neither of ours
/// gives √2.)
#[test]
fn one_maxmin_three_ways() {
    let residual = Network {
        input_dim: 2,
        layers: vec![Layer::Residual(vec![
            dense(1, 2, &[-1.0, 1.0]),
            Layer::Activation(Activation::Relu),
            dense(2, 1, &[1.0, -1.0]),
        ])],
    };
    let feed_forward = Network {
        input_dim: 2,
        layers: vec![
            dense(5, 2, &[1.0, -1.0, 1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0]),
            Layer::Activation(Activation::Relu),
            dense(2, 5, &[1.0, 0.0, 0.0, 1.0, -1.0, -1.0, 1.0, -1.0, 0.0, 0.0]),
        ],
    };
    let maxmin = Network {
        input_dim: 2,
        layers: vec![
            dense(2, 2, &[1.0, 0.0, 0.0, 1.0]),
            Layer::Activation(Activation::MaxMin),
            dense(2, 2, &[1.0, 0.0, 0.0, 1.0]),
        ],
    };
    for x in [[0.3, -1.2], [2.0, 5.0], [-0.7, -0.1]] {
        let m = maxmin.forward(&x).unwrap();
        for other in [&residual, &feed_forward] {
            let a = other.forward(&x).unwrap();
            assert!(
                (a[0] - m[0]).abs() < 1e-15 && (a[1] - m[1]).abs() < 1e-15,
                "{a:?} {m:?}"
            );
        }
    }
    let v = bound(&residual, Method::LipsdpNeuron, Norm::L2);
    assert!((v - 1.0).abs() < 1e-5, "{v}");
    let v = bound(&feed_forward, Method::LipsdpNeuron, Norm::L2);
    assert!((v - 2.0).abs() < 1e-5, "{v}");
    let v = bound(&maxmin, Method::LipsdpNsr, Norm::L2);
    assert!((v - 1.0).abs() < 1e-5, "{v}");
}

/// Orthogonal weights with MaxMin activations: NSR = 1.
#[test]
fn orthogonal_maxmin_network_has_nsr_one() {
    let mut rng = quadra_core::seeded_rng(7);
    let mut layers = Vec::new();
    for k in 0..3 {
        let q: Mat<f64> = quadra_core::haar_orthogonal(6, &mut rng);
        layers.push(Layer::Dense(Dense::new(q)));
        if k < 2 {
            layers.push(Layer::Activation(Activation::MaxMin));
        }
    }
    let net = Network {
        input_dim: 6,
        layers,
    };
    let v = bound(&net, Method::LipsdpNsr, Norm::L2);
    assert!((v - 1.0).abs() < 1e-5, "{v}");
    let n = bound(&net, Method::Naive, Norm::L2);
    // Up to the certificate's pads (the solver works at 1e-8).
    assert!(v <= n * (1.0 + 1e-5), "{v} > naive {n}");
}
