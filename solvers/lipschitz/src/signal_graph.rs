//! The signal graph: every activation's input written as a linear map of one stacked
//! signal vector.
//!
//! For increments `Δ` between two inputs, stack `s = (Δx, Δv₁, …, Δv_K)`: the input and
//! the output of every activation (for an implicit layer, its state `Δz`). Affine layers,
//! residual additions and implicit feedback are linear, so the increment of every
//! activation's input is `Δz_k = Z_k s` and the network's output increment is `Δy = C s`
//! (biases cancel). The LipSDP family then reads only `(Z_k, the position of Δv_k,
//! the activation)` and `C` — one formulation for feed-forward, residual and implicit
//! models (Fazlyab et al. 2019, §2; Revay, Wang, Manchester 2020 for implicit layers).

use quadra_conic::lmi::SparseVector;
use quadra_core::Mat;

use crate::{Activation, Layer, Network, Result};

/// One activation layer of the graph.
#[derive(Debug, Clone)]
pub struct ActivationNode {
    /// Rows of `Z_k`: the input increment of each neuron as a vector over `s`.
    pub inputs: Vec<SparseVector>,
    /// Position in `s` of the first output `Δv_k`; outputs are contiguous.
    pub output_offset: usize,
    /// The activation.
    pub activation: Activation,
    /// Index of the network layer this node comes from (for messages).
    pub layer: usize,
    /// Bound on the 2-norm of the rounding error of each row of `inputs` (zero when the
    /// row was copied, not computed: a weight row after an activation).
    pub input_errors: Vec<f64>,
}

impl ActivationNode {
    /// Number of neurons.
    pub fn width(&self) -> usize {
        self.inputs.len()
    }
}

/// The stacked-signal description of a network.
#[derive(Debug, Clone)]
pub struct SignalGraph {
    /// Input dimension `n₀` (the first `n₀` entries of `s`).
    pub input_dim: usize,
    /// Length of `s`.
    pub dim: usize,
    /// The activation nodes in order.
    pub nodes: Vec<ActivationNode>,
    /// Rows of `C`: each output increment as a vector over `s`.
    pub outputs: Vec<SparseVector>,
    /// Bound on the 2-norm of the rounding error of each row of `outputs`.
    pub output_errors: Vec<f64>,
}

/// A symbolic state: the current signal as rows over `s`, with an entrywise bound on
/// the rounding error committed while computing them (Higham, *Accuracy and Stability
/// of Numerical Algorithms*, 2nd ed., §3.5: `|fl(AB) − AB| ≤ γ_n |A||B|`).
#[derive(Clone)]
struct State {
    value: Mat<f64>,
    abs: Mat<f64>,
    err: Mat<f64>,
}

impl State {
    fn unit_rows(n: usize, dim: usize, offset: usize) -> Self {
        let value = Mat::from_fn(n, dim, |i, j| if j == offset + i { 1.0 } else { 0.0 });
        State {
            abs: value.clone(),
            err: Mat::zeros(n, dim),
            value,
        }
    }

    /// `W · self` with its error bound: `E' = |W| E + γ_n |W| |S|` (rounded up by a factor).
    fn times(&self, w: &Mat<f64>) -> Self {
        let aw = Mat::from_fn(w.nrows(), w.ncols(), |i, j| w[(i, j)].abs());
        let g = quadra_core::rounding::gamma(w.ncols() + 2);
        let abs = &aw * &self.abs;
        let mut err = &aw * &self.err;
        let exact = self.is_exact_unit_rows();
        for j in 0..err.ncols() {
            for i in 0..err.nrows() {
                // A product with unit rows copies entries: no rounding.
                let e = if exact { 0.0 } else { g * abs[(i, j)] };
                err[(i, j)] = (err[(i, j)] + e) * (1.0 + 4.0 * f64::EPSILON);
            }
        }
        State {
            value: w * &self.value,
            abs,
            err,
        }
    }

    /// `self + other`: one rounding per entry.
    fn plus(&self, other: &Self) -> Self {
        let value = &self.value + &other.value;
        let abs = &self.abs + &other.abs;
        let mut err = &self.err + &other.err;
        for j in 0..err.ncols() {
            for i in 0..err.nrows() {
                err[(i, j)] =
                    (err[(i, j)] + f64::EPSILON * abs[(i, j)]) * (1.0 + 4.0 * f64::EPSILON);
            }
        }
        State { value, abs, err }
    }

    /// Each row has at most one nonzero, equal to 1, and no error.
    fn is_exact_unit_rows(&self) -> bool {
        (0..self.value.nrows()).all(|i| {
            let mut ones = 0;
            for j in 0..self.value.ncols() {
                let a = self.value[(i, j)];
                if self.err[(i, j)] != 0.0 || (a != 0.0 && a != 1.0) {
                    return false;
                }
                ones += usize::from(a == 1.0);
            }
            ones <= 1
        })
    }

