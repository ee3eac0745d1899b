//! The `Server` value users build, and the dispatcher that serves it.
//!
//! [`Server`] is a builder: name, version, instructions, tools, custom HTTP routes.
//! [`Server::build`] checks everything once and yields a [`Dispatcher`], the immutable
//! form every transport shares behind an `Arc`.

mod connection;
mod context;
mod dispatch;
mod logging;
mod pagination;
mod result;
mod schema;
mod tool;

pub use connection::{Connection, Outbound};
pub use context::RequestContext;
pub use dispatch::Dispatcher;
pub use logging::LogLevel;
pub use result::{Content, ToolError, ToolResult};
pub use tool::{Tool, ToolHandler};

use axum::routing::MethodRouter;

/// Hints a 2026-07-28 client may use to cache list results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheHint {
    pub ttl_ms: u64,
    /// `true` for `"public"` (no user-specific data), `false` for `"private"`.
    pub public: bool,
}

/// An MCP server under construction.
///
/// ```no_run
/// use mcpgen_runtime::{Server, Tool, ToolResult};
/// use serde_json::json;
///
/// fn main() -> std::process::ExitCode {
///     Server::new("demo", "1.0.0")
///         .tool(Tool::new("ping_me", json!({"type": "object"})).handler(|_, _| async { Ok(ToolResult::text("pong")) }))
///         .run_from_args()
/// }
/// ```
pub struct Server {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) title: Option<String>,
    pub(crate) instructions: Option<String>,
    pub(crate) tools: Vec<Tool>,
    pub(crate) routes: Vec<(String, MethodRouter)>,
    pub(crate) page_size: Option<usize>,
    pub(crate) cache_hint: CacheHint,
}

impl Server {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Server {
            name: name.into(),
            version: version.into(),
            title: None,
            instructions: None,
            tools: Vec::new(),
            routes: Vec::new(),
            page_size: None,
            cache_hint: CacheHint::default(),
        }
    }

    /// A display name for the server.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Guidance for the model on how to use this server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Adds a tool. Names must be unique; [`Server::build`] says which one is not.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Serves an axum route beside the MCP endpoint on every HTTP transport, e.g.
    /// `.custom_route("/health", axum::routing::get(|| async { "OK" }))`.
    pub fn custom_route(mut self, path: impl Into<String>, route: MethodRouter) -> Self {
        self.routes.push((path.into(), route));
        self
    }

    /// Paginates `*/list` results in pages of `n` (default: one page with everything).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
        self
    }

    /// Cache hints put on 2026-07-28 list results.
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.cache_hint = hint;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks every registration and freezes the server for serving. Returns the dispatcher
    /// and the custom routes (which only the HTTP transports use).
    #[allow(clippy::type_complexity)]
    pub fn build(self) -> Result<(std::sync::Arc<Dispatcher>, Vec<(String, MethodRouter)>), BuildError> {
        let routes = self.routes;
        let server = Server { routes: Vec::new(), ..self };
        let dispatcher = Dispatcher::new(server).map_err(BuildError)?;
        Ok((std::sync::Arc::new(dispatcher), routes))
    }
}

/// A registration that cannot be served (duplicate tool name, invalid schema, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid server definition: {}", self.0)
    }
}

impl std::error::Error for BuildError {}
