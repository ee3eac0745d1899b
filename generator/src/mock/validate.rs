//! Checking a value against a schema of the spec with the `jsonschema` crate, the spec's `$ref`s
//! made local first (as the generated tools' schemas are), and saying what is wrong and where.

use crate::load::Document;
use crate::tools::schema::Defs;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Validators compiled on first use, by the schema's place in the spec.
#[derive(Default)]
pub struct Validators {
    compiled: Mutex<HashMap<String, Arc<Result<jsonschema::Validator, String>>>>,
}

impl Validators {
    /// Every violation of `schema` by `value`, each as `<where><pointer>: <message>`, e.g.
    /// `query.limit: "abc" is not of type "integer"` or `body.tags[0]: 5 is not of type "string"`.
    /// `key` names the schema for the cache; `at` is the value's place in the request.
    pub fn check(&self, doc: &Document, key: &str, schema: &Value, at: &str, value: &Value) -> Vec<String> {
        let compiled = {
            let mut map = self.compiled.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key.to_string()).or_insert_with(|| Arc::new(compile(doc, schema))).clone()
        };
        match compiled.as_ref() {
            Ok(v) => {
                v.iter_errors(value).map(|e| format!("{}: {e}", place(at, &e.instance_path().to_string()))).collect()
            }
            // The spec's schema is broken: say so rather than reject every request.
            Err(_) => Vec::new(),
        }
    }
}

fn compile(doc: &Document, schema: &Value) -> Result<jsonschema::Validator, String> {
    let mut defs = Defs::new(doc);
    let local = defs.localize(schema)?;
    let full = match (local, defs.finish()) {
        (Value::Object(mut m), Some(d)) => {
            m.insert("$defs".into(), d);
            Value::Object(m)
        }
        (other, Some(d)) => serde_json::json!({"allOf": [other], "$defs": d}),
        (other, None) => other,
    };
    jsonschema::validator_for(&without_read_only_required(full)).map_err(|e| e.to_string())
}

/// `schema` with read-only properties no longer required: the mock checks requests, and a
/// `required` read-only property "SHALL be required in the response only" (OpenAPI 3.0.3,
/// `readOnly`). A name read-only anywhere in the schema is let off everywhere: more lenient,
/// never stricter, than the spec.
fn without_read_only_required(mut schema: Value) -> Value {
    fn read_only_names(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = m.get("properties") {
                    for (name, p) in props {
                        if p.get("readOnly") == Some(&Value::Bool(true)) {
                            out.push(name.clone());
                        }
                    }
                }
                m.values().for_each(|c| read_only_names(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| read_only_names(c, out)),
            _ => {}
        }
    }
    fn strip(v: &mut Value, names: &[String]) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(required)) = m.get_mut("required") {
                    required.retain(|r| r.as_str().is_none_or(|r| !names.iter().any(|n| n == r)));
                }
                m.values_mut().for_each(|c| strip(c, names));
            }
            Value::Array(a) => a.iter_mut().for_each(|c| strip(c, names)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    read_only_names(&schema, &mut names);
    if !names.is_empty() {
        strip(&mut schema, &names);
    }
    schema
}

/// `body` + `/tags/0` as `body.tags[0]`.
pub fn place(at: &str, pointer: &str) -> String {
    let mut out = at.to_string();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else {
            out.push('.');
            out.push_str(&token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_like_paths() {
        assert_eq!(place("body", ""), "body");
        assert_eq!(place("body", "/tags/0"), "body.tags[0]");
        assert_eq!(place("query.filter", "/a~1b"), "query.filter.a/b");
    }
}
