//! Serving an [`HttpApp`] on a TCP listener, and shutting it down gracefully.

use super::app::HttpApp;
use axum::serve::{Listener, ListenerExt};
use std::future::{Future, IntoFuture};
use std::io;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// After the grace period, how long cancelled requests get to close their connections.
const AFTER_ABORT: Duration = Duration::from_secs(1);

impl HttpApp {
    /// Serves the app on `listener` until `shutdown` completes (for example
    /// [`shutdown_signal`](crate::transport::shutdown_signal)).
    ///
    /// Every accepted socket gets TCP_NODELAY: replies written in pieces (SSE events, headers
    /// then body) would otherwise wait ~40 ms each for delayed ACKs. On shutdown the listener
    /// stops accepting, streams end, requests in flight get the grace period to finish, and the
    /// ones still running then are cancelled.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
        let handle = self.handle.clone();
        let grace = self.shutdown_grace;
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let server = axum::serve(nodelay(listener), self.router)
            .with_graceful_shutdown(async move { stopped.cancelled().await })
            .into_future();
        tokio::pin!(server);
        tokio::select! {
            result = &mut server => return result,
            _ = shutdown => {}
        }
        tracing::info!(grace = ?grace, "shutting down: no new connections, requests in flight may finish");
        handle.close();
        stop.cancel();
        match tokio::time::timeout(grace, &mut server).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!("cancelling the requests still running after the grace period");
                handle.abort();
                let _ = tokio::time::timeout(AFTER_ABORT, &mut server).await;
                Ok(())
            }
        }
    }
}

/// `listener`, with TCP_NODELAY set on every socket it accepts.
fn nodelay(listener: TcpListener) -> impl Listener<Io = tokio::net::TcpStream, Addr = std::net::SocketAddr> {
    listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY on an accepted socket");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_have_tcp_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = nodelay(listener);
        for _ in 0..3 {
            let client = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (accepted, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept()).await.unwrap();
            assert!(accepted.nodelay().unwrap());
            drop(client);
        }
    }
}
