//! The 2026-07-28 input-required (SEP-2322) fixtures. Each asks the client for something,
//! then finishes with the answer. On legacy sessions the runtime asks on the tool's behalf.

use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{
    Content, InputRequired, Prompt, PromptMessage, PromptResult, RequestContext, Server, Tool, ToolResult,
};

fn no_args() -> Value {
    json!({"type": "object", "properties": {}})
}

fn elicit(message: &str, field: &str, kind: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {field: {"type": kind}}, "required": [field]}
    })
}

fn sample(text: &str, max_tokens: u32) -> Value {
    json!({"messages": [{"role": "user", "content": {"type": "text", "text": text}}], "maxTokens": max_tokens})
}

/// The text of a sampling answer, wherever the client put it.
fn sampled_text(answer: &Value) -> String {
    let content = &answer["content"];
    let text = if content.is_array() { &content[0]["text"] } else { &content["text"] };
    text.as_str().unwrap_or("(no text)").to_string()
}

fn tool(name: &str, description: &str) -> Tool {
    Tool::new(name, no_args()).description(description)
}

pub fn register(server: Server) -> Server {
    server
        .tool(
            tool("test_input_required_result_elicitation", "Asks the user's name through an input-required result")
                .handler(|_, ctx: RequestContext| async move {
                    let name =
                        ctx.input_response("user_name").and_then(|a| a["content"]["name"].as_str().map(String::from));
                    Ok(match name {
                        Some(name) => ToolResult::text(format!("Hello, {name}!")),
                        None => ToolResult::input_required(InputRequired::new().request(
                            "user_name",
                            "elicitation/create",
                            elicit("What is your name?", "name", "string"),
                        )),
                    })
                }),
        )
        .tool(tool("test_input_required_result_sampling", "Asks the client's model a question").handler(
            |_, ctx: RequestContext| async move {
                Ok(match ctx.input_response("capital_question") {
                    Some(answer) => ToolResult::text(format!("The model answered: {}", sampled_text(answer))),
                    None => ToolResult::input_required(InputRequired::new().request(
                        "capital_question",
                        "sampling/createMessage",
                        sample("What is the capital of France?", 100),
                    )),
                })
            },
        ))
        .tool(tool("test_input_required_result_list_roots", "Asks the client for its roots").handler(
            |_, ctx: RequestContext| async move {
                Ok(match ctx.input_response("client_roots") {
                    Some(answer) => {
                        let roots: Vec<&str> = answer["roots"]
                            .as_array()
                            .map(|r| r.iter().filter_map(|root| root["uri"].as_str()).collect())
                            .unwrap_or_default();
                        ToolResult::text(format!("Client roots: {}", roots.join(", ")))
                    }
                    None => ToolResult::input_required(InputRequired::new().request(
                        "client_roots",
                        "roots/list",
                        json!({}),
                    )),
                })
            },
        ))
        .tool(tool("test_input_required_result_request_state", "Round-trips signed request state").handler(
            |_, ctx: RequestContext| async move {
                Ok(match (ctx.input_response("confirm"), ctx.request_state()) {
                    (Some(_), Some("awaiting-confirmation")) => ToolResult::text("Confirmed: state-ok"),
                    _ => ToolResult::input_required(
                        InputRequired::new()
                            .request("confirm", "elicitation/create", elicit("Please confirm", "ok", "boolean"))
                            .state("awaiting-confirmation"),
                    ),
                })
            },
        ))
        .tool(tool("test_input_required_result_tampered_state", "Refuses request state the client altered").handler(
            |_, ctx: RequestContext| async move {
                // The runtime rejects altered state with -32602 before this handler runs.
                Ok(match ctx.request_state() {
                    Some(state) => ToolResult::text(format!("State intact: {state}")),
                    None => ToolResult::input_required(
                        InputRequired::new()
                            .request("confirm", "elicitation/create", elicit("Please confirm", "ok", "boolean"))
                            .state("integrity-protected"),
                    ),
                })
            },
        ))
        .tool(tool("test_input_required_result_multi_round", "Asks two questions in two rounds").handler(
            |_, ctx: RequestContext| async move {
                Ok(match (ctx.request_state(), ctx.input_response("step1"), ctx.input_response("step2")) {
                    (Some(state), _, Some(answer)) if state.starts_with("round-2:") => ToolResult::text(format!(
                        "{} likes {}",
                        &state["round-2:".len()..],
                        answer["content"]["color"].as_str().unwrap_or("?")
                    )),
                    (Some("round-1"), Some(answer), _) => {
                        let name = answer["content"]["name"].as_str().unwrap_or("?");
                        ToolResult::input_required(
                            InputRequired::new()
                                .request(
                                    "step2",
                                    "elicitation/create",
                                    elicit("Step 2: What is your favorite color?", "color", "string"),
                                )
                                .state(format!("round-2:{name}")),
                        )
                    }
                    _ => ToolResult::input_required(
                        InputRequired::new()
                            .request(
                                "step1",
                                "elicitation/create",
                                elicit("Step 1: What is your name?", "name", "string"),
                            )
                            .state("round-1"),
                    ),
                })
            },
        ))
        .tool(tool("test_input_required_result_multiple_inputs", "Asks for three inputs at once").handler(
            |_, ctx: RequestContext| async move {
                let keys = ["user_name", "greeting", "client_roots"];
                if ctx.request_state() == Some("three-inputs") && keys.iter().all(|k| ctx.input_response(k).is_some()) {
                    let name =
                        ctx.input_response("user_name").and_then(|a| a["content"]["name"].as_str()).unwrap_or("?");
                    let greeting = sampled_text(ctx.input_response("greeting").unwrap_or(&Value::Null));
                    return Ok(ToolResult::text(format!("{greeting} {name}: all three inputs received")));
                }
                Ok(ToolResult::input_required(
                    InputRequired::new()
                        .request("user_name", "elicitation/create", elicit("What is your name?", "name", "string"))
                        .request("greeting", "sampling/createMessage", sample("Generate a greeting", 50))
                        .request("client_roots", "roots/list", json!({}))
                        .state("three-inputs"),
                ))
            },
        ))
        .tool(tool("test_input_required_result_capabilities", "Only asks for what the client can answer").handler(
            |_, ctx: RequestContext| async move {
                if ctx.has_input_responses() {
                    return Ok(ToolResult::text("Inputs received for the declared capabilities"));
                }
                let caps = ctx.client_capabilities();
                let mut required = InputRequired::new();
                if caps.get("elicitation").is_some() {
                    required = required.request(
                        "user_name",
                        "elicitation/create",
                        elicit("What is your name?", "name", "string"),
                    );
                }
                if caps.get("sampling").is_some() {
                    required =
                        required.request("greeting", "sampling/createMessage", sample("Generate a greeting", 50));
                }
                if caps.get("roots").is_some() {
                    required = required.request("client_roots", "roots/list", json!({}));
                }
                Ok(if required.requests.is_empty() {
                    ToolResult::text("The client declared no capability to ask through")
                } else {
                    ToolResult::input_required(required)
                })
            },
        ))
        .prompt(
            Prompt::new("test_input_required_result_prompt")
                .description("A prompt that asks the user for context before it renders")
                .handler(|_, ctx: RequestContext| async move {
                    Ok(match ctx.input_response("user_context").and_then(|a| a["content"]["context"].as_str()) {
                        Some(context) => PromptResult::new(vec![PromptMessage::user(Content::text(format!(
                            "Use this context: {context}"
                        )))]),
                        None => PromptResult::input_required(InputRequired::new().request(
                            "user_context",
                            "elicitation/create",
                            elicit("What context should the prompt use?", "context", "string"),
                        )),
                    })
                }),
        )
}
