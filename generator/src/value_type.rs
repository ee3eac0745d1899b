//! The JSON Schema `type` a JSON value has, for the places that compare a value with a schema's
//! `type` without a validator (the tool surface, the mock's argument reading and synthesis).

use serde_json::Value;

/// `"integer"` for whole numbers (which are `"number"`s too, as JSON Schema has it).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
