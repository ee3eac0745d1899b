//! Host and Origin checks against DNS rebinding: a web page on `evil.example` whose name
//! resolves to 127.0.0.1 must not reach a local MCP server. Loopback names are always
//! accepted; anything else only when the operator allowed it. Who the caller is comes after
//! (`auth/`).

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::net::IpAddr;

use super::responses::transport_error;
use crate::protocol::codes;

/// The accepted Host and Origin values beyond loopback.
#[derive(Debug, Clone)]
pub(crate) struct RequestGuard {
    hosts: Vec<String>,
    origins: Vec<String>,
}

impl RequestGuard {
    /// `bind_host` is accepted too when it names a concrete host: the operator chose it.
    pub fn new(bind_host: &str, allowed_hosts: &[String], allowed_origins: &[String]) -> RequestGuard {
        let mut hosts: Vec<String> = allowed_hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        let bind = bind_host.trim().to_ascii_lowercase();
        let unspecified = bind.is_empty() || bind.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified());
        if !unspecified {
            hosts.push(if bind.contains(':') && !bind.starts_with('[') { format!("[{bind}]") } else { bind });
        }
        let origins = allowed_origins.iter().map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase()).collect();
        RequestGuard { hosts, origins }
    }

    /// `Err` is the 403 to send.
    #[allow(clippy::result_large_err)]
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Response> {
        let host = at_most_one(headers, header::HOST)?.and_then(|v| v.to_str().ok()).map(str::trim);
        let origin = at_most_one(headers, header::ORIGIN)?;
        match host {
            Some(host) if self.host_allowed(host) => {}
            Some(host) => {
                tracing::warn!(host, "rejected a request with a Host header that is not allowed");
                return Err(forbidden(format!(
                    "Forbidden: Host `{host}` is not allowed; start the server with `--allowed-host {host}` to accept it"
                )));
            }
            None => {
                return Err(forbidden("Forbidden: the request has no valid Host header".into()));
            }
        }
        if let Some(origin) = origin {
            let origin = origin.to_str().map(str::trim).unwrap_or("");
            if !self.origin_allowed(origin) {
                tracing::warn!(origin, "rejected a request from an Origin that is not allowed");
                return Err(forbidden(format!(
                    "Forbidden: Origin `{origin}` is not allowed; start the server with `--allowed-origin {origin}` to accept it"
                )));
            }
        }
        Ok(())
    }

    fn host_allowed(&self, host: &str) -> bool {
        // Lowercased only when it has capitals (most clients send it lowercase already).
        let host: std::borrow::Cow<'_, str> =
            if host.bytes().any(|b| b.is_ascii_uppercase()) { host.to_ascii_lowercase().into() } else { host.into() };
        let Some((name, _port)) = split_host_port(&host) else {
            return false;
        };
        is_loopback_name(name) || self.hosts.iter().any(|allowed| pattern_matches(allowed, &host, name))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if self.origins.iter().any(|allowed| allowed == "*" || *allowed == origin) {
            return true;
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let Some((name, _port)) = split_host_port(authority) else {
            return false;
        };
        if matches!(scheme, "http" | "https") && is_loopback_name(name) {
            return true;
        }
        // `http://example.com:*` accepts any port.
        self.origins.iter().any(|allowed| {
            allowed.strip_suffix(":*").is_some_and(|base| {
                origin == base || origin.strip_prefix(base).is_some_and(|rest| rest.starts_with(':'))
            })
        })
    }
}

/// The header's one value, if it has one. Two copies are refused: a proxy reading the other one
/// would have checked a different value.
#[allow(clippy::result_large_err)]
fn at_most_one(headers: &HeaderMap, name: HeaderName) -> Result<Option<&HeaderValue>, Response> {
    let mut values = headers.get_all(&name).iter();
    let first = values.next();
    if values.next().is_some() {
        tracing::warn!(header = %name, "rejected a request with a repeated header");
        return Err(forbidden(format!("Forbidden: the request has more than one {name} header")));
    }
    Ok(first)
}

