//! 2026-07-28 POSTs: no session, every request self-contained and checked against its headers.
//! Closing the response cancels the request.

use super::header_check;
use super::headers::{self, Single};
use super::reply::{self, Exchange};
use super::responses;
use super::state::Shared;
use crate::protocol::jsonrpc::DecodeError;
use crate::protocol::jsonrpc::error_response;
use crate::protocol::version::MODERN_VERSIONS;
use crate::protocol::{ErrorObject, Message, codes};
use crate::server::{Connection, Selection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use std::sync::Arc;

/// `decoded`: the POST's body; `prefers_sse`: what its `Accept` header ranks first.
pub(crate) async fn post(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    decoded: Result<Message, DecodeError>,
    prefers_sse: bool,
    selection: Option<Selection>,
) -> Response {
    let message = match decoded {
        Ok(message) => message,
        Err(e) => {
            let body = e.response();
            return responses::json(responses::modern_status(&body), &body);
        }
    };
    match message {
        Message::Request { id, method, params } => {
            let dispatcher = &shared.dispatcher;
            if let Err(error) =
                header_check::check(headers, &method, params.as_ref(), |name| dispatcher.tool_input_schema(name))
            {
                let body = error_response(Some(&id), &error);
                return responses::json(responses::modern_status(&body), &body);
            }
            reply::answer(Exchange {
                dispatcher: dispatcher.clone(),
                conn: Arc::new(
                    Connection::with_selection(None, selection).into_stateless(shared.config.guard.credential(headers)),
                ),
                id: id.clone(),
                message: Message::Request { id, method, params },
                modern: true,
                json_only: shared.config.json_response,
                cancel_on_close: true,
                priming: false,
                prefer_stream: prefers_sse,
                keep_alive: shared.config.keep_alive,
                activity: None,
                lifecycle: shared.lifecycle.clone(),
            })
            .await
        }
        // The 2026-07-28 core defines no client notifications over HTTP (closing a stream is
        // the cancellation), and a per-request server has no state for one to act on: accept
        // and drop, after checking the version the POST claims.
        Message::Notification { method, .. } => match headers::single(headers, &headers::PROTOCOL_VERSION) {
            Single::Present(v) if MODERN_VERSIONS.contains(&v) => {
                tracing::debug!(method, "acknowledged a 2026-07-28 notification");
                responses::empty(StatusCode::ACCEPTED)
            }
            other => {
                let requested = other.value().unwrap_or_default();
                let error = ErrorObject::new(codes::UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version")
                    .with_data(json!({"supported": MODERN_VERSIONS, "requested": requested}));
                responses::json(StatusCode::BAD_REQUEST, &error_response(None, &error))
            }
        },
        Message::Response { .. } => responses::transport_error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "Invalid request: a 2026-07-28 POST carries a request or a notification, never a response",
        ),
    }
}
