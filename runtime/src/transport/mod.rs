//! Transports own bytes and connections; MCP semantics live in [`crate::server`].
//!
//! - [`stdio`]: newline-delimited JSON on stdin/stdout.
//! - [`http`]: Streamable HTTP, both protocol generations, and the [`http::HttpApp`] that also
//!   carries the deprecated SSE transport (`sse`) and the user's custom routes.

pub mod http;
mod shutdown;
mod sse;
pub mod stdio;
mod stdout;

pub use shutdown::shutdown_signal;
