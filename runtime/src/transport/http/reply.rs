//! Answering one JSON-RPC request over HTTP: as a single JSON body, or as an SSE stream once
//! the handler sends something (a notification or a request to the client) before its result.
//!
//! The handler's first turn runs in the request's own task, and most tools finish in it: their
//! answer is then one complete body. A handler still running after that turn moves into a task
//! of its own, and the HTTP side waits for whichever comes first: the result (a JSON body), a
//! message from the handler (the response becomes a stream, result last), or the keep-alive
//! interval (a stream, so proxies see traffic while a slow tool runs).

use super::events;
use super::lifecycle::Lifecycle;
use super::responses;
use super::session::ActivityGuard;
use crate::protocol::{ErrorObject, Message, RequestId};
use crate::server::{Connection, Dispatcher, Reply};
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Queue for the messages a handler sends while it runs.
const SINK_CAPACITY: usize = 64;

/// JSON-RPC code for a request whose stream had to end without a result (LSP's RequestCancelled).
const REQUEST_CANCELLED: i64 = -32800;

/// One request to answer, and how.
pub(crate) struct Exchange {
    pub dispatcher: Arc<Dispatcher>,
    pub conn: Arc<Connection>,
    pub id: RequestId,
    pub message: Message,
    /// 2026-07-28: errors get their mapped HTTP status; a cancelled request gets no answer.
    pub modern: bool,
    /// `--json-response`: never a stream; the handler's notifications are dropped.
    pub json_only: bool,
    /// The client closing the response cancels the request (2026-07-28, and legacy without a
    /// session, where nobody else could receive the result). Legacy sessions keep running:
    /// their spec says a disconnect is not a cancellation.
    pub cancel_on_close: bool,
    /// Start streams with a priming event (legacy 2025-11-25 and later).
    pub priming: bool,
    /// The client prefers a stream: open it at once instead of waiting to see whether the
    /// handler sends anything before its result.
    pub prefer_stream: bool,
    pub keep_alive: Duration,
    pub activity: Option<ActivityGuard>,
    pub lifecycle: Arc<Lifecycle>,
}

/// How the handler task ended.
enum Outcome {
    /// The dispatcher's answer (`None`: the client cancelled it with `notifications/cancelled`).
    Answered(Option<Reply>),
    /// Stopped from outside: the client went away, or the server is shutting down.
    Stopped,
}

/// Cancels the request when the exchange is dropped before its result went out.
struct CloseGuard {
    stop: CancellationToken,
    armed: bool,
}

impl Drop for CloseGuard {
    fn drop(&mut self) {
        if self.armed {
            self.stop.cancel();
        }
    }
}

