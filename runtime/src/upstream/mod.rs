//! What generated OpenAPI tools call (cargo feature `upstream`): arguments in, HTTP request out
//! (plain HTTP on hyper's client connections, everything else with reqwest over rustls; see
//! `send`), response back as a [`ToolResult`].
//!
//! A generated crate describes its API as static data ([`ApiSpec`], [`ToolSpec`]); this module
//! holds all the behaviour:
//!
//! ```no_run
//! # use mcpgen_runtime::upstream::{ApiSpec, ToolSpec, Upstream};
//! # use mcpgen_runtime::Server;
//! # static API: ApiSpec = ApiSpec { name: "demo", version: "1", title: None, instructions: None,
//! #     base_url: Some("https://api.example.com"), base_url_env: "DEMO_BASE_URL",
//! #     timeout_env: "DEMO_TIMEOUT_SECS", schemes: &[], tool_mode: mcpgen_runtime::ToolMode::All, tool_budget: None };
//! # static TOOLS: &[ToolSpec] = &[];
//! let upstream = Upstream::builder(&API).build().expect("valid configuration");
//! let server = upstream.register(Server::new(API.name, API.version), TOOLS);
//! ```
//!
//! Rules it keeps: path values are percent-encoded and a value can never change the host or the
//! path's structure; CR/LF never reach a header; the URL never leaves the base (redirects to
//! another origin are not followed); the MCP client's own `Authorization` header is never
//! forwarded (handlers never see it); secrets are never logged or returned — not even when the
//! API echoes them back (see `redact`).

mod auth;
mod body;
mod client;
mod long_running;
mod plain;
mod redact;
mod redirect;
mod request;
mod response;
mod send;
mod server;
mod spec;
mod style;

pub use body::Body;
pub use long_running::PollSettings;
pub use request::{RequestParts, build_request};
pub use spec::{
    ApiSpec, BodyKind, BodySpec, FieldSpec, FinalState, Location, LongRunning, ParamSpec, SchemeKind, SchemeSpec,
    Style, ToolMode, ToolSpec,
};

use crate::server::{RequestContext, Server, TaskSupport, Tool, ToolResult};
use auth::Credentials;
use response::ResponseParts;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on a response body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

type RequestHook = Arc<dyn Fn(&ToolSpec, &mut RequestParts) + Send + Sync>;
type ResponseHook = Arc<dyn Fn(&ToolSpec, &mut ToolResult) + Send + Sync>;
type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Configures an [`Upstream`]. Settings given here win over the environment.
pub struct UpstreamBuilder {
    api: &'static ApiSpec,
    base_url: Option<String>,
    timeout: Option<Duration>,
    max_body_bytes: usize,
    polling: PollSettings,
    env: EnvLookup,
    on_request: Vec<RequestHook>,
    on_response: Vec<ResponseHook>,
}

