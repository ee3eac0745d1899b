//! The HTTP app: the MCP endpoint (Streamable HTTP) or the SSE endpoints, plus the server's
//! custom routes, as one `axum::Router`.

use super::config::{HttpConfig, normalize_path, route_variants};
use super::endpoint;
use super::front;
use super::lifecycle::{HttpHandle, Lifecycle};
use super::state::Shared;
use crate::run::{RunError, RunOptions, Transport};
use crate::server::Server;
use crate::transport::sse;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, any, get};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// An MCP server as an axum application, ready to serve or to mount in your own app.
///
/// ```no_run
/// use mcpgen_runtime::axum::{Router, routing::get};
/// use mcpgen_runtime::{RunOptions, Server};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let mcp = Server::new("demo", "1.0.0").http_app(&RunOptions::http().path("/mcp"))?;
/// let handle = mcp.handle();
/// let app = Router::new().route("/", get(|| async { "my app" })).nest("/api", mcp.into_router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
/// mcpgen_runtime::axum::serve(listener, app)
///     .with_graceful_shutdown(async move {
///         mcpgen_runtime::transport::shutdown_signal().await;
///         handle.close(); // end MCP streams so the graceful shutdown can finish
///     })
///     .await?;
/// # Ok(()) }
/// ```
pub struct HttpApp {
    pub(crate) router: Router,
    pub(crate) handle: HttpHandle,
    pub(crate) transport: Transport,
    /// Where clients connect: the MCP endpoint, or the SSE stream path.
    pub(crate) endpoint: String,
    pub(crate) shutdown_grace: Duration,
    /// How long [`HttpApp::serve`] keeps open connections once shutdown has begun.
    pub(crate) drain_delay: Duration,
    /// How long [`HttpApp::serve`] waits for a request's headers.
    pub(crate) read_timeout: Duration,
    /// The Streamable HTTP endpoint, which [`HttpApp::serve`] calls without the router (see
    /// `front`); `None` for SSE.
    pub(crate) direct: Option<front::Endpoint>,
    /// Whether [`HttpApp::serve`] tells each request its client's address (rate limits count by
    /// it when nobody authenticates).
    pub(crate) peer_addresses: bool,
}

impl HttpApp {
    /// The whole app as a router; clone it freely (every clone serves the same sessions).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    pub fn into_router(self) -> Router {
        self.router
    }

    /// Controls shutdown of the app, however it is served.
    pub fn handle(&self) -> HttpHandle {
        self.handle.clone()
    }

    /// `http` or `sse`.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The path clients connect to (`/mcp/` style, with the trailing slash when not `/`).
    pub fn endpoint(&self) -> String {
        if self.endpoint == "/" { "/".into() } else { format!("{}/", self.endpoint) }
    }
}

impl Server {
    /// Builds the HTTP app for `options.transport` (`http` or `sse`) without serving it: mount
    /// [`HttpApp::into_router`] in your own axum app, or call [`HttpApp::serve`].
    ///
    /// Fails when the server definition is invalid, when a custom route collides with an MCP
    /// path, or for the `stdio` transport.
    pub fn http_app(self, options: &RunOptions) -> Result<HttpApp, RunError> {
        let sse = match options.transport {
            Transport::Http => false,
            Transport::Sse => true,
            Transport::Stdio => {
                return Err(RunError::Config(
                    "the stdio transport has no HTTP app; choose `--transport http` or `--transport sse`".into(),
                ));
            }
        };
        let (dispatcher, routes) = self.with_run_options(options).build()?;
        let mut config = HttpConfig::from_options(options, sse).map_err(RunError::Config)?;
        config.auth = config.auth.advertising(dispatcher.tool_scopes());
        let mut reserved = vec![config.endpoint.clone()];
        if sse {
            if config.message_path == config.endpoint {
                return Err(RunError::Config(format!(
                    "the SSE path and the message path are both `{}`; give them different paths",
                    config.endpoint
                )));
            }
            reserved.push(config.message_path.clone());
        }
        let endpoint = config.endpoint.clone();
        let message_path = config.message_path.clone();
        // Only `serve` uses these: they are not part of the shared request state.
        let (shutdown_grace, drain_delay) = (options.shutdown_grace, options.drain_delay);
        let read_timeout = config.read_timeout;
        let peer_addresses = config.limiter.is_some();
        let shared = Shared::new(dispatcher, config);
        let handle = HttpHandle { lifecycle: shared.lifecycle.clone(), sessions: shared.sessions.clone() };

        let mut mcp = Router::new();
        let mut direct = None;
        if sse {
            for path in route_variants(&endpoint) {
                mcp = mcp.route(&path, any(sse::open));
            }
            for path in route_variants(&message_path) {
                mcp = mcp.route(&path, any(sse::post));
            }
        } else {
            let paths = route_variants(&endpoint);
            for path in &paths {
                mcp = mcp.route(path, any(endpoint::handle));
            }
            direct = Some(front::Endpoint { paths, shared: shared.clone() });
        }
        let mut checks = probe_routes(options, &shared.lifecycle, &reserved)?;
        checks.extend(shared.config.auth.routes());
        let router = add_custom_routes(mcp.with_state(shared), routes, &reserved, &checks)?;
        Ok(HttpApp {
            router,
            handle,
            transport: options.transport,
            endpoint,
            shutdown_grace,
            drain_delay,
            read_timeout,
            direct,
            peer_addresses,
        })
    }
}

