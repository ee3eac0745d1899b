//! JSON Schema validation of tool arguments and structured output.

use serde_json::Value;
use std::borrow::Cow;
use std::sync::OnceLock;

/// A JSON Schema (2020-12 unless the schema says otherwise), held once as JSON text and compiled
/// into a validator on first use: a server with thousands of tools (a large generated API) starts
/// at once, keeps one copy of each schema (a generated server's is its binary's own `&'static str`),
/// and holds validators only for the tools that are called.
pub struct Schema {
    text: Cow<'static, str>,
    /// The meta-schema check still to do on first use (schema text from a generator that checked it).
    deferred_check: bool,
    /// The text holds a raw line break (hand-written or pretty text), which `tools/list`, sent
    /// as one line, must turn into a space. Known at registration, so the page is not scanned.
    multi_line: bool,
    validator: OnceLock<Result<jsonschema::Validator, String>>,
}

impl Schema {
    /// Checks `raw` against its meta-schema; the error names what is wrong with the schema.
    pub fn compile(raw: Value) -> Result<Schema, String> {
        jsonschema::meta::validate(&raw).map_err(|e| e.to_string())?;
        let text = serde_json::to_string(&raw).map_err(|e| e.to_string())?;
        Ok(Schema { text: Cow::Owned(text), deferred_check: false, multi_line: false, validator: OnceLock::new() })
    }

    /// Takes schema text that a generator already checked, without building it: the meta-schema
    /// check waits for the first use, where a failure reads like any unusable schema. Debug builds
    /// also check here that the text is one JSON object; release builds only look at its first
    /// character, so a server with thousands of generated tools neither scans nor pages in
    /// megabytes of schema text to start.
    pub fn from_text(text: Cow<'static, str>) -> Result<Schema, String> {
        if cfg!(debug_assertions) {
            check_object_text(&text)?;
        } else if !text.trim_start().starts_with('{') {
            return Err("expected a JSON object".into());
        }
        let multi_line = text.contains(['\n', '\r']);
        Ok(Schema { text, deferred_check: true, multi_line, validator: OnceLock::new() })
    }

    /// Takes a generated server's schema text (`upstream`), written compact by the generator
    /// after checking it against the meta-schema, without reading it: parsing it here was a debug
    /// server's whole start-up (GitHub's 8 MB of schemas: 855 M of its 1.2 G instructions;
    /// Microsoft Graph's 600 MB never started in 30 s), and in a release build even a look at
    /// the first character of each of GitHub's 2,400 schema texts paged in most of the binary's
    /// tool data at start. Debug builds look at its first and last characters only (a hand-edited
    /// generated file); the meta-schema check, as for [`Schema::from_text`], waits for first use.
    pub fn from_generated_text(text: &'static str) -> Result<Schema, String> {
        if cfg!(debug_assertions) && !(text.starts_with('{') && text.ends_with('}')) {
            return Err("expected a JSON object".into());
        }
        // Compact: the generator writes it on one line (`emit::literal::ascii_json`).
        Ok(Schema { text: Cow::Borrowed(text), deferred_check: true, multi_line: false, validator: OnceLock::new() })
    }

    /// The schema's JSON text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Appends the text to a line of JSON: a raw line break in JSON text can only be whitespace
    /// (inside a string it must be escaped), so a space stands in for it.
    pub fn write_one_line(&self, out: &mut Vec<u8>) {
        if !self.multi_line {
            out.extend_from_slice(self.text.as_bytes());
            return;
        }
        out.extend(self.text.bytes().map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }));
    }

    /// The schema as a JSON value (built anew on every call).
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    fn validator(&self) -> &Result<jsonschema::Validator, String> {
        self.validator.get_or_init(|| {
            let raw: Value = serde_json::from_str(&self.text).map_err(|e| e.to_string())?;
            if self.deferred_check {
                jsonschema::meta::validate(&raw).map_err(|e| e.to_string())?;
            }
            jsonschema::validator_for(&raw).map_err(|e| e.to_string())
        })
    }

    /// Every violation, one line each, prefixed with the JSON pointer of the offending value.
    pub fn violations(&self, instance: &Value) -> Vec<String> {
        match self.validator() {
            // The usual case, checked without collecting anything.
            Ok(v) if v.is_valid(instance) => Vec::new(),
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

/// Checks that `text` is one JSON object, without building it (`IgnoredAny` allocates nothing).
fn check_object_text(text: &str) -> Result<(), String> {
    struct ObjectOnly;
    impl<'de> serde::de::Visitor<'de> for ObjectOnly {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserializer::deserialize_map(&mut de, ObjectOnly).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

/// A tool's top-level `"type"`, read from schema text without building it.
pub(crate) fn top_level_type(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(rename = "type")]
        ty: Option<Value>,
    }
    let top: Top = serde_json::from_str(text).ok()?;
    top.ty.and_then(|t| t.as_str().map(str::to_string))
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

    #[test]
    fn schema_text_is_checked_for_json_now_and_against_the_meta_schema_on_first_use() {
        assert!(Schema::from_text("[1]".into()).is_err());
        assert!(Schema::from_text("{\"type\": \"object\"".into()).is_err());
        let ok = Schema::from_text(r#"{"type":"object","required":["a"]}"#.into()).unwrap();
        assert!(ok.violations(&json!({"a": 1})).is_empty());
        assert_eq!(ok.violations(&json!({})).len(), 1);
        let bad = Schema::from_text(r#"{"type": 12}"#.into()).unwrap();
        let v = bad.violations(&json!({}));
        assert!(v[0].starts_with("(schema): the schema cannot be used"), "{v:?}");
        assert_eq!(top_level_type(r#"{"properties":{"type":{}},"type":"object"}"#).as_deref(), Some("object"));
        assert_eq!(top_level_type(r#"{"type":12}"#), None);
    }
}
