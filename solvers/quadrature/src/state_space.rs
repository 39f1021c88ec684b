//! Bayesian quadrature in O(N) for Matérn kernels with half-integer ν, by Kalman filtering
//! of the Gaussian process written as a linear SDE and augmented with its running integral.
//!
//! A Matérn kernel with ν = p + ½ and lengthscale ℓ is the covariance of the stationary
//! solution of an SDE of order `d = p + 1` (Hartikainen & Särkkä 2010, eqs. 11–13). In time
//! scaled by `λ = √(2ν)/ℓ`, `s = λt`, the state `x = (g, g', …, g^{(p)})` of `g(s) = f(s/λ)`
//! obeys `dx = F x ds + e_p dW` with `F` the companion matrix of `(σ + 1)^d` and white noise
//! of spectral density `q`. The stationary covariance is `P∞_ij = (−1)^j κ^{(i+j)}(0)`
//! (κ the scaled kernel), and `q = −2 (F P∞)_{pp}` from the Lyapunov equation
//! `F P∞ + P∞ Fᵀ + q e_p e_pᵀ = 0`.
//!
//! Adding `J(s) = ∫ 1_{[a,b]} g` as one more state gives the drift
//! `G = [[F, 0], [1_{[a,b]} e_0ᵀ, 0]]`. Between sorted nodes the augmented state moves by
//! `A = e^{Gτ}`, `Q = q ∫₀^τ e^{Gσ} e_p e_pᵀ e^{Gᵀσ} dσ`, computed here by a Taylor series on
//! a short base step and exact doubling `A(2τ) = A(τ)²`, `Q(2τ) = A Q Aᵀ + Q` (a sum of
//! positive semidefinite terms, so no cancellation, unlike Van Loan's block exponential with
//! its `e^{+τ}` factors). Observing `g` at the nodes with noise variance `jitter` is a Kalman
//! update (Joseph form, which keeps the observed component exactly zero when the jitter
//! is 0). The posterior mean `E[I(b) | y]` is linear in `y`; a backward pass of the filter's
//! linear maps gives its coefficients, the BQ weights: with `r_end = e_J/λ`,
//! `w_k = r_kᵀ K_k`, `r_{k−1} = A_kᵀ (I − K_k e_0ᵀ)ᵀ r_k`. The BQ variance is the filtered
//! variance of `J(b)/λ`. Derivation: `proofs/state_space_bq.md`.
//!
//! ## References
//! - J. Hartikainen, S. Särkkä, *Kalman filtering and smoothing solutions to temporal
//!   Gaussian process regression models*, IEEE MLSP 2010, doi:10.1109/MLSP.2010.5589113.
//! - A. Solin, *Stochastic differential equation methods for spatio-temporal Gaussian process
//!   regression*, doctoral thesis, Aalto University, 2016 (§ 3.3, § 4.2).
//! - C. F. Van Loan, *Computing integrals involving the matrix exponential*, IEEE TAC 23 (1978).

use crate::error::{QuadratureError, Result};
use crate::kernel::{Interval, Kernel, KernelKind};

type Sq<const D: usize> = [[f64; D]; D];

/// Consecutive steps whose lengths differ by less than this times the largest node magnitude
/// share one transition: nodes are only known to half an ulp, so two step lengths of an
/// equispaced grid computed as `a + L·i/(n−1)` differ by up to `2ε·max|t|`.
const STEP_REUSE_RTOL: f64 = 4.0 * f64::EPSILON;
/// The Taylor base step satisfies `‖G τ₀‖_∞ ≤ 1/2`: the series then converges like `2^{−n}/n!`.
const BASE_STEP_NORM: f64 = 0.5;
/// The Taylor series stops when every term is below this fraction of its accumulated entry:
/// the entries of `A` and `Q` are graded (from O(1) down to O(τ₀^{2D})) and each must be
/// accurate to round-off relative to itself, since it multiplies equally graded covariances.
const TAYLOR_RTOL: f64 = 1e-17;
/// From this scaled step on, transitions come from the stationary covariances in closed
/// form (a handful of exponentials) rather than Taylor series and ⌈log₂(2‖G‖τ)⌉ doublings;
/// there `‖A_x‖ ≤ e^{−4}·poly(4)` and the Schur complements lose under a digit.
const CLOSED_FORM_TAU: f64 = 4.0;
/// Cap on Taylor terms: with `‖Gτ₀‖ ≤ ½` a term is below `2^{−n}/n!` of the largest entry, and
/// an entry of order τ₀^m needs about m + 14 terms, m ≤ 2D.
const TAYLOR_MAX_TERMS: usize = 48;

