//! Validators: whether a schema follows a profile's rules, written from the clients'
//! documentation (the rules and their sources are in [`super::gemini`] and [`super::openai`];
//! `portable`'s are its own, in [`super::portable`]). Apart from the transforms on purpose: the
//! tests and the corpus runner hold each transform to these.

use super::{SchemaProfile, escape, gemini, openai, portable, types};
use serde_json::{Map, Value};

/// One rule broken, at a JSON pointer into the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        write!(f, "{at}: {}", self.message)
    }
}

/// Every rule of `profile` that `schema` breaks (none for `full`).
pub fn check(profile: SchemaProfile, schema: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    match profile {
        SchemaProfile::Full => {}
        SchemaProfile::Portable => {
            walk(schema, String::new(), Place::Top, 1, 0, &mut |m, at, place, _| portable_node(m, at, place, &mut out))
        }
        SchemaProfile::Gemini => {
            walk(schema, String::new(), Place::Top, 1, 0, &mut |m, at, place, _| gemini_node(m, at, place, &mut out))
        }
        SchemaProfile::OpenAiStrict => {
            let mut sizes = Sizes::default();
            walk(schema, String::new(), Place::Top, 1, 0, &mut |m, at, place, level| {
                openai_node(m, at, place, level, &mut sizes, &mut out)
            });
            sizes.finish(&mut out);
        }
    }
    if !schema.is_object() {
        out.push(Violation { pointer: String::new(), message: "the schema is not an object".into() });
    }
    out
}

/// Where a subschema sits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    Top,
    /// The value of `items`.
    Items,
    /// A property's schema.
    Property,
    /// Anywhere else (a union's branch, `additionalProperties`, a definition, ...).
    Other,
}

const MAX_DEPTH: usize = 200;

/// What [`walk`] calls on each subschema: the schema, its pointer, its place, its level.
type Visit<'a> = dyn FnMut(&Map<String, Value>, &str, Place, usize) + 'a;

/// Calls `f` on every subschema (an object) with its pointer, place and nesting level (objects
/// and arrays entered: the root is level 1).
fn walk(v: &Value, at: String, place: Place, level: usize, depth: usize, f: &mut Visit<'_>) {
    let Value::Object(m) = v else { return };
    if depth > MAX_DEPTH {
        return;
    }
    f(m, &at, place, level);
    for (k, x) in m {
        let here = format!("{at}/{}", escape(k));
        match (k.as_str(), x) {
            ("properties" | "patternProperties" | "dependentSchemas", Value::Object(children)) => {
                for (n, s) in children {
                    walk(s, format!("{here}/{}", escape(n)), Place::Property, level + 1, depth + 1, f);
                }
            }
            ("$defs" | "definitions", Value::Object(children)) => {
                for (n, s) in children {
                    walk(s, format!("{here}/{}", escape(n)), Place::Other, level, depth + 1, f);
                }
            }
            ("items", _) => walk(x, here, Place::Items, level + 1, depth + 1, f),
            ("additionalProperties" | "contains" | "unevaluatedItems" | "unevaluatedProperties", _) => {
                walk(x, here, Place::Other, level + 1, depth + 1, f)
            }
            ("not" | "if" | "then" | "else" | "propertyNames", _) => walk(x, here, Place::Other, level, depth + 1, f),
            ("allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(parts)) => {
                let next = if k == "prefixItems" { level + 1 } else { level };
                for (i, s) in parts.iter().enumerate() {
                    walk(s, format!("{here}/{i}"), Place::Other, next, depth + 1, f);
                }
            }
            _ => {}
        }
    }
}

fn push(out: &mut Vec<Violation>, at: &str, message: String) {
    out.push(Violation { pointer: at.to_string(), message });
}

fn portable_node(m: &Map<String, Value>, at: &str, place: Place, out: &mut Vec<Violation>) {
    for k in m.keys() {
        if !portable::KEPT.contains(&k.as_str()) {
            push(out, at, format!("keyword `{k}` is not one the portable profile keeps"));
        }
    }
    if place == Place::Top && types(m) != ["object"] {
        push(out, at, "the top is not `type: object`".into());
    }
    if let Some(Value::Array(branches)) = m.get("anyOf") {
        let bare = |b: &Value| {
            b.as_object().is_some_and(|b| {
                let ts = types(b);
                !ts.is_empty()
                    && ts.iter().all(|t| t != "object" && t != "array")
                    && b.keys().all(|k| k == "type" || k == "description" || k == "title")
            })
        };
        if !branches.is_empty() && branches.iter().all(bare) {
            push(out, at, "an `anyOf` of bare types, which a type array says".into());
        }
    }
}

