//! Plain `http://` calls when no proxy is configured: HTTP/1.1 on hyper's client connections,
//! kept in a small pool of their own and driven with the request `send.rs` prepared (URL parsed
//! once, headers written once). reqwest runs the same hyper underneath but adds per call what
//! an upstream call never uses: its redirect policy parses the URL again (even when nothing
//! redirects), the request keeps a second header map, hyper-util's pool hashes its key and
//! spawns a task to give the connection back. See `bench/results/2026-12-06-proxy-client.md`.
//!
//! The rules are reqwest's, kept: redirects per `redirect.rs` (same origin, at most five URLs,
//! method and body changes, `Referer`), one timeout over the whole exchange and the body, the
//! connect timeout, TCP_NODELAY and keep-alive probes, idle connections closed after 90 s (a
//! task looks every 90 s while any is idle, as hyper-util's pool timer does),
//! a connection reused only after its answer was read to the end, and a request that a reused
//! connection closed before sending it tried again on a new one.

use super::redirect;
use super::response::ReadBody;
use super::send::{Answer, Failure, Prepared, USER_AGENT};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::time::Instant;
use tower::Service;
use url::{Position, Url};

/// How long a connection may sit unused before it is closed (reqwest's default).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

type Sender = SendRequest<Full<Bytes>>;

/// An open connection waiting for its next request.
struct Idle {
    /// `host:port` as the URL writes it.
    authority: Box<str>,
    sender: Sender,
    since: Instant,
}

pub(super) struct PlainClient {
    connector: HttpConnector,
    idle: Arc<Pool>,
}

/// The idle connections, and whether a task is closing the expired ones.
#[derive(Default)]
struct Pool {
    idle: Mutex<Vec<Idle>>,
    reaping: AtomicBool,
}

impl Pool {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops the closed and expired connections.
    fn prune(idle: &mut Vec<Idle>) {
        let now = Instant::now();
        idle.retain(|i| !i.sender.is_closed() && now.duration_since(i.since) < IDLE_TIMEOUT);
    }

    /// Keeps `connection` for the next request, and makes sure a task will close it once expired.
    fn give_back(self: &Arc<Self>, connection: Idle) {
        let mut idle = self.lock();
        idle.push(connection);
        // Under the lock, as the task gives up under it: one task while any connection is idle.
        if !self.reaping.swap(true, Ordering::AcqRel) {
            tokio::spawn(Pool::reap(Arc::downgrade(self)));
        }
    }

    /// Every `IDLE_TIMEOUT`, closes the expired connections; ends when none is left (or the
    /// client is gone).
    async fn reap(pool: Weak<Pool>) {
        loop {
            tokio::time::sleep(IDLE_TIMEOUT).await;
            let Some(pool) = pool.upgrade() else { return };
            let mut idle = pool.lock();
            Pool::prune(&mut idle);
            if idle.is_empty() {
                pool.reaping.store(false, Ordering::Release);
                return;
            }
        }
    }
}

