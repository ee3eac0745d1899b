//! Shutdown of an HTTP app, in two steps: stop (streams end, new MCP requests get 503) and,
//! once the grace period is over, abort (requests still running are cancelled).

use super::session::SessionStore;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub(crate) struct Lifecycle {
    /// Cancelled when shutdown begins.
    pub closing: CancellationToken,
    /// Cancelled when requests may run no longer.
    pub abort: CancellationToken,
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
        if !self.lifecycle.closing.is_cancelled() {
            tracing::info!("closing MCP streams; requests in flight may finish");
        }
        self.lifecycle.closing.cancel();
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
        self.lifecycle.closing.is_cancelled()
    }

    /// Number of live sessions (legacy Streamable HTTP and SSE).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}
