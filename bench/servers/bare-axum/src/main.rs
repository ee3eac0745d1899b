//! `bare-axum`: the limit the MCP servers are measured against. It does no MCP work: every POST
//! to `/mcp` (and `/mcp/`) gets the same constant body, by default the exact bytes mcpgen answers
//! to `tools/call add(1, 2)`, so the HTTP and JSON byte counts match the real servers'.
//!
//! ```text
//! bare-axum --port 18104 [--body-file reply.json] [--sse] [--session-id ID] [--read-body]
//! bare-axum --port 18200 --petstore [--delay-ms N]
//! bare-axum --port 18201 --proxy-to http://127.0.0.1:18200/v1/pets/1
//! ```
//! `--sse` answers `text/event-stream` (the body file then holds the whole SSE framing);
//! `--session-id` adds an `Mcp-Session-Id` header, so session-mode clients can run against it.
//! `--read-body` reads each request's body (and drops it) before answering, as every MCP server
//! must: what reading a body costs in hyper, apart from any MCP work (bench/profile's `bare-read`).
//! `--petstore` makes it the proxy scenario's upstream instead (see `petstore.rs`), and
//! `--proxy-to` that scenario's bare proxy (see `proxy.rs`).
//! Same axum, hyper and tokio versions as mcpgen-runtime (one workspace), tokio's default
//! multi-threaded runtime, TCP_NODELAY on every accepted socket.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::serve::ListenerExt;
use std::sync::Arc;

mod petstore;
mod proxy;

/// mcpgen's JSON reply to `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}`.
const DEFAULT_BODY: &str = r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"3"}]}}"#;

struct Reply {
    body: axum::body::Bytes,
    content_type: HeaderValue,
    session_id: Option<HeaderValue>,
}

impl Reply {
    fn response(&self) -> axum::response::Response {
        let mut response = ([(header::CONTENT_TYPE, self.content_type.clone())], self.body.clone()).into_response();
        if let Some(id) = &self.session_id {
            response.headers_mut().insert("mcp-session-id", id.clone());
        }
        response
    }
}

/// `handler` at `/mcp` and `/mcp/`.
fn mcp_routes<T: 'static, H: axum::handler::Handler<T, ()>>(handler: H) -> Router {
    Router::new().route("/mcp", post(handler.clone())).route("/mcp/", post(handler))
}

fn usage() -> ! {
    eprintln!(
        "usage: bare-axum --port N [--body-file FILE] [--sse] [--session-id ID] [--read-body] | --port N --petstore [--delay-ms N] | --port N --proxy-to URL"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut port: Option<u16> = None;
    let mut body: Vec<u8> = DEFAULT_BODY.as_bytes().to_vec();
    let mut sse = false;
    let mut session_id = None;
    let mut petstore = false;
    let mut read_body = false;
    let mut proxy_to = None;
    let mut delay = std::time::Duration::ZERO;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()),
            "--body-file" => body = std::fs::read(args.next().unwrap_or_else(|| usage()))?,
            "--sse" => sse = true,
            "--session-id" => session_id = Some(args.next().unwrap_or_else(|| usage())),
            "--petstore" => petstore = true,
            "--read-body" => read_body = true,
            "--proxy-to" => {
                proxy_to = Some(args.next().and_then(|url| proxy::Proxy::new(&url)).unwrap_or_else(|| usage()))
            }
            "--delay-ms" => {
                let ms = args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage());
                delay = std::time::Duration::from_millis(ms);
            }
            _ => usage(),
        }
    }
    let port = port.unwrap_or_else(|| usage());
    let reply = Arc::new(Reply {
        body: body.into(),
        content_type: HeaderValue::from_static(if sse { "text/event-stream" } else { "application/json" }),
        session_id: session_id.map(|id| HeaderValue::from_str(&id).unwrap_or_else(|_| usage())),
    });
    let app = if petstore {
        petstore::router(delay)
    } else if let Some(proxy) = proxy_to {
        mcp_routes(move |_body: axum::body::Bytes| {
            let proxy = proxy.clone();
            async move { proxy.answer().await }
        })
    } else if read_body {
        mcp_routes(move |_body: axum::body::Bytes| {
            let reply = reply.clone();
            async move { reply.response() }
        })
    } else {
        mcp_routes(move || {
            let reply = reply.clone();
            async move { reply.response() }
        })
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    eprintln!("bare-axum listening on http://127.0.0.1:{port}{}", if petstore { "/v1" } else { "/mcp" });
    axum::serve(listener, app).await
}
