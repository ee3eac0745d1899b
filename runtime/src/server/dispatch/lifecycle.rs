//! `initialize`, `server/discover`, `logging/setLevel`: how a client learns what the server is.

use super::Dispatcher;
use crate::protocol::ErrorObject;
use crate::protocol::version::{SERVER_INFO_META_KEY, all_versions, negotiate_legacy};
use crate::server::connection::Connection;
use crate::server::logging::LogLevel;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

impl Dispatcher {
    /// Only what the server really has.
    pub(super) fn capabilities(&self) -> Value {
        let state = &self.state;
        let dynamic = state.dynamic.load(Ordering::Relaxed);
        let prompts = state.prompts.read().expect("prompts lock");
        let templates = state.templates.read().expect("templates lock");
        let has_resources = !templates.is_empty() || !state.resources.read().expect("resources lock").is_empty();
        let has_completions = prompts.items().iter().any(|p| p.prompt.arguments.iter().any(|a| a.completer.is_some()))
            || templates.items().iter().any(|t| !t.template.completers.is_empty());
        let mut caps = Map::new();
        caps.insert("logging".into(), json!({}));
        if dynamic || !state.tools.read().expect("tools lock").is_empty() {
            caps.insert("tools".into(), json!({"listChanged": dynamic}));
        }
        if dynamic || has_resources {
            caps.insert("resources".into(), json!({"subscribe": true, "listChanged": dynamic}));
        }
        if dynamic || !prompts.is_empty() {
            caps.insert("prompts".into(), json!({"listChanged": dynamic}));
        }
        if has_completions {
            caps.insert("completions".into(), json!({}));
        }
        Value::Object(caps)
    }

    fn server_info(&self) -> Value {
        let mut info = json!({"name": self.info.name, "version": self.info.version});
        if let Some(title) = &self.info.title {
            info["title"] = json!(title);
        }
        info
    }

    pub(super) fn initialize(&self, conn: &Arc<Connection>, params: Option<&Value>) -> Value {
        let requested = params.and_then(|p| p.get("protocolVersion")).and_then(Value::as_str);
        let version = negotiate_legacy(requested);
        {
            let mut hs = conn.handshake.lock().expect("handshake lock");
            hs.version = Some(version);
            hs.client_capabilities =
                Some(Arc::new(params.and_then(|p| p.get("capabilities")).cloned().unwrap_or_else(|| json!({}))));
        }
        self.state.register_session(conn);
        let mut capabilities = self.capabilities();
        // Tasks came with 2025-11-25; an older client is not told of them.
        if version >= "2025-11-25" && self.has_task_tools() {
            capabilities["tasks"] = json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}});
        }
        let mut result = json!({
            "protocolVersion": version,
            "capabilities": capabilities,
            "serverInfo": self.server_info(),
        });
        if let Some(instructions) = &self.info.instructions {
            result["instructions"] = json!(instructions);
        }
        result
    }

    pub(super) fn discover(&self) -> Value {
        let mut capabilities = self.capabilities();
        if self.has_task_tools() {
            capabilities["extensions"] = json!({crate::server::tasks::EXTENSION: {}});
        }
        let mut result = json!({
            "supportedVersions": all_versions(),
            "capabilities": capabilities,
            "_meta": {SERVER_INFO_META_KEY: self.server_info()},
        });
        if let Some(instructions) = &self.info.instructions {
            result["instructions"] = json!(instructions);
        }
        result
    }
}

pub(super) fn set_level(conn: &Connection, params: Option<&Value>) -> Result<Value, ErrorObject> {
    let level = super::required_str(params, "level", "logging/setLevel")?
        .parse::<LogLevel>()
        .map_err(ErrorObject::invalid_params)?;
    conn.handshake.lock().expect("handshake lock").log_level = Some(level);
    Ok(json!({}))
}
