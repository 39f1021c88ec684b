//! The low-rank interior point (`lowrank` backend) against closed forms, against
//! clarabel on random LipSDP-Neuron programs and SDPLIB, and on infeasible,
//! unbounded and malformed input.

use quadra_conic::lmi::{
    ClarabelLmiBackend, CoefMatrix, LmiBackend, LmiBlock, LmiProblem, SparseVector, VarDomain,
};
use quadra_conic::lowrank::{Centring, LowRankIpmBackend, LowRankSettings};
use quadra_conic::problems::{lipsdp_neuron_random, lovasz_theta_cycle_exact};
use quadra_conic::sdpa::SdpaProblem;
use quadra_conic::ConicError;
use std::sync::{Arc, Mutex};

mod common;

/// Agreement required between the two backends (the 1e-7 relative); both stop
/// at a relative gap of 1e-8 (clarabel) / 1e-9 (ours), so 1e-7 leaves a margin of 10.
const AGREE_REL: f64 = 1e-7;

fn lowrank() -> LowRankIpmBackend {
    LowRankIpmBackend::default()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / (1.0 + a.abs().max(b.abs()))
}

/// min t  s.t.  tI − A ⪰ 0 has optimum λ_max(A).
#[test]
fn lambda_max_as_an_lmi() {
    use rand::Rng;
    let mut rng = quadra_core::seeded_rng(7);
    for n in [2usize, 5, 12] {
        let a = quadra_core::sym_from_fn(n, |_, _| rng.random::<f64>() - 0.5);
        let mut p = LmiProblem::new(1, VarDomain::Free);
        p.objective[0] = 1.0;
        let mut b = LmiBlock::new(n);
        b.constant = CoefMatrix::Dense(&a * -1.0);
        b.terms.push((
            0,
            CoefMatrix::LowRank((0..n).map(|i| (1.0, SparseVector::unit(i))).collect()),
        ));
        p.blocks.push(b);
        let sol = lowrank().solve(&p).unwrap();
        let exact = quadra_core::lambda_max(a.as_ref()).unwrap().value;
        assert!(
            rel(sol.y[0], exact) < 1e-8,
            "n={n}: {} vs {exact}",
            sol.y[0]
        );
        // Dual: tr X = 1, X ⪰ 0, ⟨A, X⟩ = λ_max.
        let x = &sol.block_duals[0];
        let tr: f64 = (0..n).map(|i| x[(i, i)]).sum();
        assert!((tr - 1.0).abs() < 1e-8, "tr X = {tr}");
    }
}

/// Diagonal LMI diag(y) ⪰ diag(d) with c > 0: optimum Σ cᵢdᵢ, yᵢ = dᵢ.
#[test]
fn diagonal_program_has_its_closed_form() {
    let d = [1.5, -2.0, 0.25, 3.0];
    let c = [1.0, 2.0, 0.5, 4.0];
    let n = d.len();
    let mut p = LmiProblem::new(n, VarDomain::Free);
    p.objective = c.to_vec();
    let mut b = LmiBlock::new(n);
    b.constant = CoefMatrix::Sparse((0..n).map(|i| (i, i, -d[i])).collect());
    for i in 0..n {
        b.terms.push((i, CoefMatrix::Sparse(vec![(i, i, 1.0)])));
    }
    p.blocks.push(b);
    let sol = lowrank().solve(&p).unwrap();
    let exact: f64 = c.iter().zip(&d).map(|(c, d)| c * d).sum();
    assert!(
        rel(sol.objective, exact) < 1e-8,
        "{} vs {exact}",
        sol.objective
    );
    for (i, (y, d)) in sol.y.iter().zip(&d).enumerate() {
        assert!((y - d).abs() < 1e-7, "y{i} = {y}");
    }
}

