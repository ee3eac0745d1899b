//! Streamable HTTP and SSE request handling: requests built from the fuzzer's bytes go to the
//! runtime's axum app in-process (tower `oneshot`, no sockets), one fresh app per input.
//!
//! Input format (text, so seeds are readable and most mutations stay near HTTP):
//!
//! ```text
//! #options stateless json-response      <- optional first line (`http_request` only)
//! POST /mcp                              <- method and path
//! Accept: application/json, text/event-stream
//! Mcp-Session-Id: {session}              <- `{session}`: the latest session id the server minted
//!
//! {"jsonrpc":"2.0","id":1,"method":"ping"}
//! ~~~                                     <- the next request
//! GET /mcp
//! ...
//! ```
//!
//! A `Host: 127.0.0.1` header is added when the request has none. Requests that HTTP itself
//! cannot carry (a malformed method, path or header) are skipped, as hyper would refuse them.

use futures::StreamExt;
use mcpgen_runtime::axum::Router;
use mcpgen_runtime::axum::body::Body;
use mcpgen_runtime::axum::http::{HeaderName, HeaderValue, Method, Request, Response};
use mcpgen_runtime::protocol::Message;
use mcpgen_runtime::serde_json::{self, Value, json};
use mcpgen_runtime::{
    HttpHandle, Prompt, PromptResult, RequestContext, Resource, ResourceContents, RunOptions, Server, Tool, ToolResult,
};
use std::collections::HashSet;
use std::time::Duration;
use tokio::time::Instant;
use tower::ServiceExt;

/// Most requests taken from one input.
const MAX_REQUESTS: usize = 16;
/// A request with an end must be answered completely within this.
const ANSWER_BUDGET: Duration = Duration::from_secs(5);
/// How long an endless stream (a GET stream) is read before the harness moves on.
const ENDLESS_STREAM_READ: Duration = Duration::from_millis(30);
/// Statuses the MCP endpoints may answer with. 500-class errors other than 503 are bugs.
const ALLOWED_STATUSES: &[u16] = &[200, 202, 400, 403, 404, 405, 406, 408, 409, 413, 415, 503];

/// One request parsed from the input.
struct Raw {
    method: Vec<u8>,
    path: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
}

/// The server every input talks to: tools that answer at once, stream, or ask the client.
fn server() -> Server {
    let echo = Tool::new("echo", json!({"type": "object"}))
        .handler(|args, _| async move { Ok(ToolResult::structured(json!({"args": args}))) });
    let notify = Tool::new("notify", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        ctx.notify("notifications/message", json!({"level": "info", "data": "working"})).await;
        ctx.progress(1.0, Some(2.0), None).await;
        Ok(ToolResult::text("done"))
    });
    let ask = Tool::new("ask", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        let asked = ctx.request_client("sampling/createMessage", json!({"messages": []}), Duration::from_millis(100));
        match asked.await {
            Ok(answer) => Ok(ToolResult::structured(json!({"answer": answer}))),
            Err(e) => Ok(ToolResult::error(e.message)),
        }
    });
    let add = Tool::new(
        "add",
        json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"]}),
    )
    .output_schema(json!({"type": "object", "properties": {"sum": {"type": "integer"}}}))
    .handler(|args, _| async move {
        let sum = args["a"].as_i64().unwrap_or(0).wrapping_add(args["b"].as_i64().unwrap_or(0));
        Ok(ToolResult::structured(json!({"sum": sum})))
    });
    let resource = Resource::new("test://r", "r")
        .reader(|uri, _, _| async move { Ok(vec![ResourceContents::text(uri, "text/plain", "r")]) });
    let prompt = Prompt::new("p").argument("x", "x", true).handler(|_, _| async { Ok(PromptResult::default()) });
    Server::new("fuzz", "0")
        .tool(echo)
        .tool(notify)
        .tool(ask)
        .tool(add)
        .resource(resource)
        .prompt(prompt)
        .page_size(2)
        .custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }))
}

fn options(base: RunOptions, keep_alive: Duration) -> RunOptions {
    RunOptions {
        max_body_bytes: 64 * 1024,
        keep_alive,
        read_timeout: Duration::from_secs(2),
        session_idle_timeout: Duration::from_secs(60),
        max_sessions: 4,
        ..base
    }
}

