//! How a description's author curates its operations as MCP tools: `x-mcp` (at the root, on a
//! path item, on an operation) and Speakeasy's `x-speakeasy-mcp` (on an operation).
//!
//! `x-mcp` is `false` (leave out), `true` (include), or a mapping with `name`, `title`,
//! `description`, `hidden`, `toolset`, the annotation hints `readOnlyHint`, `destructiveHint`,
//! `idempotentHint`, `openWorldHint`, and `longRunning` (the operation runs long: its tool may run
//! as a task, see [`super::long_running`]); a mapping includes, as `true` does. `x-speakeasy-mcp`
//! is a mapping with `disabled`, `name`, `description`, `scopes` and the first three hints.
//!
//! Each field is taken from the nearest level that sets it: the operation's `x-mcp`, then its
//! `x-speakeasy-mcp`, then the path item's `x-mcp`, then the root's. So an operation's
//! `x-mcp: true` brings back one operation of a path item or API marked `false`, and where both
//! extensions are on one operation, `x-mcp` wins field by field. `name`, `title` and `description`
//! are read on operations only (on a path item or the root they would name every operation alike).
//!
//! Unknown keys and values of the wrong type are warnings that name their place
//! (`paths./pets.get.x-mcp.colour`) and are ignored; nothing here fails.

use super::{Warning, value_kind, warn};
use crate::load::pointer::Loc;
use serde_json::Value;

/// What the extensions say about one operation as a tool; `None`: not said, the default holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Curation {
    /// `Some(false)`: left out (`x-mcp: false`, `x-speakeasy-mcp.disabled: true`).
    pub include: Option<bool>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Callable by name, but not listed (`tools/list`, the dynamic surface's search).
    pub hidden: Option<bool>,
    /// The tool's one toolset, instead of the operation's tags.
    pub toolset: Option<String>,
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
    /// OAuth scopes a call needs (`x-speakeasy-mcp.scopes`), kept for inbound authorization.
    pub scopes: Option<Vec<String>>,
    /// `x-mcp.longRunning`: the operation runs long (`true`), or does not whatever else says so
    /// (`false`) ([`super::long_running`]).
    pub long_running: Option<bool>,
}

impl Curation {
    /// Whether the operation becomes a tool.
    pub fn excluded(&self) -> bool {
        self.include == Some(false)
    }

    /// `self` with what `nearer` sets laid over it.
    pub fn under(self, nearer: Curation) -> Curation {
        Curation {
            include: nearer.include.or(self.include),
            name: nearer.name.or(self.name),
            title: nearer.title.or(self.title),
            description: nearer.description.or(self.description),
            hidden: nearer.hidden.or(self.hidden),
            toolset: nearer.toolset.or(self.toolset),
            read_only: nearer.read_only.or(self.read_only),
            destructive: nearer.destructive.or(self.destructive),
            idempotent: nearer.idempotent.or(self.idempotent),
            open_world: nearer.open_world.or(self.open_world),
            scopes: nearer.scopes.or(self.scopes),
            long_running: nearer.long_running.or(self.long_running),
        }
    }
}

/// Where an extension sits: what it may say depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Root,
    PathItem,
    Operation,
}

/// The `x-mcp` of `object` (the document, a path item or an operation) at `at`.
pub fn x_mcp(object: &Value, at: &Loc, level: Level, warnings: &mut Vec<Warning>) -> Curation {
    let Some(raw) = object.get("x-mcp") else { return Curation::default() };
    let at = at.key("x-mcp");
    let fields = match raw {
        Value::Bool(b) => return Curation { include: Some(*b), ..Curation::default() },
        Value::Object(fields) => fields,
        other => {
            warn(warnings, &at, format!("must be true, false or a mapping, not {}; ignored", kind(other)));
            return Curation::default();
        }
    };
    let mut c = Curation { include: Some(true), ..Curation::default() };
    for (key, value) in fields {
        let at = at.key(key);
        let mut r = Reader { at: &at, value, warnings };
        match key.as_str() {
            "name" | "title" | "description" if level != Level::Operation => r.warn(format!(
                "`{key}` is read on operations only (here it would apply to every operation {}); ignored",
                if level == Level::Root { "of the API" } else { "of the path" }
            )),
            "name" => c.name = r.text(),
            "title" => c.title = r.text(),
            "description" => c.description = r.text(),
            "hidden" => c.hidden = r.flag(),
            "toolset" => c.toolset = r.text(),
            "readOnlyHint" => c.read_only = r.flag(),
            "destructiveHint" => c.destructive = r.flag(),
            "idempotentHint" => c.idempotent = r.flag(),
            "openWorldHint" => c.open_world = r.flag(),
            "longRunning" => c.long_running = r.flag(),
            _ => r.warn(
                "unknown key, ignored (x-mcp has name, title, description, hidden, toolset, readOnlyHint, \
                 destructiveHint, idempotentHint, openWorldHint, longRunning)"
                    .into(),
            ),
        }
    }
    c
}

