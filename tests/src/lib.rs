//! The end-to-end test harness.
//!
//! Test files live in `tests/tests/*.rs`, one concern each; this crate is what they share:
//!
//! - [`cargo`]: the workspace's binaries, built once into the one shared target dir.
//! - [`python`] and [`inspector`]: the real MCP clients (Python `mcp`, pinned in
//!   `tests/clients/requirements.txt`; the MCP Inspector CLI, pinned in `tests/inspector/`),
//!   installed by the tests themselves into [`workspace::tools_dir`] through [`install`].
//! - [`ts_sdk`]: the MCP TypeScript SDK (pinned in `tests/ts-sdk/`), the client with a tasks API,
//!   running the scripts beside its pins.
//! - [`endpoint`]: how a client reaches a server under test, per transport.
//! - [`stdio`]: raw JSON-RPC over a server's stdin and stdout; [`http`]: a plain GET for custom routes.
//! - [`process`] and [`ports`]: child processes with timeouts and kill-on-drop; free ports.
//! - [`mcpgen`]: the `mcpgen` command, for the tests of `mcpgen run`, `dev` and `install`.
//! - [`balancers`]: nginx and HAProxy (installed with apt-get) running `deploy/`'s configurations
//!   in front of server replicas a test stops, kills and restarts.
//!
//! Nothing here skips: a client that cannot be installed fails the tests that need it, loudly.

pub mod balancers;
pub mod cargo;
pub mod endpoint;
pub mod github;
pub mod http;
pub mod inspector;
pub mod install;
pub mod mcpgen;
pub mod npm;
pub mod oidc;
pub mod ports;
pub mod process;
pub mod python;
pub mod stdio;
pub mod ts_sdk;
pub mod workspace;

pub use endpoint::{Endpoint, RunningServer, ServerCommand, Transport};

/// How long a client run or a request may take before the test fails. Generous: CI machines
/// are slow and shared, and a hang should fail, not stall the suite.
pub const CLIENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
