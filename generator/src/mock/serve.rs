//! The HTTP side of the mock: a listener on loopback, the operations behind a fallback handler,
//! the record at `GET /__mcpgen/requests` (`DELETE` empties it), and shutdown on Ctrl-C.

use super::{Mock, Received, Reply};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Where the record lives.
pub const RECORD_PATH: &str = "/__mcpgen/requests";
/// The record keeps the latest requests only, so a long-running mock stays small.
const RECORD_CAP: usize = 10_000;

/// Where to listen.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
}

struct Shared {
    mock: Mock,
    record: Mutex<VecDeque<Value>>,
}

/// Serves `mock` until Ctrl-C (or SIGTERM), printing its URL on stderr once it listens.
pub async fn serve(mock: Mock, options: &Options) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await?;
    serve_on(listener, mock, stop_signal()).await
}

/// Serves `mock` on `listener` until `shutdown` completes, printing its URL on stderr first.
/// `mcpgen run --mock` uses it to keep the mock exactly as long as the server it feeds.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    mock: Mock,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let root = root_url(addr);
    eprintln!(
        "mcpgen mock: serving {} operation(s) at {root}{} (requests recorded at {root}{RECORD_PATH}); Ctrl-C stops it",
        mock.operations().len(),
        mock.base_path(),
    );
    let shared = Arc::new(Shared { mock, record: Mutex::new(VecDeque::new()) });
    let app =
        Router::new().route(RECORD_PATH, axum::routing::get(list).delete(clear)).fallback(handle).with_state(shared);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// `http://host:port` of a listening address, IPv6 hosts bracketed.
pub fn root_url(addr: std::net::SocketAddr) -> String {
    let host = if addr.is_ipv6() { format!("[{}]", addr.ip()) } else { addr.ip().to_string() };
    format!("http://{host}:{}", addr.port())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

async fn list(State(shared): State<Arc<Shared>>) -> Response {
    let record = shared.record.lock().unwrap_or_else(|e| e.into_inner());
    let all = Value::Array(record.iter().cloned().collect());
    ([(header::CONTENT_TYPE, "application/json")], all.to_string()).into_response()
}

async fn clear(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.record.lock().unwrap_or_else(|e| e.into_inner()).clear();
    StatusCode::NO_CONTENT
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = received(&method, &uri, &headers, &body);
    let (reply, operation) = shared.mock.handle(&req);
    let entry = shared.mock.record(&req, operation.as_deref(), reply.status);
    {
        let mut record = shared.record.lock().unwrap_or_else(|e| e.into_inner());
        if record.len() >= RECORD_CAP {
            record.pop_front();
        }
        record.push_back(entry);
    }
    response(reply)
}

/// A request as [`Mock::handle`] takes it. Shared with other hosts of the mock (the corpus runner).
pub fn received(method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Received {
    Received {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
    }
}

/// The HTTP response for the mock's `reply`.
pub fn response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = (status, reply.body).into_response();
    if let Some(ct) = reply.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value))
        {
            response.headers_mut().append(name, value);
        }
    }
    response
}
