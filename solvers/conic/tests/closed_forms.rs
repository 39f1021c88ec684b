//! Conic layer against closed forms: λ_max as an SDP, Lovász theta of cycles,
//! projections as QPs and SOCPs; duals checked by complementarity; failures by status.

use quadra_conic::{problems, ConicError, Dual, LinExpr, Model, SolverSettings, SymAffine};
use quadra_core::rng::seeded_rng;
use quadra_core::Mat;
use rand::Rng;

/// Tolerance on optimal values: clarabel's default gap tolerance is 1e-8 relative,
/// so 1e-6 leaves two digits for conditioning.
const VALUE_TOL: f64 = 1e-6;

fn settings() -> SolverSettings {
    SolverSettings::default()
}

fn random_symmetric(n: usize, seed: u64) -> Mat<f64> {
    let mut rng = seeded_rng(seed);
    let mut a = Mat::<f64>::zeros(n, n);
    for j in 0..n {
        for i in 0..=j {
            let v: f64 = rng.random_range(-1.0..1.0);
            a[(i, j)] = v;
            a[(j, i)] = v;
        }
    }
    a
}

fn dual_matrix(d: Dual) -> Mat<f64> {
    match d {
        Dual::Matrix(m) => m,
        Dual::Vector(_) => panic!("expected a matrix dual"),
    }
}

/// min t s.t. tI − A ⪰ 0 is λ_max(A); the dual matrix is the top eigenprojector (trace 1).
#[test]
fn lambda_max_as_an_sdp() {
    for (n, seed) in [(1, 1), (3, 2), (8, 3), (20, 4)] {
        let a = random_symmetric(n, seed);
        let mut m = Model::new();
        let t = m.add_var();
        let mut lmi = SymAffine::zeros(n);
        lmi.add_identity_term(t, 1.0)
            .add_constant_block(0, (-&a).as_ref());
        let id = m.add_psd(lmi).unwrap();
        m.minimize(t.into());
        let sol = m.solve(&settings()).unwrap();
        let exact = quadra_core::spectral::lambda_max(a.as_ref()).unwrap().value;
        assert!(
            (sol.objective - exact).abs() < VALUE_TOL * (1.0 + exact.abs()),
            "n={n}: {} vs {exact}",
            sol.objective
        );
        assert!((sol.dual_objective - exact).abs() < VALUE_TOL * (1.0 + exact.abs()));
        // Dual: Z ⪰ 0, tr Z = 1, ⟨Z, tI − A⟩ = 0, and ⟨Z, A⟩ = λ_max.
        let z = dual_matrix(sol.dual(id).unwrap());
        let tr: f64 = (0..n).map(|i| z[(i, i)]).sum();
        assert!((tr - 1.0).abs() < 1e-6, "trace {tr}");
        let za: f64 = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| z[(i, j)] * a[(i, j)])
            .sum();
        assert!((za - exact).abs() < 1e-6, "<Z,A> = {za}, λ_max = {exact}");
        let zmin = quadra_core::spectral::lambda_min(z.as_ref()).unwrap().value;
        assert!(zmin > -1e-7, "dual not PSD: {zmin}");
    }
}

/// Lovász theta of the n-cycle: n cos(π/n)/(1 + cos(π/n)) for odd n, n/2 for even n.
#[test]
fn lovasz_theta_of_cycles() {
    for n in [4usize, 5, 6, 7, 9, 12] {
        let sol = problems::lovasz_theta_cycle(n).solve(&settings()).unwrap();
        let exact = problems::lovasz_theta_cycle_exact(n);
        assert!(
            (sol.objective - exact).abs() < VALUE_TOL * exact,
            "C{n}: {} vs {exact}",
            sol.objective
        );
        assert!(sol.verified(), "C{n}: {:?}", sol.verification);
    }
}

/// min ½‖x − a‖² s.t. x ≥ 0 is the projection max(a, 0); its multipliers are max(−a, 0).
#[test]
fn projection_onto_the_orthant_as_a_qp() {
    let a = [1.5, -2.0, 0.25, -0.5, 3.0];
    let mut m = Model::new();
    let x = m.add_vars(a.len());
    let lin = LinExpr::weighted_sum(&x, &a.map(|v| -v));
    let hess: Vec<_> = x.iter().map(|&v| (v, v, 1.0)).collect();
    m.minimize_quadratic(lin + 0.5 * a.iter().map(|v| v * v).sum::<f64>(), &hess)
        .unwrap();
    let id = m.add_nonneg(x.iter().map(|&v| v.into()).collect()).unwrap();
    let sol = m.solve(&settings()).unwrap();
    for (k, &v) in x.iter().enumerate() {
        assert!((sol.value(v) - a[k].max(0.0)).abs() < 1e-6);
    }
    let expected_obj: f64 = a.iter().map(|v| 0.5 * v.min(0.0).powi(2)).sum();
    assert!((sol.objective - expected_obj).abs() < 1e-6);
    match sol.dual(id).unwrap() {
        Dual::Vector(z) => z
            .iter()
            .zip(a)
            .for_each(|(z, a)| assert!((z - (-a).max(0.0)).abs() < 1e-6)),
        Dual::Matrix(_) => panic!("expected a vector dual"),
    }
}