fn gemini_node(m: &Map<String, Value>, at: &str, place: Place, out: &mut Vec<Violation>) {
    for k in m.keys() {
        if !gemini::KEYWORDS.contains(&k.as_str()) {
            push(out, at, format!("field `{k}` is not in Gemini's Schema object"));
        }
    }
    let t = match m.get("type") {
        Some(Value::String(t)) => {
            let lower = t.to_ascii_lowercase();
            if !gemini::TYPES.contains(&lower.as_str()) {
                push(out, at, format!("type `{t}` is not one of Gemini's types"));
            }
            Some(lower)
        }
        Some(other) => {
            push(out, at, format!("type {other} is not one type"));
            None
        }
        None => {
            if !m.contains_key("anyOf") {
                push(out, at, "no `type` (and no `anyOf`)".into());
            }
            None
        }
    };
    let t = t.as_deref();
    if let Some(e) = m.get("enum") {
        let strings = matches!(e, Value::Array(a) if a.iter().all(Value::is_string));
        if t != Some("string") || !strings {
            push(out, at, "`enum` other than strings on a string".into());
        }
    }
    if let Some(f) = m.get("format") {
        let ok = f.as_str().is_some_and(|f| t.is_some_and(|t| gemini::formats(t).contains(&f)));
        if !ok {
            push(out, at, format!("format {f} is not one Gemini takes for this type"));
        }
    }
    if (m.contains_key("properties") || m.contains_key("required")) && t != Some("object") {
        push(out, at, "`properties`/`required` on a type other than object".into());
    }
    if m.contains_key("items") && t != Some("array") {
        push(out, at, "`items` on a type other than array".into());
    }
    if t == Some("array") && !m.get("items").is_some_and(Value::is_object) {
        push(out, at, "an array without `items`".into());
    }
    let props = m.get("properties").and_then(Value::as_object);
    if t == Some("object") && place != Place::Top && props.is_none_or(Map::is_empty) {
        push(out, at, "an object below the top without properties".into());
    }
    if let Some(Value::Array(required)) = m.get("required") {
        for r in required {
            if !r.as_str().is_some_and(|r| props.is_some_and(|p| p.contains_key(r))) {
                push(out, at, format!("required {r} is not a property"));
            }
        }
    }
    if place == Place::Items && m.contains_key("anyOf") {
        push(out, at, "`anyOf` as an array's items".into());
    }
    if place == Place::Top
        && let Some(p) = props
    {
        for name in p.keys().filter(|n| !gemini::good_name(n)) {
            push(out, at, format!("parameter name `{name}` is not [A-Za-z_][A-Za-z0-9_]{{0,63}}"));
        }
    }
}

/// Rule 6 and 7's counts over the whole schema.
#[derive(Default)]
struct Sizes {
    properties: usize,
    chars: usize,
    enum_values: usize,
}

impl Sizes {
    fn finish(self, out: &mut Vec<Violation>) {
        if self.properties > openai::MAX_PROPERTIES {
            push(out, "", format!("{} object properties, more than {}", self.properties, openai::MAX_PROPERTIES));
        }
        if self.chars > openai::MAX_CHARS {
            push(out, "", format!("{} characters of names and values, more than {}", self.chars, openai::MAX_CHARS));
        }
        if self.enum_values > openai::MAX_ENUM_VALUES {
            push(out, "", format!("{} enum values, more than {}", self.enum_values, openai::MAX_ENUM_VALUES));
        }
    }
}

fn value_chars(v: &Value) -> usize {
    match v {
        Value::String(s) => s.chars().count(),
        other => other.to_string().len(),
    }
}

fn openai_node(
    m: &Map<String, Value>,
    at: &str,
    place: Place,
    level: usize,
    sizes: &mut Sizes,
    out: &mut Vec<Violation>,
) {
    for k in m.keys() {
        if !openai::KEYWORDS.contains(&k.as_str()) {
            push(out, at, format!("keyword `{k}` is not supported in strict mode"));
        }
    }
    let ts = types(m);
    if place == Place::Top && (ts != ["object"] || m.contains_key("anyOf")) {
        push(out, at, "the root is not an object (or is an `anyOf`)".into());
    }
    match m.get("type") {
        Some(Value::String(_)) | None => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) && !a.is_empty() => {}
        Some(other) => push(out, at, format!("type {other} is not a type or a list of types")),
    }
    const TYPES: [&str; 7] = ["string", "number", "boolean", "integer", "object", "array", "null"];
    for t in &ts {
        if !TYPES.contains(&t.as_str()) {
            push(out, at, format!("type `{t}` is not supported"));
        }
    }
    if ts.is_empty() && !["anyOf", "enum", "const", "$ref"].iter().any(|k| m.contains_key(*k)) {
        push(out, at, "no type (nor `anyOf`, `enum`, `const`, `$ref`)".into());
    }
    if let Some(f) = m.get("format")
        && !f.as_str().is_some_and(|f| openai::FORMATS.contains(&f))
    {
        push(out, at, format!("format {f} is not supported"));
    }
    let is_object = ts.iter().any(|t| t == "object");
    let is_array = ts.iter().any(|t| t == "array");
    if is_object {
        if m.get("additionalProperties") != Some(&Value::Bool(false)) {
            push(out, at, "an object without `additionalProperties: false`".into());
        }
        let required: Vec<&str> = match m.get("required") {
            Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if let Some(Value::Object(p)) = m.get("properties") {
            for name in p.keys().filter(|n| !required.contains(&n.as_str())) {
                push(out, at, format!("property `{name}` is not required"));
            }
        }
    }
    if is_array && !m.get("items").is_some_and(Value::is_object) {
        push(out, at, "an array without `items`".into());
    }
    if (is_object || is_array) && level > openai::MAX_LEVELS {
        push(out, at, format!("nested {level} levels deep, more than {}", openai::MAX_LEVELS));
    }
    if let Some(Value::Object(p)) = m.get("properties") {
        sizes.properties += p.len();
        sizes.chars += p.keys().map(|k| k.chars().count()).sum::<usize>();
    }
    if let Some(Value::Object(d)) = m.get("$defs") {
        sizes.chars += d.keys().map(|k| k.chars().count()).sum::<usize>();
    }
    if let Some(c) = m.get("const") {
        sizes.chars += value_chars(c);
    }
    if let Some(Value::Array(e)) = m.get("enum") {
        sizes.enum_values += e.len();
        let chars: usize = e.iter().map(value_chars).sum();
        sizes.chars += chars;
        if e.iter().filter(|v| v.is_string()).count() > openai::LARGE_ENUM && chars > openai::LARGE_ENUM_CHARS {
            push(out, at, format!("an enum of {} strings with {chars} characters", e.len()));
        }
    }
}
