//! Building HTTP responses: JSON bodies, JSON-RPC errors and the status each error code maps to.

use super::headers::SESSION_ID;
use crate::protocol::jsonrpc::error_response;
use crate::protocol::{ErrorObject, codes};
use crate::server::Reply;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

/// A JSON body with `status`.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    json_bytes(status, serde_json::to_vec(body).unwrap_or_default())
}

/// A JSON-RPC reply as the body, written straight to bytes.
pub(crate) fn reply(status: StatusCode, reply: &Reply) -> Response {
    json_bytes(status, reply.to_bytes())
}

/// JSON text already serialized, with `status`.
fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A transport-level rejection: a JSON-RPC error without an id (`"id": null`).
pub(crate) fn transport_error(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    json(status, &error_response(None, &ErrorObject::new(code, message)))
}

/// An empty response (202 for notifications, 200 for DELETE).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// 405 with the methods that would work.
pub(crate) fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = transport_error(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::INVALID_REQUEST,
        format!("Method Not Allowed: this endpoint accepts {allow}"),
    );
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// 503 while the server is shutting down or full.
pub(crate) fn unavailable(message: &str) -> Response {
    transport_error(StatusCode::SERVICE_UNAVAILABLE, codes::INTERNAL_ERROR, message)
}

/// 503 for a request that came once shutdown had begun, on a connection kept open for the drain
/// delay: `Connection: close` ends the connection after it, so a balancer re-sends the request
/// elsewhere and keeps no connection that would close under its next request.
pub(crate) fn shutting_down() -> Response {
    let mut response = unavailable("Service Unavailable: the server is shutting down");
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The 2026-07-28 status for a JSON-RPC response: errors the spec names get 4xx, the rest 200.
pub(crate) fn modern_status(response: &Value) -> StatusCode {
    status_of_error(response.get("error").and_then(|e| e.get("code")).and_then(Value::as_i64))
}

/// [`modern_status`] for a reply.
pub(crate) fn modern_reply_status(reply: &Reply) -> StatusCode {
    status_of_error(reply.error_code())
}

fn status_of_error(code: Option<i64>) -> StatusCode {
    match code {
        Some(
            codes::PARSE_ERROR
            | codes::INVALID_REQUEST
            | codes::INVALID_PARAMS
            | codes::HEADER_MISMATCH
            | codes::MISSING_REQUIRED_CLIENT_CAPABILITY
            | codes::UNSUPPORTED_PROTOCOL_VERSION,
        ) => StatusCode::BAD_REQUEST,
        Some(codes::METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

/// Adds `Mcp-Session-Id` when the exchange belongs to a session (its id as a header value,
/// [`Session::id_header`](super::session::Session::id_header)).
pub(crate) fn with_session(mut response: Response, session_id: Option<&HeaderValue>) -> Response {
    if let Some(value) = session_id {
        response.headers_mut().insert(SESSION_ID.clone(), value.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modern_error_codes_map_to_http_statuses() {
        let err = |code: i64| json!({"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": "x"}});
        for code in [-32700, -32600, -32602, -32020, -32021, -32022] {
            assert_eq!(modern_status(&err(code)), StatusCode::BAD_REQUEST, "{code}");
        }
        assert_eq!(modern_status(&err(-32601)), StatusCode::NOT_FOUND);
        assert_eq!(modern_status(&err(-32603)), StatusCode::OK);
        assert_eq!(modern_status(&json!({"jsonrpc": "2.0", "id": 1, "result": {}})), StatusCode::OK);
    }
}
