//! The general dense-QP path: Hock–Schittkowski published optima, infinite bounds dropped,
//! infeasibility reported.

#![allow(clippy::needless_range_loop)] // index loops mirror the formulas being checked

use quadra_conic::{ConicError, SolverSettings};
use quadra_qp::{DenseQp, QpError};

const INF: f64 = f64::INFINITY;

fn settings() -> SolverSettings {
    SolverSettings::builder()
        .tol_gap_abs(1e-10)
        .tol_gap_rel(1e-10)
        .tol_feas(1e-10)
        .build()
        .unwrap()
}

/// HS21 (Hock & Schittkowski 1981): min 0.01x₁² + x₂² − 100, 10x₁ − x₂ ≥ 10,
/// 2 ≤ x₁ ≤ 50, −50 ≤ x₂ ≤ 50; f* = −99.96 at (2, 0).
#[test]
fn hock_schittkowski_21() {
    let qp = DenseQp {
        n: 2,
        p: vec![0.02, 0.0, 0.0, 2.0],
        q: vec![0.0, 0.0],
        a: vec![10.0, -1.0],
        l: vec![10.0],
        u: vec![INF],
        lb: vec![2.0, -50.0],
        ub: vec![50.0, 50.0],
    };
    let s = qp.solve(&settings()).unwrap();
    assert!(s.verified);
    assert!(
        (s.objective - 100.0 - (-99.96)).abs() < 1e-7,
        "{}",
        s.objective - 100.0
    );
    assert!((s.x[0] - 2.0).abs() < 1e-7 && s.x[1].abs() < 1e-7);
    assert_eq!(s.dropped, 1);
}

/// HS35: min 9 − 8x₁ − 6x₂ − 4x₃ + 2x₁² + 2x₂² + x₃² + 2x₁x₂ + 2x₁x₃,
/// x₁ + x₂ + 2x₃ ≤ 3, x ≥ 0 (upper bounds infinite); f* = 1/9 at (4/3, 7/9, 4/9).
#[test]
fn hock_schittkowski_35_with_infinite_upper_bounds() {
    let qp = DenseQp {
        n: 3,
        p: vec![4.0, 2.0, 2.0, 2.0, 4.0, 0.0, 2.0, 0.0, 2.0],
        q: vec![-8.0, -6.0, -4.0],
        a: vec![1.0, 1.0, 2.0],
        l: vec![-INF],
        u: vec![3.0],
        lb: vec![0.0; 3],
        ub: vec![INF, 1e30, INF],
    };
    let s = qp.solve(&settings()).unwrap();
    assert!(
        (s.objective + 9.0 - 1.0 / 9.0).abs() < 1e-8,
        "{}",
        s.objective + 9.0
    );
    for (x, e) in s.x.iter().zip([4.0 / 3.0, 7.0 / 9.0, 4.0 / 9.0]) {
        assert!((x - e).abs() < 1e-6);
    }
    assert_eq!(s.dropped, 4);
    assert_eq!(s.inequalities, 4);
}

/// HS76 with an equality-free row set and a free row: f* = −4.681818… = −103/22 at
/// (3/11, 23/11, 0, 6/11).
#[test]
fn hock_schittkowski_76_with_a_free_row_and_an_equality() {
    let p = vec![
        2.0, 0.0, -1.0, 0.0, //
        0.0, 1.0, 0.0, 0.0, //
        -1.0, 0.0, 2.0, 1.0, //
        0.0, 0.0, 1.0, 1.0,
    ];
    let base = DenseQp {
        n: 4,
        p,
        q: vec![-1.0, -3.0, 1.0, -1.0],
        a: vec![
            1.0, 2.0, 1.0, 1.0, //
            3.0, 1.0, 2.0, -1.0, //
            0.0, 1.0, 4.0, 0.0,
        ],
        l: vec![-INF, -INF, 1.5],
        u: vec![5.0, 4.0, INF],
        lb: vec![0.0; 4],
        ub: vec![],
    };
    let s = base.solve(&settings()).unwrap();
    assert!((s.objective + 103.0 / 22.0).abs() < 1e-8, "{}", s.objective);
    // A free row (−∞, ∞) and an equality that holds at the optimum change nothing.
    let mut more = base.clone();
    more.a
        .extend_from_slice(&[1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    more.l.extend_from_slice(&[-INF, 3.0 / 11.0]);
    more.u.extend_from_slice(&[INF, 3.0 / 11.0]);
    let t = more.solve(&settings()).unwrap();
    assert!((t.objective - s.objective).abs() < 1e-8);
    assert_eq!(t.equalities, 1);
    assert_eq!(t.dropped, s.dropped + 2);
}

#[test]
fn infeasible_and_malformed_programs_are_errors() {
    let qp = DenseQp {
        n: 1,
        p: vec![1.0],
        q: vec![0.0],
        a: vec![1.0, 1.0],
        l: vec![1.0, -INF],
        u: vec![INF, 0.0],
        lb: vec![],
        ub: vec![],
    };
    assert!(matches!(
        qp.solve(&settings()),
        Err(QpError::Conic(ConicError::PrimalInfeasible { .. }))
    ));
    let mut bad = qp.clone();
    bad.l[0] = 2.0;
    bad.u[0] = 1.0;
    assert!(bad
        .solve(&settings())
        .unwrap_err()
        .to_string()
        .contains("lower bound"));
    let mut bad = qp.clone();
    bad.q[0] = f64::NAN;
    assert!(bad
        .solve(&settings())
        .unwrap_err()
        .to_string()
        .contains("non-finite"));
    let mut bad = qp;
    bad.l.pop();
    assert!(matches!(
        bad.solve(&settings()),
        Err(QpError::DimensionMismatch { .. })
    ));
}
