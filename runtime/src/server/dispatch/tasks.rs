//! Tasks on the wire: a `tools/call` that runs as a task, and `tasks/*`, in both generations.
//!
//! 2025-11-25: the client asks with `params.task` (`ttl`); the answer is `{"task": Task}`;
//! `tasks/get` gives the task, `tasks/result` waits for the end and answers what the call would
//! have, `tasks/list` pages the client's tasks, `tasks/cancel` answers the cancelled task and
//! refuses a finished one (-32602). A tool result with `isError` is a `failed` task.
//!
//! 2026-07-28 (the `io.modelcontextprotocol/tasks` extension): a client that declares the
//! extension in a request's capabilities can take a task, and the server decides: the handler's
//! first turn runs in the request, and only a handler still running after it becomes a task
//! (a fast answer, or a request for input before any work, is answered directly). The created
//! task is flat (`resultType: "task"`, `ttlMs`, `pollIntervalMs`); `tasks/get` inlines the result
//! or error, and the pending `inputRequests`, answered through `tasks/update`; `tasks/cancel` is
//! an empty acknowledgement, also for a finished task. `tasks/result` and `tasks/list` do not
//! exist (-32601). A tool error is a `completed` task whose result has `isError`; `failed` is for
//! protocol errors (a handler that panicked).

use super::tools::Ran;
use super::{Call, Dispatcher};
use crate::protocol::{ErrorObject, Generation, codes};
use crate::server::connection::Connection;
use crate::server::context::{RequestContext, TaskLink};
use crate::server::input::{InputResponses, MAX_LEGACY_ROUNDS};
use crate::server::reply::Payload;
use crate::server::tasks::{EXTENSION, Party, RELATED_TASK_META_KEY, Snapshot, Status, TaskSupport};
use crate::server::tool::RegisteredTool;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// How a `tools/call` runs as a task.
pub(super) enum Plan {
    /// 2025-11-25: the client asked, for this long.
    Legacy { ttl_ms: Option<u64> },
    /// 2026-07-28: the client can take one; the server makes one if the handler takes time.
    Modern,
}

/// What a 2026-07-28 task needs to run its handler again with the client's input.
struct Resume {
    arguments: Value,
    filter: Option<String>,
    ctx: RequestContext,
}

impl Dispatcher {
    /// Whether any tool may run as a task: only then does the server say it has tasks.
    pub(super) fn has_task_tools(&self) -> bool {
        self.state.tools.read().expect("tools lock").items().iter().any(|t| t.task_support != TaskSupport::Forbidden)
    }

    /// Whether this call runs as a task, or the error a tool that must (or must not) run as one
    /// gets when the call cannot be served that way.
    pub(super) fn plan(
        &self,
        tool: &RegisteredTool,
        params: &Value,
        call: &Call<'_>,
    ) -> Result<Option<Plan>, ErrorObject> {
        let support = tool.task_support;
        let name = &tool.name;
        if call.generation == Generation::Modern {
            // A legacy `task` param is ignored here: the server decides.
            return match (support, declares_extension(call.ctx.client_capabilities())) {
                (TaskSupport::Forbidden, _) | (TaskSupport::Optional, false) => Ok(None),
                (_, true) => Ok(Some(Plan::Modern)),
                (TaskSupport::Required, false) => Err(missing_extension(format!("tool `{name}` runs only as a task"))),
            };
        }
        let ttl_ms = match params.get("task") {
            None | Some(Value::Null) => None,
            Some(Value::Object(task)) => Some(match task.get("ttl") {
                None | Some(Value::Null) => None,
                Some(ttl) => Some(ttl.as_u64().ok_or_else(|| {
                    ErrorObject::invalid_params("tools/call `task.ttl` must be a whole number of milliseconds")
                })?),
            }),
            Some(_) => return Err(ErrorObject::invalid_params("tools/call `task` must be an object")),
        };
        match (support, ttl_ms) {
            (TaskSupport::Required, None) => Err(ErrorObject::new(
                codes::METHOD_NOT_FOUND,
                format!("tool `{name}` runs only as a task: call it with a `task` parameter"),
            )),
            // A server without task tools has not declared tasks: it ignores the parameter.
            (TaskSupport::Forbidden, Some(_)) if self.has_task_tools() => Err(ErrorObject::new(
                codes::METHOD_NOT_FOUND,
                format!("tool `{name}` does not run as a task: call it without a `task` parameter"),
            )),
            (TaskSupport::Forbidden, _) | (_, None) => Ok(None),
            (_, Some(ttl_ms)) => Ok(Some(Plan::Legacy { ttl_ms })),
        }
    }

