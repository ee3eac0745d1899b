//! A generated server's own command line, with the flags of `fastmcp run`.
//!
//! Precedence: command-line flag, then `MCP_*` environment variable, then what the code chose.
//! Everything after `--` is left for the server's own code.

use super::options::{LogFormat, RunOptions, Transport};
use super::state_key::StateKey;
use crate::server::ToolMode;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser};

#[derive(Debug, Clone, Parser, PartialEq)]
#[command(
    about = "An MCP server. Serves STDIO by default; `--transport http` or `sse` serve HTTP.",
    after_help = "Arguments after `--` are passed to the server's own code.\n\
                  Environment variables MCP_TRANSPORT, MCP_HOST, MCP_PORT, MCP_PATH, MCP_LOG_LEVEL, MCP_STATELESS,\n\
                  MCP_JSON_RESPONSE, MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS, MCP_TOOLS, MCP_TOOL_BUDGET, MCP_TOOLSETS and\n\
                  MCP_READ_ONLY, MCP_LOG_FORMAT, MCP_HEALTH_PATH and MCP_READY_PATH set the same options; flags win.\n\
                  MCP_STATE_KEY holds the secret that signs requestState (the same on every replica)."
)]
struct Flags {
    /// Transport: stdio (default), http (alias streamable-http), or sse.
    #[arg(short = 't', long, env = "MCP_TRANSPORT", value_parser = clap::builder::ValueParser::new(parse_transport))]
    transport: Option<Transport>,
    /// Address to bind for HTTP transports [default: 127.0.0.1].
    #[arg(long, env = "MCP_HOST")]
    host: Option<String>,
    /// Port to bind for HTTP transports [default: 8000].
    #[arg(short = 'p', long, env = "MCP_PORT")]
    port: Option<u16>,
    /// Endpoint path [default: /mcp/ for http, /sse/ for sse].
    #[arg(long, env = "MCP_PATH")]
    path: Option<String>,
    /// Server log level on stderr: debug, info, warning, error, critical.
    #[arg(short = 'l', long, env = "MCP_LOG_LEVEL", value_parser = clap::builder::ValueParser::new(parse_log_level))]
    log_level: Option<String>,
    /// Server log format on stderr: text, or json (one object per line, for log pipelines).
    #[arg(long, env = "MCP_LOG_FORMAT", value_name = "FORMAT", value_parser = clap::builder::ValueParser::new(parse_log_format))]
    log_format: Option<LogFormat>,
    /// Serve Streamable HTTP without sessions (for replicas behind a load balancer).
    #[arg(long, env = "MCP_STATELESS", action = ArgAction::SetTrue)]
    stateless: bool,
    /// Answer every Streamable HTTP request with a single JSON body instead of an SSE stream.
    #[arg(long, env = "MCP_JSON_RESPONSE", action = ArgAction::SetTrue)]
    json_response: bool,
    /// Also accept this Host header (repeatable; loopback is always accepted).
    #[arg(long = "allowed-host", env = "MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// Also accept this Origin header (repeatable; loopback origins are always accepted).
    #[arg(long = "allowed-origin", env = "MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// How the tools are presented: all (one per operation), dynamic (search, describe and call
    /// tools in front of the catalogue), or auto (all when they fit --tool-budget).
    #[arg(long = "tools", env = "MCP_TOOLS", value_name = "MODE", value_parser = clap::builder::ValueParser::new(parse_tool_mode))]
    tools: Option<ToolMode>,
    /// The budget `--tools auto` fits the tools' definitions into, in estimated tokens [default: 25000].
    #[arg(long, env = "MCP_TOOL_BUDGET", value_name = "TOKENS")]
    tool_budget: Option<usize>,
    /// Serve only the tools of this toolset (repeatable; an OpenAPI operation's tags are its toolsets).
    #[arg(long = "toolset", env = "MCP_TOOLSETS", value_name = "NAME", value_delimiter = ',')]
    toolsets: Vec<String>,
    /// Serve only tools that do not change anything (annotated read-only: GET, HEAD, OPTIONS).
    #[arg(long, env = "MCP_READ_ONLY", action = ArgAction::SetTrue)]
    read_only: bool,
    /// Cut tool results past this many bytes of text, with a note saying how to ask for less; 0
    /// turns the limit off [default: 100000, about 25,000 tokens].
    #[arg(long, env = "MCP_MAX_RESULT_BYTES", value_name = "BYTES")]
    max_result_bytes: Option<usize>,
    /// The liveness check's path on HTTP transports; empty turns it off [default: /healthz].
    #[arg(long, env = "MCP_HEALTH_PATH", value_name = "PATH")]
    health_path: Option<String>,
    /// The readiness check's path (503 once shutdown has begun); empty turns it off [default: /readyz].
    #[arg(long, env = "MCP_READY_PATH", value_name = "PATH")]
    ready_path: Option<String>,
    /// On shutdown, keep the connections already open this many seconds before closing them,
    /// answering MCP requests on them 503 (and readiness 503), so that a load balancer takes the
    /// server out before a connection it may reuse closes under a request; set it above the
    /// balancer's health-check interval [default: 0].
    #[arg(long, env = "MCP_DRAIN_DELAY", value_name = "SECONDS", value_parser = clap::builder::ValueParser::new(parse_seconds))]
    drain_delay: Option<std::time::Duration>,
    /// Serve Prometheus metrics (requests, tool calls and API requests with their latency,
    /// sessions, streams) at /metrics on the HTTP transports.
    #[arg(long, env = "MCP_METRICS", action = ArgAction::SetTrue)]
    metrics: bool,
    /// Serve Prometheus metrics at this path instead (implies --metrics).
    #[arg(long, env = "MCP_METRICS_PATH", value_name = "PATH")]
    metrics_path: Option<String>,
    /// A file holding the secret every replica signs `requestState` with (or set MCP_STATE_KEY to
    /// the secret itself; at least 32 characters) [default: a random key per process].
    #[arg(long, env = "MCP_STATE_KEY_FILE", value_name = "PATH")]
    state_key_file: Option<std::path::PathBuf>,
    /// A file of bearer tokens (one per line) that requests to the MCP endpoint must carry on the
    /// HTTP transports (or set MCP_AUTH_TOKENS to them, comma-separated; never a flag).
    #[arg(long, env = "MCP_AUTH_TOKEN_FILE", value_name = "PATH")]
    auth_token_file: Option<std::path::PathBuf>,
    /// Serve HTTP on a non-loopback address without authentication (refused otherwise).
    #[arg(long, env = "MCP_NO_AUTH", action = ArgAction::SetTrue)]
    no_auth: bool,
    /// Each client brings its own API credential for a security scheme in a request header, used
    /// for its calls instead of the server's (repeatable; MCP_CLIENT_CREDENTIALS is
    /// comma-separated). Over HTTP the server's own credentials are then never used.
    #[arg(long = "client-credential", env = "MCP_CLIENT_CREDENTIALS", value_delimiter = ',', value_name = "SCHEME=HEADER", value_parser = parse_mapping)]
    client_credentials: Vec<(String, String)>,
    /// Log one line per tool call at info level: the caller (never a token), the tool, the
    /// outcome, the duration and the API's status.
    #[arg(long, env = "MCP_ACCESS_LOG", action = ArgAction::SetTrue)]
    access_log: bool,
    /// Requests per second each client may send on the HTTP transports (a burst of as many);
    /// past it, 429 with Retry-After. Clients are callers when they authenticate, else addresses.
    #[arg(long, env = "MCP_RATE_LIMIT", value_name = "PER_SECOND")]
    rate_limit: Option<std::num::NonZeroU32>,
    /// Requests each client may have in flight at once on the HTTP transports; past it, 429.
    #[arg(long, env = "MCP_MAX_CONCURRENT_PER_CLIENT", value_name = "N")]
    max_concurrent_per_client: Option<std::num::NonZeroUsize>,
    #[cfg(feature = "oauth")]
    #[command(flatten)]
    oauth: super::oauth_flags::OAuthFlags,
    /// Arguments for the server's own code.
    #[arg(last = true, value_name = "SERVER_ARGS")]
    server_args: Vec<String>,
}

