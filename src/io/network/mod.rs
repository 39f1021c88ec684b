//! Network importers: ONNX, NNet, NPZ, safetensors and quadra's own JSON, all producing
//! the [`Network`] IR of `quadra-lipschitz`.
//!
//! [`load_network`] dispatches on the file extension. Every error names the file and the
//! tensor, node or field at fault, and what was expected ([`ImportError`]); the imported
//! network is always checked with [`Network::validate`] (shapes chain, weights finite)
//! before it is returned. The formats are documented in `docs/formats.md` and
//! `docs/lipschitz.md` (section *Network formats*).

mod json;
mod nnet;
mod npz;
mod onnx;
mod onnx_proto;
mod tensors;

use std::path::{Path, PathBuf};

use quadra_lipschitz::{Activation, LipschitzError, Network};
use thiserror::Error;

pub use json::{network_from_json, network_to_json, save_network_json};
pub use nnet::parse_nnet;
pub use onnx::parse_onnx;
pub use tensors::{network_from_tensors, read_safetensors, NamedTensor};

/// Result alias of the importers.
pub type Result<T> = std::result::Result<T, ImportError>;

/// How the layers of a weights-only file (NPZ, safetensors) are wired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Architecture {
    /// `y = W_L φ(… φ(W₀x + b₀) …) + b_L` (the default).
    #[default]
    Sequential,
    /// `x₁ = W₀x + b₀`, `x_{k+1} = x_k + φ(W_k x_k + b_k)` for the middle layers,
    /// `y = W_L x_L + b_L`; φ from [`ImportOptions::activation`].
    Residual,
    /// [`Architecture::Residual`] with φ = MaxMin (the layout of the shared
    /// `maxmin_residual_5_32.npz`); needs no activation option.
    ResidualMaxMin,
}

impl Architecture {
    /// Parses `sequential`, `residual` or `residual-maxmin`.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "sequential" => Ok(Architecture::Sequential),
            "residual" => Ok(Architecture::Residual),
            "residual-maxmin" => Ok(Architecture::ResidualMaxMin),
            other => Err(format!(
                "unknown architecture '{other}' (expected sequential, residual or residual-maxmin)"
            )),
        }
    }
}

/// Options of [`load_network`].
///
/// | field | default | meaning |
/// |---|---|---|
/// | `activation` | `None` | activation of weights-only files (NPZ, safetensors); ignored by formats that carry it (ONNX, NNet, JSON) |
/// | `architecture` | `Sequential` | wiring of weights-only files |
/// | `fold_nnet_normalization` | `true` | fold an NNet file's input/output normalisation into the first/last layer |
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Activation for formats that do not carry one (NPZ, safetensors). No default: a
    /// missing activation is an error ([`ImportError::MissingActivation`]).
    pub activation: Option<Activation>,
    /// Wiring of NPZ/safetensors layers.
    pub architecture: Architecture,
    /// Whether NNet input normalisation `(x − mean)/range` and output scaling
    /// `y·range + mean` are folded into the first and last affine layer (the function the
    /// NNet file defines); `false` keeps the raw network on normalised coordinates (note that
    /// sisl/NNet's ONNX converter also folds it: `TestNetwork2.onnx` is the folded
    /// `TestNetwork2.nnet` in float32).
    pub fold_nnet_normalization: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            activation: None,
            architecture: Architecture::Sequential,
            fold_nnet_normalization: true,
        }
    }
}

impl ImportOptions {
    /// Sets the activation of weights-only files.
    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = Some(activation);
        self
    }

    /// Sets the architecture of weights-only files.
    pub fn with_architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Sets whether NNet normalisation is folded in.
    pub fn with_fold_nnet_normalization(mut self, fold: bool) -> Self {
        self.fold_nnet_normalization = fold;
        self
    }
}

/// What went wrong while importing a network. Every variant names the file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// An extension no importer handles.
    #[error("{}: unknown network format '{ext}' (expected .onnx, .nnet, .npz, .safetensors or .json)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// Its extension.
        ext: String,
    },
    /// The file does not parse; `what` names the field or tensor and what was expected.
    #[error("{}: {what}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, where.
        what: String,
    },
    /// An ONNX operator (or pattern) the importer does not map to the IR.
    #[error("{}: unsupported op {op} at node {node}{}", path.display(), if detail.is_empty() { String::new() } else { format!(" ({detail})") })]
    UnsupportedOp {
        /// The file.
        path: PathBuf,
        /// The operator type.
        op: String,
        /// The node name (or its index and first output when unnamed).
        node: String,
        /// Why, when the op exists but its use here is not supported.
        detail: String,
    },
    /// A tensor with the wrong shape.
    #[error("{}: tensor '{tensor}' has shape {found:?}, expected {expected}", path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// The tensor name.
        tensor: String,
        /// What was expected, in words.
        expected: String,
        /// The shape found.
        found: Vec<usize>,
    },
    /// A weights-only file and no activation given.
    #[error("{}: the file does not say which activation the network uses: pass --activation (relu, leaky_relu:A, tanh, sigmoid, softplus, maxmin, groupsort:G)", path.display())]
    MissingActivation {
        /// The file.
        path: PathBuf,
    },
    /// The assembled network fails validation (shapes, NaN/∞ weights, parameters).
    #[error("{}: {source}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The IR's complaint (names the layer).
        source: LipschitzError,
    },
}

impl ImportError {
    pub(crate) fn malformed(path: &Path, what: impl Into<String>) -> Self {
        ImportError::Malformed {
            path: path.to_path_buf(),
            what: what.into(),
        }
    }
}

/// Loads a network, choosing the importer by extension (`.onnx`, `.nnet`, `.npz`,
/// `.safetensors`, `.json`), and validates it.
pub fn load_network(path: &Path, opts: &ImportOptions) -> Result<Network> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let read = || {
        std::fs::read(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let net = match ext.as_str() {
        "onnx" => parse_onnx(&read()?, path)?,
        "nnet" => {
            let bytes = read()?;
            let text = String::from_utf8(bytes).map_err(|_| {
                ImportError::malformed(path, "not UTF-8 text (expected the NNet text format)")
            })?;
            parse_nnet(&text, path, opts.fold_nnet_normalization)?
        }
        "npz" => {
            let tensors = tensors::read_npz_tensors(path)?;
            network_from_tensors(&tensors, path, opts)?
        }
        "safetensors" => {
            let tensors = read_safetensors(&read()?, path)?;
            network_from_tensors(&tensors, path, opts)?
        }
        "json" => {
            let bytes = read()?;
            let text = String::from_utf8(bytes)
                .map_err(|_| ImportError::malformed(path, "not UTF-8 text (expected JSON)"))?;
            network_from_json(&text, path)?
        }
        _ => {
            return Err(ImportError::UnknownFormat {
                path: path.to_path_buf(),
                ext: if ext.is_empty() {
                    "(none)".into()
                } else {
                    format!(".{ext}")
                },
            })
        }
    };
    validated(net, path)
}

/// Runs [`Network::validate`], attaching the file name to its error.
pub(crate) fn validated(net: Network, path: &Path) -> Result<Network> {
    net.validate().map_err(|source| ImportError::Invalid {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(net)
}