#[test]
fn lovasz_theta_of_cycles_matches_the_closed_form() {
    for n in [5usize, 8] {
        // λI + Σ y_e (e_i e_jᵀ + e_j e_iᵀ) − J ⪰ 0 as an LmiProblem.
        let mut p = LmiProblem::new(n + 1, VarDomain::Free);
        p.objective[0] = 1.0;
        let mut b = LmiBlock::new(n);
        b.constant = CoefMatrix::LowRank(vec![(
            -1.0,
            SparseVector::from_pairs((0..n).map(|i| (i, 1.0))),
        )]);
        b.terms.push((
            0,
            CoefMatrix::LowRank((0..n).map(|i| (1.0, SparseVector::unit(i))).collect()),
        ));
        for i in 0..n {
            let j = (i + 1) % n;
            b.terms
                .push((i + 1, CoefMatrix::Sparse(vec![(i.min(j), i.max(j), 1.0)])));
        }
        p.blocks.push(b);
        let sol = lowrank().solve(&p).unwrap();
        let exact = lovasz_theta_cycle_exact(n);
        assert!(
            rel(sol.objective, exact) < 1e-8,
            "n={n}: {} vs {exact}",
            sol.objective
        );
    }
}

#[test]
fn random_lipsdp_agrees_with_clarabel() {
    for (dims, seed) in [
        (vec![3usize, 5, 2], 1u64),
        (vec![4, 6, 6, 3], 2),
        (vec![8, 10, 10, 10, 4], 3),
        (vec![10, 20, 15, 5], 4),
    ] {
        let p = lipsdp_neuron_random(&dims, seed).unwrap();
        let ours = lowrank().solve(&p).unwrap();
        let theirs = ClarabelLmiBackend::default().solve(&p).unwrap();
        assert!(
            rel(ours.objective, theirs.objective) < AGREE_REL,
            "{dims:?}: lowrank {:.12e}, clarabel {:.12e}",
            ours.objective,
            theirs.objective
        );
        // The multipliers are feasible: F(y) ⪰ 0 up to the solver tolerance, t ≥ 0.
        let f = p.blocks[0].eval(&ours.y);
        let lmin = quadra_core::lambda_min(f.as_ref()).unwrap().value;
        assert!(
            lmin > -1e-7 * (1.0 + ours.objective.abs()),
            "{dims:?}: λ_min F(y) = {lmin}"
        );
        assert!(ours.y[1..].iter().all(|t| *t >= 0.0));
    }
}

fn sdplib(name: &str) -> SdpaProblem {
    common::sdplib_problem(name)
}

/// The SDPLIB problems whose clarabel solve takes 10–60 s (`tests/sdplib.rs` runs those
/// only with `--features slow-reproductions`) reach SDPLIB's published optima through
/// this backend in about a second each.
macro_rules! sdplib_table_tests {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(#[test] fn $test() {
            let sol = lowrank()
                .solve(&sdplib($file).to_lmi())
                .unwrap_or_else(|e| panic!("{}: {e}", $file));
            common::assert_table_value($file, sol.objective, "lowrank");
        })*
    };
}

sdplib_table_tests! {
    sdplib_arch0_reaches_the_table_value => "arch0",
    sdplib_gpp100_reaches_the_table_value => "gpp100",
    sdplib_ss30_reaches_the_table_value => "ss30",
    sdplib_theta2_reaches_the_table_value => "theta2",
    sdplib_truss8_reaches_the_table_value => "truss8",
}

/// SDPLIB problems that both backends solve in about a second each.
#[test]
fn sdplib_small_agree_with_clarabel() {
    for name in [
        "theta1", "truss1", "truss3", "truss4", "control2", "qap5", "mcp100",
    ] {
        let p = sdplib(name).to_lmi();
        let ours = lowrank()
            .solve(&p)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let theirs = ClarabelLmiBackend::default().solve(&p).unwrap();
        assert!(
            rel(ours.objective, theirs.objective) < AGREE_REL,
            "{name}: lowrank {:.12e}, clarabel {:.12e}",
            ours.objective,
            theirs.objective
        );
    }
}

/// control1: clarabel stops at 18.05 with a dual matrix that fails the re-check
/// (`tests/sdplib.rs`); the low-rank backend reaches the table's 17.78463.
#[test]
fn sdplib_control1_reaches_the_table_value() {
    let ours = lowrank().solve(&sdplib("control1").to_lmi()).unwrap();
    assert!(rel(ours.objective, 17.78463) < 1e-6, "{}", ours.objective);
}

