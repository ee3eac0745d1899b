//! Tasks through the dispatcher, both generations: creation, polling, results, cancellation,
//! input, and who may see a task.

use super::tests::{call, req};
use super::*;
use crate::protocol::version::PROTOCOL_VERSION_META_KEY;
use crate::server::tasks::{EXTENSION, RELATED_TASK_META_KEY};
use crate::server::{InputRequired, Server, TaskSupport, Tool, ToolResult};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// Tools whose handlers wait for the test to let them go (`gate`), or fail, or panic.
fn server(gate: Arc<Semaphore>, dropped: mpsc::UnboundedSender<()>) -> Arc<Dispatcher> {
    /// Tells the test when a handler's future is dropped (a cancelled task).
    struct OnDrop(mpsc::UnboundedSender<()>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    let gated = Tool::new("gated", json!({"type": "object", "properties": {"n": {"type": "integer"}}}))
        .task_support(TaskSupport::Optional)
        .handler(move |args, ctx: RequestContext| {
            let gate = gate.clone();
            let guard = OnDrop(dropped.clone());
            async move {
                ctx.progress(1.0, Some(2.0), Some("waiting for the gate")).await;
                gate.acquire().await.expect("gate open").forget();
                drop(guard);
                Ok(ToolResult::text(format!("done {}", args["n"])))
            }
        });
    let instant = Tool::new("instant", json!({"type": "object"}))
        .task_support(TaskSupport::Optional)
        .handler(|_, _| async { Ok(ToolResult::text("at once")) });
    let required =
        Tool::new("required", json!({"type": "object"})).task_support(TaskSupport::Required).handler(|_, _| async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(ToolResult::error("it went wrong"))
        });
    let panics =
        Tool::new("panics", json!({"type": "object"})).task_support(TaskSupport::Optional).handler(|_, _| async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if true {
                panic!("boom")
            }
            Ok(ToolResult::text("unreachable"))
        });
    let asks = Tool::new("asks", json!({"type": "object"})).task_support(TaskSupport::Optional).handler(
        |_, ctx: RequestContext| async move {
            if !ctx.has_input_responses() {
                tokio::time::sleep(Duration::from_millis(20)).await;
                return Ok(ToolResult::input_required(
                    InputRequired::new().request("a", "elicitation/create", json!({"message": "a?"})).request(
                        "b",
                        "elicitation/create",
                        json!({"message": "b?"}),
                    ),
                ));
            }
            let a = ctx.input_response("a").map(|v| v["content"].to_string());
            let b = ctx.input_response("b").map(|v| v["content"].to_string());
            Ok(ToolResult::text(format!("a={} b={}", a.unwrap_or_default(), b.unwrap_or_default())))
        },
    );
    let plain = Tool::new("plain", json!({"type": "object"})).handler(|_, _| async { Ok(ToolResult::text("plain")) });
    let mut s = Server::new("tasks", "1.0.0");
    for t in [gated, instant, required, panics, asks, plain] {
        s = s.tool(t);
    }
    s.build().unwrap().0
}

fn fixture() -> (Arc<Dispatcher>, Arc<Semaphore>, mpsc::UnboundedReceiver<()>) {
    let gate = Arc::new(Semaphore::new(0));
    let (tx, rx) = mpsc::unbounded_channel();
    (server(gate.clone(), tx), gate, rx)
}

fn with_extension() -> Value {
    json!({PROTOCOL_VERSION_META_KEY: "2026-07-28", CLIENT_CAPABILITIES_META_KEY: {"extensions": {EXTENSION: {}}}})
}

fn without_extension() -> Value {
    json!({PROTOCOL_VERSION_META_KEY: "2026-07-28", CLIENT_CAPABILITIES_META_KEY: {}})
}

async fn legacy(d: &Arc<Dispatcher>, conn: &Arc<Connection>, method: &str, params: Value) -> Value {
    call(d, conn, req(1, method, params)).await.expect("a response")
}

async fn modern(d: &Arc<Dispatcher>, method: &str, mut params: Value) -> Value {
    params["_meta"] = with_extension();
    let conn = Arc::new(Connection::for_request(None, crate::auth::Caller::default()));
    call(d, &conn, req(1, method, params)).await.expect("a response")
}

