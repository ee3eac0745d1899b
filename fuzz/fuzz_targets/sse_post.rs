//! The deprecated SSE transport: an open session's stream and requests posted to its message
//! URL. See `harness/http.rs` for the input format and the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::http::run_sse(data));
