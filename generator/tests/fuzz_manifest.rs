//! Replays the `manifest_load` fuzz target's seeds and saved findings through its harness
//! (`fuzz/harness/manifest.rs`, included by path) on every test run, as
//! `runtime/tests/fuzz_corpus.rs` does for the runtime's targets.

#[path = "../../fuzz/harness/manifest.rs"]
mod harness;

use std::path::Path;

#[test]
fn every_manifest_seed_and_finding_passes_the_harness() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for (dir, seeds_only) in
        [(fuzz.join("corpus/manifest_load"), true), (fuzz.join("regressions/manifest_load"), false)]
    {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let seed = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("seed"));
            if path.is_file() && (seed || !seeds_only) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 6, "seeds missing under {}", fuzz.display());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        if std::panic::catch_unwind(|| harness::run_manifest_load(&data)).is_err() {
            panic!("{} breaks the manifest_load harness", file.display());
        }
    }
}
