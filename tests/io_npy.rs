//! The NPY/NPZ reader against files written by NumPy (`tests/data/npy/README.md`).

use quadra::io::npy::{read_npy, read_npz, NpyError};

fn data(name: &str) -> String {
    format!("{}/tests/data/npy/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fortran_ordered_f32_comes_back_row_major() {
    let a = read_npy(data("arange_f32_fortran.npy")).unwrap();
    assert_eq!(a.shape, vec![3, 4]);
    assert_eq!(a.data, (0..12).map(f64::from).collect::<Vec<_>>());
}

#[test]
fn big_endian_integers_and_booleans() {
    let a = read_npy(data("int64_big_endian.npy")).unwrap();
    assert_eq!(a.data, vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0]);
    let b = read_npy(data("bool_3d.npy")).unwrap();
    assert_eq!(b.shape, vec![2, 3, 4]);
    let expected: Vec<f64> = (0..24).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
    assert_eq!(b.data, expected);
}

#[test]
fn compressed_and_stored_archives_agree() {
    for file in ["head_compressed.npz", "head_stored.npz"] {
        let arrays = read_npz(data(file)).unwrap();
        let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["W", "b"], "{file}");
        let w = &arrays[0].1;
        assert_eq!(w.shape, vec![5, 4]);
        for (i, v) in w.data.iter().enumerate() {
            assert!((v - i as f64 / 10.0).abs() < 1e-15, "{file}: W[{i}] = {v}");
        }
        assert_eq!(arrays[1].1.data, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    }
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let e = read_npy(data("complex.npy")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("complex.npy") && msg.contains("unsupported dtype '<c16'"),
        "{msg}"
    );
    let e = read_npz(data("README.md")).unwrap_err();
    assert!(matches!(e, NpyError::Archive { .. }), "{e}");
    assert!(e.to_string().contains("README.md"));
    let e = read_npy(data("missing.npy")).unwrap_err();
    assert!(matches!(e, NpyError::Io { .. }));
    let e = read_npy(data("head_stored.npz")).unwrap_err();
    assert!(e.to_string().contains("magic"), "{e}");
}
