//! Lower-bound searches under fixed seeds: exact ReLU pattern enumeration at the
//! 20-neuron limit, and multi-start sampling on a LipSDP-sized network.

use criterion::{criterion_group, criterion_main, Criterion};
use quadra_core::rng::{gaussian_matrix, gaussian_vec, seeded_rng};
use quadra_lipschitz::lower_bound::{lower_bound, LowerBoundSettings};
use quadra_lipschitz::{Activation, Dense, Layer, Network, Norm};

fn relu_net(seed: u64, widths: &[usize]) -> Network {
    let mut rng = seeded_rng(seed);
    let mut layers = Vec::new();
    for k in 0..widths.len() - 1 {
        let weight = gaussian_matrix(widths[k + 1], widths[k], &mut rng);
        let bias = gaussian_vec(widths[k + 1], &mut rng);
        layers.push(Layer::Dense(Dense { weight, bias }));
        if k + 2 < widths.len() {
            layers.push(Layer::Activation(Activation::Relu));
        }
    }
    Network {
        input_dim: widths[0],
        layers,
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lower_bound");
    g.sample_size(10);
    let small = relu_net(1, &[2, 10, 10, 1]);
    let exact = LowerBoundSettings::builder()
        .starts(1)
        .local_steps(0)
        .build()
        .unwrap();
    g.bench_function("exact_patterns_2-10-10-1_l2", |b| {
        b.iter(|| lower_bound(&small, Norm::L2, &exact).unwrap())
    });
    let lipsdp = relu_net(2, &[2, 10, 30, 20, 2]);
    let sampling = LowerBoundSettings::default();
    g.bench_function("sampling_2-10-30-20-2_l2_64x100", |b| {
        b.iter(|| lower_bound(&lipsdp, Norm::L2, &sampling).unwrap())
    });
    g.bench_function("sampling_2-10-30-20-2_linf_64x100", |b| {
        b.iter(|| lower_bound(&lipsdp, Norm::Linf, &sampling).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
