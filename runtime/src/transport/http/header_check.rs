//! 2026-07-28 "Server Validation": the HTTP headers that mirror a request's body
//! (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`) must be present where
//! required and agree with it, so a proxy routing on the headers and this server acting on the
//! body never see two different requests. Any failure is -32020 (HeaderMismatch).

use super::headers::{self, Single};
use crate::protocol::version::{PROTOCOL_VERSION_META_KEY, envelope_meta, modern_version};
use crate::protocol::{ErrorObject, codes};
use axum::http::HeaderMap;
use base64::Engine;
use serde_json::Value;
use std::collections::HashSet;

/// Methods whose target is mirrored into `Mcp-Name`, and the body field it comes from.
/// The tasks extension adds its methods, named by `taskId`.
const NAME_BEARING: &[(&str, &str)] = &[
    ("tools/call", "name"),
    ("prompts/get", "name"),
    ("resources/read", "uri"),
    ("tasks/get", "taskId"),
    ("tasks/update", "taskId"),
    ("tasks/cancel", "taskId"),
];

fn mismatch(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(codes::HEADER_MISMATCH, format!("Header mismatch: {}", message.into()))
}

/// Runs the checks in the spec's order: envelope shape (-32602), header agreement (-32020),
/// then the version itself (-32022). `tool_schema` finds a tool's input schema for
/// `Mcp-Param-*` checks.
pub(crate) fn check(
    headers: &HeaderMap,
    method: &str,
    params: Option<&Value>,
    tool_schema: impl Fn(&str) -> Option<Value>,
) -> Result<(), ErrorObject> {
    for name in [&headers::PROTOCOL_VERSION, &headers::METHOD, &headers::NAME] {
        if headers::single(headers, name) == Single::Repeated {
            return Err(mismatch(format!("the {name} header appears more than once")));
        }
    }
    let meta = envelope_meta(params)?;
    let body_version = &meta[PROTOCOL_VERSION_META_KEY];
    match headers::single(headers, &headers::PROTOCOL_VERSION) {
        Single::Present(v) if body_version.as_str() == Some(v) => {}
        Single::Absent => return Err(mismatch("the MCP-Protocol-Version header is missing")),
        _ => {
            return Err(mismatch(format!(
                "the MCP-Protocol-Version header does not match the body's `{PROTOCOL_VERSION_META_KEY}` ({body_version})"
            )));
        }
    }
    match headers::single(headers, &headers::METHOD) {
        Single::Present(v) if v == method => {}
        Single::Absent => return Err(mismatch("the Mcp-Method header is missing")),
        Single::Present(v) => {
            return Err(mismatch(format!("Mcp-Method header value '{v}' does not match body value '{method}'")));
        }
        _ => {
            return Err(mismatch("the Mcp-Method header is not a valid header value"));
        }
    }
    if let Some((_, field)) = NAME_BEARING.iter().find(|(m, _)| *m == method)
        && let Some(expected) = params.and_then(|p| p.get(*field)).filter(|v| !v.is_null())
    {
        match headers::single(headers, &headers::NAME) {
            Single::Absent => {
                return Err(mismatch(format!("the Mcp-Name header is missing (the body's `{field}` is set)")));
            }
            Single::Present(raw) => match decode_value(raw) {
                Some(decoded) if expected.as_str() == Some(decoded.as_str()) => {}
                Some(decoded) => {
                    return Err(mismatch(format!(
                        "Mcp-Name header value '{decoded}' does not match body value {expected}"
                    )));
                }
                None => {
                    return Err(mismatch("the Mcp-Name header carries a malformed base64 value"));
                }
            },
            _ => return Err(mismatch("the Mcp-Name header is not a valid header value")),
        }
    }
    modern_version(meta)?;
    if method == "tools/call" {
        let name = params.and_then(|p| p.get("name")).and_then(Value::as_str);
        if let Some(schema) = name.and_then(&tool_schema) {
            let arguments = params.and_then(|p| p.get("arguments")).cloned().unwrap_or(Value::Null);
            check_params(headers, &schema, &arguments)?;
        }
    }
    Ok(())
}

/// Undoes the `=?base64?...?=` sentinel; other values are literal. `None` for a sentinel that
/// is not canonical base64 of UTF-8, so a corrupt header never matches by accident.
pub(crate) fn decode_value(raw: &str) -> Option<String> {
    let Some(payload) = raw.strip_prefix("=?base64?").and_then(|r| r.strip_suffix("?=")) else {
        return Some(raw.to_string());
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).ok()?;
    String::from_utf8(bytes).ok()
}

/// One `x-mcp-header` annotation: where the argument lives, the header token, the JSON type.
struct Annotated {
    path: Vec<String>,
    token: String,
    kind: String,
}

