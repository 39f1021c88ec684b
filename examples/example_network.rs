//! Writes `examples/mlp_4-16-16-3.json`, the bundled network of the README's main command:
//! a 4-16-16-3 ReLU MLP with seeded Gaussian weights scaled by 1/√fan-in (ChaCha seed 2026).
//!
//! `cargo run --release --example example_network`

use quadra::core::{gaussian_matrix, seeded_rng, Mat};
use quadra::io::network::save_network_json;
use quadra::lipschitz::{Activation, Dense, Layer, Network};

fn main() -> anyhow::Result<()> {
    let dims = [4, 16, 16, 3];
    let mut rng = seeded_rng(2026);
    let mut layers = Vec::new();
    for k in 0..dims.len() - 1 {
        let w: Mat<f64> = gaussian_matrix(dims[k + 1], dims[k], &mut rng);
        let s = 1.0 / (dims[k] as f64).sqrt();
        let bias = quadra::core::rng::gaussian_vec(dims[k + 1], &mut rng);
        layers.push(Layer::Dense(Dense {
            weight: Mat::from_fn(w.nrows(), w.ncols(), |i, j| w[(i, j)] * s),
            bias: bias.iter().map(|b| 0.1 * b).collect(),
        }));
        if k + 2 < dims.len() {
            layers.push(Layer::Activation(Activation::Relu));
        }
    }
    let net = Network {
        input_dim: dims[0],
        layers,
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mlp_4-16-16-3.json");
    save_network_json(&net, &path)?;
    println!("wrote {}", path.display());
    Ok(())
}
