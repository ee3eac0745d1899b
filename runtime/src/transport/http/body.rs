//! Reading a request body under the size cap and the read timeout: a declared or streamed body
//! beyond the cap gets 413 before any of it is parsed; one that has not fully arrived within the
//! timeout (a client trickling bytes) gets 408.

use super::responses::transport_error;
use crate::protocol::codes;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use futures::{FutureExt, StreamExt};
use std::time::Duration;

#[allow(clippy::result_large_err)]
pub(crate) async fn read_capped(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, Response> {
    let too_large = || {
        transport_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::INVALID_REQUEST,
            format!("Payload Too Large: request bodies are limited to {limit} bytes"),
        )
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let read = async {
        let mut stream = body.into_data_stream();
        // A body that arrives as one chunk (the usual small request) is kept as it is; only a
        // body in several chunks is copied together.
        let mut first: Option<Bytes> = None;
        let mut buf = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                transport_error(
                    StatusCode::BAD_REQUEST,
                    codes::INVALID_REQUEST,
                    format!("Bad Request: could not read the body: {e}"),
                )
            })?;
            let so_far = first.as_ref().map_or(0, Bytes::len) + buf.len();
            if so_far + chunk.len() > limit {
                return Err(too_large());
            }
            match first.take() {
                None if buf.is_empty() => first = Some(chunk),
                earlier => {
                    if let Some(earlier) = earlier {
                        buf.reserve(declared.map_or(0, |n| n as usize).max(earlier.len() + chunk.len()));
                        buf.extend_from_slice(&earlier);
                    }
                    buf.extend_from_slice(&chunk);
                }
            }
        }
        Ok(first.unwrap_or_else(|| Bytes::from(buf)))
    };
    // The usual small body is already in: hyper reads what it has of a body into the body's
    // channel before it polls the handler. Only a body still arriving needs the timer (a
    // clock read, a timer entry to make and drop).
    let mut read = std::pin::pin!(read);
    if let Some(result) = (&mut read).now_or_never() {
        return result;
    }
    match tokio::time::timeout(timeout, read).await {
        Ok(result) => result,
        Err(_) => {
            tracing::debug!(?timeout, "a request body did not arrive in time");
            Err(transport_error(
                StatusCode::REQUEST_TIMEOUT,
                codes::INVALID_REQUEST,
                format!("Request Timeout: the body did not arrive within {timeout:?}"),
            ))
        }
    }
}
