//! Attack detection with a secure quadratic sensor (after Jiang & Aswani 2025,
//! arXiv:2510.00241): a Kalman filter on the vulnerable linear channel, a projection
//! observer on the quadratic channel, and a paired wild-bootstrap MMD between the two
//! observers' position trajectories.
//!
//! Scenario (a pursuit–evasion-style relative state `x = (p₁, p₂, v₁, v₂)` of the evader
//! seen from the pursuer): `p⁺ = a_p p + dt·v`, `v⁺ = a_v v + w`, `w ~ N(0, σ_w² I)`;
//! linear sensor `y = p + e` (`e ~ N(0, σ_e² I)`), under attack `y = p + e + δ·(t − t_a)·(1, 1)`
//! for `t ≥ t_a` (a slow, stealthy ramp); secure range sensor `r = ‖p‖² + ν`
//! (`Q = diag(1, 1, 0, 0)`, `q = 0`). The projection observer is
//! `x̂ᴾ_t = Π_{xᵀQx = r_t}(x̂ᴷ_t)` ([`crate::project_quadric`]): the point nearest the Kalman
//! estimate that agrees with the secure range. Without attack the two trajectories differ by
//! noise; under attack the Kalman estimate leaves the range set and the MMD test on the last
//! `window` positions rejects.

use crate::bootstrap::mmd_test;
use crate::data::Series;
use crate::error::Result;
use crate::projection::project_quadric;
use crate::settings::{Pairing, TestSettings};
use quadra_core::rng::standard_normal;
use quadra_core::{cholesky, seeded_rng, Mat};

/// A scenario of the attack-detection demo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scenario {
    /// Time steps.
    pub steps: usize,
    /// Step `dt`.
    pub dt: f64,
    /// Position mean reversion `a_p`.
    pub a_p: f64,
    /// Velocity persistence `a_v`.
    pub a_v: f64,
    /// Process noise σ_w.
    pub sigma_w: f64,
    /// Linear-sensor noise σ_e.
    pub sigma_e: f64,
    /// Range-sensor noise σ_ν.
    pub sigma_r: f64,
    /// Attack ramp slope δ per step (0: no attack).
    pub attack_slope: f64,
    /// Attack start `t_a`.
    pub attack_start: usize,
    /// Trajectory window compared by the MMD test.
    pub window: usize,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            steps: 300,
            dt: 0.1,
            a_p: 0.98,
            a_v: 0.9,
            sigma_w: 0.5,
            sigma_e: 0.2,
            sigma_r: 0.2,
            attack_slope: 0.0,
            attack_start: 150,
            window: 150,
        }
    }
}

/// The outcome of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionRun {
    /// MMD p-value between the observers' position trajectories over the window.
    pub p_value: f64,
    /// Whether the test rejected (attack declared).
    pub alarm: bool,
    /// Mean distance between the two observers' positions over the window.
    pub mean_gap: f64,
}

/// Simulates the scenario with `seed` and tests the two observers' trajectories.
pub fn run_detection(sc: &Scenario, seed: u64, test: &TestSettings) -> Result<DetectionRun> {
    let mut rng = seeded_rng(seed);
    let dt = sc.dt;
    let a = Mat::from_fn(4, 4, |i, j| match (i, j) {
        (0, 0) | (1, 1) => sc.a_p,
        (0, 2) | (1, 3) => dt,
        (2, 2) | (3, 3) => sc.a_v,
        _ => 0.0,
    });
    let qn = Mat::from_fn(4, 4, |i, j| {
        if i == j && i >= 2 {
            sc.sigma_w.powi(2)
        } else {
            0.0
        }
    });
    let rn = Mat::from_fn(2, 2, |i, j| if i == j { sc.sigma_e.powi(2) } else { 0.0 });
    let c = Mat::from_fn(2, 4, |i, j| if i == j { 1.0 } else { 0.0 });
    let qmat = Mat::from_fn(4, 4, |i, j| if i == j && i < 2 { 1.0 } else { 0.0 });
    let mut x = Mat::from_fn(4, 1, |i, _| if i < 2 { 3.0 } else { 0.0 });
    let mut xh = x.clone();
    let mut p = Mat::from_fn(4, 4, |i, j| if i == j { 1.0 } else { 0.0 });
    let start = sc.steps.saturating_sub(sc.window);
    let (mut kal, mut proj) = (Vec::new(), Vec::new());
    let mut gap = 0.0;
    for t in 0..sc.steps {
        // Truth.
        let mut xn = &a * &x;
        for i in 2..4 {
            xn[(i, 0)] += sc.sigma_w * standard_normal(&mut rng);
        }
        x = xn;
        // Sensors.
        let bias = if t >= sc.attack_start {
            sc.attack_slope * (t - sc.attack_start) as f64
        } else {
            0.0
        };
        let y: Vec<f64> = (0..2)
            .map(|i| x[(i, 0)] + sc.sigma_e * standard_normal(&mut rng) + bias)
            .collect();
        let range = x[(0, 0)].powi(2) + x[(1, 0)].powi(2) + sc.sigma_r * standard_normal(&mut rng);
        // Kalman filter (linear channel).
        let xp = &a * &xh;
        let pp = &a * &p * a.transpose() + &qn;
        let s = &c * &pp * c.transpose() + &rn;
        let k = &pp * c.transpose() * cholesky(s.as_ref())?.inverse();
        let innov = Mat::from_fn(2, 1, |i, _| y[i] - xp[(i, 0)]);
        xh = &xp + &k * &innov;
        p = (Mat::<f64>::identity(4, 4) - &k * &c) * &pp;
        // Projection observer (quadratic channel); a negative noisy range is clipped to 0.
        let z: Vec<f64> = (0..4).map(|i| xh[(i, 0)]).collect();
        let xproj = project_quadric(&qmat, &[0.0; 4], range.max(0.0), &z)?.x;
        if t >= start {
            kal.extend_from_slice(&z[..2]);
            proj.extend_from_slice(&xproj[..2]);
            gap += ((z[0] - xproj[0]).powi(2) + (z[1] - xproj[1]).powi(2)).sqrt();
        }
    }
    let w = kal.len() / 2;
    let xs = Series::from_rows(w, 2, kal)?;
    let ys = Series::from_rows(w, 2, proj)?;
    let settings = TestSettings::builder()
        .method(test.method())
        .block(test.block())
        .n_boot(test.n_boot())
        .alpha(test.alpha())
        .seed(test.seed())
        .pairing(Pairing::Paired)
        .build()?;
    let r = mmd_test(&xs, &ys, &settings)?;
    Ok(DetectionRun {
        p_value: r.p_value,
        alarm: r.reject,
        mean_gap: gap / w as f64,
    })
}