/// What the forward pass of the filter recorded, enough to replay it on data.
#[derive(Debug, Clone)]
pub(crate) struct FilterRecord {
    dim: usize,
    /// Transition matrices, `dim²` entries each, row-major.
    transitions: Vec<f64>,
    /// Steps in time order.
    steps: Vec<Step>,
    /// Gains, `dim` entries per node step, in time order.
    gains: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
struct Step {
    /// Transition applied before the step (none at the first node or for coincident nodes).
    transition: Option<usize>,
    /// Index of the observed node in the caller's order (none for the final move to `b`).
    node: Option<usize>,
    /// Innovation variance `S = H P⁻ Hᵀ + jitter`.
    innovation_var: f64,
}

impl FilterRecord {
    /// `yᵀ(K + jitter·I)⁻¹y` and `ln det(K + jitter·I)` from the innovations:
    /// `Σ v_k²/S_k` and `Σ ln S_k` (prediction-error decomposition).
    pub(crate) fn quadratic_form_and_log_det(&self, values: &[f64]) -> (f64, f64) {
        let d = self.dim;
        let mut m = vec![0.0; d];
        let mut tmp = vec![0.0; d];
        let (mut quad, mut log_det) = (0.0, 0.0);
        let mut gain = 0;
        for step in &self.steps {
            if let Some(t) = step.transition {
                let a = &self.transitions[t * d * d..(t + 1) * d * d];
                for (i, v) in tmp.iter_mut().enumerate() {
                    *v = (0..d).map(|j| a[i * d + j] * m[j]).sum();
                }
                m.copy_from_slice(&tmp);
            }
            if let Some(node) = step.node {
                let k = &self.gains[gain * d..(gain + 1) * d];
                gain += 1;
                let v = values[node] - m[0];
                quad += v * v / step.innovation_var;
                log_det += step.innovation_var.ln();
                for (mi, ki) in m.iter_mut().zip(k) {
                    *mi += ki * v;
                }
            }
        }
        (quad, log_det)
    }
}

/// Weights, variance and filter record of state-space BQ.
#[derive(Debug, Clone)]
pub(crate) struct StateSpaceBq {
    pub weights: Vec<f64>,
    pub variance: f64,
    pub record: FilterRecord,
}

/// BQ weights and variance for a Matérn half-integer kernel on any distinct nodes (sorted
/// internally), observed with noise variance `jitter`. Errors: the kernel is not Matérn;
/// [`QuadratureError::GramNotPositiveDefinite`] when a node repeats with `jitter = 0`
/// (zero innovation variance).
pub(crate) fn state_space_bq(
    kernel: Kernel,
    interval: Interval,
    nodes: &[f64],
    jitter: f64,
) -> Result<StateSpaceBq> {
    let (sqrt_2nu, coef) = kernel.kind().matern().ok_or_else(|| {
        QuadratureError::invalid(
            "method",
            "state-space",
            "a Matérn kernel with ν ∈ {1/2, 3/2, 5/2, 7/2} for the state-space method",
        )
    })?;
    let lambda = sqrt_2nu / kernel.lengthscale();
    let problem = Problem {
        lambda,
        interval,
        nodes,
        jitter,
        lengthscale: kernel.lengthscale(),
    };
    let kind = kernel.kind();
    match coef.len() {
        1 => run::<2>(kind, &problem),
        2 => run::<3>(kind, &problem),
        3 => run::<4>(kind, &problem),
        _ => run::<5>(kind, &problem),
    }
}

struct Problem<'a> {
    lambda: f64,
    interval: Interval,
    nodes: &'a [f64],
    jitter: f64,
    lengthscale: f64,
}

/// Matérn SDE in scaled time, augmented with the running integral (state `D − 1`).
struct AugmentedSde<const D: usize> {
    /// `G` with the integrating coupling `G[D−1][0] = 1`.
    drift: Sq<D>,
    /// Spectral density of the driving white noise.
    q: f64,
    /// Stationary covariance (zero row and column for the integral).
    p_inf: Sq<D>,
    /// Inverse of the `d × d` state block of `P∞` (zero elsewhere).
    p_inf_inv: Sq<D>,
    /// `κ^{(n)}(0)`, n ≤ 2d − 2.
    deriv0: [f64; 8],
    /// Coefficients of `κ(u) = e^{−u} Σ c_k u^k`.
    coef: [f64; 4],
}

