//! The inputs a fuzz target's replay test runs: the `seed*` files of `fuzz/corpus/<target>/`
//! (the rest is what local fuzzing found, not checked in) and every file of
//! `fuzz/regressions/<target>/`. Included by path by `runtime/tests/fuzz_corpus.rs` and
//! `generator/tests/fuzz_corpus.rs` (both crates sit one level below the workspace root).

use std::path::{Path, PathBuf};

pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The target's seeds and saved findings, sorted.
pub fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (dir, seeds_only) in
        [(fuzz_dir().join("corpus").join(target), true), (fuzz_dir().join("regressions").join(target), false)]
    {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_file() && (!seeds_only || name.starts_with("seed")) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
