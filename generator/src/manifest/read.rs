//! A parsed manifest (`serde_json::Value`) to a checked [`Manifest`], collecting every problem
//! with the entry it belongs to. Never panics: the document is read only through accessors.

use super::{Manifest, ManifestPrompt, ManifestResource, ManifestTemplate, ManifestTool, PromptArgument, uri_template};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// MCP's limit on tool names (2025-11-25: 1 to 128 characters).
const MAX_TOOL_NAME: usize = 128;

/// Problems found so far; each entry says where.
type Problems = Vec<String>;

pub fn manifest(raw: &Value) -> Result<Manifest, Problems> {
    let mut p = Problems::new();
    let empty = Map::new();
    let (top, tools) = match raw {
        Value::Array(tools) => (&empty, Some(tools)),
        Value::Object(o) => match o.get("tools") {
            Some(Value::Array(tools)) => (o, Some(tools)),
            Some(_) => {
                p.push("`tools` must be an array of tool definitions".into());
                (o, None)
            }
            None => {
                p.push("a manifest needs a `tools` array (or is itself an array of tools)".into());
                (o, None)
            }
        },
        _ => {
            p.push("a manifest is an object with a `tools` array, or an array of tools".into());
            (&empty, None)
        }
    };
    let manifest = Manifest {
        name: opt_str(top, "name", "", &mut p),
        version: opt_str(top, "version", "", &mut p),
        title: opt_str(top, "title", "", &mut p),
        instructions: opt_str(top, "instructions", "", &mut p),
        tools: entries(tools.map(Vec::as_slice).unwrap_or_default(), "tools", &mut p, tool),
        prompts: list(top, "prompts", &mut p, prompt),
        resources: list(top, "resources", &mut p, resource),
        resource_templates: list(top, "resourceTemplates", &mut p, template),
    };
    unique(tools.map(Vec::as_slice).unwrap_or_default(), "tools", "name", &mut p);
    for (list, key) in [("prompts", "name"), ("resources", "uri"), ("resourceTemplates", "uriTemplate")] {
        if let Some(Value::Array(items)) = top.get(list) {
            unique(items, list, key, &mut p);
        }
    }
    if manifest.tools.is_empty() && p.is_empty() && tools.is_some() {
        p.push("the manifest has no tools".into());
    }
    if p.is_empty() { Ok(manifest) } else { Err(p) }
}

/// An optional array of entries under `key` of the top-level object.
fn list<T>(
    top: &Map<String, Value>,
    key: &str,
    p: &mut Problems,
    read: fn(&Map<String, Value>, &str, &mut Problems) -> Option<T>,
) -> Vec<T> {
    match top.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => entries(items, key, p, read),
        Some(_) => {
            p.push(format!("`{key}` must be an array"));
            Vec::new()
        }
    }
}

/// Reads each entry of `items`; an entry that is not an object, or has problems, is left out.
fn entries<T>(
    items: &[Value],
    key: &str,
    p: &mut Problems,
    read: fn(&Map<String, Value>, &str, &mut Problems) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{key}[{i}]");
        match item {
            Value::Object(o) => out.extend(read(o, &at, p)),
            _ => p.push(format!("{at}: must be an object")),
        }
    }
    out
}

/// `at` plus the entry's name when it has one, for messages: `tools[3] (name "x")`.
fn named(at: &str, o: &Map<String, Value>, key: &str) -> String {
    match o.get(key).and_then(Value::as_str) {
        Some(name) => format!("{at} ({key} {name:?})"),
        None => at.to_string(),
    }
}

fn tool(o: &Map<String, Value>, at: &str, p: &mut Problems) -> Option<ManifestTool> {
    let before = p.len();
    let name = required_str(o, "name", at, p);
    let at = named(at, o, "name");
    if let Some(name) = &name {
        check_tool_name(name, &at, p);
    }
    let input_schema = match o.get("inputSchema") {
        None => {
            p.push(format!(
                "{at}: inputSchema is missing (MCP tools need one; `{{\"type\": \"object\"}}` takes no arguments)"
            ));
            None
        }
        Some(s) => object_schema(s, "inputSchema", &at, p),
    };
    let output_schema = o.get("outputSchema").and_then(|s| object_schema(s, "outputSchema", &at, p));
    let annotations = match o.get("annotations") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(a)) => {
            for (k, v) in a {
                if !(v.is_boolean() || v.is_string()) {
                    p.push(format!("{at}: annotations.{k} must be a boolean or a string"));
                }
            }
            a.clone()
        }
        Some(_) => {
            p.push(format!("{at}: annotations must be an object"));
            Map::new()
        }
    };
    let title = opt_str(o, "title", &at, p);
    let description = opt_str(o, "description", &at, p);
    if p.len() > before {
        return None;
    }
    Some(ManifestTool { name: name?, title, description, input_schema: input_schema?, output_schema, annotations })
}

