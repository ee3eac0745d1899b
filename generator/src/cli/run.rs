//! `mcpgen run <spec | crate dir> [transport flags] [-- server args]`: generate (into the cache),
//! build, and run a server, as `fastmcp run` does.

use super::in_process::InProcess;
use super::server_source::{self, Source, SourceArgs};
use super::{child, upstream_mock};
use crate::project::{self, Project};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen run",
    bin_name = "mcpgen run",
    version,
    about = "Run an MCP server: an API description served at once, in this process (with --compile, generated \
             into a cache and built with cargo), or a crate directory or tool-schema manifest, built with cargo. \
             Cargo's output goes to stderr; stdout is the server's.",
    after_help = "Examples:\n  mcpgen run openapi.yaml                         STDIO\n  mcpgen run openapi.yaml --mock -t http -p 9000  \
                  Streamable HTTP, API calls answered by `mcpgen mock`\n  mcpgen run ./my_server -- --base-url https://api.example.com\n  \
                  mcpgen run openapi.yaml --compile --release      the generated crate, built\n\n\
                  The cache is $MCPGEN_CACHE_DIR, else the platform's cache directory (~/.cache/mcpgen); generated crates \
                  build into its target/ (or $CARGO_TARGET_DIR).\n\n\
                  `fastmcp run` options in cargo terms: --python VERSION is --toolchain NAME (an installed rustup \
                  toolchain); --with PACKAGE and --with-requirements FILE are the crate's own [dependencies] (add them to \
                  its Cargo.toml; --features turns optional ones on); --project DIR is --project DIR (or --manifest-path)."
)]
struct RunArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    server: ServerFlags,
    /// Also serve `mcpgen mock` of the description on loopback and send the server's API calls there.
    #[arg(long)]
    mock: bool,
    /// The mock's port [default: a free one].
    #[arg(long, value_name = "PORT", requires = "mock", default_value_t = 0, hide_default_value = true)]
    mock_port: u16,
    /// Arguments for the server's own code (a generated server takes `--base-url URL`, `--timeout SECS`).
    #[arg(last = true, value_name = "SERVER_ARGS")]
    server_args: Vec<String>,
}

/// The flags every server takes (`runtime/src/run/args.rs`), passed through when given.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct ServerFlags {
    /// Transport: stdio (default), http (alias streamable-http), or sse.
    #[arg(short = 't', long, value_parser = ["stdio", "http", "streamable-http", "sse"])]
    transport: Option<String>,
    /// Address to bind for HTTP transports [default: 127.0.0.1].
    #[arg(long)]
    host: Option<String>,
    /// Port to bind for HTTP transports [default: 8000].
    #[arg(short = 'p', long)]
    port: Option<u16>,
    /// Endpoint path [default: /mcp/ for http, /sse/ for sse].
    #[arg(long)]
    path: Option<String>,
    /// Server log level on stderr: debug, info, warning, error, critical.
    #[arg(short = 'l', long)]
    log_level: Option<String>,
    /// Server log format on stderr: text, or json (one object per line).
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "json"])]
    log_format: Option<String>,
    /// Serve Streamable HTTP without sessions.
    #[arg(long)]
    stateless: bool,
    /// Answer every Streamable HTTP request with a single JSON body instead of an SSE stream.
    #[arg(long)]
    json_response: bool,
    /// Also accept this Host header (repeatable; loopback is always accepted).
    #[arg(long = "allowed-host", value_name = "HOST")]
    allowed_hosts: Vec<String>,
    /// Also accept this Origin header (repeatable; loopback origins are always accepted).
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    allowed_origins: Vec<String>,
    /// How the tools are presented: all, dynamic (search, describe and call tools in front of
    /// them) or auto (all while they fit --tool-budget) [default: auto for a description].
    #[arg(long, value_name = "MODE", value_parser = ["all", "dynamic", "auto"])]
    tools: Option<String>,
    /// The budget `--tools auto` fits the tools' definitions into, in estimated tokens [default: 25000].
    #[arg(long, value_name = "TOKENS")]
    tool_budget: Option<usize>,
    /// Serve only the tools of this toolset (repeatable; an operation's tags are its toolsets).
    #[arg(long = "toolset", value_name = "NAME")]
    toolsets: Vec<String>,
    /// Serve only tools that do not change anything.
    #[arg(long)]
    read_only: bool,
    /// Cut tool results past this many bytes of text, with a note saying how to ask for less; 0
    /// turns the limit off [default: 100000].
    #[arg(long, value_name = "BYTES")]
    max_result_bytes: Option<usize>,
    /// The liveness check's path on HTTP transports; empty turns it off [default: /healthz].
    #[arg(long, value_name = "PATH")]
    health_path: Option<String>,
    /// The readiness check's path; empty turns it off [default: /readyz].
    #[arg(long, value_name = "PATH")]
    ready_path: Option<String>,
    /// On shutdown, keep open connections this many seconds, answering MCP requests 503, so a
    /// load balancer takes the server out first [default: 0].
    #[arg(long, value_name = "SECONDS")]
    drain_delay: Option<String>,
    /// Serve Prometheus metrics at /metrics on the HTTP transports.
    #[arg(long)]
    metrics: bool,
    /// Serve Prometheus metrics at this path instead (implies --metrics).
    #[arg(long, value_name = "PATH")]
    metrics_path: Option<String>,
    /// A file of bearer tokens (one per line) HTTP clients must send (or set MCP_AUTH_TOKENS).
    #[arg(long, value_name = "PATH")]
    auth_token_file: Option<String>,
    /// Serve HTTP on a non-loopback address without authentication (refused otherwise).
    #[arg(long)]
    no_auth: bool,
    /// A file holding the secret that signs requestState, the same on every replica.
    #[arg(long, value_name = "PATH")]
    state_key_file: Option<String>,
    /// Accept OAuth access tokens from this authorization server (needs --oauth-resource).
    #[arg(long, value_name = "URL")]
    oauth_issuer: Option<String>,
    /// The server's public MCP URL, its OAuth resource identifier.
    #[arg(long, value_name = "URL")]
    oauth_resource: Option<String>,
    /// A scope every OAuth token must grant (repeatable).
    #[arg(long = "oauth-scope", value_name = "SCOPE")]
    oauth_scopes: Vec<String>,
    /// Each HTTP client brings its own API credential for a security scheme in a header
    /// (repeatable): `api_key=X-Api-Key`.
    #[arg(long = "client-credential", value_name = "SCHEME=HEADER")]
    client_credentials: Vec<String>,
    /// Requests per second each HTTP client may send (past it, 429).
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<u32>,
    /// Requests each HTTP client may have in flight at once (past it, 429).
    #[arg(long, value_name = "N")]
    max_concurrent_per_client: Option<usize>,
    /// One log line per tool call: caller, tool, outcome, duration, the API's status.
    #[arg(long)]
    access_log: bool,
}

