//! The official Python MCP client (`mcp` 2.3.0) against `examples/hello`, in its default `auto`
//! mode (which must negotiate 2026-07-28) and in `legacy` mode (the `initialize` handshake).
//!
//! The `*_negotiates_*` tests run the four checks on one connection: tools listing, a
//! successful call, an unknown tool (-32602), invalid arguments (an `isError` result listing every
//! violation). The `*_cancellation_*` tests let the client give up on a slow call of the fixture
//! server and check that the server stopped the handler.
//! Each runs over STDIO, Streamable HTTP and SSE; over HTTP the server's `/health` route is read
//! too, and `examples/mounted` (the app nested in another axum application) is driven the same way.

use mcpgen_tests::python::{self, Mode, Session};
use mcpgen_tests::{RunningServer, ServerCommand, Transport, cargo, http};
use serde_json::{Value, json};

/// The steps every session runs, in this order, then `extra`.
fn hello_session(transport: Transport, mode: Mode, extra: &[Value]) -> Session {
    session_with(&ServerCommand::new(cargo::hello()), "/health", transport, mode, extra)
}

/// Runs the hello steps against `command`; over HTTP and SSE also reads `health` (a path on the
/// server's own address) and checks it answers `OK`.
fn session_with(command: &ServerCommand, health: &str, transport: Transport, mode: Mode, extra: &[Value]) -> Session {
    let server = RunningServer::start(command, transport);
    let mut steps = vec![
        python::list_tools(),
        python::call_tool("hello", json!({"name": "Ada Lovelace ✓"})),
        python::call_tool("no_such_tool", json!({"name": "x"})),
        python::call_tool("hello", json!({"name": 42, "extra": true})),
        python::call_tool("hello", json!({})),
    ];
    steps.extend_from_slice(extra);
    let session = python::run_client(server.endpoint(), mode, &steps);
    if let Some(base) = server.base_url() {
        assert_eq!(http::get(&format!("{base}{health}")), (200, "OK".to_string()), "GET {health}");
    }
    session
}

fn text_of(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text content in {result}"))
}

/// What must hold whatever the protocol generation, for a server named `name`.
fn check_hello_session(s: &Session, name: &str) {
    let t = &s.transcript;
    assert_eq!(s.server_info["name"], name, "{t}");
    assert!(s.server_info["version"].as_str().is_some_and(|v| !v.is_empty()), "{t}");
    assert!(s.capabilities.get("tools").is_some(), "the server must declare tools: {t}");

    let tools = s.result(0)["tools"].as_array().expect("tools/list has tools");
    assert_eq!(tools.len(), 1, "{t}");
    let hello = &tools[0];
    assert_eq!(hello["name"], "hello");
    assert_eq!(hello["description"], "Say hello to someone");
    assert_eq!(hello["inputSchema"]["type"], "object");
    assert_eq!(hello["inputSchema"]["properties"]["name"]["type"], "string");
    assert_eq!(hello["inputSchema"]["required"], json!(["name"]));
    assert_eq!(hello["annotations"]["readOnlyHint"], true);

    let call = s.result(1);
    assert_eq!(text_of(call), "Hello, Ada Lovelace ✓!", "{t}");
    assert_ne!(call.get("isError"), Some(&json!(true)), "{t}");

    let unknown = s.error(2);
    assert_eq!(unknown["code"], -32602, "{t}");
    assert!(unknown["message"].as_str().unwrap().contains("no_such_tool"), "{t}");

    let wrong_type = s.result(3);
    assert_eq!(wrong_type["isError"], true, "{t}");
    let message = text_of(wrong_type);
    assert!(message.contains("/name") && message.contains("string"), "the violation names the field: {message}");

    let missing = s.result(4);
    assert_eq!(missing["isError"], true, "{t}");
    let message = text_of(missing);
    assert!(message.contains("\"name\"") && message.contains("required"), "the violation names the field: {message}");
}

