//! Tool arguments through the upstream's request building: the URL stays under the base, values stay in their place.
//! See `harness/upstream.rs` for the input format and the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::upstream::run_upstream_request(data));
