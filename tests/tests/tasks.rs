//! 2025-11-25 tasks through a real client: the TypeScript SDK's `callToolStream` (pinned in
//! `tests/ts-sdk/`, driven by `tasks_client.mjs`) against `examples/everything` over Streamable
//! HTTP: task creation, polling, the result, a failed task, cancellation, listing, progress
//! tied to the task, a task that asks the user through an elicitation; and over STDIO, spoken
//! raw. (The 2026-07-28 tasks extension is exercised by the conformance suite's
//! `tasks-*` scenarios: `scripts/conformance 2026-07-28`.)

use mcpgen_tests::{Endpoint, RunningServer, ServerCommand, Transport, cargo, ts_sdk};
use serde_json::{Value, json};
use std::time::Duration;

#[test]
fn the_typescript_sdk_runs_tools_as_tasks_over_streamable_http() {
    let mut server =
        RunningServer::start(&ServerCommand::new(cargo::binary("everything", "everything")), Transport::Http);
    let Endpoint::Url { url, .. } = server.endpoint().clone() else { unreachable!("an HTTP server has a URL") };
    let out = ts_sdk::run_script("tasks_client.mjs", &[&url], Duration::from_secs(120));
    let report: Value = serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| {
        panic!("the client printed no report ({e}): {}\nserver: {}", out.describe(), server.stop())
    });
    let r = &report;

    assert_eq!(r["capability"]["requests"]["tools"]["call"], json!({}), "{r}");
    assert_eq!(r["taskSupport"]["slow_compute"], "optional");
    assert_eq!(r["taskSupport"]["failing_job"], "required");
    assert!(r["taskSupport"].get("greet").is_none(), "a plain tool has no execution entry");

    // Created at once, polled while working, then the tool's own result tied to its task.
    let messages = r["completed"]["messages"].as_array().unwrap();
    let id = messages[0]["taskId"].as_str().unwrap();
    assert_eq!(messages[0]["type"], "taskCreated");
    assert_eq!(messages[0]["status"], "working");
    assert_eq!(messages[0]["ttl"], 60000, "the requested ttl is kept");
    assert!(messages.iter().any(|m| m["status"] == "working" && m["type"] == "taskStatus"), "{r}");
    let last = messages.last().unwrap();
    assert_eq!(last["type"], "result", "{r}");
    assert_eq!(last["text"], "computed e2e in 1 s");
    assert_eq!(last["relatedTask"], id);
    // slow_compute reports ten steps; the client's progress token outlives the request.
    let progress = r["completed"]["progress"].as_array().unwrap();
    assert!(!progress.is_empty() && progress.windows(2).all(|w| w[0].as_f64() < w[1].as_f64()), "{r}");

    // A tool error fails a 2025-11-25 task.
    let failed = r["failed"]["messages"].as_array().unwrap();
    assert_eq!(failed[failed.len() - 2]["status"], "failed", "{r}");
    assert_eq!(failed.last().unwrap()["type"], "error");

    // Cancelled from beside its stream: the stream ends cancelled, a second cancel is refused.
    assert_eq!(r["cancelled"]["cancelStatus"], "cancelled", "{r}");
    let cancelled = r["cancelled"]["messages"].as_array().unwrap();
    assert!(cancelled.iter().any(|m| m["status"] == "cancelled"), "{r}");
    assert!(!cancelled.iter().any(|m| m["type"] == "result"), "{r}");
    assert_eq!(r["cancelled"]["cancelAgainCode"], -32602);

    // Asked the user while it ran: the elicitation names the task, the answer reaches the tool.
    let elicited = r["elicited"]["messages"].as_array().unwrap();
    let asking = elicited[0]["taskId"].as_str().unwrap();
    assert_eq!(r["elicited"]["elicitations"], json!([{"message": "Delete notes.txt?", "relatedTask": asking}]), "{r}");
    assert_eq!(elicited.last().unwrap()["text"], "Deleted notes.txt", "{r}");

    let listed: Vec<(&str, &str)> = r["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["taskId"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    assert_eq!(listed.len(), 4, "{r}");
    assert_eq!(listed[0], (id, "completed"));
    assert_eq!(listed[1].1, "failed");
    assert_eq!(listed[2].1, "cancelled");
    assert_eq!(listed[3], (asking, "completed"));

    assert_eq!(r["requiredWithoutTask"], -32601, "a required task tool called plainly: {r}");
}

/// The same over STDIO, spoken raw: progress and the end of the task arrive on stdout, tagged
/// with the task, beside the responses.
#[test]
fn a_task_over_stdio_reports_on_stdout_and_its_result_waits() {
    use mcpgen_tests::stdio::StdioServer;
    let everything = ServerCommand::new(cargo::binary("everything", "everything")).args(["--transport", "stdio"]);
    let mut server = StdioServer::spawn(&everything);
    let init = server.initialize();
    assert_eq!(init["capabilities"]["tasks"]["requests"]["tools"]["call"], json!({}), "{init}");

    let params = json!({
        "name": "slow_compute", "arguments": {"seconds": 0.3, "label": "stdio"},
        "task": {"ttl": 30000}, "_meta": {"progressToken": "p1"}
    });
    let created = server.request("tools/call", params);
    let id = created["result"]["task"]["taskId"].as_str().unwrap_or_else(|| panic!("{created}")).to_string();
    let result = server.request("tasks/result", json!({"taskId": id}));
    assert_eq!(result["result"]["content"][0]["text"], "computed stdio in 0.3 s", "{result}");
    assert_eq!(result["result"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"], id);

    let mut progress = 0;
    let status = loop {
        let message = server
            .next_message(Duration::from_secs(10))
            .unwrap_or_else(|| panic!("no status notification; stderr:\n{}", server.stderr()));
        match message["method"].as_str() {
            Some("notifications/progress") => {
                assert_eq!(message["params"]["progressToken"], "p1");
                assert_eq!(message["params"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"], id);
                progress += 1;
            }
            Some("notifications/tasks/status") => break message,
            _ => {}
        }
    };
    assert_eq!(progress, 3, "three steps of 100 ms");
    assert_eq!(status["params"]["taskId"], id);
    assert_eq!(status["params"]["status"], "completed");
    let listed = server.request("tasks/list", json!({}));
    assert_eq!(listed["result"]["tasks"][0]["taskId"], id);

    server.close_stdin();
    assert!(server.wait(Duration::from_secs(10)).is_some_and(|s| s.success()), "stderr:\n{}", server.stderr());
}
