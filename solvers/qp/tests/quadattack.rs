//! QuadAttack ordered top-K program: closed forms, a cross-check against clarabel,
//! infeasibility certificates, the distance gradient, warm starts, batches, bad input.

#![allow(clippy::needless_range_loop)] // index loops mirror the formulas being checked

use quadra_conic::SolverSettings;
use quadra_core::{gaussian_matrix, seeded_rng};
use quadra_qp::{
    attack_linear_head, check_targets, solve_batch, AttackSettings, DenseQp, LinearHead,
    OrderedTopK, QpError, TopKInstance, TopKSettings, TopKStatus,
};
use rand::seq::SliceRandom;

/// A random head `W ~ N(0, 1/d)`, `b ~ 0.1 N(0,1)` and features `|N(0,1)|`.
fn instance(c: usize, d: usize, seed: u64) -> (LinearHead, Vec<f64>) {
    let mut rng = seeded_rng(seed);
    let g = gaussian_matrix(c, d + 2, &mut rng);
    let mut w = Vec::with_capacity(c * d);
    for i in 0..c {
        for j in 0..d {
            w.push(g[(i, j)] / (d as f64).sqrt());
        }
    }
    let b: Vec<f64> = (0..c).map(|i| 0.1 * g[(i, d)]).collect();
    let f: Vec<f64> = (0..d)
        .map(|j| g[(j % c, d + 1)].abs() + 0.01 * j as f64)
        .collect();
    (LinearHead::new(&w, c, d, &b).unwrap(), f)
}

fn targets(c: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut rng = seeded_rng(1000 + seed);
    let mut all: Vec<usize> = (0..c).collect();
    all.shuffle(&mut rng);
    all.truncate(k);
    all
}

/// The rows `g_j = w_a − w_b` and right-hand sides `h_j` of the program.
fn rows(head: &LinearHead, prob: &OrderedTopK, bias: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut g = Vec::new();
    let mut h = Vec::new();
    for &(a, b) in prob.pairs() {
        g.push(
            head.weight_row(a)
                .iter()
                .zip(head.weight_row(b))
                .map(|(x, y)| x - y)
                .collect(),
        );
        h.push(prob.margin() - (bias[a] - bias[b]));
    }
    (g, h)
}

fn bias_of(head: &LinearHead) -> Vec<f64> {
    head.logits(&vec![0.0; head.dim()])
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Dense solve by Gaussian elimination with partial pivoting (test helper).
fn solve_dense(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs()))
            .unwrap();
        a.swap(k, p);
        b.swap(k, p);
        for i in k + 1..n {
            let f = a[i][k] / a[k][k];
            for j in k..n {
                a[i][j] -= f * a[k][j];
            }
            b[i] -= f * b[k];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (b[i] - (i + 1..n).map(|j| a[i][j] * x[j]).sum::<f64>()) / a[i][i];
    }
    x
}

#[test]
fn one_violated_constraint_is_the_halfspace_projection() {
    // W = [[1,0],[0,1],[-1,-1]], b = 0, target 0, f = (0, 0.5): only ℓ₀ − ℓ₁ = z₁ − z₂ ≥ 0.2
    // is violated; the projection is f + (0.2 + 0.5)/2 · (1, −1) = (0.35, 0.15).
    let head = LinearHead::new(&[1.0, 0.0, 0.0, 1.0, -1.0, -1.0], 3, 2, &[0.0; 3]).unwrap();
    let prob = OrderedTopK::new(&head, &[0], 0.2).unwrap();
    let sol = prob
        .solve(&[0.0, 0.5], None, &TopKSettings::default())
        .unwrap();
    assert_eq!(sol.status, TopKStatus::Optimal);
    assert!((sol.z[0] - 0.35).abs() < 1e-15 && (sol.z[1] - 0.15).abs() < 1e-15);
    assert_eq!(sol.active, vec![0]);
    assert!(sol.success);
    assert!((sol.distance - 0.35 * 2f64.sqrt()).abs() < 1e-15);
}

