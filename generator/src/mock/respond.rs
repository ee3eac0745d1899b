//! The answer to a valid request: the operation's success response, with the spec's example or
//! data made up from the response schema.

use super::synth::synthesize;
use crate::ir::{Operation, Response, is_json_media};
use crate::load::Document;
use crate::tools::schema::Defs;
use serde_json::Value;

/// What the mock sends back.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    /// Other headers (names lower case): a long-running operation's `Location`, `Retry-After`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: Some("application/json".into()),
            headers: Vec::new(),
            body: value.to_string().into_bytes(),
        }
    }
}

/// The success response: the lowest explicit 2xx status, else `2XX`, else `default` (as 200).
pub fn success_response(op: &Operation) -> Option<(u16, &Response)> {
    let explicit = op
        .responses
        .iter()
        .filter_map(|r| r.status.parse::<u16>().ok().filter(|s| (200..300).contains(s)).map(|s| (s, r)))
        .min_by_key(|(s, _)| *s);
    explicit
        .or_else(|| op.responses.iter().find(|r| r.status.eq_ignore_ascii_case("2XX")).map(|r| (200, r)))
        .or_else(|| op.responses.iter().find(|r| r.status == "default").map(|r| (200, r)))
}

/// The value of a response body: the media type's example, the schema's example or default, or
/// data made up from the schema.
pub fn body_value(doc: &Document, r: &Response) -> Value {
    if let Some(e) = &r.example {
        return e.clone();
    }
    let Some(schema) = &r.schema else { return Value::Null };
    if let Ok(top) = Defs::new(doc).deref_top(schema) {
        if let Some(e) = top.get("examples").and_then(Value::as_array).and_then(|a| a.first()) {
            return e.clone();
        }
        if let Some(d) = top.get("default") {
            return d.clone();
        }
    }
    synthesize(doc, schema)
}

/// The most items a list answers, whatever page size is asked for.
pub const MAX_PAGE_SIZE: usize = 1_000;

/// Query parameters that ask a list for a number of items (compared without case, `_` or `$`).
const PAGE_SIZE_NAMES: &[&str] = &["perpage", "limit", "pagesize", "size", "count", "maxresults", "top", "first"];

/// The number of items `query` asks a list for (`per_page=50`, `limit=50`, ...), at most
/// [`MAX_PAGE_SIZE`].
pub fn page_size(query: &[(String, String)]) -> Option<usize> {
    query
        .iter()
        .find_map(|(name, value)| {
            let name: String =
                name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
            PAGE_SIZE_NAMES.contains(&name.as_str()).then(|| value.parse::<usize>().ok()).flatten()
        })
        .map(|n| n.min(MAX_PAGE_SIZE))
}

/// The success answer. A list (a top-level array) has as many items as `page_size` asks for,
/// its first item repeated, so a client can be tried against a large answer.
pub fn success(doc: &Document, op: &Operation, page_size: Option<usize>) -> Reply {
    let Some((status, r)) = success_response(op) else {
        return Reply { status: 200, content_type: None, headers: Vec::new(), body: Vec::new() };
    };
    let Some(media) = &r.media_type else {
        return Reply { status, content_type: None, headers: Vec::new(), body: Vec::new() };
    };
    let mut value = body_value(doc, r);
    if let (Value::Array(items), Some(n)) = (&mut value, page_size)
        && let Some(first) = items.first().cloned()
    {
        items.resize(n, first);
    }
    let json = is_json_media(media) || media.contains('*');
    let content_type = if media.contains('*') { "application/json".to_string() } else { media.clone() };
    let body = match (&value, json) {
        (Value::String(s), false) => s.clone().into_bytes(),
        _ => value.to_string().into_bytes(),
    };
    Reply { status, content_type: Some(content_type), headers: Vec::new(), body }
}
