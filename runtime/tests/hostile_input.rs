//! Hostile input against the runtime's transports, over raw sockets: oversized, deeply nested,
//! malformed and ambiguous messages; DNS-rebinding Host and Origin values; guessed, reused and
//! borrowed session ids; slow-loris clients and clients that vanish mid-request. Each answer
//! must be a clear refusal, in bounded time, leaving nothing behind.
//!
//! Leaks are measured as the tokio runtime's live tasks: every connection, request, stream and
//! session of the in-process server is one, so a count back at its baseline means they were freed.

mod common;
mod support;

use common::*;
use mcpgen_runtime::protocol::Message;
use mcpgen_runtime::serde_json::{self, Value, json};
use mcpgen_runtime::transport::stdio::{self, StdioOptions};
use mcpgen_runtime::{RequestContext, RunOptions, Server, ServerHandle, Tool, ToolResult};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const LEGACY: &str = "2025-11-25";

/// What the test server's tools observed.
#[derive(Default)]
struct Seen {
    /// `wait` calls that started, and that ran to the end.
    waits_started: AtomicUsize,
    waits_finished: AtomicUsize,
    /// `slow` calls that started, and that were dropped before finishing (cancelled).
    slow_started: AtomicUsize,
    slow_dropped: AtomicUsize,
}

impl Seen {
    /// Waits (bounded) until `counter` reaches `n`; returns its value.
    async fn reach(counter: &AtomicUsize, n: usize) -> usize {
        let deadline = Instant::now() + Duration::from_secs(10);
        while counter.load(Ordering::SeqCst) < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        counter.load(Ordering::SeqCst)
    }
}

struct CountDrop(Arc<Seen>, bool);

