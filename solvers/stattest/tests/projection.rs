//! Closed forms of the Euclidean projection onto quadric level sets
//! (proofs/quadric_projection.md).

use quadra_core::rng::gaussian_vec;
use quadra_core::{seeded_rng, Mat};
use quadra_stattest::{project_quadric, StatTestError};

/// Brent's default tolerance on μ propagates to x with a modest condition number.
const TOL: f64 = 1e-8;

fn diag(d: &[f64]) -> Mat<f64> {
    Mat::from_fn(d.len(), d.len(), |i, j| if i == j { d[i] } else { 0.0 })
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < TOL)
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

#[test]
fn sphere_radial_projection_and_centre() {
    let z = [3.0, -4.0, 12.0]; // ‖z‖ = 13
    let p = project_quadric(&diag(&[1.0; 3]), &[0.0; 3], 4.0, &z).unwrap();
    let want: Vec<f64> = z.iter().map(|v| 2.0 * v / 13.0).collect();
    assert!(close(&p.x, &want), "{:?}", p.x);
    assert!(!p.hard_case && p.residual < TOL);
    // z at the centre: every point of the sphere is nearest (hard case), distance 2.
    let c = project_quadric(&diag(&[1.0; 3]), &[0.0; 3], 4.0, &[0.0; 3]).unwrap();
    assert!(c.hard_case);
    assert!((dist(&c.x, &[0.0; 3]) - 2.0).abs() < TOL && c.residual < TOL);
}

#[test]
fn ellipse_interior_point_on_the_evolute_side() {
    // x²/a² + y²/b² = 1, a = 2, b = 1, z = (t, 0) with |t| < a − b²/a = 1.5: the nearest point
    // is x₀ = a²t/(a² − b²), y₀ = ±b√(1 − x₀²/a²) (hard case, μ = −b²/2).
    let (a, b, t) = (2.0f64, 1.0f64, 0.6f64);
    let qm = diag(&[1.0 / (a * a), 1.0 / (b * b)]);
    let p = project_quadric(&qm, &[0.0, 0.0], 1.0, &[t, 0.0]).unwrap();
    let x0 = a * a * t / (a * a - b * b);
    let y0 = b * (1.0 - x0 * x0 / (a * a)).sqrt();
    assert!(p.hard_case);
    assert!(
        (p.x[0] - x0).abs() < TOL && (p.x[1].abs() - y0).abs() < TOL,
        "{:?}",
        p.x
    );
    assert!((p.multiplier + b * b / 2.0).abs() < TOL);
    // Outside on the axis: (t, 0), t > a → (a, 0).
    let o = project_quadric(&qm, &[0.0, 0.0], 1.0, &[3.5, 0.0]).unwrap();
    assert!(close(&o.x, &[2.0, 0.0]), "{:?}", o.x);
}

#[test]
fn hyperbola_closed_forms() {
    // x₁² − x₂² = 1. From z = (0, s): x₂ = s/2, x₁ = ±√(1 + s²/4).
    let qm = diag(&[1.0, -1.0]);
    let s = 3.0;
    let p = project_quadric(&qm, &[0.0, 0.0], 1.0, &[0.0, s]).unwrap();
    assert!((p.x[1] - s / 2.0).abs() < TOL);
    assert!((p.x[0].abs() - (1.0 + s * s / 4.0f64).sqrt()).abs() < TOL);
    // From z = (2, 0): the vertex (1, 0) (root exactly at the pole μ = 1/2).
    let v = project_quadric(&qm, &[0.0, 0.0], 1.0, &[2.0, 0.0]).unwrap();
    assert!(close(&v.x, &[1.0, 0.0]), "{:?}", v.x);
}

#[test]
fn degenerate_plane_and_parabola() {
    // Q = 0: the plane qᵀx = y; projection z − (qᵀz − y) q/‖q‖².
    let q = [1.0, 2.0, 2.0];
    let z = [1.0, 1.0, 1.0];
    let p = project_quadric(&Mat::zeros(3, 3), &q, 2.0, &z).unwrap();
    let c = (5.0 - 2.0) / 9.0;
    let want: Vec<f64> = z.iter().zip(&q).map(|(a, b)| a - c * b).collect();
    assert!(close(&p.x, &want), "{:?}", p.x);
    // Parabola x₂ = −x₁² (Q = diag(1, 0), q = (0, 1), y = 0) from z = (0, 1): vertex (0, 0).
    let pb = project_quadric(&diag(&[1.0, 0.0]), &[0.0, 1.0], 0.0, &[0.0, 1.0]).unwrap();
    assert!(close(&pb.x, &[0.0, 0.0]), "{:?}", pb.x);
}

#[test]
fn level_at_the_minimum_is_the_minimiser_set() {
    // Q = diag(1, 1, 0, 0), q = 0, y = 0: {p = 0}; the velocity coordinates stay.
    let p = project_quadric(
        &diag(&[1.0, 1.0, 0.0, 0.0]),
        &[0.0; 4],
        0.0,
        &[2.0, -1.0, 0.5, 0.3],
    )
    .unwrap();
    assert!(close(&p.x, &[0.0, 0.0, 0.5, 0.3]), "{:?}", p.x);
    // Shifted paraboloid bowl (x−1)² + (y+2)² = 0 ⇔ xᵀx + (−2, 4)ᵀx = −5.
    let b = project_quadric(&diag(&[1.0, 1.0]), &[-2.0, 4.0], -5.0, &[7.0, 7.0]).unwrap();
    assert!(close(&b.x, &[1.0, -2.0]), "{:?}", b.x);
}