impl<const D: usize> AugmentedSde<D> {
    /// From the coefficients `c_k` of `κ(u) = e^{−u} Σ c_k u^k`, `d = D − 1` of them.
    fn new(kind: KernelKind) -> Self {
        let d = D - 1;
        let (_, coef) = kind.matern().expect("a Matérn kernel");
        debug_assert_eq!(coef.len(), d);
        let mut drift = [[0.0; D]; D];
        for (i, row) in drift.iter_mut().enumerate().take(d - 1) {
            row[i + 1] = 1.0;
        }
        // (σ + 1)^d = σ^d + Σ_j C(d, j) σ^j: last row −C(d, j).
        let mut binom = 1.0;
        for (j, v) in drift[d - 1].iter_mut().enumerate().take(d) {
            *v = -binom;
            binom = binom * (d - j) as f64 / (j + 1) as f64;
        }
        drift[d][0] = 1.0;
        // κ^{(n)}(0⁺) = n!·[uⁿ] e^{−u} Σ c_k u^k; odd orders below 2d − 1 vanish.
        let mut deriv0 = [0.0; 8];
        for (n, dn) in deriv0.iter_mut().enumerate().take(2 * d - 1) {
            let mut e = 0.0;
            for (k, &ck) in coef.iter().enumerate().take(n + 1) {
                let m = n - k;
                let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
                e += ck * sign / factorial(m);
            }
            *dn = factorial(n) * e;
        }
        let mut p_inf = [[0.0; D]; D];
        for (i, row) in p_inf.iter_mut().enumerate().take(d) {
            for (j, v) in row.iter_mut().enumerate().take(d) {
                if (i + j) % 2 == 0 {
                    *v = if j % 2 == 0 { 1.0 } else { -1.0 } * deriv0[i + j];
                }
            }
        }
        let q = -2.0
            * (0..d)
                .map(|k| drift[d - 1][k] * p_inf[k][d - 1])
                .sum::<f64>();
        let p_inf_inv = invert(p_inf, d);
        let mut c = [0.0; 4];
        c[..d].copy_from_slice(coef);
        AugmentedSde {
            drift,
            q,
            p_inf,
            p_inf_inv,
            deriv0,
            coef: c,
        }
    }

