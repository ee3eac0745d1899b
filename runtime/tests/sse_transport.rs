//! The deprecated HTTP+SSE transport over raw HTTP/1.1.

mod common;

use common::*;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{RunOptions, Server};
use std::time::Duration;

fn server() -> Server {
    Server::new("sse-test", "1.0.0")
        .tool(hello_tool())
        .custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }))
}

async fn start(options: RunOptions) -> TestServer {
    TestServer::start(server(), options).await
}

fn get(path: &str) -> Req {
    req("GET", path).header("Accept", "text/event-stream")
}

/// Opens a stream and returns it with the message URL from its `endpoint` event.
async fn connect(s: &TestServer, path: &str) -> (Conn, String) {
    let (mut stream, head) = get(path).open(s.addr).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    assert_eq!(head.header("x-accel-buffering"), Some("no"));
    let text = stream.read_until("\n\n").await;
    let endpoint = text.strip_prefix("event: endpoint\ndata: ").expect("endpoint event first").trim().to_string();
    (stream, endpoint)
}

#[tokio::test]
async fn the_stream_starts_with_an_endpoint_event_on_both_path_spellings() {
    let s = start(RunOptions::sse()).await;
    for path in ["/sse", "/sse/"] {
        let (_stream, endpoint) = connect(&s, path).await;
        let id = endpoint.strip_prefix("/messages/?session_id=").expect("message path");
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{endpoint}");
    }
    let (custom, _) =
        (start(RunOptions { message_path: Some("/rpc".into()), ..RunOptions::sse().path("/events") }).await, ());
    let (_stream, endpoint) = connect(&custom, "/events").await;
    assert!(endpoint.starts_with("/rpc/?session_id="), "{endpoint}");
}

#[tokio::test]
async fn posts_get_202_and_responses_arrive_as_message_events() {
    let s = start(RunOptions::sse()).await;
    let (mut stream, endpoint) = connect(&s, "/sse").await;
    let accepted = post(&endpoint, &initialize("2024-11-05")).set("accept", "application/json").send(s.addr).await;
    assert_eq!(accepted.status, 202);
    let text = stream.read_until("protocolVersion").await;
    assert!(text.starts_with("event: message\ndata: "), "{text}");
    assert_eq!(sse_messages(&text)[0]["result"]["protocolVersion"], json!("2024-11-05"));
    assert_eq!(post(&endpoint, &notification("notifications/initialized")).send(s.addr).await.status, 202);
    let call = request(2, "tools/call", json!({"name": "hello", "arguments": {"name": "SSE"}}));
    assert_eq!(post(&endpoint, &call).send(s.addr).await.status, 202);
    let text = stream.read_until("Hello, SSE!").await;
    assert_eq!(sse_messages(&text)[0]["id"], json!(2));
}

#[tokio::test]
async fn bad_session_ids_get_400_and_unknown_ones_404_at_once() {
    let s = start(RunOptions::sse()).await;
    let body = request(1, "ping", json!({}));
    assert_eq!(post("/messages/", &body).send(s.addr).await.status, 400, "missing");
    assert_eq!(post("/messages/?session_id=not-hex", &body).send(s.addr).await.status, 400, "malformed");
    let started = std::time::Instant::now();
    let unknown = post("/messages/?session_id=0123456789abcdef0123456789abcdef", &body).send(s.addr).await;
    assert_eq!(unknown.status, 404);
    assert!(started.elapsed() < Duration::from_secs(2), "answered at once");
    assert_eq!(unknown.json()["error"]["code"], json!(-32600));
}

#[tokio::test]
async fn message_posts_are_checked_like_any_other() {
    let options = RunOptions { max_body_bytes: 512, ..RunOptions::sse() };
    let s = start(options).await;
    let (_stream, endpoint) = connect(&s, "/sse").await;
    let ping = request(1, "ping", json!({}));
    assert_eq!(post(&endpoint, &ping).set("content-type", "text/plain").send(s.addr).await.status, 415);
    assert_eq!(post(&endpoint, &ping).body("{nope").send(s.addr).await.status, 400);
    let big = request(1, "ping", json!({"pad": "x".repeat(1000)}));
    assert_eq!(post(&endpoint, &big).send(s.addr).await.status, 413);
    assert_eq!(req("GET", &endpoint).send(s.addr).await.status, 405);
    assert_eq!(post(&endpoint, &ping).set("host", "evil.example").send(s.addr).await.status, 403);
    assert_eq!(get("/sse").set("host", "evil.example").send(s.addr).await.status, 403);
    assert_eq!(get("/sse").header("Origin", "http://evil.example").send(s.addr).await.status, 403);
}

#[tokio::test]
async fn keep_alive_comments_flow_on_idle_streams() {
    let options = RunOptions { keep_alive: Duration::from_millis(50), ..RunOptions::sse() };
    let s = start(options).await;
    let (mut stream, _) = connect(&s, "/sse").await;
    let text = stream.read_until(": keep-alive\n\n").await;
    assert!(text.starts_with(": keep-alive"), "{text}");
}

#[tokio::test]
async fn a_closed_stream_ends_its_session() {
    let s = start(RunOptions::sse()).await;
    let (stream, endpoint) = connect(&s, "/sse").await;
    assert_eq!(s.handle.session_count(), 1);
    drop(stream);
    let ping = request(1, "ping", json!({}));
    let mut status = 0;
    for _ in 0..100 {
        status = post(&endpoint, &ping).send(s.addr).await.status;
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 404);
    assert_eq!(s.handle.session_count(), 0);
}

#[tokio::test]
async fn custom_routes_share_the_listener() {
    let s = start(RunOptions::sse()).await;
    let resp = req("GET", "/health").send(s.addr).await;
    assert_eq!((resp.status, resp.text().as_str()), (200, "OK"));
}

#[tokio::test]
async fn shutdown_ends_idle_streams() {
    let mut s = start(RunOptions::sse()).await;
    let (mut stream, _) = connect(&s, "/sse").await;
    s.signal_stop();
    let mut chunks = 0;
    while stream.next_chunk().await.is_some() {
        chunks += 1;
        assert!(chunks < 100);
    }
    s.join().await.unwrap();
}
