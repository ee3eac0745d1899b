//! `tools/list` and `tools/call`.

use super::{Call, Dispatcher, pagination};
use crate::protocol::{ErrorObject, Generation, codes};
use crate::server::catalog::{Selection, ToolMode, meta, search::SearchIndex, tokens};
use crate::server::connection::Connection;
use crate::server::context::RequestContext;
use crate::server::input::{InputRequired, InputResponses, MAX_LEGACY_ROUNDS, fulfil_on_legacy};
use crate::server::reply::Payload;
use crate::server::result::ToolResult;
use crate::server::tool::RegisteredTool;
use crate::server::tool_page::ToolPage;
use futures::FutureExt;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;

impl Dispatcher {
    /// One page of tools, written from each tool's stored definition text when it is sent
    /// ([`ToolPage`]): a large API's page is never parsed into a tree, nor scanned (each schema
    /// goes on one line as it is written, `Schema::write_one_line`). What the page holds depends
    /// on the client's selection and the surface's mode.
    pub(super) fn list_tools(&self, params: Option<&Value>, conn: &Connection) -> Result<Payload, ErrorObject> {
        let selection = self.selection(conn);
        let tools = self.state.tools.read().expect("tools lock");
        // Hidden tools are callable, never listed.
        let selected: Cow<'_, [Arc<RegisteredTool>]> =
            if selection.is_everything() && !tools.items().iter().any(|t| t.catalog.hidden) {
                Cow::Borrowed(tools.items())
            } else {
                Cow::Owned(tools.items().iter().filter(|t| listed(&selection, t)).cloned().collect())
            };
        let listed: &[Arc<RegisteredTool>] = match self.mode(&selection, selected.iter().map(|t| &**t)) {
            ToolMode::Dynamic => self.meta_tools(selection.read_only),
            _ => &selected,
        };
        let offset = self.cursor_offset(params, listed.len())?;
        let (page, next) = pagination::page(listed, offset, self.info.page_size);
        Ok(Payload::ToolPage(ToolPage::new(page, next.as_deref())))
    }

    pub(super) async fn call_tool(
        self: &Arc<Self>,
        params: Option<Value>,
        call: Call<'_>,
    ) -> Result<Payload, ErrorObject> {
        let params = params.unwrap_or_else(|| json!({}));
        let name = super::required_str(Some(&params), "name", "tools/call")?;
        let selection = self.selection(call.conn);
        if meta::is_meta(name) && self.dynamic_for(&selection) {
            return self.call_meta(params, call, &selection).await;
        }
        let tool = self.state.tools.read().expect("tools lock").get(name);
        match tool {
            Some(tool) if selection.admits(&tool) => self.call_catalog_tool(tool, params, call).await,
            Some(tool) if !selection.grants_scopes_of(&tool) => Err(insufficient_scope(&tool)),
            _ => Err(ErrorObject::invalid_params(format!("Unknown tool: {name}"))),
        }
    }

    /// Every scope some tool needs: what an OAuth server's challenges and metadata advertise.
    pub(crate) fn tool_scopes(&self) -> Vec<String> {
        let tools = self.state.tools.read().expect("tools lock");
        tools.items().iter().flat_map(|t| t.scopes.iter().cloned()).collect()
    }

    /// The scopes a `tools/call` (or the dynamic surface's `call_tool`) needs that `granted` lacks,
    /// as every scope its tool needs: what an HTTP transport answers with 403 before dispatching.
    /// `None` when the call is allowed, or names no tool it could check.
    pub(crate) fn scopes_needed(
        &self,
        method: &str,
        params: Option<&Value>,
        granted: &[String],
    ) -> Option<Vec<String>> {
        if method != "tools/call" {
            return None;
        }
        let params = params?;
        let mut name = params.get("name")?.as_str()?;
        if matches!(name, meta::CALL | meta::CALL_READ_ONLY) {
            name = params.get("arguments")?.get("name")?.as_str()?;
        }
        let tool = self.state.tools.read().expect("tools lock").get(name)?;
        let lacking = tool.scopes.iter().any(|s| !granted.contains(s));
        lacking.then(|| tool.scopes.clone())
    }

