//! Request bodies: which media type is sent and how the arguments become bytes.

use super::parameter::is_json;
use super::resolve::resolve_ref;
use crate::load::Document;
use crate::load::schema::normalize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    /// `application/x-www-form-urlencoded`
    Form,
    /// `multipart/form-data`
    Multipart,
    /// Raw bytes, given by the client as base64.
    Binary,
    /// Text sent as is (`text/*`, XML, anything else textual).
    Text,
}

impl BodyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Json => "json",
            BodyKind::Form => "form",
            BodyKind::Multipart => "multipart",
            BodyKind::Binary => "binary",
            BodyKind::Text => "text",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub required: bool,
    pub description: Option<String>,
    /// The media type sent (the first of the kind chosen).
    pub media_type: String,
    pub kind: BodyKind,
    /// JSON Schema 2020-12 (schema `$ref`s kept).
    pub schema: Value,
}

/// The body the tool will send: JSON preferred, then form, multipart, text, binary.
pub fn parse(doc: &Document, raw: &Value) -> Result<Option<Body>, String> {
    let b = resolve_ref(doc, raw)?;
    let Some(content) = b.get("content").and_then(Value::as_object) else { return Ok(None) };
    if content.is_empty() {
        return Ok(None);
    }
    let rank = |media: &str| -> (u8, BodyKind) {
        let m = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if is_json(&m) {
            (0, BodyKind::Json)
        } else if m == "application/x-www-form-urlencoded" {
            (1, BodyKind::Form)
        } else if m == "multipart/form-data" || m.starts_with("multipart/") {
            (2, BodyKind::Multipart)
        } else if m.starts_with("text/") || m.ends_with("xml") || m == "application/x-ndjson" || m == "application/yaml"
        {
            (3, BodyKind::Text)
        } else {
            (4, BodyKind::Binary)
        }
    };
    let (media, kind) = content
        .keys()
        .map(|m| (m, rank(m)))
        .min_by_key(|(m, (r, _))| (*r, (*m).clone()))
        .map(|(m, (_, k))| (m.clone(), k))
        .ok_or("request body has no media type")?;
    let media_type = if media.contains('*') {
        match kind {
            BodyKind::Json => "application/json".to_string(),
            BodyKind::Text => "text/plain".to_string(),
            _ => "application/octet-stream".to_string(),
        }
    } else {
        media.clone()
    };
    let schema = content.get(&media).and_then(|mt| mt.get("schema")).map(normalize).unwrap_or_else(|| match kind {
        BodyKind::Binary => json!({"type": "string", "format": "binary"}),
        BodyKind::Text => json!({"type": "string"}),
        _ => json!({}),
    });
    Ok(Some(Body {
        required: b.get("required").and_then(Value::as_bool) == Some(true),
        description: b.get("description").and_then(Value::as_str).map(str::to_string),
        media_type,
        kind,
        schema,
    }))
}
