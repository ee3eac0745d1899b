//! Where things are: the workspace, the test crate, and the directory the installed clients live in.

use std::path::{Path, PathBuf};

/// The workspace root (the directory of the root `Cargo.toml`).
pub fn root() -> &'static Path {
    tests_crate().parent().expect("the tests crate lives inside the workspace")
}

/// This crate's directory, `tests/`.
pub fn tests_crate() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the tests install their clients: `$MCPGEN_TEST_TOOLS` if set, else `tests/.tools`
/// (gitignored, and kept across `cargo clean`).
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("MCPGEN_TEST_TOOLS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => tests_crate().join(".tools"),
    }
}
