//! Protocol tests of the dispatcher, both generations, without a transport.

use super::*;
use crate::protocol::version::{PROTOCOL_VERSION_META_KEY, SERVER_INFO_META_KEY};
use crate::server::{
    Content, Prompt, PromptMessage, PromptResult, Resource, ResourceContents, ResourceTemplate, Server, Tool,
    ToolError, ToolResult,
};
use std::time::Duration;
use tokio::sync::mpsc;

const V: &str = "2026-07-28";

fn server() -> Arc<Dispatcher> {
    let hello =
        Tool::new("hello", json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}))
            .description("Say hello")
            .handler(
                |args, _| async move { Ok(ToolResult::text(format!("Hello, {}!", args["name"].as_str().unwrap()))) },
            );
    let add = Tool::new(
        "add",
        json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}),
    )
    .output_schema(json!({"type": "object", "properties": {"sum": {"type": "integer"}}, "required": ["sum"]}))
    .handler(|a, _| async move { Ok(ToolResult::structured(json!({"sum": a["a"].as_i64().unwrap() + a["b"].as_i64().unwrap()}))) });
    let liar = Tool::new("liar", json!({"type": "object"}))
        .output_schema(json!({"type": "object", "required": ["sum"]}))
        .handler(|_, _| async { Ok(ToolResult::structured(json!({"nope": 1}))) });
    let fail = Tool::new("fail", json!({"type": "object"}))
        .handler(|_, _| async { Err::<ToolResult, _>(ToolError::new("upstream said no")) });
    let panics = Tool::new("panics", json!({"type": "object"})).handler(|_, _| async {
        if true {
            panic!("boom")
        }
        Ok(ToolResult::text("unreachable"))
    });
    let slow = Tool::new("slow", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        for i in 1..=3 {
            ctx.progress(i as f64, Some(3.0), Some("step")).await;
            ctx.progress(i as f64, Some(3.0), None).await; // not increasing: dropped
        }
        ctx.log(LogLevel::Debug, None, json!("debug line")).await;
        ctx.log(LogLevel::Warning, Some("slow"), json!("warning line")).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(ToolResult::text("done"))
    });
    let needs_sampling = Tool::new("needs_sampling", json!({"type": "object"}))
        .requires_client_capability("sampling")
        .handler(|_, _| async { Ok(ToolResult::content(vec![Content::text("sampled")])) });
    let mut s = Server::new("test", "1.2.3").instructions("Be nice").page_size(2);
    for t in [hello, add, liar, fail, panics, slow, needs_sampling] {
        s = s.tool(t);
    }
    s.build().unwrap().0
}

pub(super) async fn call(d: &Arc<Dispatcher>, conn: &Arc<Connection>, raw: Value) -> Option<Value> {
    let msg = Message::from_value(raw).unwrap();
    d.handle(conn, msg, None).await.map(wire)
}

/// A reply as a client reads it: the bytes a transport writes, parsed.
fn wire(reply: crate::server::Reply) -> Value {
    serde_json::from_slice(&reply.to_bytes()).expect("a reply is JSON text")
}

pub(super) fn modern_meta() -> Value {
    json!({PROTOCOL_VERSION_META_KEY: V, CLIENT_CAPABILITIES_META_KEY: {}})
}

