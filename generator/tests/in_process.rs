//! `mcpgen run SPEC` serves a description in-process, from tables made at start-up; `mcpgen run
//! SPEC --compile` serves the generated crate, built. For every OpenAPI fixture both must be the
//! same server: `initialize` and `tools/list` byte for byte in both protocol generations, and the
//! same tool calls giving the same results and making `mcpgen mock` record the same requests.
//! (`corpus/` checks the same over the corpus sample.)

mod common;

use common::mock::MockServer;
use mcpgen_tests::ServerCommand;
use mcpgen_tests::stdio::StdioServer;
use serde_json::{Value, json};
use std::path::Path;

/// The OpenAPI fixtures (manifests are served compiled: their tools are the user's code).
const FIXTURES: &[&str] = &[
    "petstore.yaml",
    "petstore-swagger2.yaml",
    "petstore-3.1.json",
    "everything.yaml",
    "recursive.yaml",
    "hostile.json",
    "hostile-names.yaml",
    "long-running.yaml",
];

/// One fixture after another: the compiled crates of the three petstores share a name, and so a
/// binary path in the shared target dir; `install` copies each one out as soon as it is built.
#[test]
fn in_process_and_compiled_servers_answer_alike() {
    for fixture in FIXTURES {
        compare(&common::fixture(fixture));
    }
}

/// What a server answered, as the bytes it wrote, in the order it was asked.
#[derive(Debug, PartialEq)]
struct Transcript {
    legacy_initialize: String,
    legacy_tools: String,
    modern_discover: String,
    modern_tools: String,
    /// `(tool, result line)` for every tool called.
    calls: Vec<(String, String)>,
    /// What the mock recorded during the calls.
    requests: Vec<Value>,
}

fn compare(spec: &Path) {
    let spec_arg = spec.to_string_lossy().into_owned();
    let installed = mcpgen_tests::mcpgen::run(&["install", "mcp-json", &spec_arg, "--compile", "--print"]);
    assert!(installed.status.success(), "{}", installed.describe());
    let document: Value = serde_json::from_str(&installed.stdout).expect("the entry is JSON");
    let entry = document["mcpServers"].as_object().and_then(|m| m.values().next()).expect("one entry").clone();
    let compiled_binary = entry["command"].as_str().expect("a command").to_string();

    let mock = MockServer::start(spec);
    let base_path =
        mcpgen::mock::Mock::load(&mcpgen::load::Source::Path(spec.to_path_buf())).unwrap().base_path().to_string();
    let base_url = format!("{}{base_path}", mock.root);
    let tail = ["--", "--base-url", base_url.as_str()];

    let compiled = ServerCommand::new(compiled_binary).args(tail);
    let in_process = ServerCommand::new(env!("CARGO_BIN_EXE_mcpgen")).args(["run", &spec_arg]).args(tail);

    let seen_before = mock.requests().len();
    let a = transcript(&compiled, &mock, seen_before);
    let b = transcript(&in_process, &mock, seen_before + a.requests.len());
    let name = spec.file_name().unwrap().to_string_lossy();
    assert!(!a.calls.is_empty(), "{name}: no tool was called");
    assert_same(&name, "initialize (2025-11-25)", &a.legacy_initialize, &b.legacy_initialize);
    assert_same(&name, "tools/list (2025-11-25)", &a.legacy_tools, &b.legacy_tools);
    assert_same(&name, "server/discover (2026-07-28)", &a.modern_discover, &b.modern_discover);
    assert_same(&name, "tools/list (2026-07-28)", &a.modern_tools, &b.modern_tools);
    for ((tool, x), (_, y)) in a.calls.iter().zip(&b.calls) {
        assert_same(&name, &format!("tools/call {tool}"), x, y);
    }
    assert_eq!(a.requests.len(), b.requests.len(), "{name}: the mock saw a different number of requests");
    for (i, (x, y)) in a.requests.iter().zip(&b.requests).enumerate() {
        assert_eq!(x, y, "{name}: request {i} ({}) differs", a.calls.get(i).map_or("", |c| c.0.as_str()));
    }
    assert_eq!(a, b, "{name}");
    mock.stop();
}

