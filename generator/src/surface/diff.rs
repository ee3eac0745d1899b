//! What changed between two tool surfaces, and whether each change can break a client that was
//! written against the old one.
//!
//! A change is breaking when a call that was valid before may now be refused or mean something
//! else: a tool or argument removed, a tool renamed (the same operation, told by its operationId
//! or else its method and path, under another name: a client calling the old name fails), an
//! argument newly required (or added as required), a type or set of allowed values narrowed.
//! Additions, relaxations and new descriptions are compatible.

use super::{Argument, ToolSurface};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// One change in the tool surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub tool: String,
    /// The argument's path, for argument changes.
    pub argument: Option<String>,
    pub kind: ChangeKind,
    pub breaking: bool,
    /// What changed, for a person: `integer -> string`, `no longer accepts "sold"`.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    ToolAdded,
    ToolRemoved,
    ToolRenamed,
    DescriptionChanged,
    ArgumentAdded,
    ArgumentRemoved,
    NowRequired,
    NoLongerRequired,
    TypeChanged,
    AllowedValuesChanged,
    ArgumentDescriptionChanged,
}

impl ChangeKind {
    /// The name used in `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::ToolAdded => "tool_added",
            ChangeKind::ToolRemoved => "tool_removed",
            ChangeKind::ToolRenamed => "tool_renamed",
            ChangeKind::DescriptionChanged => "description_changed",
            ChangeKind::ArgumentAdded => "argument_added",
            ChangeKind::ArgumentRemoved => "argument_removed",
            ChangeKind::NowRequired => "argument_now_required",
            ChangeKind::NoLongerRequired => "argument_no_longer_required",
            ChangeKind::TypeChanged => "argument_type_changed",
            ChangeKind::AllowedValuesChanged => "argument_values_changed",
            ChangeKind::ArgumentDescriptionChanged => "argument_description_changed",
        }
    }
}

impl Change {
    /// One line for a person: `` `listPets`: argument `limit` is now required ``.
    pub fn summary(&self) -> String {
        let what = match self.kind {
            ChangeKind::ToolAdded => "tool added".to_string(),
            ChangeKind::ToolRemoved => "tool removed".to_string(),
            ChangeKind::ToolRenamed => self.detail.clone(),
            ChangeKind::DescriptionChanged => "description changed".to_string(),
            _ => format!("argument `{}`: {}", self.argument.as_deref().unwrap_or(""), self.detail),
        };
        format!("`{}`: {what}", self.tool)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "tool": self.tool,
            "argument": self.argument,
            "kind": self.kind.as_str(),
            "breaking": self.breaking,
            "detail": self.detail,
        })
    }
}

/// Every change from `old` to `new`, tools in name order (a renamed tool under its old name),
/// arguments in path order.
pub fn diff(old: &[ToolSurface], new: &[ToolSurface]) -> Vec<Change> {
    let old: BTreeMap<&str, &ToolSurface> = old.iter().map(|t| (t.name.as_str(), t)).collect();
    let new: BTreeMap<&str, &ToolSurface> = new.iter().map(|t| (t.name.as_str(), t)).collect();
    let renamed = renames(&old, &new);
    let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    let mut changes = Vec::new();
    for name in names {
        if let Some(n) = renamed.get(name).and_then(|to| new.get(to)) {
            let o = old[name];
            changes.push(Change {
                tool: name.to_string(),
                argument: None,
                kind: ChangeKind::ToolRenamed,
                breaking: true,
                detail: format!("renamed to `{}` (the same operation)", n.name),
            });
            if o.description != n.description {
                changes.push(Change {
                    tool: n.name.clone(),
                    argument: None,
                    kind: ChangeKind::DescriptionChanged,
                    breaking: false,
                    detail: String::new(),
                });
            }
            arguments(&n.name, &o.arguments, &n.arguments, &mut changes);
            continue;
        }
        if renamed.values().any(|to| *to == name) {
            continue;
        }
        let tool_change = |kind, breaking, detail: &str| Change {
            tool: name.to_string(),
            argument: None,
            kind,
            breaking,
            detail: detail.to_string(),
        };
        match (old.get(name), new.get(name)) {
            (Some(_), None) => changes.push(tool_change(ChangeKind::ToolRemoved, true, "")),
            (None, Some(_)) => changes.push(tool_change(ChangeKind::ToolAdded, false, "")),
            (Some(o), Some(n)) => {
                if o.description != n.description {
                    changes.push(tool_change(ChangeKind::DescriptionChanged, false, ""));
                }
                arguments(name, &o.arguments, &n.arguments, &mut changes);
            }
            (None, None) => {}
        }
    }
    changes
}

