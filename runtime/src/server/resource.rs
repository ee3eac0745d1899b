//! Resources (fixed URIs) and resource templates (RFC 6570 URI templates) with their readers.

use super::completion::Completer;
use super::context::RequestContext;
use crate::protocol::ErrorObject;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// One entry of a `resources/read` result: `text` or base64 `blob`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceContents(pub Value);

impl ResourceContents {
    pub fn text(uri: impl Into<String>, mime_type: impl Into<String>, text: impl Into<String>) -> Self {
        ResourceContents(json!({"uri": uri.into(), "mimeType": mime_type.into(), "text": text.into()}))
    }

    /// Binary contents, already base64-encoded.
    pub fn blob(uri: impl Into<String>, mime_type: impl Into<String>, base64_data: impl Into<String>) -> Self {
        ResourceContents(json!({"uri": uri.into(), "mimeType": mime_type.into(), "blob": base64_data.into()}))
    }
}

/// Reads a resource. Receives the requested URI and, for templates, the variables it matched.
pub type ResourceReader = Arc<
    dyn Fn(
            String,
            HashMap<String, String>,
            RequestContext,
        ) -> BoxFuture<'static, Result<Vec<ResourceContents>, ErrorObject>>
        + Send
        + Sync,
>;

fn boxed_reader<F, Fut>(f: F) -> ResourceReader
where
    F: Fn(String, HashMap<String, String>, RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<ResourceContents>, ErrorObject>> + Send + 'static,
{
    Arc::new(move |uri, vars, ctx| Box::pin(f(uri, vars, ctx)))
}

/// Description fields shared by resources and templates.
#[derive(Clone, Default)]
struct Describe {
    title: Option<String>,
    description: Option<String>,
    mime_type: Option<String>,
}

impl Describe {
    fn write(&self, obj: &mut Map<String, Value>) {
        if let Some(t) = &self.title {
            obj.insert("title".into(), json!(t));
        }
        if let Some(d) = &self.description {
            obj.insert("description".into(), json!(d));
        }
        if let Some(m) = &self.mime_type {
            obj.insert("mimeType".into(), json!(m));
        }
    }
}

/// A resource at a fixed URI.
///
/// ```
/// use mcpgen_runtime::{Resource, ResourceContents};
/// let r = Resource::new("file:///motd", "Message of the day")
///     .mime_type("text/plain")
///     .reader(|uri, _, _| async move { Ok(vec![ResourceContents::text(uri, "text/plain", "hi")]) });
/// assert_eq!(r.uri(), "file:///motd");
/// ```
#[derive(Clone)]
pub struct Resource {
    pub(crate) uri: String,
    pub(crate) name: String,
    describe: Describe,
    pub(crate) reader: Option<ResourceReader>,
}

impl Resource {
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Resource { uri: uri.into(), name: name.into(), describe: Describe::default(), reader: None }
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.describe.title = Some(title.into());
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.describe.description = Some(description.into());
        self
    }

    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.describe.mime_type = Some(mime_type.into());
        self
    }

    /// The async function that reads the resource.
    pub fn reader<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(String, HashMap<String, String>, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ErrorObject>> + Send + 'static,
    {
        self.reader = Some(boxed_reader(f));
        self
    }

    pub(crate) fn definition(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("uri".into(), json!(self.uri));
        obj.insert("name".into(), json!(self.name));
        self.describe.write(&mut obj);
        Value::Object(obj)
    }
}

/// A family of resources named by an RFC 6570 URI template such as `test://items/{id}`.
/// Supported expressions: `{var}` (one path segment, no `/`) and `{+var}` (anything).
#[derive(Clone)]
pub struct ResourceTemplate {
    pub(crate) uri_template: String,
    pub(crate) name: String,
    describe: Describe,
    pub(crate) reader: Option<ResourceReader>,
    pub(crate) completers: HashMap<String, Completer>,
}

