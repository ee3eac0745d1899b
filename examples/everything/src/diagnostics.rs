//! Diagnostic tools the 2026-07-28 scenarios call to poke at the server: a tool that needs an
//! undeclared capability, a logging tool, hooks that change the tool and prompt lists, and a
//! tool whose argument is mirrored into an `Mcp-Param-*` header.

use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{
    Content, InputRequired, LogLevel, Prompt, PromptMessage, PromptResult, RequestContext, Server, ServerHandle, Tool,
    ToolResult,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn no_args() -> Value {
    json!({"type": "object", "properties": {}})
}

pub fn register(server: Server, handle: ServerHandle) -> Server {
    let changes = Arc::new(AtomicUsize::new(0));
    let (tool_handle, tool_changes) = (handle.clone(), changes.clone());
    let (prompt_handle, prompt_changes) = (handle, changes);
    server
        .tool(
            Tool::new("test_missing_capability", no_args())
                .description("Needs the client's sampling capability; refused with -32021 when it is not declared")
                .requires_client_capability("sampling")
                .handler(|_, _| async { Ok(ToolResult::text("The client declared sampling")) }),
        )
        .tool(Tool::new("test_logging_tool", no_args()).description("Logs at every level, then answers").handler(
            |_, ctx: RequestContext| async move {
                for level in LogLevel::ALL {
                    ctx.log(level, Some("test_logging_tool"), json!(format!("a {level} message"))).await;
                }
                Ok(ToolResult::text("Logged at every level the client asked for"))
            },
        ))
        .tool(Tool::new("test_trigger_tool_change", no_args()).description("Adds a tool, changing the tool list").handler(
            move |_, _| {
                let (handle, n) = (tool_handle.clone(), tool_changes.fetch_add(1, Ordering::Relaxed));
                async move {
                    let name = format!("test_added_tool_{n}");
                    let added = Tool::new(name.clone(), no_args())
                        .description("Added by test_trigger_tool_change")
                        .handler(|_, _| async { Ok(ToolResult::text("added")) });
                    handle.add_tool(added).map_err(|e| mcpgen_runtime::ToolError::new(e.to_string()))?;
                    Ok(ToolResult::text(format!("Added tool {name}")))
                }
            },
        ))
        .tool(
            Tool::new("test_trigger_prompt_change", no_args()).description("Adds a prompt, changing the prompt list").handler(
                move |_, _| {
                    let (handle, n) = (prompt_handle.clone(), prompt_changes.fetch_add(1, Ordering::Relaxed));
                    async move {
                        let name = format!("test_added_prompt_{n}");
                        let added = Prompt::new(name.clone()).description("Added by test_trigger_prompt_change").handler(
                            |_, _| async { Ok(PromptResult::new(vec![PromptMessage::user(Content::text("added"))])) },
                        );
                        handle.add_prompt(added).map_err(|e| mcpgen_runtime::ToolError::new(e.to_string()))?;
                        Ok(ToolResult::text(format!("Added prompt {name}")))
                    }
                },
            ),
        )
        .tool(
            Tool::new("test_streaming_elicitation", no_args())
                .description("Reports progress, then asks for input through an input-required result")
                .handler(|_, ctx: RequestContext| async move {
                    if let Some(answer) = ctx.input_response("confirm") {
                        return Ok(ToolResult::text(format!("Answer: {answer}")));
                    }
                    ctx.progress(1.0, Some(2.0), Some("about to ask")).await;
                    let params = json!({"message": "Continue?", "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}});
                    Ok(ToolResult::input_required(InputRequired::new().request("confirm", "elicitation/create", params)))
                }),
        )
        .tool(
            Tool::new(
                "test_custom_header",
                json!({
                    "type": "object",
                    "properties": {"region": {"type": "string", "description": "Routing region", "x-mcp-header": "Region"}},
                    "required": ["region"]
                }),
            )
            .description("Its `region` argument travels in the Mcp-Param-Region header too")
            .handler(|args, _| async move { Ok(ToolResult::text(format!("Region: {}", args["region"]))) }),
        )
}
