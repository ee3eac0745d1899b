//! Faults upstream: a scripted API on loopback (raw tokio TCP, so it can misbehave in ways a
//! real HTTP server would not) that never answers, stalls mid-body, refuses connections, resets
//! mid-body, sends invalid JSON under a JSON content type, streams a gigabyte, answers 503, and
//! 429 with `Retry-After`. Every fault reaches the MCP client (a `tools/call` through the
//! dispatcher) as a clear `isError` result within the configured timeout, and the next call on
//! the same `Upstream` succeeds.
//!
//! `generator/tests/e2e_upstream_faults.rs` drives the same kind of API through a generated
//! server's process.

use mcpgen_runtime::protocol::Message;
use mcpgen_runtime::upstream::*;
use mcpgen_runtime::{Connection, Dispatcher, Server};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The timeout the tools are configured with: short, so the timeout cases are quick.
const TIMEOUT: Duration = Duration::from_millis(500);
/// Slack on top of the timeout for a loaded machine (2 cores shared with builds).
const SLACK: Duration = Duration::from_secs(4);
/// How much the gigabyte answer promises.
const GIGABYTE: u64 = 1 << 30;
/// The cap the gigabyte is read against.
const CAP: usize = 4 * 1024 * 1024;

static API: ApiSpec = ApiSpec {
    name: "faults",
    version: "1",
    title: None,
    instructions: None,
    base_url: None,
    base_url_env: "FAULTS_BASE_URL",
    timeout_env: "FAULTS_TIMEOUT_SECS",
    schemes: &[],
    tool_mode: ToolMode::All,
    tool_budget: None,
};

const fn tool(name: &'static str, path: &'static str) -> ToolSpec {
    ToolSpec {
        name,
        title: None,
        description: "",
        input_schema: r#"{"type":"object"}"#,
        output_schema: None,
        output_wrapped: false,
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: true,
        method: "GET",
        path,
        query: &[],
        server: None,
        params: &[],
        body: None,
        security: &[],
        tags: &[],
        hidden: false,
        scopes: &[],
        null_absent: &[],
        jq_filter: None,
        long_running: None,
    }
}

/// One tool per behaviour of the scripted API (the tool's name is its path).
static TOOLS: [ToolSpec; 9] = [
    tool("ok", "/ok"),
    tool("hang", "/hang"),
    tool("stall_body", "/stall-body"),
    tool("reset", "/reset"),
    tool("invalid_json", "/invalid-json"),
    tool("gigabyte", "/gigabyte"),
    tool("gigabyte_text", "/gigabyte-text"),
    tool("unavailable", "/unavailable"),
    tool("limited", "/limited"),
];

/// The scripted API: what it has sent of its gigabyte answers.
struct Script {
    base: String,
    gigabyte_sent: Arc<AtomicU64>,
}

async fn start_script() -> Script {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let gigabyte_sent = Arc::new(AtomicU64::new(0));
    let sent = gigabyte_sent.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_connection(stream, sent.clone()));
        }
    });
    Script { base, gigabyte_sent }
}

/// Reads one request head (up to 64 KiB) and returns its path.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buf)).await.ok()?.ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head).lines().next()?.to_string();
    line.split(' ').nth(1).map(str::to_string)
}

fn head(status: &str, content_type: &str, length: u64, extra: &str) -> String {
    format!("HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n{extra}\r\n")
}