/// Splits the input into its option words and requests.
fn parse(data: &[u8]) -> (Vec<String>, Vec<Raw>) {
    let mut data = data;
    let mut words = Vec::new();
    if let Some(rest) = data.strip_prefix(b"#options") {
        let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        words = String::from_utf8_lossy(&rest[..end]).split_whitespace().map(str::to_string).collect();
        data = rest.get(end + 1..).unwrap_or_default();
    }
    let mut requests = Vec::new();
    for chunk in split(data, b"\n~~~\n").into_iter().take(MAX_REQUESTS) {
        let (head, body) = match find(chunk, b"\n\n") {
            Some(i) => (&chunk[..i], &chunk[i + 2..]),
            None => (chunk, &[][..]),
        };
        let mut lines = head.split(|b| *b == b'\n');
        let first = lines.next().unwrap_or_default();
        let (method, path) = match first.iter().position(|b| *b == b' ') {
            Some(i) => (first[..i].to_vec(), first[i + 1..].to_vec()),
            None => (first.to_vec(), b"/".to_vec()),
        };
        let headers = lines
            .filter_map(|line| {
                let i = line.iter().position(|b| *b == b':')?;
                Some((line[..i].to_vec(), line[i + 1..].trim_ascii().to_vec()))
            })
            .collect();
        requests.push(Raw { method, path, headers, body: body.to_vec() });
    }
    (words, requests)
}

fn split<'a>(data: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(i) = find(rest, separator) {
        out.push(&rest[..i]);
        rest = &rest[i + separator.len()..];
    }
    out.push(rest);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn substitute(bytes: &[u8], session: &str) -> Vec<u8> {
    let parts = split(bytes, b"{session}");
    parts.join(session.as_bytes())
}

/// An HTTP request, or `None` when HTTP could not carry it.
fn build(raw: &Raw, session: &str) -> Option<Request<Body>> {
    let method = Method::from_bytes(&raw.method).ok()?;
    let path = String::from_utf8(substitute(&raw.path, session)).ok()?;
    let mut builder = Request::builder().method(method).uri(path);
    let mut has_host = false;
    for (name, value) in &raw.headers {
        let Ok(name) = HeaderName::from_bytes(name) else { continue };
        let Ok(value) = HeaderValue::from_bytes(&substitute(value, session)) else { continue };
        has_host |= name == "host";
        builder = builder.header(name, value);
    }
    if !has_host {
        builder = builder.header("host", "127.0.0.1");
    }
    builder.body(Body::from(substitute(&raw.body, session))).ok()
}

/// Checks one JSON-RPC message the server sent: version, and a well-formed result or error.
fn check_message(value: &Value) {
    assert_eq!(value["jsonrpc"], json!("2.0"), "{value}");
    let has_method = value.get("method").is_some_and(Value::is_string);
    let has_result = value.get("result").is_some();
    let error = value.get("error");
    if has_method {
        assert!(!has_result && error.is_none(), "a request or notification carries no result: {value}");
        return;
    }
    assert!(has_result != error.is_some(), "exactly one of result and error: {value}");
    if let Some(error) = error {
        assert!(error["code"].is_i64(), "{value}");
        assert!(error["message"].is_string(), "{value}");
    }
    let id = &value["id"];
    assert!(id.is_null() || id.is_string() || id.is_i64() || id.is_u64(), "{value}");
}

/// The `data:` payloads of complete SSE events in `text`, checked: an `endpoint` event names a
/// message URL, every other payload is a JSON-RPC message.
fn check_events(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for event in text.split("\n\n") {
        let mut name = "message";
        let mut data = None;
        for line in event.lines() {
            if let Some(value) = line.strip_prefix("event:") {
                name = value.trim();
            } else if let Some(value) = line.strip_prefix("data:") {
                data = Some(value.trim());
            } else {
                let known =
                    line.is_empty() || line.starts_with(':') || line.starts_with("id:") || line.starts_with("retry:");
                assert!(known, "not an SSE line: {line:?}");
            }
        }
        match (name, data) {
            (_, None | Some("")) => {}
            ("endpoint", Some(url)) => assert!(url.contains("?session_id="), "endpoint event: {url}"),
            ("message", Some(data)) => {
                let value: Value =
                    serde_json::from_str(data).unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data}"));
                check_message(&value);
                out.push(value);
            }
            (other, _) => panic!("unexpected event {other:?}"),
        }
    }
    out
}

