//! JSON Schema validation of tool arguments and structured output.

use serde_json::Value;

/// A compiled JSON Schema (2020-12 unless the schema says otherwise).
pub struct Schema {
    validator: jsonschema::Validator,
}

impl Schema {
    /// Compiles `raw`; the error names what is wrong with the schema.
    pub fn compile(raw: Value) -> Result<Schema, String> {
        let validator = jsonschema::validator_for(&raw).map_err(|e| e.to_string())?;
        Ok(Schema { validator })
    }

    /// Every violation, one line each, prefixed with the JSON pointer of the offending value.
    pub fn violations(&self, instance: &Value) -> Vec<String> {
        self.validator
            .iter_errors(instance)
            .map(|e| {
                let path = e.instance_path().to_string();
                let at = if path.is_empty() { "(root)".to_string() } else { path };
                format!("{at}: {e}")
            })
            .collect()
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