/// Runs the request and builds the response (see the module docs).
pub(crate) async fn answer(ex: Exchange) -> Response {
    if ex.json_only && ex.cancel_on_close {
        return answer_inline(ex).await;
    }
    let (sink, mut messages) = if ex.json_only {
        (None, None)
    } else {
        let (tx, rx) = mpsc::channel::<Value>(SINK_CAPACITY);
        (Some(tx), Some(rx))
    };
    // Held here so the channel stays open even when the handler drops its context at once:
    // the result, not the channel, says when the exchange is over.
    let sink_hold = sink.clone();
    let conn = ex.conn;
    let mut handling = {
        let (dispatcher, conn, message) = (ex.dispatcher, conn.clone(), ex.message);
        Box::pin(async move { dispatcher.handle(&conn, message, sink).await })
    };
    let end = Ending { id: ex.id, modern: ex.modern, lifecycle: ex.lifecycle };

    // The handler's first turn runs here, in the request's own task: most tools finish in it,
    // and their answer then needs no task, no channel back and no child cancellation token.
    if let Some(outcome) = first_turn(&mut handling).await {
        return end.finished(outcome, messages, ex.priming, ex.prefer_stream);
    }
    // Still running: it moves, already started, into a task of its own.
    let stop = end.lifecycle.abort.child_token();
    let (done_tx, mut done) = oneshot::channel::<Outcome>();
    {
        let (id, stop) = (end.id.clone(), stop.clone());
        tokio::spawn(async move {
            let outcome = tokio::select! {
                r = &mut handling => Outcome::Answered(r),
                _ = stop.cancelled() => {
                    // Let the handler see its cancellation token, then drop it.
                    conn.cancel(&id);
                    Outcome::Stopped
                }
            };
            let _ = done_tx.send(outcome);
        });
    }
    let mut guard = CloseGuard { stop, armed: ex.cancel_on_close };

    // Decide between one JSON body and a stream. `first`: what opens the stream, if anything
    // beyond the priming event. A client that prefers a stream gets one at once.
    let first = if ex.prefer_stream && messages.is_some() {
        None
    } else {
        loop {
            let wait = tokio::time::sleep(ex.keep_alive);
            tokio::select! {
                biased;
                m = recv(&mut messages) => match m {
                    Some(m) => break Some(events::message(&m)),
                    None => messages = None,
                },
                outcome = &mut done => {
                    let response = end.json(outcome.unwrap_or(Outcome::Stopped));
                    guard.armed = false;
                    return response;
                }
                _ = wait, if messages.is_some() => break Some(Bytes::from_static(events::KEEP_ALIVE)),
            }
        }
    };

    let mut state = StreamState {
        pending: Vec::new(),
        messages,
        done: Some(done),
        keep_alive: ex.keep_alive,
        end,
        guard,
        _sink_hold: sink_hold,
        _activity: ex.activity,
    };
    if ex.priming {
        state.pending.push(events::priming(super::config::PRIMING_RETRY_MS));
    }
    state.pending.extend(first);
    let body = Body::from_stream(futures::stream::unfold(state, StreamState::next));
    events::stream_response(body)
}

/// `--json-response` where the client going away cancels the request (stateless, 2026-07-28):
/// the handler runs inside this request's own future — no task, no channel, no child token.
/// Dropping the future (the client closed the exchange) drops the handler, which is the
/// cancellation; a panic still ends as an unanswered request, as in a task of its own.
async fn answer_inline(ex: Exchange) -> Response {
    use futures::FutureExt;
    // Boxed: the handler's future is large, and unboxed it is copied at each of the wrappers below.
    let handling =
        std::panic::AssertUnwindSafe(Box::pin(ex.dispatcher.handle(&ex.conn, ex.message, None))).catch_unwind();
    // The handler first: one that finishes at once never waits on the shutdown token.
    let outcome = tokio::select! {
        biased;
        r = handling => r.map(Outcome::Answered).unwrap_or(Outcome::Stopped),
        _ = ex.lifecycle.abort.cancelled() => {
            ex.conn.cancel(&ex.id);
            Outcome::Stopped
        }
    };
    let end = Ending { id: ex.id, modern: ex.modern, lifecycle: ex.lifecycle };
    end.json(outcome)
}

/// Polls the handler once. `None`: it is still running. A panic ends the request as a stopped
/// one, as it would in a task of its own.
async fn first_turn<F: Future<Output = Option<Reply>>>(handling: &mut Pin<Box<F>>) -> Option<Outcome> {
    std::future::poll_fn(|cx| {
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| handling.as_mut().poll(cx)));
        Poll::Ready(match polled {
            Ok(Poll::Ready(reply)) => Some(Outcome::Answered(reply)),
            Ok(Poll::Pending) => None,
            Err(_) => Some(Outcome::Stopped),
        })
    })
    .await
}