/// Old name -> new name for each tool only the old surface has whose operation is behind a tool
/// only the new one has (an operation behind several such tools on either side is left alone).
fn renames<'a>(
    old: &BTreeMap<&'a str, &'a ToolSurface>,
    new: &BTreeMap<&'a str, &'a ToolSurface>,
) -> BTreeMap<&'a str, &'a str> {
    let by_operation = |one: &BTreeMap<&'a str, &'a ToolSurface>, other: &BTreeMap<&'a str, &'a ToolSurface>| {
        let mut found: BTreeMap<&'a str, Option<&'a str>> = BTreeMap::new();
        for (name, t) in one.iter().filter(|(name, _)| !other.contains_key(*name)) {
            if let Some(op) = t.operation.as_deref() {
                found.entry(op).and_modify(|n| *n = None).or_insert(Some(*name));
            }
        }
        found
    };
    let (gone, added) = (by_operation(old, new), by_operation(new, old));
    gone.iter().filter_map(|(op, from)| Some(((*from)?, (*added.get(op)?)?))).collect()
}

fn arguments(tool: &str, old: &[Argument], new: &[Argument], changes: &mut Vec<Change>) {
    let old: BTreeMap<&str, &Argument> = old.iter().map(|a| (a.path.as_str(), a)).collect();
    let new: BTreeMap<&str, &Argument> = new.iter().map(|a| (a.path.as_str(), a)).collect();
    let paths: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    for path in paths {
        let mut change = |kind, breaking, detail: String| {
            changes.push(Change { tool: tool.to_string(), argument: Some(path.to_string()), kind, breaking, detail })
        };
        match (old.get(path), new.get(path)) {
            (Some(_), None) => change(ChangeKind::ArgumentRemoved, true, "removed".into()),
            (None, Some(n)) if n.required => change(ChangeKind::ArgumentAdded, true, "added, required".into()),
            (None, Some(_)) => change(ChangeKind::ArgumentAdded, false, "added, optional".into()),
            (Some(o), Some(n)) => {
                match (o.required, n.required) {
                    (false, true) => change(ChangeKind::NowRequired, true, "now required".into()),
                    (true, false) => change(ChangeKind::NoLongerRequired, false, "no longer required".into()),
                    _ => {}
                }
                if o.types != n.types {
                    let detail = format!("type {} -> {}", o.type_text(), n.type_text());
                    change(ChangeKind::TypeChanged, !accepts_types(&n.types, &o.types), detail);
                }
                if o.allowed != n.allowed {
                    let (breaking, detail) = allowed_change(o.allowed.as_ref(), n.allowed.as_ref());
                    change(ChangeKind::AllowedValuesChanged, breaking, detail);
                }
                if o.description != n.description {
                    change(ChangeKind::ArgumentDescriptionChanged, false, "description changed".into());
                }
            }
            (None, None) => {}
        }
    }
}

/// Whether a value of any type in `old` is still accepted by `new` (empty means any type;
/// `number` takes integers).
fn accepts_types(new: &BTreeSet<String>, old: &BTreeSet<String>) -> bool {
    if new.is_empty() {
        return true;
    }
    if old.is_empty() {
        return false;
    }
    old.iter().all(|t| new.contains(t) || (t == "integer" && new.contains("number")))
}

fn allowed_change(old: Option<&BTreeSet<String>>, new: Option<&BTreeSet<String>>) -> (bool, String) {
    match (old, new) {
        (None, Some(n)) => (true, format!("now limited to {}", list(n.iter()))),
        (Some(_), None) => (false, "no longer limited to listed values".into()),
        (Some(o), Some(n)) => {
            let removed: Vec<&String> = o.difference(n).collect();
            let added: Vec<&String> = n.difference(o).collect();
            let mut parts = Vec::new();
            if !removed.is_empty() {
                parts.push(format!("no longer accepts {}", list(removed.iter().copied())));
            }
            if !added.is_empty() {
                parts.push(format!("now also accepts {}", list(added.iter().copied())));
            }
            (!removed.is_empty(), parts.join("; "))
        }
        (None, None) => (false, String::new()),
    }
}