impl Drop for CountDrop {
    fn drop(&mut self) {
        if !self.1 {
            self.0.slow_dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn server(seen: Arc<Seen>) -> Server {
    let echo = Tool::new("echo", json!({"type": "object"}))
        .handler(|args, _| async move { Ok(ToolResult::structured(json!({"args": args}))) });
    let finished = seen.clone();
    let wait = Tool::new("wait", json!({"type": "object", "properties": {"ms": {"type": "integer"}}})).handler(
        move |args, _| {
            let seen = finished.clone();
            async move {
                seen.waits_started.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(args["ms"].as_u64().unwrap_or(0))).await;
                seen.waits_finished.fetch_add(1, Ordering::SeqCst);
                Ok(ToolResult::text("waited"))
            }
        },
    );
    let slow = Tool::new("slow", json!({"type": "object"})).handler(move |_, _| {
        seen.slow_started.fetch_add(1, Ordering::SeqCst);
        let guard = CountDrop(seen.clone(), false);
        async move {
            let mut guard = guard;
            tokio::time::sleep(Duration::from_secs(30)).await;
            guard.1 = true;
            Ok(ToolResult::text("finished"))
        }
    });
    let ask = Tool::new("ask", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        let params = json!({"messages": [], "maxTokens": 5});
        match ctx.request_client("sampling/createMessage", params, Duration::from_secs(10)).await {
            Ok(answer) => Ok(ToolResult::text(answer["content"]["text"].as_str().unwrap_or("?").to_string())),
            Err(e) => Ok(ToolResult::error(e.message)),
        }
    });
    let mut server = Server::new("hostile", "1.0.0");
    for t in [hello_tool(), echo, wait, slow, ask] {
        server = server.tool(t);
    }
    server
}

struct Fixture {
    s: TestServer,
    seen: Arc<Seen>,
    handle: ServerHandle,
}

async fn start(options: RunOptions) -> Fixture {
    let seen = Arc::new(Seen::default());
    let server = server(seen.clone());
    let handle = server.handle();
    Fixture { s: TestServer::start(server, options).await, seen, handle }
}

/// The live tasks of a started server at rest, after one request has warmed it up.
async fn baseline_tasks(addr: std::net::SocketAddr) -> usize {
    post("/mcp", &request(1, "ping", json!({}))).send(addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    alive_tasks()
}

fn assert_rpc_error(resp: &Resp, status: u16, code: i64) {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert_eq!(resp.json()["error"]["code"], json!(code), "{}", resp.text());
}

fn call(id: i64, tool: &str, args: Value) -> Value {
    request(id, "tools/call", json!({"name": tool, "arguments": args}))
}

/// A POST of raw bytes with a well-behaved client's headers.
fn post_raw(path: &str, body: impl Into<Vec<u8>>) -> Req {
    post(path, &Value::Null).body(body)
}

/// The error message of a JSON-RPC error response.
fn message_of(resp: &Resp) -> String {
    resp.json()["error"]["message"].as_str().unwrap_or_default().to_string()
}

/// Runs STDIO over in-memory pipes: writes `input`, closes stdin, returns every output line.
async fn stdio_exchange(input: &[u8], max_message_bytes: usize) -> Vec<Value> {
    let (dispatcher, _) = server(Arc::new(Seen::default())).build().unwrap();
    let (mut client_w, server_r) = tokio::io::duplex(1 << 20);
    let (server_w, client_r) = tokio::io::duplex(1 << 20);
    let options = StdioOptions { max_message_bytes, shutdown_grace: Duration::from_secs(2) };
    let serving = tokio::spawn(stdio::serve(dispatcher, server_r, server_w, options, std::future::pending()));
    client_w.write_all(input).await.unwrap();
    drop(client_w);
    let mut lines = BufReader::new(client_r).lines();
    let mut out = Vec::new();
    while let Some(line) = tokio::time::timeout(TIMEOUT, lines.next_line()).await.expect("stdio answers").unwrap() {
        out.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}")));
    }
    tokio::time::timeout(TIMEOUT, serving).await.unwrap().unwrap().unwrap();
    out
}

// ---------- Bodies and JSON ----------

#[tokio::test]
async fn bodies_over_the_cap_get_413_whether_declared_chunked_or_streamed_forever() {
    let f = start(RunOptions { max_body_bytes: 4096, ..RunOptions::http() }).await;
    let addr = f.s.addr;
    // Declared: refused from the header alone, before any body byte arrives.
    let mut conn = Conn::open(addr).await;
    conn.write(
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
          Content-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n",
    )
    .await;
    let mut resp = conn.head().await;
    conn.body(&mut resp).await;
    assert_rpc_error(&resp, 413, -32600);
    assert!(message_of(&resp).contains("4096 bytes"), "{}", message_of(&resp));

    // Chunked without Content-Length, and never ending: refused once the cap is crossed.
    let mut raw = RawConn::open(addr).await;
    raw.write(
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
          Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .await;
    let chunk = format!("400\r\n{}\r\n", "x".repeat(0x400));
    let mut sent = 0;
    let mut got = Vec::new();
    while sent < 64 {
        if !raw.write(chunk.as_bytes()).await {
            break;
        }
        sent += 1;
        let (bytes, _) = raw.read_until_closed(Duration::from_millis(10)).await;
        got.extend(bytes);
        if !got.is_empty() {
            break;
        }
    }
    let (rest, _) = raw.read_until_closed(Duration::from_secs(2)).await;
    got.extend(rest);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 413"), "after {sent} KiB: {text}");
    assert!(sent <= 8, "refused soon after the 4 KiB cap, not after {sent} KiB");

    // The same cap on the SSE transport's message path.
    let sse = start(RunOptions { max_body_bytes: 4096, ..RunOptions::sse() }).await;
    let (mut stream, head) = req("GET", "/sse").header("Accept", "text/event-stream").open(sse.s.addr).await;
    assert_eq!(head.status, 200);
    let endpoint = stream.read_until("\n\n").await;
    let endpoint = endpoint.trim().strip_prefix("event: endpoint\ndata: ").unwrap().to_string();
    let big = call(1, "echo", json!({"pad": "x".repeat(5000)}));
    assert_rpc_error(&post(&endpoint, &big).send(sse.s.addr).await, 413, -32600);

    // And the server is fine afterwards.
    assert_eq!(post("/mcp", &initialize(LEGACY)).send(addr).await.status, 200);
}

#[tokio::test]
async fn deeply_nested_json_is_a_parse_error_in_bounded_time() {
    let f = start(RunOptions::http()).await;
    let depth = 200_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let in_params = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"x":{}{}}}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let unclosed = "[".repeat(1_000_000);
    for (what, body) in [("arrays", arrays), ("objects", objects), ("in params", in_params), ("unclosed", unclosed)] {
        let started = Instant::now();
        let resp = post_raw("/mcp", body).send(f.s.addr).await;
        assert_rpc_error(&resp, 400, -32700);
        assert!(message_of(&resp).contains("recursion limit"), "{what}: {}", message_of(&resp));
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: took {:?}", started.elapsed());
    }
    // Nesting that real arguments use still passes.
    let nested = (0..100).fold(json!("leaf"), |v, _| json!([v]));
    let resp = post("/mcp", &call(2, "echo", json!({"x": nested})))
        .header("MCP-Protocol-Version", LEGACY)
        .set("accept", "application/json, text/event-stream")
        .send(f.s.addr)
        .await;
    assert_eq!(resp.status, 400, "legacy needs a session: {}", resp.text());
    let id = open_session(f.s.addr, "/mcp", LEGACY).await;
    let resp = post("/mcp", &call(2, "echo", json!({"x": nested}))).header("Mcp-Session-Id", &id).send(f.s.addr).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["result"]["structuredContent"]["args"]["x"], nested);

    // STDIO: the same error, and the server keeps reading.
    let deep = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
    let out = stdio_exchange(format!("{deep}{}\n", request(3, "ping", json!({}))).as_bytes(), 4 << 20).await;
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0]["error"]["code"], json!(-32700));
    assert_eq!(out[1]["id"], json!(3));
}

