//! The `Server` value users build, and the dispatcher that serves it.
//!
//! [`Server`] is a builder: name, version, instructions, tools, resources, prompts, custom
//! HTTP routes. [`Server::build`] checks everything once and yields a [`Dispatcher`] that every
//! transport shares behind an `Arc`. A [`ServerHandle`] changes the lists while it runs.

mod catalog;
mod completion;
mod connection;
mod context;
pub(crate) mod dispatch;
mod handle;
mod in_flight;
mod input;
mod logging;
mod pagination;
mod prompt;
mod registry;
mod reply;
mod resource;
mod result;
mod schema;
mod shaping;
mod state;
mod tasks;
mod tool;
mod tool_page;

pub use catalog::{
    DEFAULT_TOOL_BUDGET, Selection, ToolMode, dynamic_surface_len, model_facing_len, tokens, toolset_id,
};
pub use completion::{Completer, prefix_completer};
pub use connection::{Connection, Outbound};
pub use context::RequestContext;
pub use dispatch::Dispatcher;
pub use handle::ServerHandle;
pub use input::InputRequired;
pub use logging::LogLevel;
pub use prompt::{Prompt, PromptMessage, PromptResult};
pub(crate) use reply::write_value;
pub use reply::{Payload, Reply};
pub use resource::{Resource, ResourceContents, ResourceTemplate};
#[cfg(feature = "upstream")]
pub(crate) use result::Block;
pub use result::{Content, ToolError, ToolResult};
pub use shaping::{DEFAULT_MAX_RESULT_BYTES, JQ_ARGUMENT_DESCRIPTION, SHAPED_OUTPUT};
pub use tasks::{TaskLimits, TaskSupport};
pub use tool::{Tool, ToolHandler};
pub use tool_page::{PageParts, ToolPage};

use axum::routing::MethodRouter;
use state::State;
use std::sync::Arc;

/// Custom HTTP routes: path and axum method router.
pub type Routes = Vec<(String, MethodRouter)>;

/// Hints a 2026-07-28 client may use to cache list results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheHint {
    pub ttl_ms: u64,
    /// `true` for `"public"` (no user-specific data), `false` for `"private"`.
    pub public: bool,
}

/// Name, version and the other fields a server introduces itself with.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub page_size: Option<usize>,
    pub cache_hint: CacheHint,
    /// Key that signs input-required `requestState`; random per process unless set.
    pub state_key: Option<[u8; 32]>,
    /// How the tools are presented, and to whom.
    pub surface: catalog::Surface,
    /// Tool results past this many bytes of text are cut with a note (0: no limit).
    pub max_result_bytes: usize,
    /// Bounds on the tasks the server keeps.
    pub task_limits: TaskLimits,
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
    pub(crate) info: Info,
    pub(crate) state: Arc<State>,
    pub(crate) routes: Routes,
    /// Registration problems, reported together by [`Server::build`].
    errors: Vec<String>,
}

impl Server {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Server {
            info: Info {
                name: name.into(),
                version: version.into(),
                title: None,
                instructions: None,
                page_size: None,
                cache_hint: CacheHint::default(),
                state_key: None,
                surface: catalog::Surface::default(),
                max_result_bytes: shaping::DEFAULT_MAX_RESULT_BYTES,
                task_limits: TaskLimits::default(),
            },
            state: Arc::default(),
            routes: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// A display name for the server.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.info.title = Some(title.into());
        self
    }

    /// Guidance for the model on how to use this server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.info.instructions = Some(instructions.into());
        self
    }

    /// Adds a tool. Problems (duplicate name, bad schema) are reported by [`Server::build`].
    pub fn tool(mut self, tool: Tool) -> Self {
        if let Err(e) = self.state.add_tool(tool) {
            self.errors.push(e);
        }
        self
    }

    /// Adds a resource at a fixed URI.
    pub fn resource(mut self, resource: Resource) -> Self {
        if let Err(e) = self.state.add_resource(resource) {
            self.errors.push(e);
        }
        self
    }

    /// Adds a resource template.
    pub fn resource_template(mut self, template: ResourceTemplate) -> Self {
        if let Err(e) = self.state.add_template(template) {
            self.errors.push(e);
        }
        self
    }

    /// Adds a prompt.
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        if let Err(e) = self.state.add_prompt(prompt) {
            self.errors.push(e);
        }
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
        self.info.page_size = Some(n.max(1));
        self
    }

    /// Cache hints put on 2026-07-28 list results.
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.info.cache_hint = hint;
        self
    }

    /// The key that signs input-required `requestState`. Set the same key on every replica
    /// when a load balancer may send a follow-up call to another one; random otherwise.
    pub fn request_state_key(mut self, key: [u8; 32]) -> Self {
        self.info.state_key = Some(key);
        self
    }

    /// How the tools are presented: each one (`All`, the default), or search, describe and call
    /// tools in front of them (`Dynamic`), or whichever fits the token budget (`Auto`). The
    /// command line's `--tools` wins.
    pub fn tool_mode(mut self, mode: ToolMode) -> Self {
        self.info.surface.mode = mode;
        self
    }

    /// Tool results longer than `bytes` of text are cut at a clean boundary (whole array elements
    /// or object members of JSON, a character of text) with a note saying how large the answer was
    /// and how to ask for less; 0 turns the limit off. Default [`DEFAULT_MAX_RESULT_BYTES`]; the
    /// command line's `--max-result-bytes` wins.
    pub fn max_result_bytes(mut self, bytes: usize) -> Self {
        self.info.max_result_bytes = bytes;
        self
    }

    /// Bounds on the tasks the server keeps (tools with [`Tool::task_support`]); the defaults
    /// are [`TaskLimits::default`].
    pub fn task_limits(mut self, limits: TaskLimits) -> Self {
        self.info.task_limits = limits;
        self
    }

    /// `Auto`'s budget in estimated tokens (default [`DEFAULT_TOOL_BUDGET`]).
    pub fn tool_budget(mut self, tokens: usize) -> Self {
        self.info.surface.budget = Some(tokens);
        self
    }

    /// Serves only the tools `selection` admits, to every client (`--toolset`, `--read-only`).
    pub fn select_tools(mut self, selection: Selection) -> Self {
        self.info.surface.selection = selection;
        self
    }

    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// A handle for changing tools, resources and prompts while the server runs. Taking one
    /// makes the server announce `listChanged` in its capabilities.
    pub fn handle(&self) -> ServerHandle {
        self.state.dynamic.store(true, std::sync::atomic::Ordering::Relaxed);
        ServerHandle { state: self.state.clone() }
    }

    /// Checks every registration and freezes the server for serving. Returns the dispatcher
    /// and the custom routes (which only the HTTP transports use).
    pub fn build(self) -> Result<(Arc<Dispatcher>, Routes), BuildError> {
        if !self.errors.is_empty() {
            return Err(BuildError(self.errors.join("; ")));
        }
        let selection = &self.info.surface.selection;
        selection
            .check(&self.state.toolsets(), &Selection::default())
            .map_err(|e| BuildError(format!("--toolset: {e}")))?;
        Ok((Arc::new(Dispatcher::new(self.info, self.state)), self.routes))
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
