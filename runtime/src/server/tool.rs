//! A tool: its static description and the async handler that runs it.

use super::context::RequestContext;
use super::result::{ToolError, ToolResult};
use super::schema::{Schema, top_level_type};
use super::shaping::ToolShaping;
use super::tasks::TaskSupport;
use crate::protocol::json_string;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, OnceLock};

/// The boxed handler every tool is stored as.
pub type ToolHandler =
    Arc<dyn Fn(Value, RequestContext) -> BoxFuture<'static, Result<ToolResult, ToolError>> + Send + Sync>;

/// A tool as registered with a [`Server`](crate::Server).
///
/// ```
/// use mcpgen_runtime::{Tool, ToolResult};
/// use serde_json::json;
///
/// let tool = Tool::new("hello", json!({"type": "object", "properties": {"name": {"type": "string"}}}))
///     .description("Greets someone")
///     .read_only()
///     .handler(|args, _ctx| async move {
///         Ok(ToolResult::text(format!("Hello, {}!", args["name"].as_str().unwrap_or("world"))))
///     });
/// assert_eq!(tool.name(), "hello");
/// ```
#[derive(Clone)]
pub struct Tool {
    pub(crate) name: String,
    /// Borrowed from the binary for generated tools (`upstream`): registering them copies no text.
    pub(crate) title: Option<Cow<'static, str>>,
    pub(crate) description: Option<Cow<'static, str>>,
    pub(crate) input_schema: SchemaSource,
    pub(crate) output_schema: Option<SchemaSource>,
    pub(crate) annotations: Map<String, Value>,
    pub(crate) meta: Option<Value>,
    pub(crate) required_client_capabilities: Vec<String>,
    /// OAuth scopes a caller's token must grant to see and call the tool (HTTP with OAuth).
    pub(crate) scopes: Vec<String>,
    pub(crate) handler: Option<ToolHandler>,
    /// Where the tool sits in a large catalogue: its toolsets, and the HTTP operation it calls.
    pub(crate) catalog: CatalogEntry,
    /// Its jq filter argument and what narrows its answers (`shaping`).
    pub(crate) shaping: ToolShaping,
    /// Whether it runs as a task (`execution.taskSupport`).
    pub(crate) task_support: TaskSupport,
}

/// What selection and search know of a tool besides its definition.
#[derive(Clone, Debug, Default)]
pub(crate) struct CatalogEntry {
    /// Toolset ids ([`crate::server::toolset_id`]), e.g. an OpenAPI operation's tags.
    pub toolsets: Vec<String>,
    /// `METHOD /path` of the HTTP operation a generated tool calls.
    pub operation: Option<String>,
    /// Left out of `tools/list` and search results; still callable by name ([`Tool::hidden`]).
    pub hidden: bool,
}