#[tokio::test]
async fn huge_ids_round_trip_or_get_a_clear_error() {
    let f = start(RunOptions::http()).await;
    let sid = open_session(f.s.addr, "/mcp", LEGACY).await;
    let send = async |body: String| post_raw("/mcp", body).header("Mcp-Session-Id", &sid).send(f.s.addr).await;
    // Every integer JSON-RPC ids can carry in 64 bits, and long strings, come back unchanged.
    let long = "i".repeat(1 << 20);
    for id in [json!(u64::MAX), json!(i64::MIN), json!(i64::MAX), json!(0), json!(long), json!("")] {
        let resp = send(json!({"jsonrpc": "2.0", "id": id, "method": "ping"}).to_string()).await;
        assert_eq!(resp.status, 200);
        assert_eq!(resp.json()["id"], id, "the id round-trips");
        assert_eq!(resp.json()["result"], json!({}));
    }
    // Beyond 64 bits, fractions and exponents: a clear -32600, with a null id (it was unreadable).
    for raw in ["18446744073709551616", "-9223372036854775809", "1e3", "1.5", "123456789012345678901234567890"] {
        let resp = send(format!(r#"{{"jsonrpc":"2.0","id":{raw},"method":"ping"}}"#)).await;
        assert_rpc_error(&resp, 400, -32600);
        assert_eq!(resp.json()["id"], Value::Null, "{raw}");
        assert!(message_of(&resp).contains("\"id\" must be a string or an integer"), "{raw}: {}", message_of(&resp));
    }
    // Numbers JSON cannot represent at all: a parse error.
    let resp = send(r#"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#.into()).await;
    assert_rpc_error(&resp, 400, -32700);
}

#[tokio::test]
async fn invalid_utf8_is_a_parse_error_everywhere() {
    let f = start(RunOptions::http()).await;
    let bodies: Vec<Vec<u8>> = vec![
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\xff\"}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"meth\xc0\xafod\":\"ping\"}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":\"\xed\xa0\x80\",\"method\":\"ping\"}".to_vec(),
        br#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#.to_vec(),
        b"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".to_vec(),
    ];
    for body in &bodies {
        let resp = post_raw("/mcp", body.clone()).send(f.s.addr).await;
        assert_rpc_error(&resp, 400, -32700);
        assert_eq!(resp.json()["id"], Value::Null);
    }
    let mut input = Vec::new();
    for body in &bodies {
        input.extend_from_slice(body);
        input.push(b'\n');
    }
    let out = stdio_exchange(&input, 4 << 20).await;
    assert_eq!(out.len(), bodies.len());
    assert!(out.iter().all(|m| m["error"]["code"] == json!(-32700)), "{out:?}");
}

/// JSON objects that name a key twice are ambiguous: parsers disagree on which copy wins, so a
/// proxy checking `method` and this server acting on it could see two different requests. They
/// are refused as a parse error (-32700, id null: even the id could be ambiguous) naming the key.
#[tokio::test]
async fn duplicate_keys_are_refused_naming_the_key() {
    let f = start(RunOptions::http()).await;
    let sid = open_session(f.s.addr, "/mcp", LEGACY).await;
    let cases = [
        ("method", r#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}"#.to_string()),
        ("method", r#"{"jsonrpc":"2.0","id":1,"method":"ping","\u006dethod":"tools/list"}"#.to_string()),
        ("id", r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#.to_string()),
        ("jsonrpc", r#"{"jsonrpc":"2.0","jsonrpc":"1.0","id":1,"method":"ping"}"#.to_string()),
        (
            "name",
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"hello","name":"echo","arguments":{}}}"#
                .to_string(),
        ),
        (
            "to",
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"x":[{"to":"a","to":"b"}]}}}"#
                .to_string(),
        ),
    ];
    for (key, body) in &cases {
        let resp = post_raw("/mcp", body.clone()).header("Mcp-Session-Id", &sid).send(f.s.addr).await;
        assert_rpc_error(&resp, 400, -32700);
        assert_eq!(resp.json()["id"], Value::Null);
        let message = message_of(&resp);
        assert!(message.contains(&format!("duplicate key `{key}`")), "{body}: {message}");
    }
    // 2026-07-28: headers that agree with one of the copies do not make it acceptable.
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{{"name":"echo","_meta":{{"{PV_KEY}":"{MODERN}","{CAPS_KEY}":{{}}}}}}}}"#
    );
    for method in ["tools/list", "tools/call"] {
        let resp = post_raw("/mcp", body.clone())
            .header("MCP-Protocol-Version", MODERN)
            .header("Mcp-Method", method)
            .header("Mcp-Name", "echo")
            .send(f.s.addr)
            .await;
        assert_rpc_error(&resp, 400, -32700);
        assert!(message_of(&resp).contains("duplicate key `method`"), "{}", message_of(&resp));
    }
    // Distinct keys that differ only in case are not duplicates.
    let ok = post_raw("/mcp", r#"{"jsonrpc":"2.0","id":9,"method":"ping","params":{"a":1,"A":2}}"#)
        .header("Mcp-Session-Id", &sid)
        .send(f.s.addr)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());

    // The decoder every transport shares, STDIO and SSE included.
    for (key, body) in &cases {
        let err = Message::decode(body.as_bytes()).unwrap_err();
        assert_eq!(err.error.code, -32700);
        assert!(err.error.message.contains(&format!("duplicate key `{key}`")), "{}", err.error.message);
    }
    let input: String = cases.iter().map(|(_, b)| format!("{b}\n")).collect();
    let out = stdio_exchange(input.as_bytes(), 4 << 20).await;
    assert_eq!(out.len(), cases.len());
    assert!(out.iter().all(|m| m["error"]["code"] == json!(-32700)), "{out:?}");
}