/// A 2025-11-25 call of `gated` as a task, asking for progress (which says it started).
fn gated_task() -> Value {
    json!({"name": "gated", "task": {}, "_meta": {"progressToken": 1}})
}

/// Waits for the handler's first progress notification: it is running.
async fn started(outbound: &mut mpsc::Receiver<Value>) {
    let first = tokio::time::timeout(Duration::from_secs(5), outbound.recv()).await.unwrap().unwrap();
    assert_eq!(first["method"], "notifications/progress");
}

/// Polls `tasks/get` until `status`, for at most five seconds.
async fn until(get: impl AsyncFn() -> Value, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let task = get().await;
        if task["result"]["status"] == status || tokio::time::Instant::now() > deadline {
            assert_eq!(task["result"]["status"], status, "{task}");
            return task["result"].clone();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn legacy_capability_and_tool_execution_are_advertised_from_2025_11_25() {
    let (d, _, _) = fixture();
    let conn = Arc::new(Connection::new(None));
    let init = legacy(&d, &conn, "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}})).await;
    assert_eq!(init["result"]["capabilities"]["tasks"]["requests"]["tools"]["call"], json!({}));
    assert!(init["result"]["capabilities"]["tasks"]["list"].is_object());
    let old = legacy(&d, &conn, "initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}})).await;
    assert!(old["result"]["capabilities"].get("tasks").is_none(), "{old}");

    let tools = legacy(&d, &conn, "tools/list", json!({})).await;
    let support = |name: &str| {
        let tool = tools["result"]["tools"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
        tool.get("execution").map(|e| e["taskSupport"].clone())
    };
    assert_eq!(support("gated"), Some(json!("optional")));
    assert_eq!(support("required"), Some(json!("required")));
    assert_eq!(support("plain"), None);

    // A server without task tools says nothing of tasks and ignores the `task` parameter.
    let bare = Server::new("bare", "1")
        .tool(Tool::new("t", json!({"type": "object"})).handler(|_, _| async { Ok(ToolResult::text("t")) }))
        .build()
        .unwrap()
        .0;
    let init = legacy(&bare, &conn, "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}})).await;
    assert!(init["result"]["capabilities"].get("tasks").is_none());
    let plain = legacy(&bare, &conn, "tools/call", json!({"name": "t", "task": {"ttl": 1000}})).await;
    assert_eq!(plain["result"]["content"][0]["text"], "t");
}

#[tokio::test]
async fn legacy_task_answers_at_once_and_its_result_waits_for_the_end() {
    let (d, gate, _) = fixture();
    let (tx, mut outbound) = mpsc::channel(16);
    let conn = Arc::new(Connection::new(Some(tx)));
    let params =
        json!({"name": "gated", "arguments": {"n": 7}, "task": {"ttl": 60000}, "_meta": {"progressToken": "p"}});
    let created = legacy(&d, &conn, "tools/call", params).await;
    let task = &created["result"]["task"];
    let id = task["taskId"].as_str().unwrap().to_string();
    assert_eq!(task["status"], "working");
    assert_eq!(task["ttl"], 60000);
    assert!(task["pollInterval"].as_u64().unwrap() > 0);
    assert!(task["createdAt"].as_str().unwrap().ends_with('Z'));

    // Progress goes to the connection's channel, tied to the task.
    let progress = tokio::time::timeout(Duration::from_secs(5), outbound.recv()).await.unwrap().unwrap();
    assert_eq!(progress["method"], "notifications/progress");
    assert_eq!(progress["params"]["progressToken"], "p");
    assert_eq!(progress["params"]["_meta"][RELATED_TASK_META_KEY]["taskId"], id);

    let get = legacy(&d, &conn, "tasks/get", json!({"taskId": id})).await;
    assert_eq!(get["result"]["status"], "working");
    let waiting = {
        let (d, conn, id) = (d.clone(), conn.clone(), id.clone());
        tokio::spawn(async move { legacy(&d, &conn, "tasks/result", json!({"taskId": id})).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiting.is_finished(), "tasks/result blocks while the task works");
    gate.add_permits(1);
    let result = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
    assert_eq!(result["result"]["content"][0]["text"], "done 7");
    assert_eq!(result["result"]["_meta"][RELATED_TASK_META_KEY]["taskId"], id);

    let status = tokio::time::timeout(Duration::from_secs(5), outbound.recv()).await.unwrap().unwrap();
    assert_eq!(status["method"], "notifications/tasks/status");
    assert_eq!(status["params"]["status"], "completed");
    let get = legacy(&d, &conn, "tasks/get", json!({"taskId": id})).await;
    assert_eq!(get["result"]["status"], "completed");
    let listed = legacy(&d, &conn, "tasks/list", json!({})).await;
    assert_eq!(listed["result"]["tasks"][0]["taskId"], id);
    let refused = legacy(&d, &conn, "tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(refused["error"]["code"], -32602);
    assert!(refused["error"]["message"].as_str().unwrap().contains("completed"));
    assert_eq!(legacy(&d, &conn, "tasks/get", json!({"taskId": id})).await["result"]["status"], "completed");
}

#[tokio::test]
async fn legacy_task_support_is_enforced_and_bad_parameters_named() {
    let (d, _, _) = fixture();
    let conn = Arc::new(Connection::new(None));
    let required = legacy(&d, &conn, "tools/call", json!({"name": "required"})).await;
    assert_eq!(required["error"]["code"], -32601);
    let forbidden = legacy(&d, &conn, "tools/call", json!({"name": "plain", "task": {}})).await;
    assert_eq!(forbidden["error"]["code"], -32601);
    let bad = legacy(&d, &conn, "tools/call", json!({"name": "gated", "task": 5})).await;
    assert!(bad["error"]["message"].as_str().unwrap().contains("`task` must be an object"));
    let bad_ttl = legacy(&d, &conn, "tools/call", json!({"name": "gated", "task": {"ttl": "soon"}})).await;
    assert!(bad_ttl["error"]["message"].as_str().unwrap().contains("task.ttl"));
    let no_id = legacy(&d, &conn, "tasks/get", json!({})).await;
    assert!(no_id["error"]["message"].as_str().unwrap().contains("taskId"));
    let unknown = legacy(&d, &conn, "tasks/result", json!({"taskId": "nope"})).await;
    assert_eq!(unknown["error"]["code"], -32602);
    let cursor = legacy(&d, &conn, "tasks/list", json!({"cursor": "garbage"})).await;
    assert_eq!(cursor["error"]["code"], -32602);
    assert_eq!(legacy(&d, &conn, "tasks/update", json!({"taskId": "x"})).await["error"]["code"], -32601);
}

#[tokio::test]
async fn legacy_tool_errors_fail_the_task_and_its_result_is_the_tools() {
    let (d, _, _) = fixture();
    let conn = Arc::new(Connection::new(None));
    let created = legacy(&d, &conn, "tools/call", json!({"name": "required", "task": {}})).await;
    let id = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
    let result = legacy(&d, &conn, "tasks/result", json!({"taskId": id})).await;
    assert_eq!(result["result"]["isError"], true);
    assert_eq!(result["result"]["content"][0]["text"], "it went wrong");
    assert_eq!(legacy(&d, &conn, "tasks/get", json!({"taskId": id})).await["result"]["status"], "failed");

    let created = legacy(&d, &conn, "tools/call", json!({"name": "panics", "task": {}})).await;
    let id = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
    let result = legacy(&d, &conn, "tasks/result", json!({"taskId": id})).await;
    assert_eq!(result["error"]["code"], -32603, "a panic is the call's protocol error: {result}");
}

#[tokio::test]
async fn legacy_cancel_stops_the_handler_and_the_task_stays_cancelled() {
    let (d, gate, mut dropped) = fixture();
    let (tx, mut outbound) = mpsc::channel(16);
    let conn = Arc::new(Connection::new(Some(tx)));
    let created = legacy(&d, &conn, "tools/call", gated_task()).await;
    let id = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
    started(&mut outbound).await;
    let cancelled = legacy(&d, &conn, "tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(cancelled["result"]["status"], "cancelled");
    tokio::time::timeout(Duration::from_secs(5), dropped.recv()).await.expect("the handler was dropped");
    gate.add_permits(1);
    let result = legacy(&d, &conn, "tasks/result", json!({"taskId": id})).await;
    assert!(result["error"]["message"].as_str().unwrap().contains("cancelled"));
    assert_eq!(legacy(&d, &conn, "tasks/get", json!({"taskId": id})).await["result"]["status"], "cancelled");
    assert_eq!(legacy(&d, &conn, "tasks/cancel", json!({"taskId": id})).await["error"]["code"], -32602);
}

#[tokio::test]
async fn tasks_are_scoped_to_the_party_that_created_them() {
    let (d, _, mut dropped) = fixture();
    let (tx, mut outbound) = mpsc::channel(16);
    let (a, b) = (Arc::new(Connection::new(Some(tx))), Arc::new(Connection::new(None)));
    let created = legacy(&d, &a, "tools/call", gated_task()).await;
    let id = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
    started(&mut outbound).await;
    for method in ["tasks/get", "tasks/cancel", "tasks/result"] {
        assert_eq!(legacy(&d, &b, method, json!({"taskId": id})).await["error"]["code"], -32602, "{method}");
    }
    assert_eq!(legacy(&d, &b, "tasks/list", json!({})).await["result"]["tasks"], json!([]));
    // A 2026-07-28 request (a capability holder) does not reach a session's task either.
    assert_eq!(modern(&d, "tasks/get", json!({"taskId": id})).await["error"]["code"], -32602);

    // With bearer tokens, a stateless task is its token's: another token's request does not see it.
    let with_token = |n: u8| {
        let token = format!("token-number-{n}-0123456789");
        let identity = Some(Arc::new(crate::auth::Identity::static_token(token.as_bytes())));
        Arc::new(Connection::for_request(None, crate::auth::Caller { identity, ..Default::default() }))
    };
    let params = json!({"name": "gated", "_meta": with_extension()});
    let created = call(&d, &with_token(1), req(1, "tools/call", params)).await.unwrap();
    let owned = created["result"]["taskId"].as_str().unwrap().to_string();
    let get = |digest: u8| {
        let params = json!({"taskId": owned, "_meta": with_extension()});
        let d = d.clone();
        async move { call(&d, &with_token(digest), req(1, "tasks/get", params)).await.unwrap() }
    };
    assert_eq!(get(1).await["result"]["status"], "working");
    assert_eq!(get(2).await["error"]["code"], -32602);
    assert_eq!(
        modern(&d, "tasks/get", json!({"taskId": owned})).await["error"]["code"],
        -32602,
        "nor an anonymous one"
    );

    // Stateless legacy requests share tasks by id alone; a session does not see them.
    let stateless = || Arc::new(Connection::for_request(None, crate::auth::Caller::default()));
    let created = legacy(&d, &stateless(), "tools/call", json!({"name": "gated", "task": {}})).await;
    let open = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
    assert_eq!(legacy(&d, &stateless(), "tasks/get", json!({"taskId": open})).await["result"]["status"], "working");
    assert_eq!(legacy(&d, &a, "tasks/get", json!({"taskId": open})).await["error"]["code"], -32602);

    // The connection goes away: its tasks stop and are forgotten.
    a.cancel_all();
    tokio::time::timeout(Duration::from_secs(5), dropped.recv()).await.expect("the handler was dropped");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while d.tasks.get(&id, a.party()).is_some() {
        assert!(tokio::time::Instant::now() < deadline, "the closed connection's task is still held");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn modern_tasks_need_the_extension() {
    let (d, _, _) = fixture();
    let conn = Arc::new(Connection::for_request(None, crate::auth::Caller::default()));
    let discover = call(&d, &conn, req(1, "server/discover", json!({"_meta": without_extension()}))).await.unwrap();
    assert_eq!(discover["result"]["capabilities"]["extensions"][EXTENSION], json!({}));
    assert!(discover["result"]["capabilities"].get("tasks").is_none());
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let params = json!({"taskId": "x", "inputResponses": {}, "_meta": without_extension()});
        let refused = call(&d, &conn, req(1, method, params)).await.unwrap();
        assert_eq!(refused["error"]["code"], -32021, "{method}");
    }
    let params = json!({"name": "required", "_meta": without_extension()});
    let required = call(&d, &conn, req(1, "tools/call", params)).await.unwrap();
    assert_eq!(required["error"]["code"], -32021);
    assert_eq!(required["error"]["data"]["requiredCapabilities"]["extensions"][EXTENSION], json!({}));
    // An optional tool is a plain call for such a client, whatever it sends.
    let params = json!({"name": "instant", "task": {"ttl": 1000}, "_meta": without_extension()});
    let plain = call(&d, &conn, req(1, "tools/call", params)).await.unwrap();
    assert_eq!(plain["result"]["content"][0]["text"], "at once");
    assert!(plain["result"].get("taskId").is_none());
    for removed in ["tasks/result", "tasks/list"] {
        assert_eq!(modern(&d, removed, json!({"taskId": "x"})).await["error"]["code"], -32601, "{removed}");
    }
}

#[tokio::test]
async fn modern_task_lifecycle() {
    let (d, gate, mut dropped) = fixture();
    // A handler done on its first turn answers directly.
    let at_once = modern(&d, "tools/call", json!({"name": "instant"})).await;
    assert_eq!(at_once["result"]["resultType"], "complete");
    assert_eq!(at_once["result"]["content"][0]["text"], "at once");

    let created = modern(&d, "tools/call", json!({"name": "gated", "arguments": {"n": 3}})).await;
    let task = &created["result"];
    assert_eq!(task["resultType"], "task");
    assert_eq!(task["status"], "working");
    assert!(task["ttlMs"].as_u64().unwrap() > 0 && task["pollIntervalMs"].as_u64().unwrap() > 0);
    for absent in ["ttl", "pollInterval", "task", "result", "requestState"] {
        assert!(task.get(absent).is_none(), "{absent} in {task}");
    }
    let id = task["taskId"].as_str().unwrap().to_string();
    let get = || modern(&d, "tasks/get", json!({"taskId": id}));
    let working = get().await;
    assert_eq!(working["result"]["resultType"], "complete");
    assert_eq!(working["result"]["status"], "working");
    assert!(working["result"].get("result").is_none());
    gate.add_permits(1);
    let done = until(get, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "done 3");
    assert!(done["result"].get("_meta").is_none());
    // Cancelling a finished task is acknowledged and changes nothing.
    let ack = modern(&d, "tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(ack["result"], json!({"resultType": "complete"}));
    assert_eq!(until(get, "completed").await["result"]["content"][0]["text"], "done 3");

    // A tool error completes the task; a panic fails it with an error and no result.
    let created = modern(&d, "tools/call", json!({"name": "required"})).await;
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let get = || modern(&d, "tasks/get", json!({"taskId": id}));
    assert_eq!(until(get, "completed").await["result"]["isError"], true);
    let created = modern(&d, "tools/call", json!({"name": "panics"})).await;
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let get = || modern(&d, "tasks/get", json!({"taskId": id}));
    let failed = until(get, "failed").await;
    assert_eq!(failed["error"]["code"], -32603);
    assert!(failed.get("result").is_none());

    // Cancel: an empty acknowledgement; the handler stops and the task stays cancelled.
    let created = modern(&d, "tools/call", json!({"name": "gated"})).await;
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let ack = modern(&d, "tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(ack["result"], json!({"resultType": "complete"}));
    tokio::time::timeout(Duration::from_secs(5), dropped.recv()).await.expect("the handler was dropped");
    gate.add_permits(1);
    let get = || modern(&d, "tasks/get", json!({"taskId": id}));
    assert!(until(get, "cancelled").await.get("result").is_none());
    assert_eq!(modern(&d, "tasks/get", json!({"taskId": "unknown"})).await["error"]["code"], -32602);
    assert_eq!(modern(&d, "tasks/cancel", json!({"taskId": "unknown"})).await["error"]["code"], -32602);
}

#[tokio::test]
async fn modern_task_input_arrives_through_tasks_update() {
    let (d, _, _) = fixture();
    let created = modern(&d, "tools/call", json!({"name": "asks"})).await;
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let get = || modern(&d, "tasks/get", json!({"taskId": id}));
    let parked = until(get, "input_required").await;
    assert_eq!(parked["inputRequests"]["a"]["method"], "elicitation/create");
    assert!(parked["inputRequests"].get("b").is_some());
    assert!(parked.get("requestState").is_none());

    let update = |responses: Value| modern(&d, "tasks/update", json!({"taskId": id, "inputResponses": responses}));
    let ack = update(json!({"a": {"action": "accept", "content": "A"}, "other": 1})).await;
    assert_eq!(ack["result"], json!({"resultType": "complete"}));
    let partial = until(get, "input_required").await;
    assert_eq!(partial["inputRequests"].as_object().unwrap().keys().collect::<Vec<_>>(), ["b"]);
    update(json!({"b": {"action": "accept", "content": "B"}})).await;
    let done = until(get, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], r#"a="A" b="B""#);
    let bad = modern(&d, "tasks/update", json!({"taskId": id, "inputResponses": []})).await;
    assert_eq!(bad["error"]["code"], -32602);
}

#[tokio::test]
async fn a_legacy_task_waiting_for_its_client_is_input_required_until_answered() {
    let asks = Tool::new("asks", json!({"type": "object"})).task_support(TaskSupport::Optional).handler(
        |_, ctx: RequestContext| async move {
            Ok(match ctx.input_response("name") {
                Some(answer) => ToolResult::text(format!("Hello, {}!", answer["content"]["name"].as_str().unwrap())),
                None => ToolResult::input_required(InputRequired::new().request(
                    "name",
                    "elicitation/create",
                    json!({"message": "Name?"}),
                )),
            })
        },
    );
    let d = Server::new("s", "1").tool(asks).build().unwrap().0;
    let (tx, mut outbound) = mpsc::channel(16);
    let conn = Arc::new(Connection::new(Some(tx)));
    let created = legacy(&d, &conn, "tools/call", json!({"name": "asks", "task": {}})).await;
    let id = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
    // The request to the client goes on the connection's channel, naming the task.
    let request = tokio::time::timeout(Duration::from_secs(5), outbound.recv()).await.unwrap().unwrap();
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["_meta"][RELATED_TASK_META_KEY]["taskId"], id);
    let get = || legacy(&d, &conn, "tasks/get", json!({"taskId": id}));
    until(get, "input_required").await;
    let answer =
        json!({"jsonrpc": "2.0", "id": request["id"], "result": {"action": "accept", "content": {"name": "Ada"}}});
    assert!(call(&d, &conn, answer).await.is_none());
    let result = legacy(&d, &conn, "tasks/result", json!({"taskId": id})).await;
    assert_eq!(result["result"]["content"][0]["text"], "Hello, Ada!");
    assert_eq!(until(get, "completed").await["statusMessage"], Value::Null);
}

#[tokio::test]
async fn a_modern_tasks_progress_is_its_status_message() {
    let (d, gate, _) = fixture();
    let created = modern(&d, "tools/call", json!({"name": "gated"})).await;
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    // `gated` reported its progress on its first turn, before the task existed: not kept.
    assert!(created["result"].get("statusMessage").is_none());
    let working = modern(&d, "tasks/get", json!({"taskId": id})).await;
    assert!(working["result"].get("statusMessage").is_none(), "{working}");
    gate.add_permits(1);
    let get = || modern(&d, "tasks/get", json!({"taskId": id}));
    until(get, "completed").await;

    // A task that reports progress once it runs as a task shows it.
    let steps = Tool::new("steps", json!({"type": "object"})).task_support(TaskSupport::Optional).handler(
        |_, ctx: RequestContext| async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            ctx.progress(2.0, Some(5.0), None).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(ToolResult::text("late"))
        },
    );
    let d = Server::new("s", "1").tool(steps).build().unwrap().0;
    let created = modern(&d, "tools/call", json!({"name": "steps"})).await;
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let task = modern(&d, "tasks/get", json!({"taskId": id})).await;
        if task["result"]["statusMessage"] == "2 of 5" {
            assert_eq!(task["result"]["status"], "working");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no progress shown: {task}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_client_that_never_reads_its_tasks_is_held_to_its_quota_and_their_ttl() {
    use crate::server::TaskLimits;
    let quick = Tool::new("quick", json!({"type": "object"}))
        .task_support(TaskSupport::Optional)
        .handler(|_, _| async { Ok(ToolResult::text("quick")) });
    let limits = TaskLimits { per_party: 2, ..TaskLimits::default() };
    let d = Server::new("s", "1").task_limits(limits).tool(quick).build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let mut ids = Vec::new();
    for _ in 0..10 {
        let created = legacy(&d, &conn, "tools/call", json!({"name": "quick", "task": {"ttl": 200}})).await;
        let id = created["result"]["task"]["taskId"].as_str().unwrap().to_string();
        assert_eq!(
            legacy(&d, &conn, "tasks/result", json!({"taskId": id})).await["result"]["content"][0]["text"],
            "quick"
        );
        ids.push(id);
    }
    // Ten finished tasks never read again: only the newest two are kept.
    assert_eq!(d.tasks.list(conn.party(), 0, 100).0.len(), 2);
    assert_eq!(legacy(&d, &conn, "tasks/get", json!({"taskId": ids[0]})).await["error"]["code"], -32602);
    assert_eq!(legacy(&d, &conn, "tasks/get", json!({"taskId": ids[9]})).await["result"]["ttl"], 200);
    // Past their ttl they are gone too.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(legacy(&d, &conn, "tasks/get", json!({"taskId": ids[9]})).await["error"]["code"], -32602);
    assert_eq!(legacy(&d, &conn, "tasks/list", json!({})).await["result"]["tasks"], json!([]));
    assert_eq!(d.tasks.len(), 0, "their memory is given back");
}

#[tokio::test]
async fn running_tasks_past_the_quota_are_refused_with_a_reason() {
    use crate::server::TaskLimits;
    let gated =
        Tool::new("forever", json!({"type": "object"})).task_support(TaskSupport::Optional).handler(|_, _| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(ToolResult::text("late"))
        });
    let d = Server::new("s", "1")
        .task_limits(TaskLimits { per_party: 1, ..TaskLimits::default() })
        .tool(gated)
        .build()
        .unwrap()
        .0;
    let conn = Arc::new(Connection::new(None));
    let first = legacy(&d, &conn, "tools/call", json!({"name": "forever", "task": {}})).await;
    assert_eq!(first["result"]["task"]["status"], "working");
    let refused = legacy(&d, &conn, "tools/call", json!({"name": "forever", "task": {}})).await;
    assert_eq!(refused["error"]["code"], -32600);
    assert!(refused["error"]["message"].as_str().unwrap().contains("too many tasks"), "{refused}");
    // Another connection has its own quota.
    let other = Arc::new(Connection::new(None));
    let theirs = legacy(&d, &other, "tools/call", json!({"name": "forever", "task": {}})).await;
    assert_eq!(theirs["result"]["task"]["status"], "working");
}

#[tokio::test]
async fn a_listener_hears_the_status_of_its_own_tasks_until_they_end() {
    let gate = Arc::new(Semaphore::new(0));
    let (dropped, _) = mpsc::unbounded_channel();
    let d = server(gate.clone(), dropped);
    let created = modern(&d, "tools/call", json!({"name": "gated", "arguments": {"n": 3}})).await;
    let id = created["result"]["taskId"].as_str().unwrap_or_else(|| panic!("{created}")).to_string();
    // Stateless and anonymous, as the creator was: the same party.
    let listener = Arc::new(Connection::for_request(None, crate::auth::Caller::default()));
    let (tx, mut rx) = mpsc::channel(16);
    let listen = |task_ids: Value, meta: Value| {
        Message::from_value(req(
            9,
            "subscriptions/listen",
            json!({"_meta": meta, "notifications": {"taskIds": task_ids}}),
        ))
        .unwrap()
    };
    // Without the extension declared: -32021.
    let refused = d.handle(&listener, listen(json!([id]), without_extension()), Some(tx.clone())).await.unwrap();
    assert_eq!(refused.into_value()["error"]["code"], -32021);

    let (d2, l2, msg) = (d.clone(), listener.clone(), listen(json!([id, "not-a-task"]), with_extension()));
    let listening = tokio::spawn(async move { d2.handle(&l2, msg, Some(tx)).await });
    let ack = rx.recv().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(ack["params"]["notifications"]["taskIds"], json!([id]), "only tasks it may see");

    gate.add_permits(1);
    let note = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert_eq!(note["method"], "notifications/tasks");
    assert_eq!(note["params"]["taskId"], id.as_str());
    assert_eq!(note["params"]["status"], "completed");
    assert_eq!(note["params"]["result"]["content"][0]["text"], "done 3");
    assert_eq!(note["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], 9);
    listener.cancel_all();
    assert!(listening.await.unwrap().is_none());
}
