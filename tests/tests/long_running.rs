//! Long-running API operations (issue 22) end to end: `fixtures/long-running.yaml` (a 202 with a
//! `Location`, an `x-ms-long-running-operation` with `final-state-via: location`, a Google-style
//! `Operation`, an operation marked `x-mcp: {longRunning: true}`) served by `mcpgen run` over
//! Streamable HTTP against `mcpgen mock --long-running-polls 20`, driven by the TypeScript SDK's
//! task-augmented calls (`tests/ts-sdk/long_running_client.mjs`): each polled to completion with
//! the API's final answer as the result, progress on the way, the mock's record showing every
//! poll; a plain call answering as before; cancellation stopping the polling; a task gone after
//! its ttl.

use mcpgen_tests::mcpgen::{self, Listening};
use mcpgen_tests::{http, ports, ts_sdk, workspace};
use serde_json::{Value, json};
use std::time::Duration;

const POLLS: usize = 20;

#[test]
fn long_running_operations_run_as_tasks_to_the_apis_final_answer() {
    let spec = workspace::root().join("fixtures/long-running.yaml").to_string_lossy().into_owned();
    let mock_port = ports::free_port();
    let mock_arg = mock_port.to_string();
    let polls_arg = POLLS.to_string();
    let _mock = Listening::start(
        mcpgen::command(&["mock", &spec, "--port", &mock_arg, "--long-running-polls", &polls_arg]),
        mock_port,
    );
    let port = ports::free_port();
    let port_arg = port.to_string();
    let base_url = format!("http://127.0.0.1:{mock_port}/v1");
    let mut server = Listening::start(
        mcpgen::command(&["run", &spec, "-t", "http", "--port", &port_arg, "--", "--base-url", &base_url]),
        port,
    );
    let mock_root = format!("http://127.0.0.1:{mock_port}");
    let out = ts_sdk::run_script(
        "long_running_client.mjs",
        &[&format!("http://127.0.0.1:{port}/mcp"), &mock_root],
        Duration::from_secs(180),
    );
    let report: Value = serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| {
        server.process.child().kill().ok();
        let (_, _, stderr) = server.wait(Duration::from_secs(10));
        panic!("the client printed no report ({e}): {}\nserver stderr:\n{stderr}", out.describe())
    });
    let r = &report;

    // Recognised: the four long-running operations may run as tasks, the plain GET may not.
    for tool in ["createJob", "exportReport", "trainModel", "importData"] {
        assert_eq!(r["taskSupport"][tool], "optional", "{tool}: {r}");
        assert!(
            r["descriptions"][tool].as_str().unwrap().contains("call it as a task to get the final result"),
            "{tool}: {r}"
        );
        assert_eq!(r["outputSchemas"][tool], Value::Null, "{tool}: no promise that holds for both answers");
    }
    assert_eq!(r["taskSupport"]["getJob"], Value::Null, "{r}");

    // Each ran to the API's final answer (the mock's: the operation's documented 200 example, or
    // the Operation's `response`), reporting progress per poll on the way.
    let finals = [
        ("createJob", json!({"id": "job-1", "state": "finished", "result": 42})),
        ("exportReport", json!({"report": "r-7", "url": "https://files.example.com/r-7.pdf"})),
        ("trainModel", json!({"model": "m-1", "accuracy": 0.9})),
        ("importData", json!({"imported": 1000})),
    ];
    for (tool, expected) in finals {
        let messages = r[tool]["messages"].as_array().unwrap_or_else(|| panic!("{tool}: {r}"));
        assert_eq!(messages[0]["type"], "taskCreated", "{tool}: {r}");
        let last = messages.last().unwrap();
        assert_eq!(last["type"], "result", "{tool}: {r}");
        assert_eq!(last["isError"], false, "{tool}: {r}");
        assert_eq!(last["structured"], expected, "{tool}: {r}");
        assert_eq!(serde_json::from_str::<Value>(last["text"].as_str().unwrap()).unwrap(), expected, "{tool}");
        let progress = r[tool]["progress"].as_array().unwrap();
        assert_eq!(progress.len(), POLLS, "{tool}: a progress notification per running answer: {r}");
        assert!(progress.windows(2).all(|w| w[0].as_f64() < w[1].as_f64()), "{tool}: {r}");
    }
    // The mock saw every poll of createJob: POLLS "still running", then the result.
    assert_eq!(r["createJobPolls"], POLLS + 1, "{r}");

    // Called without a task, the tool answers as before: the API's 202.
    assert_eq!(r["plain"]["isError"], false, "{r}");
    assert!(r["plain"]["text"].as_str().unwrap().contains("Running"), "{r}");

    // Cancelled while polling: the task says so, no result arrives, and the polls stop (one may
    // have been in flight).
    let c = &r["cancelled"];
    assert_eq!(c["status"], "cancelled", "{r}");
    assert!(!c["messages"].as_array().unwrap().iter().any(|m| m["type"] == "result"), "{r}");
    let (at_cancel, later) = (c["atCancel"].as_u64().unwrap(), c["later"].as_u64().unwrap());
    assert!(at_cancel >= c["pollsBefore"].as_u64().unwrap() + 2, "it was polling: {r}");
    assert!(later <= at_cancel + 1, "polls after the cancellation: {at_cancel} then {later}");

    // Past its ttl the task is gone: tasks/get is an error.
    let e = &r["expired"];
    assert_eq!(e["last"]["type"], "result", "{r}");
    assert_eq!(e["during"], "completed", "{r}");
    assert!(e["after"]["code"].is_i64(), "tasks/get after the ttl must fail: {r}");

    // The mock's record: exportReport's status monitor then its Location, never another origin.
    let (status, body) = http::get(&format!("{mock_root}/__mcpgen/requests"));
    assert_eq!(status, 200, "{body}");
    let recorded: Value = serde_json::from_str(&body).unwrap();
    let paths: Vec<&str> = recorded
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["operation"] == "exportReport (poll)")
        .map(|q| q["path"].as_str().unwrap())
        .collect();
    assert!(paths.len() >= 2 * (POLLS + 2), "two exports, each {POLLS} + 2 requests: {paths:?}");
    assert!(paths[..POLLS + 1].iter().all(|p| p.ends_with("/status")), "{paths:?}");
    assert!(!paths[POLLS + 1].ends_with("/status"), "final-state-via location: {paths:?}");
}

