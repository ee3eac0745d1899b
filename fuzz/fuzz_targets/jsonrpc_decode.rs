//! Any bytes decode to a message or to an error response; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpgen_runtime::protocol::Message;

fuzz_target!(|data: &[u8]| {
    match Message::decode(data) {
        Ok(message) => {
            let _ = message.method();
        }
        Err(e) => {
            let response = e.response();
            assert_eq!(response["jsonrpc"], "2.0");
            assert!(response["error"]["code"].is_i64());
        }
    }
});
