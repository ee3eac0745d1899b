//! Replays the generator's fuzz targets (`spec_load`, `generate`) over their seeds and saved
//! findings, through the fuzz harness itself (`fuzz/harness/spec.rs`, included by path), so
//! every `cargo test` runs them: a finding fixed once stays fixed. See
//! `fuzz/regressions/README.md`.

#[path = "../../fuzz/harness/spec.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// What a fuzz target does with one input.
type Harness = fn(&[u8]);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// `seed*` files of the target's corpus (the rest is what local fuzzing found, not checked in)
/// and every file of its regressions directory.
fn inputs(target: &str) -> Vec<PathBuf> {
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

#[test]
fn every_seed_and_saved_finding_passes_its_harness() {
    let targets: [(&str, Harness); 2] = [("spec_load", harness::run_spec_load), ("generate", harness::run_generate)];
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, run) in targets {
        let files = inputs(target);
        assert!(!files.is_empty(), "no seeds for {target} under {}", fuzz_dir().display());
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if std::panic::catch_unwind(|| run(&data)).is_err() {
                failures.push(format!("{target}: {}", file.display()));
            }
            replayed += 1;
        }
    }
    assert!(failures.is_empty(), "inputs that break their fuzz target:\n{}", failures.join("\n"));
    eprintln!("FIGURE fuzz_corpus: {replayed} seeds and findings replayed");
}