impl UpstreamBuilder {
    /// The API's base URL (else `ApiSpec::base_url_env`, else the spec's `servers`). Given
    /// here or by the variable, it takes every tool, those whose operation names its own
    /// server included (see the `server` module).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The request timeout (else `ApiSpec::timeout_env` seconds, else 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The cap on a response body; longer bodies are truncated with a note.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n.max(1);
        self
    }

    /// How long-running operations are polled when their tools run as tasks.
    pub fn polling(mut self, settings: PollSettings) -> Self {
        self.polling = settings;
        self
    }

    /// Applies the server's own arguments (those after `--`): `--base-url URL`,
    /// `--timeout SECONDS` and `--long-running-timeout SECONDS` (how long a long-running
    /// operation is followed; also as `--flag=value`). Other arguments are left for custom code.
    pub fn server_args(mut self, args: &[String]) -> Result<Self, UpstreamError> {
        let mut i = 0;
        while i < args.len() {
            let (flag, inline) = match args[i].split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (args[i].as_str(), None),
            };
            if flag == "--base-url" || flag == "--timeout" || flag == "--long-running-timeout" {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i).cloned().ok_or_else(|| UpstreamError(format!("{flag} needs a value")))?
                    }
                };
                if flag == "--base-url" {
                    self.base_url = Some(value);
                } else {
                    let seconds = positive_seconds(flag, &value)?;
                    if flag == "--timeout" {
                        self.timeout = Some(seconds);
                    } else {
                        self.polling.limit = seconds;
                    }
                }
            }
            i += 1;
        }
        Ok(self)
    }

    /// Where environment variables are read from (tests pass a map).
    pub fn env(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(lookup);
        self
    }

    /// Runs on every request after it is built and credentials are added (extra headers, signing).
    pub fn on_request(mut self, hook: impl Fn(&ToolSpec, &mut RequestParts) + Send + Sync + 'static) -> Self {
        self.on_request.push(Arc::new(hook));
        self
    }

    /// Runs on every tool result before it goes back to the client.
    pub fn on_response(mut self, hook: impl Fn(&ToolSpec, &mut ToolResult) + Send + Sync + 'static) -> Self {
        self.on_response.push(Arc::new(hook));
        self
    }

    /// Reads credentials and settings from the environment and builds the HTTP client.
    /// A missing or relative base URL is not an error here: tools then answer with what to set.
    pub fn build(self) -> Result<Arc<Upstream>, UpstreamError> {
        let env = self.env.clone();
        let explicit = self.base_url.or_else(|| env(self.api.base_url_env).filter(|s| !s.is_empty()));
        let explicit_base = explicit.is_some();
        let base_text = explicit.or_else(|| self.api.base_url.map(str::to_string));
        let base = match base_text {
            None => Err(format!("the API has no base URL; set {}", self.api.base_url_env)),
            Some(text) => match Url::parse(&text) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    let mut u = u;
                    u.set_fragment(None);
                    Ok(u)
                }
                Ok(_) => {
                    Err(format!("the base URL `{text}` is not an http(s) URL; set {} to one", self.api.base_url_env))
                }
                Err(_) => Err(format!(
                    "the base URL `{text}` is not an absolute URL; set {} to the API's full URL",
                    self.api.base_url_env
                )),
            },
        };
        let timeout = match self.timeout {
            Some(t) => t,
            None => match env(self.api.timeout_env) {
                Some(s) => positive_seconds(self.api.timeout_env, s.trim())?,
                None => DEFAULT_TIMEOUT,
            },
        };
        let client = client::LazyClient::new(timeout);
        let credentials = auth::load(self.api, &*env);
        let secrets = redact::secret_set(auth::static_secret_texts(&credentials));
        Ok(Arc::new(Upstream {
            api: self.api,
            base,
            explicit_base,
            client,
            credentials,
            secrets,
            timeout,
            max_body_bytes: self.max_body_bytes,
            polling: self.polling,
            on_request: self.on_request,
            on_response: self.on_response,
        }))
    }
}

/// A configuration that cannot work (an unparsable timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamError(pub String);

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UpstreamError {}

/// The API a generated server calls.
pub struct Upstream {
    api: &'static ApiSpec,
    base: Result<Url, String>,
    /// The base came from the user (flag, variable, builder): every tool calls it.
    explicit_base: bool,
    client: client::LazyClient,
    credentials: Credentials,
    /// The secrets known at start-up, ready for `redact` (tokens fetched later are added per call).
    secrets: Vec<String>,
    timeout: Duration,
    max_body_bytes: usize,
    polling: PollSettings,
    on_request: Vec<RequestHook>,
    on_response: Vec<ResponseHook>,
}

impl Upstream {
    pub fn builder(api: &'static ApiSpec) -> UpstreamBuilder {
        UpstreamBuilder {
            api,
            base_url: None,
            timeout: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            polling: PollSettings::default(),
            env: Arc::new(|k| std::env::var(k).ok()),
            on_request: Vec::new(),
            on_response: Vec::new(),
        }
    }