impl PlainClient {
    pub(super) fn new(connect_timeout: Duration) -> PlainClient {
        // reqwest's connector settings.
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(connect_timeout));
        connector.set_keepalive(Some(Duration::from_secs(15)));
        connector.set_keepalive_interval(Some(Duration::from_secs(15)));
        connector.set_keepalive_retries(Some(3));
        #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
        connector.set_tcp_user_timeout(Some(Duration::from_secs(30)));
        PlainClient { connector, idle: Arc::default() }
    }

    /// Sends `request` (an `http://` URL without user info), following redirects, and reads the
    /// answer up to `cap` bytes, all within `timeout`.
    pub(super) async fn exchange(&self, request: Prepared, timeout: Duration, cap: usize) -> Result<Answer, Failure> {
        tokio::time::timeout(timeout, self.follow(request, cap)).await.unwrap_or_else(|_| Err(Failure::timed_out()))
    }

    async fn follow(&self, request: Prepared, cap: usize) -> Result<Answer, Failure> {
        let Prepared { mut method, mut url, mut headers, mut body } = request;
        if !headers.contains_key(header::USER_AGENT) {
            headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        }
        let mut target = origin_form(&url)?;
        // Only known once a redirect comes: the chain's first URL, the URLs requested so far,
        // the `Referer` of the next request.
        let mut first: Option<Url> = None;
        let mut requested = 0;
        let mut referer = None;
        loop {
            let mut req = Request::new(Full::new(body.clone().unwrap_or_default()));
            *req.method_mut() = method.clone();
            *req.uri_mut() = target;
            *req.headers_mut() = headers.clone();
            let authority = &url[Position::BeforeHost..Position::AfterPort];
            if !req.headers().contains_key(header::HOST) {
                let host = HeaderValue::from_str(authority).map_err(|e| Failure::of(&e, false))?;
                req.headers_mut().insert(header::HOST, host);
            }
            if let Some(referer) = referer.take() {
                req.headers_mut().insert(header::REFERER, referer);
            }
            let (response, sender) = self.send(authority, req).await?;
            requested += 1;
            let status = response.status();
            let Some(keeps_body) = redirect::rewrite(status, &mut method, &mut headers) else {
                let (status, headers, body) = self.read(authority, response, sender, cap).await?;
                return Ok(Answer::new(status, headers, url, body));
            };
            let next = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| std::str::from_utf8(l.as_bytes()).ok())
                .and_then(|l| url.join(l).ok())
                .and_then(|mut next| {
                    next.set_fragment(None);
                    Some((origin_form(&next).ok()?, next))
                });
            let first = first.get_or_insert_with(|| url.clone());
            let Some((next_target, next)) = next.filter(|(_, next)| redirect::follows(first, next, requested)) else {
                let (status, headers, body) = self.read(authority, response, sender, cap).await?;
                return Ok(Answer::new(status, headers, url, body));
            };
            // The redirect's own body is not read: its connection is not reused.
            drop((response, sender));
            if !keeps_body {
                body = None;
            }
            referer = redirect::referer(&url);
            url = next;
            target = next_target;
        }
    }

    /// Sends `req` on an idle connection to `authority`, or a new one. A request a reused
    /// connection closed before it was sent is sent again on a new connection, as hyper-util's
    /// pool does: the API closed an idle connection as it was taken.
    async fn send(
        &self,
        authority: &str,
        mut req: Request<Full<Bytes>>,
    ) -> Result<(Response<Incoming>, Sender), Failure> {
        loop {
            let (mut sender, reused) = match self.checkout(authority).await {
                Some(sender) => (sender, true),
                None => (self.connect(authority).await?, false),
            };
            match sender.try_send_request(req).await {
                Ok(response) => return Ok((response, sender)),
                Err(mut e) => match e.take_message() {
                    Some(unsent) if reused => req = unsent,
                    _ => return Err(Failure::of(&e.into_error(), false)),
                },
            }
        }
    }

    /// An idle connection to `authority` ready for a request; closed and expired ones dropped.
    async fn checkout(&self, authority: &str) -> Option<Sender> {
        loop {
            let mut sender = {
                let mut idle = self.idle.lock();
                Pool::prune(&mut idle);
                // One ready for a request at once if there is one: a connection whose last
                // answer was just read may not be yet, and waiting for it is waiting for its task.
                let mine = |i: &Idle| &*i.authority == authority;
                let at = idle
                    .iter()
                    .rposition(|i| mine(i) && i.sender.is_ready())
                    .or_else(|| idle.iter().rposition(mine))?;
                idle.swap_remove(at).sender
            };
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    async fn connect(&self, authority: &str) -> Result<Sender, Failure> {
        let uri: Uri = format!("http://{authority}/").parse().map_err(|e| Failure::of(&e, true))?;
        let stream = self.connector.clone().call(uri).await.map_err(|e| Failure::of(&e, true))?;
        let (mut sender, connection) = http1::handshake(stream).await.map_err(|e| Failure::of(&e, true))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection to the API closed: {e}");
            }
        });
        sender.ready().await.map_err(|e| Failure::of(&e, true))?;
        Ok(sender)
    }

    /// Reads the body up to `cap`; a connection whose answer was read to the end goes back to
    /// the pool.
    async fn read(
        &self,
        authority: &str,
        response: Response<Incoming>,
        sender: Sender,
        cap: usize,
    ) -> Result<(StatusCode, HeaderMap, ReadBody), Failure> {
        let (head, mut incoming) = response.into_parts();
        let expected = incoming.size_hint().exact().map_or(0, |n| usize::try_from(n).unwrap_or(cap).min(cap));
        let mut body = ReadBody::with_capacity(expected);
        // Until the body ends: the last byte of a Content-Length says so without waiting for
        // the connection's task to close the stream (a wake-up of it per call).
        while !incoming.is_end_stream() {
            let Some(frame) = incoming.frame().await else { break };
            let frame = frame.map_err(|e| Failure::of(&e, false))?;
            if let Ok(data) = frame.into_data()
                && !body.push(&data, cap)
            {
                break;
            }
        }
        if !body.truncated {
            let idle = Idle { authority: authority.into(), sender, since: Instant::now() };
            self.idle.give_back(idle);
        }
        Ok((head.status, head.headers, body))
    }
}

/// The request target an HTTP/1.1 request line carries: path and query.
fn origin_form(url: &Url) -> Result<Uri, Failure> {
    Uri::try_from(&url[Position::BeforePath..Position::AfterQuery]).map_err(|e| Failure::of(&e, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An API answering every request with `{}` on a kept-alive connection.
    async fn api() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(|| async { "{}" });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/")
    }

    fn get(url: &str) -> Prepared {
        Prepared { method: hyper::Method::GET, url: Url::parse(url).unwrap(), headers: Default::default(), body: None }
    }

    #[tokio::test(start_paused = true)]
    async fn idle_connections_are_closed_after_the_idle_timeout_without_another_call() {
        let url = api().await;
        let client = PlainClient::new(Duration::from_secs(5));
        let answer = client.exchange(get(&url), Duration::from_secs(5), 1 << 20).await.unwrap();
        assert_eq!(answer.body.bytes, b"{}");
        assert_eq!(client.idle.lock().len(), 1, "kept for the next call");
        tokio::time::sleep(IDLE_TIMEOUT / 2).await;
        assert_eq!(client.idle.lock().len(), 1, "not yet expired");
        tokio::time::sleep(IDLE_TIMEOUT * 2).await;
        assert_eq!(client.idle.lock().len(), 0, "closed once expired");
        assert!(!client.idle.reaping.load(Ordering::Acquire), "the task ended with the last one");
        // And it starts again with the next idle connection.
        client.exchange(get(&url), Duration::from_secs(5), 1 << 20).await.unwrap();
        assert_eq!(client.idle.lock().len(), 1);
        assert!(client.idle.reaping.load(Ordering::Acquire));
    }
}