#[test]
fn random_instances_match_the_known_active_set_formula() {
    // z = f − G_Aᵀ(G_A G_Aᵀ)⁻¹(G_A f − h_A) on the returned active set, computed independently.
    for (c, d, k, seed) in [
        (10, 30, 1, 1),
        (25, 40, 3, 2),
        (40, 64, 8, 3),
        (60, 50, 5, 4),
    ] {
        let (head, f) = instance(c, d, seed);
        let t = targets(c, k, seed);
        let prob = OrderedTopK::new(&head, &t, 0.2).unwrap();
        let sol = prob.solve(&f, None, &TopKSettings::default()).unwrap();
        assert_eq!(sol.status, TopKStatus::Optimal, "C={c} d={d} K={k}");
        assert!(sol.kkt.max() < 1e-12, "kkt {:?}", sol.kkt);
        assert!(sol.success);
        let (g, h) = rows(&head, &prob, &bias_of(&head));
        let a = &sol.active;
        assert!(!a.is_empty());
        let gram: Vec<Vec<f64>> = a
            .iter()
            .map(|&i| a.iter().map(|&j| dot(&g[i], &g[j])).collect())
            .collect();
        let rhs: Vec<f64> = a.iter().map(|&i| dot(&g[i], &f) - h[i]).collect();
        let lam = solve_dense(gram, rhs);
        let mut z = f.clone();
        for (&i, &l) in a.iter().zip(&lam) {
            for (zk, gk) in z.iter_mut().zip(&g[i]) {
                *zk -= l * gk;
            }
        }
        let err = z
            .iter()
            .zip(&sol.z)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        let scale = z.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(err <= 1e-11 * scale, "C={c} K={k}: {err:e}");
        // Multipliers of the formula (−λ) equal ours, and are nonnegative.
        for (&i, &l) in a.iter().zip(&lam) {
            assert!((sol.multipliers[i] + l).abs() <= 1e-9 * (1.0 + l.abs()));
            assert!(sol.multipliers[i] >= 0.0);
        }
    }
}

/// clarabel (through the general dense-QP path) on `min ‖z‖² − 2fᵀz s.t. Gz ≥ h`.
fn clarabel_projection(g: &[Vec<f64>], h: &[f64], f: &[f64]) -> quadra_qp::Result<Vec<f64>> {
    let d = f.len();
    let mut p = vec![0.0; d * d];
    for i in 0..d {
        p[i * d + i] = 2.0;
    }
    let qp = DenseQp {
        n: d,
        p,
        q: f.iter().map(|x| -2.0 * x).collect(),
        a: g.iter().flatten().copied().collect(),
        l: h.to_vec(),
        u: vec![f64::INFINITY; h.len()],
        lb: vec![],
        ub: vec![],
    };
    let settings = SolverSettings::builder()
        .tol_gap_abs(1e-12)
        .tol_gap_rel(1e-12)
        .tol_feas(1e-12)
        .max_iter(400)
        .build()
        .unwrap();
    Ok(qp.solve(&settings)?.x)
}

#[test]
fn agrees_with_clarabel_on_random_instances() {
    for (c, d, k, seed) in [
        (12, 20, 1, 11),
        (15, 24, 3, 12),
        (20, 16, 5, 13),
        (30, 40, 10, 14),
    ] {
        let (head, f) = instance(c, d, seed);
        let t = targets(c, k, seed);
        let prob = OrderedTopK::new(&head, &t, 0.2).unwrap();
        let sol = prob.solve(&f, None, &TopKSettings::default()).unwrap();
        assert_eq!(sol.status, TopKStatus::Optimal);
        let (g, h) = rows(&head, &prob, &bias_of(&head));
        let zc = clarabel_projection(&g, &h, &f).unwrap();
        let dist_c = zc
            .iter()
            .zip(&f)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let dz = zc
            .iter()
            .zip(&sol.z)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let zn = dot(&sol.z, &sol.z).sqrt();
        assert!(dz <= 1e-8 * zn, "C={c} K={k}: ‖Δz‖/‖z‖ = {:e}", dz / zn);
        assert!(
            (dist_c - sol.distance).abs() <= 1e-8 * sol.distance,
            "distance {} vs clarabel {dist_c}",
            sol.distance
        );
    }
}

