//! The STDIO transport, spoken raw: JSON lines written to the server's stdin, its stdout read
//! line by line. `examples/hello` where it suffices; the fixture server (src/bin/fixture_server.rs)
//! for a slow tool.

use mcpgen_tests::stdio::StdioServer;
use mcpgen_tests::{ServerCommand, cargo};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn hello() -> StdioServer {
    StdioServer::spawn(&ServerCommand::new(cargo::hello()))
}

fn fixture(args: &[&str]) -> StdioServer {
    StdioServer::spawn(&ServerCommand::new(env!("CARGO_BIN_EXE_fixture_server")).args(args.iter().copied()))
}

fn call(server: &mut StdioServer, tool: &str, arguments: Value) -> Value {
    let response = server.request("tools/call", json!({"name": tool, "arguments": arguments}));
    response.get("result").cloned().unwrap_or_else(|| panic!("tools/call {tool} failed: {response}"))
}

fn assert_hello_works(server: &mut StdioServer) {
    let result = call(server, "hello", json!({"name": "still here"}));
    assert_eq!(result["content"][0]["text"], "Hello, still here!");
}

/// The fixture's counts of `slow` calls.
fn stats(server: &mut StdioServer) -> Value {
    call(server, "stats", json!({}))["structuredContent"].clone()
}

/// Polls `stats` until `done` holds for them, at most 10 s.
fn wait_for_stats(server: &mut StdioServer, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = stats(server);
        if done(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "{what}: stats stayed {s}; stderr:\n{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn stdout_carries_only_json_rpc_and_logs_go_to_stderr() {
    let mut server = fixture(&["--log-level", "debug"]);
    server.initialize();
    server.request("tools/list", json!({}));
    call(&mut server, "slow", json!({"seconds": 0}));
    server.request("tools/call", json!({"name": "missing", "arguments": {}}));
    server.send_raw(b"this is not json\n");
    server.request("ping", json!({}));
    server.close_stdin();
    let status = server.wait(Duration::from_secs(10)).expect("the server exits at EOF");
    assert!(status.success(), "{status}; stderr:\n{}", server.stderr());

    let lines = server.stdout_lines();
    // initialize, tools/list, slow, missing, the parse error, ping: one line each, nothing else.
    assert_eq!(lines.len(), 6, "stdout: {lines:#?}");
    for line in &lines {
        let message: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        assert!(message.get("result").is_some() != message.get("error").is_some(), "{line}");
    }
    let stderr = server.stderr();
    assert!(stderr.contains("serving MCP over STDIO"), "the runtime logs to stderr: {stderr}");
    assert!(stderr.contains("slow call sleeping"), "a handler's tracing logs go to stderr: {stderr}");
    assert!(stderr.contains("DEBUG"), "--log-level debug shows debug logs: {stderr}");
}

#[test]
fn malformed_lines_get_errors_and_the_server_keeps_going() {
    let mut server = hello();
    server.initialize();
    for (line, code) in [
        (&b"{not json\n"[..], -32700),
        (b"\xff\xfe garbage \xc3\x28\n", -32700),
        (b"[1, 2]\n", -32600),
        (b"{\"jsonrpc\": \"2.0\", \"id\": null, \"method\": \"ping\"}\n", -32600),
    ] {
        server.send_raw(line);
        let reply = server
            .next_message(Duration::from_secs(10))
            .unwrap_or_else(|| panic!("no reply to {:?}; stderr:\n{}", String::from_utf8_lossy(line), server.stderr()));
        assert_eq!(reply["error"]["code"], code, "{reply}");
        assert_eq!(reply["id"], Value::Null, "{reply}");
        assert_hello_works(&mut server);
    }
    // An invalid request whose id is readable is answered with that id.
    server.send_raw(b"{\"jsonrpc\": \"1.0\", \"id\": 41, \"method\": \"ping\"}\n");
    let reply = server.response(&json!(41), Duration::from_secs(10));
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    assert_hello_works(&mut server);
}

#[test]
fn an_oversized_line_gets_an_error_and_the_server_keeps_going() {
    let mut server = hello();
    server.initialize();
    // Over the 4 MiB default limit: a valid request whose argument is 5 MiB long.
    let name = "x".repeat(5 * 1024 * 1024);
    let request = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                         "params": {"name": "hello", "arguments": {"name": name}}});
    server.send(&request);
    let reply = server.next_message(Duration::from_secs(30)).expect("an error for the oversized line");
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    assert_eq!(reply["id"], Value::Null, "the id was never read: {reply}");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(message.contains("limit"), "{message}");
    assert!(server.try_response(&json!(7), Duration::from_millis(200)).is_none(), "the request itself was discarded");
    assert_hello_works(&mut server);
}