async fn recv(messages: &mut Option<mpsc::Receiver<Value>>) -> Option<Value> {
    match messages {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// What the last message of an exchange says, once the handler is done.
struct Ending {
    id: RequestId,
    modern: bool,
    lifecycle: Arc<Lifecycle>,
}

impl Ending {
    /// The final JSON-RPC message, `None` when the request must go unanswered.
    fn last_message(&self, outcome: Outcome) -> Option<Reply> {
        match outcome {
            Outcome::Answered(Some(response)) => Some(response),
            // Legacy streams end with a response for their id, so say it was cancelled.
            Outcome::Answered(None) if !self.modern => {
                Some(Reply::error(Some(self.id.clone()), ErrorObject::new(REQUEST_CANCELLED, "Request cancelled")))
            }
            Outcome::Answered(None) => None,
            Outcome::Stopped if self.lifecycle.abort.is_cancelled() => Some(Reply::error(
                Some(self.id.clone()),
                ErrorObject::internal("the server shut down before the request finished"),
            )),
            Outcome::Stopped => None,
        }
    }

    /// The response for a handler that finished in its first turn: one JSON body, or, when the
    /// client prefers a stream or the handler sent something first, one complete SSE body of
    /// known length (written with the headers, not chunked).
    fn finished(
        &self,
        outcome: Outcome,
        messages: Option<mpsc::Receiver<Value>>,
        priming: bool,
        prefer_stream: bool,
    ) -> Response {
        let Some(mut messages) = messages.filter(|m| prefer_stream || !m.is_empty()) else {
            return self.json(outcome);
        };
        let mut body = Vec::with_capacity(256);
        if priming {
            events::write_priming(&mut body, super::config::PRIMING_RETRY_MS);
        }
        self.write_last(&mut body, Some(&mut messages), outcome);
        events::stream_response(Body::from(body))
    }

    /// The end of a stream: the messages the handler queued before finishing, then its last
    /// message, if it has one.
    fn write_last(&self, out: &mut Vec<u8>, queued: Option<&mut mpsc::Receiver<Value>>, outcome: Outcome) {
        if let Some(rx) = queued {
            while let Ok(m) = rx.try_recv() {
                out.extend_from_slice(&events::message(&m));
            }
        }
        if let Some(last) = self.last_message(outcome) {
            events::write_reply(out, &last);
        }
    }

    fn json(&self, outcome: Outcome) -> Response {
        let shutting_down = matches!(outcome, Outcome::Stopped) && self.lifecycle.abort.is_cancelled();
        match self.last_message(outcome) {
            Some(_) if shutting_down => responses::unavailable("the server shut down before the request finished"),
            Some(response) => {
                let status = if self.modern { responses::modern_reply_status(&response) } else { StatusCode::OK };
                responses::reply(status, &response)
            }
            // Nobody is listening (the client closed the exchange); the status is never seen.
            None => responses::empty(StatusCode::NO_CONTENT),
        }
    }
}

/// The body of a streamed answer.
struct StreamState {
    /// Frames to send before waiting again.
    pending: Vec<Bytes>,
    messages: Option<mpsc::Receiver<Value>>,
    /// `None` once the result was sent: the stream then ends.
    done: Option<oneshot::Receiver<Outcome>>,
    keep_alive: Duration,
    end: Ending,
    guard: CloseGuard,
    _sink_hold: Option<mpsc::Sender<Value>>,
    _activity: Option<ActivityGuard>,
}

impl StreamState {
    async fn next(mut self) -> Option<(Result<Bytes, std::convert::Infallible>, StreamState)> {
        loop {
            if !self.pending.is_empty() {
                let frame = if self.pending.len() == 1 {
                    self.pending.pop().unwrap_or_default()
                } else {
                    Bytes::from(self.pending.drain(..).flat_map(|b| b.to_vec()).collect::<Vec<u8>>())
                };
                return Some((Ok(frame), self));
            }
            let done = self.done.as_mut()?;
            let wait = tokio::time::sleep(self.keep_alive);
            tokio::select! {
                biased;
                m = recv(&mut self.messages) => match m {
                    Some(m) => self.pending.push(events::message(&m)),
                    None => self.messages = None,
                },
                outcome = done => {
                    let mut last = Vec::new();
                    self.end.write_last(&mut last, self.messages.as_mut(), outcome.unwrap_or(Outcome::Stopped));
                    if !last.is_empty() {
                        self.pending.push(Bytes::from(last));
                    }
                    self.done = None;
                    self.guard.armed = false;
                }
                _ = wait => self.pending.push(Bytes::from_static(events::KEEP_ALIVE)),
            }
        }
    }
}