impl ResourceTemplate {
    pub fn new(uri_template: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceTemplate {
            uri_template: uri_template.into(),
            name: name.into(),
            describe: Describe::default(),
            reader: None,
            completers: HashMap::new(),
        }
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.describe.title = Some(title.into());
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.describe.description = Some(description.into());
        self
    }

    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.describe.mime_type = Some(mime_type.into());
        self
    }

    /// Reads a URI matching the template; receives the matched variables.
    pub fn reader<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(String, HashMap<String, String>, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<ResourceContents>, ErrorObject>> + Send + 'static,
    {
        self.reader = Some(boxed_reader(f));
        self
    }

    /// Suggests values for variable `var` in `completion/complete`.
    pub fn complete<F>(mut self, var: impl Into<String>, f: F) -> Self
    where
        F: Fn(&str, &Map<String, Value>) -> Vec<String> + Send + Sync + 'static,
    {
        self.completers.insert(var.into(), Arc::new(f));
        self
    }

    pub(crate) fn definition(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("uriTemplate".into(), json!(self.uri_template));
        obj.insert("name".into(), json!(self.name));
        self.describe.write(&mut obj);
        Value::Object(obj)
    }
}

/// A parsed URI template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UriTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    /// A variable; `reserved` (`{+var}`) may span `/`.
    Var {
        name: String,
        reserved: bool,
    },
}

impl UriTemplate {
    /// Parses `{var}` and `{+var}` expressions; anything else is an error naming it.
    pub fn parse(template: &str) -> Result<UriTemplate, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            let close = rest[open..].find('}').ok_or_else(|| format!("unclosed `{{` in URI template `{template}`"))?;
            let expr = &rest[open + 1..open + close];
            let (reserved, name) = match expr.strip_prefix('+') {
                Some(n) => (true, n),
                None => (false, expr),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                return Err(format!("unsupported expression `{{{expr}}}` in URI template `{template}`"));
            }
            if matches!(parts.last(), Some(Part::Var { .. })) {
                return Err(format!("two adjacent variables in URI template `{template}` cannot be told apart"));
            }
            parts.push(Part::Var { name: name.to_string(), reserved });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(UriTemplate { parts })
    }

    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The variables of `uri` if it matches the template.
    pub fn matches(&self, uri: &str) -> Option<HashMap<String, String>> {
        let mut vars = HashMap::new();
        let mut rest = uri;
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                Part::Literal(lit) => rest = rest.strip_prefix(lit.as_str())?,
                Part::Var { name, reserved } => {
                    let end = match parts.peek() {
                        Some(Part::Literal(next)) => rest.find(next.as_str())?,
                        _ => rest.len(),
                    };
                    let value = &rest[..end];
                    if value.is_empty() || (!reserved && value.contains('/')) {
                        return None;
                    }
                    vars.insert(name.clone(), value.to_string());
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_and_extract_variables() {
        let t = UriTemplate::parse("test://template/{id}/data").unwrap();
        assert_eq!(t.matches("test://template/123/data").unwrap()["id"], "123");
        assert!(t.matches("test://template//data").is_none());
        assert!(t.matches("test://template/1/2/data").is_none());
        assert!(t.matches("test://template/1/data/more").is_none());
        let r = UriTemplate::parse("file:///{+path}").unwrap();
        assert_eq!(r.matches("file:///a/b/c.txt").unwrap()["path"], "a/b/c.txt");
        let two = UriTemplate::parse("x://{a}/{b}").unwrap();
        let m = two.matches("x://1/2").unwrap();
        assert_eq!((m["a"].as_str(), m["b"].as_str()), ("1", "2"));
        assert_eq!(two.variables().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn unsupported_templates_are_named() {
        assert!(UriTemplate::parse("x://{?q}").unwrap_err().contains("{?q}"));
        assert!(UriTemplate::parse("x://{a").unwrap_err().contains("unclosed"));
        assert!(UriTemplate::parse("x://{a}{b}").is_err());
    }
}
