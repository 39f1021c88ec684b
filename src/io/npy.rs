//! NumPy `.npy` arrays and `.npz` archives, read as `f64`.
//!
//! The `.npy` format (NumPy enhancement proposal NEP 1, versions 1.0–3.0) is a magic string
//! `\x93NUMPY`, a version, a little-endian header length, a Python dict literal
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` and the raw data. `.npz`
//! is a zip archive of `.npy` members (stored by `np.savez`, deflated by
//! `np.savez_compressed`).
//!
//! Every array comes back row-major (C order) as [`NpyArray`]: Fortran-ordered data is
//! transposed, and floats (`f4`, `f8`), signed and unsigned integers (1–8 bytes, either byte
//! order) and booleans are converted to `f64`. Anything else (complex, strings, objects,
//! structured dtypes, pickles), a truncated file or a header that does not parse is an
//! [`NpyError`] naming the file, the archive member and what was expected.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A dense array: `shape` and its elements in row-major (C) order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Dimensions, outermost first (`()` for a scalar: an empty vector, one element).
    pub shape: Vec<usize>,
    /// Elements in row-major order; `data.len()` is the product of `shape`.
    pub data: Vec<f64>,
}

impl NpyArray {
    /// Number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Index of the first NaN or infinite element, if any.
    pub fn first_non_finite(&self) -> Option<usize> {
        self.data.iter().position(|v| !v.is_finite())
    }
}

/// What went wrong while reading a `.npy` or `.npz` file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NpyError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The file is not a well-formed `.npy` array (or archive member).
    #[error("{}{}: {message}", path.display(), member.as_ref().map(|m| format!(" (member '{m}')")).unwrap_or_default())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The `.npz` member at fault, if any.
        member: Option<String>,
        /// What was found and what was expected.
        message: String,
    },
    /// The `.npz` archive could not be opened as a zip file.
    #[error("{}: not a valid .npz (zip) archive: {message}", path.display())]
    Archive {
        /// The file.
        path: PathBuf,
        /// The zip reader's message.
        message: String,
    },
}

/// Result alias of the NPY reader.
pub type Result<T> = std::result::Result<T, NpyError>;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Reads one `.npy` file.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| NpyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_npy(&bytes).map_err(|message| NpyError::Malformed {
        path: path.to_path_buf(),
        member: None,
        message,
    })
}

/// Reads every array of an `.npz` archive, in archive order, named without the `.npy`
/// suffix (`np.savez(f, W=…)` gives the name `W`).
pub fn read_npz(path: impl AsRef<Path>) -> Result<Vec<(String, NpyArray)>> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| NpyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| NpyError::Archive {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| NpyError::Archive {
            path: path.to_path_buf(),
            message: format!("member {i}: {e}"),
        })?;
        if entry.is_dir() {
            continue;
        }
        let member = entry.name().to_string();
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| NpyError::Malformed {
                path: path.to_path_buf(),
                member: Some(member.clone()),
                message: format!("cannot decompress: {e}"),
            })?;
        let array = parse_npy(&bytes).map_err(|message| NpyError::Malformed {
            path: path.to_path_buf(),
            member: Some(member.clone()),
            message,
        })?;
        let name = member.strip_suffix(".npy").unwrap_or(&member).to_string();
        out.push((name, array));
    }
    Ok(out)
}

/// Element type of a supported `descr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Float,
    Int,
    Uint,
    Bool,
}

#[derive(Debug, Clone, Copy)]
struct Dtype {
    kind: Kind,
    size: usize,
    big_endian: bool,
}

