//! `mcpgen-add`: the benchmark's mcpgen server. One trivial tool, `add(a, b)`, answered with the
//! sum as text — the same tool the rmcp and FastMCP peers serve (see `bench/README.md`).
//!
//! Flags are those of every generated server: `--transport stdio|http|sse --port N --stateless
//! --json-response`.

use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{Server, Tool, ToolResult};

fn main() -> std::process::ExitCode {
    let schema = json!({
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"]
    });
    let add = Tool::new("add", schema).description("Add two integers").read_only().handler(|args, _ctx| async move {
        let a = args["a"].as_i64().unwrap_or_default();
        let b = args["b"].as_i64().unwrap_or_default();
        Ok(ToolResult::text(a.wrapping_add(b).to_string()))
    });
    Server::new("mcpgen-add", env!("CARGO_PKG_VERSION")).tool(add).run_from_args()
}
