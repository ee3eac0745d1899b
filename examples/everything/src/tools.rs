//! The `test_*` tools.

use crate::{TEST_AUDIO_BASE64, TEST_IMAGE_BASE64};
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{Content, LogLevel, RequestContext, Server, Tool, ToolError, ToolResult};
use std::time::Duration;

/// How long a tool waits for the client to answer a sampling or elicitation request.
const CLIENT_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

fn no_args() -> Value {
    json!({"type": "object", "properties": {}})
}

fn embedded(uri: &str, mime_type: &str, text: &str) -> Content {
    Content::resource(json!({"uri": uri, "mimeType": mime_type, "text": text}))
}

pub fn register(server: Server) -> Server {
    server
        .tool(Tool::new("test_simple_text", no_args()).description("Tests simple text content response").handler(
            |_, _| async { Ok(ToolResult::text("This is a simple text response for testing.")) },
        ))
        .tool(
            Tool::new("test_image_content", no_args())
                .description("Tests image content response")
                .handler(|_, _| async { Ok(ToolResult::content(vec![Content::image(TEST_IMAGE_BASE64, "image/png")])) }),
        )
        .tool(
            Tool::new("test_audio_content", no_args())
                .description("Tests audio content response")
                .handler(|_, _| async { Ok(ToolResult::content(vec![Content::audio(TEST_AUDIO_BASE64, "audio/wav")])) }),
        )
        .tool(Tool::new("test_embedded_resource", no_args()).description("Tests embedded resource content response").handler(
            |_, _| async {
                let resource = embedded("test://embedded-resource", "text/plain", "This is an embedded resource content.");
                Ok(ToolResult::content(vec![resource]))
            },
        ))
        .tool(
            Tool::new("test_multiple_content_types", no_args())
                .description("Tests response with multiple content types (text, image, resource)")
                .handler(|_, _| async {
                    Ok(ToolResult::content(vec![
                        Content::text("Multiple content types test:"),
                        Content::image(TEST_IMAGE_BASE64, "image/png"),
                        embedded(
                            "test://mixed-content-resource",
                            "application/json",
                            &json!({"test": "data", "value": 123}).to_string(),
                        ),
                    ]))
                }),
        )
        .tool(
            Tool::new("test_tool_with_logging", no_args())
                .description("Tests tool that emits log messages during execution")
                .handler(|_, ctx: RequestContext| async move {
                    for (i, message) in ["Tool execution started", "Tool processing data", "Tool execution completed"]
                        .into_iter()
                        .enumerate()
                    {
                        if i > 0 {
                            tokio_sleep(50).await;
                        }
                        ctx.log(LogLevel::Info, Some("conformance-test-server"), json!(message)).await;
                    }
                    Ok(ToolResult::text("Tool with logging executed successfully"))
                }),
        )
        .tool(
            Tool::new("test_tool_with_progress", no_args())
                .description("Tests tool that reports progress notifications")
                .handler(|_, ctx: RequestContext| async move {
                    for (i, step) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                        if i > 0 {
                            tokio_sleep(50).await;
                        }
                        ctx.progress(step, Some(100.0), Some(&format!("Completed step {step} of 100"))).await;
                    }
                    Ok(ToolResult::text("Tool with progress executed successfully"))
                }),
        )
        .tool(
            Tool::new("test_error_handling", no_args())
                .description("Tests error response handling")
                .handler(|_, _| async { Err::<ToolResult, _>(ToolError::new("This tool intentionally returns an error for testing")) }),
        )
        .tool(
            Tool::new(
                "test_sampling",
                json!({"type": "object", "properties": {"prompt": {"type": "string", "description": "The prompt to send to the LLM"}}, "required": ["prompt"]}),
            )
            .description("Tests server-initiated sampling (LLM completion request)")
            .handler(|args, ctx: RequestContext| async move {
                let params = json!({
                    "messages": [{"role": "user", "content": {"type": "text", "text": args["prompt"]}}],
                    "maxTokens": 100
                });
                let answer = ask_client(&ctx, "sampling", "sampling/createMessage", params).await?;
                let text = answer["content"]["text"].as_str().unwrap_or("No response");
                Ok(ToolResult::text(format!("LLM response: {text}")))
            }),
        )
        .tool(
            Tool::new(
                "test_elicitation",
                json!({"type": "object", "properties": {"message": {"type": "string", "description": "The message to show the user"}}, "required": ["message"]}),
            )
            .description("Tests server-initiated elicitation (user input request)")
            .handler(|args, ctx: RequestContext| async move {
                let schema = json!({
                    "type": "object",
                    "properties": {"response": {"type": "string", "description": "User's response"}},
                    "required": ["response"]
                });
                let answer = elicit(&ctx, args["message"].as_str().unwrap_or_default(), schema).await?;
                Ok(ToolResult::text(format!("User response: {}", describe_elicitation(&answer))))
            }),
        )
        .tool(
            Tool::new("test_elicitation_sep1034_defaults", no_args())
                .description("Tests elicitation with default values per SEP-1034")
                .handler(|_, ctx: RequestContext| async move {
                    let schema = json!({
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "description": "User name", "default": "John Doe"},
                            "age": {"type": "integer", "description": "User age", "default": 30},
                            "score": {"type": "number", "description": "User score", "default": 95.5},
                            "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
                            "verified": {"type": "boolean", "description": "Verification status", "default": true}
                        },
                        "required": []
                    });
                    let answer = elicit(&ctx, "Please review and update the form fields with defaults", schema).await?;
                    Ok(ToolResult::text(format!("Elicitation completed: {}", describe_elicitation(&answer))))
                }),
        )
        .tool(
            Tool::new("test_elicitation_sep1330_enums", no_args())
                .description("Tests elicitation with enum schema improvements per SEP-1330")
                .handler(|_, ctx: RequestContext| async move {
                    let schema = json!({
                        "type": "object",
                        "properties": {
                            "untitledSingle": {"type": "string", "description": "Select one option", "enum": ["option1", "option2", "option3"]},
                            "titledSingle": {"type": "string", "description": "Select one option with titles", "oneOf": [
                                {"const": "value1", "title": "First Option"},
                                {"const": "value2", "title": "Second Option"},
                                {"const": "value3", "title": "Third Option"}
                            ]},
                            "legacyEnum": {"type": "string", "description": "Select one option (legacy)", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
                            "untitledMulti": {"type": "array", "description": "Select multiple options", "minItems": 1, "maxItems": 3, "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                            "titledMulti": {"type": "array", "description": "Select multiple options with titles", "minItems": 1, "maxItems": 3, "items": {"anyOf": [
                                {"const": "value1", "title": "First Choice"},
                                {"const": "value2", "title": "Second Choice"},
                                {"const": "value3", "title": "Third Choice"}
                            ]}}
                        },
                        "required": []
                    });
                    let answer = elicit(&ctx, "Please select options from the enum fields", schema).await?;
                    Ok(ToolResult::text(format!("Elicitation completed: {}", describe_elicitation(&answer))))
                }),
        )
        .tool(
            Tool::new(
                "json_schema_2020_12_tool",
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "$defs": {"address": {
                        "$anchor": "addressDef",
                        "type": "object",
                        "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
                    }},
                    "properties": {
                        "name": {"type": "string"},
                        "address": {"$ref": "#/$defs/address"},
                        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                        "phone": {"type": "string"},
                        "email": {"type": "string"}
                    },
                    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
                    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
                    "then": {"required": ["phone"]},
                    "else": {"required": ["email"]},
                    "additionalProperties": false
                }),
            )
            .description("Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613, SEP-2106)")
            .handler(|args, _| async move { Ok(ToolResult::text(format!("JSON Schema 2020-12 tool called with: {args}"))) }),
        )
}