pub(super) fn req(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

#[tokio::test]
async fn legacy_initialize_negotiates_and_lists_real_capabilities() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let r = call(
        &d,
        &conn,
        req(
            1,
            "initialize",
            json!({"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r["result"]["protocolVersion"], "2025-03-26");
    assert_eq!(r["result"]["serverInfo"], json!({"name": "test", "version": "1.2.3"}));
    assert_eq!(r["result"]["instructions"], "Be nice");
    let caps = r["result"]["capabilities"].as_object().unwrap();
    assert!(caps.contains_key("tools") && caps.contains_key("logging"));
    assert!(!caps.contains_key("resources") && !caps.contains_key("prompts"), "only what the server has: {caps:?}");
    let r = call(&d, &conn, req(2, "initialize", json!({"protocolVersion": "1999-01-01"}))).await.unwrap();
    assert_eq!(r["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(call(&d, &conn, req(3, "ping", json!({}))).await.unwrap()["result"], json!({}));
    assert!(call(&d, &conn, json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await.is_none());
    assert!(conn.handshake().initialized);
}

#[tokio::test]
async fn unknown_methods_are_32601_even_before_initialize() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    for method in ["server/discover", "subscriptions/listen", "nope/nothing"] {
        let r = call(&d, &conn, req(1, method, json!({}))).await.unwrap();
        assert_eq!(r["error"]["code"], codes::METHOD_NOT_FOUND, "{method}: {r}");
    }
}

#[tokio::test]
async fn modern_discover_and_envelope_errors() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let r = call(&d, &conn, req(1, "server/discover", json!({"_meta": modern_meta()}))).await.unwrap();
    let result = &r["result"];
    assert!(result["supportedVersions"].as_array().unwrap().contains(&json!(V)));
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["cacheScope"], "private");
    assert_eq!(result["ttlMs"], 0);
    assert_eq!(result["_meta"][SERVER_INFO_META_KEY]["name"], "test");

    let missing =
        call(&d, &conn, req(2, "tools/list", json!({"_meta": {PROTOCOL_VERSION_META_KEY: V}}))).await.unwrap();
    assert_eq!(missing["error"]["code"], codes::INVALID_PARAMS);
    assert!(missing["error"]["message"].as_str().unwrap().contains(CLIENT_CAPABILITIES_META_KEY));

    let unsupported = call(
        &d,
        &conn,
        req(
            3,
            "tools/list",
            json!({"_meta": {PROTOCOL_VERSION_META_KEY: "2099-01-01", CLIENT_CAPABILITIES_META_KEY: {}}}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(unsupported["error"]["code"], codes::UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(unsupported["error"]["data"], json!({"supported": [V], "requested": "2099-01-01"}));

    let not_string = call(
        &d,
        &conn,
        req(4, "tools/list", json!({"_meta": {PROTOCOL_VERSION_META_KEY: 5, CLIENT_CAPABILITIES_META_KEY: {}}})),
    )
    .await
    .unwrap();
    assert_eq!(not_string["error"]["code"], codes::INVALID_PARAMS);

    for removed in ["initialize", "ping", "logging/setLevel", "resources/subscribe"] {
        let r = call(&d, &conn, req(5, removed, json!({"_meta": modern_meta()}))).await.unwrap();
        assert_eq!(r["error"]["code"], codes::METHOD_NOT_FOUND, "{removed}");
    }
}

#[tokio::test]
async fn modern_results_carry_result_type_and_list_cache_hints() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let list = call(&d, &conn, req(1, "tools/list", json!({"_meta": modern_meta()}))).await.unwrap();
    assert_eq!(list["result"]["resultType"], "complete");
    assert!(list["result"].get("ttlMs").is_some() && list["result"].get("cacheScope").is_some());
    let called = call(
        &d,
        &conn,
        req(2, "tools/call", json!({"_meta": modern_meta(), "name": "hello", "arguments": {"name": "Ada"}})),
    )
    .await
    .unwrap();
    assert_eq!(called["result"]["resultType"], "complete");
    assert!(called["result"].get("ttlMs").is_none());
    assert_eq!(called["result"]["content"][0]["text"], "Hello, Ada!");
    // Legacy results carry neither.
    let legacy = call(&d, &conn, req(3, "tools/list", json!({}))).await.unwrap();
    assert!(legacy["result"].get("resultType").is_none());
}

#[tokio::test]
async fn missing_client_capability_is_32021_on_modern() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let r =
        call(&d, &conn, req(1, "tools/call", json!({"_meta": modern_meta(), "name": "needs_sampling"}))).await.unwrap();
    assert_eq!(r["error"]["code"], codes::MISSING_REQUIRED_CLIENT_CAPABILITY);
    assert_eq!(r["error"]["data"], json!({"requiredCapabilities": {"sampling": {}}}));
    let meta = json!({PROTOCOL_VERSION_META_KEY: V, CLIENT_CAPABILITIES_META_KEY: {"sampling": {}}});
    let ok = call(&d, &conn, req(2, "tools/call", json!({"_meta": meta, "name": "needs_sampling"}))).await.unwrap();
    assert_eq!(ok["result"]["content"][0]["text"], "sampled");
}

#[tokio::test]
async fn tools_list_paginates_with_stable_cursors() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let r = call(&d, &conn, req(1, "tools/list", params.clone())).await.unwrap();
        let again = call(&d, &conn, req(2, "tools/list", params)).await.unwrap();
        assert_eq!(r["result"], again["result"], "same cursor, same page");
        let page = r["result"]["tools"].as_array().unwrap();
        assert!(page.len() <= 2);
        names.extend(page.iter().map(|t| t["name"].as_str().unwrap().to_string()));
        match r["result"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["hello", "add", "liar", "fail", "panics", "slow", "needs_sampling"]);
    let bad = call(&d, &conn, req(3, "tools/list", json!({"cursor": "garbage"}))).await.unwrap();
    assert_eq!(bad["error"]["code"], codes::INVALID_PARAMS);
}

#[tokio::test]
async fn tool_calls_validate_and_report_errors_as_results() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let unknown = call(&d, &conn, req(1, "tools/call", json!({"name": "nope"}))).await.unwrap();
    assert_eq!(unknown["error"]["code"], codes::INVALID_PARAMS);
    assert!(unknown["error"]["message"].as_str().unwrap().contains("nope"));

    let no_name = call(&d, &conn, req(2, "tools/call", json!({}))).await.unwrap();
    assert_eq!(no_name["error"]["code"], codes::INVALID_PARAMS);

    let bad = call(&d, &conn, req(3, "tools/call", json!({"name": "add", "arguments": {"a": "x"}}))).await.unwrap();
    assert_eq!(bad["result"]["isError"], true);
    let text = bad["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("/a") && text.contains("\"b\" is a required property"), "every violation listed: {text}");

    let sum =
        call(&d, &conn, req(4, "tools/call", json!({"name": "add", "arguments": {"a": 2, "b": 3}}))).await.unwrap();
    assert_eq!(sum["result"]["structuredContent"], json!({"sum": 5}));
    assert_eq!(sum["result"]["content"][0]["text"], "{\"sum\":5}");

    let liar = call(&d, &conn, req(5, "tools/call", json!({"name": "liar"}))).await.unwrap();
    assert_eq!(liar["result"]["isError"], true);
    assert!(liar["result"]["content"][0]["text"].as_str().unwrap().contains("outputSchema"));

    let fail = call(&d, &conn, req(6, "tools/call", json!({"name": "fail"}))).await.unwrap();
    assert_eq!(fail["result"], json!({"content": [{"type": "text", "text": "upstream said no"}], "isError": true}));

    let panic = call(&d, &conn, req(7, "tools/call", json!({"name": "panics"}))).await.unwrap();
    assert_eq!(panic["result"]["isError"], true);

    let args_not_object =
        call(&d, &conn, req(8, "tools/call", json!({"name": "add", "arguments": [1]}))).await.unwrap();
    assert_eq!(args_not_object["error"]["code"], codes::INVALID_PARAMS);
}

#[tokio::test]
async fn progress_logging_and_cancellation() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    call(&d, &conn, req(0, "logging/setLevel", json!({"level": "info"}))).await.unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let msg =
        Message::from_value(req(9, "tools/call", json!({"name": "slow", "_meta": {"progressToken": "tok"}}))).unwrap();
    let task = {
        let (d, conn) = (d.clone(), conn.clone());
        tokio::spawn(async move { d.handle(&conn, msg, Some(tx)).await })
    };
    let mut notes = Vec::new();
    for _ in 0..4 {
        notes.push(tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap());
    }
    let progress: Vec<f64> = notes
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .map(|n| {
            assert_eq!(n["params"]["progressToken"], "tok");
            n["params"]["progress"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(progress, [1.0, 2.0, 3.0]);
    let logs: Vec<&Value> = notes.iter().filter(|n| n["method"] == "notifications/message").collect();
    assert_eq!(logs.len(), 1, "debug is below the client's level: {notes:?}");
    assert_eq!(logs[0]["params"], json!({"level": "warning", "logger": "slow", "data": "warning line"}));

    assert_eq!(conn.in_flight(), 1);
    let duplicate = call(&d, &conn, req(9, "ping", json!({}))).await.unwrap();
    assert_eq!(duplicate["error"]["code"], codes::INVALID_REQUEST, "ids are unique among in-flight requests");
    assert_eq!(conn.in_flight(), 1, "the duplicate did not disturb the running request");
    call(&d, &conn, json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 9}})).await;
    let response = tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
    assert!(response.is_none(), "a cancelled request gets no response");
    assert_eq!(conn.in_flight(), 0);
}

#[tokio::test]
async fn modern_requests_without_log_level_get_no_log_notifications() {
    let d = server();
    let conn = Arc::new(Connection::new(None));
    let (tx, mut rx) = mpsc::channel(16);
    let msg = Message::from_value(req(1, "tools/call", json!({"name": "slow", "_meta": modern_meta()}))).unwrap();
    let (d2, c2) = (d.clone(), conn.clone());
    let task = tokio::spawn(async move { d2.handle(&c2, msg, Some(tx)).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    conn.cancel_all();
    assert!(task.await.unwrap().is_none());
    assert!(rx.try_recv().is_err(), "no progress token, no log level: nothing to send");
}

#[test]
fn build_rejects_duplicates_and_bad_schemas() {
    let t = || Tool::new("x", json!({"type": "object"})).handler(|_, _| async { Ok(ToolResult::text("")) });
    let err = Server::new("s", "1").tool(t()).tool(t()).build().err().unwrap();
    assert!(err.0.contains("two tools are named `x`"), "{err}");
    let err = Server::new("s", "1")
        .tool(Tool::new("y", json!({"type": "string"})).handler(|_, _| async { Ok(ToolResult::text("")) }))
        .build()
        .err()
        .unwrap();
    assert!(err.0.contains("tool `y`"), "{err}");
    let err = Server::new("s", "1").tool(Tool::new("z", json!({"type": "object"}))).build().err().unwrap();
    assert!(err.0.contains("no handler"), "{err}");
}

fn catalog() -> Server {
    Server::new("cat", "1")
        .resource(
            Resource::new("test://static-text", "Static")
                .description("text")
                .mime_type("text/plain")
                .reader(|uri, _, _| async move { Ok(vec![ResourceContents::text(uri, "text/plain", "static body")]) }),
        )
        .resource_template(
            ResourceTemplate::new("test://template/{id}/data", "Template")
                .reader(|uri, vars, _| async move {
                    Ok(vec![ResourceContents::text(uri, "application/json", json!({"id": vars["id"]}).to_string())])
                })
                .complete("id", |typed, _| {
                    ["123", "124", "999"].iter().filter(|v| v.starts_with(typed)).map(|v| v.to_string()).collect()
                }),
        )
        .prompt(
            Prompt::new("greet")
                .description("Greets")
                .argument("who", "Who", true)
                .argument("mood", "Mood", false)
                .complete("who", |typed, ctx| {
                    let suffix = ctx.get("mood").and_then(Value::as_str).unwrap_or("");
                    vec![format!("{typed}-ada{suffix}"), format!("{typed}-bob{suffix}")]
                })
                .handler(|args, _| async move {
                    Ok(PromptResult::new(vec![PromptMessage::user(Content::text(format!("Hi {}", args["who"])))]))
                }),
        )
}

#[tokio::test]
async fn resources_read_lists_and_templates() {
    let d = catalog().build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let init = call(&d, &conn, req(0, "initialize", json!({"protocolVersion": "2025-11-25"}))).await.unwrap();
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["resources"], json!({"subscribe": true, "listChanged": false}));
    assert_eq!(caps["prompts"], json!({"listChanged": false}));
    assert_eq!(caps["completions"], json!({}));
    assert!(caps.get("tools").is_none());

    let list = call(&d, &conn, req(1, "resources/list", json!({}))).await.unwrap();
    assert_eq!(list["result"]["resources"][0]["uri"], "test://static-text");
    let templates = call(&d, &conn, req(2, "resources/templates/list", json!({}))).await.unwrap();
    assert_eq!(templates["result"]["resourceTemplates"][0]["uriTemplate"], "test://template/{id}/data");

    let text = call(&d, &conn, req(3, "resources/read", json!({"uri": "test://static-text"}))).await.unwrap();
    assert_eq!(text["result"]["contents"][0]["text"], "static body");
    let templated = call(&d, &conn, req(4, "resources/read", json!({"uri": "test://template/42/data"}))).await.unwrap();
    assert_eq!(templated["result"]["contents"][0]["text"], "{\"id\":\"42\"}");
    assert_eq!(templated["result"]["contents"][0]["uri"], "test://template/42/data");

    let missing = call(&d, &conn, req(5, "resources/read", json!({"uri": "test://nope"}))).await.unwrap();
    assert_eq!(missing["error"]["code"], codes::RESOURCE_NOT_FOUND);
    let modern =
        call(&d, &conn, req(6, "resources/read", json!({"uri": "test://nope", "_meta": modern_meta()}))).await.unwrap();
    assert_eq!(modern["error"]["code"], codes::INVALID_PARAMS);
}

#[tokio::test]
async fn prompts_get_checks_arguments() {
    let d = catalog().build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let list = call(&d, &conn, req(1, "prompts/list", json!({}))).await.unwrap();
    assert_eq!(
        list["result"]["prompts"][0]["arguments"][0],
        json!({"name": "who", "description": "Who", "required": true})
    );
    let ok =
        call(&d, &conn, req(2, "prompts/get", json!({"name": "greet", "arguments": {"who": "Ada"}}))).await.unwrap();
    assert_eq!(ok["result"]["messages"][0], json!({"role": "user", "content": {"type": "text", "text": "Hi Ada"}}));
    let missing = call(&d, &conn, req(3, "prompts/get", json!({"name": "greet", "arguments": {}}))).await.unwrap();
    assert_eq!(missing["error"]["code"], codes::INVALID_PARAMS);
    assert!(missing["error"]["message"].as_str().unwrap().contains("who"));
    let unknown = call(&d, &conn, req(4, "prompts/get", json!({"name": "nope"}))).await.unwrap();
    assert_eq!(unknown["error"]["code"], codes::INVALID_PARAMS);
    let not_string =
        call(&d, &conn, req(5, "prompts/get", json!({"name": "greet", "arguments": {"who": 1}}))).await.unwrap();
    assert_eq!(not_string["error"]["code"], codes::INVALID_PARAMS);
}

#[tokio::test]
async fn completions_for_prompts_and_templates() {
    let d = catalog().build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let p = call(
        &d,
        &conn,
        req(
            1,
            "completion/complete",
            json!({
                "ref": {"type": "ref/prompt", "name": "greet"},
                "argument": {"name": "who", "value": "x"},
                "context": {"arguments": {"mood": "!"}}
            }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(p["result"]["completion"]["values"], json!(["x-ada!", "x-bob!"]));
    let t = call(
        &d,
        &conn,
        req(
            2,
            "completion/complete",
            json!({
                "ref": {"type": "ref/resource", "uri": "test://template/{id}/data"},
                "argument": {"name": "id", "value": "12"}
            }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(t["result"]["completion"]["values"], json!(["123", "124"]));
    let none = call(
        &d,
        &conn,
        req(
            3,
            "completion/complete",
            json!({
                "ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "mood", "value": ""}
            }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(none["result"]["completion"]["values"], json!([]));
    let bad = call(
        &d,
        &conn,
        req(4, "completion/complete", json!({"ref": {"type": "ref/other"}, "argument": {"name": "a"}})),
    )
    .await
    .unwrap();
    assert_eq!(bad["error"]["code"], codes::INVALID_PARAMS);
}

#[tokio::test]
async fn list_changes_and_resource_updates_reach_legacy_sessions() {
    let server = catalog();
    let handle = server.handle();
    let d = server.build().unwrap().0;
    let (tx, mut rx) = mpsc::channel(16);
    let conn = Arc::new(Connection::new(Some(tx)));
    let init = call(&d, &conn, req(0, "initialize", json!({"protocolVersion": "2025-11-25"}))).await.unwrap();
    assert_eq!(init["result"]["capabilities"]["tools"], json!({"listChanged": true}));

    let t = Tool::new("late", json!({"type": "object"})).handler(|_, _| async { Ok(ToolResult::text("late")) });
    handle.add_tool(t).unwrap();
    assert_eq!(rx.recv().await.unwrap()["method"], "notifications/tools/list_changed");
    let list = call(&d, &conn, req(1, "tools/list", json!({}))).await.unwrap();
    assert_eq!(list["result"]["tools"][0]["name"], "late");

    handle.resource_updated("test://static-text");
    call(&d, &conn, req(2, "resources/subscribe", json!({"uri": "test://static-text"}))).await.unwrap();
    handle.resource_updated("test://static-text");
    let note = rx.recv().await.unwrap();
    assert_eq!(
        note,
        json!({"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "test://static-text"}}),
        "only after subscribing"
    );
    call(&d, &conn, req(3, "resources/unsubscribe", json!({"uri": "test://static-text"}))).await.unwrap();
    handle.resource_updated("test://static-text");
    assert!(handle.remove_tool("late"));
    assert_eq!(rx.recv().await.unwrap()["method"], "notifications/tools/list_changed", "no update after unsubscribing");
}

#[tokio::test]
async fn modern_listen_acknowledges_then_streams_what_was_asked() {
    let server = catalog();
    let handle = server.handle();
    let d = server.build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let (tx, mut rx) = mpsc::channel(16);
    let msg = Message::from_value(req(
        77,
        "subscriptions/listen",
        json!({
            "_meta": modern_meta(),
            "notifications": {"toolsListChanged": true, "resourceSubscriptions": ["test://static-text"]}
        }),
    ))
    .unwrap();
    let (d2, c2) = (d.clone(), conn.clone());
    let task = tokio::spawn(async move { d2.handle(&c2, msg, Some(tx)).await });
    let ack = rx.recv().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["notifications"],
        json!({"toolsListChanged": true, "resourceSubscriptions": ["test://static-text"]})
    );
    assert_eq!(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], 77);

    handle.add_prompt(Prompt::new("p2").handler(|_, _| async { Ok(PromptResult::default()) })).unwrap();
    handle.resource_updated("test://static-text");
    let update = rx.recv().await.unwrap();
    assert_eq!(update["method"], "notifications/resources/updated", "prompt changes were not asked for");
    assert_eq!(update["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], 77);

    conn.cancel_all();
    assert!(task.await.unwrap().is_none());
}

fn asks_name() -> Tool {
    use crate::server::InputRequired;
    Tool::new("asks_name", json!({"type": "object"})).handler(|_, ctx: RequestContext| async move {
        match ctx.input_response("name") {
            Some(answer) => Ok(ToolResult::text(format!(
                "Hello, {}! state={}",
                answer["content"]["name"].as_str().unwrap_or("?"),
                ctx.request_state().unwrap_or("none")
            ))),
            None => Ok(ToolResult::input_required(
                InputRequired::new()
                    .request(
                        "name",
                        "elicitation/create",
                        json!({"message": "Name?", "requestedSchema": {"type": "object"}}),
                    )
                    .state("round-1"),
            )),
        }
    })
}

#[tokio::test]
async fn modern_input_required_round_trip_with_signed_state() {
    let d = Server::new("s", "1").tool(asks_name()).build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let first =
        call(&d, &conn, req(1, "tools/call", json!({"_meta": modern_meta(), "name": "asks_name"}))).await.unwrap();
    let result = &first["result"];
    assert_eq!(result["resultType"], "input_required");
    assert_eq!(result["inputRequests"]["name"]["method"], "elicitation/create");
    assert!(result.get("ttlMs").is_none());
    let state = result["requestState"].as_str().unwrap();
    assert!(!state.contains("round-1"), "state is opaque to the client: {state}");

    let answer = json!({"action": "accept", "content": {"name": "Ada"}});
    let second = call(
        &d,
        &conn,
        req(
            2,
            "tools/call",
            json!({
                "_meta": modern_meta(), "name": "asks_name", "inputResponses": {"name": answer}, "requestState": state
            }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(second["result"]["resultType"], "complete");
    assert_eq!(second["result"]["content"][0]["text"], "Hello, Ada! state=round-1");

    let forged = format!("{}x", state);
    let tampered = call(
        &d,
        &conn,
        req(
            3,
            "tools/call",
            json!({
                "_meta": modern_meta(), "name": "asks_name", "inputResponses": {"name": answer}, "requestState": forged
            }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(tampered["error"]["code"], codes::INVALID_PARAMS);
}

/// Replicas given one secret (`MCP_STATE_KEY`, through `RunOptions`) redeem each other's
/// `requestState`; a replica with another key refuses it with the documented error.
#[tokio::test]
async fn a_request_state_from_one_replica_is_redeemed_by_another_with_the_same_key() {
    use crate::run::{RunOptions, StateKey};
    let replica = |secret: &str| {
        let options = RunOptions { state_key: Some(StateKey::from_secret(secret).unwrap()), ..RunOptions::default() };
        Server::new("s", "1").tool(asks_name()).with_run_options(&options).build().unwrap().0
    };
    let shared = "one secret for every replica, 32+ chars";
    let (a, b, other) = (replica(shared), replica(shared), replica("another secret, also 32+ characters"));
    let conn = Arc::new(Connection::new(None));
    let first =
        call(&a, &conn, req(1, "tools/call", json!({"_meta": modern_meta(), "name": "asks_name"}))).await.unwrap();
    let state = first["result"]["requestState"].as_str().unwrap().to_string();
    let answer = json!({"action": "accept", "content": {"name": "Ada"}});
    let follow_up =
        json!({"_meta": modern_meta(), "name": "asks_name", "inputResponses": {"name": answer}, "requestState": state});
    let redeemed = call(&b, &conn, req(2, "tools/call", follow_up.clone())).await.unwrap();
    assert_eq!(redeemed["result"]["content"][0]["text"], "Hello, Ada! state=round-1", "{redeemed}");
    let refused = call(&other, &conn, req(3, "tools/call", follow_up)).await.unwrap();
    assert_eq!(refused["error"]["code"], codes::INVALID_PARAMS);
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("give every replica the same MCP_STATE_KEY"), "{message}");
}

#[tokio::test]
async fn legacy_sessions_get_input_through_the_back_channel() {
    let d = Server::new("s", "1").tool(asks_name()).build().unwrap().0;
    let (tx, mut rx) = mpsc::channel(16);
    let conn = Arc::new(Connection::new(Some(tx.clone())));
    let msg = Message::from_value(req(1, "tools/call", json!({"name": "asks_name"}))).unwrap();
    let (d2, c2) = (d.clone(), conn.clone());
    let task = tokio::spawn(async move { d2.handle(&c2, msg, Some(tx)).await });
    let request = rx.recv().await.unwrap();
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["message"], "Name?");
    let answer =
        json!({"jsonrpc": "2.0", "id": request["id"], "result": {"action": "accept", "content": {"name": "Bo"}}});
    assert!(call(&d, &conn, answer).await.is_none());
    let response = wire(task.await.unwrap().unwrap());
    assert_eq!(response["result"]["content"][0]["text"], "Hello, Bo! state=round-1");
}

/// Without a channel to the client (stateless HTTP), a legacy tool that asks for input ends with
/// an error result saying why, instead of a round that can never be answered.
#[tokio::test]
async fn legacy_input_without_a_back_channel_is_an_error_result() {
    let d = Server::new("s", "1").tool(asks_name()).build().unwrap().0;
    let conn = Arc::new(Connection::new(None));
    let r = call(&d, &conn, req(1, "tools/call", json!({"name": "asks_name"}))).await.unwrap();
    assert_eq!(r["result"]["isError"], json!(true), "{r}");
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("cannot send requests to the client"), "{text}");
}

/// `tools/list` pages go out as the stored text: a pretty-printed schema still makes one line
/// (STDIO frames by line), and a 2026-07-28 page carries its stamps in that text.
#[tokio::test]
async fn tools_list_text_is_one_line_and_carries_modern_stamps() {
    let pretty =
        "{\n  \"type\": \"object\",\r\n  \"properties\": {\"s\": {\"type\": \"string\", \"default\": \"a\\nb\"}}\n}";
    let d = Server::new("s", "1")
        .tool(Tool::from_schema_text("pretty", pretty).handler(|_, _| async { Ok(ToolResult::text("ok")) }))
        .build()
        .unwrap()
        .0;
    let conn = Arc::new(Connection::new(None));
    let msg = Message::from_value(req(1, "tools/list", json!({}))).unwrap();
    let bytes = d.handle(&conn, msg, None).await.unwrap().to_bytes();
    assert!(!bytes.contains(&b'\n') && !bytes.contains(&b'\r'), "{}", String::from_utf8_lossy(&bytes));
    let listed: Value = serde_json::from_slice(&bytes).unwrap();
    let schema = &listed["result"]["tools"][0]["inputSchema"];
    assert_eq!(schema, &serde_json::from_str::<Value>(pretty).unwrap());
    assert_eq!(schema["properties"]["s"]["default"], "a\nb", "escaped line breaks inside strings stay");

    let modern = call(&d, &conn, req(2, "tools/list", json!({"_meta": modern_meta()}))).await.unwrap();
    assert_eq!(modern["result"]["resultType"], "complete");
    assert!(modern["result"]["ttlMs"].is_u64() && modern["result"]["cacheScope"].is_string(), "{modern}");
    assert_eq!(modern["result"]["tools"][0]["name"], "pretty");
}

/// A handler sees the capabilities its client declared: at `initialize` for a legacy
/// connection (shared by every request, not copied into each), in the `_meta` envelope for
/// a 2026-07-28 request, and nothing (`null`) before a legacy client said anything.
#[tokio::test]
async fn handlers_see_the_capabilities_their_client_declared() {
    let caps = Tool::new("caps", json!({"type": "object"}))
        .handler(|_, ctx: RequestContext| async move { Ok(ToolResult::text(ctx.client_capabilities().to_string())) });
    let d = Server::new("caps", "1").tool(caps).build().unwrap().0;
    let seen = |r: Option<Value>| r.unwrap()["result"]["content"][0]["text"].as_str().unwrap().to_string();
    let call_caps = |params: Value| req(2, "tools/call", params);

    let conn = Arc::new(Connection::new(None));
    assert_eq!(seen(call(&d, &conn, call_caps(json!({"name": "caps"}))).await), "null");
    let declared = json!({"sampling": {}, "roots": {"listChanged": true}});
    let init =
        json!({"protocolVersion": "2025-11-25", "capabilities": declared, "clientInfo": {"name": "c", "version": "1"}});
    call(&d, &conn, req(1, "initialize", init)).await.unwrap();
    for _ in 0..2 {
        assert_eq!(seen(call(&d, &conn, call_caps(json!({"name": "caps"}))).await), declared.to_string());
    }

    let mut meta = modern_meta();
    meta[CLIENT_CAPABILITIES_META_KEY] = json!({"elicitation": {}});
    let modern = call(&d, &Arc::new(Connection::new(None)), call_caps(json!({"name": "caps", "_meta": meta}))).await;
    assert_eq!(seen(modern), r#"{"elicitation":{}}"#);
}
