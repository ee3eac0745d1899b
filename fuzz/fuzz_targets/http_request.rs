//! Streamable HTTP request handling: sequences of requests (method, path, headers, body) to the
//! axum app in-process. See `harness/http.rs` for the input format and the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::http::run_http(data));
