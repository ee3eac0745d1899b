//! A tool's surface as an MCP client sees it: its name, description and the arguments its input
//! schema accepts. `mcpgen inspect` lists it; [`diff`] compares two of them.
//!
//! Arguments are read from the input schema alone (not from the OpenAPI operation), so the same
//! view serves every kind of input: nested object properties become dotted paths
//! (`owner.name`), array items `tags[]`; local `$ref`s are followed once per path, so recursive
//! schemas end.

pub mod diff;

use crate::value_type::json_type;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// How deep nested arguments are listed; deeper ones are part of their parent's type.
const MAX_DEPTH: usize = 6;

/// One tool as a client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSurface {
    pub name: String,
    pub description: String,
    pub arguments: Vec<Argument>,
    /// The operation behind the tool (its operationId, else `METHOD /path`), for an OpenAPI tool:
    /// how [`diff`] recognises a tool that was renamed.
    pub operation: Option<String>,
}

/// One argument (or nested property) a tool accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// `limit`, `owner.name`, `tags[]`.
    pub path: String,
    /// JSON types the value may have (`string`, `integer`, `null`, ...); empty means any.
    pub types: BTreeSet<String>,
    /// Required within its parent object.
    pub required: bool,
    /// The allowed values, when the schema lists them (`enum` or `const`), as JSON text.
    pub allowed: Option<BTreeSet<String>>,
    pub description: Option<String>,
}

impl Argument {
    /// `integer`, `string | null`, or `any`.
    pub fn type_text(&self) -> String {
        if self.types.is_empty() {
            "any".to_string()
        } else {
            self.types.iter().map(String::as_str).collect::<Vec<_>>().join(" | ")
        }
    }
}

impl ToolSurface {
    /// The surface of a tool with this input schema.
    pub fn new(name: &str, description: &str, input_schema: &Value) -> ToolSurface {
        let mut arguments = Vec::new();
        let root = ref_of(input_schema).and_then(|r| follow(input_schema, r)).unwrap_or(input_schema);
        let mut walk = Walk { root: input_schema, out: &mut arguments };
        walk.properties(root, "", 0, &mut Vec::new());
        ToolSurface { name: name.to_string(), description: description.to_string(), arguments, operation: None }
    }
}

impl From<&crate::ToolDef> for ToolSurface {
    fn from(t: &crate::ToolDef) -> Self {
        let mut surface = ToolSurface::new(&t.name, &t.description, &t.input_schema);
        surface.operation = Some(t.operation_id.clone().unwrap_or_else(|| format!("{} {}", t.method.upper(), t.path)));
        surface
    }
}

impl From<&crate::manifest::ManifestTool> for ToolSurface {
    fn from(t: &crate::manifest::ManifestTool) -> Self {
        ToolSurface::new(&t.name, t.description.as_deref().unwrap_or(""), &t.input_schema)
    }
}

/// Every tool an input describes, whatever its kind.
pub fn of(description: &crate::Description) -> Vec<ToolSurface> {
    match description {
        crate::Description::OpenApi(set) => set.tools.iter().map(ToolSurface::from).collect(),
        crate::Description::Manifest(m) => m.tools.iter().map(ToolSurface::from).collect(),
    }
}

struct Walk<'a> {
    root: &'a Value,
    out: &'a mut Vec<Argument>,
}

impl<'a> Walk<'a> {
    /// Lists the properties of the object schema `schema` under `prefix`. `seen` holds the
    /// `$ref`s being expanded on this path.
    fn properties(&mut self, schema: &'a Value, prefix: &str, depth: usize, seen: &mut Vec<&'a str>) {
        if depth >= MAX_DEPTH {
            return;
        }
        let required: BTreeSet<&str> = object_parts(schema, self.root, "required")
            .iter()
            .flat_map(|r| r.as_array().into_iter().flatten().filter_map(Value::as_str))
            .collect();
        for props in object_parts(schema, self.root, "properties") {
            let Some(props) = props.as_object() else { continue };
            for (name, sub) in props {
                let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                self.argument(sub, path, required.contains(name.as_str()), depth, seen);
            }
        }
    }

    fn argument(&mut self, schema: &'a Value, path: String, required: bool, depth: usize, seen: &mut Vec<&'a str>) {
        let depth_before = seen.len();
        // A `$ref` already being expanded on this path still says its type, but is not entered.
        let (resolved, expand) = match ref_of(schema) {
            Some(r) if seen.contains(&r) => (follow(self.root, r), false),
            Some(r) => {
                seen.push(r);
                (follow(self.root, r), true)
            }
            None => (Some(schema), true),
        };
        let described = schema.get("description").or_else(|| resolved.and_then(|r| r.get("description")));
        let arg = Argument {
            path: path.clone(),
            types: resolved.map(|r| types(r, self.root, 0)).unwrap_or_default(),
            required,
            allowed: resolved.and_then(allowed),
            description: described.and_then(Value::as_str).map(str::to_string),
        };
        let is_object = arg.types.contains("object");
        let is_array = arg.types.contains("array");
        self.out.push(arg);
        if let Some(r) = resolved.filter(|_| expand) {
            if is_object {
                self.properties(r, &path, depth + 1, seen);
            }
            if is_array && let Some(items) = r.get("items") {
                self.argument(items, format!("{path}[]"), false, depth + 1, seen);
            }
        }
        seen.truncate(depth_before);
    }
}