#[tokio::test]
async fn oversized_and_malformed_framing_is_refused_and_the_server_carries_on() {
    let f = start(RunOptions::http()).await;
    let addr = f.s.addr;
    // A 1 MiB header: hyper refuses it (431) or drops the connection; either way, no hang.
    let mut raw = RawConn::open(addr).await;
    let big = format!("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n", "a".repeat(1 << 20));
    raw.write(big.as_bytes()).await;
    let (got, closed) = raw.read_until_closed(Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(closed, "the connection is closed");
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 431"), "{text}");

    // Conflicting lengths, and Content-Length with Transfer-Encoding smuggling a second request.
    let init = serde_json::to_string(&initialize(LEGACY)).unwrap();
    let smuggled = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{init}",
        init.len()
    );
    let ping = serde_json::to_string(&request(1, "ping", json!({}))).unwrap();
    let first = format!("{:x}\r\n{ping}\r\n0\r\n\r\n", ping.len());
    let attack = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n{first}{smuggled}"
    );
    let mut raw = RawConn::open(addr).await;
    raw.write(attack.as_bytes()).await;
    let (got, closed) = raw.read_until_closed(Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(closed, "the connection is closed after a request with both lengths: {text}");
    assert!(text.matches("HTTP/1.1 ").count() <= 1, "the smuggled request was not answered: {text}");
    assert_eq!(f.handle_sessions(), 0, "nothing was smuggled into a session: {text}");

    let mut raw = RawConn::open(addr).await;
    raw.write(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!").await;
    let (got, closed) = raw.read_until_closed(Duration::from_secs(5)).await;
    assert!(closed);
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 400"), "{}", String::from_utf8_lossy(&got));

    // Garbage instead of HTTP.
    let mut raw = RawConn::open(addr).await;
    raw.write(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n").await;
    let (_, closed) = raw.read_until_closed(Duration::from_secs(5)).await;
    assert!(closed);

    assert_eq!(post("/mcp", &initialize(LEGACY)).send(addr).await.status, 200);
}

impl Fixture {
    fn handle_sessions(&self) -> usize {
        self.s.handle.session_count()
    }
}

// ---------- Host and Origin ----------

#[tokio::test]
async fn dns_rebinding_hosts_and_origins_get_403_on_every_path() {
    let f = start(RunOptions::http()).await;
    let sse = start(RunOptions::sse()).await;
    let hosts = [
        "evil.example",
        "evil.example:8000",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "localhost:80@evil.example",
        "127.0.0.1:80@evil.example",
        "localhost:8000 evil.example",
        "[::1]evil.example",
        "0.0.0.0",
        "",
    ];
    let origins = [
        "http://evil.example",
        "null",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example:8000",
        "http://localhost:80@evil.example",
        "file://",
        "http://localhost:abc",
        "javascript:alert(1)",
    ];
    let mut refusals = 0;
    for (addr, paths) in [(f.s.addr, ["/mcp", "/mcp/"]), (sse.s.addr, ["/sse", "/messages/"])] {
        for path in paths {
            for method in ["POST", "GET", "DELETE"] {
                let base = || {
                    if method == "POST" {
                        post(path, &initialize(LEGACY))
                    } else {
                        req(method, path).header("Accept", "text/event-stream")
                    }
                };
                for host in hosts {
                    let resp = base().set("host", host).send(addr).await;
                    assert_eq!(resp.status, 403, "{method} {path} Host {host:?}: {}", resp.text());
                    refusals += 1;
                }
                for origin in origins {
                    let resp = base().header("Origin", origin).send(addr).await;
                    assert_eq!(resp.status, 403, "{method} {path} Origin {origin:?}: {}", resp.text());
                    refusals += 1;
                }
                // A second Host or Origin header: proxies that read the other copy would disagree.
                let resp = base().header("Host", "127.0.0.1").header("Host", "evil.example").send(addr).await;
                assert_eq!(resp.status, 403, "{method} {path} two Hosts");
                let two = base().header("Origin", "http://localhost").header("Origin", "http://evil.example");
                assert_eq!(two.send(addr).await.status, 403, "{method} {path} two Origins");
            }
        }
    }
    // HTTP/1.0 without a Host header.
    let mut conn = Conn::open(f.s.addr).await;
    conn.write(b"GET /mcp HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n").await;
    let mut resp = conn.head().await;
    conn.body(&mut resp).await;
    assert_eq!(resp.status, 403);
    assert_eq!(f.handle_sessions() + sse.handle_sessions(), 0, "no refused request opened a session");
    support::figure("dns_rebinding", format!("{refusals} rebinding attempts refused with 403"));
}

// ---------- Sessions ----------

#[tokio::test]
async fn guessed_and_mangled_session_ids_never_reach_a_session() {
    let f = start(RunOptions::http()).await;
    let real = open_session(f.s.addr, "/mcp", LEGACY).await;
    let mut flipped = real.clone().into_bytes();
    flipped[31] = if flipped[31] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let mut guesses = vec![
        flipped,
        real.to_uppercase(),
        format!("{real}0"),
        real[..31].to_string(),
        format!(" {real}x"),
        "x".repeat(8 * 1024),
        "../".repeat(10),
        "*".into(),
        "%00".into(),
    ];
    for _ in 0..200 {
        let mut bytes = [0u8; 16];
        getrandom_fill(&mut bytes);
        guesses.push(bytes.iter().map(|b| format!("{b:02x}")).collect());
    }
    let ping = request(1, "ping", json!({}));
    for guess in &guesses {
        let post = post("/mcp", &ping).header("Mcp-Session-Id", guess).send(f.s.addr).await;
        assert!([400, 404].contains(&post.status), "POST with {guess:?}: {}", post.status);
        let get = req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", guess);
        assert!([400, 404].contains(&get.send(f.s.addr).await.status), "GET with {guess:?}");
        let delete = req("DELETE", "/mcp").header("Mcp-Session-Id", guess).send(f.s.addr).await;
        assert!([400, 404].contains(&delete.status), "DELETE with {guess:?}");
    }
    // The real session was untouched by all of that.
    assert_eq!(f.handle_sessions(), 1);
    let ok = post("/mcp", &ping).header("Mcp-Session-Id", &real).send(f.s.addr).await;
    assert_eq!(ok.status, 200);
    support::figure("guessed_session_ids", format!("{} guessed ids x 3 methods refused", guesses.len()));
}

/// Random bytes without another dependency: the OS's own source, as the server uses.
fn getrandom_fill(buf: &mut [u8]) {
    use std::io::Read;
    std::fs::File::open("/dev/urandom").unwrap().read_exact(buf).unwrap();
}

#[tokio::test]
async fn a_session_ended_by_delete_stays_dead_on_every_method() {
    let f = start(RunOptions::http()).await;
    let id = open_session(f.s.addr, "/mcp", LEGACY).await;
    let (mut stream, head) =
        req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", &id).open(f.s.addr).await;
    assert_eq!(head.status, 200);
    assert_eq!(req("DELETE", "/mcp").header("Mcp-Session-Id", &id).send(f.s.addr).await.status, 200);
    let mut chunks = 0;
    while stream.next_chunk().await.is_some() {
        chunks += 1;
        assert!(chunks < 100, "its GET stream ends with it");
    }
    let ping = request(1, "ping", json!({}));
    for _ in 0..3 {
        assert_eq!(post("/mcp", &ping).header("Mcp-Session-Id", &id).send(f.s.addr).await.status, 404);
        let get = req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", &id);
        assert_eq!(get.send(f.s.addr).await.status, 404);
        assert_eq!(req("DELETE", "/mcp").header("Mcp-Session-Id", &id).send(f.s.addr).await.status, 404);
        // Re-initializing with the dead id does not bring it back.
        let again = post("/mcp", &initialize(LEGACY)).header("Mcp-Session-Id", &id).send(f.s.addr).await;
        assert_eq!(again.status, 404, "{}", again.text());
    }
    let fresh = post("/mcp", &initialize(LEGACY)).send(f.s.addr).await;
    assert_ne!(fresh.header("mcp-session-id"), Some(id.as_str()));
}

#[tokio::test]
async fn sessions_cannot_reach_each_others_streams_or_requests() {
    let f = start(RunOptions::http()).await;
    let a = open_session(f.s.addr, "/mcp", LEGACY).await;
    let b = open_session(f.s.addr, "/mcp", LEGACY).await;
    let get = |id: &str| req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", id);
    let (mut stream_a, head) = get(&a).open(f.s.addr).await;
    assert_eq!(head.status, 200);
    let (mut stream_b, head) = get(&b).open(f.s.addr).await;
    assert_eq!(head.status, 200);
    // Past the priming events, B's stream must stay silent: nothing here is B's.
    stream_a.read_until("\n\n").await;
    stream_b.read_until("\n\n").await;
    // While A listens, nobody else can attach to A's stream, even with A's id.
    let second = get(&a).header("Last-Event-ID", "0").send(f.s.addr).await;
    assert_eq!(second.status, 409);

    // A subscribes; only A hears about the resource.
    let sub = request(2, "resources/subscribe", json!({"uri": "test://secret"}));
    assert_eq!(post("/mcp", &sub).header("Mcp-Session-Id", &a).send(f.s.addr).await.status, 200);
    f.handle.resource_updated("test://secret");
    let text = stream_a.read_until("resources/updated").await;
    assert!(text.contains("test://secret"));

    // A's tool asks A's client; B answering that request id is not delivered to A.
    let (mut ask_stream, head) =
        post("/mcp", &call(3, "ask", json!({}))).header("Mcp-Session-Id", &a).open(f.s.addr).await;
    assert_eq!(head.status, 200);
    let text = ask_stream.read_until("sampling/createMessage").await;
    let asked = sse_messages(&text).into_iter().find(|m| m["method"] == "sampling/createMessage").unwrap();
    let forged = json!({"jsonrpc": "2.0", "id": asked["id"], "result": {"role": "assistant",
        "content": {"type": "text", "text": "forged by B"}, "model": "m"}});
    assert_eq!(post("/mcp", &forged).header("Mcp-Session-Id", &b).send(f.s.addr).await.status, 202);
    let genuine = json!({"jsonrpc": "2.0", "id": asked["id"], "result": {"role": "assistant",
        "content": {"type": "text", "text": "from A"}, "model": "m"}});
    assert_eq!(post("/mcp", &genuine).header("Mcp-Session-Id", &a).send(f.s.addr).await.status, 202);
    let text = ask_stream.read_until("\"id\":3").await;
    assert!(text.contains("from A") && !text.contains("forged by B"), "{text}");

    // Once more for A; B's GET stream carried none of A's traffic.
    f.handle.resource_updated("test://secret");
    let text = stream_a.read_until("resources/updated").await;
    assert!(text.contains("test://secret"));
    let nothing = tokio::time::timeout(Duration::from_millis(300), stream_b.next_chunk()).await;
    assert!(nothing.is_err(), "B's stream carried {nothing:?}");
}

#[tokio::test]
async fn sse_sessions_cannot_be_guessed_or_reused_after_their_stream_ends() {
    let f = start(RunOptions::sse()).await;
    let (mut stream, head) = req("GET", "/sse").header("Accept", "text/event-stream").open(f.s.addr).await;
    assert_eq!(head.status, 200);
    let endpoint = stream.read_until("\n\n").await.trim().strip_prefix("event: endpoint\ndata: ").unwrap().to_string();
    let ping = request(1, "ping", json!({}));
    assert_eq!(post(&endpoint, &ping).send(f.s.addr).await.status, 202);
    for _ in 0..100 {
        let mut bytes = [0u8; 16];
        getrandom_fill(&mut bytes);
        let guess: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let resp = post(&format!("/messages/?session_id={guess}"), &ping).send(f.s.addr).await;
        assert_eq!(resp.status, 404);
    }
    // Two session_id parameters: the first one counts, and a bad first one is refused.
    let id = endpoint.rsplit('=').next().unwrap();
    let twice = format!("/messages/?session_id=0123456789abcdef0123456789abcdef&session_id={id}");
    assert_eq!(post(&twice, &ping).send(f.s.addr).await.status, 404);
    drop(stream);
    let mut status = 0;
    for _ in 0..100 {
        status = post(&endpoint, &ping).send(f.s.addr).await.status;
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 404, "a closed stream's session id is dead");
    assert_eq!(f.handle_sessions(), 0);
}

// ---------- Slow clients ----------

fn slow_options(read_timeout: Duration) -> RunOptions {
    RunOptions { read_timeout, keep_alive: Duration::from_millis(200), ..RunOptions::http() }
}

#[tokio::test]
async fn slow_loris_headers_are_cut_off_at_the_read_timeout() {
    let f = start(slow_options(Duration::from_secs(1))).await;
    let baseline = baseline_tasks(f.s.addr).await;
    // A byte every 100 ms: the head would take many seconds; the server stops waiting after 1 s.
    let started = Instant::now();
    let mut raw = RawConn::open(f.s.addr).await;
    let head = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".to_vec();
    let mut cut_off = false;
    for byte in head.iter().chain(b"a".repeat(200).iter()) {
        if !raw.write(&[*byte]).await {
            cut_off = true;
            break;
        }
        let (_, closed) = raw.read_until_closed(Duration::from_millis(100)).await;
        if closed {
            cut_off = true;
            break;
        }
    }
    let took = started.elapsed();
    assert!(cut_off, "the server never hung up on a client sending a byte every 100 ms");
    assert!(took < Duration::from_secs(8), "cut off after {took:?}");

    // A connection that sends nothing, and an idle keep-alive connection, are closed too.
    let mut silent = RawConn::open(f.s.addr).await;
    let mut idle = Conn::open(f.s.addr).await;
    idle.write(&modern_post("/mcp", 1, "server/discover", json!({})).bytes()).await;
    let mut resp = idle.head().await;
    idle.body(&mut resp).await;
    assert_eq!(resp.status, 200);
    assert!(silent.read_until_closed(Duration::from_secs(8)).await.1, "a silent connection is closed");
    assert!(idle.closed_within(Duration::from_secs(8)).await, "an idle keep-alive connection is closed");
    let left = settle_tasks(baseline, Duration::from_secs(5)).await;
    assert!(left <= baseline, "tasks: {left} now, {baseline} before");
}

/// The read timeout bounds each request head, not the connection: a keep-alive connection kept
/// busy for several read timeouts stays open, and once it goes quiet it is closed a read timeout
/// later, not sooner.
#[tokio::test]
async fn a_busy_keep_alive_connection_outlives_the_read_timeout() {
    let read_timeout = Duration::from_secs(1);
    let f = start(slow_options(read_timeout)).await;
    let mut conn = Conn::open(f.s.addr).await;
    let started = Instant::now();
    let mut answered = 0;
    while started.elapsed() < read_timeout * 5 / 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(conn.try_write(&modern_post("/mcp", 1, "server/discover", json!({})).bytes()).await);
        let mut resp = conn.try_head().await.unwrap_or_else(|| panic!("closed after {answered} requests"));
        conn.body(&mut resp).await;
        assert_eq!(resp.status, 200);
        answered += 1;
    }
    let quiet = Instant::now();
    assert!(conn.closed_within(read_timeout * 5).await, "the connection stayed open once quiet");
    let closed_after = quiet.elapsed();
    assert!(closed_after >= read_timeout * 9 / 10, "closed {closed_after:?} after the last answer");
}

/// A body whose second half comes after a pause (well inside the read timeout) is waited for and
/// read whole: nothing is answered from the first half, and the answer comes once the rest is in.
#[tokio::test]
async fn a_body_arriving_in_two_parts_is_waited_for_and_read_whole() {
    let f = start(slow_options(Duration::from_secs(5))).await;
    let params =
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}});
    let body = request(1, "initialize", params).to_string();
    let (first, second) = body.split_at(body.len() / 2);
    let mut raw = RawConn::open(f.s.addr).await;
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    );
    assert!(raw.write(head.as_bytes()).await);
    let (early, closed) = raw.read_until_closed(Duration::from_millis(300)).await;
    assert!(early.is_empty() && !closed, "answered half a body: {}", String::from_utf8_lossy(&early));
    assert!(raw.write(second.as_bytes()).await);
    let (got, _) = raw.read_until_closed(Duration::from_secs(1)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains(r#""protocolVersion":"2025-11-25""#), "{text}");
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_gets_408_at_the_read_timeout() {
    let f = start(slow_options(Duration::from_secs(1))).await;
    // The SSE transport's message path reads bodies the same way.
    let sse =
        start(RunOptions { transport: mcpgen_runtime::Transport::Sse, ..slow_options(Duration::from_secs(1)) }).await;
    let (mut sse_stream, head) = req("GET", "/sse").header("Accept", "text/event-stream").open(sse.s.addr).await;
    assert_eq!(head.status, 200);
    let endpoint = sse_stream.read_until("\n\n").await;
    let endpoint = endpoint.trim().strip_prefix("event: endpoint\ndata: ").unwrap().to_string();
    let baseline = baseline_tasks(f.s.addr).await;
    for (addr, path) in [(f.s.addr, "/mcp"), (sse.s.addr, endpoint.as_str())] {
        let started = Instant::now();
        let mut raw = RawConn::open(addr).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
        );
        assert!(raw.write(head.as_bytes()).await);
        let mut got = Vec::new();
        for _ in 0..100 {
            if !raw.write(b" ").await {
                break;
            }
            let (bytes, closed) = raw.read_until_closed(Duration::from_millis(100)).await;
            got.extend(bytes);
            if closed || !got.is_empty() {
                break;
            }
        }
        let (rest, _) = raw.read_until_closed(Duration::from_secs(2)).await;
        got.extend(rest);
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 408"), "{path}: {text}");
        assert!(text.contains("-32600") && text.contains("1s"), "{path}: {text}");
        assert!(started.elapsed() < Duration::from_secs(8), "{path}: took {:?}", started.elapsed());
    }
    let left = settle_tasks(baseline, Duration::from_secs(5)).await;
    assert!(left <= baseline, "tasks: {left} now, {baseline} before");
}

#[tokio::test]
async fn long_lived_streams_outlive_the_read_timeout() {
    let f = start(slow_options(Duration::from_millis(500))).await;
    let id = open_session(f.s.addr, "/mcp", LEGACY).await;
    let (mut stream, head) =
        req("GET", "/mcp").header("Accept", "text/event-stream").header("Mcp-Session-Id", &id).open(f.s.addr).await;
    assert_eq!(head.status, 200);
    let (mut waiting, head) =
        post("/mcp", &call(5, "wait", json!({"ms": 2500}))).header("Mcp-Session-Id", &id).open(f.s.addr).await;
    assert_eq!(head.status, 200);
    let started = Instant::now();
    let mut keep_alives = 0;
    while started.elapsed() < Duration::from_secs(2) {
        let chunk = stream.next_chunk().await.expect("the GET stream stays open");
        keep_alives += String::from_utf8_lossy(&chunk).matches(": keep-alive").count();
    }
    assert!(keep_alives >= 3, "{keep_alives} keep-alives in 2 s");
    let text = waiting.read_until("waited").await;
    assert!(text.contains("\"id\":5"), "{text}");

    // A silent answer that takes longer than the read timeout: nothing is streamed meanwhile.
    let quiet = start(RunOptions { json_response: true, ..slow_options(Duration::from_millis(500)) }).await;
    let id = open_session(quiet.s.addr, "/mcp", LEGACY).await;
    let resp =
        post("/mcp", &call(6, "wait", json!({"ms": 1500}))).header("Mcp-Session-Id", &id).send(quiet.s.addr).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["result"]["content"][0]["text"], json!("waited"));
}

