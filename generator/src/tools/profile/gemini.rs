//! The `gemini` profile: the `portable` schema narrowed to what Gemini's function declarations
//! take.
//!
//! Rules (what [`super::check`] holds a schema to), from Google's reference of the `Schema`
//! object that `FunctionDeclaration.parameters` is ("a select subset of an OpenAPI 3.0 schema
//! object": <https://ai.google.dev/api/caching#Schema>, the same fields in the Vertex AI
//! reference <https://cloud.google.com/vertex-ai/docs/reference/rest/v1/Schema> and in
//! `googleapis/js-genai`'s `types.Schema`), and from the errors the API gives for the rest:
//!
//! 1. Only the `Schema` fields: `type`, `format`, `title`, `description`, `nullable`, `enum`,
//!    `maxItems`, `minItems`, `properties`, `required`, `minProperties`, `maxProperties`,
//!    `minLength`, `maxLength`, `pattern`, `example`, `anyOf`, `propertyOrdering`, `default`,
//!    `items`, `minimum`, `maximum` ([`KEYWORDS`]). Anything else (`$ref`, `$defs`,
//!    `additionalProperties`, `oneOf`, `allOf`, `const`, ...) is refused: "Invalid JSON payload
//!    received. Unknown name "additionalProperties" ... Cannot find field".
//! 2. `type` is one of `STRING`, `NUMBER`, `INTEGER`, `BOOLEAN`, `ARRAY`, `OBJECT` (the enum
//!    `Type`; written in lower case here, as MCP's JSON Schema has it: clients map it), one
//!    value, never an array; a schema without `type` has `anyOf`.
//! 3. `enum`: "possible values of the element of Type.STRING": strings, on a `string`.
//! 4. `format`: for `NUMBER` `float`, `double`; for `INTEGER` `int32`, `int64`; for `STRING`
//!    `enum`, `date-time`. Other formats are said in the description.
//! 5. `properties` and `required` only on an `OBJECT` ("properties: only allowed for OBJECT
//!    type"), each required name one of its properties; `items` only on an `ARRAY`, and an
//!    `ARRAY` has `items` ("items: missing field").
//! 6. An `OBJECT` below the top has at least one property ("properties: should be non-empty
//!    for OBJECT type"); the top object may have none (a function without parameters).
//! 7. No `anyOf` directly as an array's `items` (refused by Gemini's function calling, as
//!    issue 19 observed).
//! 8. Top-level parameter names start with a letter or `_` and hold only `a-z`, `A-Z`, `0-9`
//!    and `_`, at most 64 characters (the Vertex AI `FunctionDeclaration` reference).
//!
//! What the transform does to meet them: a type array becomes `anyOf` of one schema per type
//! (or its first type under `items`); `null` is left out of types and enums (a value
//! Gemini's schema would allow, `nullable`, is one JSON Schema would refuse at call time, so the
//! schema narrows rather than widen); a schema that accepts anything becomes a `string`; an
//! object nothing can be said of (a free-form map) is left out of its parent, the parent's
//! description naming it; keywords out of the list are said in the description. Top-level names
//! that break rule 8 are renamed ([`transform`] returns the renames; the tool's bindings follow
//! them, so the request is unchanged).

use super::portable::{Limits, note};
use super::{fold, implied_type, shown_enum, types};
use serde_json::{Map, Value, json};

/// The fields of Gemini's `Schema` object.
pub const KEYWORDS: [&str; 22] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

/// The `portable` step under this profile: the keywords Gemini may take are decided here.
pub const LIMITS: Limits = Limits { keep: &["format", "pattern"], ..Limits::PORTABLE };

/// The types of rule 2.
pub const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// The formats rule 4 allows for a type.
pub fn formats(t: &str) -> &'static [&'static str] {
    match t {
        "number" => &["float", "double"],
        "integer" => &["int32", "int64"],
        "string" => &["enum", "date-time"],
        _ => &[],
    }
}

/// Whether a top-level parameter name passes rule 8.
pub fn good_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `gemini` form of a `portable` schema (an object), and the top-level arguments renamed
/// (old name, new name).
pub fn transform(portable: &Value) -> (Value, Vec<(String, String)>) {
    let empty = || json!({"type": "object", "properties": {}});
    let Value::Object(m) = portable else { return (empty(), Vec::new()) };
    let mut out = node(m, Place::Top, 0).unwrap_or_else(empty);
    let renames = rename_top(&mut out);
    (out, renames)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    Items,
    Other,
}

