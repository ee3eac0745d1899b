//! Response shaping through the dispatcher: a tool's jq filter argument, the server's result
//! size limit and the command line's override, on the tools themselves and through the dynamic
//! surface's `call_tool`.

use super::tests::{call, req};
use super::*;
use crate::server::{SHAPED_OUTPUT, Server, Tool, ToolMode, ToolResult};

/// `rows`: `n` rows as structured content (`{"result": [...]}`) and as text, with a jq argument;
/// `seen`: the arguments its handler got.
fn server(n: usize) -> Server {
    let rows = move |_: Value, _| async move {
        let rows: Vec<Value> = (0..n).map(|i| json!({"id": i, "name": format!("row {i}")})).collect();
        let text = Value::Array(rows.clone()).to_string();
        Ok(ToolResult::structured(json!({"result": rows})).with_content(crate::Content::text(text)))
    };
    let output = json!({"type": "object", "anyOf": [
        {"properties": {"result": {"type": "array"}}, "required": ["result"]},
        serde_json::from_str::<Value>(SHAPED_OUTPUT).unwrap(),
    ]});
    Server::new("shapes", "1")
        .tool(
            Tool::new(
                "rows",
                json!({"type": "object", "properties": {"page": {"type": "integer"}}, "additionalProperties": false}),
            )
            .output_schema(output)
            .jq_filter("jq")
            .structured_output_wraps_result()
            .narrowing_arguments(["page"])
            .handler(rows),
        )
        .tool(
            Tool::new("seen", json!({"type": "object"}))
                .jq_filter("jq")
                .handler(|args: Value, _| async move { Ok(ToolResult::structured(json!({"args": args}))) }),
        )
        .tool(
            Tool::new("strict", json!({"type": "object"}))
                .output_schema(
                    json!({"type": "object", "properties": {"rows": {"type": "array"}}, "required": ["rows"]}),
                )
                .handler(move |_, _| async move { Ok(ToolResult::structured(json!({"rows": vec![1; n]}))) }),
        )
}

async fn tool_call(d: &Arc<Dispatcher>, name: &str, arguments: Value) -> Value {
    let c = Arc::new(Connection::with_selection(None, None));
    let r = call(d, &c, req(2, "tools/call", json!({"name": name, "arguments": arguments}))).await.unwrap();
    r["result"].clone()
}

#[tokio::test]
async fn the_filter_selects_from_the_answer_and_the_handler_never_sees_it() {
    let d = server(5).build().unwrap().0;
    let r = tool_call(&d, "rows", json!({"jq": "[.[] | .name][:2]"})).await;
    assert_eq!(r["structuredContent"], json!({"result": ["row 0", "row 1"]}), "{r}");
    assert_eq!(r["content"][0]["text"], r#"["row 0","row 1"]"#);
    assert_eq!(r.get("isError"), None, "{r}");
    let r = tool_call(&d, "seen", json!({"jq": ".args", "other": 1})).await;
    assert_eq!(r["structuredContent"]["result"], json!({"other": 1}), "{r}");
    let r = tool_call(&d, "rows", json!({"jq": ".[0].id.x"})).await;
    assert_eq!(r["isError"], true, "{r}");
    assert!(r["content"][0]["text"].as_str().unwrap().starts_with("jq error:"), "{r}");
    // The argument is in the input schema, checked like any other.
    let r = tool_call(&d, "rows", json!({"jq": 7})).await;
    assert_eq!(r["isError"], true, "{r}");
}

#[tokio::test]
async fn an_answer_past_the_limit_is_cut_and_says_how_to_ask_for_less() {
    let d = server(1000).max_result_bytes(2_000).build().unwrap().0;
    let r = tool_call(&d, "rows", json!({})).await;
    let kept = r["structuredContent"]["result"].as_array().unwrap().len();
    assert!(kept > 10 && kept < 1000, "{r}");
    let note = r["structuredContent"]["note"].as_str().unwrap();
    assert!(note.contains(&format!("the first {kept} of 1000 elements")), "{note}");
    assert!(note.contains("`jq`") && note.contains("`page`"), "{note}");
    assert_eq!(r["content"][1]["text"], note);
    let text: Value = serde_json::from_str(r["content"][0]["text"].as_str().unwrap()).expect("cut JSON is JSON");
    assert_eq!(text.as_array().unwrap().len(), kept);
    // A filter that selects little fits.
    let r = tool_call(&d, "rows", json!({"jq": "length"})).await;
    assert_eq!(r["structuredContent"], json!({"result": 1000}), "{r}");
    // An output schema that admits no shaped answer keeps the answer whole (and valid).
    let r = tool_call(&d, "strict", json!({})).await;
    assert_eq!(r["structuredContent"]["rows"].as_array().unwrap().len(), 1000, "{r}");
    assert_eq!(r.get("isError"), None);
}

#[tokio::test]
async fn the_command_line_sets_the_limit_and_zero_turns_it_off() {
    let options = |bytes| crate::RunOptions { max_result_bytes: Some(bytes), ..Default::default() };
    let d = server(1000).with_run_options(&options(0)).build().unwrap().0;
    let r = tool_call(&d, "rows", json!({})).await;
    assert_eq!(r["structuredContent"]["result"].as_array().unwrap().len(), 1000);
    let d = server(1000).max_result_bytes(0).with_run_options(&options(500)).build().unwrap().0;
    let r = tool_call(&d, "rows", json!({})).await;
    assert!(r["structuredContent"]["note"].is_string(), "{r}");
}

#[tokio::test]
async fn the_dynamic_surface_filters_and_cuts_alike() {
    let d = server(1000).tool_mode(ToolMode::Dynamic).max_result_bytes(2_000).build().unwrap().0;
    let r = tool_call(&d, "call_tool", json!({"name": "rows", "arguments": {"jq": ".[0]"}})).await;
    assert_eq!(r["structuredContent"]["result"], json!({"id": 0, "name": "row 0"}), "{r}");
    let r = tool_call(&d, "call_tool", json!({"name": "rows", "arguments": {}})).await;
    assert!(r["structuredContent"]["note"].as_str().unwrap().contains("of 1000 elements"), "{r}");
}