impl ServerFlags {
    /// The flags as the server's command line.
    fn args(&self) -> Vec<String> {
        let mut out = Vec::new();
        let pairs = [
            ("--transport", self.transport.clone()),
            ("--host", self.host.clone()),
            ("--port", self.port.map(|p| p.to_string())),
            ("--path", self.path.clone()),
            ("--log-level", self.log_level.clone()),
            ("--log-format", self.log_format.clone()),
            ("--tools", self.tools.clone()),
            ("--tool-budget", self.tool_budget.map(|n| n.to_string())),
            ("--max-result-bytes", self.max_result_bytes.map(|n| n.to_string())),
            ("--health-path", self.health_path.clone()),
            ("--ready-path", self.ready_path.clone()),
            ("--drain-delay", self.drain_delay.clone()),
            ("--state-key-file", self.state_key_file.clone()),
            ("--metrics-path", self.metrics_path.clone()),
            ("--auth-token-file", self.auth_token_file.clone()),
            ("--oauth-issuer", self.oauth_issuer.clone()),
            ("--oauth-resource", self.oauth_resource.clone()),
            ("--rate-limit", self.rate_limit.map(|n| n.to_string())),
            ("--max-concurrent-per-client", self.max_concurrent_per_client.map(|n| n.to_string())),
        ];
        for (flag, value) in pairs {
            if let Some(v) = value {
                out.extend([flag.to_string(), v]);
            }
        }
        if self.stateless {
            out.push("--stateless".into());
        }
        if self.json_response {
            out.push("--json-response".into());
        }
        if self.read_only {
            out.push("--read-only".into());
        }
        if self.metrics {
            out.push("--metrics".into());
        }
        if self.no_auth {
            out.push("--no-auth".into());
        }
        if self.access_log {
            out.push("--access-log".into());
        }
        let repeated = [
            ("--allowed-host", &self.allowed_hosts),
            ("--allowed-origin", &self.allowed_origins),
            ("--toolset", &self.toolsets),
            ("--oauth-scope", &self.oauth_scopes),
            ("--client-credential", &self.client_credentials),
        ];
        for (flag, values) in repeated {
            for v in values {
                out.extend([flag.to_string(), v.clone()]);
            }
        }
        out
    }
}

/// A description `--mock` serves, and the overlays applied to it.
pub(super) type MockSpec = (PathBuf, Vec<PathBuf>);