    /// `(A, Q)` over a scaled step `τ ≥ 0`, integrating or not.
    fn transition(&self, tau: f64, integrating: bool) -> (Sq<D>, Sq<D>) {
        let mut g = self.drift;
        if !integrating {
            g[D - 1][0] = 0.0;
        }
        if tau <= 0.0 {
            return (identity(), [[0.0; D]; D]);
        }
        if tau >= CLOSED_FORM_TAU {
            return self.transition_closed_form(tau, integrating);
        }
        let norm = g
            .iter()
            .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
            .fold(0.0, f64::max);
        let mut t0 = tau;
        let mut doublings = 0;
        while t0 * norm > BASE_STEP_NORM {
            t0 *= 0.5;
            doublings += 1;
        }
        for row in g.iter_mut() {
            for v in row.iter_mut() {
                *v *= t0;
            }
        }
        // Taylor series at τ₀ of A(τ) = e^{Gτ} and of Q(τ), which solves
        // Q' = GQ + QGᵀ + q e_p e_pᵀ, Q(0) = 0: with Aₙ = (Gτ₀)ⁿ/n! and Qₙ the n-th term,
        // Q₁ = qτ₀ e_p e_pᵀ and Qₙ₊₁ = (Gτ₀ Qₙ + (Gτ₀ Qₙ)ᵀ)/(n + 1). G has at most 2D − 2
        // non-zeros (companion rows and the coupling), so each term costs O(D²). The series
        // stops when every term is below TAYLOR_RTOL of its accumulated entry.
        let mut nonzeros = [(0usize, 0usize, 0.0f64); 16];
        let mut nnz = 0;
        for (k, row) in g.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    nonzeros[nnz] = (k, j, v);
                    nnz += 1;
                }
            }
        }
        let nonzeros = &nonzeros[..nnz];
        let p = D - 2;
        let mut a_term: Sq<D> = identity();
        let mut a = a_term;
        let mut q_term = [[0.0; D]; D];
        q_term[p][p] = self.q * t0;
        let mut qm = q_term;
        for n in 1..TAYLOR_MAX_TERMS {
            let inv = 1.0 / (n + 1) as f64;
            // a_term ← a_term·Gτ₀/n (right product: column j gathers column k's entries).
            let mut a_next = [[0.0; D]; D];
            for (nrow, trow) in a_next.iter_mut().zip(&a_term) {
                for &(k, j, gkj) in nonzeros {
                    nrow[j] += trow[k] * gkj;
                }
            }
            // g_q = Gτ₀·q_term (left product: row k of the result gathers rows j).
            let mut g_q = [[0.0; D]; D];
            for &(k, j, gkj) in nonzeros {
                for (x, &y) in g_q[k].iter_mut().zip(&q_term[j]) {
                    *x += gkj * y;
                }
            }
            let mut done = true;
            let inv_a = 1.0 / n as f64;
            for i in 0..D {
                for j in 0..D {
                    let t = a_next[i][j] * inv_a;
                    a_next[i][j] = t;
                    a[i][j] += t;
                    done &= t.abs() <= TAYLOR_RTOL * a[i][j].abs();
                }
            }
            for i in 0..D {
                for j in i..D {
                    let t = (g_q[i][j] + g_q[j][i]) * inv;
                    q_term[i][j] = t;
                    q_term[j][i] = t;
                    qm[i][j] += t;
                    qm[j][i] = qm[i][j];
                    done &= t.abs() <= TAYLOR_RTOL * qm[i][j].abs();
                }
            }
            a_term = a_next;
            if done {
                break;
            }
        }
        for _ in 0..doublings {
            let aqa = mul_abt(&mul(&a, &qm), &a);
            for i in 0..D {
                for j in 0..D {
                    qm[i][j] += aqa[i][j];
                }
            }
            a = mul(&a, &a);
        }
        (a, qm)
    }

    /// `(A, Q)` for `τ ≥ CLOSED_FORM_TAU` from the stationary covariances: with
    /// `C_ij = Cov(g⁽ⁱ⁾(τ), g⁽ʲ⁾(0)) = (−1)^j κ^{(i+j)}(τ)`, `c₀_j = Cov(ΔJ, g⁽ʲ⁾(0))`,
    /// `c_τ,i = Cov(g⁽ⁱ⁾(τ), ΔJ)` and `Var ΔJ = 2H(τ)`, conditioning on the state at 0 gives
    /// `A_x = C P∞⁻¹`, `a_J = P∞⁻¹ c₀`, `Q_xx = P∞ − A_x Cᵀ`, `Q_xJ = c_τ − A_x c₀`,
    /// `Q_JJ = 2H − a_Jᵀ c₀`. The subtractions lose little there (`‖A_x‖ ≲ e^{−τ}τ^{d−1}`),
    /// while at small τ they would cancel (`Q ~ τ^{2d−1}`): hence the Taylor path below.
    fn transition_closed_form(&self, tau: f64, integrating: bool) -> (Sq<D>, Sq<D>) {
        let d = D - 1;
        // κ^{(n)}(u) = e^{−u} pₙ(u) with p₀ = c and p_{n+1} = pₙ' − pₙ.
        let mut poly = self.coef;
        let mut kd = [0.0; 8];
        let e = (-tau).exp();
        for v in kd.iter_mut().take(2 * d - 1) {
            let mut acc = 0.0;
            for &c in poly[..d].iter().rev() {
                acc = acc * tau + c;
            }
            *v = e * acc;
            let mut next = [0.0; 4];
            for k in 0..d {
                let deriv = if k + 1 < d {
                    (k + 1) as f64 * poly[k + 1]
                } else {
                    0.0
                };
                next[k] = deriv - poly[k];
            }
            poly = next;
        }
        let sign = |j: usize| if j % 2 == 0 { 1.0 } else { -1.0 };
        let mut c = [[0.0; D]; D];
        for (i, row) in c.iter_mut().enumerate().take(d) {
            for (j, v) in row.iter_mut().enumerate().take(d) {
                *v = sign(j) * kd[i + j];
            }
        }
        let mut a = mul(&c, &self.p_inf_inv);
        a[D - 1][D - 1] = 1.0;
        let act = mul_abt(&a, &c);
        let mut q = [[0.0; D]; D];
        for i in 0..d {
            for j in 0..d {
                q[i][j] = self.p_inf[i][j] - act[i][j];
            }
        }
        if integrating {
            // F(τ) = ∫₀^τ κ = Σ c_k k! P(k+1, τ) and H(τ) = ∫₀^τ F = Σ c_k k! (τ − Σ_{j≤k}
            // P(j+1, τ)), with P(k+1, τ) = 1 − e^{−τ} Σ_{m≤k} τ^m/m!: at τ ≥ 4 no series is
            // needed and the differences lose under a digit.
            let (mut f, mut h) = (0.0, 0.0);
            let (mut partial, mut power, mut fact, mut sum_p) = (0.0, 1.0, 1.0, 0.0);
            for k in 0..d {
                if k > 0 {
                    power *= tau / k as f64;
                    fact *= k as f64;
                }
                partial += power;
                let p_k = 1.0 - e * partial;
                sum_p += p_k;
                f += self.coef[k] * fact * p_k;
                h += self.coef[k] * fact * (tau - sum_p);
            }
            let mut c0 = [0.0; D];
            let mut ct = [0.0; D];
            for i in 0..d {
                let v = if i == 0 {
                    f
                } else {
                    kd[i - 1] - self.deriv0[i - 1]
                };
                ct[i] = v;
                c0[i] = sign(i) * v;
            }
            let mut a_j = [0.0; D];
            for (i, v) in a_j.iter_mut().enumerate().take(d) {
                *v = (0..d).map(|k| self.p_inf_inv[i][k] * c0[k]).sum();
            }
            a[D - 1][..d].copy_from_slice(&a_j[..d]);
            for i in 0..d {
                let ac0: f64 = (0..d).map(|k| a[i][k] * c0[k]).sum();
                q[i][D - 1] = ct[i] - ac0;
                q[D - 1][i] = q[i][D - 1];
            }
            let ajc0: f64 = (0..d).map(|k| a_j[k] * c0[k]).sum();
            q[D - 1][D - 1] = 2.0 * h - ajc0;
        }
        (a, q)
    }

    /// Transition from `t0` to `t1 ≥ t0` (unscaled), integrating on the part inside `[a, b]`.
    /// Returns the transition and whether it is one piece of length `t1 − t0`.
    fn segment(&self, t0: f64, t1: f64, pr: &Problem) -> ((Sq<D>, Sq<D>), Option<bool>) {
        let (a, b) = (pr.interval.a, pr.interval.b);
        let mut pieces = [(0.0, false); 3];
        let mut n = 0;
        if t0 < a {
            pieces[n] = (t1.min(a) - t0, false);
            n += 1;
        }
        let (lo, hi) = (t0.max(a), t1.min(b));
        if hi > lo {
            pieces[n] = (hi - lo, true);
            n += 1;
        }
        if t1 > b {
            pieces[n] = (t1 - t0.max(b), false);
            n += 1;
        }
        let pieces = &pieces[..n];
        if let [(_, integrating)] = pieces {
            return (
                self.transition(pr.lambda * (t1 - t0), *integrating),
                Some(*integrating),
            );
        }
        let (mut a_acc, mut q_acc) = (identity(), [[0.0; D]; D]);
        for &(len, integrating) in pieces {
            let (ap, qp) = self.transition(pr.lambda * len, integrating);
            let aqa = mul_abt(&mul(&ap, &q_acc), &ap);
            for i in 0..D {
                for j in 0..D {
                    q_acc[i][j] = aqa[i][j] + qp[i][j];
                }
            }
            a_acc = mul(&ap, &a_acc);
        }
        ((a_acc, q_acc), None)
    }
}

