//! What lets the runtime shape a tool's answers (its `shaping` module): a jq filter argument
//! for every operation that answers JSON, and an output schema that admits a shaped answer.
//!
//! The runtime's texts are repeated here because a build script's generator has no runtime; a
//! test keeps the two the same.

use crate::ir::Operation;
use serde_json::{Value, json};

/// How the jq argument describes itself (the runtime's `JQ_ARGUMENT_DESCRIPTION`).
pub const JQ_ARGUMENT_DESCRIPTION: &str =
    "A jq filter for the JSON answer, e.g. `.[] | {id, name}`: only what it selects is returned.";

/// The schema of a shaped answer (the runtime's `SHAPED_OUTPUT`).
pub const SHAPED_OUTPUT: &str = r#"{"description":"An answer shaped by `jq_filter` or cut to the server's size limit: what was selected or kept, and a note when it was cut","properties":{"note":{"type":"string"},"result":{}},"required":["result"],"type":"object"}"#;

/// Some success response of the operation is JSON.
pub fn answers_json(op: &Operation) -> bool {
    op.responses.iter().any(|r| r.is_success() && r.is_json())
}

/// Adds the jq argument to an input schema (`type: object`) and returns its name: `jq_filter`,
/// or the first of `jq_filter_2`, `jq_filter_3`, ... that no argument has.
pub fn add_jq_argument(schema: &mut Value) -> String {
    let Some(Value::Object(properties)) =
        schema.as_object_mut().map(|s| s.entry("properties").or_insert_with(|| json!({})))
    else {
        return "jq_filter".to_string();
    };
    let name = std::iter::once("jq_filter".to_string())
        .chain((2..).map(|n| format!("jq_filter_{n}")))
        .find(|name| !properties.contains_key(name))
        .unwrap_or_default();
    properties.insert(name.clone(), json!({"type": "string", "description": JQ_ARGUMENT_DESCRIPTION}));
    name
}

/// `schema` (an output schema, without `$defs`) or the shaped answer: clients check structured
/// output against the schema, and a filtered or cut answer is `{"result": ..., "note": ...}`.
pub fn admit_shaped(schema: Value) -> Value {
    let shaped: Value = serde_json::from_str(SHAPED_OUTPUT).unwrap_or_default();
    json!({"type": "object", "anyOf": [schema, shaped]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jq_argument_never_takes_an_arguments_name() {
        let mut schema = json!({"type": "object", "properties": {"jq_filter": {}, "jq_filter_2": {}}});
        assert_eq!(add_jq_argument(&mut schema), "jq_filter_3");
        assert_eq!(schema["properties"]["jq_filter_3"]["type"], "string");
        let mut bare = json!({"type": "object"});
        assert_eq!(add_jq_argument(&mut bare), "jq_filter");
        assert_eq!(bare["properties"]["jq_filter"]["description"], JQ_ARGUMENT_DESCRIPTION);
    }

    #[test]
    fn a_shaped_answer_passes_the_widened_schema_and_the_answer_still_does() {
        let own = json!({"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]});
        let widened = admit_shaped(own);
        let validator = jsonschema::validator_for(&widened).unwrap();
        assert!(validator.is_valid(&json!({"id": 1})));
        assert!(validator.is_valid(&json!({"result": ["anything"], "note": "cut"})));
        assert!(!validator.is_valid(&json!({"id": "one"})));
    }

    /// The texts the runtime uses are these.
    #[cfg(feature = "cli")]
    #[test]
    fn the_runtime_says_the_same() {
        assert_eq!(JQ_ARGUMENT_DESCRIPTION, mcpgen_runtime::server::JQ_ARGUMENT_DESCRIPTION);
        assert_eq!(SHAPED_OUTPUT, mcpgen_runtime::server::SHAPED_OUTPUT);
    }
}