    /// Starts `tool` as a task and answers with it (or, on 2026-07-28, answers directly when the
    /// handler's first turn already finished).
    pub(super) async fn start_task(
        self: &Arc<Self>,
        plan: Plan,
        tool: Arc<RegisteredTool>,
        arguments: Value,
        filter: Option<String>,
        ctx: RequestContext,
        conn: &Arc<Connection>,
    ) -> Result<Payload, ErrorObject> {
        let token = CancellationToken::new();
        let too_many = |message: String| ErrorObject::new(codes::INVALID_REQUEST, message);
        match plan {
            Plan::Legacy { ttl_ms } => {
                let party = conn.party();
                let task = self.tasks.create(party, ttl_ms, token.clone()).map_err(too_many)?;
                // Progress and requests to the client go to the connection's own channel: the
                // request's ends with this answer.
                let link = TaskLink {
                    store: Arc::clone(&self.tasks),
                    id: Arc::new(task.id.clone().into()),
                    tag_messages: true,
                };
                let ctx = ctx.for_task(token.clone(), conn.outbound.clone(), Some(link));
                let run = self.run_boxed(tool.clone(), arguments, filter, ctx, Generation::Legacy);
                let runner = TaskRun { id: task.id.clone(), party, tool, token, conn: conn.clone(), resume: None };
                tokio::spawn(Arc::clone(self).run_task(run, runner));
                Ok(Payload::Value(json!({"task": legacy_task(&task)})))
            }
            Plan::Modern => {
                let link = TaskLink { store: Arc::clone(&self.tasks), id: Arc::default(), tag_messages: false };
                let ctx = ctx.for_task(token.clone(), None, Some(link.clone()));
                let mut run =
                    self.run_boxed(tool.clone(), arguments.clone(), filter.clone(), ctx.clone(), Generation::Modern);
                if let Some(ran) = (&mut run).now_or_never() {
                    return Ok(self.answer_now(&tool, ran));
                }
                let party = conn.party();
                let task = self.tasks.create(party, None, token.clone()).map_err(too_many)?;
                let _ = link.id.set(task.id.clone());
                let resume = Some(Resume { arguments, filter, ctx });
                let runner = TaskRun { id: task.id.clone(), party, tool, token, conn: conn.clone(), resume };
                tokio::spawn(Arc::clone(self).run_task(run, runner));
                let mut created = modern_task(&task);
                created.insert("resultType".into(), json!("task"));
                Ok(Payload::Value(Value::Object(created)))
            }
        }
    }