/// Added two seconds after start, as the suite's reference server does.
pub fn dynamic_tool() -> Tool {
    Tool::new("test_dynamic_tool", no_args())
        .description("A tool added while the server runs")
        .handler(|_, _| async { Ok(ToolResult::text("Dynamic tool executed")) })
}

async fn tokio_sleep(ms: u64) {
    mcpgen_runtime::rt::sleep(Duration::from_millis(ms)).await;
}

/// Sends a request to the client if it declared `capability`; a clear tool error otherwise.
async fn ask_client(ctx: &RequestContext, capability: &str, method: &str, params: Value) -> Result<Value, ToolError> {
    if ctx.client_capabilities().get(capability).is_none() {
        return Err(ToolError::new(format!("the client does not support {capability}")));
    }
    ctx.request_client(method, params, CLIENT_ANSWER_TIMEOUT).await.map_err(|e| ToolError::new(e.message))
}

async fn elicit(ctx: &RequestContext, message: &str, schema: Value) -> Result<Value, ToolError> {
    let params = json!({"mode": "form", "message": message, "requestedSchema": schema});
    ask_client(ctx, "elicitation", "elicitation/create", params).await
}

fn describe_elicitation(answer: &Value) -> String {
    let content = answer.get("content").cloned().unwrap_or_else(|| json!({}));
    format!("action={}, content={content}", answer["action"].as_str().unwrap_or("unknown"))
}