fn check_auto_session(s: &Session, name: &str) {
    assert_eq!(s.protocol_version, "2026-07-28", "{}", s.transcript);
    check_hello_session(s, name);
    // 2026-07-28 results carry `resultType`, and list results their cache hints.
    assert_eq!(s.result(0)["resultType"], "complete", "{}", s.transcript);
    assert!(s.result(0)["ttlMs"].is_u64(), "{}", s.transcript);
    assert_eq!(s.result(1)["resultType"], "complete", "{}", s.transcript);
}

#[test]
fn auto_mode_negotiates_2026_07_28_over_stdio() {
    check_auto_session(&hello_session(Transport::Stdio, Mode::Auto, &[]), "hello");
}

#[test]
fn auto_mode_negotiates_2026_07_28_over_http() {
    check_auto_session(&hello_session(Transport::Http, Mode::Auto, &[]), "hello");
}

#[test]
fn auto_mode_negotiates_2026_07_28_over_sse() {
    check_auto_session(&hello_session(Transport::Sse, Mode::Auto, &[]), "hello");
}

#[test]
fn auto_mode_against_the_mounted_app_over_http() {
    let mounted = ServerCommand::new(cargo::binary("mounted", "mounted")).mounted_at("/api");
    check_auto_session(&session_with(&mounted, "/api/health", Transport::Http, Mode::Auto, &[]), "mounted");
}

#[test]
fn legacy_mode_against_the_mounted_app_over_sse() {
    let mounted = ServerCommand::new(cargo::binary("mounted", "mounted")).mounted_at("/api");
    let s = session_with(&mounted, "/api/health", Transport::Sse, Mode::Legacy, &[]);
    check_hello_session(&s, "mounted");
}

#[test]
fn legacy_mode_negotiates_a_handshake_version_over_stdio() {
    check_legacy_session(Transport::Stdio);
}

#[test]
fn legacy_mode_negotiates_a_handshake_version_over_http() {
    check_legacy_session(Transport::Http);
}

#[test]
fn legacy_mode_negotiates_a_handshake_version_over_sse() {
    check_legacy_session(Transport::Sse);
}

fn check_legacy_session(transport: Transport) {
    let s = hello_session(transport, Mode::Legacy, &[json!({"op": "ping"})]);
    // The client offers its newest handshake version; the server supports it and echoes it.
    assert_eq!(s.protocol_version, "2025-11-25", "{}", s.transcript);
    check_hello_session(&s, "hello");
    // Legacy results carry none of the 2026-07-28 fields.
    assert!(s.result(0).get("resultType").is_none(), "{}", s.transcript);
    assert!(s.result(1).get("resultType").is_none(), "{}", s.transcript);
    // `ping`, which 2026-07-28 removed.
    assert_eq!(s.result(5), &json!({}), "{}", s.transcript);
}

/// The client giving up on a call (it sends `notifications/cancelled`) stops the server's handler.
fn cancelled_call(mode: Mode, transport: Transport) {
    let fixture = ServerCommand::new(env!("CARGO_BIN_EXE_fixture_server"));
    let server = RunningServer::start(&fixture, transport);
    let s = python::run_client(
        server.endpoint(),
        mode,
        &[
            json!({"op": "call_tool", "name": "slow", "arguments": {"seconds": 60}, "cancelAfter": 1.0}),
            // The cancellation is a notification: give the server a moment to act on it.
            json!({"op": "sleep", "seconds": 0.5}),
            python::call_tool("stats", json!({})),
        ],
    );
    assert_eq!(s.result(0), &json!({"cancelled": true}), "{}", s.transcript);
    assert_eq!(
        s.result(2)["structuredContent"],
        json!({"started": 1, "completed": 0, "abandoned": 1}),
        "the handler was stopped: {}",
        s.transcript
    );
}

#[test]
fn auto_mode_cancellation_stops_the_call_over_stdio() {
    cancelled_call(Mode::Auto, Transport::Stdio);
}

#[test]
fn legacy_mode_cancellation_stops_the_call_over_stdio() {
    cancelled_call(Mode::Legacy, Transport::Stdio);
}

#[test]
fn auto_mode_cancellation_stops_the_call_over_http() {
    cancelled_call(Mode::Auto, Transport::Http);
}

#[test]
fn legacy_mode_cancellation_stops_the_call_over_http() {
    cancelled_call(Mode::Legacy, Transport::Http);
}
