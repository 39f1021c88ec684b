//! NNet importer (the text format of Julian et al.'s ACAS Xu networks, sisl/NNet).
//!
//! Layout, after `//` comment lines (numbers separated by commas):
//!
//! 1. `numLayers, inputSize, outputSize, maxLayerSize`
//! 2. the `numLayers + 1` layer sizes
//! 3. an unused flag
//! 4. input minimums (`inputSize`), 5. input maximums,
//! 6. means (`inputSize` inputs, then one for the outputs), 7. ranges (same),
//! 8. for each layer: its weight rows (`out` lines of `in` numbers), then its biases
//!    (`out` lines of one number).
//!
//! Hidden layers are ReLU, the last is linear. The network acts on normalised inputs
//! `x̃ = (x − μ)/r` and its outputs are de-normalised `y = r_out ỹ + μ_out`; both affine
//! maps are folded (when asked) into the first and last layer:
//! `W₀' = W₀ diag(1/r)`, `b₀' = b₀ − W₀ (μ/r)`, `W_L' = r_out W_L`, `b_L' = r_out b_L + μ_out`.
//! The input clipping to `[min, max]` is a domain restriction, ignored: a global Lipschitz
//! bound is still valid on the box.

use std::path::Path;

use quadra_core::Mat;
use quadra_lipschitz::{Activation, Dense, Layer, Network};

use super::{ImportError, Result};

/// A header line's numbers (empty tokens from trailing commas dropped).
fn numbers(line: &str, what: &str, path: &Path) -> Result<Vec<f64>> {
    line.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<f64>()
                .map_err(|_| ImportError::malformed(path, format!("{what}: '{t}' is not a number")))
        })
        .collect()
}

fn count(v: f64, what: &str, path: &Path) -> Result<usize> {
    if v.fract() != 0.0 || !(1.0..=1e8).contains(&v) {
        return Err(ImportError::malformed(
            path,
            format!("{what}: {v} is not a positive integer"),
        ));
    }
    Ok(v as usize)
}

/// Parses NNet text into a [`Network`]; `fold_normalization` folds the input/output
/// normalisation into the first/last layer (see the module docs).
pub fn parse_nnet(text: &str, path: &Path, fold_normalization: bool) -> Result<Network> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"));
    let mut next = |what: &str| {
        lines.next().ok_or_else(|| {
            ImportError::malformed(
                path,
                format!("file ends before the {what} line (truncated?)"),
            )
        })
    };
    let head = numbers(
        next("header")?,
        "header line (numLayers, inputSize, outputSize, maxLayerSize)",
        path,
    )?;
    if head.len() < 3 {
        return Err(ImportError::malformed(
            path,
            format!("header line has {} numbers, expected numLayers, inputSize, outputSize, maxLayerSize", head.len()),
        ));
    }
    let n_layers = count(head[0], "numLayers", path)?;
    let input = count(head[1], "inputSize", path)?;
    let output = count(head[2], "outputSize", path)?;
    let sizes: Vec<usize> = numbers(next("layer sizes")?, "layer sizes", path)?
        .into_iter()
        .map(|v| count(v, "layer size", path))
        .collect::<Result<_>>()?;
    if sizes.len() != n_layers + 1 || sizes[0] != input || sizes[n_layers] != output {
        return Err(ImportError::malformed(
            path,
            format!(
                "layer sizes {sizes:?}: expected {} sizes starting with inputSize {input} and ending with outputSize {output}",
                n_layers + 1
            ),
        ));
    }
    next("flag")?;
    let mut vec_line = |what: &str, len: usize| -> Result<Vec<f64>> {
        let v = numbers(next(what)?, what, path)?;
        if v.len() < len {
            return Err(ImportError::malformed(
                path,
                format!("{what}: {} numbers, expected {len}", v.len()),
            ));
        }
        Ok(v[..len].to_vec())
    };
    let _mins = vec_line("input minimums", input)?;
    let _maxes = vec_line("input maximums", input)?;
    let means = vec_line("means", input + 1)?;
    let ranges = vec_line("ranges", input + 1)?;
    // The rest is a stream of numbers; row structure is checked by count.
    let mut rest = Vec::new();
    for (k, l) in lines.enumerate() {
        rest.extend(numbers(l, &format!("weight/bias line {}", k + 1), path)?);
    }
    let mut pos = 0;
    let mut layers = Vec::new();
    for k in 0..n_layers {
        let (inn, out) = (sizes[k], sizes[k + 1]);
        let need = out * inn + out;
        if rest.len() < pos + need {
            return Err(ImportError::malformed(
                path,
                format!(
                    "layer {k} needs {out}×{inn} weights and {out} biases but the file ends after {} of them (truncated?)",
                    rest.len() - pos
                ),
            ));
        }
        let w = Mat::from_fn(out, inn, |i, j| rest[pos + i * inn + j]);
        let b = rest[pos + out * inn..pos + need].to_vec();
        pos += need;
        layers.push(Dense { weight: w, bias: b });
    }
    if pos != rest.len() {
        return Err(ImportError::malformed(
            path,
            format!("{} numbers after the last layer (expected none: layer sizes do not match the data)", rest.len() - pos),
        ));
    }
    if fold_normalization {
        for (i, r) in ranges.iter().enumerate() {
            if *r == 0.0 || !r.is_finite() {
                return Err(ImportError::malformed(
                    path,
                    format!("ranges[{i}] = {r}: expected a finite non-zero range"),
                ));
            }
        }
        let first = &mut layers[0];
        for i in 0..first.weight.nrows() {
            // b₀ − W₀ diag(1/r) μ, accumulated with the already-scaled row.
            let mut s = 0.0;
            for j in 0..input {
                first.weight[(i, j)] /= ranges[j];
                s += first.weight[(i, j)] * means[j];
            }
            first.bias[i] -= s;
        }
        let (mu, r) = (means[input], ranges[input]);
        let last = layers.last_mut().expect("numLayers ≥ 1");
        for i in 0..last.weight.nrows() {
            for j in 0..last.weight.ncols() {
                last.weight[(i, j)] *= r;
            }
            last.bias[i] = last.bias[i] * r + mu;
        }
    }
    let mut out = Vec::new();
    let n = layers.len();
    for (k, d) in layers.into_iter().enumerate() {
        out.push(Layer::Dense(d));
        if k + 1 < n {
            out.push(Layer::Activation(Activation::Relu));
        }
    }
    Ok(Network {
        input_dim: input,
        layers: out,
    })
}