#[tokio::test]
async fn hundreds_of_slow_clients_do_not_starve_a_normal_one() {
    let f = start(slow_options(Duration::from_secs(2))).await;
    let tasks_before = baseline_tasks(f.s.addr).await;
    let mut baseline = Latencies::default();
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(modern_post("/mcp", 1, "server/discover", json!({})).send(f.s.addr).await.status, 200);
        baseline.push(t.elapsed());
    }
    let slow_count = knob("MCPGEN_SLOW_CLIENTS", 300);
    let mut slow = Vec::new();
    for i in 0..slow_count {
        let mut raw = RawConn::open(f.s.addr).await;
        // Half stall in the head, half in the body.
        let partial = if i % 2 == 0 {
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a".to_string()
        } else {
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
                .to_string()
        };
        raw.write(partial.as_bytes()).await;
        slow.push(raw);
    }
    let mut during = Latencies::default();
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(modern_post("/mcp", 1, "server/discover", json!({})).send(f.s.addr).await.status, 200);
        during.push(t.elapsed());
    }
    let bound = latency_bound(&baseline);
    assert!(Duration::from_micros(during.max()) < bound, "baseline {} vs {}", baseline.summary(), during.summary());
    // Every slow connection is let go.
    let waits = slow.iter_mut().map(|raw| raw.read_until_closed(Duration::from_secs(10)));
    let closed = futures::future::join_all(waits).await.into_iter().filter(|(_, closed)| *closed).count();
    assert_eq!(closed as u64, slow_count, "every slow client was disconnected");
    drop(slow);
    let left = settle_tasks(tasks_before, Duration::from_secs(5)).await;
    assert!(left <= tasks_before, "tasks: {left} now, {tasks_before} before");
    support::figure(
        "slow_loris",
        format!(
            "{slow_count} slow clients cut off; normal client latency before {}, during {}",
            baseline.summary(),
            during.summary()
        ),
    );
}

