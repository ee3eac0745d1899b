//! `resources/list`, `resources/templates/list`, `resources/read`, `resources/(un)subscribe`.

use super::{Call, Dispatcher};
use crate::protocol::{ErrorObject, Generation, codes};
use crate::server::connection::Connection;
use serde_json::{Value, json};
use std::collections::HashMap;

impl Dispatcher {
    pub(super) fn list_resources(&self, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let definitions =
            self.state.resources.read().expect("resources lock").items().iter().map(|r| r.definition.clone()).collect();
        self.page("resources", definitions, params)
    }

    pub(super) fn list_templates(&self, params: Option<&Value>) -> Result<Value, ErrorObject> {
        let definitions =
            self.state.templates.read().expect("templates lock").items().iter().map(|t| t.definition.clone()).collect();
        self.page("resourceTemplates", definitions, params)
    }

    pub(super) async fn read_resource(&self, params: Option<&Value>, call: Call<'_>) -> Result<Value, ErrorObject> {
        let uri = super::required_str(params, "uri", "resources/read")?;
        let fixed = self.state.resources.read().expect("resources lock").get(uri).map(|r| r.reader.clone());
        let (reader, vars) = match fixed {
            Some(reader) => (reader, HashMap::new()),
            None => {
                let templates = self.state.templates.read().expect("templates lock");
                templates
                    .items()
                    .iter()
                    .find_map(|t| t.parsed.matches(uri).map(|vars| (t.reader.clone(), vars)))
                    .ok_or_else(|| not_found(uri, call.generation))?
            }
        };
        let contents = reader(uri.to_string(), vars, call.ctx).await?;
        Ok(json!({"contents": contents.into_iter().map(|c| c.0).collect::<Vec<_>>()}))
    }
}

/// Legacy servers answer -32002; 2026-07-28 made it -32602.
fn not_found(uri: &str, generation: Generation) -> ErrorObject {
    let code = match generation {
        Generation::Legacy => codes::RESOURCE_NOT_FOUND,
        Generation::Modern => codes::INVALID_PARAMS,
    };
    ErrorObject::new(code, format!("Resource not found: {uri}")).with_data(json!({"uri": uri}))
}

/// Legacy `resources/subscribe` (`on`) and `resources/unsubscribe`.
pub(super) fn subscribe(conn: &Connection, params: Option<&Value>, on: bool) -> Result<Value, ErrorObject> {
    let method = if on { "resources/subscribe" } else { "resources/unsubscribe" };
    let uri = super::required_str(params, "uri", method)?;
    if on {
        conn.subscribe(uri);
    } else {
        conn.unsubscribe(uri);
    }
    Ok(json!({}))
}