/// A schema as given: a value (checked against its meta-schema at registration), JSON text
/// already checked by whoever wrote it, kept as text, or a generated server's text.
#[derive(Clone, Debug)]
pub(crate) enum SchemaSource {
    Value(Value),
    Text(Cow<'static, str>),
    /// Compact JSON text a generator wrote into the binary after checking it against the
    /// meta-schema (`upstream`'s `ToolSpec`s), not read at registration (see
    /// [`Schema::from_generated_text`]): a server with thousands of generated tools would
    /// otherwise read, and page in, all their schemas to start.
    Generated(&'static str),
}

impl SchemaSource {
    fn compile(&self) -> Result<Schema, String> {
        match self {
            SchemaSource::Value(v) => Schema::compile(v.clone()),
            SchemaSource::Text(t) => Schema::from_text(t.clone()),
            SchemaSource::Generated(t) => Schema::from_generated_text(t),
        }
    }

    fn value(&self) -> Value {
        match self {
            SchemaSource::Value(v) => v.clone(),
            SchemaSource::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            SchemaSource::Generated(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        }
    }

    fn top_level_type(&self) -> Option<String> {
        match self {
            SchemaSource::Value(v) => v.get("type").and_then(Value::as_str).map(str::to_string),
            // Release builds trust generated text here (see `Schema::from_text`).
            // The generator wrote every input schema as an object schema.
            SchemaSource::Generated(_) => Some("object".into()),
            SchemaSource::Text(_) if !cfg!(debug_assertions) => Some("object".into()),
            SchemaSource::Text(t) => top_level_type(t),
        }
    }
}

impl Tool {
    /// A tool named `name` whose arguments follow `input_schema` (a JSON Schema object).
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        Self::with_input(name.into(), SchemaSource::Value(input_schema))
    }

    /// A tool whose input schema is JSON text that was already checked against the JSON Schema
    /// meta-schema (a generator's output). The text is kept as it is, never built into a value
    /// until the tool is first called; registration checks that it is a JSON object with
    /// `"type": "object"` in debug builds, and only that it starts with `{` in release builds (so
    /// thousands of tools start without reading their schemas). Should it break the meta-schema
    /// after all, calls say so as `isError`.
    ///
    /// ```
    /// use mcpgen_runtime::Tool;
    ///
    /// let tool = Tool::from_schema_text("ping", r#"{"type":"object","properties":{}}"#);
    /// assert_eq!(tool.name(), "ping");
    /// ```
    pub fn from_schema_text(name: impl Into<String>, input_schema: impl Into<Cow<'static, str>>) -> Self {
        Self::with_input(name.into(), SchemaSource::Text(input_schema.into()))
    }

    /// A generated tool (`upstream`): its schema texts and descriptions stay the binary's own,
    /// unread until a client lists or calls the tool.
    #[cfg_attr(not(feature = "upstream"), allow(dead_code))]
    pub(crate) fn generated(
        name: &'static str,
        title: Option<&'static str>,
        description: &'static str,
        input_schema: &'static str,
        output_schema: Option<&'static str>,
    ) -> Self {
        let mut tool = Self::with_input(name.into(), SchemaSource::Generated(input_schema));
        tool.title = title.map(Cow::Borrowed);
        tool.description = Some(Cow::Borrowed(description));
        tool.output_schema = output_schema.map(SchemaSource::Generated);
        tool
    }

    fn with_input(name: String, input_schema: SchemaSource) -> Self {
        Tool {
            name,
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: Map::new(),
            meta: None,
            required_client_capabilities: Vec::new(),
            scopes: Vec::new(),
            handler: None,
            catalog: CatalogEntry::default(),
            shaping: ToolShaping::default(),
            task_support: TaskSupport::Forbidden,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(Cow::Owned(title.into()));
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(Cow::Owned(description.into()));
        self
    }

    /// The schema of `structuredContent`; results are checked against it.
    pub fn output_schema(mut self, schema: Value) -> Self {
        self.output_schema = Some(SchemaSource::Value(schema));
        self
    }

    /// The output schema as JSON text already checked against the meta-schema; see
    /// [`Tool::from_schema_text`].
    pub fn output_schema_text(mut self, schema: impl Into<Cow<'static, str>>) -> Self {
        self.output_schema = Some(SchemaSource::Text(schema.into()));
        self
    }

    /// Sets one annotation (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`, `title`).
    pub fn annotation(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.annotations.insert(key.to_string(), value.into());
        self
    }

    /// `readOnlyHint: true`.
    pub fn read_only(self) -> Self {
        self.annotation("readOnlyHint", true)
    }

    /// `_meta` on the tool definition.
    pub fn meta(mut self, meta: Value) -> Self {
        self.meta = Some(meta);
        self
    }

    /// A client capability (`sampling`, `elicitation`, `roots`) this tool needs. Under 2026-07-28 a
    /// call from a client that did not declare it gets -32021 before the handler runs.
    pub fn requires_client_capability(mut self, capability: impl Into<String>) -> Self {
        self.required_client_capabilities.push(capability.into());
        self
    }

    /// An OAuth scope a caller's token must grant (repeatable). On HTTP with OAuth, a token
    /// without it does not see the tool, and calling it is a 403 naming every scope it needs.
    pub fn requires_scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
        self
    }

    /// Puts the tool in toolset `name` (repeatable): `--toolset NAME` and a client's
    /// `?toolset=NAME` serve only the tools of the toolsets they name. Names are compared as
    /// [`crate::server::toolset_id`] gives them (`Pull Requests` is `pull-requests`).
    pub fn toolset(mut self, name: &str) -> Self {
        let id = super::catalog::toolset_id(name);
        if !id.is_empty() && !self.catalog.toolsets.contains(&id) {
            self.catalog.toolsets.push(id);
        }
        self
    }

    /// Keeps the tool out of `tools/list` and of the dynamic surface's `search_tools` (and the
    /// names it suggests), while `tools/call`, `describe_tools` and `call_tool` still reach it by
    /// name: a tool for clients told about it, not for discovery.
    pub fn hidden(mut self) -> Self {
        self.catalog.hidden = true;
        self
    }

    /// The HTTP operation the tool calls (`GET`, `/pets/{id}`), shown by the dynamic surface's
    /// search and used to rank it.
    pub fn http_operation(mut self, method: &str, path: &str) -> Self {
        self.catalog.operation = Some(format!("{method} {path}"));
        self
    }

    /// Gives the tool a jq filter argument named `argument` (a string): the filter runs on the
    /// tool's JSON answer (its structured content, or its one text block read as JSON), and the
    /// model gets what it selects; the handler never sees the argument. A filter that fails is an
    /// `isError` result with jq's message. A filtered answer is `{"result": ...}`: an output
    /// schema must admit [`SHAPED_OUTPUT`](crate::server::SHAPED_OUTPUT). An input schema given as a
    /// value gets the argument as a property; one given as text must have it already.
    pub fn jq_filter(mut self, argument: impl Into<Cow<'static, str>>) -> Self {
        let argument = argument.into();
        if let SchemaSource::Value(Value::Object(schema)) = &mut self.input_schema
            && let Value::Object(properties) = schema.entry("properties").or_insert_with(|| json!({}))
        {
            let property = json!({"type": "string", "description": super::shaping::JQ_ARGUMENT_DESCRIPTION});
            properties.entry(argument.to_string()).or_insert(property);
        }
        self.shaping.jq_argument = Some(argument);
        self
    }

    /// Arguments that ask for less (paging, filters), named in the note of a result cut to the
    /// server's size limit ([`Server::max_result_bytes`](crate::Server::max_result_bytes)).
    pub fn narrowing_arguments<S: Into<Cow<'static, str>>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.shaping.narrowing.extend(names.into_iter().map(Into::into));
        self
    }

    /// The tool's structured output is `{"result": answer}`: a jq filter and the size limit work on
    /// the answer inside.
    pub fn structured_output_wraps_result(mut self) -> Self {
        self.shaping.wrapped = true;
        self
    }

    /// Whether the tool may run as a task: a client gets a task id at once and fetches the
    /// result later (`tasks/get`), while the handler runs as it would for a plain call (its
    /// [`RequestContext`] reports progress, shown as the task's status message, and sees
    /// `tasks/cancel` as a cancellation).
    ///
    /// ```
    /// use mcpgen_runtime::{RequestContext, TaskSupport, Tool, ToolResult};
    /// use serde_json::json;
    ///
    /// let report = Tool::new("build_report", json!({"type": "object"}))
    ///     .task_support(TaskSupport::Optional)
    ///     .handler(|_, ctx: RequestContext| async move {
    ///         ctx.progress(1.0, Some(2.0), Some("collecting")).await;
    ///         Ok(ToolResult::text("report ready"))
    ///     });
    /// assert_eq!(report.definition()["execution"]["taskSupport"], "optional");
    /// ```
    pub fn task_support(mut self, support: TaskSupport) -> Self {
        self.task_support = support;
        self
    }

    /// The async function that runs the tool. It receives the validated arguments.
    pub fn handler<F, Fut, R>(mut self, f: F) -> Self
    where
        F: Fn(Value, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, ToolError>> + Send + 'static,
        R: Into<ToolResult>,
    {
        self.handler = Some(Arc::new(move |args, ctx| {
            let fut = f(args, ctx);
            Box::pin(async move { fut.await.map(Into::into) })
        }));
        self
    }

    /// The `Tool` JSON as `tools/list` shows it.
    pub fn definition(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), json!(self.name));
        if let Some(t) = &self.title {
            obj.insert("title".into(), json!(t));
        }
        if let Some(d) = &self.description {
            obj.insert("description".into(), json!(d));
        }
        obj.insert("inputSchema".into(), self.input_schema.value());
        if let Some(o) = &self.output_schema {
            obj.insert("outputSchema".into(), o.value());
        }
        if !self.annotations.is_empty() {
            obj.insert("annotations".into(), Value::Object(self.annotations.clone()));
        }
        if self.task_support != TaskSupport::Forbidden {
            obj.insert("execution".into(), json!({"taskSupport": self.task_support.as_str()}));
        }
        if let Some(m) = &self.meta {
            obj.insert("_meta".into(), m.clone());
        }
        Value::Object(obj)
    }
}

