//! NPZ archives → named tensors, through the generic reader [`crate::io::npy::read_npz`].

use std::path::Path;

use super::tensors::NamedTensor;
use super::{ImportError, Result};

/// Reads every array of an `.npz` archive as f64 (its errors already name the file and
/// the archive member).
pub(crate) fn read_npz_tensors(path: &Path) -> Result<Vec<NamedTensor>> {
    let arrays = crate::io::npy::read_npz(path).map_err(|e| match e {
        crate::io::npy::NpyError::Io { path, source } => ImportError::Io { path, source },
        e => ImportError::Malformed {
            path: path.to_path_buf(),
            // The npy message starts with the file name; keep only what follows it.
            what: e
                .to_string()
                .strip_prefix(&path.display().to_string())
                .map_or_else(
                    || e.to_string(),
                    |s| s.trim_start_matches([':', ' ']).to_string(),
                ),
        },
    })?;
    Ok(arrays
        .into_iter()
        .map(|(name, a)| NamedTensor {
            name,
            shape: a.shape,
            data: a.data,
        })
        .collect())
}