    pub fn api(&self) -> &'static ApiSpec {
        self.api
    }

    /// The base URL requests go to, or why there is none.
    pub fn base_url(&self) -> Result<&Url, &str> {
        self.base.as_ref().map_err(String::as_str)
    }

    /// The MCP tool for `spec`, calling this upstream.
    pub fn tool(self: &Arc<Self>, spec: &'static ToolSpec) -> Tool {
        // The generator checked these schemas against the meta-schema; they, the description and
        // the title stay the binary's own text, unread until the tool is listed (its schemas built
        // into values only when it is first called; one that breaks the meta-schema says so then).
        let mut tool = Tool::generated(spec.name, spec.title, spec.description, spec.input_schema, spec.output_schema);
        tool = tool.annotation("readOnlyHint", spec.read_only).annotation("openWorldHint", spec.open_world);
        if !spec.read_only {
            tool = tool.annotation("destructiveHint", spec.destructive).annotation("idempotentHint", spec.idempotent);
        }
        for tag in spec.tags {
            tool = tool.toolset(tag);
        }
        tool = tool.http_operation(spec.method, spec.path);
        if let Some(argument) = spec.jq_filter {
            tool = tool.jq_filter(argument);
        }
        if spec.output_wrapped {
            tool = tool.structured_output_wraps_result();
        }
        tool = tool.narrowing_arguments(spec.params.iter().filter(|p| narrows(p)).map(|p| p.arg));
        if spec.hidden {
            tool = tool.hidden();
        }
        for scope in spec.scopes {
            tool = tool.requires_scope(*scope);
        }
        if spec.long_running.is_some() {
            tool = tool.task_support(TaskSupport::Optional);
        }
        let upstream = Arc::clone(self);
        tool.handler(move |args, ctx| {
            let upstream = Arc::clone(&upstream);
            async move { Ok::<_, crate::ToolError>(upstream.call(spec, args, Some(&ctx)).await) }
        })
    }

    /// A server named, titled and described after the API, presenting its tools as the API's
    /// `tool_mode` says, with a tool per spec: what a generated crate's `main` and `mcpgen run`
    /// serve.
    pub fn server(self: &Arc<Self>, specs: &'static [ToolSpec]) -> Server {
        let api = self.api;
        let mut server = Server::new(api.name, api.version);
        if let Some(title) = api.title {
            server = server.title(title);
        }
        if let Some(instructions) = api.instructions {
            server = server.instructions(instructions);
        }
        server = server.tool_mode(api.tool_mode);
        if let Some(budget) = api.tool_budget {
            server = server.tool_budget(budget);
        }
        self.register(server, specs)
    }

    /// Adds a tool per spec to `server`.
    pub fn register(self: &Arc<Self>, mut server: Server, specs: &'static [ToolSpec]) -> Server {
        for spec in specs {
            server = server.tool(self.tool(spec));
        }
        server
    }

    /// Calls the operation; every failure is an `isError` result the model can read.
    pub async fn call(&self, spec: &ToolSpec, args: Value, ctx: Option<&RequestContext>) -> ToolResult {
        // A client that brings its own API credentials (`--client-credential`) calls with those
        // only: the server's own are never used for it, and its are redacted like the server's.
        let client_credentials = ctx.and_then(|c| c.api_credentials()).map(|c| auth::from_client(self.api, &c));
        // A long-running operation called as a task is followed to its end (`long_running`),
        // boxed so that every other call's future stays its own size.
        let call = match (spec.long_running, ctx) {
            (Some(kind), Some(c)) if c.is_task() => futures::future::Either::Left(Box::pin(long_running::call(
                self,
                spec,
                kind,
                args,
                client_credentials.as_ref(),
                c,
            ))),
            _ => futures::future::Either::Right(self.call_inner(spec, args, client_credentials.as_ref(), ctx)),
        };
        let mut result = match ctx {
            Some(ctx) => tokio::select! {
                r = call => r,
                _ = ctx.cancellation().cancelled() => ToolResult::error("the request was cancelled"),
            },
            None => call.await,
        };
        // Before the hooks, so they see what the model will see.
        let mut fetched = auth::fetched_tokens(&self.credentials).await;
        if let Some(client) = &client_credentials {
            fetched.extend(auth::static_secret_texts(client));
        }
        if fetched.is_empty() {
            redact::redact(&mut result, &self.secrets);
        } else {
            redact::redact(&mut result, &redact::secret_set(self.secrets.iter().cloned().chain(fetched).collect()));
        }
        for hook in &self.on_response {
            hook(spec, &mut result);
        }
        result
    }

    /// `client_credentials`: the caller's own, used instead of the server's when given; `ctx`
    /// hears the API's status, for the access log.
    async fn call_inner(
        &self,
        spec: &ToolSpec,
        args: Value,
        client_credentials: Option<&auth::Credentials>,
        ctx: Option<&RequestContext>,
    ) -> ToolResult {
        let credentials = client_credentials.unwrap_or(&self.credentials);
        let parts = match self.request_parts(spec, args) {
            Ok((_, parts)) => parts,
            Err(e) => return e,
        };
        match self.exchange(spec, credentials, ctx, parts).await {
            Ok((answer, shown_url)) => self.result(spec, answer, &shown_url, credentials, client_credentials.is_none()),
            Err(e) => e,
        }
    }

    /// The tool's base URL and the request `args` make of `spec`: the first step of every call,
    /// a long-running one's too.
    fn request_parts(&self, spec: &ToolSpec, args: Value) -> Result<(Cow<'_, Url>, RequestParts), ToolResult> {
        let base = server::tool_base(&self.base, self.explicit_base, spec)
            .map_err(|e| ToolResult::error(format!("cannot call the API: {e}")))?;
        let mut args = match args {
            Value::Object(m) => m,
            Value::Null => Default::default(),
            _ => return Err(ToolResult::error("tool arguments must be an object")),
        };
        request::drop_absent_nulls(&mut args, spec.null_absent);
        let parts = build_request(&base, spec, &args)
            .map_err(|e| ToolResult::error(format!("cannot build the request: {e}")))?;
        Ok((base, parts))
    }

    /// Sends `parts` with `credentials` and the `on_request` hooks, reading the answer up to the
    /// cap: the answer, and the request's URL as messages show it. `ctx` hears the API's status.
    async fn exchange(
        &self,
        spec: &ToolSpec,
        credentials: &Credentials,
        ctx: Option<&RequestContext>,
        mut parts: RequestParts,
    ) -> Result<(send::Answer, String), ToolResult> {
        auth::apply(self.api, spec, credentials, &self.client, &mut parts).await.map_err(ToolResult::error)?;
        for hook in &self.on_request {
            hook(spec, &mut parts);
        }
        let shown_url = parts.display_url();
        tracing::debug!(tool = spec.name, method = parts.method, url = %shown_url, "calling the API");
        let request = send::prepare(parts).map_err(|e| ToolResult::error(format!("cannot build the request: {e}")))?;
        let sent = std::time::Instant::now();
        // Boxed: the exchange's state is large, and every future around this one (the handler's,
        // the dispatcher's) would otherwise be moved with it, a copy of kilobytes each time.
        let answer = match Box::pin(send::send(&self.client, request, self.timeout, self.max_body_bytes)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(failure)) => {
                crate::metrics::upstream_response(None, sent);
                return Err(ToolResult::error(self.transport_error(&failure, &shown_url)));
            }
            Err(e) => return Err(ToolResult::error(e)),
        };
        let status = answer.status.as_u16();
        crate::metrics::upstream_response(Some(status), sent);
        if let Some(ctx) = ctx {
            ctx.set_upstream_status(status);
        }
        tracing::debug!(tool = spec.name, status, bytes = answer.body.bytes.len(), "the API answered");
        Ok((answer, shown_url))
    }

    /// `answer` as the tool's result; `url` names the request in messages. A 401 or 403 says
    /// which of the server's own credentials to configure (`own_credentials`), never a client's.
    fn result(
        &self,
        spec: &ToolSpec,
        answer: send::Answer,
        url: &str,
        credentials: &Credentials,
        own_credentials: bool,
    ) -> ToolResult {
        let status = answer.status;
        response::to_result(
            spec,
            ResponseParts {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or(""),
                content_type: answer.content_type.as_deref(),
                retry_after: answer.retry_after.as_deref(),
                body: answer.body,
                url,
                auth_hint: if matches!(status.as_u16(), 401 | 403) && own_credentials {
                    auth::missing_hint(self.api, spec, credentials)
                } else {
                    None
                },
                cap: self.max_body_bytes,
            },
        )
    }

    /// A failure to talk to the API, without the URL's query (it may hold an API key).
    fn transport_error(&self, e: &send::Failure, url: &str) -> String {
        if e.timed_out {
            return format!("the API did not answer within {:?} ({url})", self.timeout);
        }
        if e.connect {
            return format!("could not connect to the API at {url}: {}", e.cause);
        }
        format!("the request to {url} failed: {}", e.cause)
    }
}