fn parse_mapping(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((scheme, header)) if !scheme.trim().is_empty() && !header.trim().is_empty() => {
            Ok((scheme.trim().to_string(), header.trim().to_string()))
        }
        _ => Err(format!("`{s}`: expected SCHEME=HEADER, such as api_key=X-Api-Key")),
    }
}

/// Seconds as a duration: `2`, `0.5`; at most an hour.
fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(0.0..=3600.0).contains(&seconds) {
        return Err(format!("`{s}` is not between 0 and 3600 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    s.parse()
}

fn parse_tool_mode(s: &str) -> Result<ToolMode, String> {
    s.parse()
}

fn parse_transport(s: &str) -> Result<Transport, String> {
    s.parse()
}

/// The levels `--log-level` accepts, FastMCP's names plus `trace` and `warn`.
fn parse_log_level(s: &str) -> Result<String, String> {
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "trace" | "debug" | "info" | "warning" | "warn" | "error" | "critical" => Ok(lower),
        _ => Err(format!("unknown log level `{s}` (expected debug, info, warning, error or critical)")),
    }
}

/// A parsed command line: run options to lay over the code's, and the server's own arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandLine {
    flags: Flags,
    /// From `--state-key-file` or `MCP_STATE_KEY`.
    state_key: Option<StateKey>,
    /// From `--auth-token-file` or `MCP_AUTH_TOKENS`.
    auth_tokens: Option<crate::StaticTokens>,
    /// From `--oauth-issuer` and the flags beside it.
    #[cfg(feature = "oauth")]
    oauth: Option<crate::auth::oauth::OAuthConfig>,
}

