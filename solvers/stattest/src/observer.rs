//! Attack detection with a secure quadratic sensor (after Jiang & Aswani 2025,
//! arXiv:2510.00241): a Kalman filter on the vulnerable linear channel, a projection
//! observer on the quadratic channel, and a paired wild-bootstrap MMD between the two
//! observers' output trajectories.
//!
//! System ([`QuadraticSensorSystem`]): `x⁺ = Ax + w`, `w ~ N(0, diag(σ_w²))`; vulnerable
//! linear sensor `y = C_lin x + e`, `e ~ N(0, diag(σ_e²))`, under attack
//! `y = C_lin x + e + δ·(t − t_a)·d` for `t ≥ t_a` (a slow, stealthy ramp along `d`); secure
//! quadratic sensor `r = xᵀQx + qᵀx + ν`, `ν ~ N(0, σ_ν²)`. The Kalman filter starts at
//! `x̂₀ = x₀` with `P₀ = I`. The projection observer is `x̂ᴾ_t = Π_{xᵀQx + qᵀx = r_t}(x̂ᴷ_t)`
//! ([`crate::project_quadric`]): the point nearest the Kalman estimate that agrees with the
//! secure reading (a noisy reading outside the range of `xᵀQx + qᵀx` is moved to the nearest
//! attainable level, [`crate::projection::level_range`]). Without attack the two
//! trajectories differ by noise; under attack the Kalman estimate leaves the level set and
//! the MMD test on the last `window` outputs `C_lin x̂ᴷ` vs `C_lin x̂ᴾ` rejects.
//!
//! The built-in scenario ([`Scenario::default`], [`QuadraticSensorSystem::pursuit_evasion`]) is
//! a pursuit–evasion-style relative state `x = (p₁, p₂, v₁, v₂)` of the evader seen from the
//! pursuer: `p⁺ = a_p p + dt·v`, `v⁺ = a_v v + w`, linear position sensor `C_lin = [I 0]`,
//! secure range sensor `‖p‖²` (`Q = diag(1, 1, 0, 0)`, `q = 0`). The same scenario as a file:
//! `examples/pursuit_evasion.json` (schema in docs/formats.md).

use crate::bootstrap::mmd_test;
use crate::data::Series;
use crate::error::{Result, StatTestError};
use crate::projection::{level_range, project_quadric};
use crate::settings::{Pairing, TestSettings};
use quadra_core::rng::standard_normal;
use quadra_core::{cholesky, seeded_rng, Mat};

/// Largest `|Q − Qᵀ|` entry accepted, relative to `max|Q|`: a matrix typed into a file as
/// symmetric is symmetric to the last digit printed (≈ 1e-12 for 13 significant digits).
pub const SYMMETRY_RTOL: f64 = 1e-12;

/// The plant and its two sensors (`n` states, `m` linear measurements).
#[derive(Debug, Clone, PartialEq)]
pub struct QuadraticSensorSystem {
    /// State matrix `A` (`n × n`).
    pub a: Mat<f64>,
    /// Vulnerable linear sensor `C_lin` (`m × n`).
    pub c_lin: Mat<f64>,
    /// Secure quadratic sensor's `Q` (`n × n`, symmetric).
    pub q_quad: Mat<f64>,
    /// Secure quadratic sensor's `q` (length `n`).
    pub q_lin: Vec<f64>,
    /// Process-noise standard deviations `σ_w` per state (length `n`, ≥ 0; a zero entry
    /// draws no noise for that state).
    pub process_std: Vec<f64>,
    /// Linear-sensor noise standard deviations `σ_e` (length `m`, > 0: the Kalman gain
    /// needs a positive-definite innovation covariance).
    pub sensor_std: Vec<f64>,
    /// Quadratic-sensor noise standard deviation `σ_ν` (≥ 0).
    pub quadratic_std: f64,
    /// Initial state `x₀` (length `n`), also the filter's initial estimate.
    pub x0: Vec<f64>,
    /// Attack direction `d` in measurement space (length `m`).
    pub attack_direction: Vec<f64>,
}

impl QuadraticSensorSystem {
    /// The pursuit–evasion relative-state system (see the module docs).
    pub fn pursuit_evasion(
        dt: f64,
        a_p: f64,
        a_v: f64,
        sigma_w: f64,
        sigma_e: f64,
        sigma_r: f64,
    ) -> Self {
        QuadraticSensorSystem {
            a: Mat::from_fn(4, 4, |i, j| match (i, j) {
                (0, 0) | (1, 1) => a_p,
                (0, 2) | (1, 3) => dt,
                (2, 2) | (3, 3) => a_v,
                _ => 0.0,
            }),
            c_lin: Mat::from_fn(2, 4, |i, j| if i == j { 1.0 } else { 0.0 }),
            q_quad: Mat::from_fn(4, 4, |i, j| if i == j && i < 2 { 1.0 } else { 0.0 }),
            q_lin: vec![0.0; 4],
            process_std: vec![0.0, 0.0, sigma_w, sigma_w],
            sensor_std: vec![sigma_e; 2],
            quadratic_std: sigma_r,
            x0: vec![3.0, 3.0, 0.0, 0.0],
            attack_direction: vec![1.0; 2],
        }
    }

