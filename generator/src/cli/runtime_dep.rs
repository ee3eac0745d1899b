//! Which mcpgen-runtime a generated crate depends on: a path or a crates.io version.

use crate::RuntimeDep;
use std::path::{Component, Path, PathBuf};

/// `--runtime-version` wins, then `--runtime-path`, then this mcpgen's own runtime source when it
/// runs from a checkout, then the matching crates.io release. Paths are written relative to the
/// crate at `out_dir` (absolute).
pub(super) fn resolve(out_dir: &Path, path: Option<&Path>, version: Option<&str>) -> Result<RuntimeDep, String> {
    Ok(match (path, version) {
        (_, Some(v)) => RuntimeDep::Version(v.to_string()),
        (Some(p), None) => {
            let p = std::fs::canonicalize(p).map_err(|e| format!("--runtime-path `{}`: {e}", p.display()))?;
            RuntimeDep::Path(relative_text(out_dir, &p))
        }
        (None, None) => match own_runtime() {
            Some(p) => RuntimeDep::Path(relative_text(out_dir, &p)),
            None => RuntimeDep::Version(crate::settings::default_runtime_version()),
        },
    })
}

/// This mcpgen's own runtime source, when it runs from a checkout.
pub(super) fn own_runtime() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    p.join("Cargo.toml").is_file().then(|| std::fs::canonicalize(&p).ok()).flatten()
}

/// `to` relative to the directory `from` (both absolute), as mcpgen writes paths into Cargo.toml
/// and mcpgen.toml: forward slashes.
pub(super) fn relative_text(from: &Path, to: &Path) -> String {
    path_text(&relative(from, to))
}

/// `to` relative to the directory `from` (both absolute).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    // Sharing only the root (or a drive): an absolute path says more than `../../..`.
    if common <= 1 {
        return to.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

/// Forward slashes, which Cargo accepts everywhere.
pub(super) fn path_text(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
