//! Activation functions and the quadratic-constraint class each one satisfies.
//!
//! Two classes are used by the bounds in this crate:
//!
//! * **slope-restricted** elementwise maps, `α ≤ (φ(a) − φ(b))/(a − b) ≤ β`
//!   (ReLU `[0, 1]`, leaky ReLU `[a, 1]`, tanh `[0, 1]`, sigmoid `[0, ¼]`, softplus `[0, 1]`),
//!   which give LipSDP's incremental quadratic constraint
//!   `(Δv − αΔz)ᵀ T (βΔz − Δv) ≥ 0` for diagonal `T ⪰ 0` (Fazlyab et al. 2019, Lemma 1);
//! * **gradient-norm-preserving group maps** — MaxMin (GroupSort-2), GroupSort(g) and
//!   Householder(v) — whose Jacobian is orthogonal (a permutation or a reflection) on each
//!   group, so `‖Δv‖ ≤ ‖Δz‖` on each group and `Σ Δv = Σ Δz` for the sorting maps (sum
//!   preservation: Pauli et al., ICLR 2024). See
//!   `proofs/lipschitz_quadratic_constraints.md`.

use serde::{Deserialize, Serialize};

use crate::{LipschitzError, Result};

/// An activation function, applied between affine layers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Activation {
    /// `max(0, x)`, slope-restricted in `[0, 1]`.
    Relu,
    /// `x` for `x ≥ 0`, `slope·x` otherwise, slope-restricted in `[min(slope,1), max(slope,1)]`.
    LeakyRelu {
        /// The negative-side slope `a`.
        slope: f64,
    },
    /// `tanh x`, slope-restricted in `[0, 1]`.
    Tanh,
    /// `1/(1 + e^{−x})`, slope-restricted in `[0, ¼]`.
    Sigmoid,
    /// `ln(1 + eˣ)`, slope-restricted in `[0, 1]`.
    Softplus,
    /// Pairs `(x₂ᵢ, x₂ᵢ₊₁) ↦ (max, min)` (GroupSort with groups of 2).
    MaxMin,
    /// Sorts each consecutive group of `group` entries in decreasing order.
    GroupSort {
        /// Group size `g ≥ 2`; the width must be a multiple of it.
        group: usize,
    },
    /// On each consecutive group `z` of `len(v)` entries: `z` if `vᵀz > 0`, else
    /// `(I − 2vvᵀ)z` (Singla et al. 2022); `v` has unit norm.
    Householder {
        /// The reflection vector (normalised on construction).
        v: Vec<f64>,
    },
}

/// The quadratic-constraint class of an activation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QcClass {
    /// Elementwise, slope-restricted in `[alpha, beta]`.
    SlopeRestricted {
        /// Lower slope bound α.
        alpha: f64,
        /// Upper slope bound β.
        beta: f64,
    },
    /// Groupwise with orthogonal Jacobian on each group of `group` entries; `sum_preserving`
    /// when the group map permutes its inputs (MaxMin, GroupSort).
    GroupOrthogonal {
        /// Group size.
        group: usize,
        /// `Σ φ(z) = Σ z` on each group.
        sum_preserving: bool,
    },
}

impl Activation {
    /// Short name used by the CLI and in messages.
    pub fn name(&self) -> String {
        match self {
            Activation::Relu => "relu".into(),
            Activation::LeakyRelu { slope } => format!("leaky_relu:{slope}"),
            Activation::Tanh => "tanh".into(),
            Activation::Sigmoid => "sigmoid".into(),
            Activation::Softplus => "softplus".into(),
            Activation::MaxMin => "maxmin".into(),
            Activation::GroupSort { group } => format!("groupsort:{group}"),
            Activation::Householder { .. } => "householder".into(),
        }
    }