#[test]
fn infeasible_lmi_is_reported() {
    // [[y, 1], [1, −y]] has determinant −y² − 1 < 0 for every y.
    let mut p = LmiProblem::new(1, VarDomain::Free);
    p.objective[0] = 1.0;
    let mut b = LmiBlock::new(2);
    b.constant = CoefMatrix::Sparse(vec![(0, 1, 1.0)]);
    b.terms
        .push((0, CoefMatrix::Sparse(vec![(0, 0, 1.0), (1, 1, -1.0)])));
    p.blocks.push(b);
    let e = lowrank().solve(&p).unwrap_err();
    assert!(matches!(e, ConicError::PrimalInfeasible { .. }), "{e}");
    for name in ["infp1", "infp2"] {
        let e = lowrank().solve(&sdplib(name).to_lmi()).unwrap_err();
        assert!(
            matches!(e, ConicError::PrimalInfeasible { .. }),
            "{name}: {e}"
        );
    }
}

#[test]
fn unbounded_lmi_is_reported() {
    // min −y0 s.t. [[y0, y1], [y1, 1]] ⪰ 0: y0 → ∞.
    let mut p = LmiProblem::new(2, VarDomain::Free);
    p.objective = vec![-1.0, 0.0];
    let mut b = LmiBlock::new(2);
    b.constant = CoefMatrix::Sparse(vec![(1, 1, 1.0)]);
    b.terms.push((0, CoefMatrix::Sparse(vec![(0, 0, 1.0)])));
    b.terms.push((1, CoefMatrix::Sparse(vec![(0, 1, 1.0)])));
    p.blocks.push(b);
    let e = lowrank().solve(&p).unwrap_err();
    assert!(matches!(e, ConicError::DualInfeasible { .. }), "{e}");
    for name in ["infd1", "infd2"] {
        let e = lowrank().solve(&sdplib(name).to_lmi()).unwrap_err();
        assert!(
            matches!(e, ConicError::DualInfeasible { .. }),
            "{name}: {e}"
        );
    }
}

#[test]
fn warm_start_reaches_the_same_optimum_and_the_log_is_delivered() {
    let p = lipsdp_neuron_random(&[6, 8, 8, 3], 11).unwrap();
    let records = Arc::new(Mutex::new(Vec::new()));
    let sink = records.clone();
    let cold = lowrank()
        .with_observer(move |r| sink.lock().unwrap().push(*r))
        .solve(&p)
        .unwrap();
    let log = records.lock().unwrap().clone();
    assert_eq!(log.len() as u32, cold.iterations + 1);
    assert!(log.last().unwrap().gap_rel <= 1e-9);
    // Warm start from a feasible point slightly off the optimum.
    let y0: Vec<f64> = cold.y.iter().map(|v| v * 1.1 + 0.01).collect();
    let warm = lowrank().with_initial_y(y0).solve(&p).unwrap();
    assert!(rel(warm.objective, cold.objective) < AGREE_REL);
}

#[test]
fn malformed_input_and_settings_are_errors() {
    let mut p = lipsdp_neuron_random(&[3, 4, 2], 5).unwrap();
    p.objective[0] = f64::NAN;
    assert!(matches!(
        lowrank().solve(&p),
        Err(ConicError::NonFinite { .. })
    ));
    let p = lipsdp_neuron_random(&[3, 4, 2], 5).unwrap();
    let e = lowrank().with_initial_y(vec![1.0]).solve(&p).unwrap_err();
    assert!(matches!(e, ConicError::DimensionMismatch { .. }), "{e}");
    assert!(LowRankSettings::builder()
        .step_fraction(1.5)
        .build()
        .is_err());
    assert!(LowRankSettings::builder().max_iter(0).build().is_err());
    assert!(LowRankSettings::builder()
        .centring(Centring::Fixed(0.5))
        .build()
        .is_err());
    let limited = LowRankIpmBackend::new(LowRankSettings::builder().max_iter(2).build().unwrap());
    assert!(matches!(
        limited.solve(&p),
        Err(ConicError::LimitReached { .. })
    ));
}