impl CommandLine {
    /// Parses the process's arguments; prints help or a usage error and exits (code 2) when asked or wrong.
    pub fn parse() -> CommandLine {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        Self::try_parse_from(args).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the first is the program name).
    pub fn try_parse_from<I, T>(args: I) -> Result<CommandLine, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let name = args
            .first()
            .and_then(|a| std::path::Path::new(a).file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "server".into());
        let matches = Flags::command().name(name).try_get_matches_from(args)?;
        let flags = Flags::from_arg_matches(&matches)?;
        let secret = std::env::var("MCP_STATE_KEY").ok().filter(|s| !s.is_empty());
        let state_key = match (&flags.state_key_file, secret) {
            (Some(file), _) => Some(StateKey::from_file(file)),
            (None, Some(secret)) => Some(StateKey::from_secret(&secret).map_err(|e| format!("MCP_STATE_KEY: {e}"))),
            (None, None) => None,
        }
        .transpose()
        .map_err(|e| clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n")))?;
        let listed = std::env::var("MCP_AUTH_TOKENS").ok().filter(|s| !s.trim().is_empty());
        let auth_tokens = match (&flags.auth_token_file, listed) {
            (Some(file), _) => Some(crate::StaticTokens::from_file(file)),
            (None, Some(list)) => Some(crate::StaticTokens::new(list.split(','), "MCP_AUTH_TOKENS")),
            (None, None) => None,
        }
        .transpose()
        .map_err(|e| clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n")))?;
        #[cfg(feature = "oauth")]
        let oauth = flags
            .oauth
            .config()
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n")))?;
        Ok(CommandLine {
            flags,
            state_key,
            auth_tokens,
            #[cfg(feature = "oauth")]
            oauth,
        })
    }

    /// The arguments after `--`, for the server's own code.
    pub fn server_args(&self) -> &[String] {
        &self.flags.server_args
    }

    /// `code` with every option the command line or environment set laid over it.
    pub fn apply(&self, mut code: RunOptions) -> RunOptions {
        let f = &self.flags;
        if let Some(t) = f.transport {
            code.transport = t;
        }
        if let Some(h) = &f.host {
            code.host = h.clone();
        }
        if let Some(p) = f.port {
            code.port = p;
        }
        if let Some(p) = &f.path {
            code.path = Some(p.clone());
        }
        if let Some(l) = &f.log_level {
            code.log_level = Some(l.clone());
        }
        code.log_format = f.log_format.unwrap_or(code.log_format);
        code.stateless |= f.stateless;
        code.json_response |= f.json_response;
        code.allowed_hosts.extend(f.allowed_hosts.iter().cloned());
        code.allowed_origins.extend(f.allowed_origins.iter().cloned());
        code.tool_mode = f.tools.or(code.tool_mode);
        code.tool_budget = f.tool_budget.or(code.tool_budget);
        code.toolsets.extend(f.toolsets.iter().cloned());
        code.read_only |= f.read_only;
        code.max_result_bytes = f.max_result_bytes.or(code.max_result_bytes);
        code.state_key = self.state_key.clone().or(code.state_key);
        code.auth_tokens = self.auth_tokens.clone().or(code.auth_tokens);
        code.no_auth |= f.no_auth;
        code.client_credentials.extend(f.client_credentials.iter().cloned());
        code.access_log |= f.access_log;
        code.rate_limits.per_second = f.rate_limit.or(code.rate_limits.per_second);
        code.rate_limits.max_concurrent =
            f.max_concurrent_per_client.map(usize::from).or(code.rate_limits.max_concurrent);
        #[cfg(feature = "oauth")]
        {
            code.oauth = self.oauth.clone().or(code.oauth);
        }
        let path = |given: &Option<String>, code: Option<String>| match given {
            Some(p) if p.is_empty() => None,
            Some(p) => Some(p.clone()),
            None => code,
        };
        code.drain_delay = f.drain_delay.unwrap_or(code.drain_delay);
        code.health_path = path(&f.health_path, code.health_path);
        code.ready_path = path(&f.ready_path, code.ready_path);
        if let Some(p) = &f.metrics_path {
            code.metrics_path = Some(p.clone());
        } else if f.metrics && code.metrics_path.is_none() {
            code.metrics_path = Some(super::options::DEFAULT_METRICS_PATH.into());
        }
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CommandLine, clap::Error> {
        CommandLine::try_parse_from(std::iter::once("srv").chain(args.iter().copied()))
    }

    #[test]
    fn health_paths_are_options_and_an_empty_one_turns_a_check_off() {
        let o = parse(&["--health-path", "", "--ready-path", "/ready"]).unwrap().apply(RunOptions::http());
        assert_eq!((o.health_path, o.ready_path.as_deref()), (None, Some("/ready")));
        let o = parse(&[]).unwrap().apply(RunOptions::http());
        assert_eq!((o.health_path.as_deref(), o.ready_path.as_deref()), (Some("/healthz"), Some("/readyz")));
    }

    /// The state key comes from a file (or MCP_STATE_KEY, not tested here: the environment is
    /// shared by the tests running beside this one), never from a flag holding the secret.
    #[test]
    fn the_state_key_comes_from_a_file() {
        let dir = std::env::temp_dir().join(format!("mcpgen-args-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("key");
        std::fs::write(&file, "a secret of thirty-two characters or more\n").unwrap();
        let cl = parse(&["--state-key-file", file.to_str().unwrap()]).unwrap();
        let expected = StateKey::from_secret("a secret of thirty-two characters or more").unwrap();
        assert_eq!(cl.apply(RunOptions::default()).state_key, Some(expected));
        std::fs::write(&file, "short").unwrap();
        let e = parse(&["--state-key-file", file.to_str().unwrap()]).unwrap_err().to_string();
        assert!(e.contains("give at least 32"), "{e}");
        assert!(parse(&["--state-key", "x"]).is_err(), "no flag takes the secret itself");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn flags_override_the_code_and_keep_server_args() {
        let cli = parse(&["--transport", "sse", "--port", "9000", "-l", "DEBUG", "--", "--db", "x.sqlite"]).unwrap();
        let opts = cli.apply(RunOptions::http().port(1234).host("0.0.0.0"));
        assert_eq!(opts.transport, Transport::Sse);
        assert_eq!(opts.port, 9000);
        assert_eq!(opts.host, "0.0.0.0", "untouched options keep the code's choice");
        assert_eq!(opts.log_level.as_deref(), Some("debug"));
        assert_eq!(cli.server_args(), ["--db", "x.sqlite"]);
    }

    #[test]
    fn short_flags_and_aliases() {
        let opts = parse(&["-t", "streamable-http", "-p", "1"]).unwrap().apply(RunOptions::default());
        assert_eq!((opts.transport, opts.port), (Transport::Http, 1));
        let opts = parse(&["--stateless", "--json-response", "--allowed-host", "a.example,b.example"])
            .unwrap()
            .apply(RunOptions::default());
        assert!(opts.stateless && opts.json_response);
        assert_eq!(opts.allowed_hosts, ["a.example", "b.example"]);
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        for args in [&["--port", "70000"][..], &["--transport", "pigeon"], &["--bogus"], &["-l", "loud"]] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}: {err}");
        }
        let err = parse(&["--transport", "pigeon"]).unwrap_err().to_string();
        assert!(err.contains("unknown transport `pigeon`"), "{err}");
    }

    #[test]
    fn help_names_the_program_and_the_flags() {
        let err = parse(&["--help"]).unwrap_err();
        assert_eq!(err.exit_code(), 0);
        let help = err.to_string();
        for flag in ["--transport", "--port", "--path", "--log-level", "--stateless", "--allowed-origin", "srv"] {
            assert!(help.contains(flag), "help lacks {flag}: {help}");
        }
    }

    #[test]
    fn the_drain_delay_is_seconds_between_0_and_an_hour() {
        let delay = |args: &[&str]| parse(args).map(|c| c.apply(RunOptions::http()).drain_delay);
        assert_eq!(delay(&[]).unwrap(), std::time::Duration::ZERO);
        assert_eq!(delay(&["--drain-delay", "2"]).unwrap(), std::time::Duration::from_secs(2));
        assert_eq!(delay(&["--drain-delay", "0.5"]).unwrap(), std::time::Duration::from_millis(500));
        for bad in ["-1", "soon", "3601", "NaN"] {
            let e = delay(&["--drain-delay", bad]).unwrap_err().to_string();
            assert!(e.contains(bad), "{bad}: {e}");
        }
    }
}
