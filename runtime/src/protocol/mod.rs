//! The MCP wire format: JSON-RPC 2.0 framing, error codes and protocol versions.
//!
//! Nothing here knows about tools or transports; it turns bytes into [`Message`]s and
//! back, and says which protocol generation a request belongs to.

pub mod json;
pub(crate) mod json_string;
pub mod jsonrpc;
pub mod version;

pub use jsonrpc::{ErrorObject, Message, RequestId, codes};
pub use version::{Generation, LEGACY_VERSIONS, MODERN_VERSIONS};