/// `"a", "b"`, at most eight values then a count.
fn list<'a>(values: impl Iterator<Item = &'a String>) -> String {
    let values: Vec<&String> = values.collect();
    let shown: Vec<&str> = values.iter().take(8).map(|v| v.as_str()).collect();
    match values.len() {
        n if n > 8 => format!("{} and {} more", shown.join(", "), n - 8),
        _ => shown.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn surface(name: &str, schema: Value) -> ToolSurface {
        ToolSurface::new(name, "d", &schema)
    }

    fn find<'a>(changes: &'a [Change], kind: ChangeKind, argument: Option<&str>) -> &'a Change {
        changes
            .iter()
            .find(|c| c.kind == kind && c.argument.as_deref() == argument)
            .unwrap_or_else(|| panic!("no {kind:?} for {argument:?} in {changes:#?}"))
    }

    #[test]
    fn classifies_each_kind_of_argument_change() {
        let old = surface(
            "t",
            json!({"type": "object", "required": ["a"], "properties": {
                "a": {"type": "integer"},
                "b": {"type": "string"},
                "c": {"type": "string", "enum": ["x", "y"]},
                "d": {"type": "integer"},
                "e": {"type": "string"},
                "gone": {"type": "string"}
            }}),
        );
        let new = surface(
            "t",
            json!({"type": "object", "required": ["b", "must"], "properties": {
                "a": {"type": "number"},
                "b": {"type": "string"},
                "c": {"type": "string", "enum": ["x", "z"]},
                "d": {"type": "string"},
                "e": {"type": "string", "description": "now described"},
                "may": {"type": "string"},
                "must": {"type": "string"}
            }}),
        );
        let changes = diff(&[old], &[new]);
        assert!(!find(&changes, ChangeKind::TypeChanged, Some("a")).breaking, "integer -> number widens");
        assert!(!find(&changes, ChangeKind::NoLongerRequired, Some("a")).breaking);
        assert!(find(&changes, ChangeKind::NowRequired, Some("b")).breaking);
        let c = find(&changes, ChangeKind::AllowedValuesChanged, Some("c"));
        assert!(c.breaking);
        assert_eq!(c.detail, "no longer accepts \"y\"; now also accepts \"z\"");
        assert!(find(&changes, ChangeKind::TypeChanged, Some("d")).breaking);
        assert!(!find(&changes, ChangeKind::ArgumentDescriptionChanged, Some("e")).breaking);
        assert!(find(&changes, ChangeKind::ArgumentRemoved, Some("gone")).breaking);
        assert!(!find(&changes, ChangeKind::ArgumentAdded, Some("may")).breaking);
        assert!(find(&changes, ChangeKind::ArgumentAdded, Some("must")).breaking);
        assert_eq!(changes.len(), 9, "{changes:#?}");
    }

    #[test]
    fn tools_added_removed_and_redescribed() {
        let empty = json!({"type": "object"});
        let old = [surface("keep", empty.clone()), surface("gone", empty.clone())];
        let mut changed = surface("keep", empty.clone());
        changed.description = "new words".into();
        let new = [changed, surface("fresh", empty)];
        let changes = diff(&old, &new);
        let kinds: Vec<(&str, ChangeKind, bool)> =
            changes.iter().map(|c| (c.tool.as_str(), c.kind, c.breaking)).collect();
        assert_eq!(
            kinds,
            [
                ("fresh", ChangeKind::ToolAdded, false),
                ("gone", ChangeKind::ToolRemoved, true),
                ("keep", ChangeKind::DescriptionChanged, false)
            ]
        );
    }

    #[test]
    fn a_renamed_operation_is_one_breaking_change() {
        let schema =
            |extra: &str| json!({"type": "object", "properties": {"a": {"type": "string"}, extra: {"type": "string"}}});
        let with_op = |name: &str, op: Option<&str>, schema: Value| {
            let mut s = surface(name, schema);
            s.operation = op.map(str::to_string);
            s
        };
        let old = [
            with_op("repos_list-for-authenticated-user", Some("repos/list-for-authenticated-user"), schema("b")),
            with_op("get_pets", Some("GET /pets"), schema("b")),
            with_op("gone", Some("gone"), schema("b")),
            // A manifest tool has no operation: a new name is a removal and an addition.
            with_op("m_old", None, schema("b")),
        ];
        let new = [
            with_op("repos_list-for-auth-user", Some("repos/list-for-authenticated-user"), schema("c")),
            with_op("list_pets", Some("GET /pets"), schema("b")),
            with_op("m_new", None, schema("b")),
        ];
        let changes = diff(&old, &new);
        let kinds: Vec<(&str, ChangeKind, Option<&str>, bool)> =
            changes.iter().map(|c| (c.tool.as_str(), c.kind, c.argument.as_deref(), c.breaking)).collect();
        assert_eq!(
            kinds,
            [
                ("get_pets", ChangeKind::ToolRenamed, None, true),
                ("gone", ChangeKind::ToolRemoved, None, true),
                ("m_new", ChangeKind::ToolAdded, None, false),
                ("m_old", ChangeKind::ToolRemoved, None, true),
                ("repos_list-for-authenticated-user", ChangeKind::ToolRenamed, None, true),
                ("repos_list-for-auth-user", ChangeKind::ArgumentRemoved, Some("b"), true),
                ("repos_list-for-auth-user", ChangeKind::ArgumentAdded, Some("c"), false),
            ]
        );
        assert_eq!(changes[0].summary(), "`get_pets`: renamed to `list_pets` (the same operation)");
        assert_eq!(changes[0].to_json()["kind"], "tool_renamed");
    }

    #[test]
    fn identical_surfaces_have_no_changes() {
        let s = surface("t", json!({"type": "object", "properties": {"a": {"type": "string", "enum": ["x"]}}}));
        assert!(diff(std::slice::from_ref(&s), std::slice::from_ref(&s)).is_empty());
    }
}