/// The annotations reachable through `properties` chains; `None` when any is invalid (the
/// spec has clients drop such a tool, so there is nothing to validate against).
fn annotations(schema: &Value) -> Option<Vec<Annotated>> {
    let mut found = Vec::new();
    let mut stack = vec![(Vec::<String>::new(), schema)];
    while let Some((path, node)) = stack.pop() {
        let Some(props) = node.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (name, sub) in props {
            let mut sub_path = path.clone();
            sub_path.push(name.clone());
            if let Some(token) = sub.get("x-mcp-header") {
                let token = token.as_str()?;
                let kind = sub.get("type").and_then(Value::as_str)?;
                let token_ok = !token.is_empty()
                    && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                if !token_ok || !matches!(kind, "string" | "integer" | "boolean") {
                    return None;
                }
                found.push(Annotated { path: sub_path.clone(), token: token.to_string(), kind: kind.to_string() });
            }
            stack.push((sub_path, sub));
        }
    }
    let mut seen = HashSet::new();
    found.iter().all(|a| seen.insert(a.token.to_ascii_lowercase())).then_some(found)
}

/// `Mcp-Param-{token}` headers must be present exactly when the argument is, and agree with it.
fn check_params(headers: &HeaderMap, schema: &Value, arguments: &Value) -> Result<(), ErrorObject> {
    let Some(annotated) = annotations(schema) else {
        return Ok(());
    };
    for a in annotated {
        let header_name = format!("{}{}", headers::PARAM_PREFIX, a.token.to_ascii_lowercase());
        let shown = format!("Mcp-Param-{}", a.token);
        let mut value = arguments;
        for key in &a.path {
            value = value.get(key).unwrap_or(&Value::Null);
        }
        let header = headers::single(headers, &header_name);
        if header == Single::Repeated {
            return Err(mismatch(format!("the {shown} header appears more than once")));
        }
        if header == Single::Invalid {
            return Err(mismatch(format!("the {shown} header contains invalid characters")));
        }
        let argument = a.path.join(".");
        let rendered = match value {
            Value::Null => {
                if header != Single::Absent {
                    return Err(mismatch(format!("{shown} is present but the argument `{argument}` is not")));
                }
                continue;
            }
            Value::Bool(b) => b.to_string(),
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                if header != Single::Absent {
                    return Err(mismatch(format!("{shown} does not match the argument `{argument}`")));
                }
                continue;
            }
        };
        let Some(raw) = header.value() else {
            return Err(mismatch(format!("{shown} is missing but the argument `{argument}` is set")));
        };
        let Some(decoded) = decode_value(raw) else {
            return Err(mismatch(format!("{shown} carries a malformed base64 value")));
        };
        let equal = decoded == rendered || (a.kind == "integer" && same_integer(&decoded, value));
        if !equal {
            return Err(mismatch(format!(
                "{shown} header value '{decoded}' does not match the argument `{argument}` ({rendered})"
            )));
        }
    }
    Ok(())
}

