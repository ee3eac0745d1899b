//! What the mock received, kept for `GET /__mcpgen/requests`, with credentials redacted.

use super::Received;
use super::params::{decode_form, query_pairs};
use crate::ir::{Api, ParamLocation, SchemeKind};
use serde_json::{Map, Value, json};

/// Shown instead of a credential.
pub const REDACTED: &str = "<redacted>";

/// Header, query and cookie names that carry credentials: `Authorization` and the API's
/// API-key schemes.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    headers: Vec<String>,
    query: Vec<String>,
    cookies: Vec<String>,
}

impl Secrets {
    /// The query parameters that carry credentials (API keys in the query).
    pub fn query_names(&self) -> &[String] {
        &self.query
    }

    pub fn of(api: &Api) -> Secrets {
        let mut s =
            Secrets { headers: vec!["authorization".into(), "proxy-authorization".into()], ..Secrets::default() };
        for scheme in api.security_schemes.values() {
            if let SchemeKind::ApiKey { location, param } = &scheme.kind {
                match location {
                    ParamLocation::Header => s.headers.push(param.to_ascii_lowercase()),
                    ParamLocation::Query => s.query.push(param.clone()),
                    ParamLocation::Cookie => s.cookies.push(param.clone()),
                    ParamLocation::Path => {}
                }
            }
        }
        s
    }
}

/// One received request as JSON: `method`, `path`, `query` (the raw string), `queryParams`
/// (decoded, each name to its list of values), `headers` (names lower case), `body` (JSON when it
/// parses, else text, `null` when empty), and what the mock did: `operation`, `status`.
pub fn record(secrets: &Secrets, req: &Received, operation: Option<&str>, status: u16) -> Value {
    let Received { method, path, query, headers, body } = req;
    let query = query.as_deref();
    let mut params: Map<String, Value> = Map::new();
    let mut raw_query = Vec::new();
    for part in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let Some((name, value)) = query_pairs(part).pop() else { continue };
        let secret = secrets.query.contains(&name);
        let shown = if secret { REDACTED.to_string() } else { decode_form(&value) };
        // As sent (`?acl` stays without `=`), but for a secret's value.
        raw_query.push(if secret { format!("{name}={REDACTED}") } else { part.to_string() });
        if let Value::Array(list) = params.entry(name).or_insert_with(|| json!([])) {
            list.push(Value::String(shown));
        }
    }
    let mut hs = Map::new();
    for (name, value) in headers {
        let shown = if secrets.headers.contains(name) {
            REDACTED.to_string()
        } else if name == "cookie" {
            redact_cookies(&secrets.cookies, value)
        } else {
            value.clone()
        };
        match hs.get_mut(name) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&shown);
            }
            _ => {
                hs.insert(name.clone(), Value::String(shown));
            }
        }
    }
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
    };
    json!({
        "method": method,
        "path": path,
        "query": query.map(|_| raw_query.join("&")),
        "queryParams": params,
        "headers": hs,
        "body": body,
        "operation": operation,
        "status": status,
    })
}

fn redact_cookies(secret: &[String], header: &str) -> String {
    header
        .split(';')
        .map(|c| match c.split_once('=') {
            Some((n, _)) if secret.iter().any(|s| s == n.trim()) => format!("{}={REDACTED}", n.trim()),
            _ => c.trim().to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
