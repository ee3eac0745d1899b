//! `hello`: serves STDIO by default; `hello --transport http --port 9000` serves HTTP.

use mcpgen_runtime::axum::routing::get;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{Server, Tool, ToolResult};

fn main() -> std::process::ExitCode {
    let hello =
        Tool::new("hello", json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}))
            .description("Say hello to someone")
            .read_only()
            .handler(|args, _ctx| async move {
                let name = args["name"].as_str().unwrap_or_default();
                Ok(ToolResult::text(format!("Hello, {name}!")))
            });

    Server::new("hello", env!("CARGO_PKG_VERSION"))
        .tool(hello)
        .custom_route("/health", get(|| async { "OK" }))
        .run_from_args()
}
