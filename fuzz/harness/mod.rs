//! What each fuzz target does with one input, shared with the normal test suite: `cargo fuzz`
//! builds it as this package's library, and `runtime/tests/fuzz_corpus.rs` includes it by path
//! to replay every seed and every saved finding (`fuzz/regressions/<target>/`) on each test run.
//!
//! Each `run_*` function takes the fuzzer's bytes and panics when an invariant breaks; the
//! invariants are written next to each function.

pub mod http;
pub mod rpc;
