//! Certified bounds on seeded random networks: closed forms and LipSDP through clarabel.
//!
//! `cargo bench -p quadra-lipschitz --bench certified_bounds`

use criterion::{criterion_group, criterion_main, Criterion};
use quadra_core::{gaussian_matrix, seeded_rng, Mat};
use quadra_lipschitz::{
    lipschitz_bound, Activation, BoundSettings, Dense, Layer, Method, Network, Norm,
    OutputSelection,
};

fn net(dims: &[usize], act: Activation, seed: u64) -> Network {
    let mut rng = seeded_rng(seed);
    let mut layers = Vec::new();
    for k in 0..dims.len() - 1 {
        let w: Mat<f64> = gaussian_matrix(dims[k + 1], dims[k], &mut rng);
        let s = 1.0 / (dims[k] as f64).sqrt();
        layers.push(Layer::Dense(Dense::new(Mat::from_fn(
            w.nrows(),
            w.ncols(),
            |i, j| w[(i, j)] * s,
        ))));
        if k + 2 < dims.len() {
            layers.push(Layer::Activation(act.clone()));
        }
    }
    Network {
        input_dim: dims[0],
        layers,
    }
}

fn bench(c: &mut Criterion) {
    let settings = BoundSettings::default();
    let relu = net(&[2, 10, 30, 20, 2], Activation::Relu, 1);
    let mut g = c.benchmark_group("lipschitz");
    g.sample_size(10);
    for m in [
        Method::Naive,
        Method::Liplt,
        Method::EclipseFast,
        Method::LipsdpLayer,
        Method::LipsdpNeuron,
    ] {
        g.bench_function(format!("{}_2-10-30-20-2", m.as_str()), |b| {
            b.iter(|| {
                lipschitz_bound(&relu, &OutputSelection::All, m, Norm::L2, &settings).unwrap()
            })
        });
    }
    let maxmin = net(&[32, 32, 32, 32, 32, 10], Activation::MaxMin, 2);
    g.bench_function("lipsdp-nsr_maxmin_5x32", |b| {
        b.iter(|| {
            lipschitz_bound(
                &maxmin,
                &OutputSelection::All,
                Method::LipsdpNsr,
                Norm::L2,
                &settings,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
