//! Reading the request headers the transports care about: `Accept`, `Content-Type` and
//! single-valued MCP headers.

use axum::http::{HeaderMap, header};

/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Mcp-Method` (2026-07-28).
pub(crate) const METHOD: &str = "mcp-method";
/// `Mcp-Name` (2026-07-28).
pub(crate) const NAME: &str = "mcp-name";
/// Prefix of the headers that mirror `x-mcp-header` tool arguments (2026-07-28).
pub(crate) const PARAM_PREFIX: &str = "mcp-param-";

/// Which response media types the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepts {
    pub json: bool,
    pub sse: bool,
}

/// Reads every `Accept` header, honouring `*/*`, `application/*` and `text/*`.
pub(crate) fn accepts(headers: &HeaderMap) -> Accepts {
    let mut accepts = Accepts { json: false, sse: false };
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let media = item.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            match media.as_str() {
                "*/*" => {
                    accepts.json = true;
                    accepts.sse = true;
                }
                "application/json" | "application/*" => accepts.json = true,
                "text/event-stream" | "text/*" => accepts.sse = true,
                _ => {}
            }
        }
    }
    accepts
}

/// `Content-Type: application/json`, parameters (like `charset`) allowed.
pub(crate) fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
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

pub(crate) fn single<'a>(headers: &'a HeaderMap, name: &str) -> Single<'a> {
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
        assert_eq!(a("application/json, text/event-stream"), Accepts { json: true, sse: true });
        assert_eq!(a("application/json;q=0.9"), Accepts { json: true, sse: false });
        assert_eq!(a("TEXT/EVENT-STREAM"), Accepts { json: false, sse: true });
        assert_eq!(a("*/*"), Accepts { json: true, sse: true });
        assert_eq!(a("application/*, text/*"), Accepts { json: true, sse: true });
        assert_eq!(a("text/html"), Accepts { json: false, sse: false });
        assert_eq!(
            accepts(&with("accept", &["application/json", "text/event-stream"])),
            Accepts { json: true, sse: true }
        );
    }

    #[test]
    fn content_type_and_single_headers() {
        assert!(is_json_content_type(&with("content-type", &["application/json; charset=utf-8"])));
        assert!(!is_json_content_type(&with("content-type", &["text/plain"])));
        assert!(!is_json_content_type(&HeaderMap::new()));
        assert_eq!(single(&with("mcp-name", &["  x \t"]), "mcp-name"), Single::Present("x"));
        assert_eq!(single(&with("mcp-name", &["a", "b"]), "mcp-name"), Single::Repeated);
        assert_eq!(single(&HeaderMap::new(), "mcp-name"), Single::Absent);
    }
}
