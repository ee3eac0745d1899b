//! Replays the fuzz targets' seeds and saved findings through the fuzz harness itself
//! (`fuzz/harness/`, included by path), so every `cargo test` runs them: a finding fixed once
//! stays fixed. See `fuzz/regressions/README.md`.

#[path = "../../fuzz/harness/mod.rs"]
mod harness;
#[path = "../../fuzz/replay.rs"]
mod replay;
#[path = "../../fuzz/harness/upstream.rs"]
mod upstream_harness;

use std::sync::atomic::{AtomicUsize, Ordering};

/// What a fuzz target does with one input.
type Harness = fn(&[u8]);

/// Panics anywhere in the process, spawned tasks included (tokio catches those on its own).
static PANICS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn every_seed_and_saved_finding_passes_its_harness() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let targets: [(&str, Harness); 6] = [
        ("jsonrpc_decode", harness::rpc::run_decode),
        ("dispatch", harness::rpc::run_dispatch),
        ("http_request", harness::http::run_http),
        ("sse_post", harness::http::run_sse),
        ("upstream_request", upstream_harness::run_upstream_request),
        ("bearer_token", harness::bearer::run_bearer),
    ];
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, run) in targets {
        let files = replay::inputs(target);
        assert!(!files.is_empty(), "no seeds for {target} under {}", replay::fuzz_dir().display());
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let before = PANICS.load(Ordering::SeqCst);
            let outcome = std::panic::catch_unwind(|| run(&data));
            if outcome.is_err() || PANICS.load(Ordering::SeqCst) != before {
                failures.push(format!("{target}: {}", file.display()));
            }
            replayed += 1;
        }
    }
    assert!(failures.is_empty(), "inputs that break their fuzz target:\n{}", failures.join("\n"));
    eprintln!("FIGURE fuzz_corpus: {replayed} seeds and findings replayed");
}
