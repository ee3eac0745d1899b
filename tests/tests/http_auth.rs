//! Static bearer tokens, as real clients meet them: `examples/hello` over Streamable HTTP and SSE
//! with `MCP_AUTH_TOKENS`, driven by the Python `mcp` client and the MCP Inspector CLI, each
//! sending `Authorization: Bearer ...`; without it, or with another token, the server answers
//! 401 with its challenge. And a server asked to listen beyond loopback without authentication
//! refuses to start, naming what to set.

use mcpgen_tests::python::{Mode, call_tool, list_tools, run_client_with_headers};
use mcpgen_tests::{RunningServer, ServerCommand, Transport, cargo, http, inspector, process};
use serde_json::{Value, json};
use std::time::Duration;

const TOKEN: &str = "e2e-token-5d41402abc4b2a76b9719d911017c592";

fn guarded(transport: Transport) -> RunningServer {
    let tokens = format!("some-other-token-0123456789,{TOKEN}");
    RunningServer::start(&ServerCommand::new(cargo::hello()).env("MCP_AUTH_TOKENS", tokens.as_str()), transport)
}

fn url(server: &RunningServer) -> String {
    match server.endpoint() {
        mcpgen_tests::Endpoint::Url { url, .. } => url.clone(),
        other => panic!("not an HTTP endpoint: {other:?}"),
    }
}

#[test]
fn clients_with_the_token_are_served_and_others_get_the_challenge() {
    let bearer = format!("Authorization: Bearer {TOKEN}");
    for transport in [Transport::Http, Transport::Sse] {
        let server = guarded(transport);
        for mode in [Mode::Auto, Mode::Legacy] {
            if transport == Transport::Sse && mode == Mode::Auto {
                continue;
            }
            let steps = [list_tools(), call_tool("hello", json!({"name": "Ada"}))];
            let s = run_client_with_headers(server.endpoint(), mode, &steps, &[&bearer]);
            assert_eq!(s.result(1)["content"][0]["text"], "Hello, Ada!", "{transport:?} {mode:?}");
        }
        let out = inspector::run_cli(server.endpoint(), &["--header", &bearer, "--method", "tools/list"]);
        assert!(out.status.success(), "{}", out.describe());
        let listed: Value = serde_json::from_str(&out.stdout).expect("JSON");
        assert_eq!(listed["tools"][0]["name"], "hello");
        // Without the header the Inspector reads the challenge as "authorization needed" and stops.
        let out = inspector::run_cli(server.endpoint(), &["--method", "tools/list"]);
        assert!(!out.status.success(), "{}", out.describe());
        assert!(out.stderr.contains("auth_required"), "{}", out.describe());
    }

    let server = guarded(Transport::Http);
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    fn headers(auth: Option<&str>) -> Vec<(&str, &str)> {
        let mut h = vec![("Accept", "application/json, text/event-stream"), ("Content-Type", "application/json")];
        h.extend(auth.map(|a| ("Authorization", a)));
        h
    }
    let missing = http::request("POST", &url(&server), &headers(None), initialize);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer realm=\"mcp\""));
    let wrong = http::request("POST", &url(&server), &headers(Some("Bearer wrong-token-0123456789")), initialize);
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer realm=\"mcp\", error=\"invalid_token\""));
}

#[test]
fn beyond_loopback_without_authentication_the_server_refuses_to_start() {
    // Refused before it binds anything: nothing listens beyond loopback.
    let mut cmd = std::process::Command::new(cargo::hello());
    cmd.args(["--transport", "http", "--host", "0.0.0.0", "--port", "9"]);
    mcpgen_tests::endpoint::without_mcp_env(&mut cmd);
    let out = process::run(&mut cmd, Duration::from_secs(30)).unwrap();
    assert!(!out.status.success(), "{}", out.describe());
    assert!(out.stderr.contains("MCP_AUTH_TOKENS") && out.stderr.contains("--no-auth"), "{}", out.describe());
    // A weak token is refused at start too, saying why.
    let mut cmd = std::process::Command::new(cargo::hello());
    cmd.args(["--transport", "http", "--port", "9"]);
    mcpgen_tests::endpoint::without_mcp_env(&mut cmd).env("MCP_AUTH_TOKENS", "short");
    let out = process::run(&mut cmd, Duration::from_secs(30)).unwrap();
    assert!(!out.status.success());
    assert!(out.stderr.contains("at least 16 characters"), "{}", out.describe());
}
