//! The single analysis of a loaded document: operations with their parameters, bodies,
//! responses and security, and the API's servers and security schemes.
//!
//! Everything downstream (tool derivation, code emission, later the mock and `diff`) reads this,
//! never the raw document, except to follow schema `$ref`s (kept as references so recursive schemas
//! stay finite). An operation that cannot be expressed is left out with a [`Warning`] saying which
//! and why.

mod body;
pub mod curation;
pub mod long_running;
mod operation;
mod parameter;
mod resolve;
mod response;
mod security;

pub use body::{Body, BodyKind};
pub use curation::Curation;
pub use long_running::{FinalState, LongRunning, LongRunningOp, Recognised};
pub use operation::{Method, Operation};
pub use parameter::{ParamLocation, Parameter, Style, is_json as is_json_media};
pub use resolve::resolve_ref;
pub use response::Response;
pub use security::{SchemeKind, SecurityScheme};

use crate::load::Document;
use crate::load::pointer::Loc;
use serde_json::Value;
use std::collections::BTreeMap;

/// The analysed API.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Base URLs from `servers`, variables replaced by their defaults, in document order.
    pub servers: Vec<String>,
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    pub operations: Vec<Operation>,
    pub warnings: Vec<Warning>,
}

/// Something the generator could not use as written. `skipped` warnings dropped an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in the document, e.g. `paths./pets/{id}.get.parameters[2]`.
    pub at: String,
    pub message: String,
    /// True when the whole operation was left out because of this.
    pub skipped: bool,
}

/// Spec text is shown with control characters escaped: a warning must not move the cursor,
/// clear the terminal or forge a line of its own.
impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = printable(&self.at);
        let message = printable(&self.message);
        if self.skipped { write!(f, "{at}: operation skipped: {message}") } else { write!(f, "{at}: {message}") }
    }
}

/// A warning at `at` that skips nothing: a value of the description ignored, with why.
fn warn(warnings: &mut Vec<Warning>, at: &Loc, message: String) {
    warnings.push(Warning { at: at.to_string(), message, skipped: false });
}

/// `a string`, `a list`, ... for a warning about a value of the wrong type.
fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// `s` with control characters (CR, LF, ESC, ...) and bidirectional overrides escaped.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Analyses `doc`. Never fails: problems become warnings.
pub fn analyze(doc: &Document) -> Api {
    let root = &doc.root;
    // What loading said first (overlays' actions that selected nothing).
    let mut warnings = doc.warnings.clone();
    let info = root.get("info");
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let title = text(info.and_then(|i| i.get("title"))).unwrap_or_else(|| "api".into());
    let version = match info.and_then(|i| i.get("version")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0.0.0".into(),
    };
    let description = text(info.and_then(|i| i.get("description")));
    let servers = servers(root, &mut warnings);
    let security_schemes = security::schemes(doc, &mut warnings);
    let operations = operation::operations(doc, &security_schemes, &mut warnings);
    for broken in &doc.broken_refs {
        // Broken refs outside any operation would otherwise go unmentioned.
        if !broken.used_at.starts_with("paths.") {
            warnings.push(Warning {
                at: broken.used_at.clone(),
                message: format!("unresolvable $ref `{}`: {}", broken.reference, broken.reason),
                skipped: false,
            });
        }
    }
    Api { title, version, description, servers, security_schemes, operations, warnings }
}

/// The first server's URL of a path item or operation (`at`), which replaces the document's.
pub(crate) fn first_server(object: &Value, at: &Loc, warnings: &mut Vec<Warning>) -> Option<String> {
    servers_at(object, at, warnings).into_iter().next().filter(|s| !s.trim().is_empty())
}

fn servers(root: &Value, warnings: &mut Vec<Warning>) -> Vec<String> {
    servers_at(root, &Loc::root(), warnings)
}

/// The URLs of `object.servers`, each with its variables replaced by their defaults.
fn servers_at(object: &Value, at: &Loc, warnings: &mut Vec<Warning>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(list) = object.get("servers").and_then(Value::as_array) else { return out };
    for (i, s) in list.iter().enumerate() {
        let Some(url) = s.get("url").and_then(Value::as_str) else {
            warnings.push(Warning {
                at: at.index("servers", i).to_string(),
                message: "server has no `url`".into(),
                skipped: false,
            });
            continue;
        };
        let mut url = url.to_string();
        if let Some(Value::Object(vars)) = s.get("variables") {
            for (name, var) in vars {
                let default = match var.get("default") {
                    Some(Value::String(d)) => d.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => continue,
                };
                url = url.replace(&format!("{{{name}}}"), &default);
            }
        }
        out.push(url);
    }
    out
}
