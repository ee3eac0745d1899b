//! Dispatch: one decoded message in, at most one response out.
//!
//! Both protocol generations share this code. A request carrying the 2026-07-28 `_meta`
//! envelope is checked against it and answered statelessly; anything else is served as the
//! legacy generation with the connection's handshake state. New method families (resources,
//! prompts, completions) are one more arm in [`Dispatcher::route`].

use super::connection::{Connection, Handshake, Outbound};
use super::context::RequestContext;
use super::logging::LogLevel;
use super::result::ToolResult;
use super::tool::RegisteredTool;
use super::{CacheHint, Server, pagination};
use crate::protocol::jsonrpc::{error_response, result_response};
use crate::protocol::version::{
    CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY, MODERN_VERSIONS, PROTOCOL_VERSION_META_KEY,
    SERVER_INFO_META_KEY, all_versions, negotiate_legacy,
};
use crate::protocol::{ErrorObject, Generation, Message, RequestId, codes};
use futures::FutureExt;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

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
];

/// Methods that exist only in the 2026-07-28 generation.
const MODERN_ONLY_METHODS: &[&str] = &["server/discover", "subscriptions/listen"];

/// What a 2026-07-28 request's `_meta` envelope carries.
struct Envelope {
    client_capabilities: Value,
    log_level: Option<LogLevel>,
}

/// The frozen, shareable form of a [`Server`].
pub struct Dispatcher {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
    tools: Vec<RegisteredTool>,
    tool_index: HashMap<String, usize>,
    page_size: Option<usize>,
    cache_hint: CacheHint,
}