fn node(m: &Map<String, Value>, place: Place, depth: usize) -> Option<Value> {
    if depth > 64 {
        return None;
    }
    let own_shape = m.contains_key("type") || m.contains_key("properties") || m.contains_key("items");
    if !own_shape && let Some(Value::Array(branches)) = m.get("anyOf") {
        let mut kept: Vec<Value> = Vec::new();
        for b in branches.iter().filter_map(Value::as_object) {
            if let Some(x) = node(b, Place::Other, depth + 1)
                && !kept.contains(&x)
            {
                kept.push(x);
            }
        }
        return one_of(m, kept, place);
    }
    let mut notes = Vec::new();
    if own_shape && m.contains_key("anyOf") {
        notes.push("the API may take further combinations not shown".to_string());
    }
    let mut ts: Vec<String> = types(m).into_iter().filter(|t| t != "null").collect();
    if ts.is_empty() {
        ts.push(implied_type(m).to_string());
    }
    if ts.len() > 1 {
        let mut kept = Vec::new();
        for t in &ts {
            let mut one = m.clone();
            one.remove("description");
            one.remove("title");
            one.insert("type".into(), json!(t));
            if let Some(x) = node(&one, Place::Other, depth + 1)
                && !kept.contains(&x)
            {
                kept.push(x);
            }
        }
        return one_of(m, kept, place);
    }
    let t = ts.remove(0);
    if !TYPES.contains(&t.as_str()) {
        return None;
    }
    let mut out = Map::new();
    out.insert("type".into(), json!(t));
    describe(m, &mut out);
    for (k, v) in m {
        match k.as_str() {
            "type" | "description" | "title" | "anyOf" | "properties" | "required" | "items" => {}
            "additionalProperties" => {}
            "enum" => {
                if let Value::Array(values) = v {
                    let values: Vec<Value> = values.iter().filter(|x| !x.is_null()).cloned().collect();
                    if t == "string" && !values.is_empty() && values.iter().all(Value::is_string) {
                        out.insert(k.clone(), Value::Array(values));
                    } else if !values.is_empty() {
                        notes.push(format!("one of: {}", shown_enum(&values)));
                    }
                }
            }
            "format" => match v.as_str() {
                Some(f) if formats(&t).contains(&f) => {
                    out.insert(k.clone(), v.clone());
                }
                _ => notes.extend(note(k, v)),
            },
            "minimum" | "maximum" if t == "number" || t == "integer" => {
                out.insert(k.clone(), v.clone());
            }
            "minLength" | "maxLength" | "pattern" if t == "string" => {
                out.insert(k.clone(), v.clone());
            }
            "minItems" | "maxItems" if t == "array" => {
                out.insert(k.clone(), v.clone());
            }
            _ => notes.extend(note(k, v)),
        }
    }
    match t.as_str() {
        "array" => {
            let items = match m.get("items") {
                Some(Value::Object(i)) if !i.is_empty() => node(i, Place::Items, depth + 1)?,
                // Items of any kind: text is one kind, and the model has to be told one.
                _ => json!({"type": "string"}),
            };
            out.insert("items".into(), items);
        }
        "object" => {
            let mut props = Map::new();
            let required: Vec<&str> = match m.get("required") {
                Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let mut left_out = Vec::new();
            if let Some(Value::Object(p)) = m.get("properties") {
                for (name, s) in p {
                    match s.as_object().and_then(|s| node(s, Place::Other, depth + 1)) {
                        Some(x) => {
                            props.insert(name.clone(), x);
                        }
                        None => left_out.push(format!("`{}`", super::cut(name, 60))),
                    }
                }
            }
            if !left_out.is_empty() {
                notes.push(format!("{} left out: their shape cannot be given to Gemini", left_out.join(", ")));
            }
            if props.is_empty() && place != Place::Top {
                return None;
            }
            let required: Vec<Value> =
                required.into_iter().filter(|r| props.contains_key(*r)).map(|r| json!(r)).collect();
            out.insert("properties".into(), Value::Object(props));
            if !required.is_empty() {
                out.insert("required".into(), Value::Array(required));
            }
        }
        _ => {}
    }
    fold(&mut out, &notes);
    Some(Value::Object(out))
}

/// `anyOf: kept`, with the description of `m`: one branch is the schema itself; under `items`
/// (rule 7) the first branch is taken.
fn one_of(m: &Map<String, Value>, mut kept: Vec<Value>, place: Place) -> Option<Value> {
    if kept.is_empty() {
        return None;
    }
    if kept.len() == 1 || place == Place::Items || place == Place::Top {
        let others = kept.len() - 1;
        let Value::Object(mut first) = kept.swap_remove(0) else { return None };
        let mut desc = Map::new();
        describe(m, &mut desc);
        if let Some(d) = desc.remove("description") {
            first.insert("description".into(), d);
        }
        if others > 0 {
            fold(&mut first, &[format!("or {others} other shape(s) not shown")]);
        }
        return Some(Value::Object(first));
    }
    let mut out = Map::new();
    describe(m, &mut out);
    out.insert("anyOf".into(), Value::Array(kept));
    Some(Value::Object(out))
}

/// The description of `m` (its title when it has none) into `out`.
fn describe(m: &Map<String, Value>, out: &mut Map<String, Value>) {
    let d = m.get("description").or_else(|| m.get("title")).and_then(Value::as_str);
    if let Some(d) = d.filter(|d| !d.trim().is_empty()) {
        out.insert("description".into(), json!(d));
    }
}

/// Renames the top-level properties that break rule 8: characters out of the set become `_`,
/// a leading digit gets a `_` before it, 64 characters at most, clashes numbered.
fn rename_top(schema: &mut Value) -> Vec<(String, String)> {
    let Some(Value::Object(props)) = schema.get_mut("properties") else { return Vec::new() };
    if props.keys().all(|n| good_name(n)) {
        return Vec::new();
    }
    let mut renames = Vec::new();
    let mut taken: Vec<String> = props.keys().filter(|n| good_name(n)).cloned().collect();
    let old = std::mem::take(props);
    for (name, s) in old {
        let new = if good_name(&name) {
            name.clone()
        } else {
            let mut base: String =
                name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
            if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                base.insert(0, '_');
            }
            let base: String = base.chars().take(60).collect();
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{base}_{n}");
                n += 1;
            }
            taken.push(candidate.clone());
            renames.push((name.clone(), candidate.clone()));
            candidate
        };
        props.insert(new, s);
    }
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        for r in required.iter_mut() {
            if let Some((_, new)) = renames.iter().find(|(old, _)| r.as_str() == Some(old.as_str())) {
                *r = json!(new);
            }
        }
    }
    renames
}