// ---------- Clients that vanish ----------

#[tokio::test]
async fn clients_that_disconnect_mid_body_leave_nothing_behind() {
    let f = start(RunOptions::http()).await;
    let sse = start(RunOptions::sse()).await;
    let (_sse_stream, head) = req("GET", "/sse").header("Accept", "text/event-stream").open(sse.s.addr).await;
    assert_eq!(head.status, 200);
    let baseline = baseline_tasks(f.s.addr).await;
    for i in 0..100 {
        let mut raw = RawConn::open(f.s.addr).await;
        let partial = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
             Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"jsonrpc\":\"2.0\",\"id\":{i}"
        );
        raw.write(partial.as_bytes()).await;
        drop(raw);
    }
    let left = settle_tasks(baseline, Duration::from_secs(5)).await;
    assert!(left <= baseline, "tasks: {left} now, {baseline} before");
    assert_eq!(f.handle_sessions(), 0, "no half-sent initialize opened a session");
    assert_eq!(post("/mcp", &initialize(LEGACY)).send(f.s.addr).await.status, 200);
}

#[tokio::test]
async fn a_modern_request_whose_client_vanishes_is_cancelled() {
    // A long keep-alive: the server is still deciding between JSON and a stream when the client goes.
    let f = start(RunOptions { keep_alive: Duration::from_secs(60), ..RunOptions::http() }).await;
    let baseline = baseline_tasks(f.s.addr).await;
    for i in 0..20 {
        let (conn, head) = modern_post("/mcp", i, "tools/call", json!({"name": "slow", "arguments": {}}))
            .open_without_head(f.s.addr)
            .await;
        assert!(head.is_none());
        // Leave once the call is running.
        assert_eq!(Seen::reach(&f.seen.slow_started, i as usize + 1).await, i as usize + 1);
        drop(conn);
    }
    assert_eq!(Seen::reach(&f.seen.slow_dropped, 20).await, 20, "every abandoned call was cancelled");
    let left = settle_tasks(baseline, Duration::from_secs(5)).await;
    assert!(left <= baseline, "tasks: {left} now, {baseline} before");
}

