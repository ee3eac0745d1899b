//! The `openai-strict` profile: the `portable` schema made to follow OpenAI's rules for strict
//! function calling (Structured Outputs, `"strict": true`).
//!
//! Rules (what [`super::check`] holds a schema to), from OpenAI's Structured Outputs guide,
//! "Supported schemas" (<https://developers.openai.com/api/docs/guides/structured-outputs#supported-schemas>,
//! formerly platform.openai.com/docs/guides/structured-outputs):
//!
//! 1. Supported types: string, number, boolean, integer, object, array, enum, anyOf (and
//!    `null` in a type array, for optional values). Every schema says one of them.
//! 2. Supported keywords ([`KEYWORDS`]): for strings `pattern` and `format`, the formats being
//!    `date-time`, `time`, `date`, `duration`, `email`, `hostname`, `ipv4`, `ipv6`, `uuid`
//!    ([`FORMATS`]); for numbers `multipleOf`, `maximum`, `exclusiveMaximum`, `minimum`,
//!    `exclusiveMinimum`; for arrays `minItems`, `maxItems`; with `description`, `properties`,
//!    `required`, `additionalProperties`, `items`, `enum`, `const`, `anyOf`, `$ref`/`$defs`.
//!    Composition (`allOf`, `not`, `dependentRequired`, `dependentSchemas`, `if`, `then`,
//!    `else`) is "not yet supported", and a schema with an unsupported keyword is an error
//!    (`default` is refused: "'default' is not permitted"). `minLength` and `maxLength` are
//!    kept: the page lists them among what fine-tuned models "additionally" do not support,
//!    beside `pattern` and `format`, which the others do. `title` and the keywords the page
//!    does not name are refused here: fail closed.
//! 3. The root is an object, not `anyOf`.
//! 4. All fields are required: every property of an object is in its `required`; an optional
//!    one is emulated "by using a union type with null" (`"type": ["string", "null"]`).
//! 5. `additionalProperties: false` on every object.
//! 6. At most 5000 object properties in all, and 10 levels of nesting (objects and arrays
//!    counted, the root being the first: the page does not say whether arrays count, so
//!    they do here, failing closed; older versions of the page said 100 properties and 5
//!    levels).
//! 7. At most 120,000 characters of property names, definition names, enum values and const
//!    values; at most 1000 enum values in all; an enum of strings with more than 250 values at
//!    most 15,000 characters.
//! 8. An array has `items` (not on the page; fails closed).
//!
//! What the transform does: every property required, the optional ones made nullable (`null`
//! added to their type, their `enum`, or as an `anyOf` branch), and the places where that
//! `null` means "not given" recorded (see [`super::Profiled::null_absent`]); every object
//! closed; a free-form object (a map) becomes an empty closed object, said in its description;
//! a schema that accepts anything becomes a `string`; a type array of several types becomes
//! `anyOf`; an enum of more than 250 values is said in words; containers past the tenth level
//! are left out of their parent, named in its description. When the result still breaks the
//! size rules, the `portable` step is run again with tighter limits, and at last only the
//! top-level arguments of simple types are kept.

use super::portable::{self, Limits, add_null, note, type_value};
use super::{Profiled, check, escape, fold, implied_type, shown_enum, types};
use serde_json::{Map, Value, json};

/// The keywords rule 2 allows.
pub const KEYWORDS: [&str; 22] = [
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "$ref",
    "$defs",
    "pattern",
    "format",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
];

/// The string formats rule 2 allows.
pub const FORMATS: [&str; 9] = ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];

/// Rule 6: the deepest level of nesting.
pub const MAX_LEVELS: usize = 10;
/// Rule 6: object properties in all.
pub const MAX_PROPERTIES: usize = 5000;
/// Rule 7: characters of names and values.
pub const MAX_CHARS: usize = 120_000;
/// Rule 7: enum values in all.
pub const MAX_ENUM_VALUES: usize = 1000;
/// Rule 7: an enum of strings longer than this ...
pub const LARGE_ENUM: usize = 250;
/// ... has at most this many characters.
pub const LARGE_ENUM_CHARS: usize = 15_000;