/// Drives `server`: each generation on a process of its own, then every tool called once.
fn transcript(server: &ServerCommand, mock: &MockServer, seen_before: usize) -> Transcript {
    let mut legacy = StdioServer::spawn(server);
    let legacy_initialize = raw(&mut legacy, "initialize", initialize_params());
    legacy.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let legacy_tools = raw(&mut legacy, "tools/list", json!({}));

    let mut modern = StdioServer::spawn(server);
    let meta = json!({"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }});
    let modern_discover = raw(&mut modern, "server/discover", meta.clone());
    let modern_tools = raw(&mut modern, "tools/list", meta);
    drop(modern);

    let listed: Value = serde_json::from_str(&legacy_tools).expect("tools/list is JSON");
    let tools = listed["result"]["tools"].as_array().cloned().unwrap_or_default();
    let calls = tools
        .iter()
        .map(|tool| {
            let name = tool["name"].as_str().expect("a name").to_string();
            let arguments = mcpgen::mock::synth::arguments(&tool["inputSchema"]);
            (name.clone(), raw(&mut legacy, "tools/call", json!({"name": name, "arguments": arguments})))
        })
        .collect();
    let requests = mock.requests().split_off(seen_before).into_iter().map(without_boundary).collect();
    Transcript { legacy_initialize, legacy_tools, modern_discover, modern_tools, calls, requests }
}

/// A recorded request with its multipart boundary (random for every request, as it must be)
/// replaced by a fixed one.
fn without_boundary(request: Value) -> Value {
    let content_type = request["headers"]["content-type"].as_str().unwrap_or_default();
    let Some((_, boundary)) = content_type.split_once("boundary=") else { return request };
    let text = request.to_string().replace(boundary, "BOUNDARY");
    serde_json::from_str(&text).expect("still JSON")
}

fn initialize_params() -> Value {
    json!({
        "protocolVersion": mcpgen_tests::stdio::LEGACY_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "mcpgen-tests", "version": "0"}
    })
}

/// The line the server answered a request with, as it wrote it, without the request's id (each
/// transcript numbers its own requests).
fn raw(server: &mut StdioServer, method: &str, params: Value) -> String {
    let response = server.request(method, params);
    let line = server
        .stdout_lines()
        .into_iter()
        .rev()
        .find(|l| serde_json::from_str::<Value>(l).ok().as_ref() == Some(&response))
        .expect("the response was read from one line");
    let id = response["id"].to_string();
    line.replacen(&format!("\"id\":{id},"), "", 1)
}

/// Equal bytes, or a failure naming the first tool (or member) where they part.
fn assert_same(fixture: &str, what: &str, compiled: &str, in_process: &str) {
    if compiled == in_process {
        return;
    }
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let (x, y) = (parse(compiled), parse(in_process));
    let tools = |v: &Value| v["result"]["tools"].as_array().cloned().unwrap_or_default();
    let first = tools(&x).into_iter().zip(tools(&y)).find(|(a, b)| a != b);
    match first {
        Some((a, b)) => panic!(
            "{fixture}: {what}: the first differing tool is `{}`:\ncompiled:   {a}\nin-process: {b}",
            a["name"].as_str().unwrap_or("?")
        ),
        None => {
            let at = compiled.bytes().zip(in_process.bytes()).take_while(|(a, b)| a == b).count();
            let around = |s: &str| s.get(at.saturating_sub(80)..(at + 80).min(s.len())).unwrap_or("").to_string();
            panic!(
                "{fixture}: {what} differs at byte {at}:\ncompiled:   …{}…\nin-process: …{}…",
                around(compiled),
                around(in_process)
            )
        }
    }
}
