//! A tool: its static description and the async handler that runs it.

use super::context::RequestContext;
use super::result::{ToolError, ToolResult};
use super::schema::Schema;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::future::Future;
use std::sync::Arc;

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
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) input_schema: Value,
    pub(crate) output_schema: Option<Value>,
    pub(crate) annotations: Map<String, Value>,
    pub(crate) meta: Option<Value>,
    pub(crate) required_client_capabilities: Vec<String>,
    pub(crate) handler: Option<ToolHandler>,
}

impl Tool {
    /// A tool named `name` whose arguments follow `input_schema` (a JSON Schema object).
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        Tool {
            name: name.into(),
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: Map::new(),
            meta: None,
            required_client_capabilities: Vec::new(),
            handler: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The schema of `structuredContent`; results are checked against it.
    pub fn output_schema(mut self, schema: Value) -> Self {
        self.output_schema = Some(schema);
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
        obj.insert("inputSchema".into(), self.input_schema.clone());
        if let Some(o) = &self.output_schema {
            obj.insert("outputSchema".into(), o.clone());
        }
        if !self.annotations.is_empty() {
            obj.insert("annotations".into(), Value::Object(self.annotations.clone()));
        }
        if let Some(m) = &self.meta {
            obj.insert("_meta".into(), m.clone());
        }
        Value::Object(obj)
    }
}

/// A tool checked and compiled for serving.
pub(crate) struct RegisteredTool {
    pub tool: Tool,
    pub handler: ToolHandler,
    pub input: Schema,
    pub output: Option<Schema>,
    pub definition: Value,
}

impl RegisteredTool {
    /// Checks the tool's name and schemas; the error says which tool and what is wrong.
    pub fn compile(tool: Tool) -> Result<RegisteredTool, String> {
        let name = &tool.name;
        if name.is_empty() {
            return Err("a tool has an empty name".into());
        }
        if tool.input_schema.get("type").and_then(Value::as_str) != Some("object") {
            return Err(format!("tool `{name}`: inputSchema must be a JSON Schema with \"type\": \"object\""));
        }
        let handler = tool.handler.clone().ok_or_else(|| format!("tool `{name}` has no handler"))?;
        let input = Schema::compile(tool.input_schema.clone())
            .map_err(|e| format!("tool `{name}`: invalid inputSchema: {e}"))?;
        let output = match &tool.output_schema {
            Some(raw) => {
                Some(Schema::compile(raw.clone()).map_err(|e| format!("tool `{name}`: invalid outputSchema: {e}"))?)
            }
            None => None,
        };
        let definition = tool.definition();
        Ok(RegisteredTool { tool, handler, input, output, definition })
    }
}
