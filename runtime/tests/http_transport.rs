//! Streamable HTTP over raw HTTP/1.1: every status code and header rule of both protocol
//! generations, against a server on 127.0.0.1 port 0 in this process.

mod common;

use common::*;
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{RequestContext, RunOptions, Server, Tool, ToolResult};
use std::time::Duration;
use tokio::sync::mpsc;

const LEGACY: &str = "2025-11-25";

/// Tools that exercise the transport: notifications before the result, long runs that report
/// their cancellation on `cancelled`, requests to the client, and `x-mcp-header` arguments.
fn test_server(cancelled: mpsc::UnboundedSender<String>) -> Server {
    let notify = Tool::new("notify", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        ctx.notify("notifications/message", json!({"level": "info", "data": "working"})).await;
        Ok(ToolResult::text("done"))
    });
    let slow = Tool::new("slow", json!({"type": "object", "properties": {"notify": {"type": "boolean"}}})).handler(
        move |args, ctx: RequestContext| {
            let cancelled = cancelled.clone();
            async move {
                if args["notify"].as_bool() == Some(true) {
                    ctx.notify("notifications/message", json!({"level": "info", "data": "started"})).await;
                }
                let guard = ReportOnDrop(cancelled, ctx.request_id().to_string());
                tokio::time::sleep(Duration::from_secs(30)).await;
                std::mem::forget(guard);
                Ok(ToolResult::text("finished"))
            }
        },
    );
    let wait = Tool::new("wait", json!({"type": "object", "properties": {"ms": {"type": "integer"}}})).handler(
        |args, _| async move {
            tokio::time::sleep(Duration::from_millis(args["ms"].as_u64().unwrap_or(0))).await;
            Ok(ToolResult::text("waited"))
        },
    );
    let ask = Tool::new("ask", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        let params = json!({"messages": [], "maxTokens": 5});
        match ctx.request_client("sampling/createMessage", params, Duration::from_secs(5)).await {
            Ok(answer) => Ok(ToolResult::text(answer["content"]["text"].as_str().unwrap_or("?").to_string())),
            Err(e) => Ok(ToolResult::error(e.message)),
        }
    });
    let sql = Tool::new(
        "sql",
        json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "query": {"type": "string"}}, "required": ["query"]}),
    )
    .handler(|args, _| async move { Ok(ToolResult::text(format!("ran in {}", args["region"]))) });
    let sampling = Tool::new("needs_sampling", json!({"type": "object"}))
        .requires_client_capability("sampling")
        .handler(|_, _| async { Ok(ToolResult::text("ok")) });
    let mut server =
        Server::new("test", "1.0.0").custom_route("/health", mcpgen_runtime::axum::routing::get(|| async { "OK" }));
    for t in [hello_tool(), notify, slow, wait, ask, sql, sampling] {
        server = server.tool(t);
    }
    server
}

/// Sends the request id on the channel when the handler is dropped before finishing.
struct ReportOnDrop(mpsc::UnboundedSender<String>, String);

impl Drop for ReportOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = self.0.send(self.1.clone());
        }
    }
}

async fn start(options: RunOptions) -> (TestServer, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (TestServer::start(test_server(tx), options).await, rx)
}

async fn start_default() -> TestServer {
    start(RunOptions::http()).await.0
}

fn assert_rpc_error(resp: &Resp, status: u16, code: i64) {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.json()["error"]["code"], json!(code), "{}", resp.text());
}

fn call(id: i64, tool: &str, args: Value) -> Value {
    request(id, "tools/call", json!({"name": tool, "arguments": args}))
}

// ---------- POST preconditions ----------

#[tokio::test]
async fn post_needs_an_accept_header_offering_json_and_event_stream() {
    let s = start_default().await;
    let body = initialize(LEGACY);
    for accept in [None, Some("application/json"), Some("text/event-stream"), Some("text/html")] {
        let mut r = post("/mcp", &body).without("accept");
        if let Some(a) = accept {
            r = r.header("Accept", a);
        }
        let resp = r.send(s.addr).await;
        assert_rpc_error(&resp, 406, -32600);
    }
    for accept in ["application/json, text/event-stream", "*/*", "application/json;q=1, text/event-stream;q=0.5"] {
        assert_eq!(post("/mcp", &body).set("accept", accept).send(s.addr).await.status, 200, "{accept}");
    }
}

#[tokio::test]
async fn json_response_mode_needs_only_json_in_accept() {
    let (s, _) = start(RunOptions::http().json_response(true)).await;
    let resp = post("/mcp", &initialize(LEGACY)).set("accept", "application/json").send(s.addr).await;
    assert_eq!(resp.status, 200);
    let resp = post("/mcp", &initialize(LEGACY)).set("accept", "text/event-stream").send(s.addr).await;
    assert_eq!(resp.status, 406);
}

#[tokio::test]
async fn post_needs_a_json_content_type() {
    let s = start_default().await;
    for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut r = post("/mcp", &initialize(LEGACY)).without("content-type");
        if let Some(ct) = ct {
            r = r.header("Content-Type", ct);
        }
        assert_rpc_error(&r.send(s.addr).await, 415, -32600);
    }
    let ok = post("/mcp", &initialize(LEGACY)).set("content-type", "application/json; charset=utf-8");
    assert_eq!(ok.send(s.addr).await.status, 200);
}

