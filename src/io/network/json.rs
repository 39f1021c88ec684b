//! quadra's own network format (JSON), read and written.
//!
//! ```json
//! {"format": "quadra-network", "version": 1, "input_dim": 2,
//!  "layers": [
//!    {"type": "dense", "weight": [[1, 2], [3, 4]], "bias": [0, 0]},
//!    {"type": "activation", "activation": {"type": "relu"}},
//!    {"type": "residual", "layers": [ … ]},
//!    {"type": "implicit", "w": [[…]], "u": [[…]], "bias": […], "activation": {"type": "tanh"}}
//!  ]}
//! ```
//!
//! Weights are lists of rows (`out × in`); `bias` may be omitted (zeros). Activations are
//! `{"type": "relu" | "tanh" | "sigmoid" | "softplus" | "max_min"}`,
//! `{"type": "leaky_relu", "slope": a}`, `{"type": "group_sort", "group": g}`,
//! `{"type": "householder", "v": [...]}`.

use std::path::Path;

use quadra_core::Mat;
use quadra_lipschitz::{Activation, Dense, Implicit, Layer, Network};
use serde::{Deserialize, Serialize};

use super::{ImportError, Result};

/// The `format` tag of the file.
pub const JSON_FORMAT: &str = "quadra-network";
/// The version this build reads and writes.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonNetwork {
    format: String,
    version: u32,
    input_dim: usize,
    layers: Vec<JsonLayer>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum JsonLayer {
    Dense {
        weight: Vec<Vec<f64>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bias: Option<Vec<f64>>,
    },
    Activation {
        activation: Activation,
    },
    Residual {
        layers: Vec<JsonLayer>,
    },
    Implicit {
        w: Vec<Vec<f64>>,
        u: Vec<Vec<f64>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bias: Option<Vec<f64>>,
        activation: Activation,
    },
}

fn rows_of(m: &Mat<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)]).collect())
        .collect()
}

fn mat_of(rows: &[Vec<f64>], what: &str, path: &Path) -> Result<Mat<f64>> {
    let cols = rows.first().map_or(0, Vec::len);
    if rows.is_empty() || cols == 0 {
        return Err(ImportError::malformed(
            path,
            format!("{what}: empty matrix (expected a list of rows)"),
        ));
    }
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(ImportError::malformed(
            path,
            format!(
                "{what}: row {i} has {} entries, expected {cols} like row 0",
                r.len()
            ),
        ));
    }
    Ok(Mat::from_fn(rows.len(), cols, |i, j| rows[i][j]))
}

fn to_json(layers: &[Layer]) -> Vec<JsonLayer> {
    layers
        .iter()
        .map(|l| match l {
            Layer::Dense(d) => JsonLayer::Dense {
                weight: rows_of(&d.weight),
                bias: Some(d.bias.clone()),
            },
            Layer::Activation(a) => JsonLayer::Activation {
                activation: a.clone(),
            },
            Layer::Residual(inner) => JsonLayer::Residual {
                layers: to_json(inner),
            },
            Layer::Implicit(i) => JsonLayer::Implicit {
                w: rows_of(&i.w),
                u: rows_of(&i.u),
                bias: Some(i.bias.clone()),
                activation: i.activation.clone(),
            },
        })
        .collect()
}

fn from_json(layers: Vec<JsonLayer>, at: &str, path: &Path) -> Result<Vec<Layer>> {
    layers
        .into_iter()
        .enumerate()
        .map(|(k, l)| {
            let here = format!("{at}layers[{k}]");
            Ok(match l {
                JsonLayer::Dense { weight, bias } => {
                    let w = mat_of(&weight, &format!("{here}.weight"), path)?;
                    let bias = bias.unwrap_or_else(|| vec![0.0; w.nrows()]);
                    if bias.len() != w.nrows() {
                        return Err(ImportError::malformed(
                            path,
                            format!(
                                "{here}.bias has {} entries, expected {} (the rows of weight)",
                                bias.len(),
                                w.nrows()
                            ),
                        ));
                    }
                    Layer::Dense(Dense { weight: w, bias })
                }
                JsonLayer::Activation { activation } => Layer::Activation(activation),
                JsonLayer::Residual { layers } => {
                    Layer::Residual(from_json(layers, &format!("{here}."), path)?)
                }
                JsonLayer::Implicit {
                    w,
                    u,
                    bias,
                    activation,
                } => {
                    let w = mat_of(&w, &format!("{here}.w"), path)?;
                    let u = mat_of(&u, &format!("{here}.u"), path)?;
                    let bias = bias.unwrap_or_else(|| vec![0.0; w.nrows()]);
                    Layer::Implicit(Implicit {
                        w,
                        u,
                        bias,
                        activation,
                    })
                }
            })
        })
        .collect()
}

/// Parses the JSON network format (`path` is used in messages only).
pub fn network_from_json(text: &str, path: &Path) -> Result<Network> {
    let j: JsonNetwork = serde_json::from_str(text).map_err(|e| {
        ImportError::malformed(path, format!("not a quadra-network JSON document: {e}"))
    })?;
    if j.format != JSON_FORMAT {
        return Err(ImportError::malformed(
            path,
            format!(
                "field \"format\" is \"{}\", expected \"{JSON_FORMAT}\"",
                j.format
            ),
        ));
    }
    if j.version != JSON_VERSION {
        return Err(ImportError::malformed(
            path,
            format!(
                "field \"version\" is {}, this build reads version {JSON_VERSION}",
                j.version
            ),
        ));
    }
    Ok(Network {
        input_dim: j.input_dim,
        layers: from_json(j.layers, "", path)?,
    })
}

/// Serialises a network to the JSON format (validated first: JSON has no NaN).
pub fn network_to_json(net: &Network) -> Result<String> {
    let nowhere = Path::new("(network)");
    net.validate().map_err(|source| ImportError::Invalid {
        path: nowhere.to_path_buf(),
        source,
    })?;
    let j = JsonNetwork {
        format: JSON_FORMAT.into(),
        version: JSON_VERSION,
        input_dim: net.input_dim,
        layers: to_json(&net.layers),
    };
    Ok(serde_json::to_string(&j).expect("a validated network serialises"))
}

/// Writes a network as JSON to `path`.
pub fn save_network_json(net: &Network, path: &Path) -> Result<()> {
    let text = network_to_json(net).map_err(|e| match e {
        ImportError::Invalid { source, .. } => ImportError::Invalid {
            path: path.to_path_buf(),
            source,
        },
        e => e,
    })?;
    std::fs::write(path, text).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })
}
