//! mcpgen: generates Rust MCP servers from API descriptions.
//!
//! The generator arrives with its own issue; this crate holds its place in the workspace.
