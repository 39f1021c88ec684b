//! The network IR: affine layers, activations, residual blocks and implicit layers.
//!
//! A [`Network`] maps `ℝ^{n₀} → ℝ^{n_out}` through a list of [`Layer`]s. Weights follow
//! the PyTorch `Linear` convention (`out × in`). Importers (ONNX, NNet, NPZ,
//! safetensors, JSON) produce this type; the bounds read it through
//! [`Network::feed_forward`] (alternating affine maps and activations) or, for residual
//! and implicit models, through the layers themselves.

use quadra_core::Mat;

use crate::{Activation, LipschitzError, Result};

/// `y = W x + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// `out × in` weight.
    pub weight: Mat<f64>,
    /// Bias of length `out` (zeros when the source has none).
    pub bias: Vec<f64>,
}

impl Dense {
    /// A layer with zero bias.
    pub fn new(weight: Mat<f64>) -> Self {
        let bias = vec![0.0; weight.nrows()];
        Dense { weight, bias }
    }

    /// A layer from row-major data.
    pub fn from_rows(rows: usize, cols: usize, data: &[f64], bias: Option<&[f64]>) -> Self {
        let weight = Mat::from_fn(rows, cols, |i, j| data[i * cols + j]);
        Dense {
            weight,
            bias: bias.map_or_else(|| vec![0.0; rows], <[f64]>::to_vec),
        }
    }
}

/// An implicit (equilibrium) layer: its output is the solution `z*` of
/// `z = φ(W z + U x + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Implicit {
    /// `n × n` feedback weight `W`.
    pub w: Mat<f64>,
    /// `n × in` input weight `U`.
    pub u: Mat<f64>,
    /// Bias of length `n`.
    pub bias: Vec<f64>,
    /// The (slope-restricted) activation φ.
    pub activation: Activation,
}

/// One layer of a [`Network`].
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// An affine map.
    Dense(Dense),
    /// An activation.
    Activation(Activation),
    /// `x ↦ x + inner(x)`; `inner` maps the width to itself.
    Residual(Vec<Layer>),
    /// An equilibrium layer.
    Implicit(Implicit),
}

/// A network `ℝ^{input_dim} → ℝ^{output_dim}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Input dimension `n₀`.
    pub input_dim: usize,
    /// The layers in order.
    pub layers: Vec<Layer>,
}

/// A network in alternating form `W_L φ_{L−1}(… φ₀(W₀x + b₀) …) + b_L`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedForward {
    /// `W₀ … W_L` (`L + 1` matrices).
    pub weights: Vec<Mat<f64>>,
    /// `b₀ … b_L`.
    pub biases: Vec<Vec<f64>>,
    /// `φ₀ … φ_{L−1}` (`L` activations).
    pub activations: Vec<Activation>,
}

impl FeedForward {
    /// Input dimension.
    pub fn input_dim(&self) -> usize {
        self.weights[0].ncols()
    }

    /// Output dimension.
    pub fn output_dim(&self) -> usize {
        self.weights.last().map_or(0, |w| w.nrows())
    }

    /// Widths of the hidden layers (`n₁ … n_L`).
    pub fn hidden_widths(&self) -> Vec<usize> {
        self.weights[..self.weights.len() - 1]
            .iter()
            .map(|w| w.nrows())
            .collect()
    }

    /// Back to a [`Network`].
    pub fn to_network(&self) -> Network {
        let mut layers = Vec::new();
        for (k, w) in self.weights.iter().enumerate() {
            layers.push(Layer::Dense(Dense {
                weight: w.clone(),
                bias: self.biases[k].clone(),
            }));
            if let Some(a) = self.activations.get(k) {
                layers.push(Layer::Activation(a.clone()));
            }
        }
        Network {
            input_dim: self.input_dim(),
            layers,
        }
    }
}

fn check_finite(m: &Mat<f64>, layer: usize, what: &str) -> Result<()> {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            let a = m[(i, j)];
            if !a.is_finite() {
                return Err(LipschitzError::NonFinite {
                    layer,
                    what: format!("{what}[{i},{j}]"),
                    value: a,
                });
            }
        }
    }
    Ok(())
}

