//! The MCP Inspector CLI (`@modelcontextprotocol/inspector --cli`, pinned in `tests/inspector/`)
//! against `examples/hello`: tools listing, a successful call, an unknown tool, invalid arguments.
//!
//! The Inspector speaks the legacy generation (`initialize`, 2025-11-25) and prints the result
//! as JSON on stdout; on failure it exits non-zero with a JSON error envelope on stderr.
//! Listing and calling run over STDIO, Streamable HTTP and SSE.

use mcpgen_tests::inspector;
use mcpgen_tests::process::Output;
use mcpgen_tests::{RunningServer, ServerCommand, Transport, cargo};
use serde_json::{Value, json};

/// The Inspector's exit code for a tool that is unknown or returned `isError`.
const TOOL_ERROR: i32 = 5;

fn inspect(transport: Transport, args: &[&str]) -> Output {
    let server = RunningServer::start(&ServerCommand::new(cargo::hello()), transport);
    inspector::run_cli(server.endpoint(), args)
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", out.describe()))
}

/// The Inspector's `{"error": {"code": ..., "message": ...}}` line on stderr.
fn error_envelope(out: &Output) -> Value {
    out.stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|v| v.get("error").is_some())
        .unwrap_or_else(|| panic!("no error envelope on stderr: {}", out.describe()))
}

fn lists_tools(transport: Transport) {
    let out = inspect(transport, &["--method", "tools/list"]);
    out.assert_success();
    let tools = stdout_json(&out)["tools"].clone();
    assert_eq!(tools.as_array().map(Vec::len), Some(1), "{}", out.describe());
    assert_eq!(tools[0]["name"], "hello");
    assert_eq!(tools[0]["inputSchema"]["required"], json!(["name"]));
}

fn calls_a_tool(transport: Transport) {
    let out =
        inspect(transport, &["--method", "tools/call", "--tool-name", "hello", "--tool-arg", "name=Grace Hopper"]);
    out.assert_success();
    let result = stdout_json(&out);
    assert_eq!(result["content"][0]["text"], "Hello, Grace Hopper!", "{}", out.describe());
    assert_ne!(result.get("isError"), Some(&json!(true)));
}

#[test]
fn lists_tools_over_stdio() {
    lists_tools(Transport::Stdio);
}

#[test]
fn lists_tools_over_http() {
    lists_tools(Transport::Http);
}

#[test]
fn lists_tools_over_sse() {
    lists_tools(Transport::Sse);
}

#[test]
fn calls_a_tool_over_stdio() {
    calls_a_tool(Transport::Stdio);
}

#[test]
fn calls_a_tool_over_http() {
    calls_a_tool(Transport::Http);
}

#[test]
fn calls_a_tool_over_sse() {
    calls_a_tool(Transport::Sse);
}

/// The Inspector checks the name against the server's `tools/list` before calling, so this
/// proves the listing holds nothing else; the server's own -32602 is covered by the Python client.
#[test]
fn an_unknown_tool_is_an_error_over_stdio() {
    let out = inspect(Transport::Stdio, &["--method", "tools/call", "--tool-name", "no_such_tool"]);
    assert_eq!(out.code(), Some(TOOL_ERROR), "{}", out.describe());
    let envelope = error_envelope(&out);
    assert_eq!(envelope["error"]["code"], "tool_not_found", "{}", out.describe());
    assert!(envelope["error"]["message"].as_str().unwrap().contains("no_such_tool"));
}

#[test]
fn invalid_arguments_are_an_is_error_result_naming_each_violation_over_stdio() {
    // The Inspector sends `42` as a number: the wrong type for `name`.
    let out = inspect(Transport::Stdio, &["--method", "tools/call", "--tool-name", "hello", "--tool-arg", "name=42"]);
    assert_eq!(out.code(), Some(TOOL_ERROR), "{}", out.describe());
    let result = stdout_json(&out);
    assert_eq!(result["isError"], true, "{}", out.describe());
    let text = result["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("/name") && text.contains("42") && text.contains("string"), "{text}");
    assert_eq!(error_envelope(&out)["error"]["code"], "tool_is_error");

    let out = inspect(Transport::Stdio, &["--method", "tools/call", "--tool-name", "hello"]);
    assert_eq!(out.code(), Some(TOOL_ERROR), "{}", out.describe());
    let text = stdout_json(&out)["content"][0]["text"].as_str().unwrap().to_string();
    assert!(text.contains("\"name\"") && text.contains("required"), "{text}");
}
