//! Server-Sent Events framing and the headers every event stream carries.

use crate::server::{Reply, write_value};
use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};

/// A comment line: clients ignore it, proxies see traffic and keep the stream open.
pub(crate) const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// `event: message` carrying one JSON-RPC message. JSON text has no raw newlines, so one
/// `data:` line always suffices.
pub(crate) fn message(value: &Value) -> Bytes {
    named("message", &serde_json::to_string(value).unwrap_or_default())
}

/// `event: message` carrying one reply, written straight into a body.
pub(crate) fn write_reply(out: &mut Vec<u8>, reply: &Reply) {
    out.extend_from_slice(b"event: message\ndata: ");
    reply.write_to(out);
    out.extend_from_slice(b"\n\n");
}

/// Any named event with single-line data.
pub(crate) fn named(event: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// The priming event of a 2025-11-25 stream: an id and empty data, so a client that loses the
/// connection knows it may reconnect (after `retry_ms`) instead of failing the request.
pub(crate) fn priming(retry_ms: u64) -> Bytes {
    let mut out = Vec::with_capacity(32);
    write_priming(&mut out, retry_ms);
    Bytes::from(out)
}

/// [`priming`], appended to a body being written.
pub(crate) fn write_priming(out: &mut Vec<u8>, retry_ms: u64) {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    // Numbers through serde_json (`itoa`), cheaper than `write!`'s formatting machinery.
    out.extend_from_slice(b"id: ");
    write_value(out, &id);
    out.extend_from_slice(b"\nretry: ");
    write_value(out, &retry_ms);
    out.extend_from_slice(b"\ndata:\n\n");
}

static X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

/// A 200 `text/event-stream` response around `body`. `X-Accel-Buffering: no` keeps nginx-style
/// proxies from holding events back.
pub(crate) fn stream_response(body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-transform"));
    headers.insert(X_ACCEL_BUFFERING.clone(), HeaderValue::from_static("no"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_framed_on_single_lines() {
        let m = message(&json!({"a": "line1\nline2"}));
        assert_eq!(&m[..], b"event: message\ndata: {\"a\":\"line1\\nline2\"}\n\n");
        let p = priming(1000);
        let text = std::str::from_utf8(&p).unwrap();
        assert!(text.starts_with("id: ") && text.ends_with("\nretry: 1000\ndata:\n\n"), "{text}");
    }
}