/// The Riccati recursion at its fixed point on a run of equal steps: the gain and the
/// `(x, x)`, `(x, J)` blocks of `P` no longer change, and `P_JJ` grows by `d_jj` per step.
#[derive(Clone, Copy)]
struct Steady<const D: usize> {
    transition: usize,
    gain: [f64; D],
    innovation_var: f64,
    d_jj: f64,
}

fn run<const D: usize>(kind: KernelKind, pr: &Problem) -> Result<StateSpaceBq> {
    let sde = AugmentedSde::<D>::new(kind);
    let nodes = pr.nodes;
    let n = nodes.len();
    let mut order: Vec<usize> = (0..n).collect();
    if !nodes.windows(2).all(|w| w[0] <= w[1]) {
        order.sort_unstable_by(|&i, &j| nodes[i].total_cmp(&nodes[j]));
    }
    let mut transitions: Vec<(Sq<D>, Sq<D>)> = Vec::new();
    let mut steps: Vec<Step> = Vec::with_capacity(n + 1);
    let mut gains: Vec<f64> = Vec::with_capacity(n * D);
    // Last single-piece transition: (integrating, step length, index).
    let mut cache: Option<(bool, f64, usize)> = None;
    let mut locate = |t0: f64, t1: f64, transitions: &mut Vec<(Sq<D>, Sq<D>)>| -> Option<usize> {
        if t1 <= t0 {
            return None;
        }
        let h = t1 - t0;
        let tol = STEP_REUSE_RTOL * t0.abs().max(t1.abs());
        let (a, b) = (pr.interval.a, pr.interval.b);
        let single = if t0 >= a && t1 <= b {
            Some(true)
        } else if t1 <= a || t0 >= b {
            Some(false)
        } else {
            None
        };
        match (cache, single) {
            (Some((int, hc, idx)), Some(s)) if int == s && (h - hc).abs() <= tol => Some(idx),
            _ => {
                let (trans, single) = sde.segment(t0, t1, pr);
                transitions.push(trans);
                let idx = transitions.len() - 1;
                cache = single.map(|int| (int, h, idx));
                Some(idx)
            }
        }
    };
    let mut p = sde.p_inf;
    let mut t_prev = pr.interval.a.min(nodes[order[0]]);
    let mut steady: Option<Steady<D>> = None;
    let mut observed_exactly = false;
    let mut previous: Option<(usize, [f64; D], Sq<D>)> = None;
    for &idx in &order {
        let t = nodes[idx];
        let transition = locate(t_prev, t, &mut transitions);
        t_prev = t;
        if let Some(st) = steady {
            if transition == Some(st.transition) {
                p[D - 1][D - 1] += st.d_jj;
                steps.push(Step {
                    transition,
                    node: Some(idx),
                    innovation_var: st.innovation_var,
                });
                gains.extend_from_slice(&st.gain);
                continue;
            }
            steady = None;
        }
        if let Some(tr) = transition {
            let (a, q) = &transitions[tr];
            // After a noise-free update row and column 0 of P are exactly zero: skip them.
            predict(a, q, &mut p, observed_exactly);
        }
        let s = p[0][0] + pr.jitter;
        if !(s > 0.0 && s.is_finite()) {
            return Err(QuadratureError::GramNotPositiveDefinite {
                nodes: n,
                index: idx,
                jitter: pr.jitter,
                lengthscale: pr.lengthscale,
            });
        }
        let mut k = [0.0; D];
        for (ki, row) in k.iter_mut().zip(&p) {
            *ki = row[0] / s;
        }
        if pr.jitter > 0.0 {
            // Joseph form: (I − K e₀ᵀ) P⁻ (I − K e₀ᵀ)ᵀ + jitter·K Kᵀ.
            let p0 = p[0];
            for (i, row) in p.iter_mut().enumerate() {
                for (x, &p0j) in row.iter_mut().zip(&p0) {
                    *x -= k[i] * p0j;
                }
            }
            for row in p.iter_mut() {
                let x0 = row[0];
                for (x, &kj) in row.iter_mut().zip(&k) {
                    *x -= x0 * kj;
                }
            }
            for (i, row) in p.iter_mut().enumerate() {
                for (x, &kj) in row.iter_mut().zip(&k) {
                    *x += pr.jitter * k[i] * kj;
                }
            }
        } else {
            // Noise-free: the Joseph form with K₀ = 1 reduces to the Schur complement
            // P⁻ − P⁻e₀e₀ᵀP⁻/S, computed on the upper triangle and mirrored (symmetric), with
            // the observed row and column set to exactly zero.
            let p0 = p[0];
            for i in 1..D {
                for j in i..D {
                    let v = p[i][j] - k[i] * p0[j];
                    p[i][j] = v;
                    p[j][i] = v;
                }
            }
            p[0] = [0.0; D];
            for row in p.iter_mut() {
                row[0] = 0.0;
            }
        }
        observed_exactly = pr.jitter == 0.0;
        steps.push(Step {
            transition,
            node: Some(idx),
            innovation_var: s,
        });
        gains.extend_from_slice(&k);
        if let (Some(tr), Some((tr_prev, k_prev, p_prev))) = (transition, &previous) {
            // The gain is P⁻e₀/S: when it repeats, so do the (x, x) and (x, J) blocks.
            if tr == *tr_prev && close(&k, k_prev) {
                steady = Some(Steady {
                    transition: tr,
                    gain: k,
                    innovation_var: s,
                    d_jj: p[D - 1][D - 1] - p_prev[D - 1][D - 1],
                });
            }
        }
        previous = transition.map(|tr| (tr, k, p));
    }
    if let Some(tr) = locate(t_prev, pr.interval.b.max(t_prev), &mut transitions) {
        let (a, q) = &transitions[tr];
        predict(a, q, &mut p, observed_exactly);
        steps.push(Step {
            transition: Some(tr),
            node: None,
            innovation_var: f64::NAN,
        });
    }
    // Backward pass: r_end = e_J/λ, w = rᵀK, r ← Aᵀ(I − K e₀ᵀ)ᵀ r. On a run of equal
    // steps with equal gains r converges (the closed-loop map is a contraction), and the
    // weights are then constant.
    let mut weights = vec![0.0; n];
    let mut r = [0.0; D];
    r[D - 1] = 1.0 / pr.lambda;
    let mut g = gains.len();
    let mut last: Option<(usize, usize)> = None; // (transition, gain offset) of the step after
    let mut converged: Option<f64> = None;
    for step in steps.iter().rev() {
        let (Some(node), Some(tr)) = (step.node, step.transition) else {
            // A step without an observation or without a move: the general recursion.
            if let Some(node) = step.node {
                g -= D;
                let w: f64 = r.iter().zip(&gains[g..g + D]).map(|(a, b)| a * b).sum();
                weights[node] = w;
                r[0] -= w;
            }
            if let Some(t) = step.transition {
                r = mul_transpose_vec(&transitions[t].0, &r);
            }
            last = None;
            converged = None;
            continue;
        };
        g -= D;
        let same = last.is_some_and(|(t, off)| t == tr && gains[off..off + D] == gains[g..g + D]);
        if let (true, Some(w)) = (same, converged) {
            weights[node] = w;
            last = Some((tr, g));
            continue;
        }
        let w: f64 = r.iter().zip(&gains[g..g + D]).map(|(a, b)| a * b).sum();
        weights[node] = w;
        r[0] -= w;
        let next = mul_transpose_vec(&transitions[tr].0, &r);
        // r before this step's update is r + w e₀; compare the full maps' fixed point.
        let mut before = r;
        before[0] += w;
        converged = (same && close(&next, &before)).then_some(w);
        r = next;
        last = Some((tr, g));
    }
    let variance = p[D - 1][D - 1] / (pr.lambda * pr.lambda);
    let record = FilterRecord {
        dim: D,
        transitions: transitions
            .iter()
            .flat_map(|(a, _)| a.iter().flatten().copied())
            .collect(),
        steps,
        gains,
    };
    Ok(StateSpaceBq {
        weights,
        variance,
        record,
    })
}

