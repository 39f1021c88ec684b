//! Criterion benchmark: BQ weight computation for Matérn-5/2, ℓ = 0.05, N equispaced nodes
//! on [0, 1], by the default state-space filter and by the dense path (Gram matrix, kernel
//! mean, Cholesky solve).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use quadra_quadrature::{BqMethod, BqRule, BqSettings, Interval, Kernel, KernelKind};

fn bench(c: &mut Criterion) {
    let iv = Interval::new(0.0, 1.0).expect("valid interval");
    let k = Kernel::new(KernelKind::Matern52, 0.05).expect("valid kernel");
    let mut group = c.benchmark_group("bq_weights_matern52");
    for (name, method) in [
        ("state-space", BqMethod::StateSpace),
        ("dense", BqMethod::Dense),
    ] {
        let settings = BqSettings::builder()
            .method(method)
            .build()
            .expect("valid settings");
        for n in [10usize, 100, 1000] {
            let x = iv.equispaced(n);
            group.bench_with_input(BenchmarkId::new(name, n), &x, |b, x| {
                b.iter(|| BqRule::new(k, iv, black_box(x), settings).expect("PD Gram"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