/// Parses the bytes of one `.npy` array.
fn parse_npy(bytes: &[u8]) -> std::result::Result<NpyArray, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy array (missing the \\x93NUMPY magic string)".into());
    }
    let major = bytes[6];
    let (header_len, start): (usize, usize) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err("truncated header".into());
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(format!("unsupported .npy version {v} (expected 1, 2 or 3)")),
    };
    let end = start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or("truncated header")?;
    let header = std::str::from_utf8(&bytes[start..end])
        .map_err(|_| "header is not text (expected a Python dict literal)".to_string())?;
    let descr = dict_value(header, "descr")?;
    let fortran = dict_value(header, "fortran_order")?;
    let shape_text = dict_value(header, "shape")?;
    let dtype = parse_descr(descr)?;
    let fortran_order = match fortran.trim() {
        "True" => true,
        "False" => false,
        other => {
            return Err(format!(
                "fortran_order is `{other}` (expected True or False)"
            ))
        }
    };
    let shape = parse_shape(shape_text)?;
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or("shape overflows the address space")?;
    let payload = &bytes[end..];
    let needed = count
        .checked_mul(dtype.size)
        .ok_or("shape overflows the address space")?;
    if payload.len() < needed {
        return Err(format!(
            "truncated data: shape {shape:?} of {}-byte elements needs {needed} bytes, found {}",
            dtype.size,
            payload.len()
        ));
    }
    let mut data: Vec<f64> = payload[..needed]
        .chunks_exact(dtype.size)
        .map(|c| convert(c, dtype))
        .collect();
    if fortran_order && shape.len() > 1 {
        data = fortran_to_c(&data, &shape);
    }
    Ok(NpyArray { shape, data })
}

/// The text of `'key': value` in a Python dict literal, up to the next top-level comma.
fn dict_value<'a>(header: &'a str, key: &str) -> std::result::Result<&'a str, String> {
    let pat_single = format!("'{key}'");
    let pat_double = format!("\"{key}\"");
    let pos = header
        .find(&pat_single)
        .map(|p| p + pat_single.len())
        .or_else(|| header.find(&pat_double).map(|p| p + pat_double.len()))
        .ok_or_else(|| format!("header has no '{key}' entry"))?;
    let rest = header[pos..].trim_start();
    let rest = rest
        .strip_prefix(':')
        .ok_or_else(|| format!("header entry '{key}' has no value"))?
        .trim_start();
    let mut depth = 0i32;
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                if depth == 0 {
                    return Ok(rest[..i].trim());
                }
                depth -= 1;
            }
            ',' if depth == 0 => return Ok(rest[..i].trim()),
            _ => {}
        }
    }
    Ok(rest.trim())
}

fn parse_descr(text: &str) -> std::result::Result<Dtype, String> {
    let unquoted = text
        .strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .or_else(|| text.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
        .ok_or_else(|| {
            format!("dtype {text} is structured or not a string (expected a numeric dtype such as '<f8')")
        })?;
    let unsupported = || {
        format!(
            "unsupported dtype '{unquoted}' (expected float f4/f8, int i1–i8, uint u1–u8 or bool)"
        )
    };
    let mut chars = unquoted.chars();
    let order = chars.next().ok_or_else(unsupported)?;
    let (big_endian, rest) = match order {
        '<' | '|' => (false, chars.as_str()),
        '>' => (true, chars.as_str()),
        '=' => (cfg!(target_endian = "big"), chars.as_str()),
        _ => (cfg!(target_endian = "big"), unquoted),
    };
    let mut rc = rest.chars();
    let kind = match rc.next() {
        Some('f') => Kind::Float,
        Some('i') => Kind::Int,
        Some('u') => Kind::Uint,
        Some('b') => Kind::Bool,
        _ => return Err(unsupported()),
    };
    let size: usize = rc.as_str().parse().map_err(|_| unsupported())?;
    let ok = match kind {
        Kind::Float => matches!(size, 4 | 8),
        Kind::Int | Kind::Uint => matches!(size, 1 | 2 | 4 | 8),
        Kind::Bool => size == 1,
    };
    if !ok {
        return Err(unsupported());
    }
    Ok(Dtype {
        kind,
        size,
        big_endian,
    })
}

fn parse_shape(text: &str) -> std::result::Result<Vec<usize>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("shape `{text}` is not a tuple"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('L')
                .parse::<usize>()
                .map_err(|_| format!("shape `{text}`: `{s}` is not a nonnegative integer"))
        })
        .collect()
}