    /// Parses `relu`, `leaky_relu:A` (or `leaky-relu:A`), `tanh`, `sigmoid`, `softplus`,
    /// `maxmin`, `groupsort:G`, `householder:V1,V2,…`.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        let (head, arg) = match s.split_once(':') {
            Some((h, a)) => (h.to_string(), Some(a.to_string())),
            None => (s.clone(), None),
        };
        let num = |a: &Option<String>, what: &str| -> Result<f64> {
            a.as_deref()
                .ok_or_else(|| LipschitzError::InvalidArgument(format!("{head} needs {what}")))?
                .parse::<f64>()
                .map_err(|_| {
                    LipschitzError::InvalidArgument(format!("{head}: {what} is not a number"))
                })
        };
        let act = match head.as_str() {
            "relu" => Activation::Relu,
            "leaky_relu" | "leakyrelu" => Activation::LeakyRelu {
                slope: if arg.is_some() { num(&arg, "a slope")? } else { 0.01 },
            },
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "softplus" => Activation::Softplus,
            "maxmin" | "max_min" => Activation::MaxMin,
            "groupsort" | "group_sort" => Activation::GroupSort {
                group: num(&arg, "a group size")? as usize,
            },
            "householder" => {
                let a = arg.ok_or_else(|| {
                    LipschitzError::InvalidArgument("householder needs a vector v1,v2,…".into())
                })?;
                let v = a
                    .split(',')
                    .map(|t| t.trim().parse::<f64>())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|_| LipschitzError::InvalidArgument("householder: bad vector".into()))?;
                Activation::Householder { v }
            }
            other => {
                return Err(LipschitzError::InvalidArgument(format!(
                    "unknown activation '{other}' (expected relu, leaky_relu:A, tanh, sigmoid, softplus, maxmin, groupsort:G, householder:V)"
                )))
            }
        };
        act.validated()
    }

    /// Checks parameters (finite slope, group ≥ 2, unit-normalisable v) and normalises `v`.
    pub fn validated(self) -> Result<Self> {
        match self {
            Activation::LeakyRelu { slope } if !slope.is_finite() => Err(
                LipschitzError::InvalidArgument(format!("leaky ReLU slope {slope} is not finite")),
            ),
            Activation::GroupSort { group } if group < 2 => Err(LipschitzError::InvalidArgument(
                format!("GroupSort group size {group} must be at least 2"),
            )),
            Activation::Householder { v } => {
                let n: f64 = v.iter().map(|a| a * a).sum::<f64>().sqrt();
                if v.len() < 2 || !n.is_finite() || n == 0.0 {
                    return Err(LipschitzError::InvalidArgument(
                        "Householder vector needs ≥ 2 finite entries, not all zero".into(),
                    ));
                }
                Ok(Activation::Householder {
                    v: v.iter().map(|a| a / n).collect(),
                })
            }
            a => Ok(a),
        }
    }

    /// The quadratic-constraint class.
    pub fn qc_class(&self) -> QcClass {
        match self {
            Activation::Relu | Activation::Tanh | Activation::Softplus => {
                QcClass::SlopeRestricted {
                    alpha: 0.0,
                    beta: 1.0,
                }
            }
            Activation::LeakyRelu { slope } => QcClass::SlopeRestricted {
                alpha: slope.min(1.0),
                beta: slope.max(1.0),
            },
            Activation::Sigmoid => QcClass::SlopeRestricted {
                alpha: 0.0,
                beta: 0.25,
            },
            Activation::MaxMin => QcClass::GroupOrthogonal {
                group: 2,
                sum_preserving: true,
            },
            Activation::GroupSort { group } => QcClass::GroupOrthogonal {
                group: *group,
                sum_preserving: true,
            },
            Activation::Householder { v } => QcClass::GroupOrthogonal {
                group: v.len(),
                sum_preserving: false,
            },
        }
    }

    /// Group size for group maps, 1 for elementwise ones.
    pub fn group_size(&self) -> usize {
        match self.qc_class() {
            QcClass::SlopeRestricted { .. } => 1,
            QcClass::GroupOrthogonal { group, .. } => group,
        }
    }

    /// Applies the activation in place.
    pub fn apply(&self, x: &mut [f64]) {
        match self {
            Activation::Relu => x.iter_mut().for_each(|a| *a = a.max(0.0)),
            Activation::LeakyRelu { slope } => x.iter_mut().for_each(|a| {
                if *a < 0.0 {
                    *a *= slope
                }
            }),
            Activation::Tanh => x.iter_mut().for_each(|a| *a = a.tanh()),
            Activation::Sigmoid => x.iter_mut().for_each(|a| *a = 1.0 / (1.0 + (-*a).exp())),
            Activation::Softplus => x
                .iter_mut()
                .for_each(|a| *a = if *a > 30.0 { *a } else { a.exp().ln_1p() }),
            Activation::MaxMin => {
                for p in x.chunks_exact_mut(2) {
                    if p[0] < p[1] {
                        p.swap(0, 1);
                    }
                }
            }
            Activation::GroupSort { group } => {
                for g in x.chunks_exact_mut(*group) {
                    g.sort_by(|a, b| b.total_cmp(a));
                }
            }
            Activation::Householder { v } => {
                for g in x.chunks_exact_mut(v.len()) {
                    let d: f64 = g.iter().zip(v).map(|(a, b)| a * b).sum();
                    if d <= 0.0 {
                        g.iter_mut().zip(v).for_each(|(a, b)| *a -= 2.0 * d * b);
                    }
                }
            }
        }
    }

    /// The Jacobian at pre-activation `z`, as a dense matrix applied to the rows of
    /// `m` in place (`m ← J(z)·m`); `m` has `z.len()` rows stored row-major with
    /// `cols` columns.
    pub fn jacobian_apply(&self, z: &[f64], m: &mut [f64], cols: usize) {
        let scale_row = |m: &mut [f64], i: usize, s: f64| {
            m[i * cols..(i + 1) * cols].iter_mut().for_each(|a| *a *= s)
        };
        match self {
            Activation::Relu => {
                for (i, &a) in z.iter().enumerate() {
                    if a <= 0.0 {
                        scale_row(m, i, 0.0)
                    }
                }
            }
            Activation::LeakyRelu { slope } => {
                for (i, &a) in z.iter().enumerate() {
                    if a < 0.0 {
                        scale_row(m, i, *slope)
                    }
                }
            }
            Activation::Tanh => {
                for (i, &a) in z.iter().enumerate() {
                    let t = a.tanh();
                    scale_row(m, i, 1.0 - t * t)
                }
            }
            Activation::Sigmoid => {
                for (i, &a) in z.iter().enumerate() {
                    let s = 1.0 / (1.0 + (-a).exp());
                    scale_row(m, i, s * (1.0 - s))
                }
            }
            Activation::Softplus => {
                for (i, &a) in z.iter().enumerate() {
                    scale_row(m, i, 1.0 / (1.0 + (-a).exp()))
                }
            }
            Activation::MaxMin | Activation::GroupSort { .. } => {
                let g = self.group_size();
                for (k, grp) in z.chunks_exact(g).enumerate() {
                    // Output position p takes input order[p].
                    let mut order: Vec<usize> = (0..g).collect();
                    order.sort_by(|&a, &b| grp[b].total_cmp(&grp[a]));
                    let block: Vec<f64> = m[k * g * cols..(k + 1) * g * cols].to_vec();
                    for (p, &src) in order.iter().enumerate() {
                        m[(k * g + p) * cols..(k * g + p + 1) * cols]
                            .copy_from_slice(&block[src * cols..(src + 1) * cols]);
                    }
                }
            }
            Activation::Householder { v } => {
                let g = v.len();
                for (k, grp) in z.chunks_exact(g).enumerate() {
                    let d: f64 = grp.iter().zip(v).map(|(a, b)| a * b).sum();
                    if d <= 0.0 {
                        for c in 0..cols {
                            let s: f64 = (0..g).map(|p| v[p] * m[(k * g + p) * cols + c]).sum();
                            for p in 0..g {
                                m[(k * g + p) * cols + c] -= 2.0 * s * v[p];
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxmin_is_householder_with_antidiagonal_vector() {
        let h = Activation::Householder { v: vec![1.0, -1.0] }
            .validated()
            .unwrap();
        for x in [[1.0, 2.0], [3.0, -1.0], [-2.0, -0.5]] {
            let mut a = x.to_vec();
            let mut b = x.to_vec();
            Activation::MaxMin.apply(&mut a);
            h.apply(&mut b);
            assert!((a[0] - b[0]).abs() < 1e-15 && (a[1] - b[1]).abs() < 1e-15);
        }
    }

    #[test]
    fn groupsort_jacobian_is_the_sorting_permutation() {
        let act = Activation::GroupSort { group: 3 };
        let z = [0.5, 2.0, -1.0];
        let mut m = vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        act.jacobian_apply(&z, &mut m, 3);
        // sorted = (z1, z0, z2)
        assert_eq!(m, vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn parse_round_trip_and_errors() {
        assert_eq!(Activation::parse("ReLU").unwrap(), Activation::Relu);
        assert_eq!(
            Activation::parse("leaky-relu:0.1").unwrap(),
            Activation::LeakyRelu { slope: 0.1 }
        );
        assert!(Activation::parse("groupsort:1").is_err());
        assert!(Activation::parse("swish").is_err());
        assert_eq!(
            Activation::Sigmoid.qc_class(),
            QcClass::SlopeRestricted {
                alpha: 0.0,
                beta: 0.25
            }
        );
    }
}