fn check_finite_vec(v: &[f64], layer: usize, what: &str) -> Result<()> {
    match v.iter().position(|a| !a.is_finite()) {
        Some(i) => Err(LipschitzError::NonFinite {
            layer,
            what: format!("{what}[{i}]"),
            value: v[i],
        }),
        None => Ok(()),
    }
}

/// Walks `layers` from width `dim`, checking shapes and values; returns the output width.
fn validate_layers(layers: &[Layer], mut dim: usize, offset: usize) -> Result<usize> {
    for (k, layer) in layers.iter().enumerate() {
        let at = offset + k;
        match layer {
            Layer::Dense(d) => {
                if d.weight.ncols() != dim {
                    return Err(LipschitzError::Shape {
                        layer: at,
                        what: "weight columns (input width)".into(),
                        expected: dim,
                        found: d.weight.ncols(),
                    });
                }
                if d.bias.len() != d.weight.nrows() {
                    return Err(LipschitzError::Shape {
                        layer: at,
                        what: "bias length".into(),
                        expected: d.weight.nrows(),
                        found: d.bias.len(),
                    });
                }
                check_finite(&d.weight, at, "weight")?;
                check_finite_vec(&d.bias, at, "bias")?;
                dim = d.weight.nrows();
            }
            Layer::Activation(a) => {
                let g = a.group_size();
                if dim % g != 0 {
                    return Err(LipschitzError::Shape {
                        layer: at,
                        what: format!("width for {} (a multiple of {g})", a.name()),
                        expected: dim.div_ceil(g) * g,
                        found: dim,
                    });
                }
                a.clone().validated()?;
            }
            Layer::Residual(inner) => {
                let out = validate_layers(inner, dim, at)?;
                if out != dim {
                    return Err(LipschitzError::Shape {
                        layer: at,
                        what: "residual branch output width".into(),
                        expected: dim,
                        found: out,
                    });
                }
            }
            Layer::Implicit(imp) => {
                let n = imp.w.nrows();
                if imp.w.ncols() != n || imp.u.nrows() != n || imp.bias.len() != n {
                    return Err(LipschitzError::Shape {
                        layer: at,
                        what: "implicit layer W (n×n), U (n×in), b (n)".into(),
                        expected: n,
                        found: imp.w.ncols().max(imp.u.nrows()).max(imp.bias.len()),
                    });
                }
                if imp.u.ncols() != dim {
                    return Err(LipschitzError::Shape {
                        layer: at,
                        what: "implicit layer U columns".into(),
                        expected: dim,
                        found: imp.u.ncols(),
                    });
                }
                if imp.activation.group_size() != 1 {
                    return Err(LipschitzError::Unsupported(format!(
                        "implicit layer {at}: only elementwise slope-restricted activations are supported, not {}",
                        imp.activation.name()
                    )));
                }
                check_finite(&imp.w, at, "implicit W")?;
                check_finite(&imp.u, at, "implicit U")?;
                check_finite_vec(&imp.bias, at, "implicit bias")?;
                dim = n;
            }
        }
    }
    Ok(dim)
}

/// Maximum Picard iterations of an implicit layer's forward pass.
pub const IMPLICIT_MAX_ITER: usize = 10_000;
/// Convergence tolerance (∞-norm step, relative to 1 + ‖z‖∞) of the implicit forward pass;
/// 1e3·ε leaves room for the rounding of a `W z` product.
pub const IMPLICIT_TOL: f64 = 1e3 * f64::EPSILON;

impl Network {
    /// Checks shapes, finiteness and activation parameters; returns the output width.
    pub fn validate(&self) -> Result<usize> {
        if self.input_dim == 0 {
            return Err(LipschitzError::InvalidArgument(
                "input dimension is 0".into(),
            ));
        }
        if !self
            .layers
            .iter()
            .any(|l| !matches!(l, Layer::Activation(_)))
        {
            return Err(LipschitzError::InvalidArgument(
                "the network has no affine, residual or implicit layer".into(),
            ));
        }
        validate_layers(&self.layers, self.input_dim, 0)
    }

