//! mcpgen-runtime: the thin runtime that mcpgen-generated MCP servers run on.
//!
//! Build a [`Server`], register [`Tool`]s, and call [`Server::run_from_args`] (what generated
//! servers do), [`Server::run`] or [`Server::run_async`]. See ARCHITECTURE.md for the code map.

pub mod protocol;
pub mod run;
pub mod server;
pub mod transport;

pub use protocol::{ErrorObject, Generation, RequestId};
pub use run::{CommandLine, RunError, RunOptions, Transport};
pub use transport::http::{HttpApp, HttpHandle};
pub use server::{
    BuildError, CacheHint, Connection, Content, Dispatcher, LogLevel, RequestContext, Server, Tool, ToolError,
    ToolResult,
};

/// Re-exported so generated code and examples need no direct dependency on them.
pub use {axum, serde_json};
