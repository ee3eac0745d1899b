//! Bytes through the spec loader: a document or an error, never a panic.
//! See `harness/spec.rs` for the input format and the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::spec::run_spec_load(data));