#[tokio::test]
async fn a_legacy_request_whose_client_vanishes_still_completes_and_its_session_carries_on() {
    let f = start(RunOptions::http()).await;
    let id = open_session(f.s.addr, "/mcp", LEGACY).await;
    let baseline = baseline_tasks(f.s.addr).await;
    for i in 0..20 {
        let (conn, _) = post("/mcp", &call(i, "wait", json!({"ms": 200})))
            .header("Mcp-Session-Id", &id)
            .open_without_head(f.s.addr)
            .await;
        // Leave once the call is running.
        assert_eq!(Seen::reach(&f.seen.waits_started, i as usize + 1).await, i as usize + 1);
        drop(conn);
    }
    // The spec: a disconnect is not a cancellation in a session. Each call still runs to the end.
    assert_eq!(Seen::reach(&f.seen.waits_finished, 20).await, 20);
    let left = settle_tasks(baseline, Duration::from_secs(5)).await;
    assert!(left <= baseline, "tasks: {left} now, {baseline} before");
    let again = post("/mcp", &call(99, "hello", json!({"name": "again"}))).header("Mcp-Session-Id", &id);
    assert_eq!(again.send(f.s.addr).await.json()["result"]["content"][0]["text"], json!("Hello, again!"));
}

trait OpenWithoutHead {
    /// Sends the request and returns the connection at once, without waiting for an answer.
    async fn open_without_head(&self, addr: std::net::SocketAddr) -> (Conn, Option<Resp>);
}

impl OpenWithoutHead for Req {
    async fn open_without_head(&self, addr: std::net::SocketAddr) -> (Conn, Option<Resp>) {
        let mut conn = Conn::open(addr).await;
        conn.write(&self.bytes()).await;
        (conn, None)
    }
}
