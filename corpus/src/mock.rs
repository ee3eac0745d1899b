//! `mcpgen mock` of the description under test, served in process on a loopback port the OS
//! picks. It answers through the library's own [`mcpgen::mock::Mock::handle`] (route, parameter
//! and body validation, synthesized responses) and keeps what each request got, so every tool
//! call can be classified by what the upstream request actually looked like to the mock.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use mcpgen::mock::Mock;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// What the mock made of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub status: u16,
    /// The operation it matched, if any.
    pub operation: Option<String>,
    /// The mock's error text for a 4xx.
    pub error: Option<String>,
    /// The request as it arrived: method, URI, headers (sorted) and body, with a multipart
    /// boundary (random per request) replaced by a fixed one, so two servers' requests compare.
    pub request: String,
}

struct Shared {
    mock: Mock,
    seen: Mutex<Vec<Seen>>,
}

/// A running mock; it stops when dropped.
pub struct Running {
    shared: Arc<Shared>,
    /// Where the generated server should send its requests (root plus the spec's base path).
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Serves `mock` on `127.0.0.1` in `runtime`.
    pub fn start(runtime: &tokio::runtime::Runtime, mock: Mock) -> std::io::Result<Running> {
        let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))?;
        let port = listener.local_addr()?.port();
        let base_url = format!("http://127.0.0.1:{port}{}", mock.base_path());
        let shared = Arc::new(Shared { mock, seen: Mutex::new(Vec::new()) });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Running { shared, base_url, task })
    }

    /// The path template of the operation named `name` (operationId, else `METHOD /path`).
    pub fn path_of(&self, name: &str) -> Option<String> {
        self.shared
            .mock
            .operations()
            .iter()
            .find(|o| o.operation_id.clone().unwrap_or_else(|| format!("{} {}", o.method.upper(), o.path)) == name)
            .map(|o| o.path.clone())
    }

    /// Everything seen since the last call, oldest first.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.shared.seen.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = mcpgen::mock::serve::received(&method, &uri, &headers, &body);
    let (reply, operation) = shared.mock.handle(&req);
    let error = (reply.status >= 400)
        .then(|| serde_json::from_slice::<Value>(&reply.body).ok())
        .flatten()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string));
    let request = fingerprint(&method, &uri, &headers, &body);
    let seen = Seen { status: reply.status, operation, error, request };
    shared.seen.lock().unwrap_or_else(|e| e.into_inner()).push(seen);
    mcpgen::mock::serve::response(reply)
}

fn fingerprint(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> String {
    let mut lines: Vec<String> =
        headers.iter().map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes()))).collect();
    lines.sort();
    let text = format!("{method} {uri}\n{}\n\n{}", lines.join("\n"), String::from_utf8_lossy(body));
    let boundary = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once("boundary="))
        .map(|(_, b)| b.trim_matches('"').to_string());
    match boundary {
        Some(b) if !b.is_empty() => text.replace(&b, "BOUNDARY"),
        _ => text,
    }
}