/// The `x-speakeasy-mcp` of an operation at `at`.
pub fn x_speakeasy_mcp(op: &Value, at: &Loc, warnings: &mut Vec<Warning>) -> Curation {
    let Some(raw) = op.get("x-speakeasy-mcp") else { return Curation::default() };
    let at = at.key("x-speakeasy-mcp");
    let Some(fields) = raw.as_object() else {
        warn(warnings, &at, format!("must be a mapping, not {}; ignored", kind(raw)));
        return Curation::default();
    };
    let mut c = Curation::default();
    for (key, value) in fields {
        let at = at.key(key);
        let mut r = Reader { at: &at, value, warnings };
        match key.as_str() {
            "disabled" => c.include = r.flag().map(|disabled| !disabled),
            "name" => c.name = r.text(),
            "description" => c.description = r.text(),
            "scopes" => c.scopes = r.texts(),
            "readOnlyHint" => c.read_only = r.flag(),
            "destructiveHint" => c.destructive = r.flag(),
            "idempotentHint" => c.idempotent = r.flag(),
            _ => r.warn(
                "unknown key, ignored (x-speakeasy-mcp has disabled, name, description, scopes, readOnlyHint, \
                 destructiveHint, idempotentHint)"
                    .into(),
            ),
        }
    }
    c
}

/// Reads one field's value, warning (and giving `None`) when it has the wrong type.
struct Reader<'a> {
    at: &'a Loc,
    value: &'a Value,
    warnings: &'a mut Vec<Warning>,
}

impl Reader<'_> {
    fn warn(&mut self, message: String) {
        warn(self.warnings, self.at, message);
    }

    fn flag(&mut self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(*b),
            other => {
                self.warn(format!("must be true or false, not {}; ignored", kind(other)));
                None
            }
        }
    }

    /// A string with something in it besides spaces, trimmed.
    fn text(&mut self) -> Option<String> {
        match self.value {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::String(_) => {
                self.warn("is empty; ignored".into());
                None
            }
            other => {
                self.warn(format!("must be a string, not {}; ignored", kind(other)));
                None
            }
        }
    }

    fn texts(&mut self) -> Option<Vec<String>> {
        match self.value {
            Value::Array(items) if items.iter().all(Value::is_string) => {
                Some(items.iter().filter_map(Value::as_str).map(str::to_string).collect())
            }
            other => {
                self.warn(format!("must be a list of strings, not {}; ignored", kind(other)));
                None
            }
        }
    }
}

