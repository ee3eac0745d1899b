//! `prompts/list`, `prompts/get` and `completion/complete`.

use super::{Call, Dispatcher};
use crate::protocol::{ErrorObject, Generation};
use crate::server::completion::complete;
use crate::server::input::{InputResponses, MAX_LEGACY_ROUNDS, fulfil_on_legacy};
use crate::server::state::RegisteredPrompt;
use serde_json::{Map, Value};
use std::sync::Arc;

impl Dispatcher {
    fn prompt(&self, name: &str) -> Result<Arc<RegisteredPrompt>, ErrorObject> {
        let prompts = self.state.prompts.read().expect("prompts lock");
        prompts.get(name).ok_or_else(|| ErrorObject::invalid_params(format!("Unknown prompt: {name}")))
    }

    pub(super) fn list_prompts(&self, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let definitions =
            self.state.prompts.read().expect("prompts lock").items().iter().map(|p| p.definition.clone()).collect();
        self.page("prompts", definitions, params)
    }

    pub(super) async fn get_prompt(&self, params: Option<&Value>, call: Call<'_>) -> Result<Value, ErrorObject> {
        let name = super::required_str(params, "name", "prompts/get")?;
        let prompt = self.prompt(name)?;
        let args = prompt.prompt.check_arguments(params.and_then(|p| p.get("arguments")))?;
        let scope = format!("prompts/get:{name}");
        let mut ctx = call.ctx.with_input(InputResponses::from_params(params, &self.signer, || scope.clone())?);
        for _ in 0..=MAX_LEGACY_ROUNDS {
            let mut result = (prompt.handler)(args.clone(), ctx.clone()).await?;
            let Some(required) = result.input_required.take() else { return Ok(result.to_value()) };
            if call.generation == Generation::Modern {
                return Ok(required.to_value(&self.signer, &scope));
            }
            let input = fulfil_on_legacy(&ctx, required).await?;
            ctx = ctx.with_input(input);
        }
        Err(ErrorObject::internal(format!("prompt `{name}` kept asking for input after {MAX_LEGACY_ROUNDS} rounds")))
    }

    /// Suggestions for a prompt argument (`ref/prompt`) or a template variable (`ref/resource`).
    pub(super) fn complete(&self, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let reference = params
            .and_then(|p| p.get("ref"))
            .ok_or_else(|| ErrorObject::invalid_params("completion/complete needs a `ref`"))?;
        let argument = params
            .and_then(|p| p.get("argument"))
            .ok_or_else(|| ErrorObject::invalid_params("completion/complete needs an `argument`"))?;
        let arg_name = super::required_str(Some(argument), "name", "completion/complete argument")?;
        let value = argument.get("value").and_then(Value::as_str).unwrap_or("");
        let empty = Map::new();
        let context = params
            .and_then(|p| p.get("context"))
            .and_then(|c| c.get("arguments"))
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        match reference.get("type").and_then(Value::as_str) {
            Some("ref/prompt") => {
                let name = super::required_str(Some(reference), "name", "a ref/prompt")?;
                let prompt = self.prompt(name)?;
                let arg = prompt.prompt.arguments.iter().find(|a| a.name == arg_name).ok_or_else(|| {
                    ErrorObject::invalid_params(format!("prompt `{name}` has no argument `{arg_name}`"))
                })?;
                Ok(complete(arg.completer.as_ref(), value, context))
            }
            Some("ref/resource") => {
                let uri = super::required_str(Some(reference), "uri", "a ref/resource")?;
                let templates = self.state.templates.read().expect("templates lock");
                let template = templates
                    .get(uri)
                    .ok_or_else(|| ErrorObject::invalid_params(format!("Unknown resource template: {uri}")))?;
                Ok(complete(template.template.completers.get(arg_name), value, context))
            }
            _ => Err(ErrorObject::invalid_params("`ref.type` must be \"ref/prompt\" or \"ref/resource\"")),
        }
    }
}
