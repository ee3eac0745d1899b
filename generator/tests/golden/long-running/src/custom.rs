//! Your code. mcpgen created this file once and never overwrites it: add tools, hooks and
//! routes here, and they survive regeneration.
use mcpgen_runtime::Server;
use mcpgen_runtime::upstream::{Upstream, UpstreamBuilder};
use std::sync::Arc;
/// Configures calls to the API before the server starts.
///
/// For example `builder.on_request(|tool, request| request.headers.push(("X-Trace".into(), tool.name.into())))`
/// adds a header to every request, `.on_response(|tool, result| ...)` sees every result,
/// and `.base_url(...)` / `.timeout(...)` override the environment.
pub fn upstream(builder: UpstreamBuilder) -> UpstreamBuilder {
    builder
}
/// Adds your own tools and routes to the server, e.g.
/// `server.custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }))`,
/// or sets how it serves them, e.g. `server.max_result_bytes(50_000)` (the size past which a
/// tool's answer is cut; `--max-result-bytes` overrides it).
pub fn server(server: Server, _upstream: &Arc<Upstream>) -> Server {
    server
}
