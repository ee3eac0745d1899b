//! JSON Schema validation of tool arguments and structured output.

use serde_json::Value;
use std::sync::OnceLock;

/// A JSON Schema (2020-12 unless the schema says otherwise), checked against its meta-schema when
/// registered and compiled into a validator on first use: a server with thousands of tools (a large
/// generated API) starts at once and holds validators only for the tools that are called.
pub struct Schema {
    raw: Value,
    validator: OnceLock<Result<jsonschema::Validator, String>>,
}

impl Schema {
    /// Checks `raw` against its meta-schema; the error names what is wrong with the schema.
    pub fn compile(raw: Value) -> Result<Schema, String> {
        jsonschema::meta::validate(&raw).map_err(|e| e.to_string())?;
        Ok(Schema { raw, validator: OnceLock::new() })
    }

    /// Every violation, one line each, prefixed with the JSON pointer of the offending value.
    pub fn violations(&self, instance: &Value) -> Vec<String> {
        let validator = self.validator.get_or_init(|| jsonschema::validator_for(&self.raw).map_err(|e| e.to_string()));
        match validator {
            Ok(v) => v
                .iter_errors(instance)
                .map(|e| {
                    let path = e.instance_path().to_string();
                    let at = if path.is_empty() { "(root)".to_string() } else { path };
                    format!("{at}: {e}")
                })
                .collect(),
            // A schema that passes its meta-schema but cannot compile (an invalid `pattern` regex).
            Err(e) => vec![format!("(schema): the schema cannot be used: {e}")],
        }
    }
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_every_violation_with_its_path() {
        let schema = Schema::compile(json!({
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
            "required": ["a", "b"]
        }))
        .unwrap();
        assert!(schema.violations(&json!({"a": 1, "b": "x"})).is_empty());
        let v = schema.violations(&json!({"a": "one"}));
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v.iter().any(|l| l.starts_with("/a:")), "{v:?}");
        assert!(v.iter().any(|l| l.contains("\"b\" is a required property")), "{v:?}");
    }

    #[test]
    fn bad_schemas_are_rejected() {
        assert!(Schema::compile(json!({"type": 12})).is_err());
    }
}
