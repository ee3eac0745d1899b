//! OpenAPI 3.0 and Swagger 2.0 schema dialects converted to JSON Schema 2020-12.
//!
//! Idempotent: a schema already in 2020-12 form comes out unchanged (less `x-` extensions), so it
//! is safe to apply to every schema whatever document it came from.

use serde_json::{Map, Value, json};

/// Keywords whose value is one schema.
const ONE: [&str; 10] = [
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];
/// Keywords whose value is an array of schemas.
const MANY: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const MAP: [&str; 5] = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];

/// Returns `schema` in JSON Schema 2020-12 form.
pub fn normalize(schema: &Value) -> Value {
    match schema {
        Value::Object(src) => Value::Object(normalize_object(src)),
        Value::Bool(_) => schema.clone(),
        // Anything else is not a schema; the permissive schema is the tolerant reading.
        _ => json!({}),
    }
}

fn normalize_object(src: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in src {
        if k.starts_with("x-") || k == "nullable" {
            continue;
        }
        let converted = if ONE.contains(&k.as_str()) {
            if v.is_object() || v.is_boolean() { normalize(v) } else { continue }
        } else if MANY.contains(&k.as_str()) {
            match v {
                Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
                _ => continue,
            }
        } else if MAP.contains(&k.as_str()) {
            match v {
                Value::Object(m) => Value::Object(m.iter().map(|(n, s)| (n.clone(), normalize(s))).collect()),
                _ => continue,
            }
        } else if k == "items" {
            match v {
                // Draft-4 tuple form.
                Value::Array(items) => {
                    out.insert("prefixItems".into(), Value::Array(items.iter().map(normalize).collect()));
                    continue;
                }
                other => normalize(other),
            }
        } else if k == "required" {
            match v {
                Value::Array(items) if items.iter().all(Value::is_string) => v.clone(),
                // `required: true` on a property is a common 2.0 mistake; it means nothing here.
                _ => continue,
            }
        } else if k == "type" {
            match v {
                Value::String(t) if t == "file" => {
                    out.insert("format".into(), json!("binary"));
                    json!("string")
                }
                Value::String(_) => v.clone(),
                Value::Array(items) if items.iter().all(Value::is_string) => v.clone(),
                _ => continue,
            }
        } else {
            v.clone()
        };
        let key = if k == "definitions" { "$defs".to_string() } else { k.clone() };
        out.insert(key, converted);
    }
    bounds(&mut out, "minimum", "exclusiveMinimum");
    bounds(&mut out, "maximum", "exclusiveMaximum");
    if let Some(example) = out.remove("example")
        && !out.contains_key("examples")
    {
        out.insert("examples".into(), json!([example]));
    }
    if out.get("examples").is_some_and(|e| !e.is_array()) {
        out.remove("examples");
    }
    if out.get("format").and_then(Value::as_str) == Some("byte") && !out.contains_key("contentEncoding") {
        out.insert("contentEncoding".into(), json!("base64"));
    }
    let nullable = src.get("nullable").and_then(Value::as_bool) == Some(true)
        || src.get("x-nullable").and_then(Value::as_bool) == Some(true);
    if nullable {
        out = make_nullable(out);
    }
    out
}

/// 3.0's boolean `exclusiveMinimum` next to `minimum` becomes 2020-12's numeric form.
fn bounds(out: &mut Map<String, Value>, plain: &str, exclusive: &str) {
    if let Some(Value::Bool(b)) = out.get(exclusive).cloned() {
        out.remove(exclusive);
        if b && let Some(limit) = out.remove(plain) {
            out.insert(exclusive.into(), limit);
        }
    }
}

fn make_nullable(mut out: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match out.get("type").cloned() {
        Some(Value::String(t)) => {
            if t != "null" {
                out.insert("type".into(), json!([t, "null"]));
            }
            out
        }
        Some(Value::Array(mut types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            out.insert("type".into(), Value::Array(types));
            out
        }
        _ => {
            let mut wrapper = Map::new();
            for k in ["description", "title", "default"] {
                if let Some(v) = out.remove(k) {
                    wrapper.insert(k.into(), v);
                }
            }
            wrapper.insert("anyOf".into(), json!([Value::Object(out), {"type": "null"}]));
            wrapper
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_30_forms_become_2020_12() {
        let s = json!({
            "type": "object",
            "x-internal": true,
            "properties": {
                "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "nullable": true, "example": 3},
                "tag": {"$ref": "#/components/schemas/Tag", "nullable": true},
                "kind": {"type": "string", "enum": ["a", "b"], "nullable": true},
                "tuple": {"type": "array", "items": [{"type": "string"}]},
                "nullable": {"type": "string"},
                "file": {"type": "file"},
                "raw": {"type": "string", "format": "byte"}
            },
            "required": ["age"]
        });
        let n = normalize(&s);
        assert!(n.get("x-internal").is_none());
        let p = &n["properties"];
        assert_eq!(p["age"], json!({"type": ["integer", "null"], "exclusiveMinimum": 0, "examples": [3]}));
        assert_eq!(p["tag"], json!({"anyOf": [{"$ref": "#/components/schemas/Tag"}, {"type": "null"}]}));
        assert_eq!(p["kind"]["enum"], json!(["a", "b", null]));
        assert_eq!(p["tuple"]["prefixItems"], json!([{"type": "string"}]));
        assert_eq!(p["nullable"], json!({"type": "string"}), "a property may be named like a keyword");
        assert_eq!(p["file"], json!({"type": "string", "format": "binary"}));
        assert_eq!(p["raw"]["contentEncoding"], "base64");
        assert_eq!(normalize(&n), n, "idempotent");
    }

    #[test]
    fn junk_is_dropped_not_fatal() {
        let n = normalize(&json!({"type": 5, "required": true, "properties": 3, "items": "x"}));
        assert_eq!(n, json!({"items": {}}));
        assert_eq!(normalize(&json!("nope")), json!({}));
        assert_eq!(normalize(&json!({"minimum": 1, "exclusiveMinimum": false})), json!({"minimum": 1}));
    }
}
