//! Legacy Streamable HTTP (2025-03-26 .. 2025-11-25): `initialize` mints a session that later
//! requests name in `Mcp-Session-Id`, GET opens the session's own stream, DELETE ends it.
//! With `--stateless` there are no sessions and every POST stands alone.

use super::events;
use super::headers::{self, SESSION_ID, Single};
use super::reply::{self, Exchange};
use super::responses::{self, transport_error, with_session};
use super::session::{ActivityGuard, Session, StreamSlot, mint_session_id};
use super::state::Shared;
use crate::protocol::jsonrpc::DecodeError;
use crate::protocol::{Message, codes};
use crate::server::{Connection, Selection};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The first version whose clients understand priming events (older ones choke on empty data).
const PRIMING_SINCE: &str = "2025-11-25";

fn wants_priming(version: Option<&str>) -> bool {
    version.is_some_and(|v| v >= PRIMING_SINCE)
}

/// `decoded`: the POST's body; `prefers_sse`: what its `Accept` header ranks first.
pub(crate) async fn post(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    version: Option<&str>,
    decoded: Result<Message, DecodeError>,
    prefers_sse: bool,
    selection: Option<Selection>,
) -> Response {
    // Whether a stream would start with a priming event, and whether the client prefers one.
    let stream_choice = |version| (wants_priming(version), prefers_sse);
    let message = match decoded {
        Ok(message) => message,
        Err(e) => return responses::json(StatusCode::BAD_REQUEST, &e.response()),
    };
    if shared.config.stateless {
        let conn = Arc::new(
            Connection::with_selection(None, selection).into_stateless(shared.config.guard.credential(headers)),
        );
        return dispatch(shared, conn, message, stream_choice(version), None, None).await;
    }
    match headers::single(headers, &SESSION_ID) {
        Single::Absent if matches!(&message, Message::Request { method, .. } if method == "initialize") => {
            open_session(shared, message, selection, shared.config.guard.credential(headers)).await
        }
        Single::Absent => transport_error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "Bad Request: missing Mcp-Session-Id header; send `initialize` first to open a session",
        ),
        Single::Present(id) => match shared.sessions.get(id) {
            Some(session) if session.opened_by(shared.config.guard.credential(headers)) => {
                let activity = session.enter();
                let version = version.or(session.conn.handshake().version);
                let conn = session.conn.clone();
                dispatch(shared, conn, message, stream_choice(version), Some(&session), Some(activity)).await
            }
            _ => session_not_found(),
        },
        Single::Repeated | Single::Invalid => session_header_invalid(),
    }
}

/// Answers a request through [`reply::answer`]; notifications and responses are handled before
/// the 202, so a request sent after them sees their effect.
async fn dispatch(
    shared: &Arc<Shared>,
    conn: Arc<Connection>,
    message: Message,
    (priming, prefer_stream): (bool, bool),
    session: Option<&Session>,
    activity: Option<ActivityGuard>,
) -> Response {
    let session_id = session.and_then(|s| s.id_header.as_ref());
    let response = match message {
        Message::Request { ref id, .. } => {
            reply::answer(Exchange {
                dispatcher: shared.dispatcher.clone(),
                conn,
                id: id.clone(),
                message,
                modern: false,
                json_only: shared.config.json_response,
                cancel_on_close: session.is_none(),
                priming,
                prefer_stream,
                keep_alive: shared.config.keep_alive,
                activity,
                lifecycle: shared.lifecycle.clone(),
            })
            .await
        }
        other => {
            shared.dispatcher.handle(&conn, other, None).await;
            responses::empty(StatusCode::ACCEPTED)
        }
    };
    with_session(response, session_id)
}