/// [`value_kind`], telling a list of strings from one with other things in it.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Array(items) if !items.iter().all(Value::is_string) => "a list with other things than strings",
        other => value_kind(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The curation of the operation `doc.paths./p.get`, as the IR combines the levels, and the
    /// warnings as text.
    fn curation(doc: Value) -> (Curation, Vec<String>) {
        let mut w = Vec::new();
        let path = Loc::root().key("paths").key("/p");
        let op = path.key("get");
        let c = x_mcp(&doc, &Loc::root(), Level::Root, &mut w)
            .under(x_mcp(&doc["paths"]["/p"], &path, Level::PathItem, &mut w))
            .under(x_speakeasy_mcp(&doc["paths"]["/p"]["get"], &op, &mut w))
            .under(x_mcp(&doc["paths"]["/p"]["get"], &op, Level::Operation, &mut w));
        (c, w.iter().map(ToString::to_string).collect())
    }

    fn with(root: Value, path: Value, op: Value) -> Value {
        let mut doc = json!({"paths": {"/p": {"get": op}}});
        if !root.is_null() {
            doc["x-mcp"] = root;
        }
        if !path.is_null() {
            doc["paths"]["/p"]["x-mcp"] = path;
        }
        doc
    }

    #[test]
    fn the_operation_wins_over_the_path_over_the_root() {
        let (c, w) = curation(with(json!(false), Value::Null, json!({})));
        assert!(c.excluded() && w.is_empty());
        let (c, _) = curation(with(json!(false), json!(true), json!({})));
        assert!(!c.excluded(), "the path item brings its operations back");
        let (c, _) = curation(with(json!(true), json!(false), json!({"x-mcp": true})));
        assert!(!c.excluded(), "the operation wins over its path item");
        let (c, _) = curation(with(Value::Null, json!(false), json!({"x-mcp": {"name": "x"}})));
        assert!(!c.excluded(), "a mapping includes, as true does");
        let (c, _) = curation(with(
            json!({"toolset": "all", "hidden": true, "openWorldHint": false}),
            json!({"toolset": "pets"}),
            json!({"x-mcp": {"hidden": false}}),
        ));
        assert_eq!(c.toolset.as_deref(), Some("pets"));
        assert_eq!((c.hidden, c.open_world), (Some(false), Some(false)), "fields combine level by level");
        assert_eq!(c.name, None);
    }

    #[test]
    fn x_mcp_wins_over_x_speakeasy_mcp_field_by_field() {
        let op = json!({
            "x-speakeasy-mcp": {"disabled": true, "name": "speakeasy_name", "description": "From Speakeasy",
                                 "scopes": ["read", "write"], "readOnlyHint": true, "destructiveHint": false},
            "x-mcp": {"name": "mcp_name", "readOnlyHint": false},
        });
        let (c, w) = curation(with(Value::Null, Value::Null, op));
        assert!(w.is_empty(), "{w:?}");
        assert!(!c.excluded(), "x-mcp's mapping includes it, whatever x-speakeasy-mcp says");
        assert_eq!(c.name.as_deref(), Some("mcp_name"));
        assert_eq!(c.description.as_deref(), Some("From Speakeasy"), "what x-mcp does not say, Speakeasy's does");
        assert_eq!(c.scopes, Some(vec!["read".to_string(), "write".to_string()]));
        assert_eq!((c.read_only, c.destructive), (Some(false), Some(false)));
        let (c, _) = curation(with(json!(true), Value::Null, json!({"x-speakeasy-mcp": {"disabled": true}})));
        assert!(c.excluded(), "the operation's Speakeasy extension is nearer than the root's x-mcp");
        let (c, _) = curation(with(json!(false), Value::Null, json!({"x-speakeasy-mcp": {"disabled": false}})));
        assert!(!c.excluded());
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_warnings_naming_their_place() {
        let op = json!({
            "x-mcp": {"colour": "red", "hidden": "yes", "name": 3, "title": "  ", "toolset": "things"},
            "x-speakeasy-mcp": {"scopes": "read", "enabled": true, "disabled": 1},
        });
        let (c, w) = curation(with(json!({"name": "everything"}), json!("sometimes"), op));
        assert_eq!(c.toolset.as_deref(), Some("things"), "the rest is still read");
        assert_eq!((c.hidden, c.name.as_ref(), c.title.as_ref(), c.scopes.as_ref()), (None, None, None, None));
        let expected = [
            "x-mcp.name: `name` is read on operations only (here it would apply to every operation of the API); ignored",
            "paths./p.x-mcp: must be true, false or a mapping, not a string; ignored",
            "paths./p.get.x-speakeasy-mcp.disabled: must be true or false, not a number; ignored",
            "paths./p.get.x-speakeasy-mcp.enabled: unknown key, ignored (x-speakeasy-mcp has disabled, name, description, scopes, readOnlyHint, destructiveHint, idempotentHint)",
            "paths./p.get.x-speakeasy-mcp.scopes: must be a list of strings, not a string; ignored",
            "paths./p.get.x-mcp.colour: unknown key, ignored (x-mcp has name, title, description, hidden, toolset, readOnlyHint, destructiveHint, idempotentHint, openWorldHint, longRunning)",
            "paths./p.get.x-mcp.hidden: must be true or false, not a string; ignored",
            "paths./p.get.x-mcp.name: must be a string, not a number; ignored",
            "paths./p.get.x-mcp.title: is empty; ignored",
        ];
        assert_eq!(w, expected);
        let (_, w) = curation(with(Value::Null, Value::Null, json!({"x-speakeasy-mcp": [1], "x-mcp": null})));
        assert_eq!(
            w,
            [
                "paths./p.get.x-speakeasy-mcp: must be a mapping, not a list with other things than strings; ignored",
                "paths./p.get.x-mcp: must be true, false or a mapping, not null; ignored",
            ]
        );
    }
}