/// A tool checked and compiled for serving. Each schema is held once, as text, in its [`Schema`];
/// the `tools/list` entry is written from that text and [`Definition`]'s fixed parts, which are
/// serialized on the first `tools/list` that shows the tool, not at registration: a server with
/// thousands of generated tools starts without reading their descriptions.
pub(crate) struct RegisteredTool {
    pub name: String,
    pub handler: ToolHandler,
    pub input: Schema,
    pub output: Option<Schema>,
    pub required_client_capabilities: Vec<String>,
    /// OAuth scopes a caller's token must grant ([`Tool::requires_scope`]).
    pub scopes: Vec<String>,
    pub catalog: CatalogEntry,
    pub shaping: ToolShaping,
    pub task_support: TaskSupport,
    /// Whether the output schema admits a shaped answer, found out on the first result past the
    /// size limit (schemas are compiled on first use).
    admits_shaped: OnceLock<bool>,
    /// Its counters, made on its first call when metrics are on.
    metrics: OnceLock<Option<crate::metrics::ToolMetrics>>,
    /// `readOnlyHint: true`: what a read-only selection serves.
    pub read_only: bool,
    parts: DefinitionParts,
    definition: OnceLock<Definition>,
}

/// What a tool's `tools/list` entry holds besides its name and schemas, kept as given until the
/// entry is first written.
struct DefinitionParts {
    title: Option<Cow<'static, str>>,
    description: Option<Cow<'static, str>>,
    annotations: Map<String, Value>,
    meta: Option<Value>,
    task_support: TaskSupport,
}

