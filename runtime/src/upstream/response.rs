//! An HTTP response as a tool result: JSON as `structuredContent` plus text, text as text,
//! images as image content, other bytes as an embedded resource, HTTP errors as `isError`
//! results with the status and a bounded body.

use super::spec::ToolSpec;
use crate::server::{Content, ToolResult};
use base64::Engine;
use serde_json::{Value, json};

/// A response body read up to a cap.
#[derive(Default)]
pub struct ReadBody {
    pub bytes: Vec<u8>,
    /// More bytes were sent than the cap allowed.
    pub truncated: bool,
}

impl ReadBody {
    /// Sized once (from Content-Length, within the cap) instead of grown chunk by chunk.
    pub fn with_capacity(n: usize) -> ReadBody {
        ReadBody { bytes: Vec::with_capacity(n), truncated: false }
    }

    /// Appends `chunk`, keeping at most `cap` bytes in all; false once the cap cut it short.
    pub fn push(&mut self, chunk: &[u8], cap: usize) -> bool {
        let room = cap - self.bytes.len();
        if chunk.len() > room {
            self.bytes.extend_from_slice(&chunk[..room]);
            self.truncated = true;
            return false;
        }
        self.bytes.extend_from_slice(chunk);
        true
    }
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

pub fn to_result(spec: &ToolSpec, mut r: ResponseParts<'_>) -> ToolResult {
    if !(200..300).contains(&r.status) {
        return error_result(&r);
    }
    let mime =
        r.content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).unwrap_or_default();
    if r.body.bytes.is_empty() {
        return ToolResult::text(format!("HTTP {} {} (no content)", r.status, r.reason).trim_end().to_string());
    }
    if is_json(&mime) && r.body.truncated {
        return ToolResult::error(format!(
            "the API's {mime} response is larger than the {}-byte limit, and JSON cut short cannot be read ({})",
            r.cap, r.url
        ));
    }
    // An API that sends JSON without saying so still gets structured output. The body is parsed
    // once: the same parse decides between structured output and the invalid-JSON error.
    let json_like = is_json(&mime) || mime.is_empty();
    let parsed = (json_like && !r.body.truncated).then(|| serde_json::from_slice::<Value>(&r.body.bytes));
    match parsed {
        Some(Ok(v)) => {
            let text = owned_text(std::mem::take(&mut r.body.bytes));
            if spec.output_wrapped {
                return ToolResult::structured(json!({"result": v})).with_content(Content::text(text));
            }
            if v.is_object() {
                return ToolResult::structured(v).with_content(Content::text(text));
            }
            return ToolResult::text(text);
        }
        Some(Err(e)) if is_json(&mime) => return invalid_json(&r, &mime, &e),
        _ => {}
    }
    let note = r.truncated_note();
    if mime.starts_with("image/") && !r.body.truncated {
        return ToolResult::content(vec![Content::image(b64(&r.body.bytes), mime)]);
    }
    if mime.starts_with("audio/") && !r.body.truncated {
        return ToolResult::content(vec![Content::audio(b64(&r.body.bytes), mime)]);
    }
    if is_text(&mime) || std::str::from_utf8(&r.body.bytes).is_ok() {
        let mut text = owned_text(std::mem::take(&mut r.body.bytes));
        text.push_str(&note);
        return ToolResult::text(text);
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

/// The body as text without copying it when it is valid UTF-8 (as `from_utf8_lossy` would
/// give, otherwise).
fn owned_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(output_wrapped: bool) -> ToolSpec {
        ToolSpec { output_wrapped, ..ToolSpec::TEST }
    }

    fn answer(content_type: Option<&str>, body: &[u8], truncated: bool) -> Value {
        answer_as(false, content_type, body, truncated)
    }

    fn answer_as(wrapped: bool, content_type: Option<&str>, body: &[u8], truncated: bool) -> Value {
        let parts = ResponseParts {
            status: 200,
            reason: "OK",
            content_type,
            retry_after: None,
            body: ReadBody { bytes: body.to_vec(), truncated },
            url: "http://h/x",
            auth_hint: None,
            cap: 10,
        };
        to_result(&spec(wrapped), parts).to_value()
    }

    fn text_of(v: &Value) -> &str {
        v["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text in {v}"))
    }

    #[test]
    fn json_is_parsed_once_into_structured_content_and_text() {
        let body = br#"{"name":"R\u00e9x","tags":["a"]}"#;
        for ct in [Some("application/json; charset=utf-8"), Some("application/problem+json"), None] {
            let v = answer(ct, body, false);
            assert_eq!(v["structuredContent"], json!({"name": "Réx", "tags": ["a"]}), "{ct:?}");
            assert_eq!(text_of(&v), std::str::from_utf8(body).unwrap());
            assert!(v.get("isError").is_none_or(|e| e == false), "{v}");
        }
        let v = answer_as(true, Some("application/json"), b"[1,2]", false);
        assert_eq!(v["structuredContent"], json!({"result": [1, 2]}));
        let v = answer(Some("application/json"), b"[1,2]", false);
        assert!(v.get("structuredContent").is_none(), "{v}");
        assert_eq!(text_of(&v), "[1,2]");
    }

    #[test]
    fn json_that_is_not_json_is_an_error_only_when_labelled_json() {
        let v = answer(Some("application/json"), b"{not json", false);
        assert_eq!(v["isError"], true);
        let t = text_of(&v);
        assert!(t.contains("not valid JSON although its type is application/json") && t.ends_with("{not json"), "{t}");
        // Unlabelled: plain text, no error.
        let v = answer(None, b"{not json", false);
        assert!(v.get("isError").is_none_or(|e| e == false), "{v}");
        assert_eq!(text_of(&v), "{not json");
        // Cut short: an error naming the cap, without a parse.
        let v = answer(Some("application/json"), b"{\"a\":", true);
        assert!(text_of(&v).contains("larger than the 10-byte limit"), "{v}");
        // Unlabelled and cut short: text with the truncation note.
        let v = answer(None, b"{\"a\":", true);
        assert_eq!(text_of(&v), "{\"a\":\n\n[response truncated at 10 bytes]");
    }

    #[test]
    fn text_keeps_its_bytes_and_invalid_utf8_is_replaced() {
        let v = answer(Some("text/plain"), "héllo".as_bytes(), false);
        assert_eq!(text_of(&v), "héllo");
        let v = answer(Some("text/plain"), b"a\xffb", true);
        assert_eq!(text_of(&v), "a\u{fffd}b\n\n[response truncated at 10 bytes]");
        // Binary without a text type is a resource, not text.
        let v = answer(Some("application/octet-stream"), b"\xff\xfe", false);
        assert_eq!(v["content"][0]["resource"]["blob"], "//4=");
    }
}
