//! The fuzz package's library: what each target does with one input.
//!
//! `mod.rs` holds the runtime's targets and is also included by `runtime/tests/fuzz_corpus.rs`;
//! `upstream.rs` is replayed there too; `spec.rs` (the generator's targets, manifests included) is replayed by
//! `generator/tests/fuzz_corpus.rs`; both replays list their inputs with `fuzz/replay.rs`.

#[path = "mod.rs"]
mod runtime_targets;
pub mod spec;
pub mod upstream;

pub use runtime_targets::{bearer, http, rpc, runtime};