/// The `tools/list` entry around the schemas, serialized once: `text[..input_at]`, the input
/// schema, `text[input_at..output_at]`, the output schema if any, `text[output_at..]`. Keys come in
/// the order a `serde_json::Map` (sorted) would give them, so the entry reads as `Tool::definition`.
struct Definition {
    text: Box<str>,
    input_at: usize,
    output_at: usize,
}

impl RegisteredTool {
    /// Checks the tool's name and schemas; the error says which tool and what is wrong.
    pub fn compile(tool: Tool) -> Result<RegisteredTool, String> {
        let name = &tool.name;
        if name.is_empty() {
            return Err("a tool has an empty name".into());
        }
        let invalid_input = |e| format!("tool `{name}`: invalid inputSchema: {e}");
        // Text that is not JSON at all says so before anything is read from it.
        let text_input = match &tool.input_schema {
            SchemaSource::Text(_) | SchemaSource::Generated(_) => {
                Some(tool.input_schema.compile().map_err(invalid_input)?)
            }
            SchemaSource::Value(_) => None,
        };
        if tool.input_schema.top_level_type().as_deref() != Some("object") {
            return Err(format!("tool `{name}`: inputSchema must be a JSON Schema with \"type\": \"object\""));
        }
        let handler = tool.handler.clone().ok_or_else(|| format!("tool `{name}` has no handler"))?;
        let input = match text_input {
            Some(input) => input,
            None => tool.input_schema.compile().map_err(invalid_input)?,
        };
        let output = match &tool.output_schema {
            Some(raw) => Some(raw.compile().map_err(|e| format!("tool `{name}`: invalid outputSchema: {e}"))?),
            None => None,
        };
        let Tool {
            name,
            title,
            description,
            annotations,
            meta,
            required_client_capabilities,
            scopes,
            catalog,
            shaping,
            task_support,
            ..
        } = tool;
        let read_only = annotations.get("readOnlyHint") == Some(&Value::Bool(true));
        let parts = DefinitionParts { title, description, annotations, meta, task_support };
        Ok(RegisteredTool {
            name,
            handler,
            input,
            output,
            required_client_capabilities,
            scopes,
            catalog,
            shaping,
            task_support,
            admits_shaped: OnceLock::new(),
            metrics: OnceLock::new(),
            read_only,
            parts,
            definition: OnceLock::new(),
        })
    }