    /// Output dimension (after validation).
    pub fn output_dim(&self) -> Result<usize> {
        self.validate()
    }

    /// Number of hidden neurons seen by activations (residual and implicit included).
    pub fn hidden_neurons(&self) -> usize {
        fn count(layers: &[Layer], mut dim: usize) -> (usize, usize) {
            let mut n = 0;
            for l in layers {
                match l {
                    Layer::Dense(d) => dim = d.weight.nrows(),
                    Layer::Activation(_) => n += dim,
                    Layer::Residual(inner) => n += count(inner, dim).0,
                    Layer::Implicit(i) => {
                        n += i.w.nrows();
                        dim = i.w.nrows();
                    }
                }
            }
            (n, dim)
        }
        count(&self.layers, self.input_dim).0
    }

    /// Appends a selection of output rows (`f ↦ (f_i)_{i ∈ rows}`).
    pub fn select_outputs(&mut self, rows: &[usize]) -> Result<()> {
        let out = self.validate()?;
        if rows.is_empty() {
            return Err(LipschitzError::InvalidArgument(
                "no output rows selected".into(),
            ));
        }
        let mut w = Mat::zeros(rows.len(), out);
        for (k, &r) in rows.iter().enumerate() {
            if r >= out {
                return Err(LipschitzError::InvalidArgument(format!(
                    "output row {r} out of range: the network has {out} outputs"
                )));
            }
            w[(k, r)] = 1.0;
        }
        self.layers.push(Layer::Dense(Dense::new(w)));
        Ok(())
    }

    /// Appends the margin `f_i − f_j`.
    pub fn select_margin(&mut self, i: usize, j: usize) -> Result<()> {
        let out = self.validate()?;
        if i >= out || j >= out || i == j {
            return Err(LipschitzError::InvalidArgument(format!(
                "margin {i}:{j} needs two different outputs below {out}"
            )));
        }
        let mut w = Mat::zeros(1, out);
        w[(0, i)] = 1.0;
        w[(0, j)] = -1.0;
        self.layers.push(Layer::Dense(Dense::new(w)));
        Ok(())
    }

    /// The alternating form, merging consecutive affine layers (exactly: `W₂(W₁x + b₁) + b₂`)
    /// and inserting identity maps between consecutive activations; `None` for residual
    /// or implicit networks.
    pub fn feed_forward(&self) -> Result<Option<FeedForward>> {
        self.validate()?;
        let mut weights: Vec<Mat<f64>> = Vec::new();
        let mut biases: Vec<Vec<f64>> = Vec::new();
        let mut activations = Vec::new();
        let mut dim = self.input_dim;
        // Whether the last pushed item is an affine map that a following Dense merges into.
        let mut open_affine = false;
        for layer in &self.layers {
            match layer {
                Layer::Dense(d) => {
                    if open_affine {
                        let w = weights.pop().expect("open affine map");
                        let b = biases.pop().expect("open affine bias");
                        let merged_w = &d.weight * &w;
                        let mut merged_b = d.bias.clone();
                        for (i, mb) in merged_b.iter_mut().enumerate() {
                            *mb += (0..b.len()).map(|k| d.weight[(i, k)] * b[k]).sum::<f64>();
                        }
                        weights.push(merged_w);
                        biases.push(merged_b);
                    } else {
                        weights.push(d.weight.clone());
                        biases.push(d.bias.clone());
                    }
                    dim = d.weight.nrows();
                    open_affine = true;
                }
                Layer::Activation(a) => {
                    if !open_affine {
                        weights.push(Mat::identity(dim, dim));
                        biases.push(vec![0.0; dim]);
                    }
                    activations.push(a.clone());
                    open_affine = false;
                }
                Layer::Residual(_) | Layer::Implicit(_) => return Ok(None),
            }
        }
        if !open_affine {
            weights.push(Mat::identity(dim, dim));
            biases.push(vec![0.0; dim]);
        }
        Ok(Some(FeedForward {
            weights,
            biases,
            activations,
        }))
    }

