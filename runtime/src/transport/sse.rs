//! The deprecated HTTP+SSE transport (protocol 2024-11-05), for clients that still need it.
//!
//! A GET on the SSE path opens a session: its stream's first event is `endpoint`, naming the
//! URL (`<message path>?session_id=<hex>`) where the client POSTs its messages. Each POST is
//! answered 202 at once; responses and everything else the server says arrive as `message`
//! events on the stream. The session lives exactly as long as its stream.

use crate::protocol::{Message, codes};
use crate::transport::http::body::read_capped;
use crate::transport::http::events;
use crate::transport::http::headers;
use crate::transport::http::responses::{self, transport_error};
use crate::transport::http::session::{ActivityGuard, Session, SessionStore, is_well_formed_id, mint_session_id};
use crate::transport::http::state::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How often a stream that is draining at shutdown checks whether its last request finished.
const DRAIN_POLL: Duration = Duration::from_millis(50);

/// GET on the SSE path: opens a session and its stream.
pub(crate) async fn open(
    State(shared): State<Arc<Shared>>,
    OriginalUri(original): OriginalUri,
    request: Request,
) -> Response {
    if let Err(rejection) = shared.config.guard.check(request.headers()) {
        return rejection;
    }
    let caller = match shared.config.auth.authenticate(request.headers()).await {
        Ok(caller) => caller,
        Err(rejection) => return rejection,
    };
    if let Err(rejection) = super::http::endpoint::admit(&shared, &caller, request.extensions()) {
        return rejection;
    }
    if request.method() != Method::GET {
        return responses::method_not_allowed("GET");
    }
    if shared.lifecycle.is_closing() {
        return responses::shutting_down();
    }
    if !shared.sessions.has_room() {
        tracing::warn!("refused a new SSE session: every session slot is busy");
        return responses::unavailable("Service Unavailable: too many open sessions; try again later");
    }
    let id = match mint_session_id() {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let selection = match shared.dispatcher.client_selection(request.uri().query()) {
        Ok(selection) => selection,
        Err(e) => return transport_error(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, format!("Bad Request: {e}")),
    };
    let (session, messages) = Session::with_outbound(id, selection);
    session.bind(caller);
    if shared.sessions.insert(session.clone()).is_err() {
        session.end();
        return responses::unavailable("Service Unavailable: too many open sessions; try again later");
    }
    // Mounted under a prefix (axum `nest`), the client must POST to the prefixed path.
    let prefix = original.path().strip_suffix(request.uri().path()).unwrap_or("").trim_end_matches('/');
    let endpoint = format!("{prefix}{}/?session_id={}", message_base(&shared), session.id);
    tracing::debug!(session = %session.id, "SSE session opened");
    let state = SseStream {
        pending: Some(events::named("endpoint", &endpoint)),
        messages,
        closing: shared.lifecycle.closing.clone(),
        keep_alive: shared.config.keep_alive,
        _activity: session.enter(),
        end: EndOnDrop { sessions: shared.sessions.clone(), session: session.clone() },
        _open: crate::metrics::Open::stream(),
    };
    events::stream_response(Body::from_stream(futures::stream::unfold(state, SseStream::next)))
}

/// The message path without its trailing slash (`/` stays empty so `/` + `/?..` is not doubled).
fn message_base(shared: &Shared) -> &str {
    shared.config.message_path.trim_end_matches('/')
}

/// POST on the message path: one client message for the session named in the query.
pub(crate) async fn post(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(rejection) = shared.config.guard.check(&parts.headers) {
        return rejection;
    }
    let caller = match shared.config.auth.authenticate(&parts.headers).await {
        Ok(caller) => caller,
        Err(rejection) => return rejection,
    };
    let permit = match super::http::endpoint::admit(&shared, &caller, &parts.extensions) {
        Ok(permit) => permit,
        Err(rejection) => return rejection,
    };
    if parts.method != Method::POST {
        return responses::method_not_allowed("POST");
    }
    let query = parts.uri.query().unwrap_or("");
    let id = query.split('&').find_map(|pair| match pair.split_once('=') {
        Some(("session_id" | "sessionId", value)) => Some(value),
        _ => None,
    });
    let Some(id) = id else {
        return transport_error(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, "Bad Request: session_id is required");
    };
    if !is_well_formed_id(id) {
        return transport_error(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, "Bad Request: malformed session_id");
    }
    let Some(session) = shared.sessions.get(id).filter(|s| s.admits(&caller)) else {
        return transport_error(
            StatusCode::NOT_FOUND,
            codes::INVALID_REQUEST,
            "Not Found: no open SSE session has this id; open a new stream",
        );
    };
    if shared.lifecycle.is_closing() {
        return responses::shutting_down();
    }
    if !headers::is_json_content_type(&parts.headers) {
        return transport_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::INVALID_REQUEST,
            "Unsupported Media Type: the Content-Type must be application/json",
        );
    }
    let bytes = match read_capped(body, &parts.headers, shared.config.max_body_bytes, shared.config.read_timeout).await
    {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection,
    };
    let decoded = Message::decode(&bytes);
    if let Some(needed) = super::http::endpoint::scopes_needed(&shared, &decoded, caller.identity.as_deref()) {
        return shared.config.auth.insufficient_scope(&needed);
    }
    let message = match decoded {
        Ok(message) => message,
        Err(e) => return responses::json(StatusCode::BAD_REQUEST, &e.response()),
    };
    let outbound = session.conn.outbound.clone();
    let dispatcher = shared.dispatcher.clone();
    let conn = session.conn.clone();
    // Held until the answer is queued on the stream, so a draining stream waits for it.
    let activity = session.enter();
    let in_order = !matches!(message, Message::Request { .. }) || message.method() == Some("initialize");
    if in_order {
        if let Some(response) = dispatcher.handle(&conn, message, outbound.clone()).await {
            send(&outbound, response.into_value()).await;
        }
        drop((activity, permit));
    } else {
        // The request counts against its client's limit until it is answered.
        tokio::spawn(async move {
            if let Some(response) = dispatcher.handle(&conn, message, outbound.clone()).await {
                send(&outbound, response.into_value()).await;
            }
            drop((activity, permit));
        });
    }
    responses::empty(StatusCode::ACCEPTED)
}