/// The liveness, readiness and metrics routes `options` ask for: liveness answers while the
/// process serves, readiness turns 503 once shutdown has begun, so a load balancer stops sending
/// new requests while those in flight finish; metrics are Prometheus text. Each as `(path,
/// option, route)`.
fn probe_routes(
    options: &RunOptions,
    lifecycle: &Arc<Lifecycle>,
    reserved: &[String],
) -> Result<Vec<(String, &'static str, MethodRouter)>, RunError> {
    let mut checks = Vec::new();
    if let Some(path) = &options.health_path {
        checks.push((path.clone(), "--health-path", get(|| async { "ok\n" })));
    }
    if let Some(path) = &options.ready_path {
        let lifecycle = Arc::clone(lifecycle);
        let ready = get(move || {
            let closing = lifecycle.is_closing();
            async move {
                if closing { (StatusCode::SERVICE_UNAVAILABLE, "draining\n") } else { (StatusCode::OK, "ready\n") }
            }
        });
        checks.push((path.clone(), "--ready-path", ready));
    }
    if let Some(path) = &options.metrics_path {
        crate::metrics::install().map_err(RunError::Config)?;
        let metrics = get(|| async {
            ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], crate::metrics::render())
        });
        checks.push((path.clone(), "--metrics-path", metrics));
    }
    for (path, option, _) in &checks {
        let normalized = normalize_path(path, option).map_err(RunError::Config)?;
        if let Some(mcp) = reserved.iter().find(|r| **r == normalized) {
            return Err(RunError::Config(format!(
                "{option} `{path}` collides with the MCP path `{mcp}`; choose another (or an empty one to turn it off)"
            )));
        }
    }
    for (i, (a, first, _)) in checks.iter().enumerate() {
        if let Some((_, second, _)) =
            checks[i + 1..].iter().find(|(b, _, _)| a.trim_end_matches('/') == b.trim_end_matches('/'))
        {
            return Err(RunError::Config(format!("{first} and {second} are both `{a}`; give them different paths")));
        }
    }
    Ok(checks)
}

/// Adds the user's routes, refusing any that would shadow or collide with an MCP path or a
/// health check, then the health checks.
fn add_custom_routes(
    mut router: Router,
    routes: Vec<(String, MethodRouter)>,
    reserved: &[String],
    checks: &[(String, &'static str, MethodRouter)],
) -> Result<Router, RunError> {
    for (path, option, route) in checks {
        if let Some((custom, _)) = routes.iter().find(|(p, _)| p.trim_end_matches('/') == path.trim_end_matches('/')) {
            return Err(RunError::Config(format!(
                "custom route `{custom}` is where {option} answers; move the route, or give {option} another path \
                 (an empty one turns the check off)"
            )));
        }
        router = router.route(path, route.clone());
    }
    let mut seen: Vec<String> = Vec::new();
    for (path, route) in routes {
        if !path.starts_with('/') {
            return Err(RunError::Config(format!("custom route `{path}` must start with `/`")));
        }
        let normalized =
            normalize_path(&path, "custom route").unwrap_or_else(|_| path.trim_end_matches('/').to_string());
        if let Some(mcp) = reserved.iter().find(|r| **r == normalized) {
            return Err(RunError::Config(format!(
                "custom route `{path}` collides with the MCP path `{mcp}`; move the route or choose another `--path`"
            )));
        }
        if seen.contains(&path) {
            return Err(RunError::Config(format!(
                "two custom routes are registered at `{path}`; combine them into one, e.g. `get(a).post(b)`"
            )));
        }
        seen.push(path.clone());
        // axum panics on paths it cannot route (bad `{}` captures, overlaps): report instead.
        let attempt = std::panic::catch_unwind(AssertUnwindSafe(|| router.clone().route(&path, route)));
        router = attempt.map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "axum refused it".into());
            RunError::Config(format!("custom route `{path}` cannot be served: {why}"))
        })?;
    }
    Ok(router)
}