/// The server's command line after its flags: `-- [--base-url MOCK] SERVER_ARGS`, or nothing.
pub(super) fn server_tail(mock_url: Option<&str>, server_args: &[String]) -> Vec<String> {
    let mut own: Vec<String> = Vec::new();
    if let Some(url) = mock_url {
        own.extend(["--base-url".to_string(), url.to_string()]);
    }
    own.extend(server_args.iter().cloned());
    if own.is_empty() { own } else { std::iter::once("--".to_string()).chain(own).collect() }
}

/// The description `--mock` serves, with the overlays applied to it: the one given (with
/// `--overlay`), or the one a generated crate's mcpgen.toml names (with its overlays). `None`
/// without `--mock`.
pub(super) fn mock_spec(mock: bool, source: &Source, overlays: &[PathBuf]) -> Result<Option<MockSpec>, String> {
    match source {
        _ if !mock => Ok(None),
        Source::Spec(spec) => Ok(Some((spec.clone(), overlays.to_vec()))),
        Source::Crate(manifest) => {
            let dir = manifest.parent().unwrap_or(Path::new("."));
            match Project::load(dir)? {
                Some(project) => Ok(Some((project.spec_path(dir)?, project.overlay_paths(dir)))),
                None => Err(format!(
                    "--mock serves an API description, and `{}` names none (it has no {}); give the description \
                     instead (mcpgen run SPEC --mock), or run `mcpgen mock SPEC` yourself and pass `-- --base-url URL`",
                    dir.display(),
                    project::FILE
                )),
            }
        }
    }
}

/// `mcpgen run ...`; `args` starts with the program name. Exits with the server's exit code.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match RunArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let source = a.source.source()?;
    let mock_spec = mock_spec(a.mock, &source, &a.source.shaping.overlays)?;
    if let Some(spec) = a.source.in_process(&source)? {
        let mock = match &mock_spec {
            Some((spec, overlays)) => Some(upstream_mock::start(spec, overlays, a.mock_port)?),
            None => None,
        };
        let mut command_line = a.server.args();
        command_line.extend(server_tail(mock.as_ref().map(|m| m.base_url.as_str()), &a.server_args));
        // A manifest's tools are code to write: it is served from its generated crate, below.
        if let Some(server) = InProcess::prepare(&a.source.settings(spec), &command_line)? {
            if let Some(mock) = &mock {
                eprintln!("mcpgen run: `{}` calls the API at {} (the mock)", server.name(), mock.base_url);
            }
            let code = server.run();
            drop(mock);
            return exit_with(code);
        }
    }
    let built = server_source::build(&a.source, &source)?;
    let mut cmd = Command::new(&built.binary);
    cmd.args(a.server.args());
    let code = match mock_spec {
        Some((spec, overlays)) => {
            let mock = upstream_mock::start(&spec, &overlays, a.mock_port)?;
            eprintln!("mcpgen run: `{}` calls the API at {} (the mock)", built.name, mock.base_url);
            cmd.args(server_tail(Some(&mock.base_url), &a.server_args));
            let code = child::run(cmd);
            drop(mock);
            code?
        }
        None => {
            cmd.args(server_tail(None, &a.server_args));
            child::exec(cmd)?
        }
    };
    exit_with(code)
}

