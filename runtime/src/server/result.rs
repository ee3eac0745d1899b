//! What a tool hands back: content blocks, structured output, or an error.

use super::input::InputRequired;
use super::reply::write_value;
use serde_json::{Map, Value, json};

/// One content block of a tool result or prompt message (`text`, `image`, `audio`, `resource`, `resource_link`).
///
/// A text block, the usual one, is kept as its string and written as JSON when sent: no
/// map, no key strings, no tree to free (`bench/results/2026-11-29-allocations.md`). Every other
/// block is a JSON value. Either way the block reads as JSON through [`Content::to_value`].
#[derive(Debug, Clone, PartialEq)]
pub struct Content(pub(crate) Block);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// `{"type": "text", "text": ..}` and nothing else.
    Text(String),
    Json(Value),
}

impl Content {
    pub fn text(text: impl Into<String>) -> Self {
        Content(Block::Text(text.into()))
    }

    /// Base64-encoded image data with its MIME type.
    pub fn image(base64_data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Content(Block::Json(json!({"type": "image", "data": base64_data.into(), "mimeType": mime_type.into()})))
    }

    /// Base64-encoded audio data with its MIME type.
    pub fn audio(base64_data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Content(Block::Json(json!({"type": "audio", "data": base64_data.into(), "mimeType": mime_type.into()})))
    }

    /// An embedded resource; `resource` holds `uri` plus `text` or `blob`.
    pub fn resource(resource: Value) -> Self {
        Content(Block::Json(json!({"type": "resource", "resource": resource})))
    }

    /// A link to a resource the client may read later.
    pub fn resource_link(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Content(Block::Json(json!({"type": "resource_link", "uri": uri.into(), "name": name.into()})))
    }

    /// Any content block as its JSON (a kind this type has no constructor for, or one with
    /// `annotations` or `_meta`). A plain text block is read as [`Content::text`] would make it.
    pub fn from_value(value: Value) -> Self {
        if let Value::Object(obj) = &value
            && obj.len() == 2
            && obj.get("type").and_then(Value::as_str) == Some("text")
            && let Some(Value::String(text)) = obj.get("text")
        {
            return Content::text(text.as_str());
        }
        Content(Block::Json(value))
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match &self.0 {
            Block::Text(text) => Some(text),
            Block::Json(_) => None,
        }
    }

    /// The block as JSON.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// The block as JSON, moving its text rather than copying it.
    pub fn into_value(self) -> Value {
        match self.0 {
            Block::Text(text) => json!({"type": "text", "text": text}),
            Block::Json(value) => value,
        }
    }

    /// Writes the block's JSON text: the bytes [`into_value`](Self::into_value) serializes to.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Block::Text(text) => {
                out.extend_from_slice(b"{\"text\":");
                write_value(out, text.as_str());
                out.extend_from_slice(b",\"type\":\"text\"}");
            }
            Block::Json(value) => write_value(out, value),
        }
    }
}

impl From<Value> for Content {
    fn from(value: Value) -> Self {
        Content::from_value(value)
    }
}

/// The result of a tool call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolResult {
    pub content: Vec<Content>,
    /// Machine-readable output; checked against the tool's output schema when it has one.
    pub structured: Option<Value>,
    pub is_error: bool,
    /// Set when the tool cannot finish without input from the client.
    pub input_required: Option<InputRequired>,
}

impl ToolResult {
    pub fn text(text: impl Into<String>) -> Self {
        ToolResult { content: vec![Content::text(text)], ..Default::default() }
    }

    /// Structured output; a text copy is added for clients that read only `content`.
    pub fn structured(value: Value) -> Self {
        ToolResult { structured: Some(value), ..Default::default() }
    }

    pub fn content(content: Vec<Content>) -> Self {
        ToolResult { content, ..Default::default() }
    }

    /// The tool needs the client to answer `requests` first; it is called again with the answers
    /// (see [`RequestContext::input_response`](crate::RequestContext::input_response)).
    pub fn input_required(requests: InputRequired) -> Self {
        ToolResult { input_required: Some(requests), ..Default::default() }
    }

