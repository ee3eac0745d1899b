//! The `test_*` prompts.

use crate::TEST_IMAGE_BASE64;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{Content, Prompt, PromptMessage, PromptResult, Server};

pub fn register(server: Server) -> Server {
    server
        .prompt(
            Prompt::new("test_simple_prompt")
                .title("Simple Test Prompt")
                .description("A simple prompt without arguments")
                .handler(|_, _| async {
                    Ok(PromptResult::new(vec![PromptMessage::user(Content::text(
                        "This is a simple prompt for testing.",
                    ))]))
                }),
        )
        .prompt(
            Prompt::new("test_prompt_with_arguments")
                .title("Prompt With Arguments")
                .description("A prompt with required arguments")
                .argument("arg1", "First test argument", true)
                .argument("arg2", "Second test argument", true)
                .complete("arg1", |typed, _| {
                    ["paris", "park", "party"].iter().filter(|v| v.starts_with(typed)).map(|v| v.to_string()).collect()
                })
                .handler(|args, _| async move {
                    let text = format!("Prompt with arguments: arg1='{}', arg2='{}'", args["arg1"], args["arg2"]);
                    Ok(PromptResult::new(vec![PromptMessage::user(Content::text(text))]))
                }),
        )
        .prompt(
            Prompt::new("test_prompt_with_embedded_resource")
                .title("Prompt With Embedded Resource")
                .description("A prompt that includes an embedded resource")
                .argument("resourceUri", "URI of the resource to embed", true)
                .handler(|args, _| async move {
                    let resource = json!({
                        "uri": args["resourceUri"],
                        "mimeType": "text/plain",
                        "text": "Embedded resource content for testing."
                    });
                    Ok(PromptResult::new(vec![
                        PromptMessage::user(Content::resource(resource)),
                        PromptMessage::user(Content::text("Please process the embedded resource above.")),
                    ]))
                }),
        )
        .prompt(
            Prompt::new("test_prompt_with_image")
                .title("Prompt With Image")
                .description("A prompt that includes image content")
                .handler(|_, _| async {
                    Ok(PromptResult::new(vec![
                        PromptMessage::user(Content::image(TEST_IMAGE_BASE64, "image/png")),
                        PromptMessage::user(Content::text("Please analyze the image above.")),
                    ]))
                }),
        )
}

/// Added two seconds after start.
pub fn dynamic_prompt() -> Prompt {
    Prompt::new("test_dynamic_prompt")
        .description("A prompt added while the server runs")
        .handler(|_, _| async { Ok(PromptResult::new(vec![PromptMessage::user(Content::text("Dynamic prompt"))])) })
}
