//! Your code: what the server's tools, prompts and resources do. mcpgen created this file once
//! and never overwrites it.
//!
//! Every entry of the manifest is a method of `Handlers` (src/generated/mod.rs) with a default
//! that answers "not implemented". Write the ones you serve in `impl Handlers for App`; their
//! argument and result types are in `crate::generated::types`. When a tool is added to the
//! manifest and the crate regenerated, this file still compiles and the new tool answers
//! "not implemented" until you write its method.
//!
//! For example:
//!
//! ```ignore
//! use crate::generated::types::*;
//! use mcpgen_runtime::{RequestContext, ToolError, ToolResult};
//!
//! impl Handlers for App {
//!     async fn search_notes(&self, args: SearchNotesArgs, _ctx: RequestContext) -> Result<SearchNotesOutput, ToolError> {
//!         // ...
//!     }
//! }
//! ```

use crate::generated::Handlers;
use mcpgen_runtime::Server;
/// Your server's state (clients, connections, configuration), built once at start-up.
pub struct App;
/// Builds the handlers when the server starts.
pub fn app() -> App {
    App
}
impl Handlers for App {}
/// Adds your own tools and routes to the server, e.g.
/// `server.custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }))`.
pub fn server(server: Server) -> Server {
    server
}