#[tokio::test]
async fn unparsable_bodies_get_400_with_a_parse_error() {
    let s = start_default().await;
    for body in ["{not json", "", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\""] {
        let resp = post("/mcp", &json!(null)).body(body).send(s.addr).await;
        assert_rpc_error(&resp, 400, -32700);
        assert_eq!(resp.json()["id"], Value::Null);
    }
    // Valid JSON that is not one JSON-RPC message: a batch, a bare value.
    for body in [json!([initialize(LEGACY)]), json!(42), json!({"jsonrpc": "1.0", "id": 1, "method": "x"})] {
        assert_rpc_error(&post("/mcp", &body).send(s.addr).await, 400, -32600);
    }
}

#[tokio::test]
async fn bodies_over_the_cap_get_413() {
    let options = RunOptions { max_body_bytes: 1024, ..RunOptions::http() };
    let (s, _) = start(options).await;
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(2000)}});
    assert_rpc_error(&post("/mcp", &big).send(s.addr).await, 413, -32600);
    // Without Content-Length (chunked), the cap applies while reading.
    let text = mcpgen_runtime::serde_json::to_string(&big).unwrap();
    let chunked = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{text}\r\n0\r\n\r\n",
        text.len()
    );
    let mut conn = Conn::open(s.addr).await;
    conn.write(chunked.as_bytes()).await;
    let mut resp = conn.head().await;
    conn.body(&mut resp).await;
    assert_rpc_error(&resp, 413, -32600);
    assert_eq!(post("/mcp", &initialize(LEGACY)).send(s.addr).await.status, 200, "small bodies still pass");
}

#[tokio::test]
async fn the_endpoint_answers_with_and_without_trailing_slash_and_never_redirects() {
    let s = start_default().await;
    for path in ["/mcp", "/mcp/"] {
        let resp = post(path, &initialize(LEGACY)).send(s.addr).await;
        assert_eq!(resp.status, 200, "{path}");
    }
    let (custom, _) = start(RunOptions::http().path("/api/v1/mcp")).await;
    for path in ["/api/v1/mcp", "/api/v1/mcp/"] {
        assert_eq!(post(path, &initialize(LEGACY)).send(custom.addr).await.status, 200, "{path}");
    }
    assert_eq!(post("/mcp", &initialize(LEGACY)).send(custom.addr).await.status, 404);
}

#[tokio::test]
async fn other_http_methods_get_405_with_allow() {
    let s = start_default().await;
    let resp = req("PUT", "/mcp").send(s.addr).await;
    assert_eq!(resp.status, 405);
    assert_eq!(resp.header("allow"), Some("GET, POST, DELETE"));
}

// ---------- Security ----------

#[tokio::test]
async fn host_and_origin_are_checked_with_loopback_allowed_by_default() {
    let s = start_default().await;
    for host in ["localhost", "127.0.0.1", "[::1]"] {
        let host = format!("{host}:{}", s.addr.port());
        assert_eq!(post("/mcp", &initialize(LEGACY)).set("host", &host).send(s.addr).await.status, 200, "{host}");
    }
    let resp = post("/mcp", &initialize(LEGACY)).set("host", "evil.example").send(s.addr).await;
    assert_rpc_error(&resp, 403, -32600);
    assert!(resp.json()["error"]["message"].as_str().unwrap().contains("--allowed-host evil.example"));
    let resp = post("/mcp", &initialize(LEGACY)).header("Origin", "http://evil.example").send(s.addr).await;
    assert_rpc_error(&resp, 403, -32600);
    let resp = post("/mcp", &initialize(LEGACY)).header("Origin", "http://localhost:6274").send(s.addr).await;
    assert_eq!(resp.status, 200);
    // GET and DELETE are checked too, before anything else.
    assert_eq!(req("GET", "/mcp").set("host", "evil.example").send(s.addr).await.status, 403);
    assert_eq!(req("DELETE", "/mcp").header("Origin", "https://evil.example").send(s.addr).await.status, 403);
}

#[tokio::test]
async fn allowed_hosts_and_origins_are_accepted() {
    let options = RunOptions {
        allowed_hosts: vec!["mcp.example".into()],
        allowed_origins: vec!["https://app.example".into()],
        ..RunOptions::http()
    };
    let (s, _) = start(options).await;
    let resp = post("/mcp", &initialize(LEGACY))
        .set("host", "mcp.example:443")
        .header("Origin", "https://app.example")
        .send(s.addr)
        .await;
    assert_eq!(resp.status, 200);
    let resp = post("/mcp", &initialize(LEGACY)).set("host", "other.example").send(s.addr).await;
    assert_eq!(resp.status, 403);
}

// ---------- Legacy sessions ----------

#[tokio::test]
async fn initialize_mints_a_random_visible_ascii_session_id() {
    let s = start_default().await;
    let a = post("/mcp", &initialize(LEGACY)).send(s.addr).await;
    let b = post("/mcp", &initialize(LEGACY)).send(s.addr).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.json()["result"]["protocolVersion"], json!(LEGACY));
    let (ida, idb) = (a.header("mcp-session-id").unwrap(), b.header("mcp-session-id").unwrap());
    assert_ne!(ida, idb);
    assert!(ida.len() >= 32 && ida.bytes().all(|c| (0x21..=0x7e).contains(&c)), "{ida}");
    assert_eq!(s.handle.session_count(), 2);
}

