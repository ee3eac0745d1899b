//! JSON-RPC decoding and dispatch, without a transport.

use mcpgen_runtime::protocol::Message;
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{Connection, Dispatcher, Prompt, PromptResult, Server, Tool, ToolResult};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// `jsonrpc_decode`: any bytes decode to a message or to an error response; never a panic.
pub fn run_decode(data: &[u8]) {
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
}

fn dispatcher() -> Arc<Dispatcher> {
    static D: OnceLock<Arc<Dispatcher>> = OnceLock::new();
    D.get_or_init(|| {
        let add = Tool::new(
            "add",
            json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}),
        )
        .output_schema(json!({"type": "object", "properties": {"sum": {"type": "integer"}}}))
        .handler(|args, _| async move {
            let sum = args["a"].as_i64().unwrap_or(0).wrapping_add(args["b"].as_i64().unwrap_or(0));
            Ok(ToolResult::structured(json!({"sum": sum})))
        });
        let prompt = Prompt::new("p").argument("x", "x", true).handler(|_, _| async { Ok(PromptResult::default()) });
        Server::new("fuzz", "0").tool(add).prompt(prompt).page_size(1).build().expect("valid server").0
    })
    .clone()
}

/// `dispatch`: a session of newline-separated messages through the dispatcher. Every request is
/// answered with its own id and exactly one of `result` and `error` (or cancelled); nothing
/// panics; nothing takes more than 5 s.
pub fn run_dispatch(data: &[u8]) {
    let rt = super::runtime();
    rt.block_on(async {
        let d = dispatcher();
        let conn = Arc::new(Connection::new(None));
        for line in data.split(|b| *b == b'\n') {
            let Ok(message) = Message::decode(line) else { continue };
            let id = match &message {
                Message::Request { id, .. } => Some(id.to_value()),
                _ => None,
            };
            let answer = tokio::time::timeout(Duration::from_secs(5), d.handle(&conn, message, None))
                .await
                .expect("the dispatcher answers within 5 s");
            if let (Some(id), Some(reply)) = (id, answer) {
                // As a client reads it: the bytes a transport writes, parsed.
                let response: Value =
                    mcpgen_runtime::serde_json::from_slice(&reply.to_bytes()).expect("a reply is JSON text");
                assert_eq!(response["id"], id, "responses carry their request's id");
                assert!(response.get("result").is_some() != response.get("error").is_some());
            }
        }
    });
}
