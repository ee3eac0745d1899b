//! mcpgen-runtime: the thin runtime that mcpgen-generated MCP servers run on.
//!
//! Build a [`Server`], register [`Tool`]s, and call [`Server::run_from_args`] (what generated
//! servers do), [`Server::run`] or [`Server::run_async`]. See ARCHITECTURE.md for the code map.

pub mod auth;
mod metrics;
pub mod protocol;
pub mod run;
pub mod server;
pub mod transport;
#[cfg(feature = "upstream")]
pub mod upstream;

pub use auth::Identity;
pub use protocol::{ErrorObject, Generation, RequestId};
pub use run::{CommandLine, LogFormat, RunError, RunOptions, Transport};
pub use server::{
    BuildError, CacheHint, Completer, Connection, Content, Dispatcher, InputRequired, LogLevel, Prompt, PromptMessage,
    PromptResult, RequestContext, Resource, ResourceContents, ResourceTemplate, Selection, Server, ServerHandle,
    TaskLimits, TaskSupport, Tool, ToolError, ToolMode, ToolResult, prefix_completer,
};
pub use transport::http::{HttpApp, HttpHandle, RateLimits, StaticTokens};

/// Re-exported so generated code and examples need no direct dependency on them.
pub use {axum, serde_json};

/// Async utilities handlers commonly need, so examples need no direct tokio dependency.
pub mod rt {
    pub use tokio::time::sleep;
}
