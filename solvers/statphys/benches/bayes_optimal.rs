//! One Bayes-optimal point and a 129-point curve (issue target: ≤ 5 ms and ≤ 0.5 s).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use quadra_statphys::glm::default_settings;
use quadra_statphys::{
    bayes_optimal, bayes_optimal_curve, bayes_optimal_grid, glm_curve, glm_point, glm_thresholds,
    GlmChannel, GlmModel, GlmPrior,
};

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
    // 32×32 (α, κ) phase diagram on all cores (rayon); issue target ≤ 10 s on 2 cores.
    let grid_alphas: Vec<f64> = (1..=32).map(|i| 0.7 * i as f64 / 32.0).collect();
    let grid_kappas: Vec<f64> = (1..=32).map(|i| 2.0 * i as f64 / 32.0).collect();
    let mut g = c.benchmark_group("phase_diagram");
    g.sample_size(10);
    for delta in [0.0, 0.1] {
        g.bench_function(format!("32x32 alpha<=0.7 kappa<=2 delta={delta}"), |b| {
            b.iter(|| bayes_optimal_grid(black_box(&grid_alphas), &grid_kappas, delta).unwrap())
        });
    }
    g.finish();
    // GLM state evolution (no issue target; figures in docs/statphys.md).
    let perceptron = GlmModel::new(GlmPrior::Rademacher, GlmChannel::Sign, 1.2).unwrap();
    c.bench_function("glm point rademacher x sign alpha=1.2", |b| {
        b.iter(|| glm_point(black_box(&perceptron), &default_settings()).unwrap())
    });
    c.bench_function("glm thresholds rademacher x sign", |b| {
        b.iter(|| glm_thresholds(black_box(GlmPrior::Rademacher), GlmChannel::Sign).unwrap())
    });
    let sweep: Vec<f64> = (1..=100).map(|i| 0.02 * i as f64).collect();
    let mut g = c.benchmark_group("glm_curve");
    g.sample_size(10);
    g.bench_function("100 points gauss-bernoulli:0.3 x gaussian:0.01", |b| {
        b.iter(|| {
            glm_curve(
                GlmPrior::GaussBernoulli { rho: 0.3 },
                GlmChannel::Gaussian { delta: 0.01 },
                black_box(&sweep),
                &default_settings(),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
