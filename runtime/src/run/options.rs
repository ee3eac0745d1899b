//! How a server runs: transport, address, paths, limits. Defaults follow FastMCP's
//! "Running the Server".

use super::state_key::StateKey;
use crate::server::ToolMode;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The transport a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// Newline-delimited JSON on stdin/stdout (the default).
    #[default]
    Stdio,
    /// Streamable HTTP (also accepted as `streamable-http`).
    Http,
    /// The deprecated HTTP+SSE transport.
    Sse,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Transport {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "stdio" => Ok(Transport::Stdio),
            "http" | "streamable-http" | "streamable_http" => Ok(Transport::Http),
            "sse" => Ok(Transport::Sse),
            _ => Err(format!("unknown transport `{s}` (expected stdio, http, streamable-http or sse)")),
        }
    }
}

/// How the server's own logs are written on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object per line, for log pipelines.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("unknown log format `{s}` (expected text or json)")),
        }
    }
}

pub const DEFAULT_HOST: &str = "127.0.0.1";
pub const DEFAULT_PORT: u16 = 8000;
pub const DEFAULT_HTTP_PATH: &str = "/mcp/";
pub const DEFAULT_SSE_PATH: &str = "/sse/";
pub const DEFAULT_MESSAGE_PATH: &str = "/messages/";
pub const DEFAULT_HEALTH_PATH: &str = "/healthz";
/// Where `--metrics` serves Prometheus text.
pub const DEFAULT_METRICS_PATH: &str = "/metrics";
pub const DEFAULT_READY_PATH: &str = "/readyz";

/// Everything `run()` / `run_async()` accept. Start from [`RunOptions::default`] (STDIO) or
/// [`RunOptions::http`] / [`RunOptions::sse`] and adjust:
///
/// ```
/// use mcpgen_runtime::{RunOptions, Transport};
/// let opts = RunOptions::http().port(9000).path("/api/mcp");
/// assert_eq!(opts.transport, Transport::Http);
/// assert_eq!(opts.http_path(), "/api/mcp");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub transport: Transport,
    pub host: String,
    pub port: u16,
    /// The MCP endpoint (`http`) or SSE stream path (`sse`); `None` for the transport's default.
    pub path: Option<String>,
    /// Where SSE clients POST their messages; `None` for `/messages/`.
    pub message_path: Option<String>,
    /// Log level for the server's own logs on stderr (`debug`, `info`, `warning`, `error`, ...).
    pub log_level: Option<String>,
    /// Text or JSON lines on stderr.
    pub log_format: LogFormat,
    /// Streamable HTTP without sessions: every POST is self-contained.
    pub stateless: bool,
    /// Always answer Streamable HTTP POSTs with one JSON body, never an SSE stream.
    pub json_response: bool,
    /// Host header values accepted beyond the loopback names.
    pub allowed_hosts: Vec<String>,
    /// Origin header values accepted beyond loopback origins.
    pub allowed_origins: Vec<String>,
    /// Largest accepted message (HTTP body or STDIO line), in bytes.
    pub max_body_bytes: usize,
    /// A legacy HTTP session unused this long ends.
    pub session_idle_timeout: Duration,
    /// Most legacy HTTP sessions alive at once; the oldest idle one ends to make room.
    pub max_sessions: usize,
    /// How long in-flight requests may run after a shutdown signal.
    pub shutdown_grace: Duration,
    /// On the HTTP transports, how long connections already open stay open once shutdown has
    /// begun (`--drain-delay`), answering new MCP requests 503 with `Connection: close`, before
    /// the in-flight requests' grace period. A load balancer that checks readiness then stops
    /// sending before a connection it keeps closes; 0 closes idle connections at once.
    pub drain_delay: Duration,
    /// How often an otherwise silent SSE stream gets a keep-alive comment.
    pub keep_alive: Duration,
    /// How long an HTTP client may take to send a request's headers (and, separately, its
    /// body). A slower client is cut off: its connection closed, or its body answered 408. So
    /// clients that trickle bytes (slow-loris) or sit on idle connections cannot pin the server's
    /// resources. How long the server takes to answer, or streams, is not limited. When you
    /// mount [`HttpApp::into_router`](crate::HttpApp::into_router) in your own server, the header
    /// part is that server's to set.
    pub read_timeout: Duration,
    /// How the tools are presented (`--tools`); `None`: what the server's code chose.
    pub tool_mode: Option<ToolMode>,
    /// `auto`'s budget in estimated tokens (`--tool-budget`); `None`: the code's, or the default.
    pub tool_budget: Option<usize>,
    /// Serve only these toolsets (`--toolset`, repeatable); empty: all of them.
    pub toolsets: Vec<String>,
    /// Serve only read-only tools (`--read-only`).
    pub read_only: bool,
    /// Tool results past this many bytes of text are cut with a note (`--max-result-bytes`; 0:
    /// no limit); `None`: the code's, or [`DEFAULT_MAX_RESULT_BYTES`](crate::server::DEFAULT_MAX_RESULT_BYTES).
    pub max_result_bytes: Option<usize>,
    /// The key that signs `requestState`; the same on every replica (`MCP_STATE_KEY`,
    /// `--state-key-file`). `None`: the code's, else a random key per process.
    pub state_key: Option<StateKey>,
    /// The bearer tokens every request to an MCP path must carry on the HTTP transports
    /// (`MCP_AUTH_TOKENS`, `--auth-token-file`); `None`: none asked for.
    pub auth_tokens: Option<crate::StaticTokens>,
    /// Serve HTTP beyond loopback without authentication (`--no-auth`): refused otherwise.
    pub no_auth: bool,
    /// Clients bring their own API credentials on the HTTP transports: `(security scheme, request
    /// header)` pairs (`--client-credential api_key=X-Api-Key`). Calls over HTTP then carry the
    /// client's credentials only, never the server's own.
    pub client_credentials: Vec<(String, String)>,
    /// One info line per tool call (`--access-log`): caller, tool, outcome, duration, the API's status.
    pub access_log: bool,
    /// Per-client limits on the HTTP transports (`--rate-limit`, `--max-concurrent-per-client`).
    pub rate_limits: crate::RateLimits,
    /// OAuth access tokens, checked as a resource server (`--oauth-issuer`, `--oauth-resource`).
    #[cfg(feature = "oauth")]
    pub oauth: Option<crate::auth::oauth::OAuthConfig>,
    /// Liveness (`/healthz`: 200 while the process serves) and readiness (`/readyz`: 200, or 503
    /// once shutdown has begun) on the HTTP transports; `None` turns one off.
    pub health_path: Option<String>,
    pub ready_path: Option<String>,
    /// Prometheus metrics on this path of the HTTP transports (`--metrics`, `--metrics-path`);
    /// `None`: none recorded.
    pub metrics_path: Option<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            transport: Transport::Stdio,
            host: DEFAULT_HOST.into(),
            port: DEFAULT_PORT,
            path: None,
            message_path: None,
            log_level: None,
            log_format: LogFormat::Text,
            stateless: false,
            json_response: false,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_body_bytes: 4 * 1024 * 1024,
            session_idle_timeout: Duration::from_secs(30 * 60),
            max_sessions: 10_000,
            shutdown_grace: Duration::from_secs(5),
            drain_delay: Duration::ZERO,
            keep_alive: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            tool_mode: None,
            tool_budget: None,
            toolsets: Vec::new(),
            read_only: false,
            max_result_bytes: None,
            state_key: None,
            auth_tokens: None,
            no_auth: false,
            client_credentials: Vec::new(),
            access_log: false,
            rate_limits: crate::RateLimits::default(),
            #[cfg(feature = "oauth")]
            oauth: None,
            health_path: Some(DEFAULT_HEALTH_PATH.into()),
            ready_path: Some(DEFAULT_READY_PATH.into()),
            metrics_path: None,
        }
    }
}

