//! Ordering invariants on random networks (property tests):
//! sampled lower ≤ neuron ≤ layer ≤ eclipse-fast, layer ≤ naive, neuron ≤ liplt ≤ naive.

use proptest::prelude::*;
use quadra_core::{gaussian_matrix, seeded_rng, Mat};
use quadra_lipschitz::{
    lipschitz_bound, Activation, BoundSettings, Dense, Layer, Method, Network, Norm,
    OutputSelection,
};

/// The solver works at 1e-8 relative; certificates add ≤ 1e-6 of padding.
const REL: f64 = 1e-5;

fn net(dims: &[usize], act: Activation, seed: u64) -> Network {
    let mut rng = seeded_rng(seed);
    let mut layers = Vec::new();
    for k in 0..dims.len() - 1 {
        let w: Mat<f64> = gaussian_matrix(dims[k + 1], dims[k], &mut rng);
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

fn value(n: &Network, m: Method) -> f64 {
    lipschitz_bound(
        n,
        &OutputSelection::All,
        m,
        Norm::L2,
        &BoundSettings::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", m.as_str()))
    .value
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn bounds_are_ordered(seed in 0u64..10_000, w1 in 2usize..7, w2 in 2usize..7, tanh in any::<bool>()) {
        let act = if tanh { Activation::Tanh } else { Activation::Relu };
        let n = net(&[3, w1, w2, 2], act, seed);
        let naive = value(&n, Method::Naive);
        let liplt = value(&n, Method::Liplt);
        let eclipse = value(&n, Method::EclipseFast);
        let layer = value(&n, Method::LipsdpLayer);
        let neuron = value(&n, Method::LipsdpNeuron);
        let mut lower = 0.0f64;
        let mut rng = seeded_rng(seed + 1);
        for _ in 0..100 {
            let x = quadra_core::rng::gaussian_vec(3, &mut rng);
            let j = n.jacobian(&x).unwrap();
            lower = lower.max(quadra_core::spectral_norm(j.as_ref()).unwrap().lower);
        }
        prop_assert!(lower <= neuron, "lower {lower} > neuron {neuron}");
        prop_assert!(neuron <= layer * (1.0 + REL), "neuron {neuron} > layer {layer}");
        prop_assert!(layer <= eclipse * (1.0 + REL), "layer {layer} > eclipse {eclipse}");
        prop_assert!(layer <= naive * (1.0 + REL), "layer {layer} > naive {naive}");
        prop_assert!(neuron <= liplt * (1.0 + REL), "neuron {neuron} > liplt {liplt}");
        prop_assert!(liplt <= naive * (1.0 + 1e-12), "liplt {liplt} > naive {naive}");
        prop_assert!(eclipse <= naive * (1.0 + REL), "eclipse {eclipse} > naive {naive}");
    }
}
