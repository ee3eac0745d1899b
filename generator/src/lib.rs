//! mcpgen: turns an OpenAPI document into a Rust MCP server crate.
//!
//! The pipeline, one module per stage: [`load`] (text -> bundled, normalized document),
//! [`ir`] (document -> operations, the single analysis), [`tools`] (operations -> MCP tool
//! definitions), [`emit`] (tools -> files of a crate). [`Settings`] drives all of it, the same
//! from the command line and from `build.rs`.

pub mod ir;
pub mod load;
pub mod tools;