impl Dispatcher {
    pub(crate) fn new(server: Server) -> Result<Dispatcher, String> {
        let mut tools = Vec::with_capacity(server.tools.len());
        let mut tool_index = HashMap::new();
        for tool in server.tools {
            let registered = RegisteredTool::compile(tool)?;
            let name = registered.tool.name.clone();
            if tool_index.insert(name.clone(), tools.len()).is_some() {
                return Err(format!("two tools are named `{name}`"));
            }
            tools.push(registered);
        }
        Ok(Dispatcher {
            name: server.name,
            version: server.version,
            title: server.title,
            instructions: server.instructions,
            tools,
            tool_index,
            page_size: server.page_size,
            cache_hint: server.cache_hint,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The input schema of the tool named `name`: Streamable HTTP checks the `Mcp-Param-*`
    /// headers its `x-mcp-header` annotations call for before the call is dispatched.
    pub fn tool_input_schema(&self, name: &str) -> Option<&Value> {
        self.tool_index.get(name).map(|&i| &self.tools[i].tool.input_schema)
    }

    /// Handles one message. `sink` receives the notifications and requests this message's
    /// handler sends; the returned value, if any, is the response to send.
    /// Returns `None` for notifications, responses, and cancelled requests.
    pub async fn handle(self: &Arc<Self>, conn: &Arc<Connection>, message: Message, sink: Option<Outbound>) -> Option<Value> {
        match message {
            Message::Request { id, method, params } => self.handle_request(conn, id, &method, params, sink).await,
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
    ) -> Option<Value> {
        let generation = Generation::of_params(params.as_ref());
        let (client_capabilities, log_level) = match generation {
            Generation::Modern => match read_envelope(params.as_ref()) {
                Ok(env) => (env.client_capabilities, env.log_level),
                Err(e) => return Some(error_response(Some(&id), &e)),
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
            return Some(error_response(Some(&id), &ErrorObject::method_not_found(method)));
        }

        let progress_token = params.as_ref().and_then(|p| p.get("_meta")).and_then(|m| m.get("progressToken")).cloned();
        let cancel = conn.begin(&id);
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
        let outcome = tokio::select! {
            outcome = self.route(conn, method, params, ctx, generation) => outcome,
            _ = cancel.cancelled() => {
                tracing::debug!(%id, method, "request cancelled; no response is sent");
                return None;
            }
        };
        conn.end(&id);
        Some(match outcome {
            Ok(mut result) => {
                if generation == Generation::Modern {
                    self.stamp_modern(method, &mut result);
                }
                result_response(&id, result)
            }
            Err(error) => error_response(Some(&id), &error),
        })
    }

    /// The method table. Each arm answers one method.
    async fn route(
        &self,
        conn: &Connection,
        method: &str,
        params: Option<Value>,
        ctx: RequestContext,
        generation: Generation,
    ) -> Result<Value, ErrorObject> {
        match method {
            "initialize" => Ok(self.initialize(conn, params.as_ref())),
            "ping" => Ok(json!({})),
            "server/discover" => Ok(self.discover()),
            "logging/setLevel" => set_level(conn, params.as_ref()),
            "tools/list" => self.list_tools(params.as_ref()),
            "tools/call" => self.call_tool(params, ctx, generation).await,
            _ => Err(ErrorObject::method_not_found(method)),
        }
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

    fn capabilities(&self) -> Value {
        let mut caps = Map::new();
        caps.insert("logging".into(), json!({}));
        if !self.tools.is_empty() {
            caps.insert("tools".into(), json!({"listChanged": false}));
        }
        Value::Object(caps)
    }

    fn server_info(&self) -> Value {
        let mut info = json!({"name": self.name, "version": self.version});
        if let Some(title) = &self.title {
            info["title"] = json!(title);
        }
        info
    }

    fn initialize(&self, conn: &Connection, params: Option<&Value>) -> Value {
        let requested = params.and_then(|p| p.get("protocolVersion")).and_then(Value::as_str);
        let version = negotiate_legacy(requested);
        {
            let mut hs = conn.handshake.lock().expect("handshake lock");
            hs.version = Some(version);
            hs.client_capabilities = params.and_then(|p| p.get("capabilities")).cloned().unwrap_or_else(|| json!({}));
        }
        let mut result = json!({
            "protocolVersion": version,
            "capabilities": self.capabilities(),
            "serverInfo": self.server_info(),
        });
        if let Some(instructions) = &self.instructions {
            result["instructions"] = json!(instructions);
        }
        result
    }

    fn discover(&self) -> Value {
        let mut result = json!({
            "supportedVersions": all_versions(),
            "capabilities": self.capabilities(),
            "_meta": {SERVER_INFO_META_KEY: self.server_info()},
        });
        if let Some(instructions) = &self.instructions {
            result["instructions"] = json!(instructions);
        }
        result
    }

    /// 2026-07-28 results carry `resultType`; list results also carry cache hints.
    fn stamp_modern(&self, method: &str, result: &mut Value) {
        let Some(obj) = result.as_object_mut() else { return };
        obj.entry("resultType").or_insert_with(|| json!("complete"));
        if method.ends_with("/list") || method == "server/discover" {
            obj.insert("ttlMs".into(), json!(self.cache_hint.ttl_ms));
            obj.insert("cacheScope".into(), json!(if self.cache_hint.public { "public" } else { "private" }));
        }
    }

    fn list_tools(&self, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let offset = cursor_offset(params, self.tools.len())?;
        let (page, next) = pagination::page(&self.tools, offset, self.page_size);
        let mut result = json!({"tools": page.iter().map(|t| t.definition.clone()).collect::<Vec<_>>()});
        if let Some(next) = next {
            result["nextCursor"] = json!(next);
        }
        Ok(result)
    }

    async fn call_tool(&self, params: Option<Value>, ctx: RequestContext, generation: Generation) -> Result<Value, ErrorObject> {
        let params = params.unwrap_or_else(|| json!({}));
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ErrorObject::invalid_params("tools/call needs a string `name`"))?;
        let tool = self
            .tool_index
            .get(name)
            .map(|&i| &self.tools[i])
            .ok_or_else(|| ErrorObject::invalid_params(format!("Unknown tool: {name}")))?;
        if generation == Generation::Modern {
            check_client_capabilities(&tool.tool.required_client_capabilities, ctx.client_capabilities(), name)?;
        }
        let arguments = match params.get("arguments") {
            None | Some(Value::Null) => json!({}),
            Some(args @ Value::Object(_)) => args.clone(),
            Some(_) => return Err(ErrorObject::invalid_params("tools/call `arguments` must be an object")),
        };
        let violations = tool.input.violations(&arguments);
        if !violations.is_empty() {
            let text = format!("Invalid arguments for tool `{name}`:\n- {}", violations.join("\n- "));
            return Ok(ToolResult::error(text).to_value());
        }
        let outcome = AssertUnwindSafe((tool.handler)(arguments, ctx)).catch_unwind().await;
        let result = match outcome {
            Ok(Ok(result)) => result,
            Ok(Err(error)) => ToolResult::error(error.0),
            Err(_) => {
                tracing::error!(tool = name, "tool handler panicked");
                ToolResult::error(format!("tool `{name}` failed unexpectedly"))
            }
        };
        if let (Some(schema), false) = (&tool.output, result.is_error) {
            let problems = match &result.structured {
                None => vec!["the tool declares an outputSchema but returned no structuredContent".to_string()],
                Some(structured) => schema.violations(structured),
            };
            if !problems.is_empty() {
                tracing::warn!(tool = name, ?problems, "tool output does not match its outputSchema");
                let text = format!("Tool `{name}` returned output that does not match its outputSchema:\n- {}", problems.join("\n- "));
                return Ok(ToolResult::error(text).to_value());
            }
        }
        Ok(result.to_value())
    }
}

/// Validates a 2026-07-28 `_meta` envelope with the spec's error codes.
fn read_envelope(params: Option<&Value>) -> Result<Envelope, ErrorObject> {
    let meta = params.and_then(|p| p.get("_meta")).and_then(Value::as_object).ok_or_else(|| {
        ErrorObject::invalid_params(format!(
            "params._meta must be an object carrying `{PROTOCOL_VERSION_META_KEY}` and `{CLIENT_CAPABILITIES_META_KEY}`"
        ))
    })?;
    let missing: Vec<&str> = [PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY]
        .into_iter()
        .filter(|k| !meta.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(ErrorObject::invalid_params(format!(
            "params._meta is missing the required key(s): {}",
            missing.join(", ")
        )));
    }
    let version = meta[PROTOCOL_VERSION_META_KEY]
        .as_str()
        .ok_or_else(|| ErrorObject::invalid_params(format!("`{PROTOCOL_VERSION_META_KEY}` must be a string")))?;
    if !MODERN_VERSIONS.contains(&version) {
        return Err(ErrorObject::new(codes::UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version")
            .with_data(json!({"supported": MODERN_VERSIONS, "requested": version})));
    }
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
    Ok(Envelope { client_capabilities: meta[CLIENT_CAPABILITIES_META_KEY].clone(), log_level })
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

fn set_level(conn: &Connection, params: Option<&Value>) -> Result<Value, ErrorObject> {
    let level = params
        .and_then(|p| p.get("level"))
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorObject::invalid_params("logging/setLevel needs a string `level`"))?
        .parse::<LogLevel>()
        .map_err(ErrorObject::invalid_params)?;
    conn.handshake.lock().expect("handshake lock").log_level = Some(level);
    Ok(json!({}))
}

fn cursor_offset(params: Option<&Value>, len: usize) -> Result<usize, ErrorObject> {
    match params.and_then(|p| p.get("cursor")) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(cursor)) => {
            pagination::decode(cursor, len).ok_or_else(|| ErrorObject::invalid_params("Invalid cursor"))
        }
        Some(_) => Err(ErrorObject::invalid_params("Invalid cursor: must be a string")),
    }
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
