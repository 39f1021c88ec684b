//! Free convolution ν_κ ⊞ semicircle(t): the reference sheet's table, identities,
//! moments, mass, continuity in t.

use quadra_statphys::{mmse_den, Complex64, FreeConvolution};
use std::f64::consts::PI;

/// The sheet prints edges to 6 decimals: half a unit in the last place.
const EDGE_TOL: f64 = 5e-7;
/// ∫ρ³ and mmse_den are printed to 8 significant decimals.
const TABLE_TOL: f64 = 5e-9;
/// Quadrature identities and moments: the bulk rule converges to ~1e-12.
const IDENTITY_TOL: f64 = 1e-9;

struct Row {
    kappa: f64,
    t: f64,
    edges: &'static [f64],
    int_rho3: f64,
    mmse: f64,
}

const TABLE: [Row; 4] = [
    Row {
        kappa: 0.3,
        t: 0.05,
        edges: &[-0.383954, 0.358936, 0.435570, 4.391149],
        int_rho3: 0.75769433,
        mmse: 0.02507286,
    },
    Row {
        kappa: 0.5,
        t: 0.3,
        edges: &[-0.888265, 4.244919],
        int_rho3: 0.11070249,
        mmse: 0.16888922,
    },
    Row {
        kappa: 1.0,
        t: 1.0,
        edges: &[-1.484435, 4.484435],
        int_rho3: 0.04226091,
        mmse: 0.44386874,
    },
    Row {
        kappa: 2.0,
        t: 0.05,
        edges: &[-0.011114, 4.150536],
        int_rho3: 0.11843106,
        mmse: 0.04610377,
    },
];

#[test]
fn sheet_table_edges_int_rho3_mmse() {
    for r in &TABLE {
        let fc = FreeConvolution::new(r.kappa, r.t).unwrap();
        let edges = fc.edges();
        assert_eq!(
            edges.len(),
            r.edges.len(),
            "κ={} t={}: edges {edges:?}",
            r.kappa,
            r.t
        );
        for (got, want) in edges.iter().zip(r.edges) {
            assert!(
                (got - want).abs() <= EDGE_TOL,
                "κ={} t={}: edge {got} vs {want}",
                r.kappa,
                r.t
            );
        }
        let i3 = fc.int_rho_cubed();
        assert!(
            (i3 - r.int_rho3).abs() <= TABLE_TOL,
            "κ={} t={}: ∫ρ³ {i3} vs {}",
            r.kappa,
            r.t,
            r.int_rho3
        );
        let m = fc.mmse_den();
        assert!(
            (m - r.mmse).abs() <= TABLE_TOL,
            "κ={} t={}: mmse {m} vs {}",
            r.kappa,
            r.t,
            r.mmse
        );
    }
}

#[test]
fn sheet_point_values() {
    let fc = FreeConvolution::new(0.5, 0.3).unwrap();
    assert!((fc.density(0.0) - 0.45873824).abs() <= TABLE_TOL);
    assert!((fc.density(1.0) - 0.22523760).abs() <= TABLE_TOL);
    assert!((fc.cauchy_real(1.0).re - 0.54707716).abs() <= TABLE_TOL);
}

#[test]
fn mass_moments_and_identities() {
    for &(kappa, t) in &[
        (0.3, 0.05),
        (0.5, 0.3),
        (1.0, 1.0),
        (2.0, 0.05),
        (0.1, 2.0),
        (5.0, 0.7),
    ] {
        let fc = FreeConvolution::new(kappa, t).unwrap();
        let mass = fc.integrate(|_, _| 1.0);
        let mean = fc.integrate(|x, _| x);
        let m2 = fc.integrate(|x, _| x * x);
        assert!(
            (mass - 1.0).abs() < IDENTITY_TOL,
            "κ={kappa} t={t}: mass {mass}"
        );
        assert!(
            (mean - kappa.sqrt()).abs() < IDENTITY_TOL,
            "κ={kappa} t={t}: mean {mean}"
        );
        assert!(
            (m2 - (kappa + 1.0 + t)).abs() < IDENTITY_TOL,
            "κ={kappa} t={t}: m2 {m2}"
        );
        let id1 = fc.integrate(|x, g| x * g.re);
        assert!(
            (id1 - 0.5).abs() < IDENTITY_TOL,
            "κ={kappa} t={t}: ∫λReGρ {id1}"
        );
        let id2 = fc.integrate(|_, g| g.re * g.re);
        let rhs = PI * PI / 3.0 * fc.int_rho_cubed();
        assert!(
            (id2 - rhs).abs() < IDENTITY_TOL,
            "κ={kappa} t={t}: ∫(ReG)²ρ {id2} vs {rhs}"
        );
    }
}