    /// The client's selection: the server's, narrowed by the client's own.
    /// Within the scopes the client's OAuth token grants, when it has one.
    fn selection<'a>(&'a self, conn: &Connection) -> Cow<'a, Selection> {
        let server = &self.info.surface.selection;
        let selection = match &conn.selection {
            None => Cow::Borrowed(server),
            Some(client) => Cow::Owned(server.narrowed_by(client)),
        };
        match conn.identity().and_then(|identity| identity.scopes.clone()) {
            None => selection,
            granted => Cow::Owned(selection.into_owned().within_scopes(granted)),
        }
    }

    /// `All` or `Dynamic` for a client that sees `selected` (read only for `Auto`, which is `All`
    /// while their definitions fit the budget).
    fn mode<'t>(&self, selection: &Selection, selected: impl Iterator<Item = &'t RegisteredTool>) -> ToolMode {
        match selection.mode.unwrap_or(self.info.surface.mode) {
            ToolMode::Auto => {
                let bytes: usize = selected.map(RegisteredTool::model_facing_len).sum();
                if tokens(bytes) <= self.info.surface.budget() { ToolMode::All } else { ToolMode::Dynamic }
            }
            mode => mode,
        }
    }

    /// Whether a client with `selection` is served the dynamic surface.
    fn dynamic_for(&self, selection: &Selection) -> bool {
        let tools = self.state.tools.read().expect("tools lock");
        let selected = tools.items().iter().map(|t| &**t).filter(|t| listed(selection, t));
        self.mode(selection, selected) == ToolMode::Dynamic
    }

    /// The dynamic surface's tools, built the first time a client is served them (only the set
    /// it is served: a read-only client's has no `call_tool`).
    fn meta_tools(&self, read_only: bool) -> &[Arc<RegisteredTool>] {
        self.meta_tools[usize::from(read_only)].get_or_init(|| meta::tools(read_only))
    }

    /// The search index of the tools as they are now.
    fn search_index(&self) -> Arc<SearchIndex> {
        let version = self.state.tools_version.load(Ordering::Relaxed);
        let mut cached = self.search.lock().expect("search index lock");
        if let Some((built_at, index)) = cached.as_ref()
            && *built_at == version
        {
            return Arc::clone(index);
        }
        let index = Arc::new(SearchIndex::new(self.state.tools.read().expect("tools lock").items()));
        *cached = Some((version, Arc::clone(&index)));
        index
    }

    /// `search_tools`, `describe_tools`, `call_tool` and `call_read_only_tool`, within the
    /// client's selection. Their own arguments are checked against their schemas as any tool's.
    async fn call_meta(
        self: &Arc<Self>,
        mut params: Value,
        call: Call<'_>,
        selection: &Selection,
    ) -> Result<Payload, ErrorObject> {
        let name = params["name"].as_str().unwrap_or_default().to_string();
        let result = |result| Ok(Payload::Tool { result, result_type: false });
        let Some(tool) = self.meta_tools(selection.read_only).iter().find(|t| t.name == name).cloned() else {
            // `call_tool` is not offered to a read-only client.
            return Err(ErrorObject::invalid_params(format!("Unknown tool: {name}")));
        };
        let arguments = match checked_arguments(&tool, &mut params)? {
            Ok(arguments) => arguments,
            Err(invalid) => return result(invalid),
        };
        let index = self.search_index();
        // Calls and descriptions reach a hidden tool by its name; searches and suggestions do not.
        let admits = |t: &RegisteredTool| selection.admits(t);
        let listed = |t: &RegisteredTool| listed(selection, t);
        match name.as_str() {
            meta::SEARCH => result(meta::search(&index, &arguments, listed)),
            meta::DESCRIBE => {
                let tools = self.state.tools.read().expect("tools lock");
                let names = arguments["names"].as_array().map(Vec::as_slice).unwrap_or_default();
                let found = names
                    .iter()
                    .map(|n| {
                        let n = n.as_str().unwrap_or_default();
                        tools.get(n).filter(|t| admits(t)).ok_or_else(|| meta::unknown(n, &index, listed))
                    })
                    .collect();
                result(meta::describe(found))
            }
            _ => {
                let target = arguments["name"].as_str().unwrap_or_default();
                let found = self.state.tools.read().expect("tools lock").get(target);
                let tool = match found {
                    Some(tool) if admits(&tool) => tool,
                    Some(tool) if !selection.grants_scopes_of(&tool) => return Err(insufficient_scope(&tool)),
                    _ => return result(ToolResult::error(meta::unknown(target, &index, listed))),
                };
                if name == meta::CALL_READ_ONLY && !tool.read_only {
                    return result(ToolResult::error(format!(
                        "`{target}` is not read-only: it may change something, and `{}` calls only tools that read{}",
                        meta::CALL_READ_ONLY,
                        if selection.read_only { "" } else { "; call it with `call_tool`" }
                    )));
                }
                // The catalogue tool's own call: the same validation, handler and result, with
                // the request's `_meta` and any input responses carried over.
                params["name"] = json!(target);
                params["arguments"] = arguments.get("arguments").cloned().unwrap_or_else(|| json!({}));
                Box::pin(self.call_catalog_tool(tool, params, call)).await
            }
        }
    }

    /// Calls `tool` of the catalogue: arguments checked, then run at once or as a task
    /// (`tasks.rs` decides), the handler run over as many rounds of input as it asks for, the
    /// output checked against its schema.
    async fn call_catalog_tool(
        self: &Arc<Self>,
        tool: Arc<RegisteredTool>,
        mut params: Value,
        call: Call<'_>,
    ) -> Result<Payload, ErrorObject> {
        let name = tool.name.as_str();
        if call.generation == Generation::Modern {
            check_client_capabilities(&tool.required_client_capabilities, call.ctx.client_capabilities(), name)?;
        }
        let plan = self.plan(&tool, &params, &call)?;
        let mut arguments = match checked_arguments(&tool, &mut params)? {
            Ok(arguments) => arguments,
            Err(invalid) => {
                tool.record_call(std::time::Instant::now(), true);
                return Ok(Payload::Tool { result: invalid, result_type: false });
            }
        };
        // Which arguments, never their values: a model passes what it was given, secrets included.
        if super::logs_tool_calls() && tracing::enabled!(target: "mcpgen::access", tracing::Level::DEBUG) {
            let names: Vec<&str> =
                arguments.as_object().map(|a| a.keys().map(String::as_str).collect()).unwrap_or_default();
            tracing::debug!(target: "mcpgen::access", tool = name, arguments = ?names, "tool call arguments");
        }
        let filter = tool.shaping.take_filter(&mut arguments);
        let scope = || format!("tools/call:{name}");
        let Call { conn, generation, ctx, .. } = call;
        // The request's own context, updated in place (not copied) when no one else holds it.
        let ctx = ctx.with_input(InputResponses::from_params(Some(&params), &self.signer, scope)?);
        if let Some(plan) = plan {
            // Boxed: a rare path, kept out of every call's future.
            return Box::pin(self.start_task(plan, tool, arguments, filter, ctx, conn)).await;
        }
        let ran = self.run_tool(&tool, arguments, filter, ctx, generation).await;
        Ok(self.answer_now(&tool, ran))
    }

    /// What a call that ran to its end (or to a request for input) answers directly.
    pub(super) fn answer_now(&self, tool: &RegisteredTool, ran: Ran) -> Payload {
        let result = match ran {
            Ran::Done(result) => result,
            Ran::NeedsInput(required) => {
                let scope = format!("tools/call:{}", tool.name);
                return Payload::Value(required.to_value(&self.signer, &scope));
            }
            Ran::Panicked => ToolResult::error(format!("tool `{}` failed unexpectedly", tool.name)),
        };
        Payload::Tool { result, result_type: false }
    }

    /// Runs the handler with checked `arguments`: over as many rounds of input as it asks for
    /// on a legacy connection with a back channel (a 2026-07-28 request hands the request for
    /// input back instead), then the jq filter, the result limit and the output schema.
    pub(super) async fn run_tool(
        &self,
        tool: &RegisteredTool,
        arguments: Value,
        filter: Option<String>,
        mut ctx: RequestContext,
        generation: Generation,
    ) -> Ran {
        let name = tool.name.as_str();
        let started = std::time::Instant::now();
        // Only a legacy request with a channel to the client can come back for another round
        // with the same arguments: only then is a copy kept; otherwise the handler takes them.
        let spare = (generation == Generation::Legacy && ctx.sink().is_some()).then(|| arguments.clone());
        let mut arguments = Some(arguments);
        let mut rounds = 0;
        let result = loop {
            let args = arguments.take().or_else(|| spare.clone()).unwrap_or_else(|| json!({}));
            let outcome = AssertUnwindSafe((tool.handler)(args, ctx.clone())).catch_unwind().await;
            let mut result = match outcome {
                Ok(Ok(result)) => result,
                Ok(Err(error)) => ToolResult::error(error.0),
                Err(_) => {
                    tracing::error!(tool = name, "tool handler panicked");
                    tool.record_call(started, true);
                    access_log(name, &ctx, "panicked", started);
                    return Ran::Panicked;
                }
            };
            let Some(required) = result.input_required.take() else { break result };
            if generation == Generation::Modern {
                return Ran::NeedsInput(required);
            }
            if spare.is_none() {
                break ToolResult::error(format!(
                    "tool `{name}` needed input the client did not give: this transport cannot send requests to the client"
                ));
            }
            rounds += 1;
            if rounds > MAX_LEGACY_ROUNDS {
                break ToolResult::error(format!(
                    "tool `{name}` kept asking for input after {MAX_LEGACY_ROUNDS} rounds"
                ));
            }
            match Box::pin(fulfil_on_legacy(&ctx, required)).await {
                Ok(input) => ctx = ctx.with_input(input),
                Err(e) => {
                    break ToolResult::error(format!(
                        "tool `{name}` needed input the client did not give: {}",
                        e.message
                    ));
                }
            }
        };
        let mut result = match filter {
            Some(filter) => tool.shaping.filter(&filter, result).await,
            None => result,
        };
        let limit = self.info.max_result_bytes;
        if limit > 0 {
            result = tool.shaping.budget(result, limit, || tool.admits_shaped());
        }
        if let (Some(schema), false) = (&tool.output, result.is_error) {
            let problems = match &result.structured {
                None => vec!["the tool declares an outputSchema but returned no structuredContent".to_string()],
                Some(structured) => schema.violations(structured),
            };
            if !problems.is_empty() {
                tracing::warn!(tool = name, ?problems, "tool output does not match its outputSchema");
                let text = format!(
                    "Tool `{name}` returned output that does not match its outputSchema:\n- {}",
                    problems.join("\n- ")
                );
                tool.record_call(started, true);
                access_log(name, &ctx, "error", started);
                return Ran::Done(ToolResult::error(text));
            }
        }
        tool.record_call(started, result.is_error);
        access_log(name, &ctx, if result.is_error { "error" } else { "ok" }, started);
        Ran::Done(result)
    }
}

