//! The per-request context a handler receives: progress, logging, cancellation and
//! requests to the client.

use super::connection::{Connection, Outbound};
use super::input::InputResponses;
use super::logging::LogLevel;
use super::tasks::TaskStore;
use crate::protocol::jsonrpc::{notification, request};
use crate::protocol::{ErrorObject, Generation, RequestId, codes};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Handed to every handler. Cheap to clone.
#[derive(Clone)]
pub struct RequestContext {
    inner: Arc<Inner>,
}

struct Inner {
    id: RequestId,
    generation: Generation,
    progress_token: Option<Value>,
    last_progress: Mutex<Option<f64>>,
    /// `None`: the client receives no log notifications for this request.
    log_level: Option<LogLevel>,
    client_capabilities: Option<Arc<Value>>,
    /// Where this request's notifications go (its own SSE stream, or the connection's).
    sink: Option<Outbound>,
    cancel: CancellationToken,
    connection: Arc<Connection>,
    /// Answers to an earlier input-required result, and the handler's own state.
    input: InputResponses,
    /// The HTTP status the API answered the call with (0: none yet), for the access log.
    upstream_status: std::sync::atomic::AtomicU16,
    /// The task this request runs as, if any.
    task: Option<TaskLink>,
}

impl Inner {
    /// The same request's state, for a context that carries it on (with the client's input, or
    /// as a task): the one place that copies every field.
    fn continued(&self) -> Inner {
        Inner {
            id: self.id.clone(),
            generation: self.generation,
            progress_token: self.progress_token.clone(),
            last_progress: Mutex::new(*self.last_progress.lock().expect("progress lock")),
            log_level: self.log_level,
            client_capabilities: self.client_capabilities.clone(),
            sink: self.sink.clone(),
            cancel: self.cancel.clone(),
            connection: self.connection.clone(),
            input: self.input.clone(),
            upstream_status: self.upstream_status.load(std::sync::atomic::Ordering::Relaxed).into(),
            task: self.task.clone(),
        }
    }
}

/// A request running as a task: what it reports is kept on the task, for `tasks/get`.
#[derive(Clone)]
pub(crate) struct TaskLink {
    pub store: Arc<TaskStore>,
    /// Set once the task exists (a 2026-07-28 call becomes one only after its first turn).
    pub id: Arc<OnceLock<String>>,
    /// 2025-11-25: its messages to the client name the task in `_meta`.
    pub tag_messages: bool,
}

