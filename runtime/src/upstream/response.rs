//! An HTTP response as a tool result: JSON as `structuredContent` plus text, text as text,
//! images as image content, other bytes as an embedded resource, HTTP errors as `isError`
//! results with the status and a bounded body.

use super::spec::ToolSpec;
use crate::server::{Content, ToolResult};
use base64::Engine;
use serde_json::{Value, json};

/// A response body read up to a cap.
pub struct ReadBody {
    pub bytes: Vec<u8>,
    /// More bytes were sent than the cap allowed.
    pub truncated: bool,
}

/// How much of an error body reaches the model.
pub const ERROR_BODY_BYTES: usize = 4 * 1024;

/// Everything known about a response, for [`to_result`].
pub struct ResponseParts<'a> {
    pub status: u16,
    pub reason: &'a str,
    pub content_type: Option<&'a str>,
    pub retry_after: Option<&'a str>,
    pub body: ReadBody,
    /// Where the request went, without the query.
    pub url: &'a str,
    /// Why the request may have been refused (credentials not configured).
    pub auth_hint: Option<String>,
    pub cap: usize,
}

pub fn to_result(spec: &ToolSpec, r: ResponseParts<'_>) -> ToolResult {
    if !(200..300).contains(&r.status) {
        return error_result(&r);
    }
    let mime =
        r.content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).unwrap_or_default();
    let note = r.truncated_note();
    if r.body.bytes.is_empty() {
        return ToolResult::text(format!("HTTP {} {} (no content)", r.status, r.reason).trim_end().to_string());
    }
    if is_json(&mime) {
        if r.body.truncated {
            return ToolResult::error(format!(
                "the API's {mime} response is larger than the {}-byte limit, and JSON cut short cannot be read ({})",
                r.cap, r.url
            ));
        }
        if let Err(e) = serde_json::from_slice::<Value>(&r.body.bytes) {
            return invalid_json(&r, &mime, &e);
        }
    }
    // An API that sends JSON without saying so still gets structured output.
    let json_like = is_json(&mime) || mime.is_empty();
    if let (true, Ok(v)) = (json_like && !r.body.truncated, serde_json::from_slice::<Value>(&r.body.bytes)) {
        let text = String::from_utf8_lossy(&r.body.bytes).into_owned();
        if spec.output_wrapped {
            return ToolResult::structured(json!({"result": v})).with_content(Content::text(text));
        }
        if v.is_object() {
            return ToolResult::structured(v).with_content(Content::text(text));
        }
        return ToolResult::text(text);
    }
    if mime.starts_with("image/") && !r.body.truncated {
        return ToolResult::content(vec![Content::image(b64(&r.body.bytes), mime)]);
    }
    if mime.starts_with("audio/") && !r.body.truncated {
        return ToolResult::content(vec![Content::audio(b64(&r.body.bytes), mime)]);
    }
    if is_text(&mime) || std::str::from_utf8(&r.body.bytes).is_ok() {
        return ToolResult::text(format!("{}{note}", String::from_utf8_lossy(&r.body.bytes)));
    }
    let mime = if mime.is_empty() { "application/octet-stream".to_string() } else { mime };
    let mut result = ToolResult::content(vec![Content::resource(
        json!({"uri": r.url, "mimeType": mime, "blob": b64(&r.body.bytes)}),
    )]);
    if !note.is_empty() {
        result = result.with_content(Content::text(note.trim().to_string()));
    }
    result
}

impl ResponseParts<'_> {
    fn truncated_note(&self) -> String {
        if self.body.truncated { format!("\n\n[response truncated at {} bytes]", self.cap) } else { String::new() }
    }
}

/// A body that says it is JSON and is not: the API (or a proxy in front of it) is broken, and
/// the model should not take the text for the answer.
fn invalid_json(r: &ResponseParts<'_>, mime: &str, e: &serde_json::Error) -> ToolResult {
    let mut msg = format!("HTTP {} {}", r.status, r.reason).trim_end().to_string();
    msg.push_str(&format!(" from {}: the body is not valid JSON although its type is {mime} ({e}): ", r.url));
    let shown = &r.body.bytes[..r.body.bytes.len().min(ERROR_BODY_BYTES)];
    msg.push_str(String::from_utf8_lossy(shown).trim_end());
    if r.body.bytes.len() > ERROR_BODY_BYTES {
        msg.push_str(" [truncated]");
    }
    ToolResult::error(msg)
}

fn error_result(r: &ResponseParts<'_>) -> ToolResult {
    let mut msg = format!("HTTP {} {}", r.status, r.reason).trim_end().to_string();
    if r.status == 429 {
        match r.retry_after {
            Some(after) => msg.push_str(&format!(" (rate limited; retry after {after})")),
            None => msg.push_str(" (rate limited)"),
        }
    }
    if let (Some(hint), 401 | 403) = (&r.auth_hint, r.status) {
        msg.push_str(&format!(" ({hint})"));
    }
    let body = &r.body.bytes;
    if !body.is_empty() {
        let shown = &body[..body.len().min(ERROR_BODY_BYTES)];
        let text = String::from_utf8_lossy(shown);
        msg.push_str(": ");
        msg.push_str(text.trim_end());
        if body.len() > ERROR_BODY_BYTES || r.body.truncated {
            msg.push_str(" [truncated]");
        }
    }
    ToolResult::error(msg)
}

fn is_json(mime: &str) -> bool {
    mime == "application/json" || mime.ends_with("+json")
}

fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.ends_with("xml")
        || mime.ends_with("+yaml")
        || mime == "application/x-www-form-urlencoded"
        || mime == "application/javascript"
        || mime == "application/yaml"
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