#[test]
fn cauchy_off_axis_matches_quadrature_and_is_nevanlinna() {
    let fc = FreeConvolution::new(0.5, 0.3).unwrap();
    for z in [
        Complex64::new(1.0, 0.5),
        Complex64::new(-2.0, 0.1),
        Complex64::new(6.0, -1.0),
        Complex64::new(0.2, 0.3),
    ] {
        let g = fc.cauchy(z);
        let re = fc.integrate(|x, _| ((Complex64::new(1.0, 0.0)) / (z - x)).re);
        let im = fc.integrate(|x, _| ((Complex64::new(1.0, 0.0)) / (z - x)).im);
        assert!(
            (g.re - re).abs() < 1e-6 && (g.im - im).abs() < 1e-6,
            "z={z}: {g} vs {re}+{im}i"
        );
        assert!(g.im * z.im < 0.0);
    }
    // Just above the axis, −Im G/π is the density.
    for x in [0.2, 1.0, 3.0] {
        let g = fc.cauchy(Complex64::new(x, 1e-9));
        assert!((-g.im / PI - fc.density(x)).abs() < 1e-6, "x={x}: {g}");
    }
    // Outside the bulk on the real axis: the physical root matches ∫ρ/(x − y).
    for x in [-3.0, -1.0, 5.0, 10.0] {
        let g = fc.cauchy_real(x);
        let want = fc.integrate(|y, _| 1.0 / (x - y));
        assert!(
            g.im == 0.0 && (g.re - want).abs() < 1e-6,
            "x={x}: {g} vs {want}"
        );
    }
    // In the gap between the smeared atom and the bulk (κ = 0.3, t = 0.05).
    let fc = FreeConvolution::new(0.3, 0.05).unwrap();
    for x in [0.37, 0.40, 0.43] {
        let g = fc.cauchy_real(x);
        let want = fc.integrate(|y, _| 1.0 / (x - y));
        assert!((g.re - want).abs() < 1e-5, "gap x={x}: {g} vs {want}");
    }
}

#[test]
fn closed_forms_and_limits() {
    // κ > 1, t → 0: (4π²/3)∫ν³ = κ/(κ − 1), i.e. mmse_den(t)/t → 0 ... and
    // mmse_den(t)/t → 1 − (1 − κ)₊² for every κ.
    for &kappa in &[0.3, 0.5, 0.8, 1.5, 3.0] {
        let t = 1e-5;
        let ratio = mmse_den(kappa, t).unwrap() / t;
        let want = 1.0 - (1.0 - kappa).max(0.0).powi(2);
        assert!(
            (ratio - want).abs() < 5e-2 * want.max(0.1),
            "κ={kappa}: {ratio} vs {want}"
        );
    }
    for &kappa in &[2.0, 4.0] {
        let fc = FreeConvolution::new(kappa, 1e-6).unwrap();
        let v = 4.0 * PI * PI / 3.0 * fc.int_rho_cubed();
        let want = kappa / (kappa - 1.0);
        assert!((v - want).abs() < 1e-2 * want, "κ={kappa}: {v} vs {want}");
    }
    // Large κ: ν_κ tends to a unit semicircle (shifted), so mmse_den → t/(1+t).
    for &t in &[0.1, 1.0, 3.0] {
        let m = mmse_den(1e6, t).unwrap();
        assert!((m - t / (1.0 + t)).abs() < 1e-3, "t={t}: {m}");
    }
}

#[test]
fn continuity_in_t() {
    for &kappa in &[0.3, 0.5, 2.0] {
        let mut prev = mmse_den(kappa, 1e-3).unwrap();
        let mut t = 1e-3;
        while t < 10.0 {
            let next_t = t * 1.05;
            let next = mmse_den(kappa, next_t).unwrap();
            assert!(next > prev, "κ={kappa}: not increasing at t={t}");
            assert!(
                next - prev < 0.06 * next_t.max(prev),
                "κ={kappa}: jump at t={t}: {prev} → {next}"
            );
            prev = next;
            t = next_t;
        }
    }
}

#[test]
fn bad_inputs_are_errors() {
    assert!(FreeConvolution::new(-1.0, 0.1).is_err());
    assert!(FreeConvolution::new(0.5, 0.0).is_err());
    assert!(FreeConvolution::new(f64::NAN, 0.1).is_err());
    assert!(mmse_den(0.5, -1.0).is_err());
    assert_eq!(mmse_den(0.5, 0.0).unwrap(), 0.0);
}