#[tokio::test]
async fn session_rules_missing_400_unknown_404_delete_200_then_404() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let list = request(1, "tools/list", json!({}));
    let ok =
        post("/mcp", &list).header("Mcp-Session-Id", &id).header("MCP-Protocol-Version", LEGACY).send(s.addr).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("mcp-session-id"), Some(id.as_str()));
    assert!(ok.json()["result"]["tools"].as_array().unwrap().len() >= 6);

    assert_rpc_error(&post("/mcp", &list).send(s.addr).await, 400, -32600);
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_rpc_error(&post("/mcp", &list).header("Mcp-Session-Id", unknown).send(s.addr).await, 404, -32600);
    assert_rpc_error(&post("/mcp", &notification("notifications/initialized")).send(s.addr).await, 400, -32600);

    assert_eq!(req("DELETE", "/mcp").send(s.addr).await.status, 400, "DELETE needs the id");
    assert_eq!(req("DELETE", "/mcp").header("Mcp-Session-Id", unknown).send(s.addr).await.status, 404);
    let deleted =
        req("DELETE", "/mcp").header("Mcp-Session-Id", &id).header("MCP-Protocol-Version", LEGACY).send(s.addr).await;
    assert_eq!(deleted.status, 200);
    assert!(deleted.body.is_empty());
    assert_rpc_error(&post("/mcp", &list).header("Mcp-Session-Id", &id).send(s.addr).await, 404, -32600);
    assert_eq!(req("DELETE", "/mcp").header("Mcp-Session-Id", &id).send(s.addr).await.status, 404);
    assert_eq!(s.handle.session_count(), 0);
}

#[tokio::test]
async fn notifications_and_responses_get_202_without_a_body() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let note =
        post("/mcp", &notification("notifications/initialized")).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(note.status, 202);
    assert!(note.body.is_empty());
    let response = json!({"jsonrpc": "2.0", "id": "nobody-asked", "result": {}});
    let resp = post("/mcp", &response).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(resp.status, 202);
    assert!(resp.body.is_empty());
}

#[tokio::test]
async fn every_legacy_protocol_version_header_is_accepted_and_others_get_400() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let list = request(1, "tools/list", json!({}));
    for v in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let resp =
            post("/mcp", &list).header("Mcp-Session-Id", &id).header("MCP-Protocol-Version", v).send(s.addr).await;
        assert_eq!(resp.status, 200, "{v}: {}", resp.text());
    }
    for v in ["2099-01-01", "2000-01-01", "invalid-protocol-version"] {
        for session in [Some(id.as_str()), None] {
            let mut r = post("/mcp", &list).header("MCP-Protocol-Version", v);
            if let Some(session) = session {
                r = r.header("Mcp-Session-Id", session);
            }
            let resp = r.send(s.addr).await;
            assert_eq!(resp.status, 400, "{v} {session:?}: {}", resp.text());
        }
    }
    let resp = post("/mcp", &list)
        .header("Mcp-Session-Id", &id)
        .header("MCP-Protocol-Version", "2099-01-01")
        .send(s.addr)
        .await;
    assert_eq!(resp.json()["error"]["code"], json!(-32022));
    assert!(resp.json()["error"]["data"]["supported"].as_array().unwrap().contains(&json!("2025-03-26")));
}

#[tokio::test]
async fn idle_sessions_end_and_their_id_answers_404() {
    let options = RunOptions { session_idle_timeout: Duration::from_millis(200), ..RunOptions::http() };
    let (s, _) = start(options).await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let resp = post("/mcp", &request(1, "ping", json!({}))).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(resp.status, 404);
}

#[tokio::test]
async fn the_session_cap_ends_the_longest_idle_session_and_refuses_when_all_are_busy() {
    let options = RunOptions { max_sessions: 1, ..RunOptions::http() };
    let (s, _) = start(options).await;
    let first = open_session(s.addr, "/mcp", LEGACY).await;
    let second = open_session(s.addr, "/mcp", LEGACY).await;
    let ping = request(1, "ping", json!({}));
    assert_eq!(post("/mcp", &ping).header("Mcp-Session-Id", &first).send(s.addr).await.status, 404, "evicted");
    assert_eq!(s.handle.session_count(), 1);
    // Keep the second session busy with a running request: a new session is refused.
    let (_busy, head) =
        post("/mcp", &call(2, "slow", json!({"notify": true}))).header("Mcp-Session-Id", &second).open(s.addr).await;
    assert_eq!(head.status, 200);
    let refused = post("/mcp", &initialize(LEGACY)).send(s.addr).await;
    assert_rpc_error(&refused, 503, -32603);
}

// ---------- Replies: JSON or SSE ----------

#[tokio::test]
async fn a_handler_that_notifies_gets_an_sse_stream_with_priming_event_and_result_last() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let resp = post("/mcp", &call(5, "notify", json!({})))
        .header("Mcp-Session-Id", &id)
        .header("MCP-Protocol-Version", LEGACY)
        .send(s.addr)
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert_eq!(resp.header("x-accel-buffering"), Some("no"));
    assert_eq!(resp.header("mcp-session-id"), Some(id.as_str()));
    let text = resp.text();
    let first = text.split("\n\n").next().unwrap();
    assert!(first.starts_with("id: ") && first.contains("\nretry: ") && first.ends_with("\ndata:"), "{text}");
    let messages = resp.sse_messages();
    assert_eq!(messages.len(), 2, "{text}");
    assert_eq!(messages[0]["method"], json!("notifications/message"));
    assert_eq!(messages[1]["id"], json!(5));
    assert_eq!(messages[1]["result"]["content"][0]["text"], json!("done"));
}

#[tokio::test]
async fn clients_before_2025_11_25_get_no_priming_event() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", "2025-03-26").await;
    let resp = post("/mcp", &call(5, "notify", json!({}))).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert!(resp.text().starts_with("event: message\n"), "{}", resp.text());
}