impl RequestContext {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: RequestId,
        generation: Generation,
        progress_token: Option<Value>,
        log_level: Option<LogLevel>,
        client_capabilities: Option<Arc<Value>>,
        sink: Option<Outbound>,
        cancel: CancellationToken,
        connection: Arc<Connection>,
    ) -> Self {
        RequestContext {
            inner: Arc::new(Inner {
                id,
                generation,
                progress_token,
                last_progress: Mutex::new(None),
                log_level,
                client_capabilities,
                sink,
                cancel,
                connection,
                input: InputResponses::default(),
                upstream_status: Default::default(),
                task: None,
            }),
        }
    }

    /// The same request, now carrying the client's answers to an input-required result. When no
    /// one else holds this context (the usual case: the first call of a handler) it is updated in
    /// place instead of copied.
    pub(crate) fn with_input(mut self, input: InputResponses) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.input = input;
            return self;
        }
        let mut inner = self.inner.continued();
        inner.input = input;
        RequestContext { inner: Arc::new(inner) }
    }

    /// The same request running as a task: it outlives its request, so it has its own
    /// cancellation (`tasks/cancel`, the ttl, the connection closing) and sends to the
    /// connection's own channel (`sink`) instead of the request's. Its progress becomes the
    /// task's status message, and (2025-11-25) a wait for the client its `input_required`.
    pub(crate) fn for_task(&self, cancel: CancellationToken, sink: Option<Outbound>, task: Option<TaskLink>) -> Self {
        let inner = Inner {
            last_progress: Mutex::new(None),
            sink,
            cancel,
            upstream_status: Default::default(),
            task,
            ..self.inner.continued()
        };
        RequestContext { inner: Arc::new(inner) }
    }

    /// Notes the HTTP status the API answered this call with (what generated tools call), for
    /// the access log.
    pub fn set_upstream_status(&self, status: u16) {
        self.inner.upstream_status.store(status, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn upstream_status(&self) -> Option<u16> {
        Some(self.inner.upstream_status.load(std::sync::atomic::Ordering::Relaxed)).filter(|s| *s != 0)
    }

    /// The client's answer to the input request under `key`, on a follow-up call.
    pub fn input_response(&self, key: &str) -> Option<&Value> {
        self.inner.input.responses.as_ref().and_then(|r| r.get(key))
    }

    /// Whether this call carries answers to an earlier input-required result.
    pub fn has_input_responses(&self) -> bool {
        self.inner.input.responses.is_some()
    }

    /// The state the handler put in its input-required result, verified unchanged.
    pub fn request_state(&self) -> Option<&str> {
        self.inner.input.state.as_deref()
    }

    /// The JSON-RPC id of the request being handled.
    pub fn request_id(&self) -> &RequestId {
        &self.inner.id
    }

    pub fn generation(&self) -> Generation {
        self.inner.generation
    }

    /// The capabilities the client declared (`initialize`, or this request's `_meta`).
    pub fn client_capabilities(&self) -> &Value {
        static NONE_DECLARED: Value = Value::Null;
        self.inner.client_capabilities.as_deref().unwrap_or(&NONE_DECLARED)
    }

    /// Who sent the request, when an HTTP transport authenticated it (static bearer token or
    /// OAuth access token): subject, client and scopes, so a tool can decide per caller. `None`
    /// on STDIO and on HTTP without authentication.
    pub fn identity(&self) -> Option<std::sync::Arc<crate::auth::Identity>> {
        self.inner.connection.identity()
    }

    /// The API credentials the client brought for its own calls (`--client-credential`), by
    /// security scheme; `None` when the server maps none (or on STDIO).
    pub fn api_credentials(&self) -> Option<std::sync::Arc<crate::auth::ApiCredentials>> {
        self.inner.connection.api_credentials()
    }

    /// Fires when the client cancels the request or goes away; long handlers should watch it.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// Whether this request runs as a task (its handler may take as long as the task lives).
    pub fn is_task(&self) -> bool {
        self.inner.task.is_some()
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }

    /// Reports progress, if the client asked for it with a progress token. Values must increase;
    /// a value not above the last one is dropped (the spec requires increasing progress).
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        if let Some((task, id)) = self.inner.task.as_ref().and_then(|t| Some((t, t.id.get()?))) {
            let text = match (message, total) {
                (Some(message), _) => message.to_string(),
                (None, Some(total)) => format!("{progress} of {total}"),
                (None, None) => progress.to_string(),
            };
            task.store.set_message(id, text);
        }
        let Some(token) = &self.inner.progress_token else { return };
        {
            let mut last = self.inner.last_progress.lock().expect("progress lock");
            if last.is_some_and(|l| progress <= l) {
                tracing::debug!(progress, "dropped a progress value that does not increase");
                return;
            }
            *last = Some(progress);
        }
        let mut params = Map::new();
        params.insert("progressToken".into(), token.clone());
        params.insert("progress".into(), json!(progress));
        if let Some(total) = total {
            params.insert("total".into(), json!(total));
        }
        if let Some(message) = message {
            params.insert("message".into(), json!(message));
        }
        self.send(notification("notifications/progress", Value::Object(params))).await;
    }

    /// Sends a `notifications/message` log entry if `level` is at or above the client's level.
    pub async fn log(&self, level: LogLevel, logger: Option<&str>, data: Value) {
        if self.inner.log_level.is_none_or(|min| level < min) {
            return;
        }
        let mut params = Map::new();
        params.insert("level".into(), json!(level.as_str()));
        if let Some(logger) = logger {
            params.insert("logger".into(), json!(logger));
        }
        params.insert("data".into(), data);
        self.send(notification("notifications/message", Value::Object(params))).await;
    }

    /// Sends any notification on this request's stream.
    pub async fn notify(&self, method: &str, params: Value) {
        self.send(notification(method, params)).await;
    }

    /// Sends a request to the client (`sampling/createMessage`, `elicitation/create`, `roots/list`)
    /// and waits for its answer. Only legacy sessions have this back channel.
    pub async fn request_client(&self, method: &str, params: Value, timeout: Duration) -> Result<Value, ErrorObject> {
        if self.inner.generation == Generation::Modern {
            return Err(ErrorObject::new(
                codes::INVALID_REQUEST,
                "2026-07-28 requests have no back channel for server-to-client requests",
            ));
        }
        let Some(sink) = &self.inner.sink else {
            return Err(ErrorObject::internal("this transport cannot send requests to the client"));
        };
        let conn = &self.inner.connection;
        let (id, answer) = conn.expect_response();
        if sink.send(self.tagged(request(&id, method, params))).await.is_err() {
            conn.forget_request(&id);
            return Err(ErrorObject::internal("the client connection is closed"));
        }
        // A task waiting for its client says so until the answer comes (or not).
        let _waiting = self.inner.task.as_ref().and_then(|t| Some(t.store.waiting(t.id.get()?)));
        let outcome = tokio::select! {
            r = tokio::time::timeout(timeout, answer) => r,
            _ = self.inner.cancel.cancelled() => {
                conn.forget_request(&id);
                return Err(ErrorObject::internal("the request was cancelled"));
            }
        };
        match outcome {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ErrorObject::internal("the client connection closed before answering")),
            Err(_) => {
                conn.forget_request(&id);
                Err(ErrorObject::internal(format!("the client did not answer `{method}` within {timeout:?}")))
            }
        }
    }

    /// This request's outbound channel, for streams that outlive single notifications.
    pub(crate) fn sink(&self) -> Option<&Outbound> {
        self.inner.sink.as_ref()
    }

    async fn send(&self, message: Value) {
        if let Some(sink) = &self.inner.sink {
            // A closed sink means the client is gone; the request will be cancelled.
            let _ = sink.send(self.tagged(message)).await;
        }
    }

    /// `message` with `params._meta` naming this request's task, when it runs as one.
    fn tagged(&self, mut message: Value) -> Value {
        if let Some(task) = self.inner.task.as_ref().filter(|t| t.tag_messages).and_then(|t| t.id.get())
            && let Some(params) = message.get_mut("params").and_then(Value::as_object_mut)
        {
            let meta = params.entry("_meta").or_insert_with(|| json!({}));
            if let Some(meta) = meta.as_object_mut() {
                meta.insert(super::tasks::RELATED_TASK_META_KEY.into(), json!({"taskId": task}));
            }
        }
        message
    }
}

#[cfg(test)]
impl RequestContext {
    /// A legacy request on a connection of its own, cancelled by `cancel`, running as a task
    /// (`task`) or not: for unit tests of handlers elsewhere in the crate.
    pub(crate) fn for_tests(task: bool, cancel: CancellationToken) -> RequestContext {
        let ctx = RequestContext::new(
            RequestId::Number(1),
            Generation::Legacy,
            None,
            None,
            None,
            None,
            CancellationToken::new(),
            Arc::new(Connection::new(None)),
        );
        let link = task.then(|| TaskLink {
            store: Arc::new(TaskStore::new(super::TaskLimits::default())),
            id: Arc::default(),
            tag_messages: false,
        });
        ctx.for_task(cancel, None, link)
    }
}
