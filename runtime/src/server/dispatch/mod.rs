//! Dispatch: one decoded message in, at most one response out.
//!
//! Both protocol generations share this code. A request carrying the 2026-07-28 `_meta`
//! envelope is checked against it and answered statelessly; anything else is served as the
//! legacy generation with the connection's handshake state. Each method family lives in its
//! own file; [`Dispatcher::route`] is the table that joins them.

mod lifecycle;
mod prompts;
mod resources;
mod subscriptions;
mod tasks;
mod tools;

use super::catalog::Selection;
use super::catalog::search::SearchIndex;
use super::connection::{Connection, Handshake, Outbound};
use super::context::RequestContext;
use super::input::StateSigner;
use super::logging::LogLevel;
use super::reply::{Payload, Reply};
use super::state::State;
use super::tasks::TaskStore;
use super::tool::RegisteredTool;
use super::{Info, pagination};
use crate::protocol::version::{CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY, envelope_meta, modern_version};
use crate::protocol::{ErrorObject, Generation, Message, RequestId, codes};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tracing::Instrument;

/// Methods of the 2026-07-28 generation. Anything else under its envelope is -32601.
const MODERN_METHODS: &[&str] = &[
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "subscriptions/listen",
    "tasks/get",
    "tasks/update",
    "tasks/cancel",
];

/// Methods that exist only in the 2026-07-28 generation.
const MODERN_ONLY_METHODS: &[&str] = &["server/discover", "subscriptions/listen", "tasks/update"];

/// The shareable, serving form of a [`Server`](super::Server).
pub struct Dispatcher {
    info: Info,
    state: Arc<State>,
    signer: StateSigner,
    /// The dynamic surface's search index, with the `tools_version` it was built at; built on
    /// the first search.
    search: Mutex<Option<(u64, Arc<SearchIndex>)>>,
    /// The dynamic surface's tools: for clients that may call anything, and for read-only ones.
    meta_tools: [OnceLock<Vec<Arc<RegisteredTool>>>; 2],
    /// Tasks of both generations.
    tasks: Arc<TaskStore>,
}

/// What one request needs to know about where it came from.
struct Call<'a> {
    conn: &'a Arc<Connection>,
    id: &'a RequestId,
    generation: Generation,
    ctx: RequestContext,
}

/// Whether each request runs in a `request` span (its id and method), which JSON logs show on
/// every event of the request. Set by `run` for `--log-format json`; text logs go without, as
/// the span would cost every request something.
static REQUEST_SPANS: AtomicBool = AtomicBool::new(false);

/// Runs every request from now on in a `request` span.
pub(crate) fn log_request_spans() {
    REQUEST_SPANS.store(true, Ordering::Relaxed);
}

/// Whether each tool call writes its access-log line (`--access-log`). Off by default: formatting
/// and writing the line costs about 10,000 instructions, a fifth of a whole stateless call
/// (bench/results/2026-12-06-profile-auth.md).
static ACCESS_LOG: AtomicBool = AtomicBool::new(false);

/// Writes an access-log line for every tool call from now on.
pub(crate) fn log_tool_calls() {
    ACCESS_LOG.store(true, Ordering::Relaxed);
}

pub(super) fn logs_tool_calls() -> bool {
    ACCESS_LOG.load(Ordering::Relaxed)
}

impl Dispatcher {
    pub(crate) fn new(info: Info, state: Arc<State>) -> Dispatcher {
        let signer = StateSigner::new(info.state_key);
        let tasks = Arc::new(TaskStore::new(info.task_limits));
        Dispatcher { info, state, signer, search: Mutex::new(None), meta_tools: Default::default(), tasks }
    }

    /// A client's selection of the tools from its endpoint URL's `query` (`toolset=repos&
    /// read_only=true&tools=dynamic`): `None` when it asks for nothing, an error naming the
    /// problem (an unknown toolset, with the ones there are) for the transport to answer with.
    pub fn client_selection(&self, query: Option<&str>) -> Result<Option<Selection>, String> {
        let Some(query) = query.filter(|q| !q.is_empty()) else { return Ok(None) };
        let selection = Selection::from_query(query)?;
        if selection.is_everything() && selection.mode.is_none() {
            return Ok(None);
        }
        selection.check(&self.state.toolsets(), &self.info.surface.selection)?;
        Ok(Some(selection))
    }

    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// Drops what the list of legacy sessions to notify still holds for ended ones (transports
    /// call this after sessions ended, so their memory is given back).
    pub(crate) fn forget_ended_sessions(&self) {
        self.state.forget_ended_sessions();
    }

    /// The input schema of the tool named `name`: Streamable HTTP checks the `Mcp-Param-*`
    /// headers its `x-mcp-header` annotations call for before the call is dispatched.
    pub fn tool_input_schema(&self, name: &str) -> Option<Value> {
        self.state.tools.read().expect("tools lock").get(name).map(|t| t.input.value())
    }

