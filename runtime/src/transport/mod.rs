//! Transports own bytes and connections; MCP semantics live in [`crate::server`].

pub mod stdio;
