//! Replays the generator's fuzz targets (`spec_load`, `generate`, `manifest_load`) over their
//! seeds and saved findings, through the fuzz harness itself (`fuzz/harness/spec.rs`, included by
//! path), so every `cargo test` runs them: a finding fixed once stays fixed. See
//! `fuzz/regressions/README.md`.

#[path = "../../fuzz/harness/spec.rs"]
mod harness;
#[path = "../../fuzz/replay.rs"]
mod replay;

/// What a fuzz target does with one input.
type Harness = fn(&[u8]);

#[test]
fn every_seed_and_saved_finding_passes_its_harness() {
    // Each target with the fewest seeds it is known to have.
    let targets: [(&str, Harness, usize); 3] = [
        ("spec_load", harness::run_spec_load, 1),
        ("generate", harness::run_generate, 1),
        ("manifest_load", harness::run_manifest_load, 6),
    ];
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, run, min_seeds) in targets {
        let files = replay::inputs(target);
        assert!(files.len() >= min_seeds, "seeds missing for {target} under {}", replay::fuzz_dir().display());
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