    fn row_error_norms(&self) -> Vec<f64> {
        (0..self.err.nrows())
            .map(|i| {
                let ss: f64 = (0..self.err.ncols())
                    .map(|j| self.err[(i, j)].powi(2))
                    .sum();
                ss.sqrt() * (1.0 + 4.0 * f64::EPSILON)
            })
            .collect()
    }
}

/// Entries below this magnitude (relative to the row's largest) are still kept: the
/// graph is exact, so no entry is dropped except exact zeros.
fn sparse_rows(m: &Mat<f64>) -> Vec<SparseVector> {
    (0..m.nrows())
        .map(|i| SparseVector::from_pairs((0..m.ncols()).map(|j| (j, m[(i, j)]))))
        .collect()
}

impl SignalGraph {
    /// Builds the graph of a validated network.
    pub fn from_network(net: &Network) -> Result<Self> {
        net.validate()?;
        let dim = net.input_dim + net.hidden_neurons();
        let state = State::unit_rows(net.input_dim, dim, 0);
        let mut g = SignalGraph {
            input_dim: net.input_dim,
            dim,
            nodes: Vec::new(),
            outputs: Vec::new(),
            output_errors: Vec::new(),
        };
        let mut next = net.input_dim;
        let out = g.walk(&net.layers, state, &mut next, 0)?;
        debug_assert_eq!(next, dim);
        g.outputs = sparse_rows(&out.value);
        g.output_errors = out.row_error_norms();
        Ok(g)
    }

    /// Propagates the symbolic state (rows = current signal as vectors over `s`).
    fn walk(
        &mut self,
        layers: &[Layer],
        mut state: State,
        next: &mut usize,
        offset: usize,
    ) -> Result<State> {
        for (k, layer) in layers.iter().enumerate() {
            match layer {
                Layer::Dense(d) => state = state.times(&d.weight),
                Layer::Activation(a) => {
                    let n = state.value.nrows();
                    self.nodes.push(ActivationNode {
                        inputs: sparse_rows(&state.value),
                        output_offset: *next,
                        activation: a.clone(),
                        layer: offset + k,
                        input_errors: state.row_error_norms(),
                    });
                    state = State::unit_rows(n, self.dim, *next);
                    *next += n;
                }
                Layer::Residual(inner) => {
                    let branch = self.walk(inner, state.clone(), next, offset + k)?;
                    state = state.plus(&branch);
                }
                Layer::Implicit(imp) => {
                    let n = imp.w.nrows();
                    let at = *next;
                    let z = State::unit_rows(n, self.dim, at);
                    let pre = z.times(&imp.w).plus(&state.times(&imp.u));
                    self.nodes.push(ActivationNode {
                        inputs: sparse_rows(&pre.value),
                        output_offset: at,
                        activation: imp.activation.clone(),
                        layer: offset + k,
                        input_errors: pre.row_error_norms(),
                    });
                    *next += n;
                    state = z;
                }
            }
        }
        Ok(state)
    }

    /// Whether some activation input depends on its own or a later output (implicit layers).
    pub fn has_feedback(&self) -> bool {
        self.nodes.iter().any(|node| {
            node.inputs
                .iter()
                .any(|r| r.indices.iter().any(|&j| j >= node.output_offset))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dense;

    #[test]
    fn residual_graph_reproduces_the_jacobian_for_a_fixed_pattern() {
        // y = x + W2 relu(W1 x) at a point where all neurons are active: J = I + W2 W1.
        let w1 = Dense::from_rows(2, 2, &[1.0, 0.5, -0.3, 2.0], Some(&[5.0, 5.0]));
        let w2 = Dense::from_rows(2, 2, &[0.7, 0.1, 0.2, -0.4], None);
        let net = Network {
            input_dim: 2,
            layers: vec![Layer::Residual(vec![
                Layer::Dense(w1.clone()),
                Layer::Activation(Activation::Relu),
                Layer::Dense(w2.clone()),
            ])],
        };
        let g = SignalGraph::from_network(&net).unwrap();
        assert_eq!(g.dim, 4);
        // Substitute Δv = Δz (all active) into C s and compare with the Jacobian.
        let j = net.jacobian(&[0.1, 0.2]).unwrap();
        for r in 0..2 {
            for c in 0..2 {
                let mut val = 0.0;
                for (idx, a) in g.outputs[r].iter() {
                    if idx < 2 {
                        val += if idx == c { a } else { 0.0 };
                    } else {
                        let z = &g.nodes[0].inputs[idx - 2];
                        val += a * z
                            .iter()
                            .filter(|(i, _)| *i == c)
                            .map(|(_, b)| b)
                            .sum::<f64>();
                    }
                }
                assert!((val - j[(r, c)]).abs() < 1e-14);
            }
        }
        assert!(!g.has_feedback());
    }
}