impl RunOptions {
    pub fn stdio() -> Self {
        Self::default()
    }

    pub fn http() -> Self {
        RunOptions { transport: Transport::Http, ..Self::default() }
    }

    pub fn sse() -> Self {
        RunOptions { transport: Transport::Sse, ..Self::default() }
    }

    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn log_level(mut self, level: impl Into<String>) -> Self {
        self.log_level = Some(level.into());
        self
    }

    pub fn stateless(mut self, stateless: bool) -> Self {
        self.stateless = stateless;
        self
    }

    pub fn json_response(mut self, json_response: bool) -> Self {
        self.json_response = json_response;
        self
    }

    /// The Streamable HTTP endpoint path.
    pub fn http_path(&self) -> &str {
        self.path.as_deref().unwrap_or(DEFAULT_HTTP_PATH)
    }

    /// The SSE stream path.
    pub fn sse_path(&self) -> &str {
        self.path.as_deref().unwrap_or(DEFAULT_SSE_PATH)
    }

    /// The SSE message path.
    pub fn sse_message_path(&self) -> &str {
        self.message_path.as_deref().unwrap_or(DEFAULT_MESSAGE_PATH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_parse_with_the_streamable_http_alias() {
        assert_eq!("stdio".parse(), Ok(Transport::Stdio));
        assert_eq!("http".parse(), Ok(Transport::Http));
        assert_eq!("streamable-http".parse(), Ok(Transport::Http));
        assert_eq!("SSE".parse(), Ok(Transport::Sse));
        assert!("carrier-pigeon".parse::<Transport>().unwrap_err().contains("unknown transport"));
    }

    #[test]
    fn defaults_match_fastmcp() {
        let o = RunOptions::default();
        assert_eq!((o.transport, o.host.as_str(), o.port), (Transport::Stdio, "127.0.0.1", 8000));
        assert_eq!(o.http_path(), "/mcp/");
        assert_eq!(o.sse_path(), "/sse/");
        assert_eq!(o.sse_message_path(), "/messages/");
    }
}