    /// `run_tool` as a future that owns what it uses, to outlive the request.
    fn run_boxed(
        self: &Arc<Self>,
        tool: Arc<RegisteredTool>,
        arguments: Value,
        filter: Option<String>,
        ctx: RequestContext,
        generation: Generation,
    ) -> BoxFuture<'static, Ran> {
        let this = Arc::clone(self);
        Box::pin(async move { this.run_tool(&tool, arguments, filter, ctx, generation).await })
    }

    /// Drives a task's handler to its end and records the outcome. Stops when the task is
    /// cancelled or expires (the store already says so), or when its connection closes (its
    /// tasks are then dropped).
    async fn run_task(self: Arc<Self>, mut run: BoxFuture<'static, Ran>, task: TaskRun) {
        let TaskRun { id, party, tool, token, conn, mut resume } = task;
        let mut rounds = 0;
        let (status, outcome) = loop {
            let ran = tokio::select! {
                ran = &mut run => ran,
                _ = token.cancelled() => return,
                _ = conn.closed().cancelled() => {
                    self.tasks.forget_party(party);
                    return;
                }
            };
            let required = match ran {
                Ran::Done(result) => {
                    // 2025-11-25 counts a tool error as a failed task; 2026-07-28 as completed.
                    let failed = resume.is_none() && result.is_error;
                    let status = if failed { Status::Failed } else { Status::Completed };
                    break (status, Ok(Payload::Tool { result, result_type: false }.into_value()));
                }
                Ran::Panicked => {
                    break (
                        Status::Failed,
                        Err(ErrorObject::internal(format!("tool `{}` failed unexpectedly", tool.name))),
                    );
                }
                Ran::NeedsInput(required) => required,
            };
            let Some(resume) = resume.as_mut() else {
                break (Status::Failed, Err(ErrorObject::internal("a legacy task cannot ask for input this way")));
            };
            rounds += 1;
            if rounds > MAX_LEGACY_ROUNDS {
                let error = format!("tool `{}` kept asking for input after {MAX_LEGACY_ROUNDS} rounds", tool.name);
                let result = crate::server::result::ToolResult::error(error);
                break (Status::Completed, Ok(Payload::Tool { result, result_type: false }.into_value()));
            }
            let Some(answered) = self.tasks.ask_input(&id, required.requests) else { return };
            let answers = tokio::select! {
                answers = answered => match answers {
                    Ok(answers) => answers,
                    Err(_) => return,
                },
                _ = token.cancelled() => return,
                _ = conn.closed().cancelled() => {
                    self.tasks.forget_party(party);
                    return;
                }
            };
            resume.ctx =
                resume.ctx.clone().with_input(InputResponses { responses: Some(answers), state: required.state });
            run = self.run_boxed(
                tool.clone(),
                resume.arguments.clone(),
                resume.filter.clone(),
                resume.ctx.clone(),
                Generation::Modern,
            );
        };
        self.tasks.finish(&id, status, outcome);
        // 2025-11-25 status notification, on the connection's own channel (best effort; a
        // stateless connection has none).
        if let (true, Some(task)) = (resume.is_none(), self.tasks.get(&id, party)) {
            conn.try_notify("notifications/tasks/status", Value::Object(legacy_fields(&task)));
        }
    }

    pub(super) fn get_task(&self, params: Option<&Value>, call: &Call<'_>) -> Result<Value, ErrorObject> {
        let (id, party) = self.target(params, call, "tasks/get")?;
        let task = self.tasks.get(id, party).ok_or_else(|| unknown_task(id))?;
        Ok(match call.generation {
            Generation::Legacy => legacy_task(&task),
            Generation::Modern => Value::Object(detailed_task(&task)),
        })
    }

    /// 2025-11-25: waits for the task's end, then answers what the call would have.
    pub(super) async fn task_result(&self, params: Option<&Value>, call: &Call<'_>) -> Result<Value, ErrorObject> {
        let (id, party) = self.target(params, call, "tasks/result")?;
        let mut status = self.tasks.watch(id, party).ok_or_else(|| unknown_task(id))?;
        if status.wait_for(|s| s.is_terminal()).await.is_err() {
            return Err(ErrorObject::invalid_params(format!("Failed to retrieve task: task {id} has expired")));
        }
        let task = self.tasks.get(id, party).ok_or_else(|| unknown_task(id))?;
        match task.outcome {
            Some(Ok(mut result)) => {
                if let Some(obj) = result.as_object_mut() {
                    let meta = obj.entry("_meta").or_insert_with(|| json!({}));
                    if let Some(meta) = meta.as_object_mut() {
                        meta.insert(RELATED_TASK_META_KEY.into(), json!({"taskId": id}));
                    }
                }
                Ok(result)
            }
            Some(Err(error)) => Err(error),
            None => Err(ErrorObject::invalid_params(format!("task {id} was cancelled: it has no result"))),
        }
    }

    /// 2025-11-25: one page of the client's tasks, oldest first.
    pub(super) fn list_tasks(&self, params: Option<&Value>, call: &Call<'_>) -> Result<Value, ErrorObject> {
        let offset = self.cursor_offset(params, usize::MAX)?;
        let page = self.info.page_size.unwrap_or(100);
        let (tasks, more) = self.tasks.list(call.conn.party(), offset, page);
        let mut result = json!({"tasks": tasks.iter().map(legacy_task).collect::<Vec<_>>()});
        if more {
            result["nextCursor"] = json!(crate::server::pagination::encode(offset + tasks.len()));
        }
        Ok(result)
    }

    pub(super) fn cancel_task(&self, params: Option<&Value>, call: &Call<'_>) -> Result<Value, ErrorObject> {
        use crate::server::tasks::CancelRefused;
        let (id, party) = self.target(params, call, "tasks/cancel")?;
        let modern = call.generation == Generation::Modern;
        match self.tasks.cancel(id, party) {
            Ok(task) if modern => {
                tracing::debug!(task = task.id, "task cancelled");
                Ok(json!({}))
            }
            Ok(task) => Ok(legacy_task(&task)),
            Err(CancelRefused::Unknown) => Err(unknown_task(id)),
            // 2026-07-28 acknowledges a finished task alike; it stays as it was.
            Err(CancelRefused::Terminal(_)) if modern => Ok(json!({})),
            Err(CancelRefused::Terminal(task)) => {
                Err(ErrorObject::invalid_params(format!("Cannot cancel task: it is already {}", task.status.as_str())))
            }
        }
    }

    /// 2026-07-28: the client's answers to a task's input requests; an empty acknowledgement.
    pub(super) fn update_task(&self, params: Option<&Value>, call: &Call<'_>) -> Result<Value, ErrorObject> {
        let (id, party) = self.target(params, call, "tasks/update")?;
        let responses = match params.and_then(|p| p.get("inputResponses")) {
            Some(Value::Object(responses)) => responses.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(ErrorObject::invalid_params("tasks/update `inputResponses` must be an object")),
        };
        if !self.tasks.answer(id, party, responses) {
            return Err(unknown_task(id));
        }
        Ok(json!({}))
    }

    /// The task a `tasks/*` request names, and who asks: -32021 on 2026-07-28 without the
    /// extension, -32602 without a string `taskId`.
    fn target<'p>(
        &self,
        params: Option<&'p Value>,
        call: &Call<'_>,
        method: &str,
    ) -> Result<(&'p str, Party), ErrorObject> {
        if call.generation == Generation::Modern && !declares_extension(call.ctx.client_capabilities()) {
            return Err(missing_extension(format!("{method} is part of the tasks extension")));
        }
        let id = super::required_str(params, "taskId", method)?;
        Ok((id, call.conn.party()))
    }
}