/// MCP tool names: 1 to 128 of `A-Z a-z 0-9 _ - .`.
fn check_tool_name(name: &str, at: &str, p: &mut Problems) {
    let bad: String = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))).collect();
    if !bad.is_empty() {
        let mut shown: Vec<char> = bad.chars().collect();
        shown.dedup();
        let shown: String = shown.into_iter().take(8).collect();
        p.push(format!("{at}: a tool name may only hold A-Z, a-z, 0-9, `_`, `-` and `.`; it has {shown:?}"));
    }
    if name.chars().count() > MAX_TOOL_NAME {
        p.push(format!("{at}: a tool name has at most {MAX_TOOL_NAME} characters; it has {}", name.chars().count()));
    }
}

/// A schema that must be a JSON Schema object with `"type": "object"`.
fn object_schema(s: &Value, key: &str, at: &str, p: &mut Problems) -> Option<Value> {
    if s.get("type").and_then(Value::as_str) != Some("object") {
        p.push(format!("{at}: {key} must be an object schema (a JSON object with \"type\": \"object\")"));
        return None;
    }
    if let Err(e) = crate::tools::check_schema(s) {
        p.push(format!("{at}: {key} is not a valid JSON Schema: {e}"));
        return None;
    }
    Some(s.clone())
}

fn prompt(o: &Map<String, Value>, at: &str, p: &mut Problems) -> Option<ManifestPrompt> {
    let before = p.len();
    let name = required_str(o, "name", at, p);
    let at = named(at, o, "name");
    let arguments = match o.get("arguments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(args)) => {
            unique(args, &format!("{at}.arguments"), "name", p);
            entries(args, &format!("{at}.arguments"), p, prompt_argument)
        }
        Some(_) => {
            p.push(format!("{at}: arguments must be an array"));
            Vec::new()
        }
    };
    let title = opt_str(o, "title", &at, p);
    let description = opt_str(o, "description", &at, p);
    if p.len() > before {
        return None;
    }
    Some(ManifestPrompt { name: name?, title, description, arguments })
}

fn prompt_argument(o: &Map<String, Value>, at: &str, p: &mut Problems) -> Option<PromptArgument> {
    let name = required_str(o, "name", at, p);
    let at = named(at, o, "name");
    let description = opt_str(o, "description", &at, p);
    let required = match o.get("required") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            p.push(format!("{at}: required must be true or false"));
            false
        }
    };
    Some(PromptArgument { name: name?, description, required })
}

fn resource(o: &Map<String, Value>, at: &str, p: &mut Problems) -> Option<ManifestResource> {
    let before = p.len();
    let uri = required_str(o, "uri", at, p);
    let at = named(at, o, "uri");
    let name = required_str(o, "name", &at, p);
    let title = opt_str(o, "title", &at, p);
    let description = opt_str(o, "description", &at, p);
    let mime_type = opt_str(o, "mimeType", &at, p);
    if p.len() > before {
        return None;
    }
    Some(ManifestResource { uri: uri?, name: name?, title, description, mime_type })
}

fn template(o: &Map<String, Value>, at: &str, p: &mut Problems) -> Option<ManifestTemplate> {
    let before = p.len();
    let uri_template = required_str(o, "uriTemplate", at, p);
    let at = named(at, o, "uriTemplate");
    let variables = match uri_template.as_deref().map(uri_template::variables) {
        Some(Err(e)) => {
            p.push(format!("{at}: the URI template {e}"));
            None
        }
        Some(Ok(v)) => Some(v),
        None => None,
    };
    let name = required_str(o, "name", &at, p);
    let title = opt_str(o, "title", &at, p);
    let description = opt_str(o, "description", &at, p);
    let mime_type = opt_str(o, "mimeType", &at, p);
    if p.len() > before {
        return None;
    }
    Some(ManifestTemplate {
        uri_template: uri_template?,
        name: name?,
        title,
        description,
        mime_type,
        variables: variables?,
    })
}

/// A non-empty string under `key`, or a problem naming the entry.
fn required_str(o: &Map<String, Value>, key: &str, at: &str, p: &mut Problems) -> Option<String> {
    let at = if at.is_empty() { String::new() } else { format!("{at}: ") };
    match o.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::String(_)) => {
            p.push(format!("{at}`{key}` is empty"));
            None
        }
        Some(_) => {
            p.push(format!("{at}`{key}` must be a string"));
            None
        }
        None => {
            p.push(format!("{at}`{key}` is missing"));
            None
        }
    }
}

/// A string under `key` if there is one; anything else there is a problem.
fn opt_str(o: &Map<String, Value>, key: &str, at: &str, p: &mut Problems) -> Option<String> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            let at = if at.is_empty() { String::new() } else { format!("{at}: ") };
            p.push(format!("{at}`{key}` must be a string"));
            None
        }
    }
}

/// Reports each entry whose `key` an earlier entry of `items` already used.
fn unique(items: &[Value], list: &str, key: &str, p: &mut Problems) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let Some(value) = item.get(key).and_then(Value::as_str) else { continue };
        match seen.get(value) {
            Some(first) => {
                p.push(format!("{list}[{i}] ({key} {value:?}): duplicate {key}, already used by {list}[{first}]"))
            }
            None => {
                seen.insert(value, i);
            }
        }
    }
}
