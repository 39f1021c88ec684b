//! Criterion benchmarks of the conic layer (clarabel + faer-backed LAPACK):
//! a generated Lovász-theta SDP and small SDPLIB problems read from `../shared`.
//!
//! `cargo bench -p quadra-conic`

use criterion::{criterion_group, criterion_main, Criterion};
use quadra_conic::sdpa::SdpaProblem;
use quadra_conic::{problems, SolverSettings};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let settings = SolverSettings::default();
    for n in [10usize, 30] {
        let model = problems::lovasz_theta_cycle(n);
        c.bench_function(&format!("theta_C{n}"), |b| {
            b.iter(|| black_box(model.solve(&settings).expect("solves")))
        });
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sdplib");
    for name in ["control2", "hinf1", "truss3"] {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}.dat-s"))) else {
            eprintln!("skipping {name}: ../shared/data/sdplib not found");
            continue;
        };
        let model = SdpaProblem::parse(&text)
            .and_then(|p| p.to_model())
            .expect("valid SDPLIB file")
            .model;
        c.bench_function(&format!("sdplib_{name}"), |b| {
            b.iter(|| black_box(model.solve(&settings).expect("solves")))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