    /// State dimension `n`.
    pub fn states(&self) -> usize {
        self.a.nrows()
    }

    /// Measurement dimension `m`.
    pub fn measurements(&self) -> usize {
        self.c_lin.nrows()
    }

    /// Checks shapes, finiteness and signs; the error names the field.
    pub fn check(&self) -> Result<()> {
        let n = self.a.nrows();
        let m = self.c_lin.nrows();
        let dim = |field: &'static str, expected: usize, found: usize| {
            if expected == found {
                Ok(())
            } else {
                Err(StatTestError::DimensionMismatch {
                    context: field,
                    expected,
                    found,
                })
            }
        };
        if n == 0 {
            return Err(StatTestError::invalid(
                "A",
                "0×0",
                "a square matrix with n ≥ 1",
            ));
        }
        if m == 0 {
            return Err(StatTestError::invalid("C_lin", "0 rows", "m ≥ 1 rows"));
        }
        dim("A: columns (must be square, n × n)", n, self.a.ncols())?;
        dim(
            "C_lin: columns (the state dimension n, rows of A)",
            n,
            self.c_lin.ncols(),
        )?;
        dim("Q: rows (the state dimension n)", n, self.q_quad.nrows())?;
        dim("Q: columns (the state dimension n)", n, self.q_quad.ncols())?;
        dim("q: length (the state dimension n)", n, self.q_lin.len())?;
        dim(
            "process_std: length (the state dimension n)",
            n,
            self.process_std.len(),
        )?;
        dim("x0: length (the state dimension n)", n, self.x0.len())?;
        dim(
            "sensor_std: length (the rows m of C_lin)",
            m,
            self.sensor_std.len(),
        )?;
        dim(
            "attack.direction: length (the rows m of C_lin)",
            m,
            self.attack_direction.len(),
        )?;
        let finite = |field: &'static str, mut vals: Box<dyn Iterator<Item = f64> + '_>| match vals
            .find(|v| !v.is_finite())
        {
            Some(v) => Err(StatTestError::invalid(field, v, "finite numbers")),
            None => Ok(()),
        };
        let entries = |a: &Mat<f64>| -> Vec<f64> {
            (0..a.ncols())
                .flat_map(|j| (0..a.nrows()).map(move |i| a[(i, j)]))
                .collect()
        };
        finite("A", Box::new(entries(&self.a).into_iter()))?;
        finite("C_lin", Box::new(entries(&self.c_lin).into_iter()))?;
        finite("Q", Box::new(entries(&self.q_quad).into_iter()))?;
        finite("q", Box::new(self.q_lin.iter().copied()))?;
        finite("x0", Box::new(self.x0.iter().copied()))?;
        finite(
            "attack.direction",
            Box::new(self.attack_direction.iter().copied()),
        )?;
        if let Some(v) = self
            .process_std
            .iter()
            .find(|v| !(v.is_finite() && **v >= 0.0))
        {
            return Err(StatTestError::invalid(
                "process_std",
                v,
                "finite numbers ≥ 0",
            ));
        }
        if let Some(v) = self
            .sensor_std
            .iter()
            .find(|v| !(v.is_finite() && **v > 0.0))
        {
            return Err(StatTestError::invalid(
                "sensor_std",
                v,
                "finite numbers > 0",
            ));
        }
        if !(self.quadratic_std.is_finite() && self.quadratic_std >= 0.0) {
            return Err(StatTestError::invalid(
                "quadratic_std",
                self.quadratic_std,
                "a finite number ≥ 0",
            ));
        }
        let scale = entries(&self.q_quad)
            .iter()
            .fold(0.0f64, |s, v| s.max(v.abs()));
        for j in 0..n {
            for i in 0..j {
                let d = (self.q_quad[(i, j)] - self.q_quad[(j, i)]).abs();
                if d > SYMMETRY_RTOL * scale {
                    return Err(StatTestError::invalid(
                        "Q",
                        format!("Q[{i}][{j}] − Q[{j}][{i}] = {d:e}"),
                        "a symmetric matrix",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A scenario of the attack-detection demo: the system, the horizon and the attack.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The plant and sensors.
    pub system: QuadraticSensorSystem,
    /// Time steps.
    pub steps: usize,
    /// Attack ramp slope δ per step (0: no attack).
    pub attack_slope: f64,
    /// Attack start `t_a`.
    pub attack_start: usize,
    /// Trajectory window compared by the MMD test (the last `window` steps).
    pub window: usize,
}

impl Default for Scenario {
    /// The pursuit–evasion system with `dt = 0.1`, `a_p = 0.98`, `a_v = 0.9`, `σ_w = 0.5`,
    /// `σ_e = σ_ν = 0.2`, `x₀ = (3, 3, 0, 0)`, 300 steps, window 150, attack from step 150
    /// along `(1, 1)` with slope 0 (no attack).
    fn default() -> Self {
        Scenario {
            system: QuadraticSensorSystem::pursuit_evasion(0.1, 0.98, 0.9, 0.5, 0.2, 0.2),
            steps: 300,
            attack_slope: 0.0,
            attack_start: 150,
            window: 150,
        }
    }
}

impl Scenario {
    /// Checks the system and `4 ≤ window ≤ steps`, a finite slope ≥ 0; the error names the field.
    pub fn check(&self) -> Result<()> {
        self.system.check()?;
        if self.window < 4 || self.window > self.steps {
            return Err(StatTestError::invalid(
                "window",
                format!("{} (steps {})", self.window, self.steps),
                "4 ≤ window ≤ steps",
            ));
        }
        if !(self.attack_slope.is_finite() && self.attack_slope >= 0.0) {
            return Err(StatTestError::invalid(
                "attack.slope",
                self.attack_slope,
                "a finite number ≥ 0",
            ));
        }
        Ok(())
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

/// `M v` for a matrix and a vector.
fn mat_vec(m: &Mat<f64>, v: &[f64]) -> Vec<f64> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)] * v[j]).sum())
        .collect()
}

/// Simulates the scenario with `seed` and tests the two observers' output trajectories.
///
/// Errors: an invalid scenario (naming the field), or a numerical failure of the filter or
/// the projection.
pub fn run_detection(sc: &Scenario, seed: u64, test: &TestSettings) -> Result<DetectionRun> {
    sc.check()?;
    let sys = &sc.system;
    let (n, m) = (sys.states(), sys.measurements());
    let mut rng = seeded_rng(seed);
    let a = &sys.a;
    let c = &sys.c_lin;
    let qn = Mat::from_fn(n, n, |i, j| {
        if i == j {
            sys.process_std[i].powi(2)
        } else {
            0.0
        }
    });
    let rn = Mat::from_fn(m, m, |i, j| {
        if i == j {
            sys.sensor_std[i].powi(2)
        } else {
            0.0
        }
    });
    let (level_lo, level_hi) = level_range(&sys.q_quad, &sys.q_lin)?;
    let mut x = sys.x0.clone();
    let mut xh = Mat::from_fn(n, 1, |i, _| sys.x0[i]);
    let mut p = Mat::<f64>::identity(n, n);
    let start = sc.steps.saturating_sub(sc.window);
    let (mut kal, mut proj) = (Vec::new(), Vec::new());
    let mut gap = 0.0;
    for t in 0..sc.steps {
        // Truth.
        let mut xn = mat_vec(a, &x);
        for (i, xi) in xn.iter_mut().enumerate() {
            if sys.process_std[i] > 0.0 {
                *xi += sys.process_std[i] * standard_normal(&mut rng);
            }
        }
        x = xn;
        // Sensors.
        let bias = if t >= sc.attack_start {
            sc.attack_slope * (t - sc.attack_start) as f64
        } else {
            0.0
        };
        let cx = mat_vec(c, &x);
        let y: Vec<f64> = (0..m)
            .map(|i| {
                cx[i]
                    + sys.sensor_std[i] * standard_normal(&mut rng)
                    + bias * sys.attack_direction[i]
            })
            .collect();
        let qx = mat_vec(&sys.q_quad, &x);
        let reading = (0..n)
            .map(|i| x[i] * qx[i] + sys.q_lin[i] * x[i])
            .sum::<f64>()
            + sys.quadratic_std * standard_normal(&mut rng);
        // Kalman filter (linear channel).
        let xp = a * &xh;
        let pp = a * &p * a.transpose() + &qn;
        let s = c * &pp * c.transpose() + &rn;
        let k = &pp * c.transpose() * cholesky(s.as_ref())?.inverse();
        let cxp = c * &xp;
        let innov = Mat::from_fn(m, 1, |i, _| y[i] - cxp[(i, 0)]);
        xh = &xp + &k * &innov;
        p = (Mat::<f64>::identity(n, n) - &k * c) * &pp;
        // Projection observer (quadratic channel) onto the nearest attainable level.
        let z: Vec<f64> = (0..n).map(|i| xh[(i, 0)]).collect();
        let level = reading.clamp(level_lo, level_hi);
        let xproj = project_quadric(&sys.q_quad, &sys.q_lin, level, &z)?.x;
        if t >= start {
            let (ck, cp) = (mat_vec(c, &z), mat_vec(c, &xproj));
            gap += ck
                .iter()
                .zip(&cp)
                .map(|(u, v)| (u - v).powi(2))
                .sum::<f64>()
                .sqrt();
            kal.extend(ck);
            proj.extend(cp);
        }
    }
    let w = kal.len() / m;
    let xs = Series::from_rows(w, m, kal)?;
    let ys = Series::from_rows(w, m, proj)?;
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