#[tokio::test]
async fn a_handler_that_only_returns_gets_one_json_body() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let resp = post("/mcp", &call(6, "hello", json!({"name": "Ada"}))).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.json()["result"]["content"][0]["text"], json!("Hello, Ada!"));
    // The same once the handler needs more than its first turn.
    let later = post("/mcp", &call(7, "wait", json!({"ms": 30}))).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(later.header("content-type"), Some("application/json"));
    assert_eq!(later.json()["result"]["content"][0]["text"], json!("waited"));
}

#[tokio::test]
async fn a_client_that_ranks_event_stream_first_gets_a_stream_even_for_a_quick_answer() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let resp = post("/mcp", &call(7, "hello", json!({"name": "Ada"})))
        .set("accept", "text/event-stream, application/json")
        .header("Mcp-Session-Id", &id)
        .header("MCP-Protocol-Version", LEGACY)
        .send(s.addr)
        .await;
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert!(resp.text().starts_with("id: "), "the priming event comes first: {}", resp.text());
    let messages = resp.sse_messages();
    assert_eq!(messages.len(), 1, "{}", resp.text());
    assert_eq!(messages[0]["result"]["content"][0]["text"], json!("Hello, Ada!"));
    // Finished in its first turn: one complete body of known length, not a chunked stream.
    assert!(resp.header("content-length").is_some(), "{:?}", resp.headers);

    // Still running after its first turn: the stream opens at once and the result follows.
    let later = post("/mcp", &call(10, "wait", json!({"ms": 30})))
        .set("accept", "text/event-stream, application/json")
        .header("Mcp-Session-Id", &id)
        .header("MCP-Protocol-Version", LEGACY)
        .send(s.addr)
        .await;
    assert_eq!(later.header("content-type"), Some("text/event-stream"));
    assert_eq!(later.header("transfer-encoding"), Some("chunked"), "{:?}", later.headers);
    assert!(later.text().starts_with("id: "), "the priming event comes first: {}", later.text());
    assert_eq!(later.sse_messages().last().unwrap()["result"]["content"][0]["text"], json!("waited"));

    let json_first = post("/mcp", &call(8, "hello", json!({"name": "Bo"})))
        .set("accept", "application/json;q=1, text/event-stream;q=0.9")
        .header("Mcp-Session-Id", &id)
        .send(s.addr)
        .await;
    assert_eq!(json_first.header("content-type"), Some("application/json"));
    let (j, _) = start(RunOptions::http().json_response(true)).await;
    let jid = open_session(j.addr, "/mcp", LEGACY).await;
    let forced = post("/mcp", &call(9, "hello", json!({"name": "Cy"})))
        .set("accept", "text/event-stream, application/json")
        .header("Mcp-Session-Id", &jid)
        .send(j.addr)
        .await;
    assert_eq!(forced.header("content-type"), Some("application/json"), "--json-response wins");
}

#[tokio::test]
async fn json_response_mode_never_streams() {
    let (s, _) = start(RunOptions::http().json_response(true)).await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let resp = post("/mcp", &call(5, "notify", json!({}))).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.json()["result"]["content"][0]["text"], json!("done"));
    let modern = modern_post("/mcp", 1, "tools/call", json!({"name": "notify", "arguments": {}})).send(s.addr).await;
    assert_eq!(modern.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn a_silent_slow_handler_gets_a_stream_with_keep_alives() {
    let options = RunOptions { keep_alive: Duration::from_millis(100), ..RunOptions::http() };
    let (s, _) = start(options).await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let resp = post("/mcp", &call(7, "wait", json!({"ms": 450}))).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert!(resp.text().matches(": keep-alive").count() >= 2, "{}", resp.text());
    assert_eq!(resp.sse_messages().last().unwrap()["result"]["content"][0]["text"], json!("waited"));
}

#[tokio::test]
async fn legacy_requests_to_the_client_travel_on_the_request_stream() {
    let s = start_default().await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let (mut conn, head) = post("/mcp", &call(8, "ask", json!({}))).header("Mcp-Session-Id", &id).open(s.addr).await;
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    let text = conn.read_until("sampling/createMessage").await;
    let ask = sse_messages(&text).into_iter().find(|m| m["method"] == json!("sampling/createMessage")).unwrap();
    let answer = json!({"jsonrpc": "2.0", "id": ask["id"], "result": {"role": "assistant", "content": {"type": "text", "text": "forty-two"}, "model": "m"}});
    let accepted = post("/mcp", &answer).header("Mcp-Session-Id", &id).send(s.addr).await;
    assert_eq!(accepted.status, 202);
    let text = conn.read_until("forty-two\"").await;
    assert!(sse_messages(&text).iter().any(|m| m["id"] == json!(8)), "{text}");
    assert_eq!(conn.next_chunk().await, None, "the stream ends after the response");
}

#[tokio::test]
async fn legacy_cancellation_ends_the_stream_with_a_cancelled_error() {
    let (s, mut cancelled) = start(RunOptions::http()).await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let (mut conn, _) =
        post("/mcp", &call(9, "slow", json!({"notify": true}))).header("Mcp-Session-Id", &id).open(s.addr).await;
    conn.read_until("started").await;
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 9}});
    assert_eq!(post("/mcp", &cancel).header("Mcp-Session-Id", &id).send(s.addr).await.status, 202);
    let text = conn.read_until("-32800").await;
    assert!(sse_messages(&text).iter().any(|m| m["id"] == json!(9) && m["error"]["code"] == json!(-32800)));
    assert_eq!(tokio::time::timeout(TIMEOUT, cancelled.recv()).await.unwrap().as_deref(), Some("9"));
}