/// A query parameter that pages or filters an answer, by its usual names (`per_page`, `limit`,
/// `$top`, `fields`, ...): what the note of a result cut to the size limit suggests.
fn narrows(param: &ParamSpec) -> bool {
    const NAMES: &[&str] = &[
        "page",
        "perpage",
        "pagesize",
        "limit",
        "offset",
        "cursor",
        "after",
        "before",
        "since",
        "until",
        "count",
        "max",
        "maxresults",
        "top",
        "skip",
        "first",
        "last",
        "size",
        "fields",
        "filter",
        "q",
        "query",
        "search",
        "select",
        "startingafter",
        "endingbefore",
        "pagetoken",
    ];
    let name: String = param.name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    param.location == Location::Query && NAMES.contains(&name.as_str())
}

/// `value` as a positive number of seconds (`2`, `0.5`); `name` (the flag or variable) in the
/// error. More seconds than a `Duration` holds (`1e30`) are refused too, not a panic.
fn positive_seconds(name: &str, value: &str) -> Result<Duration, UpstreamError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|n| *n > 0.0)
        .and_then(|n| Duration::try_from_secs_f64(n).ok())
        .ok_or_else(|| UpstreamError(format!("{name} must be a positive number of seconds, not `{value}`")))
}

#[cfg(test)]
mod call_tests;
#[cfg(test)]
mod long_running_tests;
#[cfg(test)]
mod plain_tests;
#[cfg(test)]
mod request_tests;
