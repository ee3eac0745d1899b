//! Reading the request headers the transports care about: `Accept`, `Content-Type` and
//! single-valued MCP headers.

use axum::http::header::{AsHeaderName, HeaderName};
use axum::http::{HeaderMap, header};

// Names as `HeaderName`s: a lookup by one hashes it, a lookup by `&str` parses it first.

/// `MCP-Protocol-Version`.
pub(crate) static PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Mcp-Method` (2026-07-28).
pub(crate) static METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name` (2026-07-28).
pub(crate) static NAME: HeaderName = HeaderName::from_static("mcp-name");
/// `Mcp-Session-Id`: a legacy session's id.
pub(crate) static SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// Prefix of the headers that mirror `x-mcp-header` tool arguments (2026-07-28).
pub(crate) const PARAM_PREFIX: &str = "mcp-param-";

/// Which response media types the client accepts, and which it prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepts {
    pub json: bool,
    pub sse: bool,
    /// The client ranks `text/event-stream` above `application/json`: by q-value, or on equal
    /// q-values by listing it first. Such clients get their replies as streams even when the
    /// handler sends nothing before its result.
    pub prefers_sse: bool,
}

/// The `Accept` values MCP clients send, and what [`accepts`] reads in them: looked up before
/// the general parser, which costs several times more per request.
const USUAL_ACCEPTS: [(&[u8], Accepts); 2] = [
    (b"application/json, text/event-stream", Accepts { json: true, sse: true, prefers_sse: false }),
    (b"text/event-stream, application/json", Accepts { json: true, sse: true, prefers_sse: true }),
];

/// Reads every `Accept` header, honouring `*/*`, `application/*`, `text/*` and q-values.
pub(crate) fn accepts(headers: &HeaderMap) -> Accepts {
    let mut values = headers.get_all(header::ACCEPT).iter();
    if let (Some(only), None) = (values.next(), values.next())
        && let Some((_, usual)) = USUAL_ACCEPTS.iter().find(|(text, _)| only.as_bytes() == *text)
    {
        return *usual;
    }
    parse_accepts(headers)
}

/// [`accepts`] for any value.
fn parse_accepts(headers: &HeaderMap) -> Accepts {
    let mut accepts = Accepts { json: false, sse: false, prefers_sse: false };
    // The best-ranked entry naming each type; higher q wins, then earlier.
    let (mut best_json, mut best_sse): (Option<Rank>, Option<Rank>) = (None, None);
    let mut position = 0;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            position += 1;
            let mut parts = item.split(';');
            let media = parts.next().unwrap_or("").trim();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=").map(quality)).unwrap_or(1000);
            if q == 0 {
                continue;
            }
            // Compared in place, case-insensitively: no lowercased copy per entry.
            let is = |name: &str| media.eq_ignore_ascii_case(name);
            let (json, sse) = if is("*/*") {
                (true, true)
            } else if is("application/json") || is("application/*") {
                (true, false)
            } else if is("text/event-stream") || is("text/*") {
                (false, true)
            } else {
                (false, false)
            };
            let rank = |best: &mut Option<Rank>| {
                if best.is_none_or(|(bq, _)| q > bq) {
                    *best = Some((q, position));
                }
            };
            if json {
                accepts.json = true;
                rank(&mut best_json);
            }
            if sse {
                accepts.sse = true;
                rank(&mut best_sse);
            }
        }
    }
    accepts.prefers_sse = match (best_sse, best_json) {
        (Some((sq, sp)), Some((jq, jp))) => sq > jq || (sq == jq && sp < jp),
        _ => false,
    };
    accepts
}

/// An Accept entry's (q-value in thousandths, position in the header).
type Rank = (u16, usize);

/// A q-value in thousandths; malformed values count as 1.
fn quality(raw: &str) -> u16 {
    raw.trim().parse::<f32>().map_or(1000, |q| (q.clamp(0.0, 1.0) * 1000.0).round() as u16)
}