/// `initialize` without a session: answer it, and keep the session only if it succeeded.
/// A session's selection of tools is the one its `initialize` asked for.
/// `credential`: what opened it (a bearer token's digest), which its later requests must carry.
async fn open_session(
    shared: &Arc<Shared>,
    message: Message,
    selection: Option<Selection>,
    credential: Option<[u8; 32]>,
) -> Response {
    if !shared.sessions.has_room() {
        tracing::warn!("refused a new session: every session slot is busy");
        return responses::unavailable("Service Unavailable: too many open sessions; try again later");
    }
    let id = match mint_session_id() {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let session = Session::start(id, selection);
    session.bind(credential);
    let response = shared.dispatcher.handle(&session.conn, message, None).await;
    match response {
        Some(response) if response.outcome.is_ok() => {
            if shared.sessions.insert(session.clone()).is_err() {
                session.end();
                return responses::unavailable("Service Unavailable: too many open sessions; try again later");
            }
            tracing::debug!(session = %session.id, "session opened");
            with_session(responses::reply(StatusCode::OK, &response), session.id_header.as_ref())
        }
        Some(response) => {
            session.end();
            responses::reply(StatusCode::OK, &response)
        }
        None => {
            session.end();
            transport_error(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL_ERROR, "initialize was not answered")
        }
    }
}

/// GET: the session's stream for messages not tied to a request (list changes and the like).
pub(crate) fn get(shared: &Arc<Shared>, headers: &HeaderMap) -> Response {
    if !headers::accepts(headers).sse {
        return transport_error(
            StatusCode::NOT_ACCEPTABLE,
            codes::INVALID_REQUEST,
            "Not Acceptable: the Accept header must list text/event-stream",
        );
    }
    let session = match find_session(shared, headers) {
        Ok(session) => session,
        Err(rejection) => return rejection,
    };
    let Some((messages, slot)) = session.open_stream() else {
        return with_session(
            transport_error(
                StatusCode::CONFLICT,
                codes::INVALID_REQUEST,
                "Conflict: this session already has a GET stream open",
            ),
            session.id_header.as_ref(),
        );
    };
    let version = headers::single(headers, &headers::PROTOCOL_VERSION).value().or(session.conn.handshake().version);
    let state = SessionStream {
        pending: wants_priming(version).then(|| events::priming(super::config::PRIMING_RETRY_MS)),
        messages,
        ended: session.ended.clone(),
        closing: shared.lifecycle.closing.clone(),
        keep_alive: shared.config.keep_alive,
        _slot: slot,
        _activity: session.enter(),
        _open: crate::metrics::Open::stream(),
    };
    let body = Body::from_stream(futures::stream::unfold(state, SessionStream::next));
    with_session(events::stream_response(body), session.id_header.as_ref())
}

/// DELETE: ends the session (200); its id answers 404 from then on.
pub(crate) fn delete(shared: &Arc<Shared>, headers: &HeaderMap) -> Response {
    let session = match find_session(shared, headers) {
        Ok(session) => session,
        Err(rejection) => return rejection,
    };
    shared.sessions.remove(&session.id);
    tracing::debug!(session = %session.id, "session ended by the client");
    responses::empty(StatusCode::OK)
}

#[allow(clippy::result_large_err)]
fn find_session(shared: &Shared, headers: &HeaderMap) -> Result<Arc<Session>, Response> {
    match headers::single(headers, &SESSION_ID) {
        Single::Present(id) => shared
            .sessions
            .get(id)
            .filter(|session| session.opened_by(shared.config.guard.credential(headers)))
            .ok_or_else(session_not_found),
        Single::Absent => Err(transport_error(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "Bad Request: missing Mcp-Session-Id header",
        )),
        Single::Repeated | Single::Invalid => Err(session_header_invalid()),
    }
}

fn session_not_found() -> Response {
    transport_error(
        StatusCode::NOT_FOUND,
        codes::INVALID_REQUEST,
        "Not Found: this session does not exist or has ended; send `initialize` to open a new one",
    )
}

fn session_header_invalid() -> Response {
    transport_error(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, "Bad Request: malformed Mcp-Session-Id header")
}

/// The body of a GET stream: ends with the session, at shutdown, or when the client leaves.
struct SessionStream {
    pending: Option<Bytes>,
    messages: mpsc::Receiver<Value>,
    ended: CancellationToken,
    closing: CancellationToken,
    keep_alive: Duration,
    _slot: StreamSlot,
    _activity: ActivityGuard,
    _open: Option<crate::metrics::Open>,
}

impl SessionStream {
    async fn next(mut self) -> Option<(Result<Bytes, std::convert::Infallible>, SessionStream)> {
        if let Some(frame) = self.pending.take() {
            return Some((Ok(frame), self));
        }
        let frame = tokio::select! {
            m = self.messages.recv() => events::message(&m?),
            _ = self.ended.cancelled() => return None,
            _ = self.closing.cancelled() => return None,
            _ = tokio::time::sleep(self.keep_alive) => Bytes::from_static(events::KEEP_ALIVE),
        };
        Some((Ok(frame), self))
    }
}
