//! `rmcp-add`: the benchmark's rmcp (official Rust SDK, pinned to 3.11.0) peer. The same tool as
//! `mcpgen-add`: `add(a, b)` answered with the sum as text, arguments validated by serde.
//!
//! ```text
//! rmcp-add [--transport stdio|http] [--port N] [--stateless] [--json-response]
//! ```
//! HTTP is rmcp's `StreamableHttpService` under axum at `/mcp`, the hosting its examples show;
//! `--stateless` sets `legacy_session_mode = false`, `--json-response` sets `json_response = true`.
//! The tokio runtime is `#[tokio::main]`'s default (one worker per core), like mcpgen's;
//! accepted sockets get TCP_NODELAY, like mcpgen's and bare-axum's.

use axum::serve::ListenerExt;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServiceExt, schemars, tool, tool_router};
use std::sync::Arc;

#[derive(Clone, Default)]
struct Add;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct AddArgs {
    a: i64,
    b: i64,
}

#[tool_router(server_handler)]
impl Add {
    #[tool(description = "Add two integers")]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        a.wrapping_add(b).to_string()
    }
}

fn usage() -> ! {
    eprintln!("usage: rmcp-add [--transport stdio|http] [--port N] [--stateless] [--json-response]");
    std::process::exit(2)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut transport, mut port, mut stateless, mut json_response) = ("stdio".to_string(), 8000u16, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--transport" | "-t" => transport = args.next().unwrap_or_else(|| usage()),
            "--port" | "-p" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--stateless" => stateless = true,
            "--json-response" => json_response = true,
            _ => usage(),
        }
    }
    match transport.as_str() {
        "stdio" => {
            Add.serve(rmcp::transport::stdio()).await?.waiting().await?;
        }
        "http" | "streamable-http" => {
            let config = StreamableHttpServerConfig::default()
                .with_legacy_session_mode(!stateless)
                .with_json_response(json_response);
            let service = StreamableHttpService::new(|| Ok(Add), Arc::new(LocalSessionManager::default()), config);
            let app = axum::Router::new().nest_service("/mcp", service);
            // TCP_NODELAY like mcpgen and bare-axum, so socket options are not what is compared.
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            eprintln!("rmcp-add listening on http://127.0.0.1:{port}/mcp");
            axum::serve(listener, app).await?;
        }
        _ => usage(),
    }
    Ok(())
}
