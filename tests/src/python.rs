//! The Python MCP client (`mcp`, pinned with every dependency in `tests/clients/requirements.txt`)
//! in a virtual environment the tests create, and `tests/clients/mcp_client.py`, which drives a
//! server with it and reports what happened as JSON.

use crate::endpoint::Endpoint;
use crate::process;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// How the client connects, as the `mode` of `mcp.Client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The default: probe `server/discover` and speak 2026-07-28 when the server does, else fall back.
    Auto,
    /// The `initialize` handshake of the 2024-11-05 ... 2025-11-25 generation.
    Legacy,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Legacy => "legacy",
        }
    }
}

/// The interpreter of the tests' virtual environment, creating it on first use.
/// Panics, saying what to do, when Python or the packages cannot be installed.
pub fn venv_python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(install) {
        Ok(path) => path,
        Err(e) => panic!(
            "the Python MCP client is required by this test and could not be installed:\n{e}\n\
             Needs Python >= 3.10 with the venv module (python3 -m venv) and access to PyPI; \
             set MCPGEN_PYTHON to choose the interpreter."
        ),
    }
}

fn install() -> Result<PathBuf, String> {
    let requirements = crate::workspace::tests_crate().join("clients/requirements.txt");
    let pinned =
        std::fs::read_to_string(&requirements).map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let base = std::env::var("MCPGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let version = process::run(
        Command::new(&base).args(["-c", "import sys; print(sys.version_info >= (3, 10), sys.version)"]),
        Duration::from_secs(60),
    )?;
    if !version.status.success() || !version.stdout.starts_with("True") {
        return Err(format!("`{base}` is not a usable Python >= 3.10:\n{}", version.describe()));
    }
    let stamp = format!("{base} {}\n{pinned}", version.stdout.trim());
    let dir = crate::install::ensure("python", &stamp, |dir| {
        let venv_python = dir.join("bin/python");
        let pip_args = ["install", "--disable-pip-version-check", "--no-input", "--quiet", "-r"];
        let venv = process::run(Command::new(&base).arg("-m").arg("venv").arg(dir), INSTALL_TIMEOUT)?;
        let pip = if venv.status.success() {
            process::run(
                Command::new(&venv_python).args(["-m", "pip"]).args(pip_args).arg(&requirements),
                INSTALL_TIMEOUT,
            )?
        } else {
            // No `ensurepip` (Debian without python3-venv): a venv without pip, filled by the
            // base interpreter's pip (`pip --python`, pip >= 22.3).
            let bare = process::run(
                Command::new(&base).args(["-m", "venv", "--clear", "--without-pip"]).arg(dir),
                INSTALL_TIMEOUT,
            )?;
            if !bare.status.success() {
                return Err(format!(
                    "creating the virtual environment failed:\n{}\n{}",
                    venv.describe(),
                    bare.describe()
                ));
            }
            process::run(
                Command::new(&base).args(["-m", "pip", "--python"]).arg(&venv_python).args(pip_args).arg(&requirements),
                INSTALL_TIMEOUT,
            )?
        };
        if !pip.status.success() {
            return Err(format!("pip could not install {}:\n{}", requirements.display(), pip.describe()));
        }
        Ok(())
    })?;
    Ok(dir.join("bin/python"))
}

/// A `tools/list` step for [`run_client`].
pub fn list_tools() -> Value {
    json!({"op": "list_tools"})
}

/// A `tools/call` step for [`run_client`].
pub fn call_tool(name: &str, arguments: Value) -> Value {
    json!({"op": "call_tool", "name": name, "arguments": arguments})
}

/// What `mcp_client.py` reports about one connection.
#[derive(Debug, Clone)]
pub struct Session {
    /// The protocol version the client negotiated.
    pub protocol_version: String,
    /// `serverInfo` as the client saw it.
    pub server_info: Value,
    /// The server's capabilities as the client saw them.
    pub capabilities: Value,
    /// One entry per step: `{"result": ...}` or `{"error": {"code", "message", "data"}}`.
    pub results: Vec<Value>,
    /// The client's whole report and stderr, for assertion messages.
    pub transcript: String,
}

impl Session {
    /// The result of step `i`; panics if the step failed with a JSON-RPC error.
    pub fn result(&self, i: usize) -> &Value {
        let entry = &self.results[i];
        entry.get("result").unwrap_or_else(|| panic!("step {i} failed: {entry}\n{}", self.transcript))
    }

    /// The JSON-RPC error of step `i`; panics if the step succeeded.
    pub fn error(&self, i: usize) -> &Value {
        let entry = &self.results[i];
        entry.get("error").unwrap_or_else(|| panic!("step {i} did not fail: {entry}\n{}", self.transcript))
    }
}

/// Connects the Python client to `endpoint` in `mode`, runs `steps` in order on one connection
/// and disconnects. Panics with the client's output when it cannot connect or crashes.
pub fn run_client(endpoint: &Endpoint, mode: Mode, steps: &[Value]) -> Session {
    run_client_with_headers(endpoint, mode, steps, &[])
}

/// [`run_client`] sending `headers` (`Authorization: Bearer ...`) with every HTTP request.
pub fn run_client_with_headers(endpoint: &Endpoint, mode: Mode, steps: &[Value], headers: &[&str]) -> Session {
    let python = venv_python();
    let script = crate::workspace::tests_crate().join("clients/mcp_client.py");
    let mut cmd = Command::new(python);
    crate::endpoint::without_mcp_env(&mut cmd);
    cmd.arg(&script).args(["--mode", mode.as_str(), "--steps", &Value::from(steps.to_vec()).to_string()]);
    match endpoint {
        Endpoint::Stdio(server) => {
            for (k, v) in &server.env {
                cmd.arg("--env").arg(format!("{k}={v}"));
            }
            cmd.arg("--").arg(&server.program).args(&server.args);
        }
        Endpoint::Url { transport, url } => {
            cmd.args(["--transport", transport.as_str(), "--url", url]);
            for header in headers {
                cmd.arg("--header").arg(header);
            }
        }
    }
    let out = process::run(&mut cmd, crate::CLIENT_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    let transcript = out.describe();
    assert!(out.status.success(), "the Python client failed: {transcript}");
    let report: Value = serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("the Python client printed no JSON report ({e}): {transcript}"));
    Session {
        protocol_version: report["protocolVersion"].as_str().unwrap_or_default().to_string(),
        server_info: report["serverInfo"].clone(),
        capabilities: report["capabilities"].clone(),
        results: report["results"].as_array().cloned().unwrap_or_default(),
        transcript,
    }
}