    /// Whether a shaped answer (`{"result": ..., "note": ...}`) passes the output schema; true
    /// without one.
    pub fn admits_shaped(&self) -> bool {
        *self.admits_shaped.get_or_init(|| {
            self.output.as_ref().is_none_or(|schema| schema.violations(&json!({"result": null, "note": ""})).is_empty())
        })
    }

    /// Counts a finished call and its time (`--metrics`).
    pub fn record_call(&self, started: std::time::Instant, is_error: bool) {
        if let Some(metrics) = self.metrics.get_or_init(|| crate::metrics::ToolMetrics::new(&self.name)) {
            metrics.record(started, is_error);
        }
    }

    pub fn title(&self) -> Option<&str> {
        self.parts.title.as_deref()
    }

    pub fn description(&self) -> Option<&str> {
        self.parts.description.as_deref()
    }

    pub fn annotations(&self) -> &Map<String, Value> {
        &self.parts.annotations
    }

    /// What a client hands a model for this tool (name, title, description, input schema), in
    /// bytes, without writing its definition: how large a surface is ([`super::catalog`]).
    pub fn model_facing_len(&self) -> usize {
        super::catalog::model_facing_len(&self.name, self.title(), self.description(), self.input.text().len())
    }

    fn definition(&self) -> &Definition {
        self.definition.get_or_init(|| Definition::new(&self.name, &self.parts, self.output.is_some()))
    }

    /// The length of this tool's `tools/list` entry, to size a page's buffer once.
    pub fn definition_len(&self) -> usize {
        self.definition().text.len() + self.input.text().len() + self.output.as_ref().map_or(0, |o| o.text().len())
    }

    /// Appends this tool's `tools/list` entry (one JSON object, on one line) to `out`.
    pub fn write_definition(&self, out: &mut Vec<u8>) {
        let d = self.definition();
        let text = d.text.as_bytes();
        out.extend_from_slice(&text[..d.input_at]);
        self.input.write_one_line(out);
        out.extend_from_slice(&text[d.input_at..d.output_at]);
        if let Some(o) = &self.output {
            o.write_one_line(out);
        }
        out.extend_from_slice(&text[d.output_at..]);
    }
}