/// Reads a body until it ends, or until `deadline` for endless streams; panics on a body error
/// or, when `must_end`, on a body that has not ended by the deadline.
async fn read_body(body: Body, must_end: bool, deadline: Instant) -> Vec<u8> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(bytes))) => out.extend_from_slice(&bytes),
            Ok(Some(Err(e))) => panic!("the response body failed: {e}"),
            Ok(None) => return out,
            Err(_) if must_end => panic!("the response did not end within {ANSWER_BUDGET:?}"),
            Err(_) => return out,
        }
    }
}

/// The id of the request in `body`, if it decodes as one.
fn request_id(body: &[u8]) -> Option<Value> {
    match Message::decode(body) {
        Ok(Message::Request { id, .. }) => Some(id.to_value()),
        _ => None,
    }
}

/// Whether the answer to `body` is a stream that lasts until the client leaves
/// (2026-07-28 `subscriptions/listen`).
fn opens_endless_stream(body: &[u8]) -> bool {
    matches!(Message::decode(body), Ok(Message::Request { method, .. }) if method == "subscriptions/listen")
}

/// Sends one request and checks its answer; returns a session id the answer minted.
async fn exchange(app: &Router, request: Request<Body>, mcp_paths: &[&str]) -> Option<String> {
    let is_mcp = mcp_paths.contains(&request.uri().path());
    // Peek at the body: the one answer to a request must carry its id.
    let (parts, body) = request.into_parts();
    let bytes = mcpgen_runtime::axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let is_get = parts.method == Method::GET || opens_endless_stream(&bytes);
    let sent_id = if parts.method == Method::POST { request_id(&bytes) } else { None };
    finish(app, Request::from_parts(parts, Body::from(bytes)), is_mcp, is_get, sent_id).await
}

