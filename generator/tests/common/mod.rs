//! Shared by the generator's integration tests: the fixtures, and building generated crates in
//! one shared target directory.
#![allow(dead_code)]

pub mod mcp;
pub mod mock;
pub mod upstream;

use std::path::{Path, PathBuf};
use std::process::Command;

/// `(golden directory name, fixture file)`.
pub const FIXTURES: &[(&str, &str)] = &[
    ("petstore", "petstore.yaml"),
    ("petstore-swagger2", "petstore-swagger2.yaml"),
    ("petstore-3-1", "petstore-3.1.json"),
    ("everything", "everything.yaml"),
    ("recursive", "recursive.yaml"),
    ("hostile", "hostile.json"),
    ("manifest-notes", "manifests/notes.json"),
    ("manifest-hostile", "manifests/hostile.json"),
    ("hostile-names", "hostile-names.yaml"),
    ("curated", "curated.yaml"),
    ("long-running", "long-running.yaml"),
];

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

pub fn fixture(file: &str) -> PathBuf {
    workspace().join("fixtures").join(file)
}

pub fn golden_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// The settings the golden crates are generated with: named after the fixture, depending on
/// this checkout's runtime by a path that is right from `tests/golden/<name>`, with the fixture's
/// overlay applied when it has one (`X.overlay.yaml` beside `X.yaml`).
pub fn settings(name: &str, file: &str) -> mcpgen::Settings {
    let settings =
        mcpgen::Settings::new(fixture(file)).name(name).runtime(mcpgen::RuntimeDep::Path("../../../../runtime".into()));
    match overlay_of(file) {
        Some(overlay) => settings.overlay(overlay),
        None => settings,
    }
}

/// The overlay of the fixture `file` (`X.overlay.yaml` for `X.yaml`), when there is one.
pub fn overlay_of(file: &str) -> Option<PathBuf> {
    let overlay = fixture(&format!("{}.overlay.yaml", file.strip_suffix(".yaml")?));
    overlay.is_file().then_some(overlay)
}

/// Runs cargo on the generated crate at `dir`, sharing one target directory (and the
/// workspace's lock file, so the same dependency builds are reused).
pub fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let _ = std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock"));
    let (command, rest) = args.split_first().expect("a cargo command");
    Command::new(env!("CARGO"))
        .arg(command)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .args(rest)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", workspace().join("target/generated"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

/// Where `cargo build` puts a generated crate's binary.
pub fn binary(crate_name: &str) -> PathBuf {
    workspace().join("target/generated/debug").join(crate_name)
}
