//! A session of arbitrary lines through the dispatcher: every request is answered with its own
//! id (or cancelled), nothing panics, nothing hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mcpgen_fuzz::rpc::run_dispatch(data));
