//! The MCP endpoint: checks shared by every request, then the protocol generation decides.
//!
//! A POST is 2026-07-28 when its body carries the `_meta` protocol-version key or its
//! `MCP-Protocol-Version` header names a 2026-07-28 version; it is legacy when the header is
//! absent or names a legacy version. GET and DELETE only exist in the legacy generation.

use super::body::read_capped;
use super::headers::{self, Single};
use super::responses::{self, transport_error};
use super::state::Shared;
use super::{legacy, modern};
use crate::auth::{Caller, Identity};
use crate::protocol::jsonrpc::DecodeError;
use crate::protocol::version::{LEGACY_VERSIONS, MODERN_VERSIONS, PROTOCOL_VERSION_META_KEY, all_versions};
use crate::protocol::{ErrorObject, Message, codes, jsonrpc};
use crate::server::Selection;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;

/// What the `MCP-Protocol-Version` header says about the generation.
pub(crate) enum HeaderEra<'a> {
    /// Absent (legacy clients before 2025-06-18 send none) or a legacy version.
    Legacy(Option<&'a str>),
    Modern,
    /// A value this server does not speak, or a malformed or repeated header.
    Unsupported(String),
}

pub(crate) fn header_era(headers: &HeaderMap) -> HeaderEra<'_> {
    match headers::single(headers, &headers::PROTOCOL_VERSION) {
        Single::Absent => HeaderEra::Legacy(None),
        Single::Present(v) if LEGACY_VERSIONS.contains(&v) => HeaderEra::Legacy(Some(v)),
        Single::Present(v) if MODERN_VERSIONS.contains(&v) => HeaderEra::Modern,
        Single::Present(v) => HeaderEra::Unsupported(v.to_string()),
        Single::Repeated => HeaderEra::Unsupported("(repeated header)".into()),
        Single::Invalid => HeaderEra::Unsupported("(invalid header value)".into()),
    }
}

/// 400 for an `MCP-Protocol-Version` this server does not speak, listing the ones it does.
pub(crate) fn unsupported_version(requested: &str, id: Option<&crate::protocol::RequestId>) -> Response {
    let error = ErrorObject::new(
        codes::UNSUPPORTED_PROTOCOL_VERSION,
        format!("Bad Request: unsupported MCP-Protocol-Version `{requested}`"),
    )
    .with_data(json!({"supported": all_versions(), "requested": requested}));
    responses::json(StatusCode::BAD_REQUEST, &jsonrpc::error_response(id, &error))
}

/// The axum handler mounted at the MCP path (with and without trailing slash).
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(rejection) = shared.config.guard.check(&parts.headers) {
        return rejection;
    }
    let caller = match shared.config.auth.authenticate(&parts.headers).await {
        Ok(caller) => caller,
        Err(rejection) => return rejection,
    };
    let _permit = match admit(&shared, &caller, &parts.extensions) {
        Ok(permit) => permit,
        Err(rejection) => return rejection,
    };
    if shared.lifecycle.is_closing() {
        return responses::shutting_down();
    }
    let allow = if shared.config.stateless { "POST" } else { "GET, POST, DELETE" };
    let response = match parts.method {
        Method::POST => match shared.dispatcher.client_selection(parts.uri.query()) {
            Ok(selection) => post(&shared, &parts.headers, body, selection, caller).await,
            Err(e) => transport_error(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, format!("Bad Request: {e}")),
        },
        Method::GET | Method::DELETE => match header_era(&parts.headers) {
            HeaderEra::Modern => responses::method_not_allowed("POST"),
            HeaderEra::Unsupported(v) => unsupported_version(&v, None),
            HeaderEra::Legacy(_) if shared.config.stateless => responses::method_not_allowed(allow),
            HeaderEra::Legacy(_) if parts.method == Method::GET => legacy::get(&shared, &parts.headers, caller),
            HeaderEra::Legacy(_) => legacy::delete(&shared, &parts.headers, caller),
        },
        _ => responses::method_not_allowed(allow),
    };
    tracing::debug!(method = %parts.method, status = response.status().as_u16(), "MCP endpoint request");
    response
}

/// `selection`: the client's choice of tools from the URL's query; `caller`: who sent it, when
/// the server authenticates.
async fn post(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    body: Body,
    selection: Option<Selection>,
    caller: Caller,
) -> Response {
    let accepts = headers::accepts(headers);
    if !accepts.json || !(accepts.sse || shared.config.json_response) {
        let wanted = if shared.config.json_response {
            "application/json"
        } else {
            "both application/json and text/event-stream"
        };
        return transport_error(
            StatusCode::NOT_ACCEPTABLE,
            codes::INVALID_REQUEST,
            format!("Not Acceptable: the Accept header must list {wanted}"),
        );
    }
    if !headers::is_json_content_type(headers) {
        return transport_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::INVALID_REQUEST,
            "Unsupported Media Type: the Content-Type must be application/json",
        );
    }
    let bytes = match read_capped(body, headers, shared.config.max_body_bytes, shared.config.read_timeout).await {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection,
    };
    // Decoded once, here: the generation is read from the decoded message.
    let decoded = Message::decode(&bytes);
    if let Err(e) = &decoded
        && e.error.code == codes::PARSE_ERROR
    {
        return responses::json(StatusCode::BAD_REQUEST, &e.response());
    }
    if let Some(needed) = scopes_needed(shared, &decoded, caller.identity.as_deref()) {
        return shared.config.auth.insufficient_scope(&needed);
    }
    let body_is_modern = decoded
        .as_ref()
        .ok()
        .and_then(Message::params)
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object)
        .is_some_and(|meta| meta.contains_key(PROTOCOL_VERSION_META_KEY));
    match header_era(headers) {
        _ if body_is_modern => modern::post(shared, headers, decoded, accepts.prefers_sse, selection, caller).await,
        HeaderEra::Modern => modern::post(shared, headers, decoded, accepts.prefers_sse, selection, caller).await,
        HeaderEra::Unsupported(v) => {
            let id = match &decoded {
                Ok(message) => message.id().cloned(),
                Err(e) => e.id.clone(),
            };
            unsupported_version(&v, id.as_ref())
        }
        HeaderEra::Legacy(version) => {
            legacy::post(shared, headers, version, decoded, accepts.prefers_sse, selection, caller).await
        }
    }
}

/// The request's place within its client's limits (`None` without limits), or the 429.
#[allow(clippy::result_large_err)]
pub(crate) fn admit(
    shared: &Shared,
    caller: &Caller,
    extensions: &axum::http::Extensions,
) -> Result<Option<super::rate_limit::Permit>, Response> {
    let Some(limiter) = &shared.config.limiter else { return Ok(None) };
    let address = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    limiter.admit(caller, address).map(Some)
}

/// The scopes a tool call needs that the caller's OAuth token does not grant (every scope the
/// tool needs), answered with 403 before the call is dispatched.
pub(crate) fn scopes_needed(
    shared: &Shared,
    decoded: &Result<Message, DecodeError>,
    caller: Option<&Identity>,
) -> Option<Vec<String>> {
    let granted = caller?.scopes.as_deref()?;
    match decoded {
        Ok(Message::Request { method, params, .. }) => {
            shared.dispatcher.scopes_needed(method, params.as_ref(), granted)
        }
        _ => None,
    }
}