async fn send(outbound: &Option<mpsc::Sender<Value>>, message: Value) {
    if let Some(tx) = outbound {
        let _ = tx.send(message).await;
    }
}

/// Ends the session when its stream goes away, whatever the reason.
struct EndOnDrop {
    sessions: Arc<SessionStore>,
    session: Arc<Session>,
}

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        self.sessions.remove(&self.session.id);
        self.session.end();
        tracing::debug!(session = %self.session.id, "SSE session ended");
    }
}

struct SseStream {
    pending: Option<Bytes>,
    messages: mpsc::Receiver<Value>,
    closing: CancellationToken,
    keep_alive: Duration,
    _activity: ActivityGuard,
    end: EndOnDrop,
    _open: Option<crate::metrics::Open>,
}

impl SseStream {
    async fn next(mut self) -> Option<(Result<Bytes, std::convert::Infallible>, SseStream)> {
        if let Some(frame) = self.pending.take() {
            return Some((Ok(frame), self));
        }
        loop {
            // At shutdown the stream stays open only until the session's last answer is out.
            let draining = self.closing.is_cancelled();
            // The stream's own activity guard is the one left when nothing else is in flight.
            if draining && self.end.session.in_flight() <= 1 && self.messages.is_empty() {
                return None;
            }
            let wait = if draining { DRAIN_POLL } else { self.keep_alive };
            tokio::select! {
                m = self.messages.recv() => return Some((Ok(events::message(&m?)), self)),
                _ = self.end.session.ended.cancelled() => return None,
                _ = self.closing.cancelled(), if !draining => {}
                _ = tokio::time::sleep(wait) => {
                    if !draining {
                        return Some((Ok(Bytes::from_static(events::KEEP_ALIVE)), self));
                    }
                }
            }
        }
    }
}
