//! What a running server shares between its dispatcher, its transports and user code:
//! the registries, the live legacy sessions, and the 2026-07-28 subscription listeners.
//!
//! Lists can change while the server runs (through a [`ServerHandle`](super::ServerHandle)); each
//! change is announced to legacy sessions and to the listeners that asked for it.

use super::connection::{Connection, Outbound};
use super::prompt::Prompt;
use super::registry::Registry;
use super::resource::{Resource, ResourceReader, ResourceTemplate, UriTemplate};
use super::tool::{RegisteredTool, Tool};
use crate::protocol::jsonrpc::notification;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

pub(crate) struct RegisteredResource {
    pub reader: ResourceReader,
    pub definition: Value,
}

pub(crate) struct RegisteredTemplate {
    pub template: ResourceTemplate,
    pub parsed: UriTemplate,
    pub reader: ResourceReader,
    pub definition: Value,
}

pub(crate) struct RegisteredPrompt {
    pub prompt: Prompt,
    pub handler: super::prompt::PromptHandler,
    pub definition: Value,
}

/// A change that clients may be told about.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    Tools,
    Resources,
    Prompts,
    ResourceUpdated(String),
}

/// What a 2026-07-28 `subscriptions/listen` stream asked to hear.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Filter {
    pub tools: bool,
    pub resources: bool,
    pub prompts: bool,
    pub uris: HashSet<String>,
}

impl Filter {
    fn wants(&self, change: &Change) -> bool {
        match change {
            Change::Tools => self.tools,
            Change::Resources => self.resources,
            Change::Prompts => self.prompts,
            Change::ResourceUpdated(uri) => self.uris.contains(uri),
        }
    }
}

struct Listener {
    filter: Filter,
    subscription_id: Value,
    sink: Outbound,
}

#[derive(Default)]
pub(crate) struct State {
    pub tools: RwLock<Registry<RegisteredTool>>,
    /// Bumped whenever a tool is added or removed: what the search index is built from.
    pub tools_version: AtomicU64,
    pub resources: RwLock<Registry<RegisteredResource>>,
    pub templates: RwLock<Registry<RegisteredTemplate>>,
    pub prompts: RwLock<Registry<RegisteredPrompt>>,
    /// Set once user code holds a handle: lists may then change, and capabilities say so.
    pub dynamic: AtomicBool,
    sessions: Mutex<Vec<Weak<Connection>>>,
    listeners: Mutex<HashMap<u64, Listener>>,
    next_listener: AtomicU64,
}

impl State {
    pub fn add_tool(&self, tool: Tool) -> Result<(), String> {
        let registered = RegisteredTool::compile(tool)?;
        let name = registered.name.clone();
        if !self.tools.write().expect("tools lock").insert(name.clone(), registered) {
            return Err(format!("two tools are named `{name}`"));
        }
        self.tools_version.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Every toolset some tool is in, sorted.
    pub fn toolsets(&self) -> Vec<String> {
        let tools = self.tools.read().expect("tools lock");
        let set: std::collections::BTreeSet<&String> = tools.items().iter().flat_map(|t| &t.catalog.toolsets).collect();
        set.into_iter().cloned().collect()
    }

    pub fn add_resource(&self, resource: Resource) -> Result<(), String> {
        let uri = resource.uri.clone();
        let reader = resource.reader.clone().ok_or_else(|| format!("resource `{uri}` has no reader"))?;
        let definition = resource.definition();
        let entry = RegisteredResource { reader, definition };
        if !self.resources.write().expect("resources lock").insert(uri.clone(), entry) {
            return Err(format!("two resources have the URI `{uri}`"));
        }
        Ok(())
    }

    pub fn add_template(&self, template: ResourceTemplate) -> Result<(), String> {
        let key = template.uri_template.clone();
        let parsed = UriTemplate::parse(&key)?;
        let reader = template.reader.clone().ok_or_else(|| format!("resource template `{key}` has no reader"))?;
        for var in template.completers.keys() {
            if !parsed.variables().any(|v| v == var) {
                return Err(format!("resource template `{key}` has a completer for unknown variable `{var}`"));
            }
        }
        let definition = template.definition();
        let entry = RegisteredTemplate { template, parsed, reader, definition };
        if !self.templates.write().expect("templates lock").insert(key.clone(), entry) {
            return Err(format!("two resource templates are `{key}`"));
        }
        Ok(())
    }

    pub fn add_prompt(&self, prompt: Prompt) -> Result<(), String> {
        let name = prompt.name.clone();
        let handler = prompt.handler.clone().ok_or_else(|| format!("prompt `{name}` has no handler"))?;
        let definition = prompt.definition();
        if !self
            .prompts
            .write()
            .expect("prompts lock")
            .insert(name.clone(), RegisteredPrompt { prompt, handler, definition })
        {
            return Err(format!("two prompts are named `{name}`"));
        }
        Ok(())
    }

    /// Remembers a legacy session so it hears about changes.
    pub fn register_session(&self, conn: &Arc<Connection>) {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        sessions.retain(|w| w.strong_count() > 0);
        if !sessions.iter().any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(conn))) {
            sessions.push(Arc::downgrade(conn));
        }
    }

    /// Lets go of ended sessions (their entries keep the connection's allocation alive), and
    /// of the list's spare room.
    pub fn forget_ended_sessions(&self) {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        sessions.retain(|w| w.strong_count() > 0);
        if sessions.capacity() > 2 * sessions.len() + 64 {
            sessions.shrink_to_fit();
        }
    }

    /// Starts a 2026-07-28 listener; returns its key for [`State::remove_listener`].
    pub fn add_listener(&self, filter: Filter, subscription_id: Value, sink: Outbound) -> u64 {
        let key = self.next_listener.fetch_add(1, Ordering::Relaxed);
        self.listeners.lock().expect("listeners lock").insert(key, Listener { filter, subscription_id, sink });
        key
    }

    pub fn remove_listener(&self, key: u64) {
        self.listeners.lock().expect("listeners lock").remove(&key);
    }

    /// Tells every interested client about `change`. Never blocks: a client whose queue is
    /// full misses the notice (it can re-list).
    pub fn announce(&self, change: Change) {
        let (method, params) = match &change {
            Change::Tools => ("notifications/tools/list_changed", json!({})),
            Change::Resources => ("notifications/resources/list_changed", json!({})),
            Change::Prompts => ("notifications/prompts/list_changed", json!({})),
            Change::ResourceUpdated(uri) => ("notifications/resources/updated", json!({"uri": uri})),
        };
        let sessions: Vec<Arc<Connection>> =
            self.sessions.lock().expect("sessions lock").iter().filter_map(Weak::upgrade).collect();
        for conn in sessions {
            let wanted = match &change {
                Change::ResourceUpdated(uri) => conn.is_subscribed(uri),
                _ => true,
            };
            if wanted {
                conn.try_notify(method, params.clone());
            }
        }
        for listener in self.listeners.lock().expect("listeners lock").values() {
            if listener.filter.wants(&change) {
                let mut p = params.clone();
                p["_meta"] = json!({"io.modelcontextprotocol/subscriptionId": listener.subscription_id});
                let _ = listener.sink.try_send(notification(method, p));
            }
        }
    }
}
