//! Helpers shared by the CLI integration tests (each `tests/cli_*.rs` uses a subset).
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output};

/// Runs the `quadra` binary built for this test run.
pub fn quadra(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quadra"))
        .args(args)
        .output()
        .expect("run quadra")
}

/// Asserts success and parses stdout as one JSON document.
pub fn json(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

/// A fresh path ending in `name`, in a directory of its own for this call.
///
/// Tests in one binary run in parallel threads; a fixed per-process file name shared by
/// two tests lets one rewrite it while the other's `quadra` reads it.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let call = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir()
        .join(format!("quadra-cli-test-{}", std::process::id()))
        .join(call.to_string());
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Writes `contents` to a fresh temporary file (see [`temp_path`]) and returns its path.
pub fn temp_file(name: &str, contents: &str) -> String {
    let p = temp_path(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(contents.as_bytes())
        .unwrap();
    p.display().to_string()
}

/// Path of a file under `../shared` (or `$QUADRA_SHARED`); its absence is a failure.
pub fn shared(path: &str) -> String {
    let root = std::env::var("QUADRA_SHARED")
        .unwrap_or_else(|_| format!("{}/../shared", env!("CARGO_MANIFEST_DIR")));
    let p = format!("{root}/{path}");
    assert!(
        std::path::Path::new(&p).exists(),
        "{p} missing (set QUADRA_SHARED)"
    );
    p
}
