//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client which
//! authorization server issues tokens for this server, for which resource, with which scopes.
//! Served at the path-aware well-known URI (`/.well-known/oauth-protected-resource/mcp` for the
//! resource `https://host/mcp`) and at the root one, which clients try when the first fails.

use axum::Json;
use axum::routing::{MethodRouter, get};
use serde_json::json;

const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The metadata document's URL for `resource`: the well-known prefix before its path.
pub(crate) fn document_url(resource: &str) -> String {
    match reqwest::Url::parse(resource) {
        Ok(url) => {
            let path = url.path().trim_end_matches('/');
            format!("{}{WELL_KNOWN}{path}", url.origin().ascii_serialization())
        }
        Err(_) => WELL_KNOWN.to_string(),
    }
}

/// The document's routes: `(path, route)` for the path-aware URI and the root one.
pub(crate) fn routes(resource: &str, issuer: &str, scopes: &[String]) -> Vec<(String, MethodRouter)> {
    let document = json!({
        "resource": resource,
        "authorization_servers": [issuer],
        "scopes_supported": scopes,
        "bearer_methods_supported": ["header"],
    });
    let route = get(move || {
        let document = document.clone();
        async move { Json(document) }
    });
    let path_aware = reqwest::Url::parse(resource)
        .map(|url| format!("{WELL_KNOWN}{}", url.path().trim_end_matches('/')))
        .unwrap_or_else(|_| WELL_KNOWN.to_string());
    let mut routes = vec![(WELL_KNOWN.to_string(), route.clone())];
    if path_aware != WELL_KNOWN {
        routes.push((path_aware, route));
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_found_where_rfc_9728_puts_it() {
        assert_eq!(
            document_url("https://mcp.example.com/mcp"),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            document_url("http://127.0.0.1:8000/"),
            "http://127.0.0.1:8000/.well-known/oauth-protected-resource"
        );
        let paths: Vec<String> = routes("https://h/a/mcp/", "https://as", &[]).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/a/mcp"]);
    }
}
