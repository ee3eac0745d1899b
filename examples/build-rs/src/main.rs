//! `build-rs`: an axum application with its own REST API (a todo list, `/todos`), which
//! build.rs turns into MCP tools from openapi.yaml. One listener serves both: the REST routes
//! and the MCP endpoint (`/mcp/`), whose tools call the REST routes on this same listener.
//!
//! `build-rs --port 9000` picks the port (`--host`, `--path`, `--transport sse`, `-l debug` work
//! as for any generated server); it listens on `127.0.0.1:8000` by default.

mod todos;

/// `API` and `TOOLS`, generated from openapi.yaml by build.rs.
mod tools {
    include!(concat!(env!("OUT_DIR"), "/mcpgen.rs"));
}

use mcpgen_runtime::axum::serve::ListenerExt;
use mcpgen_runtime::transport::shutdown_signal;
use mcpgen_runtime::upstream::Upstream;
use mcpgen_runtime::{CommandLine, RunOptions, Server};
use std::net::{Ipv4Addr, SocketAddr};
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
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await?;
    let addr = listener.local_addr()?;

    // The tools call this application's own REST API, on the port just bound.
    let upstream = Upstream::builder(&tools::API).base_url(format!("http://{}", reachable(addr))).build()?;
    let server = Server::new(tools::API.name, env!("CARGO_PKG_VERSION"));
    let mcp = upstream.register(server, tools::TOOLS).http_app(&options)?;
    let endpoint = mcp.endpoint();
    // The handle ends MCP streams at shutdown; without it the graceful shutdown would wait for them.
    let handle = mcp.handle();
    let app = todos::routes().merge(mcp.into_router());

    let shutdown = shutdown_signal();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    eprintln!("build-rs: REST API at http://{addr}/todos, MCP at http://{addr}{endpoint}");
    mcpgen_runtime::axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            handle.close();
        })
        .await?;
    Ok(())
}

/// Where this process can reach its own listener: loopback when bound to every interface.
fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() { SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port())) } else { addr }
}