#[test]
fn random_quadrics_satisfy_kkt_and_beat_other_points() {
    // Indefinite random Q: x − z ∥ ∇f(x) = 2Qx + q, and x is no farther than the projections
    // of other random points (which lie on the set).
    let mut rng = seeded_rng(13);
    for n in [2usize, 3, 5] {
        let g = gaussian_vec(n * n, &mut rng);
        let qm = Mat::from_fn(n, n, |i, j| g[i * n + j] + g[j * n + i]);
        let q = gaussian_vec(n, &mut rng);
        let z = gaussian_vec(n, &mut rng);
        let p = project_quadric(&qm, &q, 0.7, &z).unwrap();
        assert!(p.residual < 1e-9, "n={n} residual {}", p.residual);
        let grad: Vec<f64> = (0..n)
            .map(|i| 2.0 * (0..n).map(|j| qm[(i, j)] * p.x[j]).sum::<f64>() + q[i])
            .collect();
        let d: Vec<f64> = p.x.iter().zip(&z).map(|(a, b)| a - b).collect();
        let dd = d.iter().map(|v| v * v).sum::<f64>().sqrt();
        let gg = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
        let cos = d.iter().zip(&grad).map(|(a, b)| a * b).sum::<f64>() / (dd * gg);
        assert!((cos.abs() - 1.0).abs() < 1e-7, "n={n}: cos {cos}");
        let best = dist(&p.x, &z);
        for _ in 0..200 {
            let other = gaussian_vec(n, &mut rng)
                .iter()
                .map(|v| 3.0 * v)
                .collect::<Vec<_>>();
            let o = project_quadric(&qm, &q, 0.7, &other).unwrap();
            assert!(dist(&o.x, &z) >= best - 1e-9, "n={n}");
        }
    }
}

#[test]
fn empty_level_set_and_bad_shapes_are_errors() {
    assert!(matches!(
        project_quadric(&diag(&[1.0, 1.0]), &[0.0, 0.0], -1.0, &[1.0, 0.0]),
        Err(StatTestError::EmptyLevelSet { .. })
    ));
    assert!(project_quadric(&diag(&[1.0, 1.0]), &[0.0], 1.0, &[1.0, 0.0]).is_err());
    assert!(project_quadric(&diag(&[1.0, 1.0]), &[0.0, 0.0], f64::NAN, &[1.0, 0.0]).is_err());
}

#[test]
fn level_range_closed_forms() {
    use quadra_stattest::projection::level_range;
    let inf = f64::INFINITY;
    // Range sensor ‖p‖² of the detection demo: [0, ∞).
    let r = level_range(&diag(&[1.0, 1.0, 0.0, 0.0]), &[0.0; 4]).unwrap();
    assert_eq!(r, (0.0, inf));
    // 2x² + 4x + y-free: minimum −b²/(4λ) = −16/8 = −2 at x = −1.
    let r = level_range(&diag(&[2.0, 0.0]), &[4.0, 0.0]).unwrap();
    assert!((r.0 + 2.0).abs() < 1e-14 && r.1 == inf, "{r:?}");
    // Rotated: Q = R diag(2, 0) Rᵀ with q = R(4, 0) gives the same range.
    let (c, s) = (0.6, 0.8);
    let rq = Mat::from_fn(2, 2, |i, j| {
        let u = [c, s];
        2.0 * u[i] * u[j]
    });
    let r = level_range(&rq, &[4.0 * c, 4.0 * s]).unwrap();
    assert!((r.0 + 2.0).abs() < 1e-12 && r.1 == inf, "{r:?}");
    // Negative definite: (−∞, max], max = −b²/(4λ) = 9/4 for −x² + 3x.
    let r = level_range(&diag(&[-1.0]), &[3.0]).unwrap();
    assert!(r.0 == -inf && (r.1 - 2.25).abs() < 1e-14, "{r:?}");
    // Indefinite, or linear along the kernel of Q: all of ℝ.
    assert_eq!(
        level_range(&diag(&[1.0, -1.0]), &[0.0; 2]).unwrap(),
        (-inf, inf)
    );
    assert_eq!(
        level_range(&diag(&[1.0, 0.0]), &[0.0, 1.0]).unwrap(),
        (-inf, inf)
    );
    // Q = 0, q = 0: the constant 0.
    assert_eq!(
        level_range(&diag(&[0.0, 0.0]), &[0.0; 2]).unwrap(),
        (0.0, 0.0)
    );
    // Every level inside the range has a nonempty level set; just outside it is empty.
    let r = level_range(&diag(&[2.0, 0.0]), &[4.0, 0.0]).unwrap();
    assert!(project_quadric(&diag(&[2.0, 0.0]), &[4.0, 0.0], r.0, &[1.0, 1.0]).is_ok());
    assert!(matches!(
        project_quadric(&diag(&[2.0, 0.0]), &[4.0, 0.0], r.0 - 0.1, &[1.0, 1.0]),
        Err(StatTestError::EmptyLevelSet { .. })
    ));
    assert!(level_range(&diag(&[1.0, 1.0]), &[0.0]).is_err());
}
