//! Prompts: named message templates with string arguments.

use super::completion::Completer;
use super::context::RequestContext;
use super::input::InputRequired;
use super::result::Content;
use crate::protocol::ErrorObject;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// One message of a prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptMessage {
    /// `user` or `assistant`.
    pub role: String,
    pub content: Content,
}

impl PromptMessage {
    pub fn user(content: Content) -> Self {
        PromptMessage { role: "user".into(), content }
    }

    pub fn assistant(content: Content) -> Self {
        PromptMessage { role: "assistant".into(), content }
    }
}

/// What `prompts/get` returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PromptResult {
    pub description: Option<String>,
    pub messages: Vec<PromptMessage>,
    /// Set when the prompt cannot be rendered without input from the client.
    pub input_required: Option<InputRequired>,
}

impl PromptResult {
    pub fn new(messages: Vec<PromptMessage>) -> Self {
        PromptResult { description: None, messages, input_required: None }
    }

    /// The prompt needs the client to answer `requests` first; it is rendered again with them.
    pub fn input_required(requests: InputRequired) -> Self {
        PromptResult { input_required: Some(requests), ..Default::default() }
    }

    pub(crate) fn to_value(&self) -> Value {
        let messages: Vec<Value> =
            self.messages.iter().map(|m| json!({"role": m.role, "content": m.content.to_value()})).collect();
        let mut obj = Map::new();
        if let Some(d) = &self.description {
            obj.insert("description".into(), json!(d));
        }
        obj.insert("messages".into(), Value::Array(messages));
        Value::Object(obj)
    }
}

/// Renders a prompt from its arguments.
pub type PromptHandler = Arc<
    dyn Fn(HashMap<String, String>, RequestContext) -> BoxFuture<'static, Result<PromptResult, ErrorObject>>
        + Send
        + Sync,
>;

#[derive(Clone)]
pub(crate) struct PromptArgument {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
    pub completer: Option<Completer>,
}

/// A prompt as registered with a [`Server`](crate::Server).
///
/// ```
/// use mcpgen_runtime::{Content, Prompt, PromptMessage, PromptResult};
/// let p = Prompt::new("greet")
///     .description("Greets someone")
///     .argument("name", "Who to greet", true)
///     .handler(|args, _| async move {
///         Ok(PromptResult::new(vec![PromptMessage::user(Content::text(format!("Greet {}", args["name"])))]))
///     });
/// assert_eq!(p.name(), "greet");
/// ```
#[derive(Clone)]
pub struct Prompt {
    pub(crate) name: String,
    title: Option<String>,
    description: Option<String>,
    pub(crate) arguments: Vec<PromptArgument>,
    pub(crate) handler: Option<PromptHandler>,
}

impl Prompt {
    pub fn new(name: impl Into<String>) -> Self {
        Prompt { name: name.into(), title: None, description: None, arguments: Vec::new(), handler: None }
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

    /// Declares an argument; `prompts/get` without a required one is -32602.
    pub fn argument(mut self, name: impl Into<String>, description: impl Into<String>, required: bool) -> Self {
        self.arguments.push(PromptArgument {
            name: name.into(),
            description: Some(description.into()),
            required,
            completer: None,
        });
        self
    }

    /// Suggests values for argument `name` in `completion/complete`.
    pub fn complete<F>(mut self, name: &str, f: F) -> Self
    where
        F: Fn(&str, &Map<String, Value>) -> Vec<String> + Send + Sync + 'static,
    {
        if let Some(arg) = self.arguments.iter_mut().find(|a| a.name == name) {
            arg.completer = Some(Arc::new(f));
        }
        self
    }

    pub fn handler<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(HashMap<String, String>, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<PromptResult, ErrorObject>> + Send + 'static,
    {
        self.handler = Some(Arc::new(move |args, ctx| Box::pin(f(args, ctx))));
        self
    }

    pub(crate) fn definition(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), json!(self.name));
        if let Some(t) = &self.title {
            obj.insert("title".into(), json!(t));
        }
        if let Some(d) = &self.description {
            obj.insert("description".into(), json!(d));
        }
        if !self.arguments.is_empty() {
            let args: Vec<Value> = self
                .arguments
                .iter()
                .map(|a| {
                    let mut arg = json!({"name": a.name, "required": a.required});
                    if let Some(d) = &a.description {
                        arg["description"] = json!(d);
                    }
                    arg
                })
                .collect();
            obj.insert("arguments".into(), Value::Array(args));
        }
        Value::Object(obj)
    }

    /// Checks `prompts/get` arguments: strings only, every required one present.
    pub(crate) fn check_arguments(&self, given: Option<&Value>) -> Result<HashMap<String, String>, ErrorObject> {
        let mut args = HashMap::new();
        match given {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    let s = v.as_str().ok_or_else(|| {
                        ErrorObject::invalid_params(format!("prompt `{}`: argument `{k}` must be a string", self.name))
                    })?;
                    args.insert(k.clone(), s.to_string());
                }
            }
            Some(_) => return Err(ErrorObject::invalid_params("prompts/get `arguments` must be an object")),
        }
        let missing: Vec<&str> = self
            .arguments
            .iter()
            .filter(|a| a.required && !args.contains_key(&a.name))
            .map(|a| a.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(ErrorObject::invalid_params(format!(
                "prompt `{}` is missing required argument(s): {}",
                self.name,
                missing.join(", ")
            )));
        }
        Ok(args)
    }
}
