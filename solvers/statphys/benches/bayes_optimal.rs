//! One Bayes-optimal point and a 129-point curve (issue target: ≤ 5 ms and ≤ 0.5 s).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use quadra_statphys::{bayes_optimal, bayes_optimal_curve};

fn bench(c: &mut Criterion) {
    c.bench_function("bayes_optimal point kappa=0.5 delta=0 alpha=0.18947", |b| {
        b.iter(|| bayes_optimal(black_box(0.18947), 0.5, 0.0).unwrap())
    });
    c.bench_function(
        "bayes_optimal point kappa=0.5 delta=0.25 alpha=0.3782",
        |b| b.iter(|| bayes_optimal(black_box(0.3782), 0.5, 0.25).unwrap()),
    );
    let alphas: Vec<f64> = (1..=129).map(|i| 0.005 * i as f64).collect();
    let mut g = c.benchmark_group("curve");
    g.sample_size(10);
    g.bench_function("129 points kappa=0.5 delta=0.1", |b| {
        b.iter(|| bayes_optimal_curve(black_box(&alphas), 0.5, 0.1).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