/// What running a tool came to.
pub(super) enum Ran {
    Done(ToolResult),
    /// A 2026-07-28 handler needs input from the client first.
    NeedsInput(InputRequired),
    /// The handler panicked: an `isError` result for a plain call, a failed task for a task.
    Panicked,
}

/// The access log (`--access-log`): one line per tool call at info level (target `mcpgen::access`), naming the
/// caller (never a token), the tool, the outcome, the time it took and the API's status; the
/// arguments' names (never their values) go in a line of their own at debug level. Turned off with
/// `RUST_LOG=info,mcpgen::access=off`.
fn access_log(tool: &str, ctx: &RequestContext, outcome: &str, started: std::time::Instant) {
    if !super::logs_tool_calls() || !tracing::enabled!(target: "mcpgen::access", tracing::Level::INFO) {
        return;
    }
    let caller = ctx.identity().map(|i| i.log_name());
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "mcpgen::access",
        tool,
        caller = caller.as_deref().unwrap_or("-"),
        outcome,
        duration_ms = format_args!("{ms:.1}"),
        api_status = ctx.upstream_status(),
        "tool call"
    );
}

/// Whether a client with `selection` is shown `tool` (`tools/list`, search): admitted and not hidden.
fn listed(selection: &Selection, tool: &RegisteredTool) -> bool {
    !tool.catalog.hidden && selection.admits(tool)
}