#[tokio::test]
async fn a_closed_legacy_session_stream_does_not_cancel_the_request() {
    let (s, mut cancelled) = start(RunOptions::http()).await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    let (mut conn, _) =
        post("/mcp", &call(10, "slow", json!({"notify": true}))).header("Mcp-Session-Id", &id).open(s.addr).await;
    conn.read_until("started").await;
    drop(conn);
    assert!(tokio::time::timeout(Duration::from_millis(300), cancelled.recv()).await.is_err(), "still running");
}

// ---------- GET stream ----------

#[tokio::test]
async fn get_opens_the_session_stream_once() {
    let options = RunOptions { keep_alive: Duration::from_millis(100), ..RunOptions::http() };
    let (s, _) = start(options).await;
    let id = open_session(s.addr, "/mcp", LEGACY).await;
    assert_eq!(req("GET", "/mcp").header("Accept", "text/event-stream").send(s.addr).await.status, 400);
    let unknown = req("GET", "/mcp")
        .header("Accept", "text/event-stream")
        .header("Mcp-Session-Id", "0123456789abcdef0123456789abcdef");
    assert_eq!(unknown.send(s.addr).await.status, 404);
    let wrong_accept = req("GET", "/mcp").header("Accept", "application/json").header("Mcp-Session-Id", &id);
    assert_eq!(wrong_accept.send(s.addr).await.status, 406);

    let get = req("GET", "/mcp")
        .header("Accept", "text/event-stream")
        .header("Mcp-Session-Id", &id)
        .header("MCP-Protocol-Version", LEGACY);
    let (mut stream, head) = get.open(s.addr).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    assert_eq!(head.header("x-accel-buffering"), Some("no"));
    let text = stream.read_until(": keep-alive").await;
    assert!(text.starts_with("id: "), "priming first: {text}");
    assert_eq!(get.send(s.addr).await.status, 409, "one GET stream per session");

    // DELETE ends the session and with it the stream.
    assert_eq!(req("DELETE", "/mcp").header("Mcp-Session-Id", &id).send(s.addr).await.status, 200);
    let mut rest = 0;
    while stream.next_chunk().await.is_some() {
        rest += 1;
        assert!(rest < 100, "the stream ends");
    }
}

// ---------- Stateless ----------

#[tokio::test]
async fn stateless_mode_has_no_sessions() {
    let (s, _) = start(RunOptions::http().stateless(true)).await;
    let init = post("/mcp", &initialize(LEGACY)).send(s.addr).await;
    assert_eq!(init.status, 200);
    assert!(init.header("mcp-session-id").is_none());
    let list =
        post("/mcp", &request(1, "tools/list", json!({}))).header("MCP-Protocol-Version", LEGACY).send(s.addr).await;
    assert_eq!(list.status, 200, "no session needed");
    let call = post("/mcp", &call(2, "hello", json!({"name": "B"}))).send(s.addr).await;
    assert_eq!(call.json()["result"]["content"][0]["text"], json!("Hello, B!"));
    for method in ["GET", "DELETE"] {
        let resp = req(method, "/mcp").header("Accept", "text/event-stream").send(s.addr).await;
        assert_eq!(resp.status, 405, "{method}");
        assert_eq!(resp.header("allow"), Some("POST"));
    }
    assert_eq!(s.handle.session_count(), 0);
}

// ---------- 2026-07-28 ----------

#[tokio::test]
async fn modern_requests_need_no_session_and_get_none() {
    let s = start_default().await;
    let resp = modern_post("/mcp", 1, "server/discover", json!({})).send(s.addr).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(resp.header("mcp-session-id").is_none());
    assert!(resp.json()["result"]["supportedVersions"].as_array().unwrap().contains(&json!(MODERN)));
    // A stale session id from an older client is ignored, not echoed.
    let resp = modern_post("/mcp", 2, "tools/call", json!({"name": "hello", "arguments": {"name": "Zed"}}))
        .header("Mcp-Session-Id", "stale-session")
        .send(s.addr)
        .await;
    assert_eq!(resp.status, 200);
    assert!(resp.header("mcp-session-id").is_none());
    assert_eq!(resp.json()["result"]["content"][0]["text"], json!("Hello, Zed!"));
    assert_eq!(resp.json()["result"]["resultType"], json!("complete"));
    assert_eq!(s.handle.session_count(), 0);
}

#[tokio::test]
async fn modern_get_and_delete_get_405() {
    let s = start_default().await;
    for method in ["GET", "DELETE"] {
        let resp = req(method, "/mcp")
            .header("Accept", "text/event-stream")
            .header("MCP-Protocol-Version", MODERN)
            .send(s.addr)
            .await;
        assert_eq!(resp.status, 405, "{method}");
        assert_eq!(resp.header("allow"), Some("POST"));
    }
}