/// Success, or the process ends with `code` (the server's).
fn exit_with(code: i32) -> Result<(), String> {
    match code {
        0 => Ok(()),
        code => std::process::exit(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_pass_through_only_when_given() {
        let a =
            RunArgs::try_parse_from(["run", "api.yaml", "-t", "streamable-http", "-p", "9000", "--stateless"]).unwrap();
        assert_eq!(a.server.args(), ["--transport", "streamable-http", "--port", "9000", "--stateless"]);
        let a = RunArgs::try_parse_from(["run", "api.yaml", "--host", "::1", "--path", "/x", "-l", "debug"]).unwrap();
        assert_eq!(a.server.args(), ["--host", "::1", "--path", "/x", "--log-level", "debug"]);
        assert!(RunArgs::try_parse_from(["run", "api.yaml"]).unwrap().server.args().is_empty());
        let a = RunArgs::try_parse_from([
            "run",
            "a.yaml",
            "--json-response",
            "--allowed-host",
            "h",
            "--allowed-origin",
            "o",
        ]);
        assert_eq!(a.unwrap().server.args(), ["--json-response", "--allowed-host", "h", "--allowed-origin", "o"]);
        let a = RunArgs::try_parse_from(["run", "a.yaml", "--tools", "dynamic", "--toolset", "repos", "--read-only"]);
        assert_eq!(a.unwrap().server.args(), ["--tools", "dynamic", "--read-only", "--toolset", "repos"]);
        let e = RunArgs::try_parse_from(["run", "api.yaml", "-t", "tcp"]).unwrap_err().to_string();
        assert!(e.contains("invalid value 'tcp'"), "{e}");
    }

    /// `ServerFlags` repeats the runtime's flags by hand: every flag it takes must reach the
    /// runtime as one the runtime knows, with a value it accepts. A sample value per flag; a flag
    /// added to `ServerFlags` without one fails here, so it is checked too.
    #[test]
    fn every_flag_passed_through_is_one_the_runtime_takes() {
        use clap::Args as _;
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::write(&tokens, "a-token-of-at-least-sixteen-bytes\n").unwrap();
        let tokens = tokens.to_str().unwrap();
        let samples: &[(&str, &[&str])] = &[
            ("transport", &["http"]),
            ("host", &["127.0.0.1"]),
            ("port", &["9000"]),
            ("path", &["/x"]),
            ("log-level", &["debug"]),
            ("log-format", &["json"]),
            ("stateless", &[]),
            ("json-response", &[]),
            ("allowed-host", &["h"]),
            ("allowed-origin", &["http://o"]),
            ("tools", &["dynamic"]),
            ("tool-budget", &["100"]),
            ("toolset", &["repos"]),
            ("read-only", &[]),
            ("max-result-bytes", &["1000"]),
            ("health-path", &["/h"]),
            ("ready-path", &["/r"]),
            ("drain-delay", &["2"]),
            ("metrics", &[]),
            ("metrics-path", &["/m"]),
            ("auth-token-file", &[tokens]),
            ("no-auth", &[]),
            ("state-key-file", &[tokens]),
            ("oauth-issuer", &["https://auth.example.com"]),
            ("oauth-resource", &["https://mcp.example.com/mcp"]),
            ("oauth-scope", &["mcp"]),
            ("client-credential", &["api_key=X-Api-Key"]),
            ("rate-limit", &["10"]),
            ("max-concurrent-per-client", &["4"]),
            ("access-log", &[]),
        ];
        let sample = |long: &str| {
            let (_, values) = samples
                .iter()
                .find(|(name, _)| *name == long)
                .unwrap_or_else(|| panic!("--{long}: add a sample value to this test"));
            std::iter::once(format!("--{long}")).chain(values.iter().map(|v| v.to_string()))
        };
        let ours = ServerFlags::augment_args(clap::Command::new("run"));
        for arg in ours.get_arguments().filter(|a| a.get_id() != "help") {
            let long = arg.get_long().expect("every server flag has a long name");
            let mut run_line = vec!["run".to_string(), "api.yaml".to_string()];
            run_line.extend(sample(long));
            // An OAuth flag needs the issuer and the resource beside it.
            for companion in ["oauth-issuer", "oauth-resource"] {
                if long.starts_with("oauth-") && long != companion {
                    run_line.extend(sample(companion));
                }
            }
            let passed =
                RunArgs::try_parse_from(&run_line).unwrap_or_else(|e| panic!("{run_line:?}: {e}")).server.args();
            assert!(passed.contains(&format!("--{long}")), "--{long} is not passed on: {passed:?}");
            let server_line = std::iter::once("server".to_string()).chain(passed.iter().cloned());
            if let Err(e) = mcpgen_runtime::CommandLine::try_parse_from(server_line) {
                panic!("the runtime refuses {passed:?}: {e}");
            }
        }
    }

    #[test]
    fn server_args_follow_the_mock_url() {
        assert!(server_tail(None, &[]).is_empty());
        assert_eq!(server_tail(None, &["--timeout".into(), "5".into()]), ["--", "--timeout", "5"]);
        assert_eq!(
            server_tail(Some("http://127.0.0.1:1/v1"), &["--timeout".into(), "5".into()]),
            ["--", "--base-url", "http://127.0.0.1:1/v1", "--timeout", "5"]
        );
        let a = RunArgs::try_parse_from(["run", "api.yaml", "--mock", "--", "--timeout", "5"]).unwrap();
        assert!(a.mock);
        assert_eq!(a.server_args, ["--timeout", "5"]);
    }

    #[test]
    fn the_input_or_a_project_is_required_and_not_both() {
        assert!(RunArgs::try_parse_from(["run"]).is_err());
        assert!(RunArgs::try_parse_from(["run", "--project", "x"]).is_ok());
        assert!(RunArgs::try_parse_from(["run", "--manifest-path", "x/Cargo.toml"]).is_ok());
        assert!(RunArgs::try_parse_from(["run", "a.yaml", "--project", "x"]).is_err());
        assert!(RunArgs::try_parse_from(["run", "a.yaml", "--mock-port", "1"]).is_err(), "--mock-port needs --mock");
    }
}