/// What a spawned task's runner holds.
struct TaskRun {
    id: String,
    party: Party,
    tool: Arc<RegisteredTool>,
    token: CancellationToken,
    conn: Arc<Connection>,
    /// 2026-07-28 only: how to run the handler again with the client's input.
    resume: Option<Resume>,
}

/// Whether the client declared the tasks extension in this request's capabilities.
pub(super) fn declares_extension(capabilities: &Value) -> bool {
    capabilities.get("extensions").and_then(|e| e.get(EXTENSION)).is_some()
}

/// -32021 naming the extension, with `requiredCapabilities` shaped as a client declares it.
pub(super) fn missing_extension(what: String) -> ErrorObject {
    ErrorObject::new(
        codes::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!("{what}: the client must declare the `{EXTENSION}` extension in its capabilities"),
    )
    .with_data(json!({"requiredCapabilities": {"extensions": {EXTENSION: {}}}}))
}

fn unknown_task(id: &str) -> ErrorObject {
    ErrorObject::invalid_params(format!("Failed to retrieve task: no task {id:?} (unknown, expired, or not yours)"))
}

/// The fields both generations' tasks share.
fn common(task: &Snapshot) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("taskId".into(), json!(task.id));
    fields.insert("status".into(), json!(task.status.as_str()));
    if let Some(message) = &task.status_message {
        fields.insert("statusMessage".into(), json!(message));
    }
    fields.insert("createdAt".into(), json!(task.created_at));
    fields.insert("lastUpdatedAt".into(), json!(task.last_updated_at));
    fields
}

/// A 2025-11-25 `Task`.
fn legacy_fields(task: &Snapshot) -> Map<String, Value> {
    let mut fields = common(task);
    fields.insert("ttl".into(), json!(task.ttl_ms));
    fields.insert("pollInterval".into(), json!(task.poll_interval_ms));
    fields
}

fn legacy_task(task: &Snapshot) -> Value {
    Value::Object(legacy_fields(task))
}

/// A 2026-07-28 `Task`: durations in whole milliseconds, named so.
fn modern_task(task: &Snapshot) -> Map<String, Value> {
    let mut fields = common(task);
    fields.insert("ttlMs".into(), json!(task.ttl_ms));
    fields.insert("pollIntervalMs".into(), json!(task.poll_interval_ms));
    fields
}

/// A 2026-07-28 `DetailedTask`: the task with its result or error, or what it waits for.
pub(super) fn detailed_task(task: &Snapshot) -> Map<String, Value> {
    let mut fields = modern_task(task);
    match &task.outcome {
        Some(Ok(result)) => {
            fields.insert("result".into(), result.clone());
        }
        Some(Err(error)) => {
            fields.insert("error".into(), error.to_value());
        }
        None => {}
    }
    if let Some(requests) = &task.input_requests {
        fields.insert("inputRequests".into(), Value::Object(requests.clone()));
    }
    fields
}
