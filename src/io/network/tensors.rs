//! Weights-only files (NPZ, safetensors): named tensors → layers.
//!
//! Two naming schemes are recognised:
//!
//! * `W0, b0, W1, b1, …` (biases optional; `w0` also accepted), weights `out × in`;
//! * a PyTorch state dict, `PREFIX.weight` / `PREFIX.bias` (e.g. `nn.Sequential`'s
//!   `0.weight, 0.bias, 2.weight, …` or `net.fc1.weight`), ordered by the integers in the
//!   prefix, then by name.
//!
//! The wiring comes from [`Architecture`] and the activation from
//! [`ImportOptions::activation`]: these files carry neither.

use std::path::Path;

use quadra_core::Mat;
use quadra_lipschitz::{Activation, Dense, Layer, Network};

use super::{Architecture, ImportError, ImportOptions, Result};

/// A named tensor, row-major, converted to f64.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// The name in the file.
    pub name: String,
    /// The shape.
    pub shape: Vec<usize>,
    /// The entries, row-major.
    pub data: Vec<f64>,
}

/// IEEE half precision bits → f64.
pub(crate) fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let frac = (h & 0x3ff) as f64;
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

/// bfloat16 bits → f64 (the upper half of an f32).
pub(crate) fn bf16_to_f64(h: u16) -> f64 {
    f32::from_bits((h as u32) << 16) as f64
}

