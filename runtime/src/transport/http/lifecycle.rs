//! Shutdown of an HTTP app, in two steps: stop (streams end, new MCP requests get 503) and,
//! once the grace period is over, abort (requests still running are cancelled).

use super::session::SessionStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub(crate) struct Lifecycle {
    /// Cancelled when shutdown begins ([`Lifecycle::close`]), for streams that wait on it.
    pub closing: CancellationToken,
    /// `closing` as a flag, for the check every request makes: reading the token takes its
    /// lock, one lock that requests on every core would share.
    closed: AtomicBool,
    /// Cancelled when requests may run no longer.
    pub abort: CancellationToken,
}

impl Lifecycle {
    /// Begins shutdown; true the first time.
    pub fn close(&self) -> bool {
        let first = !self.closed.swap(true, Ordering::AcqRel);
        self.closing.cancel();
        first
    }

    pub fn is_closing(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Controls a running [`HttpApp`](super::HttpApp), wherever it is served. Cheap to clone.
///
/// When the app is mounted in your own axum server, call [`HttpHandle::close`] when that server
/// starts shutting down (SSE streams never end on their own, so a graceful shutdown would wait
/// for them forever) and [`HttpHandle::abort`] when in-flight requests may run no longer.
#[derive(Clone)]
pub struct HttpHandle {
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) sessions: Arc<SessionStore>,
}

impl HttpHandle {
    /// Begins shutdown: new MCP requests get 503, streams that only carry server messages
    /// end, and requests already running may finish (an SSE session's stream stays open until
    /// its last request is answered).
    pub fn close(&self) {
        if self.lifecycle.close() {
            tracing::info!("closing MCP streams; requests in flight may finish");
        }
    }

    /// Cancels every request still running and ends every session (implies
    /// [`HttpHandle::close`]).
    pub fn abort(&self) {
        self.close();
        self.lifecycle.abort.cancel();
        self.sessions.end_all();
    }

    /// True once [`HttpHandle::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.lifecycle.is_closing()
    }

    /// Number of live sessions (legacy Streamable HTTP and SSE).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}
