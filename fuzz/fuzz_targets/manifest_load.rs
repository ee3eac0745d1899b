//! Any text as a tool-schema manifest: an error or a crate whose Rust parses; never a panic.
//! See `harness/spec.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::spec::run_manifest_load(data));
