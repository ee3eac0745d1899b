//! Serving an [`HttpApp`] on a TCP listener, and shutting it down gracefully.

use super::app::HttpApp;
use super::front::Front;
use super::head_timer::HeadTimer;
use axum::serve::{Listener, ListenerExt};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// After the grace period, how long cancelled requests get to close their connections.
const AFTER_ABORT: Duration = Duration::from_secs(1);

impl HttpApp {
    /// Serves the app on `listener` until `shutdown` completes (for example
    /// [`shutdown_signal`](crate::transport::shutdown_signal)).
    ///
    /// Every accepted socket gets TCP_NODELAY: replies written in pieces (SSE events, headers
    /// then body) would otherwise wait ~40 ms each for delayed ACKs. A client gets
    /// [`RunOptions::read_timeout`](crate::RunOptions::read_timeout) to send each request's
    /// headers, idle keep-alive connections included, so clients that trickle bytes or sit on
    /// connections (slow-loris) are let go. On shutdown the listener stops accepting, streams end,
    /// open connections stay open for the drain delay (new MCP requests on them get 503), then
    /// requests in flight get the grace period to finish, and the ones still running then are
    /// cancelled.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
        let handle = self.handle.clone();
        let (grace, drain) = (self.shutdown_grace, self.drain_delay);
        let mut http = hyper::server::conn::http1::Builder::new();
        http.header_read_timeout(self.read_timeout);
        let front = Front::new(self.router, self.direct);
        let peer_addresses = self.peer_addresses;
        let mut listener = nodelay(listener);
        // Cancelled at shutdown: each connection finishes its request in flight, then closes.
        let stop = CancellationToken::new();
        // Every connection task holds a receiver; `closed()` resolves once all of them are gone.
        let (connections, alive) = watch::channel(());
        tokio::pin!(shutdown);
        loop {
            let (tcp, peer) = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = &mut shutdown => break,
            };
            // Each connection gets a timer of its own: its head reads share one tokio sleep (see
            // `head_timer`).
            let connection = http
                .clone()
                .timer(HeadTimer::default())
                .serve_connection(TokioIo::new(tcp), front.service(peer_addresses.then_some(peer)))
                .with_upgrades();
            // A token of its own: the task polls it each time it wakes, once per request or
            // more, and polling a token takes its lock. One token shared by every connection
            // would be one lock shared by every core.
            let (stop, alive) = (stop.child_token(), alive.clone());
            tokio::spawn(async move {
                tokio::pin!(connection);
                let result = tokio::select! {
                    biased;
                    result = connection.as_mut() => result,
                    _ = stop.cancelled() => {
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(e) = result {
                    tracing::debug!(error = %e, "HTTP connection ended with an error");
                }
                drop(alive);
            });
        }
        drop(listener);
        drop(alive);
        tracing::info!(grace = ?grace, "shutting down: no new connections, requests in flight may finish");
        handle.close();
        let all_closed = connections.closed();
        tokio::pin!(all_closed);
        // Closing an idle keep-alive connection races a request a load balancer may be sending
        // on it, and that request is lost. For the drain delay the connections stay open instead:
        // MCP requests on them get 503 with `Connection: close` (a balancer re-sends those) and
        // readiness answers 503, until the balancer has taken this server out.
        let mut all_gone = false;
        if !drain.is_zero() {
            tracing::info!(delay = ?drain, "draining: open connections stay open, new MCP requests get 503");
            all_gone = tokio::time::timeout(drain, &mut all_closed).await.is_ok();
        }
        stop.cancel();
        if !all_gone && tokio::time::timeout(grace, &mut all_closed).await.is_err() {
            tracing::warn!("cancelling the requests still running after the grace period");
            handle.abort();
            let _ = tokio::time::timeout(AFTER_ABORT, &mut all_closed).await;
        }
        Ok(())
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