#[tokio::test]
async fn modern_headers_must_match_the_body_else_400_header_mismatch() {
    let s = start_default().await;
    let hello = || modern_post("/mcp", 3, "tools/call", json!({"name": "hello", "arguments": {"name": "A"}}));
    let cases = [
        ("version header missing", hello().without("mcp-protocol-version")),
        ("version header differs", hello().set("mcp-protocol-version", "2025-11-25")),
        ("method header missing", hello().without("mcp-method")),
        ("method header differs", hello().set("mcp-method", "tools/list")),
        ("method value case differs", hello().set("mcp-method", "TOOLS/CALL")),
        ("name header missing", hello().without("mcp-name")),
        ("name header differs", hello().set("mcp-name", "goodbye")),
        ("name header repeated", hello().header("Mcp-Name", "hello")),
        ("bad base64 name", hello().set("mcp-name", "=?base64?aGVsbG8?=")),
    ];
    for (what, r) in cases {
        let resp = r.send(s.addr).await;
        assert_rpc_error(&resp, 400, -32020);
        assert_eq!(resp.json()["id"], json!(3), "{what}");
    }
    // Header names are case-insensitive, values are trimmed, and base64 names decode.
    let ok = [
        hello().without("mcp-method").header("MCP-METHOD", "tools/call"),
        hello().set("mcp-name", "  hello  "),
        hello().set("mcp-name", "=?base64?aGVsbG8=?="),
    ];
    for r in ok {
        assert_eq!(r.send(s.addr).await.status, 200);
    }
}

#[tokio::test]
async fn modern_param_headers_mirror_x_mcp_header_arguments() {
    let s = start_default().await;
    let sql = |args: Value| modern_post("/mcp", 4, "tools/call", json!({"name": "sql", "arguments": args}));
    let resp =
        sql(json!({"region": "us-west1", "query": "q"})).header("Mcp-Param-Region", "us-west1").send(s.addr).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let missing = sql(json!({"region": "us-west1", "query": "q"})).send(s.addr).await;
    assert_rpc_error(&missing, 400, -32020);
    let differs = sql(json!({"region": "us-west1", "query": "q"})).header("Mcp-Param-Region", "eu").send(s.addr).await;
    assert_rpc_error(&differs, 400, -32020);
    let absent = sql(json!({"query": "q"})).send(s.addr).await;
    assert_eq!(absent.status, 200, "no argument, no header");
}

#[tokio::test]
async fn modern_errors_map_to_http_statuses() {
    let s = start_default().await;
    let unknown_method = modern_post("/mcp", 1, "no/such/method", json!({})).send(s.addr).await;
    assert_rpc_error(&unknown_method, 404, -32601);
    let unknown_tool = modern_post("/mcp", 2, "tools/call", json!({"name": "nope"})).send(s.addr).await;
    assert_rpc_error(&unknown_tool, 400, -32602);
    let capability = modern_post("/mcp", 3, "tools/call", json!({"name": "needs_sampling"})).send(s.addr).await;
    assert_rpc_error(&capability, 400, -32021);
    let mut future = modern_post("/mcp", 4, "tools/list", json!({})).set("mcp-protocol-version", "2099-01-01");
    future = future.body(
        mcpgen_runtime::serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list",
        "params": {"_meta": {PV_KEY: "2099-01-01", CAPS_KEY: {}}}}))
        .unwrap(),
    );
    let resp = future.send(s.addr).await;
    assert_rpc_error(&resp, 400, -32022);
    assert_eq!(resp.json()["error"]["data"]["supported"], json!([MODERN]));
    let no_meta = post("/mcp", &request(5, "tools/list", json!({})))
        .header("MCP-Protocol-Version", MODERN)
        .header("Mcp-Method", "tools/list")
        .send(s.addr)
        .await;
    assert_rpc_error(&no_meta, 400, -32602);
}

#[tokio::test]
async fn modern_notifications_get_202_and_responses_400() {
    let s = start_default().await;
    let note =
        post("/mcp", &json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}))
            .header("MCP-Protocol-Version", MODERN)
            .send(s.addr)
            .await;
    assert_eq!(note.status, 202);
    assert!(note.body.is_empty());
    let response = post("/mcp", &json!({"jsonrpc": "2.0", "id": 1, "result": {}}))
        .header("MCP-Protocol-Version", MODERN)
        .send(s.addr)
        .await;
    assert_rpc_error(&response, 400, -32600);
}

#[tokio::test]
async fn modern_streams_carry_notifications_then_the_result_without_priming() {
    let s = start_default().await;
    let resp = modern_post("/mcp", 1, "tools/call", json!({"name": "notify", "arguments": {}})).send(s.addr).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert_eq!(resp.header("x-accel-buffering"), Some("no"));
    assert!(resp.text().starts_with("event: message\n"), "{}", resp.text());
    let messages = resp.sse_messages();
    assert_eq!(messages[0]["method"], json!("notifications/message"));
    assert_eq!(messages[1]["result"]["resultType"], json!("complete"));
}