async fn serve_connection(mut stream: TcpStream, gigabyte_sent: Arc<AtomicU64>) {
    while let Some(path) = read_head(&mut stream).await {
        let reply = |status: &str, content_type: &str, body: &str, extra: &str| {
            format!("{}{body}", head(status, content_type, body.len() as u64, extra))
        };
        match path.as_str() {
            "/ok" => {
                let r = reply("200 OK", "application/json", r#"{"ok":true}"#, "");
                if stream.write_all(r.as_bytes()).await.is_err() {
                    return;
                }
            }
            // Never answers; the connection is held until the client gives up.
            "/hang" => {
                let _ = stream.read(&mut [0u8; 1]).await;
                return;
            }
            // Headers and a tenth of the body, then nothing.
            "/stall-body" => {
                let _ = stream.write_all(head("200 OK", "application/json", 100, "").as_bytes()).await;
                let _ = stream.write_all(b"{\"partial\":").await;
                let _ = stream.read(&mut [0u8; 1]).await;
                return;
            }
            // Promises a megabyte, sends 64 KiB, then resets the connection (RST, not FIN).
            "/reset" => {
                let _ = stream.write_all(head("200 OK", "application/json", 1 << 20, "").as_bytes()).await;
                let _ = stream.write_all(&[b' '; 64 * 1024]).await;
                let _ = stream.set_zero_linger();
                return;
            }
            "/invalid-json" => {
                let r = reply("200 OK", "application/json", r#"{"pets": [1, 2,"#, "");
                let _ = stream.write_all(r.as_bytes()).await;
            }
            // A gigabyte streamed from one 64 KiB buffer: never held in memory here.
            "/gigabyte" | "/gigabyte-text" => {
                let content_type = if path == "/gigabyte" { "application/json" } else { "text/plain" };
                if stream.write_all(head("200 OK", content_type, GIGABYTE, "").as_bytes()).await.is_err() {
                    return;
                }
                let chunk = if path == "/gigabyte" { [b'['; 64 * 1024] } else { [b'x'; 64 * 1024] };
                let mut sent = 0u64;
                while sent < GIGABYTE {
                    if stream.write_all(&chunk).await.is_err() {
                        break;
                    }
                    sent += chunk.len() as u64;
                    gigabyte_sent.store(sent, Ordering::SeqCst);
                }
                return;
            }
            "/unavailable" => {
                let r = reply("503 Service Unavailable", "text/plain", "upstream overloaded, try later", "");
                let _ = stream.write_all(r.as_bytes()).await;
            }
            "/limited" => {
                let r = reply(
                    "429 Too Many Requests",
                    "application/json",
                    r#"{"error":"slow down"}"#,
                    "retry-after: 7\r\n",
                );
                let _ = stream.write_all(r.as_bytes()).await;
            }
            _ => {
                let _ = stream.write_all(reply("404 Not Found", "text/plain", "no such path", "").as_bytes()).await;
            }
        }
    }
}

/// A server with every tool, calling `base` with the short timeout.
fn dispatcher(base: &str) -> Arc<Dispatcher> {
    let upstream = Upstream::builder(&API).base_url(base).timeout(TIMEOUT).env(|_| None).build().unwrap();
    let server = upstream.register(Server::new("faults", "1"), &TOOLS);
    server.build().expect("valid server").0
}

/// `tools/call` of `name` as an MCP client sends it (2026-07-28: no handshake needed); the
/// result and how long it took.
async fn call(d: &Arc<Dispatcher>, name: &str) -> (Value, Duration) {
    let request = json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": {}, "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}}
    });
    let message = Message::decode(request.to_string().as_bytes()).unwrap();
    let conn = Arc::new(Connection::new(None));
    let started = Instant::now();
    let response = tokio::time::timeout(TIMEOUT + SLACK + Duration::from_secs(10), d.handle(&conn, message, None))
        .await
        .unwrap_or_else(|_| panic!("`{name}` was not answered at all"))
        .expect("a request gets a response");
    (response.into_value()["result"].take(), started.elapsed())
}

fn text(result: &Value) -> String {
    result["content"][0]["text"].as_str().unwrap_or_default().to_string()
}