/// `schema` (a derived tool input schema) under `openai-strict`.
pub fn apply(schema: &Value) -> Profiled {
    const KEEP: &[&str] = &["format", "pattern", "multipleOf", "exclusiveMinimum", "exclusiveMaximum"];
    let tighter = [
        Limits { keep: KEEP, ..Limits::PORTABLE },
        Limits { repeats: 0, max_level: 6, max_nodes: 1000, keep: KEEP },
        Limits { repeats: 0, max_level: 3, max_nodes: 200, keep: KEEP },
    ];
    for limits in &tighter {
        let (schema, null_absent) = transform(&portable::transform(schema, limits));
        if check::check(super::SchemaProfile::OpenAiStrict, &schema).is_empty() {
            return Profiled { schema, null_absent, renamed: Vec::new() };
        }
    }
    let (schema, null_absent) = transform(&shallow(&portable::transform(schema, &tighter[2])));
    Profiled { schema, null_absent, renamed: Vec::new() }
}

/// The strict form of a `portable` schema, and where `null` means "not given".
pub fn transform(portable: &Value) -> (Value, Vec<String>) {
    let mut nulls = Vec::new();
    let root = match portable {
        Value::Object(m) => node(m, "", 1, &mut nulls),
        _ => None,
    };
    let root = match root {
        Some(Value::Object(r)) if r.get("type") == Some(&json!("object")) => Value::Object(r),
        _ => json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}),
    };
    nulls.sort();
    nulls.dedup();
    (root, nulls)
}