/// A fixed centring exponent (the Lipschitz crate's `Fixed(3)`) is a different path to
/// the same optimum.
#[test]
fn fixed_centring_reaches_the_same_optimum() {
    let p = lipsdp_neuron_random(&[8, 12, 12, 12, 3], 17).unwrap();
    let adaptive = lowrank().solve(&p).unwrap();
    let fixed = LowRankIpmBackend::new(
        LowRankSettings::builder()
            .centring(Centring::Fixed(3.0))
            .build()
            .unwrap(),
    )
    .solve(&p)
    .unwrap();
    assert!(
        rel(adaptive.objective, fixed.objective) < AGREE_REL,
        "adaptive {:.12e}, fixed {:.12e}",
        adaptive.objective,
        fixed.objective
    );
    assert_ne!(adaptive.iterations, 0);
}

#[test]
fn both_backends_pass_the_independent_check_on_lipsdp() {
    use quadra_conic::lmi::LmiCheck;
    let p = lipsdp_neuron_random(&[5, 7, 6, 2], 21).unwrap();
    for sol in [
        lowrank().solve(&p).unwrap(),
        ClarabelLmiBackend::default().solve(&p).unwrap(),
    ] {
        let check = LmiCheck::new(&p, &sol).unwrap();
        assert!(check.passes(1e-6), "{}: {check:?}", sol.backend);
    }
    // A perturbed multiplier vector fails it.
    let mut bad = lowrank().solve(&p).unwrap();
    bad.y[0] *= 0.5;
    assert!(!LmiCheck::new(&p, &bad).unwrap().passes(1e-6));
}

/// LipSDP-Neuron on `f(x) = diag(b) relu(diag(a) x)` is exact: per coordinate the LMI
/// `[[ρ, −t aᵢ], [−t aᵢ, 2t − bᵢ²]] ⪰ 0` is feasible iff `ρ ≥ t²aᵢ²/(2t − bᵢ²)`, minimised
/// at `t = bᵢ²`, so `ρ = maxᵢ aᵢ²bᵢ²` (`proofs/lmi_ipm_schur.md` cites this test for the
/// step-length path: 2n = 240 rows > 100 take Lanczos step lengths).
#[test]
fn lipsdp_on_a_diagonal_network_is_exact_on_the_lanczos_path() {
    use quadra_core::Mat;
    let n = 120;
    let a: Vec<f64> = (0..n)
        .map(|i| 0.5 + (i as f64 * 0.37).sin().abs())
        .collect();
    let b: Vec<f64> = (0..n)
        .map(|i| 0.3 + (i as f64 * 0.91).cos().abs())
        .collect();
    let w0 = Mat::<f64>::from_fn(n, n, |i, j| if i == j { a[i] } else { 0.0 });
    let w1 = Mat::<f64>::from_fn(n, n, |i, j| if i == j { b[i] } else { 0.0 });
    let p = quadra_conic::problems::lipsdp_neuron(&[w0, w1], 0.0, 1.0).unwrap();
    assert_eq!(p.blocks[0].dim, 2 * n);
    let sol = lowrank().solve(&p).unwrap();
    let exact = a
        .iter()
        .zip(&b)
        .map(|(a, b)| (a * b).powi(2))
        .fold(0.0, f64::max);
    assert!(
        rel(sol.objective, exact) < 1e-8,
        "{} vs {exact}",
        sol.objective
    );
}

/// The rank-2 factors of each multiplier matrix reproduce
/// `2αβ aaᵀ − (α+β)(aeᵀ + eaᵀ) + 2eeᵀ` for slopes other than ReLU's, and malformed
/// weight lists are errors.
#[test]
fn lipsdp_generator_matches_the_theorem_and_checks_shapes() {
    let weights = quadra_conic::problems::random_weights(&[3, 4, 2, 2], 9);
    let (alpha, beta) = (0.5, 2.0);
    let p = quadra_conic::problems::lipsdp_neuron(&weights, alpha, beta).unwrap();
    let n = p.blocks[0].dim;
    assert_eq!(n, 3 + 4 + 2);
    // Neuron 5 of the block = the first neuron of the second hidden layer (variable 5).
    let (var, coef) = &p.blocks[0].terms[5];
    assert_eq!(*var, 5);
    let got = coef.to_dense(n);
    let mut a = vec![0.0; n];
    for c in 0..4 {
        a[3 + c] = weights[1][(0, c)];
    }
    let mut e = vec![0.0; n];
    e[7] = 1.0;
    for i in 0..n {
        for j in 0..n {
            let want = 2.0 * alpha * beta * a[i] * a[j]
                - (alpha + beta) * (a[i] * e[j] + e[i] * a[j])
                + 2.0 * e[i] * e[j];
            assert!(
                (got[(i, j)] - want).abs() < 1e-12,
                "({i}, {j}): {} vs {want}",
                got[(i, j)]
            );
        }
    }
    assert!(quadra_conic::problems::lipsdp_neuron(&weights[..1], 0.0, 1.0).is_err());
    let bad = vec![weights[0].clone(), weights[2].clone()];
    assert!(matches!(
        quadra_conic::problems::lipsdp_neuron(&bad, 0.0, 1.0),
        Err(ConicError::DimensionMismatch { .. })
    ));
}

