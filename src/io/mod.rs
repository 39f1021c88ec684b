//! Importers: networks (ONNX, NNet, NPZ, safetensors, JSON) and data files.
//!
//! See `docs/formats.md` for every format and what each importer checks.

pub mod network;
pub mod npy;