    /// `f(x)`.
    pub fn forward(&self, x: &[f64]) -> Result<Vec<f64>> {
        Ok(self.forward_with_jacobian(x, false)?.0)
    }

    /// The Jacobian `∂f/∂x` at `x` (`out × in`); at a kink the one-sided derivative the
    /// activation's `jacobian_apply` picks.
    pub fn jacobian(&self, x: &[f64]) -> Result<Mat<f64>> {
        Ok(self.forward_with_jacobian(x, true)?.1)
    }

    /// `f(x)` and, when asked, the Jacobian.
    pub fn forward_with_jacobian(&self, x: &[f64], jac: bool) -> Result<(Vec<f64>, Mat<f64>)> {
        if x.len() != self.input_dim {
            return Err(LipschitzError::Shape {
                layer: 0,
                what: "input length".into(),
                expected: self.input_dim,
                found: x.len(),
            });
        }
        let j0 = if jac {
            Mat::identity(self.input_dim, self.input_dim)
        } else {
            Mat::zeros(0, 0)
        };
        run_layers(&self.layers, x.to_vec(), j0, jac)
    }
}

fn mat_vec(w: &Mat<f64>, x: &[f64]) -> Vec<f64> {
    (0..w.nrows())
        .map(|i| (0..w.ncols()).map(|k| w[(i, k)] * x[k]).sum())
        .collect()
}

fn act_jacobian(a: &Activation, z: &[f64], j: &Mat<f64>) -> Mat<f64> {
    let cols = j.ncols();
    let mut rm: Vec<f64> = (0..j.nrows())
        .flat_map(|i| (0..cols).map(move |c| (i, c)))
        .map(|(i, c)| j[(i, c)])
        .collect();
    a.jacobian_apply(z, &mut rm, cols);
    Mat::from_fn(j.nrows(), cols, |i, c| rm[i * cols + c])
}