/// `42`, `42.0` and `042` all equal the integer 42 (the spec's numeric comparison).
fn same_integer(header: &str, value: &Value) -> bool {
    let body = match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e38).map(|f| f as i128)),
        _ => None,
    };
    let (whole, fraction) = header.split_once('.').unwrap_or((header, ""));
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b == b'0') {
        return false;
    }
    body.is_some_and(|b| whole.parse::<i128>().is_ok_and(|h| h == b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::version::CLIENT_CAPABILITIES_META_KEY;
    use axum::http::HeaderValue;
    use serde_json::json;

    const V: &str = "2026-07-28";

    fn hdrs(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn call(name: &str, args: Value) -> Value {
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": name, "arguments": args,
            "_meta": {PROTOCOL_VERSION_META_KEY: V, CLIENT_CAPABILITIES_META_KEY: {}}}})
    }

    fn code(h: &HeaderMap, body: &Value, schema: Option<&Value>) -> Option<i64> {
        let method = body["method"].as_str().unwrap();
        check(h, method, body.get("params"), |_| schema.cloned()).err().map(|e| e.code)
    }

    #[test]
    fn task_methods_are_named_by_their_task_id() {
        for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
            let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {
                "taskId": "abc", "_meta": {PROTOCOL_VERSION_META_KEY: V, CLIENT_CAPABILITIES_META_KEY: {}}}});
            let with =
                |name: &'static str| hdrs(&[("mcp-protocol-version", V), ("mcp-method", method), ("mcp-name", name)]);
            assert_eq!(code(&with("abc"), &body, None), None, "{method}");
            assert_eq!(code(&with("abd"), &body, None), Some(codes::HEADER_MISMATCH), "{method}");
            let missing = hdrs(&[("mcp-protocol-version", V), ("mcp-method", method)]);
            assert_eq!(code(&missing, &body, None), Some(codes::HEADER_MISMATCH), "{method}");
        }
    }

    #[test]
    fn standard_headers_must_match_the_body() {
        let body = call("hello", json!({}));
        let ok = [("mcp-protocol-version", V), ("mcp-method", "tools/call"), ("mcp-name", "hello")];
        assert_eq!(code(&hdrs(&ok), &body, None), None);
        assert_eq!(
            code(
                &hdrs(&[("mcp-protocol-version", V), ("mcp-method", "tools/call"), ("mcp-name", "  hello  ")]),
                &body,
                None
            ),
            None
        );
        let b64 = format!("=?base64?{}?=", base64::engine::general_purpose::STANDARD.encode("hello"));
        assert_eq!(
            code(&hdrs(&[("mcp-protocol-version", V), ("mcp-method", "tools/call"), ("mcp-name", &b64)]), &body, None),
            None
        );
        for bad in [
            &[("mcp-method", "tools/call"), ("mcp-name", "hello")][..],
            &[("mcp-protocol-version", "2025-11-25"), ("mcp-method", "tools/call"), ("mcp-name", "hello")],
            &[("mcp-protocol-version", V), ("mcp-name", "hello")],
            &[("mcp-protocol-version", V), ("mcp-method", "TOOLS/CALL"), ("mcp-name", "hello")],
            &[("mcp-protocol-version", V), ("mcp-method", "tools/call")],
            &[("mcp-protocol-version", V), ("mcp-method", "tools/call"), ("mcp-name", "other")],
            &[("mcp-protocol-version", V), ("mcp-method", "tools/call"), ("mcp-name", "=?base64?aGVsbG8?=")],
            &[
                ("mcp-protocol-version", V),
                ("mcp-method", "tools/call"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "hello"),
            ],
        ] {
            assert_eq!(code(&hdrs(bad), &body, None), Some(codes::HEADER_MISMATCH), "{bad:?}");
        }
    }

    #[test]
    fn envelope_and_version_errors_keep_their_own_codes() {
        let no_meta = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
        let h = hdrs(&[("mcp-protocol-version", V), ("mcp-method", "tools/list")]);
        assert_eq!(code(&h, &no_meta, None), Some(codes::INVALID_PARAMS));
        let future = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {
            PROTOCOL_VERSION_META_KEY: "2099-01-01", CLIENT_CAPABILITIES_META_KEY: {}}}});
        let h = hdrs(&[("mcp-protocol-version", "2099-01-01"), ("mcp-method", "tools/list")]);
        assert_eq!(code(&h, &future, None), Some(codes::UNSUPPORTED_PROTOCOL_VERSION));
    }

    #[test]
    fn param_headers_follow_x_mcp_header_annotations() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "count": {"type": "integer", "x-mcp-header": "Count"},
            "q": {"type": "string"}}});
        let base = [("mcp-protocol-version", V), ("mcp-method", "tools/call"), ("mcp-name", "sql")];
        let with = |extra: &[(&'static str, &str)]| hdrs(&[&base[..], extra].concat());
        let body = call("sql", json!({"region": "us-west1", "count": 42, "q": "x"}));
        assert_eq!(
            code(&with(&[("mcp-param-region", "us-west1"), ("Mcp-Param-Count", "42.0")]), &body, Some(&schema)),
            None
        );
        assert_eq!(
            code(
                &with(&[("mcp-param-region", "=?base64?dXMtd2VzdDE=?="), ("mcp-param-count", "42")]),
                &body,
                Some(&schema)
            ),
            None
        );
        for bad in [
            &[("mcp-param-count", "42")][..],
            &[("mcp-param-region", "eu"), ("mcp-param-count", "42")],
            &[("mcp-param-region", "us-west1"), ("mcp-param-count", "43")],
            &[("mcp-param-region", "=?base64?SGVs!!!bG8=?="), ("mcp-param-count", "42")],
        ] {
            assert_eq!(code(&with(bad), &body, Some(&schema)), Some(codes::HEADER_MISMATCH), "{bad:?}");
        }
        let absent = call("sql", json!({"q": "x", "region": null}));
        assert_eq!(code(&with(&[]), &absent, Some(&schema)), None, "absent and null arguments need no header");
        assert_eq!(code(&with(&[("mcp-param-region", "x")]), &absent, Some(&schema)), Some(codes::HEADER_MISMATCH));
    }

    #[test]
    fn sentinel_decoding_is_strict() {
        assert_eq!(decode_value("plain").as_deref(), Some("plain"));
        assert_eq!(decode_value("=?base64?SGVsbG8=?=").as_deref(), Some("Hello"));
        assert_eq!(decode_value("=?base64?SGVsbG8?="), None, "missing padding");
        assert_eq!(decode_value("=?base64?SGVsbG8=").as_deref(), Some("=?base64?SGVsbG8="), "no suffix: literal");
    }
}