/// Relative change below which the gain of the Riccati recursion, and the backward vector
/// `r`, are taken to have reached their fixed points. Both converge geometrically (about
/// ×0.5 per step for ν = 7/2, faster for smaller ν) down to a round-off floor: measured
/// ≤ 6e-15 for the gain on equispaced grids, so the rest of the run changes the weights by
/// less than about this tolerance.
const FIXED_POINT_RTOL: f64 = 5e-14;

fn close(x: &[f64], y: &[f64]) -> bool {
    x.iter()
        .zip(y)
        .all(|(a, b)| (a - b).abs() <= FIXED_POINT_RTOL * (a.abs() + b.abs()))
}

/// `Aᵀ r`.
fn mul_transpose_vec<const D: usize>(a: &Sq<D>, r: &[f64; D]) -> [f64; D] {
    let mut next = [0.0; D];
    for (row, &ri) in a.iter().zip(r) {
        for (nj, &aij) in next.iter_mut().zip(row) {
            *nj += aij * ri;
        }
    }
    next
}

/// `P ← A P Aᵀ + Q` for symmetric `P`, `Q`; with `observed`, row and column 0 of `P` are
/// zero (after a noise-free update) and are skipped. Upper triangle computed, then mirrored.
fn predict<const D: usize>(a: &Sq<D>, q: &Sq<D>, p: &mut Sq<D>, observed: bool) {
    if observed {
        predict_from::<D, 1>(a, q, p)
    } else {
        predict_from::<D, 0>(a, q, p)
    }
}