#[tokio::test]
async fn closing_a_modern_response_stream_cancels_the_request() {
    let (s, mut cancelled) = start(RunOptions::http()).await;
    // While streaming.
    let (mut conn, head) =
        modern_post("/mcp", 11, "tools/call", json!({"name": "slow", "arguments": {"notify": true}}))
            .open(s.addr)
            .await;
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    conn.read_until("started").await;
    drop(conn);
    assert_eq!(tokio::time::timeout(TIMEOUT, cancelled.recv()).await.unwrap().as_deref(), Some("11"));
    // Before anything was sent (the reply was still undecided).
    let mut conn = Conn::open(s.addr).await;
    conn.write(&modern_post("/mcp", 12, "tools/call", json!({"name": "slow", "arguments": {}})).bytes()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(conn);
    assert_eq!(tokio::time::timeout(TIMEOUT, cancelled.recv()).await.unwrap().as_deref(), Some("12"));
    // The server keeps serving.
    let ok =
        modern_post("/mcp", 13, "tools/call", json!({"name": "hello", "arguments": {"name": "x"}})).send(s.addr).await;
    assert_eq!(ok.status, 200);
}

// ---------- Custom routes and shutdown ----------

#[tokio::test]
async fn custom_routes_are_served_beside_the_endpoint() {
    let s = start_default().await;
    let resp = req("GET", "/health").send(s.addr).await;
    assert_eq!((resp.status, resp.text().as_str()), (200, "OK"));
}

#[test]
fn a_custom_route_on_an_mcp_path_is_a_startup_error() {
    use mcpgen_runtime::axum::routing::get;
    let err = |server: Server, options: RunOptions| server.http_app(&options).err().expect("refused").to_string();
    let on_mcp = Server::new("t", "1").custom_route("/mcp/", get(|| async { "x" }));
    assert!(err(on_mcp, RunOptions::http()).contains("collides with the MCP path `/mcp`"));
    let on_custom_path = Server::new("t", "1").custom_route("/api", get(|| async { "x" }));
    assert!(err(on_custom_path, RunOptions::http().path("/api/")).contains("collides"));
    for path in ["/sse", "/messages/"] {
        let on_sse = Server::new("t", "1").custom_route(path, get(|| async { "x" }));
        assert!(err(on_sse, RunOptions::sse()).contains("collides"), "{path}");
    }
    let twice =
        Server::new("t", "1").custom_route("/h", get(|| async { "a" })).custom_route("/h", get(|| async { "b" }));
    assert!(err(twice, RunOptions::http()).contains("two custom routes"));
    let relative = Server::new("t", "1").custom_route("health", get(|| async { "a" }));
    assert!(err(relative, RunOptions::http()).contains("must start with `/`"));
    let bad = Server::new("t", "1").custom_route("/{", get(|| async { "a" }));
    assert!(err(bad, RunOptions::http()).contains("cannot be served"));
    let ok = Server::new("t", "1").custom_route("/mcp/extra", get(|| async { "a" }));
    assert!(ok.http_app(&RunOptions::http()).is_ok());
    assert!(Server::new("t", "1").http_app(&RunOptions::stdio()).is_err());
}

#[tokio::test]
async fn shutdown_lets_requests_finish_ends_streams_and_stops_accepting() {
    let options = RunOptions { keep_alive: Duration::from_millis(100), ..RunOptions::http() };
    let (mut s, _) = start(options).await;
    let addr = s.addr;
    let id = open_session(addr, "/mcp", LEGACY).await;
    let get = req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", &id);
    let (mut stream, _) = get.open(addr).await;
    let (mut running, _) =
        post("/mcp", &call(20, "wait", json!({"ms": 400}))).header("Mcp-Session-Id", &id).open(addr).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.signal_stop();
    let mut rest = 0;
    while stream.next_chunk().await.is_some() {
        rest += 1;
        assert!(rest < 100);
    }
    let text = running.read_until("waited").await;
    assert!(sse_messages(&text).iter().any(|m| m["id"] == json!(20)), "{text}");
    s.join().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer accepting");
}

/// With a drain delay, connections open when shutdown begins stay open: an MCP request on one is
/// answered 503 with `Connection: close` (a load balancer re-sends it elsewhere), readiness on
/// another says 503, and `serve` returns once they are gone, long before the delay is over.
/// Without one, an idle keep-alive connection is closed at once (a request a balancer was
/// sending on it would be lost).
#[tokio::test]
async fn a_drain_delay_keeps_open_connections_answering_503_until_they_close() {
    let discover = || modern_post("/mcp", 1, "server/discover", json!({})).bytes();
    let options = RunOptions { drain_delay: Duration::from_secs(60), ..RunOptions::http() };
    let (mut s, _) = start(options).await;
    let addr = s.addr;
    let (mut mcp, mut probe) = (Conn::open(addr).await, Conn::open(addr).await);
    mcp.write(&discover()).await;
    let mut answered = mcp.head().await;
    mcp.body(&mut answered).await;
    assert_eq!(answered.status, 200, "{}", answered.text());
    let started = std::time::Instant::now();
    s.signal_stop();
    let mut tries = 0;
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        tries += 1;
        assert!(tries < 200, "still accepting new connections");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    probe.write(&req("GET", "/readyz").bytes()).await;
    let mut ready = probe.head().await;
    probe.body(&mut ready).await;
    assert_eq!((ready.status, ready.text().as_str()), (503, "draining\n"));
    drop(probe);
    mcp.write(&discover()).await;
    let mut refused = mcp.head().await;
    mcp.body(&mut refused).await;
    assert_rpc_error(&refused, 503, -32603);
    assert_eq!(refused.header("connection"), Some("close"), "{}", refused.text());
    assert!(mcp.closed_within(Duration::from_secs(5)).await, "the connection stays open after the 503");
    s.join().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "serve waited out the delay: {:?}", started.elapsed());

    let (mut s, _) = start(RunOptions::http()).await;
    let mut idle = Conn::open(s.addr).await;
    idle.write(&discover()).await;
    let mut answered = idle.head().await;
    idle.body(&mut answered).await;
    s.signal_stop();
    assert!(idle.closed_within(Duration::from_secs(2)).await, "without a drain delay an idle connection closes");
    s.join().await.unwrap();
}

