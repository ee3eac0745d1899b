//! Static bearer tokens on the HTTP transports (`MCP_AUTH_TOKENS`, `--auth-token-file`): every
//! request to an MCP path (Streamable HTTP in both generations, the SSE stream and its POSTs)
//! without an accepted `Authorization: Bearer` token gets 401 with an RFC 6750 challenge, and the
//! health checks stay open; over raw HTTP/1.1 against a server on 127.0.0.1 port 0.

mod common;

use common::*;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{RunOptions, Server, StaticTokens, Transport};

const TOKEN: &str = "a-long-enough-token-0123456789";
const OTHER: &str = "another-accepted-token-0123456789";

fn options(transport: Transport) -> RunOptions {
    let tokens = StaticTokens::new([TOKEN, OTHER], "test").unwrap();
    RunOptions { transport, auth_tokens: Some(tokens), ..RunOptions::http() }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn server() -> Server {
    Server::new("guarded", "1").tool(hello_tool())
}

fn initialize_body() -> mcpgen_runtime::serde_json::Value {
    initialize("2025-11-25")
}

#[tokio::test]
async fn streamable_http_needs_an_accepted_bearer_token() {
    let s = TestServer::start(server(), options(Transport::Http)).await;
    let resp = post("/mcp", &initialize_body()).send(s.addr).await;
    assert_eq!(resp.status, 401, "{}", resp.text());
    assert_eq!(resp.header("www-authenticate"), Some("Bearer realm=\"mcp\""));
    assert_eq!(resp.json()["error"]["code"], -32600);

    let wrong = post("/mcp", &initialize_body()).header("Authorization", "Bearer not-the-token-0123456789");
    let resp = wrong.send(s.addr).await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.header("www-authenticate"), Some("Bearer realm=\"mcp\", error=\"invalid_token\""));

    // In the query string a token is never read.
    let resp = post(&format!("/mcp?access_token={TOKEN}"), &initialize_body()).send(s.addr).await;
    assert_eq!(resp.status, 401);

    let resp = post("/mcp", &initialize_body()).header("Authorization", &format!("Bearer {TOKEN}")).send(s.addr).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    // 2026-07-28 requests alike.
    let modern = modern_post("/mcp", 2, "tools/call", json!({"name": "hello", "arguments": {"name": "Ada"}}));
    assert_eq!(modern.send(s.addr).await.status, 401);
    let modern = modern_post("/mcp", 2, "tools/call", json!({"name": "hello", "arguments": {"name": "Ada"}}))
        .header("Authorization", &format!("Bearer {TOKEN}"));
    let resp = modern.send(s.addr).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(resp.text().contains("Hello, Ada!"), "{}", resp.text());

    // The health checks answer without a token: a load balancer probes them.
    assert_eq!(req("GET", "/healthz").send(s.addr).await.status, 200);
    s.stop().await.unwrap();
}

#[tokio::test]
async fn sse_needs_an_accepted_bearer_token_on_its_stream_and_its_posts() {
    let s = TestServer::start(server(), options(Transport::Sse)).await;
    let resp = req("GET", "/sse").header("Accept", "text/event-stream").send(s.addr).await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.header("www-authenticate"), Some("Bearer realm=\"mcp\""));
    let resp = post("/messages/?session_id=0123456789abcdef0123456789abcdef", &initialize_body()).send(s.addr).await;
    assert_eq!(resp.status, 401, "a POST without a token is refused before its session is looked up");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn a_legacy_session_answers_only_the_credential_that_opened_it() {
    let s = TestServer::start(server(), options(Transport::Http)).await;
    let opened = post("/mcp", &initialize_body()).header("Authorization", &bearer(TOKEN)).send(s.addr).await;
    assert_eq!(opened.status, 200, "{}", opened.text());
    let id = opened.header("mcp-session-id").expect("a session").to_string();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let as_token = |token: &str| {
        post("/mcp", &list)
            .header("Authorization", &bearer(token))
            .header("Mcp-Session-Id", &id)
            .header("MCP-Protocol-Version", "2025-11-25")
    };
    assert_eq!(as_token(TOKEN).send(s.addr).await.status, 200);
    // Another accepted token does not reach this session: to it, the session does not exist.
    assert_eq!(as_token(OTHER).send(s.addr).await.status, 404);
    for method in ["GET", "DELETE"] {
        let r = req(method, "/mcp")
            .header("Accept", "text/event-stream")
            .header("Authorization", &bearer(OTHER))
            .header("Mcp-Session-Id", &id)
            .header("MCP-Protocol-Version", "2025-11-25");
        assert_eq!(r.send(s.addr).await.status, 404, "{method}");
    }
    assert_eq!(as_token(TOKEN).send(s.addr).await.status, 200, "the session lives on for its own credential");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn an_sse_session_answers_only_the_credential_that_opened_it() {
    let s = TestServer::start(server(), options(Transport::Sse)).await;
    let opening = req("GET", "/sse").header("Accept", "text/event-stream").header("Authorization", &bearer(TOKEN));
    let (mut stream, head) = opening.open(s.addr).await;
    assert_eq!(head.status, 200);
    let event = stream.read_until("\n\n").await;
    let endpoint = event.strip_prefix("event: endpoint\ndata: ").expect("the endpoint event").trim().to_string();
    let id = endpoint.strip_prefix("/messages/?session_id=").expect("the message path").to_string();
    let path = format!("/messages/?session_id={id}");
    let other = post(&path, &initialize_body()).header("Authorization", &bearer(OTHER)).send(s.addr).await;
    assert_eq!(other.status, 404, "{}", other.text());
    let own = post(&path, &initialize_body()).header("Authorization", &bearer(TOKEN)).send(s.addr).await;
    assert_eq!(own.status, 202, "{}", own.text());
    drop(stream);
    s.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_past_its_rate_limit_waits_while_another_is_served() {
    let limits = mcpgen_runtime::RateLimits { per_second: std::num::NonZeroU32::new(5), max_concurrent: None };
    let s =
        TestServer::start(server(), RunOptions { stateless: true, rate_limits: limits, ..options(Transport::Http) })
            .await;
    let call = |token: &str| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                          "params": {"name": "hello", "arguments": {"name": "Ada"}}});
        post("/mcp", &body).header("Authorization", &bearer(token)).header("MCP-Protocol-Version", "2025-11-25")
    };
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(call(TOKEN).send(s.addr).await.status);
    }
    assert!(statuses.iter().filter(|s| **s == 200).count() <= 6, "{statuses:?}");
    let refused = call(TOKEN).send(s.addr).await;
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert!(refused.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)));
    assert_eq!(refused.json()["error"]["code"], -32600);
    let other = call(OTHER).send(s.addr).await;
    assert_eq!(other.status, 200, "another client is still served: {}", other.text());
    s.stop().await.unwrap();
}

