//! Any text as a tool-schema manifest: an error or a crate whose Rust parses; never a panic.
#![no_main]

#[path = "../harness/manifest.rs"]
mod manifest;

libfuzzer_sys::fuzz_target!(|data: &[u8]| manifest::run_manifest_load(data));