#[tokio::test]
async fn shutdown_cancels_requests_still_running_after_the_grace_period() {
    let options = RunOptions { shutdown_grace: Duration::from_millis(200), ..RunOptions::http() };
    let (mut s, mut cancelled) = start(options).await;
    let (mut running, _) =
        modern_post("/mcp", 21, "tools/call", json!({"name": "slow", "arguments": {"notify": true}}))
            .open(s.addr)
            .await;
    running.read_until("started").await;
    let started = std::time::Instant::now();
    s.signal_stop();
    let text = running.read_until("shut down").await;
    assert!(sse_messages(&text).iter().any(|m| m["id"] == json!(21) && m["error"]["code"] == json!(-32603)), "{text}");
    assert_eq!(tokio::time::timeout(TIMEOUT, cancelled.recv()).await.unwrap().as_deref(), Some("21"));
    s.join().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

/// Tool selection over HTTP: the server's options (`--read-only`, `--toolset`) hold for every
/// client, a client narrows further with the endpoint URL's query, and a query naming a toolset
/// the server does not serve is a 400 with a JSON-RPC error that names the ones it does.
#[tokio::test]
async fn clients_choose_their_tools_from_the_url_query() {
    let tools = || {
        Server::new("zoo", "1")
            .tool(hello_tool().toolset("greetings").read_only())
            .tool(Tool::new("feed", json!({"type": "object"})).toolset("animals").handler(|_, _| async { Ok("fed") }))
    };
    let names = |r: &Value| -> Vec<String> {
        r["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
    };
    let list = |path: &str| modern_post(path, 1, "tools/list", json!({}));

    let s = TestServer::start(tools(), RunOptions::http()).await;
    assert_eq!(names(&list("/mcp/").send(s.addr).await.json()), ["hello", "feed"]);
    assert_eq!(names(&list("/mcp/?toolset=animals").send(s.addr).await.json()), ["feed"]);
    assert_eq!(names(&list("/mcp?read_only=true").send(s.addr).await.json()), ["hello"]);
    let r = list("/mcp/?tools=dynamic").send(s.addr).await.json();
    assert_eq!(names(&r)[0], "search_tools", "{r}");
    let bad = list("/mcp/?toolset=birds").send(s.addr).await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    let message = bad.json()["error"]["message"].as_str().unwrap().to_string();
    assert_eq!(message, "Bad Request: unknown toolset `birds`; the toolsets are: animals, greetings");
    // A legacy session keeps the selection its `initialize` came with.
    let init = post(
        "/mcp/?toolset=greetings",
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize(LEGACY)}),
    );
    let opened = init.send(s.addr).await;
    let session = opened.header("mcp-session-id").expect("a session").to_string();
    let listed = post("/mcp/", &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .header("Mcp-Session-Id", &session)
        .header("MCP-Protocol-Version", LEGACY)
        .send(s.addr)
        .await;
    let body = listed.sse_messages().pop().unwrap_or_else(|| listed.json());
    assert_eq!(names(&body), ["hello"], "{body}");
    s.stop().await.unwrap();

    let options =
        RunOptions { read_only: true, toolsets: vec!["greetings".into(), "animals".into()], ..RunOptions::http() };
    let s = TestServer::start(tools(), options).await;
    assert_eq!(names(&list("/mcp/").send(s.addr).await.json()), ["hello"], "--read-only holds for everyone");
    assert_eq!(names(&list("/mcp/?read_only=false").send(s.addr).await.json()), ["hello"], "a client cannot widen it");
    s.stop().await.unwrap();
}

/// Liveness and readiness on every HTTP app by default: `/readyz` turns 503 once shutdown has
/// begun (a load balancer stops sending new requests) while `/healthz` still answers; both paths
/// are options, and one that would shadow a custom route or the MCP path is a start-up error.
#[tokio::test]
async fn health_and_readiness_checks() {
    let s = TestServer::start(Server::new("s", "1").tool(hello_tool()), RunOptions::http()).await;
    let addr = s.addr;
    let get = |path: &'static str| async move { req("GET", path).send(addr).await };
    let (health, ready) = (get("/healthz").await, get("/readyz").await);
    assert_eq!((health.status, health.text()), (200, "ok\n".to_string()));
    assert_eq!((ready.status, ready.text()), (200, "ready\n".to_string()));
    s.handle.close();
    let (health, ready) = (get("/healthz").await, get("/readyz").await);
    assert_eq!((ready.status, ready.text()), (503, "draining\n".to_string()), "draining: not ready");
    assert_eq!(health.status, 200, "still alive while draining");
    s.stop().await.unwrap();

    let options = RunOptions { health_path: Some("/live".into()), ready_path: None, ..RunOptions::http() };
    let s = TestServer::start(Server::new("s", "1").tool(hello_tool()), options).await;
    assert_eq!(req("GET", "/live").send(s.addr).await.status, 200);
    assert_eq!(req("GET", "/readyz").send(s.addr).await.status, 404, "turned off");
    s.stop().await.unwrap();

    let shadowed =
        Server::new("s", "1").custom_route("/healthz", mcpgen_runtime::axum::routing::get(|| async { "mine" }));
    let e = shadowed.http_app(&RunOptions::http()).err().expect("a clash is refused").to_string();
    assert!(e.contains("custom route `/healthz` is where --health-path answers"), "{e}");
    let mine = Server::new("s", "1").custom_route("/healthz", mcpgen_runtime::axum::routing::get(|| async { "mine" }));
    assert!(mine.http_app(&RunOptions { health_path: None, ..RunOptions::http() }).is_ok(), "unless the check is off");
    let on_mcp = RunOptions { ready_path: Some("/mcp/".into()), ..RunOptions::http() };
    let e = Server::new("s", "1").http_app(&on_mcp).err().expect("refused").to_string();
    assert!(e.contains("--ready-path `/mcp/` collides with the MCP path `/mcp`"), "{e}");
}