/// A 2026-07-28 request's answer: the JSON body, or the last JSON-RPC message of an SSE body.
fn answer_of(response: &http::Response) -> Value {
    let body = response.body.trim();
    if body.starts_with('{') {
        return serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    }
    let last = body.lines().rev().filter_map(|l| l.strip_prefix("data:")).find(|d| !d.trim().is_empty());
    serde_json::from_str(last.unwrap_or_else(|| panic!("no message in: {body}")).trim()).unwrap()
}

/// The 2026-07-28 generation, which no real client here speaks tasks in (the conformance suite
/// covers the runtime's tasks; see ../shared/CLIENTS.md): over raw HTTP to a stateless
/// `mcpgen run`, a long-running call from a client that declares the tasks extension becomes a
/// task at once, and `tasks/get` polled until it completes inlines the API's final answer.
#[test]
fn in_the_2026_07_28_generation_a_long_running_call_becomes_a_task_polled_to_the_final_answer() {
    let spec = workspace::root().join("fixtures/long-running.yaml").to_string_lossy().into_owned();
    let mock_port = ports::free_port();
    let mock_arg = mock_port.to_string();
    let _mock = Listening::start(
        mcpgen::command(&["mock", &spec, "--port", &mock_arg, "--long-running-polls", "5"]),
        mock_port,
    );
    let port = ports::free_port();
    let port_arg = port.to_string();
    let base_url = format!("http://127.0.0.1:{mock_port}/v1");
    let _server = Listening::start(
        mcpgen::command(&[
            "run",
            &spec,
            "-t",
            "http",
            "--port",
            &port_arg,
            "--stateless",
            "--",
            "--base-url",
            &base_url,
        ]),
        port,
    );
    let url = format!("http://127.0.0.1:{port}/mcp");
    let modern = |id: u64, method: &str, name: &str, mut params: Value| {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}}
        });
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        let headers = [
            ("Accept", "application/json, text/event-stream"),
            ("Content-Type", "application/json"),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", method),
            ("Mcp-Name", name),
        ];
        answer_of(&http::request("POST", &url, &headers, &body))
    };
    let created = modern(1, "tools/call", "createJob", json!({"name": "createJob", "arguments": {"name": "nightly"}}));
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"].as_str().unwrap_or_else(|| panic!("{created}")).to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let done = loop {
        let got = modern(2, "tasks/get", &id, json!({"taskId": id}));
        let status = got["result"]["status"].as_str().unwrap_or_else(|| panic!("{got}")).to_string();
        if status != "working" {
            break got;
        }
        assert!(std::time::Instant::now() < deadline, "still working after 60 s: {got}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(done["result"]["status"], "completed", "{done}");
    assert_eq!(
        done["result"]["result"]["structuredContent"],
        json!({"id": "job-1", "state": "finished", "result": 42}),
        "{done}"
    );
}
