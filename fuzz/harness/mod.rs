//! What each fuzz target does with one input, shared with the normal test suite: `cargo fuzz`
//! builds it as this package's library, and `runtime/tests/fuzz_corpus.rs` includes it by path
//! to replay every seed and every saved finding (`fuzz/regressions/<target>/`) on each test run.
//!
//! Each `run_*` function takes the fuzzer's bytes and panics when an invariant breaks; the
//! invariants are written next to each function.

pub mod bearer;
pub mod http;
pub mod rpc;

/// The runtime each input runs on: one thread, and a paused clock that jumps ahead whenever
/// every task waits on a timer. Keep-alives, timeouts and "read until quiet" then cost no real
/// time, and an input replays the same way every time; a request that never completes still
/// trips its (simulated) budget.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap()
}