    /// An execution failure the model should see (`isError: true`), not a protocol error.
    pub fn error(text: impl Into<String>) -> Self {
        ToolResult { content: vec![Content::text(text)], is_error: true, ..Default::default() }
    }

    pub fn with_content(mut self, content: Content) -> Self {
        self.content.push(content);
        self
    }

    /// The `CallToolResult` JSON.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// The `CallToolResult` JSON, moving the content rather than copying it.
    pub fn into_value(self) -> Value {
        let mut content: Vec<Value> = self.content.into_iter().map(Content::into_value).collect();
        if let (true, Some(structured)) = (content.is_empty(), &self.structured) {
            content.push(Content::text(structured.to_string()).into_value());
        }
        let mut obj = Map::new();
        obj.insert("content".into(), Value::Array(content));
        if let Some(structured) = self.structured {
            obj.insert("structuredContent".into(), structured);
        }
        if self.is_error {
            obj.insert("isError".into(), Value::Bool(true));
        }
        Value::Object(obj)
    }

    /// Writes the `CallToolResult` JSON text without building a tree: the bytes
    /// [`into_value`](Self::into_value) would serialize to (keys sorted), plus
    /// `"resultType":"complete"` when `result_type` (2026-07-28).
    pub(crate) fn write_json(&self, out: &mut Vec<u8>, result_type: bool) {
        out.extend_from_slice(b"{\"content\":[");
        for (i, item) in self.content.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write_json(out);
        }
        if let (true, Some(structured)) = (self.content.is_empty(), &self.structured) {
            Content::text(structured.to_string()).write_json(out);
        }
        out.push(b']');
        if self.is_error {
            out.extend_from_slice(b",\"isError\":true");
        }
        if result_type {
            out.extend_from_slice(b",\"resultType\":\"complete\"");
        }
        if let Some(structured) = &self.structured {
            out.extend_from_slice(b",\"structuredContent\":");
            write_value(out, structured);
        }
        out.push(b'}');
    }
}

impl From<String> for ToolResult {
    fn from(text: String) -> Self {
        ToolResult::text(text)
    }
}

impl From<&str> for ToolResult {
    fn from(text: &str) -> Self {
        ToolResult::text(text)
    }
}

/// A failure inside a tool handler. It reaches the client as an `isError` result.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError(pub String);

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for ToolError {
    fn from(e: E) -> Self {
        ToolError(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_results_carry_a_text_copy() {
        let v = ToolResult::structured(json!({"sum": 3})).to_value();
        assert_eq!(v["structuredContent"], json!({"sum": 3}));
        assert_eq!(v["content"][0]["text"], json!("{\"sum\":3}"));
        assert!(v.get("isError").is_none());
    }

    /// A text block is written as the JSON its value form serializes to, escapes included, and
    /// a value that is a plain text block is read as one.
    #[test]
    fn text_blocks_write_what_their_value_serializes_to() {
        for text in ["3", "a\"b\n\u{7f}\u{1}é😀", ""] {
            let block = Content::text(text);
            let mut written = Vec::new();
            block.write_json(&mut written);
            assert_eq!(written, serde_json::to_vec(&block.to_value()).unwrap(), "{text:?}");
            assert_eq!(block.to_value(), json!({"type": "text", "text": text}));
            assert_eq!(Content::from_value(block.to_value()), block);
            assert_eq!(block.as_text(), Some(text));
        }
        // Anything more than `type` and `text`, or a text that is not a string, stays as given.
        for value in [
            json!({"type": "text", "text": "x", "annotations": {"priority": 1}}),
            json!({"type": "text", "text": 5}),
            json!({"type": "text", "data": "x"}),
            json!({"type": "image", "data": "AA==", "mimeType": "image/png"}),
        ] {
            let block = Content::from(value.clone());
            assert_eq!(block.as_text(), None, "{value}");
            assert_eq!(block.to_value(), value);
        }
    }

    #[test]
    fn errors_are_flagged() {
        let v = ToolResult::error("boom").to_value();
        assert_eq!(v["isError"], json!(true));
        assert_eq!(v["content"][0]["text"], json!("boom"));
    }
}
