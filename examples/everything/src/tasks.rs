//! The tasks fixtures (2026-07-28 `io.modelcontextprotocol/tasks` scenarios; on 2025-11-25 the
//! same tools run as tasks when the client asks). Names and behaviours are the suite's.

use mcpgen_runtime::rt::sleep;
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{InputRequired, RequestContext, Server, TaskSupport, Tool, ToolError, ToolResult};
use std::time::Duration;

fn confirm(message: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {"confirm": {"type": "boolean"}}, "required": ["confirm"]}
    })
}

/// Whether an elicitation answer accepted.
fn accepted(answer: Option<&Value>) -> bool {
    answer.is_some_and(|a| a["action"] == "accept")
}

pub fn register(server: Server) -> Server {
    server
        .tool(
            Tool::new("greet", json!({"type": "object", "properties": {"name": {"type": "string"}}}))
                .description("Greets someone at once (never a task)")
                .handler(|args, _| async move {
                    Ok(ToolResult::text(format!("Hello, {}!", args["name"].as_str().unwrap_or("World"))))
                }),
        )
        .tool(
            Tool::new(
                "slow_compute",
                json!({"type": "object", "properties": {
                    "seconds": {"type": "number", "minimum": 0, "maximum": 3600},
                    "label": {"type": "string"}
                }}),
            )
            .description("Works for `seconds` seconds, then answers; runs as a task")
            .task_support(TaskSupport::Optional)
            .handler(|args, ctx: RequestContext| async move {
                let seconds = args["seconds"].as_f64().unwrap_or(1.0);
                let label = args["label"].as_str().unwrap_or("unnamed").to_string();
                let steps = (seconds * 10.0).ceil() as u32;
                for step in 0..steps {
                    sleep(Duration::from_millis(100)).await;
                    ctx.progress(f64::from(step + 1), Some(f64::from(steps)), None).await;
                }
                Ok::<_, ToolError>(ToolResult::text(format!("computed {label} in {seconds} s")))
            }),
        )
        .tool(
            Tool::new("failing_job", json!({"type": "object", "properties": {}}))
                .description("Fails after about a second, as a tool error; only runs as a task")
                .task_support(TaskSupport::Required)
                .handler(|_, _| async move {
                    sleep(Duration::from_secs(1)).await;
                    Ok(ToolResult::error("the job failed: the input was not acceptable"))
                }),
        )
        .tool(
            Tool::new("protocol_error_job", json!({"type": "object", "properties": {}}))
                .description("Breaks after a moment (a protocol error, not a tool error); runs as a task")
                .task_support(TaskSupport::Optional)
                .handler(|_, _| async move {
                    sleep(Duration::from_millis(200)).await;
                    if true {
                        panic!("protocol_error_job breaks on purpose");
                    }
                    Ok(ToolResult::text("unreachable"))
                }),
        )
        .tool(
            Tool::new("confirm_delete", json!({"type": "object", "properties": {"filename": {"type": "string"}}}))
                .description("Looks the file up, asks the user to confirm, then deletes it (nothing is deleted)")
                .task_support(TaskSupport::Optional)
                .handler(|args, ctx: RequestContext| async move {
                    let file = args["filename"].as_str().unwrap_or("the file").to_string();
                    if !ctx.has_input_responses() {
                        // Finding the file takes a moment: the call becomes a task before it asks.
                        sleep(Duration::from_millis(100)).await;
                        let ask = confirm(&format!("Delete {file}?"));
                        return Ok(ToolResult::input_required(InputRequired::new().request(
                            "confirm",
                            "elicitation/create",
                            ask,
                        )));
                    }
                    Ok(ToolResult::text(if accepted(ctx.input_response("confirm")) {
                        format!("Deleted {file}")
                    } else {
                        format!("Kept {file}")
                    }))
                }),
        )
        .tool(
            Tool::new("multi_input", json!({"type": "object", "properties": {}}))
                .description("Asks two questions at once, then answers with both")
                .task_support(TaskSupport::Optional)
                .handler(|_, ctx: RequestContext| async move {
                    if !ctx.has_input_responses() {
                        sleep(Duration::from_millis(100)).await;
                        let name = json!({
                            "message": "Your name?",
                            "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}
                        });
                        return Ok(ToolResult::input_required(
                            InputRequired::new()
                                .request("name", "elicitation/create", name)
                                .request("confirm", "elicitation/create", confirm("Go ahead?")),
                        ));
                    }
                    let name = ctx.input_response("name").and_then(|a| a["content"]["name"].as_str()).unwrap_or("?");
                    let go = accepted(ctx.input_response("confirm"));
                    Ok(ToolResult::text(format!("name: {name}, confirmed: {go}")))
                }),
        )
        .tool(
            Tool::new("test_tool_with_task", json!({"type": "object", "properties": {}}))
                .description("Asks the user's name at once, then works on it as a task")
                .task_support(TaskSupport::Required)
                .handler(|_, ctx: RequestContext| async move {
                    let name =
                        ctx.input_response("user_name").and_then(|a| a["content"]["name"].as_str().map(String::from));
                    let Some(name) = name else {
                        return Ok(ToolResult::input_required(InputRequired::new().request(
                            "user_name",
                            "elicitation/create",
                            json!({
                                "message": "What is your name?",
                                "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
                            }),
                        )));
                    };
                    sleep(Duration::from_millis(300)).await;
                    Ok(ToolResult::text(format!("Hello, {name}! Your task is done.")))
                }),
        )
}
