//! The HTTP app nested inside an existing axum application (what examples/mounted does):
//! MCP paths, the SSE endpoint event and the custom routes all carry the mount prefix.

mod common;

use common::*;
use mcpgen_runtime::axum::{Router, routing::get};
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{RunOptions, Server};
use std::net::SocketAddr;
use tokio::net::TcpListener;

fn server() -> Server {
    Server::new("mounted", "1.0.0").tool(hello_tool()).custom_route("/health", get(|| async { "OK" }))
}

/// Serves `router` the way an application would (plain `axum::serve`) until the test ends.
async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { mcpgen_runtime::axum::serve(listener, router).await });
    addr
}

/// `HttpApp::serve` calls the MCP endpoint without going through the app's router (which still
/// routes it for apps mounted elsewhere). Served that way, or as a plain router by
/// `axum::serve`, the same app gives the same answers: the endpoint at both its paths, the
/// transport's errors, custom routes and unknown paths.
#[tokio::test]
async fn served_directly_or_through_the_router_the_app_answers_alike() {
    let options = RunOptions::http().stateless(true).json_response(true);
    let served = TestServer::start(server(), options.clone()).await;
    let routed = serve(server().http_app(&options).unwrap().into_router()).await;
    let call = request(7, "tools/call", json!({"name": "hello", "arguments": {"name": "alike"}}));
    let cases = [
        post("/mcp", &call),
        post("/mcp/", &call),
        post("/mcp?x=1", &request(8, "ping", json!({}))),
        post("/mcp", &call).body("{not json"),
        post("/mcp", &call).set("Accept", "text/html"),
        post("/mcp", &call).set("Host", "evil.example"),
        req("PUT", "/mcp"),
        req("GET", "/mcp/"),
        req("GET", "/health"),
        post("/mcp/more", &call),
        post("/MCP", &call),
    ];
    for case in cases {
        let (direct, through_router) = (case.send(served.addr).await, case.send(routed).await);
        let seen = |r: &Resp| {
            (r.status, r.header("content-type").map(str::to_owned), r.header("allow").map(str::to_owned), r.text())
        };
        let request = String::from_utf8_lossy(&case.bytes()).into_owned();
        assert_eq!(seen(&direct), seen(&through_router), "{request}");
    }
    assert_eq!(
        post("/mcp", &call).send(served.addr).await.json()["result"]["content"][0]["text"],
        json!("Hello, alike!")
    );
}

#[tokio::test]
async fn streamable_http_nested_under_a_prefix() {
    let app = server().http_app(&RunOptions::http().path("/mcp")).unwrap();
    let handle = app.handle();
    let router = Router::new().route("/", get(|| async { "home" })).nest("/api", app.into_router());
    let addr = serve(router).await;

    assert_eq!(req("GET", "/").send(addr).await.text(), "home");
    assert_eq!(req("GET", "/api/health").send(addr).await.text(), "OK");
    for path in ["/api/mcp", "/api/mcp/"] {
        let resp = modern_post(path, 1, "tools/call", json!({"name": "hello", "arguments": {"name": "mount"}}))
            .send(addr)
            .await;
        assert_eq!(resp.json()["result"]["content"][0]["text"], json!("Hello, mount!"), "{path}");
    }
    let id = open_session(addr, "/api/mcp", "2025-11-25").await;
    assert_eq!(handle.session_count(), 1);
    handle.close();
    let resp = post("/api/mcp", &request(1, "ping", json!({}))).header("Mcp-Session-Id", &id).send(addr).await;
    assert_eq!(resp.status, 503, "closed apps refuse new MCP requests");
    assert_eq!(req("GET", "/").send(addr).await.status, 200, "the host app is unaffected");
    handle.abort();
    assert_eq!(handle.session_count(), 0);
}

#[tokio::test]
async fn sse_nested_under_a_prefix_names_the_prefixed_message_path() {
    let app = server().http_app(&RunOptions::sse()).unwrap();
    let router = Router::new().nest("/legacy", app.into_router());
    let addr = serve(router).await;
    let (mut stream, head) = req("GET", "/legacy/sse").header("Accept", "text/event-stream").open(addr).await;
    assert_eq!(head.status, 200);
    let text = stream.read_until("\n\n").await;
    let endpoint = text.strip_prefix("event: endpoint\ndata: ").unwrap().trim().to_string();
    assert!(endpoint.starts_with("/legacy/messages/?session_id="), "{endpoint}");
    assert_eq!(post(&endpoint, &initialize("2024-11-05")).send(addr).await.status, 202);
    stream.read_until("protocolVersion").await;
}
