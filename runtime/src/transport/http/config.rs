//! What the HTTP transports need from [`RunOptions`], checked once when the app is built.

use super::auth::Authenticator;
use super::security::RequestGuard;
use crate::run::RunOptions;
use std::time::Duration;

/// The shortest keep-alive interval honoured, so a zero cannot spin a stream.
const MIN_KEEP_ALIVE: Duration = Duration::from_millis(10);

/// The shortest read timeout honoured, so a zero cannot refuse every request.
const MIN_READ_TIMEOUT: Duration = Duration::from_millis(100);

/// The `retry` (milliseconds) a priming event suggests to a client that lost its stream.
pub(crate) const PRIMING_RETRY_MS: u64 = 3000;

#[derive(Debug, Clone)]
pub(crate) struct HttpConfig {
    /// The MCP endpoint (`http`) or SSE stream path (`sse`), without trailing slash.
    pub endpoint: String,
    /// The SSE transport's POST path, without trailing slash.
    pub message_path: String,
    pub stateless: bool,
    pub json_response: bool,
    pub guard: RequestGuard,
    /// Who may call ([`Authenticator`]): static tokens, OAuth, or anyone.
    pub auth: Authenticator,
    /// Per-client rate and concurrency limits, when set.
    pub limiter: Option<std::sync::Arc<super::rate_limit::RateLimiter>>,
    pub max_body_bytes: usize,
    pub session_idle_timeout: Duration,
    pub max_sessions: usize,
    pub keep_alive: Duration,
    /// How long a client may take to send a request's headers, and then its body.
    pub read_timeout: Duration,
}

impl HttpConfig {
    pub fn from_options(options: &RunOptions, sse: bool) -> Result<HttpConfig, String> {
        let endpoint = if sse { options.sse_path() } else { options.http_path() };
        Ok(HttpConfig {
            endpoint: normalize_path(endpoint, "--path")?,
            message_path: normalize_path(options.sse_message_path(), "the message path")?,
            stateless: options.stateless,
            json_response: options.json_response,
            guard: RequestGuard::new(&options.host, &options.allowed_hosts, &options.allowed_origins),
            auth: authenticator(options)?,
            limiter: super::rate_limit::RateLimiter::new(options.rate_limits).map(std::sync::Arc::new),
            max_body_bytes: options.max_body_bytes.max(1),
            session_idle_timeout: options.session_idle_timeout,
            max_sessions: options.max_sessions.max(1),
            keep_alive: options.keep_alive.max(MIN_KEEP_ALIVE),
            read_timeout: options.read_timeout.max(MIN_READ_TIMEOUT),
        })
    }
}

fn authenticator(options: &RunOptions) -> Result<Authenticator, String> {
    let auth = Authenticator::new(options.auth_tokens.clone());
    #[cfg(feature = "oauth")]
    let auth = auth.with_oauth(options.oauth.as_ref())?;
    auth.with_client_credentials(&options.client_credentials)
}

/// `/mcp/`, `mcp` and `/mcp` all become `/mcp`; `/` stays `/`.
pub(crate) fn normalize_path(path: &str, what: &str) -> Result<String, String> {
    let trimmed = path.trim();
    if trimmed.contains(['?', '#', '{', '}', '*']) || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{what} `{path}` is not a plain URL path (like /mcp/)"));
    }
    let base = trimmed.trim_end_matches('/');
    Ok(if base.is_empty() {
        "/".to_string()
    } else if base.starts_with('/') {
        base.to_string()
    } else {
        format!("/{base}")
    })
}

/// The routes that serve `base`: with and without the trailing slash, so neither redirects.
pub(crate) fn route_variants(base: &str) -> Vec<String> {
    if base == "/" { vec!["/".to_string()] } else { vec![base.to_string(), format!("{base}/")] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_and_served_both_ways() {
        assert_eq!(normalize_path("/mcp/", "p").unwrap(), "/mcp");
        assert_eq!(normalize_path("mcp", "p").unwrap(), "/mcp");
        assert_eq!(normalize_path("/api/mcp", "p").unwrap(), "/api/mcp");
        assert_eq!(normalize_path("/", "p").unwrap(), "/");
        assert_eq!(route_variants("/mcp"), ["/mcp", "/mcp/"]);
        assert_eq!(route_variants("/"), ["/"]);
        assert!(normalize_path("/mcp?x=1", "p").is_err());
        assert!(normalize_path("/{id}", "p").is_err());
    }
}