impl Definition {
    /// Serialized straight into bytes: a server writes thousands of these for its first
    /// `tools/list`, and going through a `Value` and `Display` cost twice as much. Strings go
    /// through [`json_string`], which copies the long runs of a description that need no escape.
    fn new(name: &str, parts: &DefinitionParts, has_output: bool) -> Definition {
        fn key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
            if !std::mem::take(first) {
                out.push(b',');
            }
            json_string::write(out, key);
            out.push(b':');
        }
        fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
            // JSON values always serialize.
            let _ = serde_json::to_writer(&mut *out, value);
        }
        let mut text = Vec::with_capacity(96 + parts.description.as_deref().map_or(0, str::len));
        text.push(b'{');
        let first = &mut true;
        if let Some(m) = &parts.meta {
            key(&mut text, first, "_meta");
            write_json(&mut text, m);
        }
        if !parts.annotations.is_empty() {
            key(&mut text, first, "annotations");
            write_json(&mut text, &parts.annotations);
        }
        if let Some(d) = &parts.description {
            key(&mut text, first, "description");
            json_string::write(&mut text, d);
        }
        if parts.task_support != TaskSupport::Forbidden {
            key(&mut text, first, "execution");
            write_json(&mut text, &json!({"taskSupport": parts.task_support.as_str()}));
        }
        key(&mut text, first, "inputSchema");
        let input_at = text.len();
        key(&mut text, first, "name");
        json_string::write(&mut text, name);
        if has_output {
            key(&mut text, first, "outputSchema");
        }
        let output_at = text.len();
        if let Some(t) = &parts.title {
            key(&mut text, first, "title");
            json_string::write(&mut text, t);
        }
        text.push(b'}');
        // serde_json writes UTF-8: the lossy branch never runs.
        let text = String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Definition { text: text.into_boxed_str(), input_at, output_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_definition_is_the_tools_definition() {
        let full = Tool::new("t", json!({"type": "object", "properties": {"a": {"type": "string"}}}))
            .title("T \"quoted\"")
            .description("d\nline")
            .output_schema(json!({"type": "object"}))
            .read_only()
            .meta(json!({"k": [1, 2]}))
            .task_support(TaskSupport::Optional)
            .handler(|_, _| async { Ok(crate::ToolResult::text("x")) });
        let bare = Tool::from_schema_text("u", r#"{"type":"object"}"#)
            .handler(|_, _| async { Ok(crate::ToolResult::text("x")) });
        let generated = Tool::generated(
            "g",
            Some("G \\ title"),
            "line\n\"quoted\" \u{1F980}",
            r#"{"properties":{"a":{"type":"string"}},"type":"object"}"#,
            Some(r#"{"type":"object"}"#),
        )
        .read_only()
        .handler(|_, _| async { Ok(crate::ToolResult::text("x")) });
        for tool in [full, bare, generated] {
            let expected = tool.definition();
            let registered = RegisteredTool::compile(tool).unwrap();
            let mut text = Vec::new();
            registered.write_definition(&mut text);
            assert_eq!(String::from_utf8(text).unwrap(), expected.to_string());
        }
    }

    /// A generated tool's schema text is not parsed at registration (thousands of them start at
    /// once): text that is not JSON, which only a hand edit of generated code makes, registers and
    /// says so when the tool is called.
    #[test]
    fn generated_schema_text_is_read_on_first_use() {
        let tool = Tool::generated("g", None, "d", r#"{"type": "object", oops}"#, None)
            .handler(|_, _| async { Ok(crate::ToolResult::text("x")) });
        let registered = RegisteredTool::compile(tool).unwrap();
        let v = registered.input.violations(&json!({}));
        assert!(v[0].starts_with("(schema): the schema cannot be used"), "{v:?}");
    }

    #[test]
    fn schema_text_must_be_an_object_schema() {
        let h = |t: Tool| t.handler(|_, _| async { Ok(crate::ToolResult::text("x")) });
        let not_object = RegisteredTool::compile(h(Tool::from_schema_text("a", r#"{"type":"string"}"#)));
        assert!(not_object.err().unwrap().contains("\"type\": \"object\""));
        let not_json = RegisteredTool::compile(h(Tool::from_schema_text("b", "{\"type\":\"object\"")));
        assert!(not_json.err().unwrap().contains("tool `b`: invalid inputSchema"));
        let bad_output =
            RegisteredTool::compile(h(Tool::from_schema_text("c", r#"{"type":"object"}"#).output_schema_text("[]")));
        assert!(bad_output.err().unwrap().contains("tool `c`: invalid outputSchema"));
    }
}
