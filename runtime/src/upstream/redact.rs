//! Keeping credentials out of tool results: an API that echoes the request back (an error page
//! quoting the `Authorization` header, a debug endpoint, a token in a redirect message) must not
//! hand the server's own secrets to the model.
//!
//! Every configured secret, in each form it travels in (as set, percent-encoded for a query or
//! cookie, inside a Basic header's base64), is replaced by [`REDACTED`] in every string of a
//! result: text, structured content, embedded resources. Values shorter than
//! [`MIN_SECRET_LEN`] are left alone: they would redact ordinary words, and protect nothing.

use crate::server::Block;
use crate::server::ToolResult;
use serde_json::Value;

/// What a secret becomes in a result.
pub const REDACTED: &str = "[redacted]";
/// Secrets shorter than this are not searched for.
pub const MIN_SECRET_LEN: usize = 4;

/// The texts to remove, longest first (so a secret that contains another goes whole).
pub fn secret_set(mut texts: Vec<String>) -> Vec<String> {
    texts.retain(|t| t.len() >= MIN_SECRET_LEN);
    texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    texts.dedup();
    texts
}

/// Replaces every secret in every string of `result`.
pub fn redact(result: &mut ToolResult, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    for content in &mut result.content {
        match &mut content.0 {
            Block::Text(text) => redact_string(text, secrets),
            Block::Json(value) => redact_value(value, secrets),
        }
    }
    if let Some(structured) = &mut result.structured {
        redact_value(structured, secrets);
    }
}

fn redact_value(v: &mut Value, secrets: &[String]) {
    match v {
        Value::String(s) => redact_string(s, secrets),
        Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, secrets)),
        Value::Object(m) => m.values_mut().for_each(|i| redact_value(i, secrets)),
        _ => {}
    }
}

fn redact_string(s: &mut String, secrets: &[String]) {
    if secrets.iter().any(|secret| s.contains(secret.as_str())) {
        for secret in secrets {
            *s = s.replace(secret.as_str(), REDACTED);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Content;
    use serde_json::json;

    #[test]
    fn every_string_of_a_result_loses_the_secrets() {
        let secrets = secret_set(vec!["sk-123456".into(), "abc".into(), "sk-123456".into(), "sk-123456-long".into()]);
        assert_eq!(secrets, ["sk-123456-long", "sk-123456"], "short ones dropped, longest first, once");
        let mut r =
            ToolResult::structured(json!({"echo": {"auth": ["Bearer sk-123456-long", "key=sk-123456"]}, "n": 1}))
                .with_content(Content::text("HTTP 401: bad key sk-123456; abc"))
                .with_content(Content::resource(json!({"uri": "file:///k", "text": "key: sk-123456-long"})));
        redact(&mut r, &secrets);
        let v = r.to_value();
        assert_eq!(v["structuredContent"]["echo"]["auth"], json!(["Bearer [redacted]", "key=[redacted]"]));
        assert_eq!(v["structuredContent"]["n"], 1);
        let texts: Vec<&str> = v["content"].as_array().unwrap().iter().filter_map(|c| c["text"].as_str()).collect();
        assert!(texts.contains(&"HTTP 401: bad key [redacted]; abc"), "{texts:?}");
        assert_eq!(v["content"][1]["resource"]["text"], "key: [redacted]");
    }
}