/// A deep ReLU chain of diagonal layers is a set of independent scalar chains, whose
/// Lipschitz constant `max_i Π_l |a_{l,i}|` LipSDP-Neuron attains: `ρ* = max_i Π_l a_{l,i}²`.
/// Twelve hidden layers make the slack block tridiagonal, so this checks the
/// block-tridiagonal factor against the closed form, and against the dense factor.
#[test]
fn deep_diagonal_chain_is_exact_with_the_block_tridiagonal_factor() {
    use quadra_core::Mat;
    let (n, depth) = (24usize, 13usize);
    let diag: Vec<Vec<f64>> = (0..depth)
        .map(|l| {
            (0..n)
                .map(|i| 0.8 + 0.4 * ((l * n + i) as f64 * 0.61).sin().abs())
                .collect()
        })
        .collect();
    let weights: Vec<Mat<f64>> = diag
        .iter()
        .map(|d| Mat::<f64>::from_fn(n, n, |i, j| if i == j { d[i] } else { 0.0 }))
        .collect();
    let p = quadra_conic::problems::lipsdp_neuron(&weights, 0.0, 1.0).unwrap();
    let structure = lowrank().structure(&p).unwrap();
    assert!(
        structure[0].tridiagonal_blocks.unwrap_or(0) >= 10,
        "expected a block-tridiagonal slack: {structure:?}"
    );
    let exact = (0..n)
        .map(|i| diag.iter().map(|d| d[i] * d[i]).product::<f64>())
        .fold(0.0, f64::max);
    let sol = lowrank().solve(&p).unwrap();
    assert!(
        rel(sol.objective, exact) < 1e-8,
        "{} vs {exact}",
        sol.objective
    );
    let dense = LowRankIpmBackend::new(
        LowRankSettings::builder()
            .block_tridiagonal(false)
            .dense_panels(false)
            .build()
            .unwrap(),
    );
    assert_eq!(dense.structure(&p).unwrap()[0].tridiagonal_blocks, None);
    let d = dense.solve(&p).unwrap();
    assert!(rel(d.objective, sol.objective) < 1e-9);
}

/// A deep random LipSDP-Neuron program (12 hidden layers of 24) through both
/// structure exploits (block-tridiagonal slack, dense factor panels) and through the
/// plain dense/sparse routes: the optima agree to 1e-8 relative and the structured
/// multipliers are feasible.
#[test]
fn structured_and_plain_routes_agree_on_a_deep_lipsdp() {
    let mut dims = vec![24usize; 13];
    dims.push(5);
    let p = lipsdp_neuron_random(&dims, 9).unwrap();
    let structure = lowrank().structure(&p).unwrap();
    assert!(structure[0].tridiagonal_blocks.is_some(), "{structure:?}");
    assert!(structure[0].panels.is_some(), "{structure:?}");
    let fast = lowrank().solve(&p).unwrap();
    let plain = LowRankIpmBackend::new(
        LowRankSettings::builder()
            .block_tridiagonal(false)
            .dense_panels(false)
            .build()
            .unwrap(),
    )
    .solve(&p)
    .unwrap();
    assert!(
        rel(fast.objective, plain.objective) < 1e-8,
        "structured {:.12e} vs plain {:.12e}",
        fast.objective,
        plain.objective
    );
    let f = p.blocks[0].eval(&fast.y);
    let lmin = quadra_core::lambda_min(f.as_ref()).unwrap().value;
    assert!(
        lmin > -1e-7 * (1.0 + fast.objective.abs()),
        "λ_min = {lmin}"
    );
}
