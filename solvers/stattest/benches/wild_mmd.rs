//! Wild-bootstrap MMD and HSIC: n = 2000 per sample, 1000 draws, 1-D and 10-D.

use criterion::{criterion_group, criterion_main, Criterion};
use quadra_core::rng::gaussian_vec;
use quadra_core::seeded_rng;
use quadra_stattest::{hsic_test, mmd_test, Block, Series, TestSettings};

fn bench(c: &mut Criterion) {
    let n = 2000;
    let s = TestSettings::builder()
        .n_boot(1000)
        .block(Block::Fixed(10.0))
        .build()
        .unwrap();
    let mut g = c.benchmark_group("wild_mmd");
    g.sample_size(10);
    for d in [1usize, 10] {
        let mut rng = seeded_rng(7);
        let x = Series::from_rows(n, d, gaussian_vec(n * d, &mut rng)).unwrap();
        let y = Series::from_rows(n, d, gaussian_vec(n * d, &mut rng)).unwrap();
        g.bench_function(format!("n2000_b1000_d{d}"), |b| {
            b.iter(|| mmd_test(&x, &y, &s).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("wild_hsic");
    g.sample_size(10);
    for d in [1usize, 10] {
        let mut rng = seeded_rng(8);
        let x = Series::from_rows(n, d, gaussian_vec(n * d, &mut rng)).unwrap();
        let y = Series::from_rows(n, d, gaussian_vec(n * d, &mut rng)).unwrap();
        g.bench_function(format!("n2000_b1000_d{d}"), |b| {
            b.iter(|| hsic_test(&x, &y, &s).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
