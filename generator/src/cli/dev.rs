//! `mcpgen dev <spec | crate dir>`: the server under the MCP Inspector (its web UI), started with
//! npx as `fastmcp dev` does; the Inspector launches the server over STDIO.

use super::run::{mock_spec, server_tail};
use super::server_source::{self, Launch, SourceArgs};
use super::{child, env_pair, node, upstream_mock};
use clap::Parser;
use std::ffi::OsString;
use std::process::Command;

/// The Inspector release mcpgen is tested with (`tests/inspector/package.json` pins the same).
pub(super) const INSPECTOR_VERSION: &str = "2.12.0";

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen dev",
    bin_name = "mcpgen dev",
    version,
    about = "Build a server (as `mcpgen run` does) and open it in the MCP Inspector \
             (`npx @modelcontextprotocol/inspector`, needs Node.js 22.19+), which starts it over STDIO.",
    after_help = "Examples:\n  mcpgen dev openapi.yaml --mock\n  mcpgen dev ./my_server -e MY_SERVER_API_KEY=... \n  \
                  mcpgen dev openapi.yaml --print-command    the Inspector's command line, without starting it\n\n\
                  The Inspector's own variables apply (CLIENT_PORT, MCP_AUTO_OPEN_ENABLED, ...)."
)]
struct DevArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Also serve `mcpgen mock` of the description on loopback and send the server's API calls there.
    #[arg(long, conflicts_with = "print_command")]
    mock: bool,
    /// The mock's port [default: a free one].
    #[arg(long, value_name = "PORT", requires = "mock", default_value_t = 0, hide_default_value = true)]
    mock_port: u16,
    /// An environment variable for the server, KEY=VALUE (repeatable).
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE", value_parser = env_pair)]
    env: Vec<(String, String)>,
    /// The `@modelcontextprotocol/inspector` version to run.
    #[arg(long, value_name = "VERSION", default_value = INSPECTOR_VERSION)]
    inspector_version: String,
    /// Print the Inspector's command line instead of starting it.
    #[arg(long)]
    print_command: bool,
    /// Arguments for the server's own code.
    #[arg(last = true, value_name = "SERVER_ARGS")]
    server_args: Vec<String>,
}

/// `mcpgen dev ...`; `args` starts with the program name. Exits with the Inspector's exit code.
pub fn main(args: Vec<OsString>) -> Result<(), String> {
    let a = match DevArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let source = a.source.source()?;
    let mock_spec = mock_spec(a.mock, &source, &a.source.shaping.overlays)?;
    // Before building: a missing Node.js should not cost a build.
    let npx = node::npx()?;
    let launch = server_source::launch(&a.source, &source)?;
    let mock = match &mock_spec {
        Some((spec, overlays)) => Some(upstream_mock::start(spec, overlays, a.mock_port)?),
        None => None,
    };
    let inspector_args = inspector_args(&a, &launch, mock.as_ref().map(|m| m.base_url.as_str()));
    if a.print_command {
        let line: Vec<String> =
            std::iter::once(npx.to_string_lossy().into_owned()).chain(inspector_args.iter().cloned()).collect();
        println!("{}", line.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" "));
        return Ok(());
    }
    let mut cmd = Command::new(&npx);
    // The web UI reads no input; in a process group of its own, reading the terminal would stop it.
    cmd.args(&inspector_args).stdin(std::process::Stdio::null());
    let server = std::iter::once(launch.program.to_string_lossy().into_owned()).chain(launch.args).collect::<Vec<_>>();
    eprintln!("mcpgen dev: starting the MCP Inspector {} with `{}`", a.inspector_version, server.join(" "));
    let code = child::run_group(cmd);
    drop(mock);
    let code = code?;
    match code {
        0 => Ok(()),
        code => std::process::exit(code),
    }
}

/// `-y @modelcontextprotocol/inspector@V [-e K=V]... -- PROGRAM [ARGS] [-- [--base-url MOCK] SERVER_ARGS]`.
fn inspector_args(a: &DevArgs, launch: &Launch, mock_url: Option<&str>) -> Vec<String> {
    let mut out = vec!["-y".to_string(), format!("@modelcontextprotocol/inspector@{}", a.inspector_version)];
    for (k, v) in &a.env {
        out.extend(["-e".to_string(), format!("{k}={v}")]);
    }
    out.extend(["--".to_string(), launch.program.to_string_lossy().into_owned()]);
    out.extend(launch.args.iter().cloned());
    out.extend(server_tail(mock_url, &a.server_args));
    out
}

/// `arg` as a POSIX shell word.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
    if plain { arg.to_string() } else { format!("'{}'", arg.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_pinned_version_is_the_tested_one() {
        let pinned = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/inspector/package.json");
        let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(pinned).unwrap()).unwrap();
        assert_eq!(manifest["dependencies"]["@modelcontextprotocol/inspector"], INSPECTOR_VERSION);
    }

    #[test]
    fn the_inspector_starts_the_server_over_stdio() {
        let a = DevArgs::try_parse_from(["dev", "api.yaml", "-e", "K=v w", "--", "--timeout", "5"]).unwrap();
        let launch = Launch { program: "/c/bin/srv".into(), args: Vec::new(), name: "srv".into(), built: None };
        let args = inspector_args(&a, &launch, Some("http://127.0.0.1:9/v1"));
        assert_eq!(args[1], format!("@modelcontextprotocol/inspector@{INSPECTOR_VERSION}"));
        assert_eq!(
            args[2..],
            ["-e", "K=v w", "--", "/c/bin/srv", "--", "--base-url", "http://127.0.0.1:9/v1", "--timeout", "5"]
        );
        assert_eq!(shell_quote("K=v w"), "'K=v w'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("/c/bin/srv"), "/c/bin/srv");
        let launch = Launch {
            program: "/b/mcpgen".into(),
            args: vec!["run".into(), "/s/api.yaml".into()],
            name: "api".into(),
            built: None,
        };
        assert_eq!(
            inspector_args(&a, &launch, None)[4..],
            ["--", "/b/mcpgen", "run", "/s/api.yaml", "--", "--timeout", "5"],
            "a description served in-process"
        );
    }
}
