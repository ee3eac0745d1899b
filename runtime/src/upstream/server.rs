//! Which base URL a tool calls: the API's, or the operation's own `servers` entry.
//!
//! OpenAPI lets an operation (or its path item) name its own servers, which replace the
//! document's. A generated tool calls the first of them, its variables at their defaults; a
//! relative one is resolved (RFC 3986) against the API's base URL, which stands in for "where the
//! document is served", the base the specification resolves it against.
//!
//! A base URL the user gave (`--base-url`, `<NAME>_BASE_URL`, `UpstreamBuilder::base_url`) says
//! where *the API* is: every tool goes there, operations with their own servers included, each
//! with its path appended as usual. That is what pointing a server at `mcpgen mock` or a staging
//! host needs; a single URL cannot say where each of several hosts went, so no tool is left
//! calling production behind the user's back.

use super::spec::ToolSpec;
use std::borrow::Cow;
use url::Url;

/// The base URL `spec`'s request is built on. `base` is the API's (or why there is none);
/// `explicit` is true when the user gave it.
pub fn tool_base<'a>(base: &'a Result<Url, String>, explicit: bool, spec: &ToolSpec) -> Result<Cow<'a, Url>, String> {
    let own = match spec.server {
        Some(server) if !explicit => server,
        _ => return base.as_ref().map(Cow::Borrowed).map_err(Clone::clone),
    };
    let resolved = match Url::parse(own) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Ok(b) => b.join(own).map_err(|e| format!("the operation's server `{own}` is not a valid URL: {e}"))?,
            Err(e) => return Err(format!("the operation's server `{own}` is relative to the API's base URL, but {e}")),
        },
        Err(e) => return Err(format!("the operation's server `{own}` is not a valid URL: {e}")),
    };
    if !matches!(resolved.scheme(), "http" | "https") || resolved.host().is_none() {
        return Err(format!("the operation's server `{own}` is not an http(s) URL"));
    }
    let mut resolved = resolved;
    resolved.set_fragment(None);
    resolved.set_query(None);
    Ok(Cow::Owned(resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(server: Option<&'static str>) -> ToolSpec {
        ToolSpec { server, ..ToolSpec::TEST }
    }

    fn api() -> Result<Url, String> {
        Ok(Url::parse("https://api.example.com/v1").unwrap())
    }

    fn base_of(base: &Result<Url, String>, explicit: bool, server: Option<&'static str>) -> Result<String, String> {
        tool_base(base, explicit, &spec(server)).map(|u| u.to_string())
    }

    #[test]
    fn an_operation_calls_its_own_server() {
        assert_eq!(base_of(&api(), false, None).unwrap(), "https://api.example.com/v1");
        assert_eq!(
            base_of(&api(), false, Some("https://uploads.example.com/v2")).unwrap(),
            "https://uploads.example.com/v2"
        );
        // Relative servers resolve against the API's base (RFC 3986).
        assert_eq!(base_of(&api(), false, Some("/v2")).unwrap(), "https://api.example.com/v2");
        assert_eq!(base_of(&api(), false, Some("v2/files")).unwrap(), "https://api.example.com/v2/files");
        // An absolute one needs no API base at all.
        let none: Result<Url, String> = Err("the API has no base URL; set X_BASE_URL".into());
        assert_eq!(base_of(&none, false, Some("https://h.example.com")).unwrap(), "https://h.example.com/");
        let e = base_of(&none, false, Some("/v2")).unwrap_err();
        assert!(e.contains("`/v2` is relative") && e.contains("X_BASE_URL"), "{e}");
    }

    #[test]
    fn an_explicit_base_url_takes_every_tool() {
        let mock: Result<Url, String> = Ok(Url::parse("http://127.0.0.1:9/v1").unwrap());
        for server in [None, Some("https://uploads.example.com/v2"), Some("/v2")] {
            assert_eq!(base_of(&mock, true, server).unwrap(), "http://127.0.0.1:9/v1", "{server:?}");
        }
    }

    #[test]
    fn servers_that_cannot_be_called_are_errors() {
        for bad in ["ftp://files.example.com", "mailto:a@b.c", "http://[::1"] {
            let e = base_of(&api(), false, Some(bad)).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}
