//! `mounted`: an axum application of its own (`/`, `/status`) that mounts an MCP server under
//! `/api`, so MCP clients connect to `http://127.0.0.1:8000/api/mcp`.
//!
//! `mounted --port 9000` picks the port (`--host`, `--path`, `--transport sse`, `-l debug` work
//! as for any generated server). The MCP app's `/health` route is mounted too: `/api/health`.

use mcpgen_runtime::axum::serve::ListenerExt;
use mcpgen_runtime::axum::{Router, routing::get};
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::transport::shutdown_signal;
use mcpgen_runtime::{CommandLine, RunOptions, Server, Tool, ToolResult};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let options = CommandLine::parse().apply(RunOptions::http());
    let hello =
        Tool::new("hello", json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}))
            .description("Say hello to someone")
            .read_only()
            .handler(|args, _ctx| async move {
                let name = args["name"].as_str().unwrap_or_default();
                Ok(ToolResult::text(format!("Hello, {name}!")))
            });
    let mcp = Server::new("mounted", env!("CARGO_PKG_VERSION"))
        .tool(hello)
        .custom_route("/health", get(|| async { "OK" }))
        .http_app(&options)?;
    let endpoint = mcp.endpoint();
    // The handle ends MCP streams at shutdown; without it axum's graceful shutdown would wait
    // for them forever.
    let handle = mcp.handle();

    let app = Router::new()
        .route("/", get(|| async { "the host application" }))
        .route("/status", get(|| async { "running" }))
        .nest("/api", mcp.into_router());

    // TCP_NODELAY: replies written in pieces would otherwise stall on delayed ACKs.
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await?;
    let addr = listener.local_addr()?;
    // Installed now, so a signal that arrives while starting is not lost.
    let shutdown = shutdown_signal();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    eprintln!("mounted: listening on http://{addr}, MCP at http://{addr}/api{endpoint}");
    mcpgen_runtime::axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            handle.close();
        })
        .await?;
    Ok(())
}