    /// Handles one message. `sink` receives the notifications and requests this message's
    /// handler sends; the returned reply, if any, is the response to send.
    /// Returns `None` for notifications, responses, and cancelled requests.
    pub async fn handle(
        self: &Arc<Self>,
        conn: &Arc<Connection>,
        message: Message,
        sink: Option<Outbound>,
    ) -> Option<Reply> {
        match message {
            Message::Request { id, method, params } => {
                let metrics = crate::metrics::RequestMetrics::start(&method);
                let reply = if REQUEST_SPANS.load(Ordering::Relaxed) {
                    // JSON logs: every event of the request carries its id and method.
                    let span = tracing::info_span!("request", id = %id, method = %method);
                    let reply = self.handle_request(conn, id, &method, params, sink).instrument(span.clone()).await;
                    let outcome =
                        reply.as_ref().map_or("cancelled", |r| if r.outcome.is_ok() { "ok" } else { "error" });
                    span.in_scope(|| tracing::debug!(outcome, "request answered"));
                    reply
                } else {
                    self.handle_request(conn, id, &method, params, sink).await
                };
                if let (Some(metrics), Some(reply)) = (metrics, &reply) {
                    metrics.finish(reply.outcome.is_ok());
                }
                reply
            }
            Message::Notification { method, params } => {
                self.handle_notification(conn, &method, params.as_ref());
                None
            }
            Message::Response { id, outcome } => {
                if !conn.deliver_response(&id, outcome) {
                    tracing::debug!(%id, "response to a request nobody waits for");
                }
                None
            }
        }
    }

    async fn handle_request(
        self: &Arc<Self>,
        conn: &Arc<Connection>,
        id: RequestId,
        method: &str,
        params: Option<Value>,
        sink: Option<Outbound>,
    ) -> Option<Reply> {
        let generation = Generation::of_params(params.as_ref());
        let (client_capabilities, log_level) = match generation {
            Generation::Modern => match read_envelope(params.as_ref()) {
                Ok(envelope) => envelope,
                Err(e) => return Some(Reply::error(Some(id), e)),
            },
            Generation::Legacy => {
                let Handshake { client_capabilities, log_level, .. } = conn.handshake();
                (client_capabilities, Some(log_level.unwrap_or(LogLevel::Debug)))
            }
        };
        let known = match generation {
            Generation::Modern => MODERN_METHODS.contains(&method),
            Generation::Legacy => !MODERN_ONLY_METHODS.contains(&method),
        };
        if !known {
            return Some(Reply::error(Some(id), ErrorObject::method_not_found(method)));
        }

        let progress_token = params.as_ref().and_then(|p| p.get("_meta")).and_then(|m| m.get("progressToken")).cloned();
        let Some(cancel) = conn.begin(&id) else {
            let error =
                ErrorObject::new(codes::INVALID_REQUEST, format!("a request with id {id} is already in flight"));
            return Some(Reply::error(Some(id), error));
        };
        let ctx = RequestContext::new(
            id.clone(),
            generation,
            progress_token,
            log_level,
            client_capabilities,
            sink,
            cancel.clone(),
            conn.clone(),
        );
        let call = Call { conn, id: &id, generation, ctx };
        // The handler is polled first: one that finishes at once never registers a waiter on
        // the cancellation token (a lock to take and a list to join and leave). A cancellation
        // that came first still wins below.
        let outcome = tokio::select! {
            biased;
            outcome = self.route(method, params, call) => Some(outcome),
            _ = cancel.cancelled() => None,
        };
        conn.end(&id);
        // A handler may finish in the same instant it is cancelled: the cancel wins.
        let Some(outcome) = outcome.filter(|_| !cancel.is_cancelled()) else {
            tracing::debug!(%id, method, "request cancelled; no response is sent");
            return None;
        };
        Some(match outcome {
            Ok(mut result) => {
                if generation == Generation::Modern {
                    self.stamp_modern(method, &mut result);
                }
                Reply::result(id, result)
            }
            Err(error) => Reply::error(Some(id), error),
        })
    }