/// Reads every tensor of a safetensors file (F64, F32, F16, BF16).
pub fn read_safetensors(bytes: &[u8], path: &Path) -> Result<Vec<NamedTensor>> {
    use safetensors::{Dtype, SafeTensors};
    let st = SafeTensors::deserialize(bytes).map_err(|e| {
        ImportError::malformed(
            path,
            format!("not a valid safetensors file (truncated or corrupt?): {e}"),
        )
    })?;
    let mut out = Vec::new();
    for (name, view) in st.tensors() {
        let raw = view.data();
        let data: Vec<f64> = match view.dtype() {
            Dtype::F64 => raw
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
            Dtype::F32 => raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
                .collect(),
            Dtype::F16 => raw
                .chunks_exact(2)
                .map(|c| f16_to_f64(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            Dtype::BF16 => raw
                .chunks_exact(2)
                .map(|c| bf16_to_f64(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            other => {
                return Err(ImportError::malformed(
                    path,
                    format!("tensor '{name}' has dtype {other:?} (expected F64, F32, F16 or BF16)"),
                ))
            }
        };
        out.push(NamedTensor {
            name,
            shape: view.shape().to_vec(),
            data,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Reads every array of an `.npz` archive.
pub(crate) fn read_npz_tensors(path: &Path) -> Result<Vec<NamedTensor>> {
    super::npz::read_npz_tensors(path)
}

/// Sort key of a state-dict prefix: its integer components, then the prefix itself.
fn prefix_key(prefix: &str) -> (Vec<u64>, String) {
    let ints = prefix
        .split(['.', '_'])
        .filter_map(|c| c.parse::<u64>().ok())
        .collect();
    (ints, prefix.to_string())
}

/// `(weight name, weight, bias name, bias)` in layer order.
type RawLayer<'a> = (&'a NamedTensor, Option<&'a NamedTensor>);

fn find_layers<'a>(tensors: &'a [NamedTensor], path: &Path) -> Result<Vec<RawLayer<'a>>> {
    let by_name = |n: &str| tensors.iter().find(|t| t.name == n);
    let indexed = |t: &NamedTensor, head: char| -> Option<usize> {
        let mut c = t.name.chars();
        let h = c.next()?;
        (h.eq_ignore_ascii_case(&head))
            .then(|| c.as_str().parse::<usize>().ok())
            .flatten()
    };
    let mut ws: Vec<(usize, &NamedTensor)> = tensors
        .iter()
        .filter_map(|t| indexed(t, 'w').map(|k| (k, t)))
        .collect();
    if !ws.is_empty() {
        ws.sort_by_key(|w| w.0);
        for (pos, (k, _)) in ws.iter().enumerate() {
            if *k != pos {
                return Err(ImportError::malformed(
                    path,
                    format!(
                        "weight tensor W{pos} is missing (found {})",
                        ws.iter()
                            .map(|w| w.1.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        return Ok(ws
            .into_iter()
            .map(|(k, w)| {
                (
                    w,
                    by_name(&format!("b{k}")).or_else(|| by_name(&format!("B{k}"))),
                )
            })
            .collect());
    }
    let mut prefixes: Vec<&str> = tensors
        .iter()
        .filter_map(|t| t.name.strip_suffix(".weight"))
        .collect();
    if prefixes.is_empty() {
        return Err(ImportError::malformed(
            path,
            format!(
                "no weight tensors: expected W0, b0, W1, … or a PyTorch state dict (0.weight, 0.bias, …); found {}",
                tensors.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    prefixes.sort_by_key(|p| prefix_key(p));
    Ok(prefixes
        .into_iter()
        .map(|p| {
            (
                by_name(&format!("{p}.weight")).expect("listed"),
                by_name(&format!("{p}.bias")),
            )
        })
        .collect())
}

/// Builds a network from named tensors (see the module docs for names and wiring).
pub fn network_from_tensors(
    tensors: &[NamedTensor],
    path: &Path,
    opts: &ImportOptions,
) -> Result<Network> {
    let raw = find_layers(tensors, path)?;
    let mut dense = Vec::with_capacity(raw.len());
    let mut prev_out: Option<(usize, &str)> = None;
    for (w, b) in &raw {
        if w.shape.len() != 2 {
            return Err(ImportError::Shape {
                path: path.to_path_buf(),
                tensor: w.name.clone(),
                expected: "a 2-D weight (out × in)".into(),
                found: w.shape.clone(),
            });
        }
        let (out, inn) = (w.shape[0], w.shape[1]);
        if let Some((p, pname)) = prev_out {
            if inn != p {
                return Err(ImportError::Shape {
                    path: path.to_path_buf(),
                    tensor: w.name.clone(),
                    expected: format!(
                        "{inn_exp} columns (the rows of {pname}), weights are out × in",
                        inn_exp = p
                    ),
                    found: w.shape.clone(),
                });
            }
        }
        let bias = match b {
            Some(b) => {
                if b.data.len() != out || b.shape.iter().filter(|&&d| d != 1).count() > 1 {
                    return Err(ImportError::Shape {
                        path: path.to_path_buf(),
                        tensor: b.name.clone(),
                        expected: format!("a vector of length {out} (the rows of {})", w.name),
                        found: b.shape.clone(),
                    });
                }
                b.data.clone()
            }
            None => vec![0.0; out],
        };
        dense.push(Dense {
            weight: Mat::from_fn(out, inn, |i, j| w.data[i * inn + j]),
            bias,
        });
        prev_out = Some((out, &w.name));
    }
    let activation = match (opts.architecture, &opts.activation) {
        (Architecture::ResidualMaxMin, _) => Some(Activation::MaxMin),
        (_, a) => a.clone(),
    };
    let needs_activation = dense.len() > 1;
    let activation = match activation {
        Some(a) => a,
        None if needs_activation => {
            return Err(ImportError::MissingActivation {
                path: path.to_path_buf(),
            })
        }
        None => Activation::Relu,
    };
    let n = dense.len();
    let input_dim = dense[0].weight.ncols();
    let mut layers = Vec::new();
    match opts.architecture {
        Architecture::Sequential => {
            for (k, d) in dense.into_iter().enumerate() {
                layers.push(Layer::Dense(d));
                if k + 1 < n {
                    layers.push(Layer::Activation(activation.clone()));
                }
            }
        }
        Architecture::Residual | Architecture::ResidualMaxMin => {
            if n < 2 {
                return Err(ImportError::malformed(
                    path,
                    "a residual network needs at least an input and an output weight",
                ));
            }
            for (k, d) in dense.into_iter().enumerate() {
                if k == 0 || k + 1 == n {
                    layers.push(Layer::Dense(d));
                } else {
                    if d.weight.nrows() != d.weight.ncols() {
                        return Err(ImportError::Shape {
                            path: path.to_path_buf(),
                            tensor: raw[k].0.name.clone(),
                            expected:
                                "a square weight (a residual block x + φ(Wx + b) keeps the width)"
                                    .into(),
                            found: raw[k].0.shape.clone(),
                        });
                    }
                    layers.push(Layer::Residual(vec![
                        Layer::Dense(d),
                        Layer::Activation(activation.clone()),
                    ]));
                }
            }
        }
    }
    Ok(Network { input_dim, layers })
}