/// The call's arguments, moved out of `params` (not copied): an object, `{}` when absent, checked
/// against `tool`'s input schema; `Ok(Err(result))` is the `isError` result naming each problem.
fn checked_arguments(tool: &RegisteredTool, params: &mut Value) -> Result<Result<Value, ToolResult>, ErrorObject> {
    let arguments = match params.get_mut("arguments").map(Value::take) {
        None | Some(Value::Null) => json!({}),
        Some(args @ Value::Object(_)) => args,
        Some(_) => return Err(ErrorObject::invalid_params("tools/call `arguments` must be an object")),
    };
    let violations = tool.input.violations(&arguments);
    if violations.is_empty() {
        return Ok(Ok(arguments));
    }
    let text = format!("Invalid arguments for tool `{}`:\n- {}", tool.name, violations.join("\n- "));
    Ok(Err(ToolResult::error(text)))
}

/// The error for a tool the caller's token lacks scopes for, naming every scope it needs (over
/// HTTP the transport answers 403 before the call gets here; this covers other paths).
fn insufficient_scope(tool: &RegisteredTool) -> ErrorObject {
    ErrorObject::new(
        codes::INVALID_REQUEST,
        format!(
            "Forbidden: tool `{}` needs the OAuth scope(s) {}, which the access token does not grant",
            tool.name,
            tool.scopes.join(" ")
        ),
    )
    .with_data(json!({"requiredScopes": tool.scopes}))
}

/// -32021 naming every capability the tool needs that the client did not declare.
fn check_client_capabilities(required: &[String], declared: &Value, tool: &str) -> Result<(), ErrorObject> {
    let missing: Vec<&String> = required.iter().filter(|cap| declared.get(cap.as_str()).is_none()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let required_caps: Map<String, Value> = missing.iter().map(|c| ((*c).clone(), json!({}))).collect();
    let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    Err(ErrorObject::new(
        codes::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!("tool `{tool}` needs the client capability {}, which the client did not declare", names.join(", ")),
    )
    .with_data(json!({"requiredCapabilities": required_caps})))
}
