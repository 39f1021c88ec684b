//! Criterion benchmarks of the QP solvers.
//!
//! `cargo bench -p quadra-qp`
//!
//! * `quadattack_gram`: the one-off `S = WWᵀ` of a ResNet-50-sized head (C = 1000,
//!   d = 2048, `W ~ N(0, 1/d)`);
//! * `quadattack_solve_K{1,5,20}`: one cold ordered top-K solve on that head;
//! * `quadattack_warm_K5`: a solve warm-started from the active set at nearby features
//!   (the attack-loop situation);
//! * `quadattack_attack_loop_K5`: 40 warm-started solves of the attack loop
//!   (20 steps × 2 weights), for solves/s;
//! * `quadattack_batch16_K5`: 16 instances in parallel (rayon);
//! * `surrogate_*`: combination weights by enumeration (M = 8) and active set (M = 60).
//!
//! The side-by-side against Clarabel and OSQP (Python) is
//! `benches/python/quadattack_side_by_side.py`; results in `docs/benchmarks.md`.

use criterion::{criterion_group, criterion_main, Criterion};
use quadra_core::{gaussian_matrix, seeded_rng};
use quadra_qp::{
    attack_linear_head, combine_surrogates, solve_batch, AttackSettings, LinearHead, OrderedTopK,
    SurrogateData, SurrogateMethod, TopKInstance, TopKSettings, WeightConstraint,
};
use std::hint::black_box;

const C: usize = 1000;
const D: usize = 2048;

fn head_data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = seeded_rng(2023);
    let g = gaussian_matrix(C, D + 2, &mut rng);
    let s = 1.0 / (D as f64).sqrt();
    let mut w = Vec::with_capacity(C * D);
    for i in 0..C {
        for j in 0..D {
            w.push(g[(i, j)] * s);
        }
    }
    let b: Vec<f64> = (0..C).map(|i| 0.1 * g[(i, D)]).collect();
    let f: Vec<f64> = (0..D).map(|j| g[(j % C, D + 1)].abs()).collect();
    (w, b, f)
}

fn targets(k: usize, seed: usize) -> Vec<usize> {
    (0..k).map(|i| (seed * 389 + i * 127 + 11) % C).collect()
}

fn bench(c: &mut Criterion) {
    let (w, b, f) = head_data();
    c.bench_function("quadattack_gram_C1000_d2048", |bch| {
        bch.iter(|| black_box(LinearHead::new(&w, C, D, &b).unwrap()))
    });
    let head = LinearHead::new(&w, C, D, &b).unwrap();
    let s = TopKSettings::default();
    for k in [1usize, 5, 20] {
        let t = targets(k, 1);
        let prob = OrderedTopK::new(&head, &t, s.margin()).unwrap();
        c.bench_function(&format!("quadattack_solve_K{k}"), |bch| {
            bch.iter(|| black_box(prob.solve(&f, None, &s).unwrap()))
        });
    }
    let t = targets(5, 1);
    let prob = OrderedTopK::new(&head, &t, s.margin()).unwrap();
    let base = prob.solve(&f, None, &s).unwrap();
    let f2: Vec<f64> = f
        .iter()
        .zip(&base.z)
        .map(|(a, z)| a + 0.05 * (z - a))
        .collect();
    c.bench_function("quadattack_warm_K5", |bch| {
        bch.iter(|| black_box(prob.solve(&f2, Some(&base.active), &s).unwrap()))
    });
    let attack = AttackSettings::builder()
        .steps(20)
        .binary_steps(2)
        .build()
        .unwrap();
    c.bench_function("quadattack_attack_loop_K5_40solves", |bch| {
        bch.iter(|| black_box(attack_linear_head(&head, &f, &t, &attack).unwrap()))
    });
    let insts: Vec<TopKInstance> = (0..16)
        .map(|i| TopKInstance {
            features: f.iter().map(|x| x * (1.0 + 0.01 * i as f64)).collect(),
            targets: targets(5, i),
        })
        .collect();
    c.bench_function("quadattack_batch16_K5", |bch| {
        bch.iter(|| black_box(solve_batch(&head, &insts, &s)))
    });
    for (n, m, method) in [
        (1000usize, 8usize, SurrogateMethod::Enumeration),
        (2000, 60, SurrogateMethod::ActiveSet),
    ] {
        let mut rng = seeded_rng(7);
        let g = gaussian_matrix(n, m + 1, &mut rng);
        let fm: Vec<f64> = (0..n)
            .flat_map(|s| (0..m).map(move |i| (s, i)))
            .map(|(s, i)| g[(s, i)])
            .collect();
        let y: Vec<f64> = (0..n).map(|s| g[(s, m)] + 0.5 * g[(s, 0)]).collect();
        let data = SurrogateData::new(&fm, n, m, &y, None).unwrap();
        c.bench_function(
            &format!("surrogate_simplex_N{n}_M{m}_{}", method.as_str()),
            |bch| {
                bch.iter(|| {
                    black_box(combine_surrogates(&data, WeightConstraint::Simplex, method).unwrap())
                })
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