fn predict_from<const D: usize, const FIRST: usize>(a: &Sq<D>, q: &Sq<D>, p: &mut Sq<D>) {
    let mut ap = [[0.0; D]; D];
    for i in 0..D {
        for k in FIRST..D {
            let aik = a[i][k];
            for j in FIRST..D {
                ap[i][j] += aik * p[k][j];
            }
        }
    }
    for i in 0..D {
        for j in i..D {
            let mut s = q[i][j];
            for k in FIRST..D {
                s += ap[i][k] * a[j][k];
            }
            p[i][j] = s;
            p[j][i] = s;
        }
    }
}

/// Inverse of the leading `n × n` block of a small positive definite matrix by Gauss–Jordan
/// elimination with partial pivoting (`P∞`, n ≤ 4, condition number below 100 in scaled time).
fn invert<const D: usize>(mut m: Sq<D>, n: usize) -> Sq<D> {
    let mut inv = [[0.0; D]; D];
    for (i, row) in inv.iter_mut().enumerate().take(n) {
        row[i] = 1.0;
    }
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))
            .unwrap_or(col);
        m.swap(col, piv);
        inv.swap(col, piv);
        let p = m[col][col];
        for j in 0..n {
            m[col][j] /= p;
            inv[col][j] /= p;
        }
        for i in 0..n {
            if i != col {
                let f = m[i][col];
                for j in 0..n {
                    m[i][j] -= f * m[col][j];
                    inv[i][j] -= f * inv[col][j];
                }
            }
        }
    }
    inv
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

fn identity<const D: usize>() -> Sq<D> {
    let mut m = [[0.0; D]; D];
    for (i, row) in m.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    m
}

fn mul<const D: usize>(x: &Sq<D>, y: &Sq<D>) -> Sq<D> {
    let mut z = [[0.0; D]; D];
    for i in 0..D {
        for k in 0..D {
            let xik = x[i][k];
            for j in 0..D {
                z[i][j] += xik * y[k][j];
            }
        }
    }
    z
}