/// `Content-Type: application/json`, parameters (like `charset`) allowed.
pub(crate) fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    // The usual value, compared whole before it is split and trimmed.
    value.as_bytes() == b"application/json"
        || value
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// A header that must appear at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Single<'a> {
    Absent,
    /// The value, with surrounding whitespace removed (RFC 9110 §5.5).
    Present(&'a str),
    /// Sent more than once: readers taking the first or the last copy would disagree.
    Repeated,
    /// Not visible ASCII.
    Invalid,
}

impl<'a> Single<'a> {
    pub fn value(self) -> Option<&'a str> {
        match self {
            Single::Present(v) => Some(v),
            _ => None,
        }
    }
}

pub(crate) fn single(headers: &HeaderMap, name: impl AsHeaderName) -> Single<'_> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Single::Absent;
    };
    if values.next().is_some() {
        return Single::Repeated;
    }
    match first.to_str() {
        Ok(v) => Single::Present(v.trim_matches([' ', '\t'])),
        Err(_) => Single::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn accept_handles_lists_parameters_and_wildcards() {
        let a = |v: &str| accepts(&with("accept", &[v]));
        assert_eq!(a("application/json, text/event-stream"), Accepts { json: true, sse: true, prefers_sse: false });
        assert!(a("text/event-stream, application/json").prefers_sse);
        assert!(a("application/json;q=0.5, text/event-stream").prefers_sse);
        assert!(!a("text/event-stream;q=0.4, application/json").prefers_sse);
        assert!(!a("text/event-stream;q=0, application/json").sse);
        assert_eq!(a("application/json;q=0.9"), Accepts { json: true, sse: false, prefers_sse: false });
        assert_eq!(a("TEXT/EVENT-STREAM"), Accepts { json: false, sse: true, prefers_sse: false });
        assert_eq!(a("*/*"), Accepts { json: true, sse: true, prefers_sse: false });
        assert_eq!(a("application/*, text/*"), Accepts { json: true, sse: true, prefers_sse: false });
        assert_eq!(a("text/html"), Accepts { json: false, sse: false, prefers_sse: false });
        assert_eq!(
            accepts(&with("accept", &["application/json", "text/event-stream"])),
            Accepts { json: true, sse: true, prefers_sse: false }
        );
    }

    /// The values looked up before parsing read as the parser reads them, and only a lone
    /// header with exactly such a value is looked up.
    #[test]
    fn usual_accept_values_read_as_the_parser_reads_them() {
        for (text, usual) in USUAL_ACCEPTS {
            let headers = with("accept", &[std::str::from_utf8(text).unwrap()]);
            assert_eq!(parse_accepts(&headers), usual);
            assert_eq!(accepts(&headers), usual);
        }
        let two = with("accept", &["text/event-stream, application/json", "application/json;q=0.1"]);
        assert_eq!(accepts(&two), Accepts { json: true, sse: true, prefers_sse: true });
        let two = with("accept", &["text/event-stream;q=0.1", "application/json, text/event-stream"]);
        assert_eq!(accepts(&two), Accepts { json: true, sse: true, prefers_sse: false });
        let near = with("accept", &["application/json, text/event-stream;q=0"]);
        assert_eq!(accepts(&near), Accepts { json: true, sse: false, prefers_sse: false });
    }

    #[test]
    fn content_type_and_single_headers() {
        assert!(is_json_content_type(&with("content-type", &["application/json; charset=utf-8"])));
        assert!(!is_json_content_type(&with("content-type", &["text/plain"])));
        assert!(is_json_content_type(&with("content-type", &["application/json"])));
        assert!(is_json_content_type(&with("content-type", &[" Application/JSON "])));
        assert!(!is_json_content_type(&with("content-type", &["application/jsonx"])));
        assert!(!is_json_content_type(&HeaderMap::new()));
        assert_eq!(single(&with("mcp-name", &["  x \t"]), "mcp-name"), Single::Present("x"));
        assert_eq!(single(&with("mcp-name", &["a", "b"]), "mcp-name"), Single::Repeated);
        assert_eq!(single(&HeaderMap::new(), "mcp-name"), Single::Absent);
    }
}