/// min t s.t. ‖x − a‖ ≤ t, Σx = 1: distance from a to the hyperplane = |Σa − 1|/√n.
#[test]
fn distance_to_a_hyperplane_as_an_socp() {
    let a = [0.3, 2.0, -1.0, 0.7];
    let n = a.len() as f64;
    let mut m = Model::new();
    let t = m.add_var();
    let x = m.add_vars(a.len());
    m.add_soc(t.into(), x.iter().zip(a).map(|(&v, a)| v - a).collect())
        .unwrap();
    m.add_eq(vec![LinExpr::weighted_sum(&x, &[1.0; 4]) - 1.0])
        .unwrap();
    m.minimize(t.into());
    let sol = m.solve(&settings()).unwrap();
    let exact = (a.iter().sum::<f64>() - 1.0).abs() / n.sqrt();
    assert!((sol.objective - exact).abs() < VALUE_TOL);
}

/// An LMI that no x satisfies, and an unbounded objective, are reported as such.
#[test]
fn infeasible_and_unbounded_programs_are_errors_that_say_so() {
    // [[x, 1], [1, −x]] ⪰ 0 needs x ≥ 0 and −x ≥ 0 and −x² − 1 ≥ 0: infeasible.
    let mut m = Model::new();
    let x = m.add_var();
    let mut lmi = SymAffine::zeros(2);
    lmi.add_term_entry(x, 0, 0, 1.0)
        .add_term_entry(x, 1, 1, -1.0)
        .add_constant_entry(0, 1, 1.0);
    m.add_psd(lmi).unwrap();
    m.minimize(x.into());
    let e = m.solve(&settings()).unwrap_err();
    assert!(matches!(e, ConicError::PrimalInfeasible { .. }), "{e}");
    assert!(e.is_numerical());

    // min x s.t. x ⪯ 0 (as a 1×1 LMI) is unbounded below.
    let mut m = Model::new();
    let x = m.add_var();
    let mut lmi = SymAffine::zeros(1);
    lmi.add_term_entry(x, 0, 0, 1.0);
    m.add_nsd(lmi).unwrap();
    m.minimize(x.into());
    let e = m.solve(&settings()).unwrap_err();
    assert!(matches!(e, ConicError::DualInfeasible { .. }), "{e}");
}

#[test]
fn iteration_limit_is_reported_with_residuals() {
    let a = random_symmetric(12, 9);
    let mut m = Model::new();
    let t = m.add_var();
    let mut lmi = SymAffine::zeros(12);
    lmi.add_identity_term(t, 1.0)
        .add_constant_block(0, (-&a).as_ref());
    m.add_psd(lmi).unwrap();
    m.minimize(t.into());
    let s = SolverSettings::builder().max_iter(2).build().unwrap();
    let e = m.solve(&s).unwrap_err();
    assert!(
        matches!(e, ConicError::LimitReached { iterations: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("iteration limit"));
}

#[test]
fn malformed_models_are_rejected() {
    let mut m = Model::new();
    let x = m.add_var();
    let mut other = Model::new();
    let _ = other.add_vars(3);
    let foreign = other.add_var();
    assert!(matches!(
        m.add_nonneg(vec![foreign.into()]),
        Err(ConicError::UnknownVariable { index: 3, count: 1 })
    ));
    assert!(matches!(
        m.add_nonneg(vec![x * f64::NAN]),
        Err(ConicError::NonFinite { .. })
    ));
    let mut lmi = SymAffine::zeros(2);
    lmi.add_term_entry(x, 0, 2, 1.0);
    assert!(matches!(
        m.add_psd(lmi),
        Err(ConicError::EntryOutOfRange { .. })
    ));
    // A concave quadratic objective.
    m.minimize_quadratic(LinExpr::default(), &[(x, x, -1.0)])
        .unwrap();
    m.add_nonneg(vec![x.into()]).unwrap();
    assert!(matches!(
        m.solve(&settings()),
        Err(ConicError::NonConvexObjective { .. })
    ));
    assert!(SolverSettings::builder().tol_feas(0.0).build().is_err());
    assert!(SolverSettings::builder()
        .time_limit(f64::NAN)
        .build()
        .is_err());
}
