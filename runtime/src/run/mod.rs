//! `run()`, `run_async()` and the command-line entry point every generated server calls.

mod args;
#[cfg(feature = "oauth")]
mod oauth_flags;
mod options;
mod state_key;

pub use args::CommandLine;
pub use options::{
    DEFAULT_HEALTH_PATH, DEFAULT_HOST, DEFAULT_HTTP_PATH, DEFAULT_MESSAGE_PATH, DEFAULT_PORT, DEFAULT_READY_PATH,
    DEFAULT_SSE_PATH, LogFormat, RunOptions, Transport,
};
pub use state_key::StateKey;

use crate::server::{BuildError, Selection, Server};
use crate::transport::stdio::{StdioOptions, serve_stdio};
use std::process::ExitCode;

/// Why a server could not run.
#[derive(Debug)]
pub enum RunError {
    /// `run()` was called from inside an async runtime.
    InsideAsyncRuntime,
    /// The server's definition is invalid.
    Build(BuildError),
    /// The options cannot be served (a custom route collides with an MCP path, a path is
    /// malformed, ...). The message says what to change.
    Config(String),
    Io(std::io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::InsideAsyncRuntime => f.write_str(
                "run() was called inside an async runtime, where it cannot block; \
                 call `server.run_async(options).await` instead",
            ),
            RunError::Build(e) => write!(f, "{e}"),
            RunError::Config(message) => f.write_str(message),
            RunError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<std::io::Error> for RunError {
    fn from(e: std::io::Error) -> Self {
        RunError::Io(e)
    }
}

impl From<BuildError> for RunError {
    fn from(e: BuildError) -> Self {
        RunError::Build(e)
    }
}

impl Server {
    /// Runs the server until it is told to stop, on a tokio runtime of its own.
    ///
    /// Inside an async runtime this returns [`RunError::InsideAsyncRuntime`]: use
    /// [`Server::run_async`] there.
    pub fn run(self, options: RunOptions) -> Result<(), RunError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(RunError::InsideAsyncRuntime);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let result = runtime.block_on(self.run_async(options));
        // A blocking stdin read cannot be interrupted; do not wait for it.
        runtime.shutdown_background();
        result
    }

    /// Runs the server on the current tokio runtime until SIGINT or SIGTERM (or, on STDIO, EOF).
    pub async fn run_async(self, options: RunOptions) -> Result<(), RunError> {
        init_logging(options.log_level.as_deref(), options.log_format);
        match options.transport {
            Transport::Stdio => {
                if options.metrics_path.is_some() {
                    return Err(RunError::Config(
                        "--metrics serves on the HTTP listener: use it with --transport http or sse".into(),
                    ));
                }
                let (dispatcher, _routes) = self.with_run_options(&options).build()?;
                tracing::info!(server = dispatcher.name(), "serving MCP over STDIO");
                let stdio =
                    StdioOptions { max_message_bytes: options.max_body_bytes, shutdown_grace: options.shutdown_grace };
                serve_stdio(dispatcher, stdio).await?;
                Ok(())
            }
            Transport::Http | Transport::Sse => {
                check_exposure(&options)?;
                let name = self.name().to_string();
                let shared_key = self.info.state_key.is_some() || options.state_key.is_some();
                if !shared_key && !crate::transport::http::security::is_loopback_name(&options.host) {
                    tracing::warn!(
                        host = %options.host,
                        "serving beyond loopback with a requestState key of this process's own: replicas behind a \
                         load balancer refuse each other's; set MCP_STATE_KEY (or --state-key-file) to one secret on every replica"
                    );
                }
                // `http_app` lays the options over the server (as for an app mounted elsewhere).
                let app = self.http_app(&options)?;
                let listener =
                    tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await.map_err(|e| {
                        std::io::Error::new(
                            e.kind(),
                            format!(
                                "cannot listen on {}:{}: {e}; choose another `--host` or `--port`",
                                options.host, options.port
                            ),
                        )
                    })?;
                let addr = listener.local_addr()?;
                let shutdown = crate::transport::shutdown_signal();
                let what = if options.transport == Transport::Sse { "SSE (deprecated)" } else { "Streamable HTTP" };
                tracing::info!(server = %name, "serving MCP over {what} at http://{addr}{}", app.endpoint());
                app.serve(listener, shutdown).await?;
                tracing::info!("server stopped");
                Ok(())
            }
        }
    }

    /// The options laid over the code's choices: the tool surface (a mode, budget or toolsets
    /// given win; read-only narrows), the result size limit and the state key.
    pub(crate) fn with_run_options(mut self, options: &RunOptions) -> Server {
        if let Some(key) = &options.state_key {
            self.info.state_key = Some(key.bytes());
        }
        let surface = &mut self.info.surface;
        surface.mode = options.tool_mode.unwrap_or(surface.mode);
        surface.budget = options.tool_budget.or(surface.budget);
        if !options.toolsets.is_empty() {
            surface.selection.toolsets = Selection::new(&options.toolsets, false).toolsets;
        }
        surface.selection.read_only |= options.read_only;
        self.info.max_result_bytes = options.max_result_bytes.unwrap_or(self.info.max_result_bytes);
        // Process-wide, like the log subscriber it writes through: any server run or mounted
        // with `--access-log` turns it on.
        if options.access_log {
            crate::server::dispatch::log_tool_calls();
        }
        self
    }

    /// Parses the process's command line (see [`CommandLine`]) over the default options and runs.
    /// This is what a generated server's `main` calls.
    pub fn run_from_args(self) -> ExitCode {
        self.run_from_args_with(RunOptions::default())
    }

    /// Like [`Server::run_from_args`], with `code` as the options the flags override.
    pub fn run_from_args_with(self, code: RunOptions) -> ExitCode {
        let options = CommandLine::parse().apply(code);
        match self.run(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

/// Refuses HTTP beyond loopback with nobody asked to authenticate: such a server would act for
/// anyone who can reach its port, with its own credentials. `--no-auth` takes the risk, loudly.
fn check_exposure(options: &RunOptions) -> Result<(), RunError> {
    #[cfg(feature = "oauth")]
    let oauth = options.oauth.is_some();
    #[cfg(not(feature = "oauth"))]
    let oauth = false;
    if options.auth_tokens.is_some() || oauth || crate::transport::http::security::is_loopback_name(&options.host) {
        return Ok(());
    }
    if !options.client_credentials.is_empty() {
        let schemes: Vec<&str> = options.client_credentials.iter().map(|(s, _)| s.as_str()).collect();
        tracing::info!(
            host = %options.host,
            "serving MCP beyond loopback without MCP authentication: every call carries the client's own API \
             credential (schemes {}), never this server's, so it acts for nobody but its callers",
            schemes.join(", ")
        );
        return Ok(());
    }
    if options.no_auth {
        tracing::warn!(
            host = %options.host,
            "serving MCP beyond loopback without authentication (--no-auth): anyone who reaches this port can call every tool"
        );
        return Ok(());
    }
    Err(RunError::Config(format!(
        "--host {} serves MCP beyond loopback, and no authentication is configured: set MCP_AUTH_TOKENS (or \
         --auth-token-file) to the bearer tokens clients must send, give --oauth-issuer and --oauth-resource to \
         accept OAuth access tokens, --client-credential SCHEME=HEADER so each client brings its own API \
         credential, or pass --no-auth to serve without it",
        options.host
    )))
}

/// Sends `tracing` output to stderr: stdout belongs to the STDIO transport.
/// `level` wins over `RUST_LOG`; without either, `info`.
fn init_logging(level: Option<&str>, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = match level {
        Some(level) => EnvFilter::new(match level {
            "warning" => "warn",
            "critical" => "error",
            other => other,
        }),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    let _ = match format {
        // One JSON object per line, with the event's fields and the spans it is in.
        LogFormat::Json => {
            crate::server::dispatch::log_request_spans();
            builder.json().with_current_span(true).try_init()
        }
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_beyond_loopback_needs_authentication_or_an_explicit_no_auth() {
        let options = |host: &str| RunOptions { transport: Transport::Http, host: host.into(), ..Default::default() };
        for host in ["127.0.0.1", "localhost", "::1"] {
            assert!(check_exposure(&options(host)).is_ok(), "{host}");
        }
        let refused = check_exposure(&options("0.0.0.0")).unwrap_err().to_string();
        assert!(refused.contains("MCP_AUTH_TOKENS") && refused.contains("--no-auth"), "{refused}");
        assert!(check_exposure(&RunOptions { no_auth: true, ..options("0.0.0.0") }).is_ok());
        let tokens = crate::StaticTokens::new(["a-long-enough-token-0123456789"], "test").unwrap();
        assert!(check_exposure(&RunOptions { auth_tokens: Some(tokens), ..options("10.0.0.5") }).is_ok());
    }

    #[tokio::test]
    async fn run_inside_a_runtime_refuses_and_names_run_async() {
        let err = Server::new("t", "0").run(RunOptions::default()).unwrap_err();
        assert!(matches!(err, RunError::InsideAsyncRuntime));
        assert!(err.to_string().contains("run_async"), "{err}");
    }
}
