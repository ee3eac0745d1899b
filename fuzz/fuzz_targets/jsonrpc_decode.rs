//! Any bytes decode to a message or to an error response; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::rpc::run_decode(data));
