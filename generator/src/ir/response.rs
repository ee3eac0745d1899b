//! Responses: status, and the media type and schema of the body when there is one.

use super::parameter::is_json;
use super::resolve::resolve_ref;
use crate::load::Document;
use crate::load::schema::normalize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// `200`, `2XX` or `default`.
    pub status: String,
    pub description: Option<String>,
    /// The media type of the body (JSON preferred), `None` for an empty response.
    pub media_type: Option<String>,
    /// JSON Schema 2020-12 of the body, when the spec gives one.
    pub schema: Option<Value>,
    /// The media type's own example: `example`, else the first of `examples` (its `value`).
    /// Schema-level examples stay in `schema`.
    pub example: Option<Value>,
}

impl Response {
    /// 2xx, `2XX`.
    pub fn is_success(&self) -> bool {
        self.status.starts_with('2')
    }

    pub fn is_json(&self) -> bool {
        self.media_type.as_deref().is_some_and(is_json)
    }
}

pub fn parse(doc: &Document, status: &str, raw: &Value) -> Result<Response, String> {
    let r = resolve_ref(doc, raw)?;
    let content = r.get("content").and_then(Value::as_object);
    let media =
        content.and_then(|c| c.keys().find(|m| is_json(m)).or_else(|| c.keys().next()).map(|m| (m.clone(), c.get(m))));
    let (media_type, schema, example) = match media {
        Some((m, mt)) => {
            (Some(m), mt.and_then(|mt| mt.get("schema")).map(normalize), mt.and_then(|mt| media_example(doc, mt)))
        }
        None => (None, None, None),
    };
    Ok(Response {
        status: status.to_string(),
        description: r.get("description").and_then(Value::as_str).map(str::to_string),
        media_type,
        schema,
        example,
    })
}

/// `example`, else the first entry of `examples` that has a `value` (following `$ref`s).
fn media_example(doc: &Document, media: &Value) -> Option<Value> {
    if let Some(e) = media.get("example") {
        return Some(e.clone());
    }
    let examples = media.get("examples")?.as_object()?;
    examples.values().find_map(|e| resolve_ref(doc, e).ok()?.get("value").cloned())
}