    /// The method table. Each arm answers one method. The futures of the rarer methods that
    /// wait are boxed: held inline, they would make every request's future larger, and
    /// every request's future is moved whole into place (`tools/call` is the common one).
    async fn route(
        self: &Arc<Self>,
        method: &str,
        params: Option<Value>,
        call: Call<'_>,
    ) -> Result<Payload, ErrorObject> {
        let p = params.as_ref();
        let value = match method {
            "tools/list" => return self.list_tools(p, call.conn),
            "tools/call" => return self.call_tool(params, call).await,
            "initialize" => Ok(self.initialize(call.conn, p)),
            "ping" => Ok(json!({})),
            "server/discover" => Ok(self.discover()),
            "logging/setLevel" => lifecycle::set_level(call.conn, p),
            "resources/list" => self.list_resources(p),
            "resources/templates/list" => self.list_templates(p),
            "resources/read" => Box::pin(self.read_resource(p, call)).await,
            "resources/subscribe" => resources::subscribe(call.conn, p, true),
            "resources/unsubscribe" => resources::subscribe(call.conn, p, false),
            "prompts/list" => self.list_prompts(p),
            "prompts/get" => Box::pin(self.get_prompt(p, call)).await,
            "completion/complete" => self.complete(p),
            "subscriptions/listen" => Box::pin(self.listen(p, call)).await,
            "tasks/get" => self.get_task(p, &call),
            "tasks/result" => Box::pin(self.task_result(p, &call)).await,
            "tasks/list" => self.list_tasks(p, &call),
            "tasks/cancel" => self.cancel_task(p, &call),
            "tasks/update" => self.update_task(p, &call),
            _ => Err(ErrorObject::method_not_found(method)),
        };
        value.map(Payload::Value)
    }

    fn handle_notification(&self, conn: &Connection, method: &str, params: Option<&Value>) {
        match method {
            "notifications/initialized" => conn.handshake.lock().expect("handshake lock").initialized = true,
            "notifications/cancelled" => {
                match params.and_then(|p| p.get("requestId")).and_then(RequestId::from_value) {
                    Some(id) => {
                        if conn.cancel(&id) {
                            tracing::debug!(%id, "cancelled by the client");
                        }
                    }
                    None => tracing::debug!("notifications/cancelled without a usable requestId"),
                }
            }
            other => tracing::debug!(method = other, "ignored notification"),
        }
    }

    /// 2026-07-28 results carry `resultType`; list results also carry cache hints.
    fn stamp_modern(&self, method: &str, result: &mut Payload) {
        let cacheable = method.ends_with("/list") || method == "server/discover" || method == "resources/read";
        let hint = self.info.cache_hint;
        let scope = if hint.public { "public" } else { "private" };
        match result {
            Payload::Value(value) => {
                let Some(obj) = value.as_object_mut() else { return };
                obj.entry("resultType").or_insert_with(|| json!("complete"));
                if cacheable && obj.get("resultType") == Some(&json!("complete")) {
                    obj.insert("ttlMs".into(), json!(hint.ttl_ms));
                    obj.insert("cacheScope".into(), json!(scope));
                }
            }
            Payload::ToolPage(page) => {
                page.push_member("resultType", &json!("complete"));
                if cacheable {
                    page.push_member("ttlMs", &json!(hint.ttl_ms));
                    page.push_member("cacheScope", &json!(scope));
                }
            }
            Payload::Tool { result_type, .. } => *result_type = true,
        }
    }

    /// Where the page `params.cursor` asks for starts, in a list of `len` items.
    fn cursor_offset(&self, params: Option<&Value>, len: usize) -> Result<usize, ErrorObject> {
        match params.and_then(|p| p.get("cursor")) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::String(cursor)) => {
                pagination::decode(cursor, len).ok_or_else(|| ErrorObject::invalid_params("Invalid cursor"))
            }
            Some(_) => Err(ErrorObject::invalid_params("Invalid cursor: must be a string")),
        }
    }

    /// One page of a list, under `key`, with `nextCursor` when more follow.
    fn page(&self, key: &str, definitions: Vec<Value>, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let offset = self.cursor_offset(params, definitions.len())?;
        let (page, next) = pagination::page(&definitions, offset, self.info.page_size);
        let mut result = json!({ key: page });
        if let Some(next) = next {
            result["nextCursor"] = json!(next);
        }
        Ok(result)
    }
}

/// Validates a 2026-07-28 `_meta` envelope with the spec's error codes; yields the client's
/// capabilities and its log level opt-in.
fn read_envelope(params: Option<&Value>) -> Result<(Option<Arc<Value>>, Option<LogLevel>), ErrorObject> {
    let meta = envelope_meta(params)?;
    modern_version(meta)?;
    let log_level = match meta.get(LOG_LEVEL_META_KEY) {
        None | Some(Value::Null) => None,
        Some(level) => Some(
            level
                .as_str()
                .ok_or_else(|| ErrorObject::invalid_params(format!("`{LOG_LEVEL_META_KEY}` must be a string")))?
                .parse::<LogLevel>()
                .map_err(ErrorObject::invalid_params)?,
        ),
    };
    Ok((Some(Arc::new(meta[CLIENT_CAPABILITIES_META_KEY].clone())), log_level))
}

/// A required string field of `params`, or -32602 naming it.
fn required_str<'a>(params: Option<&'a Value>, field: &str, method: &str) -> Result<&'a str, ErrorObject> {
    params
        .and_then(|p| p.get(field))
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorObject::invalid_params(format!("{method} needs a string `{field}`")))
}

#[cfg(test)]
mod shaping_tests;
#[cfg(test)]
mod surface_tests;
#[cfg(test)]
mod task_tests;
#[cfg(test)]
mod tests;