async fn finish(
    app: &Router,
    request: Request<Body>,
    is_mcp: bool,
    is_get: bool,
    sent_id: Option<Value>,
) -> Option<String> {
    let response: Response<Body> = tokio::time::timeout(ANSWER_BUDGET, app.clone().oneshot(request))
        .await
        .expect("the app answers within the budget")
        .unwrap_or_else(|never| match never {});
    let status = response.status().as_u16();
    if !is_mcp {
        assert!(status < 500, "status {status} on a non-MCP path");
        return None;
    }
    assert!(ALLOWED_STATUSES.contains(&status), "unexpected status {status}");
    let session = response.headers().get("mcp-session-id").map(|v| {
        let id = v.to_str().expect("a visible ASCII session id").to_string();
        assert!(id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')), "session id {id:?}");
        id
    });
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let streaming = content_type == "text/event-stream";
    let endless = streaming && is_get;
    let deadline = Instant::now() + if endless { ENDLESS_STREAM_READ } else { ANSWER_BUDGET };
    let body = read_body(response.into_body(), !endless, deadline).await;
    if streaming {
        let text = String::from_utf8(body).expect("SSE is UTF-8");
        let messages = check_events(&text);
        if let (Some(id), false) = (&sent_id, endless) {
            let answers = messages.iter().filter(|m| m.get("method").is_none() && m["id"] == *id).count();
            assert_eq!(answers, 1, "one answer to request {id} on its stream: {text}");
        }
    } else if content_type == "application/json" {
        let value: Value = serde_json::from_slice(&body).expect("a JSON body");
        check_message(&value);
        if let (Some(id), 200) = (&sent_id, status) {
            assert_eq!(value["id"], *id, "the answer carries the request's id");
        }
    } else {
        assert!(body.is_empty(), "status {status} with a {content_type:?} body");
        assert!([200, 202].contains(&status), "an empty {status}");
    }
    session
}

/// `http_request`: a sequence of requests to a Streamable HTTP app. Every request gets a
/// response with an allowed status in bounded time, and no panic; JSON bodies and SSE events are
/// well-formed JSON-RPC; session ids are 32 hex digits; a request's answer carries its id,
/// exactly once.
pub fn run_http(data: &[u8]) {
    let (words, requests) = parse(data);
    let mut base = RunOptions::http();
    base.stateless = words.iter().any(|w| w == "stateless");
    base.json_response = words.iter().any(|w| w == "json-response");
    let rt = super::runtime();
    rt.block_on(async {
        let app = server().http_app(&options(base, Duration::from_millis(20))).expect("the app builds").into_router();
        let mut session = String::new();
        for raw in &requests {
            let Some(request) = build(raw, &session) else { continue };
            if let Some(minted) = exchange(&app, request, &["/mcp", "/mcp/"]).await {
                session = minted;
            }
        }
    });
}

/// `sse_post`: an SSE session (GET /sse) and a sequence of requests, usually POSTs to its message
/// URL. Every request is answered in bounded time with an allowed status and no panic; every
/// event on the stream is well-formed JSON-RPC; every response on it answers a request this
/// input posted; the session ends with its stream.
pub fn run_sse(data: &[u8]) {
    let (_, requests) = parse(data);
    let rt = super::runtime();
    rt.block_on(async {
        let app = server().http_app(&options(RunOptions::sse(), Duration::from_secs(1))).expect("the app builds");
        let handle: HttpHandle = app.handle();
        let app = app.into_router();
        let open = Request::get("/sse").header("host", "127.0.0.1").header("accept", "text/event-stream");
        let response = app.clone().oneshot(open.body(Body::empty()).unwrap()).await.unwrap_or_else(|n| match n {});
        assert_eq!(response.status().as_u16(), 200);
        let mut stream = response.into_body().into_data_stream();
        let first = stream.next().await.expect("an endpoint event").expect("a frame");
        let first = String::from_utf8(first.to_vec()).unwrap();
        let endpoint = first.strip_prefix("event: endpoint\ndata: ").expect("the endpoint event first").trim();
        let session = endpoint.rsplit('=').next().unwrap().to_string();

        let mut posted: HashSet<String> = HashSet::new();
        let mut text = String::new();
        for raw in &requests {
            let Some(request) = build(raw, &session) else { continue };
            if request.method() == Method::POST {
                let (parts, body) = request.into_parts();
                let bytes = mcpgen_runtime::axum::body::to_bytes(body, usize::MAX).await.unwrap();
                if let Some(id) = request_id(&bytes) {
                    posted.insert(id.to_string());
                }
                exchange_sse(&app, Request::from_parts(parts, Body::from(bytes))).await;
            } else {
                exchange_sse(&app, request).await;
            }
            // What the stream carried meanwhile: read until it is quiet for 10 ms.
            loop {
                match tokio::time::timeout(Duration::from_millis(10), stream.next()).await {
                    Ok(Some(Ok(bytes))) => text.push_str(std::str::from_utf8(&bytes).expect("SSE is UTF-8")),
                    Ok(Some(Err(e))) => panic!("the stream failed: {e}"),
                    Ok(None) | Err(_) => break,
                }
            }
        }
        for message in check_events(&text) {
            if message.get("method").is_none() {
                assert!(posted.contains(&message["id"].to_string()), "an answer to a request never posted: {message}");
            }
        }
        drop(stream);
        assert_eq!(handle.session_count(), 0, "the session ended with its stream");
    });
}

async fn exchange_sse(app: &Router, request: Request<Body>) {
    let is_mcp = matches!(request.uri().path(), "/sse" | "/sse/" | "/messages" | "/messages/");
    let is_get = request.method() == Method::GET;
    let response = tokio::time::timeout(ANSWER_BUDGET, app.clone().oneshot(request))
        .await
        .expect("the app answers within the budget")
        .unwrap_or_else(|never| match never {});
    let status = response.status().as_u16();
    if !is_mcp {
        assert!(status < 500, "status {status} on a non-MCP path");
        return;
    }
    assert!(ALLOWED_STATUSES.contains(&status), "unexpected status {status}");
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let endless = content_type == "text/event-stream";
    assert!(!endless || is_get, "only GET opens a stream");
    let deadline = Instant::now() + if endless { ENDLESS_STREAM_READ } else { ANSWER_BUDGET };
    let body = read_body(response.into_body(), !endless, deadline).await;
    if endless {
        check_events(&String::from_utf8(body).expect("SSE is UTF-8"));
    } else if content_type == "application/json" {
        check_message(&serde_json::from_slice(&body).expect("a JSON body"));
    } else {
        assert!(body.is_empty() && status == 202, "status {status} with a {content_type:?} body");
    }
}
