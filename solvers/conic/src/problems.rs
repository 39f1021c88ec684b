//! Classic conic programs with closed-form optima, shared by the tests, the benchmarks
//! and the examples (as clarabel keeps its reference problems in one place).

use crate::{Model, SymAffine};

/// The Lovász theta number of the cycle `C_n` as an SDP (Lovász 1979):
///
/// ```text
///   θ(C_n) = min λ  s.t.  λI + Σ_{ij ∈ E} y_ij (e_i e_jᵀ + e_j e_iᵀ) − J ⪰ 0,
/// ```
/// with optimum `n cos(π/n)/(1 + cos(π/n))` for odd `n` and `n/2` for even `n`
/// (see [`lovasz_theta_cycle_exact`] and `proofs/lovasz_theta_cycles.md`). The objective
/// is the first variable, `λ`. Requires `n ≥ 3`.
pub fn lovasz_theta_cycle(n: usize) -> Model {
    let mut model = Model::new();
    let lambda = model.add_var();
    let mut lmi = SymAffine::zeros(n);
    lmi.add_identity_term(lambda, 1.0);
    for i in 0..n {
        for j in i..n {
            lmi.add_constant_entry(i, j, -1.0);
        }
        let y = model.add_var();
        let j = (i + 1) % n;
        lmi.add_term_entry(y, i.min(j), i.max(j), 1.0);
    }
    model
        .add_psd(lmi)
        .expect("indices are below n and coefficients finite by construction");
    model.minimize(lambda.into());
    model
}

/// The closed form of [`lovasz_theta_cycle`]'s optimum.
pub fn lovasz_theta_cycle_exact(n: usize) -> f64 {
    let c = (std::f64::consts::PI / n as f64).cos();
    if n % 2 == 1 {
        n as f64 * c / (1.0 + c)
    } else {
        n as f64 / 2.0
    }
}
