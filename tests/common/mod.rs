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

/// Writes `contents` to a per-process temporary file and returns its path.
pub fn temp_file(name: &str, contents: &str) -> String {
    let dir = std::env::temp_dir().join(format!("quadra-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
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
