//! Hostile `Authorization` headers against static tokens and OAuth access tokens. See
//! `harness/bearer.rs` for the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::bearer::run_bearer(data));