#[tokio::test]
async fn without_authentication_clients_are_counted_by_address() {
    let limits = mcpgen_runtime::RateLimits { per_second: None, max_concurrent: Some(1) };
    let slow = mcpgen_runtime::Tool::new("slow", json!({"type": "object"})).handler(|_, _| async {
        mcpgen_runtime::rt::sleep(std::time::Duration::from_millis(500)).await;
        Ok("slept")
    });
    let options = RunOptions { stateless: true, rate_limits: limits, ..RunOptions::http() };
    let s = TestServer::start(Server::new("limited", "1").tool(slow), options).await;
    let call = || {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "slow"}});
        post("/mcp", &body).header("MCP-Protocol-Version", "2025-11-25")
    };
    let first = tokio::spawn({
        let request = call();
        let addr = s.addr;
        async move { request.send(addr).await.status }
    });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(call().send(s.addr).await.status, 429, "127.0.0.1 already has its one request in flight");
    assert_eq!(first.await.unwrap(), 200);
    assert_eq!(call().send(s.addr).await.status, 200, "its slot came free");
    s.stop().await.unwrap();
}

/// A 2026-07-28 request that declares the tasks extension, with the mirrored headers (a task
/// method's `Mcp-Name` is its `taskId`).
fn task_post(method: &str, mut params: mcpgen_runtime::serde_json::Value, token: &str) -> Req {
    params["_meta"] = json!({PV_KEY: MODERN, CAPS_KEY: {"extensions": {"io.modelcontextprotocol/tasks": {}}}});
    let name = params.get("name").or(params.get("taskId")).and_then(|v| v.as_str()).unwrap().to_string();
    post("/mcp", &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .header("MCP-Protocol-Version", MODERN)
        .header("Mcp-Method", method)
        .header("Mcp-Name", &name)
        .header("Authorization", &bearer(token))
}

#[tokio::test]
async fn a_stateless_task_answers_only_the_token_that_created_it() {
    use mcpgen_runtime::{TaskSupport, Tool, ToolResult};
    let slow = Tool::new("slow", json!({"type": "object"})).task_support(TaskSupport::Optional).handler(|_, _| async {
        mcpgen_runtime::rt::sleep(std::time::Duration::from_secs(30)).await;
        Ok(ToolResult::text("late"))
    });
    let s = TestServer::start(server().tool(slow), options(Transport::Http)).await;
    let created = task_post("tools/call", json!({"name": "slow"}), TOKEN).send(s.addr).await;
    assert_eq!(created.status, 200, "{}", created.text());
    let id = created.json()["result"]["taskId"].as_str().unwrap().to_string();

    let get = |token| {
        let request = task_post("tasks/get", json!({"taskId": id}), token);
        async move { request.send(s.addr).await }
    };
    let mine = get(TOKEN).await;
    assert_eq!(mine.json()["result"]["status"], "working", "{}", mine.text());
    let theirs = get(OTHER).await;
    assert_eq!(theirs.json()["error"]["code"], -32602, "another token knows the id, not the task: {}", theirs.text());
    let cancel = task_post("tasks/cancel", json!({"taskId": id}), OTHER).send(s.addr).await;
    assert_eq!(cancel.json()["error"]["code"], -32602);
    assert_eq!(get(TOKEN).await.json()["result"]["status"], "working", "the other token's cancel did nothing");
    s.stop().await.unwrap();
}
