//! A description through the whole generator: every Rust file parses, generation is deterministic.
//! See `harness/spec.rs` for the input format and the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::spec::run_generate(data));