/// An allowed-host entry: `*`, `name` (any port), `name:*` (any port) or `name:port` (exact).
fn pattern_matches(allowed: &str, host: &str, name: &str) -> bool {
    if allowed == "*" || allowed == host {
        return true;
    }
    match allowed.strip_suffix(":*") {
        Some(base) => base == name,
        None => split_host_port(allowed).is_some_and(|(n, port)| port.is_none() && n == name),
    }
}

/// `localhost`, any 127.0.0.0/8 address and `[::1]`.
pub(crate) fn is_loopback_name(name: &str) -> bool {
    // The usual names first: parsing an address costs more than comparing it.
    if name == "127.0.0.1" || name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Splits `name[:port]`, keeping IPv6 brackets on the name. `None` for malformed values.
fn split_host_port(host: &str) -> Option<(&str, Option<&str>)> {
    if host.is_empty() {
        return None;
    }
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let rest = &host[end + 1..];
        let port = match rest.strip_prefix(':') {
            Some(p) => Some(p),
            None if rest.is_empty() => None,
            None => return None,
        };
        (&host[..=end], port)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) || name.is_empty() {
        return None;
    }
    Some((name, port))
}

fn forbidden(message: String) -> Response {
    transport_error(StatusCode::FORBIDDEN, codes::INVALID_REQUEST, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(guard: &RequestGuard, host: Option<&str>, origin: Option<&str>) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        }
        if let Some(o) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        guard.check(&headers).is_ok()
    }

    #[test]
    fn loopback_is_allowed_and_everything_else_needs_allowing() {
        let g = RequestGuard::new("127.0.0.1", &[], &[]);
        for host in ["localhost", "localhost:8000", "127.0.0.1:1", "127.1.2.3", "[::1]:8000", "[::1]", "LOCALHOST"] {
            assert!(check(&g, Some(host), None), "{host}");
        }
        for host in ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "[::2]", "a:b:c", "host:"] {
            assert!(!check(&g, Some(host), None), "{host}");
        }
        assert!(!check(&g, None, None), "no Host header");
        assert!(check(&g, Some("localhost"), Some("http://localhost:6274")));
        assert!(check(&g, Some("localhost"), Some("https://127.0.0.1")));
        assert!(!check(&g, Some("localhost"), Some("http://evil.example")));
        assert!(!check(&g, Some("localhost"), Some("null")));
    }

    #[test]
    fn repeated_host_or_origin_headers_are_refused() {
        let g = RequestGuard::new("127.0.0.1", &[], &[]);
        for (name, values) in
            [(header::HOST, ["localhost", "evil.example"]), (header::ORIGIN, ["http://localhost", "http://localhost"])]
        {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static("localhost"));
            headers.remove(&name);
            for v in values {
                headers.append(&name, HeaderValue::from_static(v));
            }
            assert!(g.check(&headers).is_err(), "{name}: {values:?}");
        }
    }

    #[test]
    fn allowed_hosts_and_origins_extend_the_loopback_set() {
        let hosts = ["api.example".to_string(), "fixed.example:9000".into(), "any.example:*".into()];
        let origins = ["https://app.example".to_string(), "http://dev.example:*".into()];
        let g = RequestGuard::new("0.0.0.0", &hosts, &origins);
        assert!(check(&g, Some("api.example:1234"), None));
        assert!(check(&g, Some("fixed.example:9000"), None));
        assert!(!check(&g, Some("fixed.example:9001"), None));
        assert!(check(&g, Some("any.example:5"), None));
        assert!(check(&g, Some("localhost"), Some("https://app.example")));
        assert!(check(&g, Some("localhost"), Some("http://dev.example:3000")));
        assert!(!check(&g, Some("localhost"), Some("https://app.example:444")));
        let g = RequestGuard::new("myhost.example", &[], &["*".into()]);
        assert!(check(&g, Some("myhost.example:8000"), Some("https://anything.example")));
    }
}