fn convert(c: &[u8], dt: Dtype) -> f64 {
    let mut b = [0u8; 8];
    b[..dt.size].copy_from_slice(c);
    if dt.big_endian {
        b[..dt.size].reverse();
    }
    match (dt.kind, dt.size) {
        (Kind::Float, 4) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
        (Kind::Float, _) => f64::from_le_bytes(b),
        (Kind::Bool, _) => f64::from(u8::from(b[0] != 0)),
        (Kind::Uint, _) => u64::from_le_bytes(b) as f64,
        (Kind::Int, n) => {
            // Sign-extend the n-byte little-endian integer.
            let shift = 64 - 8 * n as u32;
            ((u64::from_le_bytes(b) << shift) as i64 >> shift) as f64
        }
    }
}

/// Reorders column-major (Fortran) data of `shape` into row-major order.
fn fortran_to_c(data: &[f64], shape: &[usize]) -> Vec<f64> {
    let nd = shape.len();
    // Fortran strides: the first index varies fastest.
    let mut fstride = vec![1usize; nd];
    for k in 1..nd {
        fstride[k] = fstride[k - 1] * shape[k - 1];
    }
    let mut out = Vec::with_capacity(data.len());
    let mut idx = vec![0usize; nd];
    for _ in 0..data.len() {
        let off: usize = idx.iter().zip(&fstride).map(|(i, s)| i * s).sum();
        out.push(data[off]);
        // Advance the row-major multi-index (last index fastest).
        for k in (0..nd).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy_bytes(descr: &str, fortran: bool, shape: &str, payload: &[u8]) -> Vec<u8> {
        let mut header = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[1, 0]);
        b.extend_from_slice(&(header.len() as u16).to_le_bytes());
        b.extend_from_slice(header.as_bytes());
        b.extend_from_slice(payload);
        b
    }

    #[test]
    fn reads_f8_c_order() {
        let vals = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        let payload: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        let a = parse_npy(&npy_bytes("<f8", false, "(2, 3)", &payload)).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, vals);
    }

    #[test]
    fn fortran_order_is_transposed_to_row_major() {
        // Column-major storage of [[1,2,3],[4,5,6]].
        let cm = [1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0];
        let payload: Vec<u8> = cm.iter().flat_map(|v| v.to_le_bytes()).collect();
        let a = parse_npy(&npy_bytes("<f4", true, "(2, 3)", &payload)).unwrap();
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn integers_both_byte_orders_and_bools() {
        let payload: Vec<u8> = [-3i16, 7].iter().flat_map(|v| v.to_be_bytes()).collect();
        let a = parse_npy(&npy_bytes(">i2", false, "(2,)", &payload)).unwrap();
        assert_eq!(a.data, vec![-3.0, 7.0]);
        let a = parse_npy(&npy_bytes("|b1", false, "(3,)", &[1, 0, 1])).unwrap();
        assert_eq!(a.data, vec![1.0, 0.0, 1.0]);
        let a = parse_npy(&npy_bytes("<u8", false, "()", &9u64.to_le_bytes())).unwrap();
        assert!(a.shape.is_empty());
        assert_eq!(a.data, vec![9.0]);
    }

    #[test]
    fn malformed_inputs_name_the_problem() {
        let e = parse_npy(b"hello world, not numpy").unwrap_err();
        assert!(e.contains("magic"), "{e}");
        let e = parse_npy(&npy_bytes("<c16", false, "(1,)", &[0; 16])).unwrap_err();
        assert!(e.contains("unsupported dtype"), "{e}");
        let e = parse_npy(&npy_bytes("<f8", false, "(4,)", &[0; 16])).unwrap_err();
        assert!(e.contains("truncated data"), "{e}");
        let e = parse_npy(&npy_bytes("|O", false, "(1,)", &[0; 8])).unwrap_err();
        assert!(e.contains("unsupported dtype"), "{e}");
    }
}