/// `X Yᵀ`.
fn mul_abt<const D: usize>(x: &Sq<D>, y: &Sq<D>) -> Sq<D> {
    let mut z = [[0.0; D]; D];
    for i in 0..D {
        for j in 0..D {
            z[i][j] = (0..D).map(|k| x[i][k] * y[j][k]).sum();
        }
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds() -> [KernelKind; 4] {
        [
            KernelKind::Matern12,
            KernelKind::Matern32,
            KernelKind::Matern52,
            KernelKind::Matern72,
        ]
    }

    fn check_sde<const D: usize>(kind: KernelKind) {
        let sde = AugmentedSde::<D>::new(kind);
        let d = D - 1;
        // Lyapunov equation F P∞ + P∞ Fᵀ + q e_p e_pᵀ = 0 on the d × d block.
        for i in 0..d {
            for j in 0..d {
                let fp: f64 = (0..d).map(|k| sde.drift[i][k] * sde.p_inf[k][j]).sum();
                let pf: f64 = (0..d).map(|k| sde.p_inf[i][k] * sde.drift[j][k]).sum();
                let noise = if i == d - 1 && j == d - 1 { sde.q } else { 0.0 };
                assert!((fp + pf + noise).abs() < 1e-13, "{kind:?} ({i},{j})");
            }
        }
        // Cov(g(τ), g(0)) = (A(τ) P∞)_00 = κ(τ), for steps below and above the base step.
        // Each doubling can double the relative error of A (scaling and squaring): up to
        // 2⁷ε·cond at τ = 17 for ν = 7/2, hence 1e-12.
        let kernel = Kernel::new(kind, 1.0).unwrap();
        let (s, _) = kind.matern().unwrap();
        for &tau in &[1e-3, 0.02, 0.3, 1.0, 4.0, 17.0] {
            let (a, q) = sde.transition(tau, true);
            let cov: f64 = (0..D).map(|k| a[0][k] * sde.p_inf[k][0]).sum();
            let want = kernel.eval(0.0, tau / s);
            assert!(
                (cov - want).abs() <= 1e-12 * want.max(1e-300) + 1e-16,
                "{kind:?} τ={tau}: {cov} vs κ = {want}"
            );
            // Var J(τ) = ∫₀^τ∫₀^τ κ = 2H(τ) (scaled time): the transition carries it in Q
            // plus A P∞ Aᵀ from the state at 0.
            let apa = mul_abt(&mul(&a, &sde.p_inf), &a);
            let var_j = apa[D - 1][D - 1] + q[D - 1][D - 1];
            let iv = Interval::new(0.0, tau / s).unwrap();
            let want = kernel.initial_error(iv) * s * s;
            assert!(
                (var_j - want).abs() <= 1e-12 * want,
                "{kind:?} τ={tau}: Var J {var_j} vs 2H = {want}"
            );
        }
    }

    fn check_closed_form<const D: usize>(kind: KernelKind) {
        let sde = AugmentedSde::<D>::new(kind);
        // Both paths at and above the switch: Taylor + doublings against the closed form.
        for &tau in &[CLOSED_FORM_TAU, 6.0, 11.0, 30.0] {
            for integrating in [true, false] {
                let (a1, q1) = sde.transition_closed_form(tau, integrating);
                // Force the series path with a step just below the switch, then one more
                // exact step to reach τ: A(τ) = A(τ − δ)A(δ) keeps both on the Taylor side.
                let delta = 0.5;
                let (ad, qd) = sde.transition(delta, integrating);
                let (mut a2, mut q2) = (identity::<D>(), [[0.0; D]; D]);
                let mut t = 0.0;
                while t + delta <= tau + 1e-12 {
                    q2 = mul_abt(&mul(&ad, &q2), &ad);
                    for i in 0..D {
                        for j in 0..D {
                            q2[i][j] += qd[i][j];
                        }
                    }
                    a2 = mul(&ad, &a2);
                    t += delta;
                }
                let amax = a2.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
                let qmax = q2.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
                for i in 0..D {
                    for j in 0..D {
                        assert!(
                            (a1[i][j] - a2[i][j]).abs() <= 1e-12 * amax,
                            "{kind:?} τ={tau} A[{i}][{j}]: {} vs {}",
                            a1[i][j],
                            a2[i][j]
                        );
                        assert!(
                            (q1[i][j] - q2[i][j]).abs() <= 1e-12 * qmax,
                            "{kind:?} τ={tau} Q[{i}][{j}]: {} vs {}",
                            q1[i][j],
                            q2[i][j]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn closed_form_transition_equals_the_taylor_series_path() {
        check_closed_form::<2>(kinds()[0]);
        check_closed_form::<3>(kinds()[1]);
        check_closed_form::<4>(kinds()[2]);
        check_closed_form::<5>(kinds()[3]);
    }

    #[test]
    fn sde_reproduces_the_matern_covariance_and_its_double_integral() {
        check_sde::<2>(kinds()[0]);
        check_sde::<3>(kinds()[1]);
        check_sde::<4>(kinds()[2]);
        check_sde::<5>(kinds()[3]);
    }
}