fn ref_of(schema: &Value) -> Option<&str> {
    schema.get("$ref").and_then(Value::as_str)
}

/// A local JSON pointer (`#/$defs/Pet`) into `root`.
fn follow<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// `key` of the schema and of each `allOf` part (one level of `$ref` followed).
fn object_parts<'a>(schema: &'a Value, root: &'a Value, key: &str) -> Vec<&'a Value> {
    let mut parts: Vec<&Value> = schema.get(key).into_iter().collect();
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let part = ref_of(part).and_then(|r| follow(root, r)).unwrap_or(part);
        parts.extend(part.get(key));
    }
    parts
}

/// The JSON types a schema accepts; empty for any.
fn types(schema: &Value, root: &Value, depth: usize) -> BTreeSet<String> {
    if depth > MAX_DEPTH {
        return BTreeSet::new();
    }
    let schema = ref_of(schema).and_then(|r| follow(root, r)).unwrap_or(schema);
    let mut out = BTreeSet::new();
    match schema.get("type") {
        Some(Value::String(t)) => {
            out.insert(t.clone());
        }
        Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str).map(str::to_string)),
        _ => {}
    }
    if out.is_empty() {
        if let Some(c) = schema.get("const") {
            out.insert(json_type(c).to_string());
        } else if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            out.extend(values.iter().map(|v| json_type(v).to_string()));
        } else if schema.get("properties").is_some() {
            out.insert("object".to_string());
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let branch_types: Vec<BTreeSet<String>> = branches.iter().map(|b| types(b, root, depth + 1)).collect();
            // A branch that accepts anything makes the union accept anything.
            if branch_types.iter().any(BTreeSet::is_empty) {
                return BTreeSet::new();
            }
            out.extend(branch_types.into_iter().flatten());
        }
    }
    if out.is_empty()
        && let Some(parts) = schema.get("allOf").and_then(Value::as_array)
    {
        out.extend(parts.iter().flat_map(|p| types(p, root, depth + 1)));
    }
    out
}

fn allowed(schema: &Value) -> Option<BTreeSet<String>> {
    if let Some(c) = schema.get("const") {
        return Some(BTreeSet::from([c.to_string()]));
    }
    let values = schema.get("enum")?.as_array()?;
    Some(values.iter().map(Value::to_string).collect())
}

/// The JSON form of a surface's arguments, shared by `inspect --json` and `diff --json`.
pub fn argument_json(a: &Argument) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), a.path.clone().into());
    m.insert("type".into(), a.type_text().into());
    m.insert("required".into(), a.required.into());
    if let Some(values) = &a.allowed {
        let parsed: Vec<Value> = values.iter().filter_map(|v| serde_json::from_str(v).ok()).collect();
        m.insert("enum".into(), parsed.into());
    }
    if let Some(d) = &a.description {
        m.insert("description".into(), d.clone().into());
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row<'a>(s: &'a ToolSurface, path: &str) -> &'a Argument {
        s.arguments.iter().find(|a| a.path == path).unwrap_or_else(|| panic!("no argument {path} in {s:?}"))
    }

    #[test]
    fn nested_properties_refs_and_arrays_become_paths() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "integer", "description": "The id"},
                "owner": {"$ref": "#/$defs/Owner"},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                "kind": {"anyOf": [{"type": "string"}, {"type": "null"}]}
            },
            "$defs": {"Owner": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}
        });
        let s = ToolSurface::new("t", "", &schema);
        let paths: Vec<&str> = s.arguments.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["id", "kind", "owner", "owner.name", "tags", "tags[]"]);
        assert!(row(&s, "id").required);
        assert_eq!(row(&s, "id").description.as_deref(), Some("The id"));
        assert!(!row(&s, "owner").required);
        assert!(row(&s, "owner.name").required);
        assert_eq!(row(&s, "tags[]").allowed, Some(BTreeSet::from(["\"a\"".to_string(), "\"b\"".to_string()])));
        assert_eq!(row(&s, "kind").type_text(), "null | string");
    }

    #[test]
    fn recursive_schemas_end() {
        let schema = json!({
            "type": "object",
            "properties": {"node": {"$ref": "#/$defs/Node"}},
            "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}, "v": {"type": "string"}}}}
        });
        let s = ToolSurface::new("t", "", &schema);
        let paths: Vec<&str> = s.arguments.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["node", "node.next", "node.v"]);
        assert_eq!(row(&s, "node.next").type_text(), "object");
    }

    #[test]
    fn all_of_parts_contribute_properties_and_required() {
        let schema = json!({
            "type": "object",
            "properties": {"pet": {"allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]}},
            "$defs": {"Base": {"type": "object", "properties": {"a": {"type": "number"}}}}
        });
        let s = ToolSurface::new("t", "", &schema);
        assert_eq!(row(&s, "pet").type_text(), "object");
        assert_eq!(row(&s, "pet.a").type_text(), "number");
        assert!(row(&s, "pet.b").required);
    }
}