fn run_layers(
    layers: &[Layer],
    mut x: Vec<f64>,
    mut j: Mat<f64>,
    jac: bool,
) -> Result<(Vec<f64>, Mat<f64>)> {
    for (k, layer) in layers.iter().enumerate() {
        match layer {
            Layer::Dense(d) => {
                let mut y = mat_vec(&d.weight, &x);
                y.iter_mut().zip(&d.bias).for_each(|(a, b)| *a += b);
                x = y;
                if jac {
                    j = &d.weight * &j;
                }
            }
            Layer::Activation(a) => {
                if jac {
                    j = act_jacobian(a, &x, &j);
                }
                a.apply(&mut x);
            }
            Layer::Residual(inner) => {
                let (y, ji) = run_layers(inner, x.clone(), j.clone(), jac)?;
                x.iter_mut().zip(&y).for_each(|(a, b)| *a += b);
                if jac {
                    j = &j + &ji;
                }
            }
            Layer::Implicit(imp) => {
                let n = imp.w.nrows();
                let ux: Vec<f64> = mat_vec(&imp.u, &x)
                    .iter()
                    .zip(&imp.bias)
                    .map(|(a, b)| a + b)
                    .collect();
                let mut z = vec![0.0; n];
                let mut converged = false;
                for _ in 0..IMPLICIT_MAX_ITER {
                    let mut pre: Vec<f64> = mat_vec(&imp.w, &z);
                    pre.iter_mut().zip(&ux).for_each(|(a, b)| *a += b);
                    imp.activation.apply(&mut pre);
                    let step = pre
                        .iter()
                        .zip(&z)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                    let scale = 1.0 + pre.iter().map(|a| a.abs()).fold(0.0, f64::max);
                    z = pre;
                    if step <= IMPLICIT_TOL * scale {
                        converged = true;
                        break;
                    }
                }
                if !converged {
                    return Err(LipschitzError::Unsupported(format!(
                        "implicit layer {k}: the fixed-point iteration z = φ(Wz + Ux + b) did not converge in {IMPLICIT_MAX_ITER} steps (is the layer well posed?)"
                    )));
                }
                if jac {
                    // dz = D (W dz + U dx)  ⇒  (I − D W) dz = D U dx.
                    let mut pre = mat_vec(&imp.w, &z);
                    pre.iter_mut().zip(&ux).for_each(|(a, b)| *a += b);
                    let dw = act_jacobian(&imp.activation, &pre, &imp.w);
                    let du = act_jacobian(&imp.activation, &pre, &(&imp.u * &j));
                    let lhs = Mat::<f64>::identity(n, n) - dw;
                    let lu = lhs.partial_piv_lu();
                    j = quadra_core::faer::linalg::solvers::Solve::solve(&lu, &du);
                }
                x = z;
            }
        }
    }
    Ok((x, j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_layer() -> Network {
        Network {
            input_dim: 2,
            layers: vec![
                Layer::Dense(Dense::from_rows(
                    3,
                    2,
                    &[1., 2., -1., 0.5, 0., 1.],
                    Some(&[0.1, -0.2, 0.3]),
                )),
                Layer::Activation(Activation::Relu),
                Layer::Dense(Dense::from_rows(2, 3, &[1., -1., 2., 0.5, 0.5, 0.], None)),
            ],
        }
    }

    /// Central differences with step 1e-6 against the Jacobian.
    fn assert_jacobian_matches_fd(net: &Network, x: &[f64], tol: f64) {
        let j = net.jacobian(x).unwrap();
        let h = 1e-6;
        for c in 0..x.len() {
            let mut xp = x.to_vec();
            xp[c] += h;
            let mut xm = x.to_vec();
            xm[c] -= h;
            let fp = net.forward(&xp).unwrap();
            let fm = net.forward(&xm).unwrap();
            for r in 0..fp.len() {
                assert!((j[(r, c)] - (fp[r] - fm[r]) / (2.0 * h)).abs() < tol);
            }
        }
    }

    #[test]
    fn jacobian_matches_finite_differences() {
        let net = two_layer();
        assert_jacobian_matches_fd(&net, &[0.3, -0.7], 1e-8);
    }

    #[test]
    fn merging_affine_layers_preserves_the_function() {
        let mut net = two_layer();
        net.select_margin(0, 1).unwrap();
        let ff = net.feed_forward().unwrap().unwrap();
        assert_eq!(ff.weights.len(), 2);
        let back = ff.to_network();
        let x = [0.9, 0.2];
        let a = net.forward(&x).unwrap();
        let b = back.forward(&x).unwrap();
        assert!((a[0] - b[0]).abs() < 1e-14);
    }

    #[test]
    fn shape_and_nan_errors_name_the_layer() {
        let mut net = two_layer();
        if let Layer::Dense(d) = &mut net.layers[2] {
            d.weight[(1, 1)] = f64::NAN;
        }
        let e = net.validate().unwrap_err().to_string();
        assert!(e.contains("layer 2"), "{e}");
        let mut net = two_layer();
        net.input_dim = 3;
        assert!(matches!(
            net.validate(),
            Err(LipschitzError::Shape { layer: 0, .. })
        ));
        assert!(net.select_margin(0, 0).is_err());
    }

    #[test]
    fn implicit_layer_jacobian_matches_finite_differences() {
        let net = Network {
            input_dim: 2,
            layers: vec![Layer::Implicit(Implicit {
                w: Mat::from_fn(2, 2, |i, j| [[0.2, -0.3], [0.1, 0.25]][i][j]),
                u: Mat::from_fn(2, 2, |i, j| [[1.0, 0.5], [-0.4, 1.2]][i][j]),
                bias: vec![0.1, -0.1],
                activation: Activation::Tanh,
            })],
        };
        assert_jacobian_matches_fd(&net, &[0.4, -0.2], 1e-7);
    }
}
