//! The low-rank LMI interior point on LipSDP-Neuron for random Gaussian/√fan-in ReLU
//! networks (`problems::lipsdp_neuron_random`, seed 0), and clarabel on the smallest
//! for the ratio. Side-by-side CVXPY+SCS / CVXPY+Clarabel figures come from
//! `benches/python/lipsdp_cvxpy.py` on the same weights (`docs/benchmarks.md`).
//!
//! `cargo bench -p quadra-conic --bench lowrank`. The 784-100-100-10 case takes about
//! a minute per solve on the 2-core reference machine, so it runs only with
//! `QUADRA_BENCH_LARGE=1`.

use criterion::{criterion_group, criterion_main, Criterion};
use quadra_conic::lmi::{ClarabelLmiBackend, LmiBackend};
use quadra_conic::lowrank::LowRankIpmBackend;
use quadra_conic::problems::lipsdp_neuron_random;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lipsdp_neuron");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let mut cases = vec![vec![64usize, 50, 50, 10], vec![100, 100, 100, 10]];
    if std::env::var_os("QUADRA_BENCH_LARGE").is_some() {
        cases.push(vec![784, 100, 100, 10]);
    }
    for dims in cases {
        let p = lipsdp_neuron_random(&dims, 0).expect("valid dims");
        let label = dims
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("-");
        group.bench_function(format!("lowrank/{label}"), |b| {
            b.iter(|| LowRankIpmBackend::default().solve(&p).expect("solves"))
        });
    }
    let small = lipsdp_neuron_random(&[16, 16, 16, 4], 0).expect("valid dims");
    group.bench_function("lowrank/16-16-16-4", |b| {
        b.iter(|| LowRankIpmBackend::default().solve(&small).expect("solves"))
    });
    group.bench_function("clarabel/16-16-16-4", |b| {
        b.iter(|| ClarabelLmiBackend::default().solve(&small).expect("solves"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
