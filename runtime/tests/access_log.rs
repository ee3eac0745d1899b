//! The access log (`--access-log`): one info line per tool call under the target
//! `mcpgen::access`, naming the caller by its log name (never the token), the tool, the outcome
//! and the duration. A binary of its own: the log is written through the process's global
//! subscriber, which no other test here may set.

mod common;

use common::*;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{RunOptions, Server, StaticTokens, Tool, ToolError, ToolResult, Transport};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "access-log-token-0123456789";

/// What the global subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_tool_call_has_a_line_naming_the_caller_and_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let fail = Tool::new("fail", json!({"type": "object"}))
        .handler(|_, _| async { Err::<ToolResult, _>(ToolError::new("no luck")) });
    let server = Server::new("logged", "1").tool(hello_tool()).tool(fail);
    let tokens = StaticTokens::new([TOKEN], "test").unwrap();
    let options = RunOptions {
        transport: Transport::Http,
        stateless: true,
        auth_tokens: Some(tokens),
        access_log: true,
        ..RunOptions::http()
    };
    let s = TestServer::start(server, options).await;
    let call = |name: &str, arguments| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}});
        post("/mcp", &body)
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .header("MCP-Protocol-Version", "2025-11-25")
    };
    assert_eq!(call("hello", json!({"name": "Ada"})).send(s.addr).await.status, 200);
    assert_eq!(call("fail", json!({})).send(s.addr).await.status, 200);
    s.stop().await.unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("mcpgen::access")).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("tool=\"hello\"") && lines[0].contains("outcome=\"ok\""), "{}", lines[0]);
    // The caller as the log knows a static token's holder: the first digits of its digest.
    assert!(lines[0].contains("caller=\"token ") && lines[0].contains("duration_ms="), "{}", lines[0]);
    assert!(lines[1].contains("tool=\"fail\"") && lines[1].contains("outcome=\"error\""), "{}", lines[1]);
    assert!(!text.contains(TOKEN) && !text.contains("Ada"), "no token, and no argument at info: {text}");
}
