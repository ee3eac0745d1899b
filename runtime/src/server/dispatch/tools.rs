//! `tools/list` and `tools/call`.

use super::{Call, Dispatcher, pagination};
use crate::protocol::{ErrorObject, Generation, codes};
use crate::server::input::{InputResponses, MAX_LEGACY_ROUNDS, fulfil_on_legacy};
use crate::server::reply::Payload;
use crate::server::result::ToolResult;
use crate::server::tool_page::ToolPage;
use futures::FutureExt;
use serde_json::{Map, Value, json};
use std::panic::AssertUnwindSafe;

impl Dispatcher {
    /// One page of tools, written from each tool's stored definition text when it is sent
    /// ([`ToolPage`]): a large API's page is never parsed into a tree, nor scanned (each schema
    /// goes on one line as it is written, `Schema::write_one_line`).
    pub(super) fn list_tools(&self, params: Option<&Value>) -> Result<Payload, ErrorObject> {
        let tools = self.state.tools.read().expect("tools lock");
        let offset = self.cursor_offset(params, tools.items().len())?;
        let (page, next) = pagination::page(tools.items(), offset, self.info.page_size);
        Ok(Payload::ToolPage(ToolPage::new(page, next.as_deref())))
    }

    pub(super) async fn call_tool(&self, params: Option<Value>, call: Call<'_>) -> Result<Payload, ErrorObject> {
        let mut params = params.unwrap_or_else(|| json!({}));
        let tool = self
            .state
            .tools
            .read()
            .expect("tools lock")
            .get(super::required_str(Some(&params), "name", "tools/call")?)
            .ok_or_else(|| {
                let name = params["name"].as_str().unwrap_or_default();
                ErrorObject::invalid_params(format!("Unknown tool: {name}"))
            })?;
        let name = tool.name.as_str();
        if call.generation == Generation::Modern {
            check_client_capabilities(&tool.required_client_capabilities, call.ctx.client_capabilities(), name)?;
        }
        let tool_result = |result| Ok(Payload::Tool { result, result_type: false });
        // Moved out of `params`, not copied.
        let arguments = match params.get_mut("arguments").map(Value::take) {
            None | Some(Value::Null) => json!({}),
            Some(args @ Value::Object(_)) => args,
            Some(_) => return Err(ErrorObject::invalid_params("tools/call `arguments` must be an object")),
        };
        let violations = tool.input.violations(&arguments);
        if !violations.is_empty() {
            let text = format!("Invalid arguments for tool `{name}`:\n- {}", violations.join("\n- "));
            return tool_result(ToolResult::error(text));
        }
        let scope = || format!("tools/call:{name}");
        let mut ctx = call.ctx.with_input(InputResponses::from_params(Some(&params), &self.signer, scope)?);
        // Only a legacy request with a channel to the client can come back for another round
        // with the same arguments: only then is a copy kept; otherwise the handler takes them.
        let spare = (call.generation == Generation::Legacy && ctx.sink().is_some()).then(|| arguments.clone());
        let mut arguments = Some(arguments);
        let mut rounds = 0;
        let result = loop {
            let args = arguments.take().or_else(|| spare.clone()).unwrap_or_else(|| json!({}));
            let outcome = AssertUnwindSafe((tool.handler)(args, ctx.clone())).catch_unwind().await;
            let mut result = match outcome {
                Ok(Ok(result)) => result,
                Ok(Err(error)) => ToolResult::error(error.0),
                Err(_) => {
                    tracing::error!(tool = name, "tool handler panicked");
                    ToolResult::error(format!("tool `{name}` failed unexpectedly"))
                }
            };
            let Some(required) = result.input_required.take() else { break result };
            if call.generation == Generation::Modern {
                return Ok(Payload::Value(required.to_value(&self.signer, &scope())));
            }
            if spare.is_none() {
                break ToolResult::error(format!(
                    "tool `{name}` needed input the client did not give: this transport cannot send requests to the client"
                ));
            }
            rounds += 1;
            if rounds > MAX_LEGACY_ROUNDS {
                break ToolResult::error(format!(
                    "tool `{name}` kept asking for input after {MAX_LEGACY_ROUNDS} rounds"
                ));
            }
            match Box::pin(fulfil_on_legacy(&ctx, required)).await {
                Ok(input) => ctx = ctx.with_input(input),
                Err(e) => {
                    break ToolResult::error(format!(
                        "tool `{name}` needed input the client did not give: {}",
                        e.message
                    ));
                }
            }
        };
        if let (Some(schema), false) = (&tool.output, result.is_error) {
            let problems = match &result.structured {
                None => vec!["the tool declares an outputSchema but returned no structuredContent".to_string()],
                Some(structured) => schema.violations(structured),
            };
            if !problems.is_empty() {
                tracing::warn!(tool = name, ?problems, "tool output does not match its outputSchema");
                let text = format!(
                    "Tool `{name}` returned output that does not match its outputSchema:\n- {}",
                    problems.join("\n- ")
                );
                return tool_result(ToolResult::error(text));
            }
        }
        tool_result(result)
    }
}

/// -32021 naming every capability the tool needs that the client did not declare.
fn check_client_capabilities(required: &[String], declared: &Value, tool: &str) -> Result<(), ErrorObject> {
    let missing: Vec<&String> = required.iter().filter(|cap| declared.get(cap.as_str()).is_none()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let required_caps: Map<String, Value> = missing.iter().map(|c| ((*c).clone(), json!({}))).collect();
    let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    Err(ErrorObject::new(
        codes::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!("tool `{tool}` needs the client capability {}, which the client did not declare", names.join(", ")),
    )
    .with_data(json!({"requiredCapabilities": required_caps})))
}
