//! Criterion benchmarks of quadra-core's dense kernels at fixed seeds:
//! the verified positive-definiteness test and the bounded symmetric
//! eigendecomposition, at n = 100 and 300.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use quadra_core::{rng, spectral, verified};

fn pd_matrix(n: usize, seed: u64) -> quadra_core::Mat<f64> {
    let mut r = rng::seeded_rng(seed);
    rng::wishart(n, 2 * n, &mut r).expect("p ≥ 1")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("core");
    g.sample_size(10);
    for &n in &[100usize, 300] {
        let a = pd_matrix(n, 7);
        g.bench_with_input(BenchmarkId::new("verify_psd_with_margin", n), &a, |b, a| {
            b.iter(|| verified::verify_psd_with_margin(black_box(a.as_ref()), 0.0).expect("PD"))
        });
        g.bench_with_input(
            BenchmarkId::new("verify_positive_definite", n),
            &a,
            |b, a| {
                b.iter(|| verified::verify_positive_definite(black_box(a.as_ref())).expect("PD"))
            },
        );
        g.bench_with_input(
            BenchmarkId::new("symmetric_eigen_bounded", n),
            &a,
            |b, a| b.iter(|| spectral::symmetric_eigen(black_box(a.as_ref())).expect("eigen")),
        );
        g.bench_with_input(BenchmarkId::new("symmetric_eigenvalues", n), &a, |b, a| {
            b.iter(|| spectral::symmetric_eigenvalues(black_box(a.as_ref())).expect("eigen"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