#[test]
fn a_slow_call_does_not_block_ping_or_other_calls() {
    let mut server = fixture(&[]);
    server.initialize();
    let slow = server.send_request("tools/call", json!({"name": "slow", "arguments": {"seconds": 5}}));
    let started = Instant::now();
    let ping = server.request("ping", json!({}));
    assert_eq!(ping["result"], json!({}), "{ping}");
    assert!(started.elapsed() < Duration::from_secs(2), "ping waited {:?} behind the slow call", started.elapsed());

    // Two 1 s calls run side by side with each other and with the 5 s one.
    let sent = Instant::now();
    let quick: Vec<Value> = (0..2)
        .map(|_| server.send_request("tools/call", json!({"name": "slow", "arguments": {"seconds": 1}})))
        .collect();
    for id in &quick {
        let reply = server.response(id, Duration::from_secs(10));
        assert_eq!(reply["result"]["content"][0]["text"], "slept 1s", "{reply}");
    }
    assert!(sent.elapsed() < Duration::from_millis(1800), "two 1 s calls took {:?}: not concurrent", sent.elapsed());
    let reply = server.response(&slow, Duration::from_secs(10));
    assert_eq!(reply["result"]["content"][0]["text"], "slept 5s", "{reply}");

    // On stdout, the answers came in the order the calls finished, not the order they were sent.
    let position = |id: &Value| {
        server.stdout_lines().iter().position(|l| serde_json::from_str::<Value>(l).is_ok_and(|m| m["id"] == *id))
    };
    assert!(quick.iter().all(|id| position(id) < position(&slow)), "stdout:\n{:#?}", server.stdout_lines());
    assert_eq!(stats(&mut server), json!({"started": 3, "completed": 3, "abandoned": 0}));
}

#[test]
fn a_cancelled_call_stops_and_gets_no_response() {
    let mut server = fixture(&[]);
    server.initialize();
    let slow = server.send_request("tools/call", json!({"name": "slow", "arguments": {"seconds": 60}}));
    wait_for_stats(&mut server, "the slow call starts", |s| s["started"] == 1);
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                        "params": {"requestId": slow, "reason": "the test changed its mind"}}));
    let s = wait_for_stats(&mut server, "the slow call is stopped", |s| s["abandoned"] == 1);
    assert_eq!(s["completed"], 0, "{s}");
    assert!(server.try_response(&slow, Duration::from_millis(500)).is_none(), "a cancelled request gets no response");
    assert_eq!(server.request("ping", json!({}))["result"], json!({}));
    server.close_stdin();
    assert!(server.wait(Duration::from_secs(10)).is_some_and(|s| s.success()));
    let answered = server
        .stdout_lines()
        .iter()
        .any(|l| serde_json::from_str::<Value>(l).is_ok_and(|m| m["id"] == slow && m.get("method").is_none()));
    assert!(!answered, "no response for the cancelled request ever reached stdout");
}

#[test]
fn stdin_eof_ends_the_server_promptly_with_exit_0() {
    // Right after start, before any message.
    let mut server = hello();
    let started = Instant::now();
    server.close_stdin();
    let status = server.wait(Duration::from_secs(10)).expect("the server exits at EOF");
    assert!(status.success(), "{status}; stderr:\n{}", server.stderr());
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());

    // After a session.
    let mut server = hello();
    server.initialize();
    assert_hello_works(&mut server);
    let started = Instant::now();
    server.close_stdin();
    let status = server.wait(Duration::from_secs(10)).expect("the server exits at EOF");
    assert!(status.success(), "{status}; stderr:\n{}", server.stderr());
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[test]
fn at_eof_in_flight_calls_finish_and_stuck_ones_end_after_the_grace_period() {
    let mut server = fixture(&[]);
    server.initialize();
    let quick = server.send_request("tools/call", json!({"name": "slow", "arguments": {"seconds": 0.5}}));
    server.close_stdin();
    let reply = server.response(&quick, Duration::from_secs(10));
    assert_eq!(reply["result"]["content"][0]["text"], "slept 0.5s", "{reply}");
    assert!(server.wait(Duration::from_secs(10)).is_some_and(|s| s.success()), "stderr:\n{}", server.stderr());

    let mut server = fixture(&[]);
    server.initialize();
    let stuck = server.send_request("tools/call", json!({"name": "slow", "arguments": {"seconds": 600}}));
    wait_for_stats(&mut server, "the stuck call starts", |s| s["started"] == 1);
    let started = Instant::now();
    server.close_stdin();
    // The runtime's grace period is 5 s.
    let status = server.wait(Duration::from_secs(15)).expect("the server gives up on the stuck call");
    assert!(status.success(), "{status}; stderr:\n{}", server.stderr());
    assert!(started.elapsed() < Duration::from_secs(9), "took {:?}", started.elapsed());
    assert!(server.try_response(&stuck, Duration::ZERO).is_none());
    assert!(server.stderr().contains("slow call abandoned"), "the handler was stopped: {}", server.stderr());
}