/// Calls `name`, expects an `isError` result saying `expect` within the timeout and slack,
/// then checks the same server still serves `ok`.
async fn fault(d: &Arc<Dispatcher>, name: &str, expect: &[&str]) -> Duration {
    let (result, took) = call(d, name).await;
    let message = text(&result);
    assert_eq!(result["isError"], true, "`{name}` must be an isError result: {result}");
    for part in expect {
        assert!(message.contains(part), "`{name}`: {message:?} should say {part:?}");
    }
    assert!(took < TIMEOUT + SLACK, "`{name}` took {took:?}, over the timeout {TIMEOUT:?} + {SLACK:?}");
    let (ok, _) = call(d, "ok").await;
    assert_eq!(ok["structuredContent"], json!({"ok": true}), "after `{name}` the next call fails: {ok}");
    eprintln!("FIGURE upstream_faults {name}: isError in {} ms: {message:.120}", took.as_millis());
    took
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_upstream_fault_is_a_clear_tool_error_in_time_and_the_next_call_succeeds() {
    let script = start_script().await;
    let d = dispatcher(&script.base);
    let (ok, _) = call(&d, "ok").await;
    assert_eq!(ok["structuredContent"], json!({"ok": true}), "the scripted API works: {ok}");

    let took = fault(&d, "hang", &["did not answer within 500ms", "/hang"]).await;
    assert!(took >= TIMEOUT, "the timeout fired early: {took:?}");
    let took = fault(&d, "stall_body", &["/stall-body"]).await;
    assert!(took >= TIMEOUT, "the timeout fired early: {took:?}");
    fault(&d, "reset", &["/reset"]).await;
    fault(&d, "invalid_json", &["not valid JSON", "application/json", "{\"pets\": [1, 2,"]).await;
    fault(&d, "unavailable", &["HTTP 503 Service Unavailable", "upstream overloaded"]).await;
    fault(&d, "limited", &["HTTP 429", "retry after 7", "slow down"]).await;

    // The API's port closed: connection refused, quickly.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let refused = dispatcher(&closed_base);
    let (result, took) = call(&refused, "ok").await;
    assert_eq!(result["isError"], true, "{result}");
    assert!(text(&result).contains("could not connect to the API"), "{result}");
    assert!(took < TIMEOUT + SLACK, "refused took {took:?}");
    eprintln!("FIGURE upstream_faults refused: isError in {} ms: {}", took.as_millis(), text(&result));
    let (ok, _) = call(&d, "ok").await;
    assert_eq!(ok["structuredContent"], json!({"ok": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_answer_is_read_only_up_to_the_cap() {
    let script = start_script().await;
    let upstream = Upstream::builder(&API)
        .base_url(&script.base)
        .timeout(Duration::from_secs(30))
        .max_body_bytes(CAP)
        .env(|_| None)
        .build()
        .unwrap();
    // The body cap alone: no result limit cutting what the cap let through.
    let d = upstream.register(Server::new("faults", "1").max_result_bytes(0), &TOOLS).build().unwrap().0;
    let rss_before = rss_kib();

    // JSON cut at the cap cannot be read: a tool error naming the limit.
    let (result, took) = call(&d, "gigabyte").await;
    assert_eq!(result["isError"], true, "{:.300}", result.to_string());
    let message = text(&result);
    assert!(message.contains(&format!("larger than the {CAP}-byte limit")), "{message:.300}");
    assert!(message.len() < 8 * 1024, "the error is bounded: {} bytes", message.len());
    let sent_json = script.gigabyte_sent.load(Ordering::SeqCst);

    // Text cut at the cap is still useful: the first CAP bytes and a note.
    let (result, text_took) = call(&d, "gigabyte_text").await;
    assert!(result.get("isError").is_none(), "{:.300}", result.to_string());
    let body = text(&result);
    assert_eq!(body.len(), CAP + format!("\n\n[response truncated at {CAP} bytes]").len());
    assert!(body.ends_with(&format!("[response truncated at {CAP} bytes]")));
    let sent_text = script.gigabyte_sent.load(Ordering::SeqCst);
    let rss_after = rss_kib();

    let (ok, _) = call(&d, "ok").await;
    assert_eq!(ok["structuredContent"], json!({"ok": true}));
    // The API could push at most the cap plus what the sockets buffer before the runtime hung up.
    for sent in [sent_json, sent_text] {
        assert!(sent < 256 * 1024 * 1024, "the runtime kept reading: the API sent {sent} bytes");
    }
    let grew = rss_after.saturating_sub(rss_before);
    assert!(grew < 128 * 1024, "memory grew by {grew} KiB reading two capped answers");
    eprintln!(
        "FIGURE upstream_faults gigabyte: JSON isError in {} ms, text truncated in {} ms; the API sent {} and {} KiB of 1 GiB before the runtime hung up; test RSS {} -> {} KiB",
        took.as_millis(),
        text_took.as_millis(),
        sent_json / 1024,
        sent_text / 1024,
        rss_before,
        rss_after
    );
}