#[test]
fn opposite_requirements_on_a_one_dimensional_head_are_infeasible() {
    // Logits (z, 2z, 3z): class 1 on top needs z ≥ m and −z ≥ m.
    let head = LinearHead::new(&[1.0, 2.0, 3.0], 3, 1, &[0.0; 3]).unwrap();
    let prob = OrderedTopK::new(&head, &[1], 0.2).unwrap();
    let sol = prob.solve(&[0.3], None, &TopKSettings::default()).unwrap();
    match sol.status {
        TopKStatus::Infeasible {
            ray,
            ray_residual,
            ray_gap,
        } => {
            assert_eq!(ray.len(), 2);
            assert!(ray.iter().all(|&(_, v)| v > 0.0));
            assert!(ray_residual < 1e-15);
            // hᵀv = 0.2 v₀ + 0.2 v₁ with v₀ = v₁.
            assert!(ray_gap > 0.0);
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
    assert!(!sol.success);
}

#[test]
fn low_dimensional_heads_are_infeasible_with_certificates_and_clarabel_agrees() {
    // d = 2 < C − 1: the logits live in a plane that misses most ordered regions.
    let mut infeasible = 0;
    for seed in 0..6 {
        let (head, f) = instance(30, 2, 100 + seed);
        let t = targets(30, 4, seed);
        let prob = OrderedTopK::new(&head, &t, 0.2).unwrap();
        let sol = prob.solve(&f, None, &TopKSettings::default()).unwrap();
        let (g, h) = rows(&head, &prob, &bias_of(&head));
        let clar = clarabel_projection(&g, &h, &f);
        match &sol.status {
            TopKStatus::Infeasible {
                ray,
                ray_residual,
                ray_gap,
            } => {
                infeasible += 1;
                assert!(*ray_residual < 1e-10, "residual {ray_residual:e}");
                assert!(*ray_gap > 0.0);
                // Certificate recomputed here: v ≥ 0, ‖Gᵀv‖ small, hᵀv > 0.
                let mut gtv = [0.0; 2];
                let mut hv = 0.0;
                for &(j, v) in ray {
                    assert!(v >= 0.0);
                    gtv[0] += v * g[j][0];
                    gtv[1] += v * g[j][1];
                    hv += v * h[j];
                }
                assert!(hv > 1e3 * (gtv[0].abs() + gtv[1].abs()) * dot(&f, &f).sqrt());
                assert!(
                    matches!(
                        clar,
                        Err(QpError::Conic(
                            quadra_conic::ConicError::PrimalInfeasible { .. }
                        ))
                    ),
                    "clarabel: {clar:?}"
                );
            }
            TopKStatus::Optimal => {
                let zc = clar.expect("clarabel solves a feasible instance");
                let dz: f64 = zc.iter().zip(&sol.z).map(|(a, b)| (a - b).abs()).sum();
                assert!(dz < 1e-7, "{dz:e}");
            }
        }
    }
    assert!(infeasible >= 3, "only {infeasible} of 6 infeasible");
}

#[test]
fn distance_gradient_is_two_times_f_minus_projection() {
    let (head, f) = instance(20, 30, 21);
    let t = targets(20, 4, 21);
    let prob = OrderedTopK::new(&head, &t, 0.2).unwrap();
    let s = TopKSettings::default();
    let phi = |x: &[f64]| prob.solve(x, None, &s).unwrap().distance.powi(2);
    let sol = prob.solve(&f, None, &s).unwrap();
    let grad = sol.distance_gradient(&f);
    let eps = 1e-6;
    for i in [0, 7, 19, 29] {
        let mut fp = f.clone();
        let mut fm = f.clone();
        fp[i] += eps;
        fm[i] -= eps;
        let fd = (phi(&fp) - phi(&fm)) / (2.0 * eps);
        assert!(
            (fd - grad[i]).abs() < 1e-6 * (1.0 + grad[i].abs()),
            "i={i}: fd {fd} vs 2(f − z*) {}",
            grad[i]
        );
    }
}

#[test]
fn warm_start_reaches_the_same_point_in_fewer_steps() {
    let (head, f) = instance(200, 100, 31);
    let t = targets(200, 10, 31);
    let prob = OrderedTopK::new(&head, &t, 0.2).unwrap();
    let s = TopKSettings::default();
    let cold = prob.solve(&f, None, &s).unwrap();
    let f2: Vec<f64> = f
        .iter()
        .enumerate()
        .map(|(i, x)| x + 1e-3 * ((i % 7) as f64 - 3.0))
        .collect();
    let cold2 = prob.solve(&f2, None, &s).unwrap();
    let warm2 = prob.solve(&f2, Some(&cold.active), &s).unwrap();
    let dz: f64 = cold2
        .z
        .iter()
        .zip(&warm2.z)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(dz < 1e-12, "{dz:e}");
    assert!(
        warm2.iterations < cold2.iterations,
        "warm {} vs cold {}",
        warm2.iterations,
        cold2.iterations
    );
}

#[test]
fn batch_equals_one_by_one() {
    let (head, f) = instance(50, 60, 41);
    let s = TopKSettings::default();
    let insts: Vec<TopKInstance> = (0..8)
        .map(|k| TopKInstance {
            features: f.iter().map(|x| x * (1.0 + 0.05 * k as f64)).collect(),
            targets: targets(50, 1 + k % 5, k as u64),
        })
        .collect();
    let batch = solve_batch(&head, &insts, &s);
    for (inst, b) in insts.iter().zip(batch) {
        let one = OrderedTopK::new(&head, &inst.targets, s.margin())
            .unwrap()
            .solve(&inst.features, None, &s)
            .unwrap();
        assert_eq!(b.unwrap(), one);
    }
}

#[test]
fn attack_loop_succeeds_when_reachable_and_reports_infeasible_heads() {
    let (head, f) = instance(40, 60, 51);
    let t = targets(40, 5, 51);
    let r = attack_linear_head(&head, &f, &t, &AttackSettings::default()).unwrap();
    assert!(r.success && !r.infeasible);
    assert!(quadra_qp::ordered_topk_success(
        &head.logits(
            &f.iter()
                .zip(&r.delta)
                .map(|(a, b)| a + b)
                .collect::<Vec<_>>()
        ),
        &t
    ));
    // The attack cannot beat the exact projection distance.
    let proj = OrderedTopK::new(&head, &t, 0.0)
        .unwrap()
        .solve(&f, None, &TopKSettings::default())
        .unwrap();
    assert!(r.perturbation_norm >= proj.distance * (1.0 - 1e-9));
    assert_eq!(r.qp_solves, 20 * 8);
    let head1 = LinearHead::new(&[1.0, 2.0, 3.0], 3, 1, &[0.0; 3]).unwrap();
    let r = attack_linear_head(&head1, &[0.3], &[1], &AttackSettings::default()).unwrap();
    assert!(r.infeasible && !r.success);
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    let (head, f) = instance(10, 8, 61);
    let msg = |e: QpError| e.to_string();
    assert!(msg(check_targets(&[1, 2, 1], 10).unwrap_err()).contains("repeated"));
    assert!(msg(check_targets(&[1, 12], 10).unwrap_err()).contains("out of range"));
    assert!(msg(check_targets(&(0..10).collect::<Vec<_>>(), 10).unwrap_err()).contains("K = 10"));
    assert!(msg(check_targets(&[], 10).unwrap_err()).contains("no targets"));
    let prob = OrderedTopK::new(&head, &[3], 0.2).unwrap();
    let s = TopKSettings::default();
    let e = prob.solve(&f[..7], None, &s).unwrap_err();
    assert!(msg(e).contains("features"));
    let mut g = f.clone();
    g[2] = f64::NAN;
    assert!(msg(prob.solve(&g, None, &s).unwrap_err()).contains("non-finite"));
    assert!(LinearHead::new(&[1.0; 5], 3, 2, &[0.0; 3]).is_err());
    assert!(LinearHead::new(&[1.0, f64::INFINITY], 2, 1, &[0.0; 2]).is_err());
    assert!(OrderedTopK::new(&head, &[3], -1.0).is_err());
    assert!(TopKSettings::builder().margin(f64::NAN).build().is_err());
}