/// `m` under the rules, at instance location `path` and nesting `level`; `None` when nothing
/// of it can be said.
fn node(m: &Map<String, Value>, path: &str, level: usize, nulls: &mut Vec<String>) -> Option<Value> {
    if level > 64 {
        return None;
    }
    let own_shape = m.contains_key("type") || m.contains_key("properties") || m.contains_key("items");
    if !own_shape && let Some(Value::Array(branches)) = m.get("anyOf") {
        let mut kept: Vec<Value> = Vec::new();
        for b in branches.iter().filter_map(Value::as_object) {
            if let Some(x) = node(b, path, level, nulls)
                && !kept.contains(&x)
            {
                kept.push(x);
            }
        }
        return union(m, kept);
    }
    let mut notes = Vec::new();
    if own_shape && m.contains_key("anyOf") {
        notes.push("the API may take further combinations not shown".to_string());
    }
    let all = types(m);
    let nullable =
        all.iter().any(|t| t == "null") || matches!(m.get("enum"), Some(Value::Array(e)) if e.contains(&Value::Null));
    let mut ts: Vec<String> = all.into_iter().filter(|t| t != "null").collect();
    if ts.is_empty() {
        if nullable && m.get("enum").is_none() && types(m).len() == 1 {
            return Some(json!({"type": "null"}));
        }
        ts.push(implied_type(m).to_string());
    }
    if ts.len() > 1 {
        let mut kept = Vec::new();
        for t in &ts {
            let mut one = m.clone();
            one.remove("description");
            one.insert("type".into(), json!(t));
            if let Some(x) = node(&one, path, level, nulls)
                && !kept.contains(&x)
            {
                kept.push(x);
            }
        }
        if nullable {
            kept.push(json!({"type": "null"}));
        }
        return union(m, kept);
    }
    let t = ts.remove(0);
    if (t == "object" || t == "array") && level > MAX_LEVELS {
        return None;
    }
    let mut out = Map::new();
    out.insert("type".into(), if nullable { json!([t, "null"]) } else { json!(t) });
    if let Some(d) = m.get("description").or_else(|| m.get("title")).and_then(Value::as_str) {
        out.insert("description".into(), json!(d));
    }
    for (k, v) in m {
        match k.as_str() {
            "type" | "description" | "title" | "anyOf" | "properties" | "required" | "items" => {}
            "additionalProperties" => {}
            "enum" => {
                if let Value::Array(values) = v {
                    let strings = values.iter().filter(|x| x.is_string()).count();
                    if values.len() > LARGE_ENUM || strings > LARGE_ENUM {
                        notes.push(format!("one of: {}", shown_enum(values)));
                    } else if !values.is_empty() {
                        let mut values = values.clone();
                        if nullable && !values.contains(&Value::Null) {
                            values.push(Value::Null);
                        }
                        out.insert(k.clone(), Value::Array(values));
                    }
                }
            }
            "format" => match v.as_str() {
                Some(f) if t == "string" && FORMATS.contains(&f) => {
                    out.insert(k.clone(), v.clone());
                }
                _ => notes.extend(note(k, v)),
            },
            "pattern" | "minLength" | "maxLength" if t == "string" => {
                out.insert(k.clone(), v.clone());
            }
            "multipleOf" | "maximum" | "exclusiveMaximum" | "minimum" | "exclusiveMinimum"
                if t == "number" || t == "integer" =>
            {
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
                Some(Value::Object(i)) if !i.is_empty() => node(i, &format!("{path}/~*"), level + 1, nulls)?,
                _ => json!({"type": "string"}),
            };
            out.insert("items".into(), items);
        }
        "object" => {
            let required: Vec<&str> = match m.get("required") {
                Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let mut props = Map::new();
            let mut left_out = Vec::new();
            let declared = matches!(m.get("properties"), Some(Value::Object(p)) if !p.is_empty());
            if let Some(Value::Object(p)) = m.get("properties") {
                for (name, s) in p {
                    let at = format!("{path}/{}", escape(name));
                    let Some(Value::Object(mut child)) = s.as_object().and_then(|s| node(s, &at, level + 1, nulls))
                    else {
                        left_out.push(format!("`{}`", super::cut(name, 60)));
                        continue;
                    };
                    if !required.contains(&name.as_str()) && !allows_null(&child) {
                        make_nullable(&mut child);
                        nulls.push(at);
                    }
                    props.insert(name.clone(), Value::Object(child));
                }
            }
            if !left_out.is_empty() {
                notes.push(format!("{} left out: nested too deep for strict mode", left_out.join(", ")));
            }
            if !declared && m.get("additionalProperties") != Some(&Value::Bool(false)) {
                notes.push("members of any name: strict mode cannot describe them, so only {} is sent".into());
            }
            let names: Vec<Value> = props.keys().map(|n| json!(n)).collect();
            out.insert("properties".into(), Value::Object(props));
            out.insert("required".into(), Value::Array(names));
            out.insert("additionalProperties".into(), json!(false));
        }
        _ => {}
    }
    fold(&mut out, &notes);
    Some(Value::Object(out))
}

/// `anyOf: kept` with the description of `m`; one branch is the schema itself.
fn union(m: &Map<String, Value>, mut kept: Vec<Value>) -> Option<Value> {
    if kept.iter().all(|k| k.get("type") == Some(&json!("null"))) {
        return None;
    }
    let description = m.get("description").or_else(|| m.get("title")).cloned();
    if kept.len() == 1 {
        let Value::Object(mut only) = kept.swap_remove(0) else { return None };
        if let Some(d) = description {
            only.insert("description".into(), d);
        }
        return Some(Value::Object(only));
    }
    let mut out = Map::new();
    if let Some(d) = description {
        out.insert("description".into(), d);
    }
    out.insert("anyOf".into(), Value::Array(kept));
    Some(Value::Object(out))
}

fn allows_null(m: &Map<String, Value>) -> bool {
    types(m).iter().any(|t| t == "null")
        || matches!(m.get("anyOf"), Some(Value::Array(b)) if b.iter().any(|x| x.get("type") == Some(&json!("null"))))
}

fn make_nullable(m: &mut Map<String, Value>) {
    if add_null(m) {
        return;
    }
    if let Some(Value::Array(branches)) = m.get_mut("anyOf") {
        branches.push(json!({"type": "null"}));
    } else {
        let inner = std::mem::take(m);
        m.insert("anyOf".into(), json!([Value::Object(inner), {"type": "null"}]));
    }
}

/// The last resort: only the top-level arguments of simple types, enums said in words.
fn shallow(schema: &Value) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    let mut props = Map::new();
    let mut left_out = Vec::new();
    if let Some(Value::Object(p)) = schema.get("properties") {
        for (name, s) in p {
            let ts = s.as_object().map(types).unwrap_or_default();
            let simple = !ts.is_empty() && ts.iter().all(|t| t != "object" && t != "array");
            if simple && props.len() < 1000 {
                let mut one = Map::new();
                one.insert("type".into(), type_value(&ts));
                let mut notes = Vec::new();
                if let Some(Value::Array(e)) = s.get("enum") {
                    notes.push(format!("one of: {}", shown_enum(e)));
                }
                if let Some(d) = s.get("description") {
                    one.insert("description".into(), Value::String(super::cut(d.as_str().unwrap_or(""), 500)));
                }
                fold(&mut one, &notes);
                props.insert(name.clone(), Value::Object(one));
            } else {
                left_out.push(format!("`{}`", super::cut(name, 60)));
            }
        }
    }
    let mut notes = Vec::new();
    if !left_out.is_empty() {
        notes.push(format!("arguments {} left out: too large for strict mode", super::cut(&left_out.join(", "), 2000)));
    }
    let required: Vec<Value> = match schema.get("required") {
        Some(Value::Array(r)) => {
            r.iter().filter(|n| n.as_str().is_some_and(|n| props.contains_key(n))).cloned().collect()
        }
        _ => Vec::new(),
    };
    out.insert("properties".into(), Value::Object(props));
    out.insert("required".into(), Value::Array(required));
    fold(&mut out, &notes);
    Value::Object(out)
}
