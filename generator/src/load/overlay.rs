//! OpenAPI Overlays 1.0 (<https://spec.openapis.org/overlay/v1.0.0.html>): separate documents of
//! edits, applied in order to a description as written, before bundling and upgrading, so an API
//! owner's or a user's changes reach a third-party description without editing it.
//!
//! An overlay is a list of actions, each an RFC 9535 JSONPath `target` (the `serde_json_path`
//! crate) and either `update` or `remove: true`:
//!
//! - `update` on an object merges recursively: a member only in the update is added, an object
//!   in both is merged, arrays in both are concatenated, anything else is replaced (as Overlay
//!   1.1 spells out). On an array it appends the value (an array's items, for an array); on a
//!   primitive, a primitive replaces it.
//! - `remove: true` takes each selected node out of its object or array (`update` is then ignored).
//!
//! An action that selects nothing is a warning. A malformed overlay (not an object, no `overlay`
//! or `actions`, a field of the wrong type, a target that is not JSONPath, an update that does
//! not fit its target) is an error naming the overlay file and the action (`actions[2].target:
//! ...`). Overlays are untrusted input like the description: targets are bounded in length and
//! nesting, a filter may not walk the whole document again for every node (`$..` inside a
//! filter), and the work of all actions together is bounded (nodes walked by `..` queries, values
//! written by updates), each limit an error saying which action went past it.

use super::{Input, LoadError};
use crate::ir::Warning;
use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};
use std::path::{Path, PathBuf};

/// Actions over all overlays of one generation.
pub const MAX_ACTIONS: usize = 10_000;
/// A target's length, in characters.
pub const MAX_TARGET_LEN: usize = 4_096;
/// How deeply a target's brackets and parentheses may nest (the parser recurses on them).
pub const MAX_TARGET_NESTING: usize = 32;
/// Nodes walked by targets with a descendant segment (`..`), each costing a walk of the document.
pub const MAX_WALKED: usize = 500_000_000;
/// Values written into the document by all updates together.
pub const MAX_WRITTEN: usize = 2_000_000;

/// A checked overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The file as the user named it, for messages.
    pub name: String,
    /// SHA-256 of its bytes, hex: generated files' headers name it beside the description's.
    pub sha256: String,
    actions: Vec<Action>,
    /// What is worth saying about the document itself (no `info`, unknown fields).
    notes: Vec<Warning>,
}

#[derive(Debug, Clone)]
struct Action {
    index: usize,
    target: String,
    path: JsonPath,
    /// The target has a descendant segment: evaluating it walks the document.
    walks: bool,
    change: Change,
}

#[derive(Debug, Clone)]
enum Change {
    Update(Value),
    Remove,
}

/// Reads, checks and applies the overlays `files` in order to `input`'s document; records each
/// file (for `cargo:rerun-if-changed` and `mcpgen run`'s cache) and what the overlays warn about.
pub fn apply_files(input: &mut Input, files: &[PathBuf]) -> Result<(), LoadError> {
    let overlays = files.iter().map(|f| read(f)).collect::<Result<Vec<_>, _>>()?;
    let total: usize = overlays.iter().map(|o| o.actions.len()).sum();
    if total > MAX_ACTIONS {
        let name = overlays.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ");
        return Err(LoadError::Overlay {
            file: name,
            message: format!("{total} actions in all; at most {MAX_ACTIONS} are applied"),
        });
    }
    input.warnings.extend(apply(&mut input.raw, &overlays)?);
    input.overlays.extend(files.iter().cloned());
    input.overlay_origins.extend(overlays.iter().map(|o| {
        let file = Path::new(&o.name).file_name().map_or(o.name.clone(), |f| f.to_string_lossy().into_owned());
        format!("{file} (sha256 {})", o.sha256)
    }));
    Ok(())
}

/// Reads and checks the overlay at `path` (YAML or JSON).
pub fn read(path: &Path) -> Result<Overlay, LoadError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| LoadError::Io { path: path.to_path_buf(), error })?;
    let value = super::parse_text(&text, &name)?;
    let mut overlay = parse(&value, &name)?;
    overlay.sha256 = super::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
    Ok(overlay)
}

/// Checks an overlay document already parsed; `name` is used in messages.
pub fn parse(doc: &Value, name: &str) -> Result<Overlay, LoadError> {
    let fail = |message: String| LoadError::Overlay { file: name.to_string(), message };
    let Some(doc) = doc.as_object() else {
        return Err(fail("an overlay must be a mapping/object with `overlay`, `info` and `actions`".into()));
    };
    let mut notes = Vec::new();
    let note = |at: &str, message: String| Warning { at: format!("{name}: {at}"), message, skipped: false };
    match doc.get("overlay") {
        None => return Err(fail("`overlay` is missing: this is not an Overlay document (`overlay: 1.0.0`)".into())),
        Some(Value::String(v)) if is_supported_version(v) => {}
        Some(Value::String(v)) => {
            return Err(fail(format!("overlay: unsupported version `{v}` (expected 1.0.x or 1.1.x)")));
        }
        Some(other) => {
            return Err(fail(format!("overlay: must be a version string like `1.0.0`, not {}", kind(other))));
        }
    }
    match doc.get("info") {
        None => notes.push(note("info", "missing (an overlay should say its `title` and `version`)".into())),
        Some(Value::Object(info)) => {
            for field in ["title", "version"] {
                match info.get(field) {
                    Some(Value::String(_)) => {}
                    None => notes.push(note("info", format!("`{field}` is missing"))),
                    Some(other) => {
                        return Err(fail(format!("info.{field}: must be a string, not {}", kind(other))));
                    }
                }
            }
        }
        Some(other) => return Err(fail(format!("info: must be a mapping/object, not {}", kind(other)))),
    }
    if let Some(extends) = doc.get("extends")
        && !extends.is_string()
    {
        return Err(fail(format!("extends: must be a URL string, not {}", kind(extends))));
    }
    for key in doc.keys() {
        if !matches!(key.as_str(), "overlay" | "info" | "extends" | "actions") && !key.starts_with("x-") {
            notes.push(note(key, "unknown field, ignored (an overlay has overlay, info, extends, actions)".into()));
        }
    }
    let actions = match doc.get("actions") {
        None => return Err(fail("`actions` is missing: an overlay needs at least one action".into())),
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(fail("actions: empty; an overlay needs at least one action".into()));
        }
        Some(Value::Array(a)) => a,
        Some(other) => return Err(fail(format!("actions: must be a list, not {}", kind(other)))),
    };
    if actions.len() > MAX_ACTIONS {
        return Err(fail(format!("actions: {} actions; at most {MAX_ACTIONS} are applied", actions.len())));
    }
    let actions = actions
        .iter()
        .enumerate()
        .map(|(index, a)| action(index, a).map_err(|message| fail(format!("actions[{index}]{message}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Overlay { name: name.to_string(), sha256: String::new(), actions, notes })
}

/// One action, checked; an error is the rest of its message after `actions[i]`.
fn action(index: usize, raw: &Value) -> Result<Action, String> {
    let Some(raw) = raw.as_object() else {
        return Err(format!(": must be a mapping/object with `target` and `update` or `remove`, not {}", kind(raw)));
    };
    for key in raw.keys() {
        match key.as_str() {
            "target" | "description" | "update" | "remove" => {}
            "copy" => return Err(".copy: Overlay 1.1's `copy` is not supported; use `update`".into()),
            k if k.starts_with("x-") => {}
            k => {
                return Err(format!(
                    ".{k}: unknown field (an action has target, description, update, remove and x- extensions)"
                ));
            }
        }
    }
    let target = match raw.get("target") {
        None => return Err(".target: missing (a JSONPath like `$.paths['/pets'].get`)".into()),
        Some(Value::String(t)) => t.clone(),
        Some(other) => return Err(format!(".target: must be a JSONPath string, not {}", kind(other))),
    };
    if let Some(d) = raw.get("description")
        && !d.is_string()
    {
        return Err(format!(".description: must be a string, not {}", kind(d)));
    }
    let remove = match raw.get("remove") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!(".remove: must be true or false, not {}", kind(other))),
    };
    let (path, walks) = check_target(&target).map_err(|e| format!(".target: {e}"))?;
    let change = match (remove, raw.get("update")) {
        (true, _) => Change::Remove,
        (false, Some(update)) => Change::Update(update.clone()),
        (false, None) => return Err(": has neither `update` nor `remove: true`, so it would do nothing".into()),
    };
    Ok(Action { index, target, path, walks, change })
}

/// The target parsed, and whether it walks the document (`..`); refused when too long, nested
/// too deep, or quadratic (a `$..` query inside a filter walks the document again per node).
fn check_target(target: &str) -> Result<(JsonPath, bool), String> {
    let shown = |t: &str| crate::ir::printable(&t.chars().take(80).collect::<String>());
    if target.chars().count() > MAX_TARGET_LEN {
        return Err(format!("`{}...` is longer than {MAX_TARGET_LEN} characters", shown(target)));
    }
    // The query's text outside string literals: what nests and what walks.
    let mut code = String::with_capacity(target.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in target.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                code.push('_');
            }
            None => code.push(c),
        }
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in code.chars() {
        match c {
            '[' | '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_TARGET_NESTING {
        return Err(format!("`{}` nests brackets deeper than {MAX_TARGET_NESTING} levels", shown(target)));
    }
    if let Some(inner) = code.get(1..).and_then(|rest| rest.find('$').map(|i| &rest[i..]))
        && inner.contains("..")
    {
        return Err(format!(
            "`{}` has a query from the root with a descendant segment (`$..`) inside a filter, which walks the \
             whole document again for every node it tests; select from the node (`@..`) instead",
            shown(target)
        ));
    }
    let path = JsonPath::parse(target)
        .map_err(|e| format!("`{}` is not a JSONPath query (RFC 9535): {e}", crate::ir::printable(target)))?;
    Ok((path, code.contains("..")))
}

/// Overlay 1.0 and 1.1 documents (1.1 only clarified what an update does; its `copy` is refused).
fn is_supported_version(v: &str) -> bool {
    let mut parts = v.split('.');
    let numeric = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    matches!(parts.next(), Some("1"))
        && matches!(parts.next(), Some("0" | "1"))
        && numeric(parts.next())
        && parts.next().is_none()
}

/// Applies `overlays` in order to `doc`; the warnings (actions that selected nothing, and each
/// overlay's notes), or the first error.
pub fn apply(doc: &mut Value, overlays: &[Overlay]) -> Result<Vec<Warning>, LoadError> {
    let mut warnings = Vec::new();
    // An estimate of the document's size, only ever raised: what a walking target costs.
    let mut size = count(doc);
    let (mut walked, mut written) = (0usize, 0usize);
    for overlay in overlays {
        warnings.extend(overlay.notes.iter().cloned());
        for action in &overlay.actions {
            let fail = |message: String| LoadError::Overlay {
                file: overlay.name.clone(),
                message: format!("actions[{}]{message}", action.index),
            };
            if action.walks {
                walked = walked.saturating_add(size);
                if walked > MAX_WALKED {
                    return Err(fail(format!(
                        ".target: the actions up to this one walk more than {MAX_WALKED} nodes of the description \
                         with `..`; refused (target them more narrowly)"
                    )));
                }
            }
            let locations: Vec<Vec<Step>> =
                action.path.query_located(doc).locations().map(|l| l.iter().map(Step::from).collect()).collect();
            if locations.is_empty() {
                warnings.push(Warning {
                    at: format!("{}: actions[{}].target", overlay.name, action.index),
                    message: format!(
                        "`{}` selects nothing in the description; the action changed nothing",
                        crate::ir::printable(&action.target)
                    ),
                    skipped: false,
                });
                continue;
            }
            match &action.change {
                Change::Update(update) => {
                    // Counted before anything is written: a refused action costs nothing.
                    let adds = count(update).saturating_mul(locations.len());
                    written = written.saturating_add(adds);
                    if written > MAX_WRITTEN {
                        return Err(fail(format!(
                            ".update: the updates up to this one write more than {MAX_WRITTEN} values into the \
                             description; refused"
                        )));
                    }
                    size = size.saturating_add(adds);
                    for location in &locations {
                        if let Some(node) = resolve_mut(doc, location) {
                            update_node(node, update).map_err(|e| fail(format!(".update: {e}")))?;
                        }
                    }
                }
                Change::Remove => {
                    if locations.iter().any(Vec::is_empty) {
                        return Err(fail(
                            ".remove: the target selects the whole document, which cannot be removed".into(),
                        ));
                    }
                    // Deepest and last first: an array's later items go before its earlier ones (their
                    // indexes stay right), a node's descendants before the node.
                    let mut locations = locations;
                    locations.sort();
                    for location in locations.iter().rev() {
                        let (last, parent) = location.split_last().expect("not the root");
                        match (resolve_mut(doc, parent), last) {
                            (Some(Value::Object(m)), Step::Name(k)) => {
                                m.remove(k);
                            }
                            (Some(Value::Array(a)), Step::Index(i)) if *i < a.len() => {
                                a.remove(*i);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    Ok(warnings)
}

/// One step of a normalized path, owned (the query borrows the document it then changes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Name(String),
    Index(usize),
}

impl From<&PathElement<'_>> for Step {
    fn from(e: &PathElement<'_>) -> Step {
        match e {
            PathElement::Name(n) => Step::Name((*n).to_string()),
            PathElement::Index(i) => Step::Index(*i),
        }
    }
}

fn resolve_mut<'a>(mut at: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    for step in steps {
        at = match (at, step) {
            (Value::Object(m), Step::Name(k)) => m.get_mut(k)?,
            (Value::Array(a), Step::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// `update` laid over one selected node.
fn update_node(node: &mut Value, update: &Value) -> Result<(), String> {
    match (node, update) {
        (Value::Object(target), Value::Object(update)) => {
            merge(target, update);
            Ok(())
        }
        (Value::Object(_), other) => {
            Err(format!("the target selects an object, so the update must be an object (it is {})", kind(other)))
        }
        (Value::Array(items), Value::Array(more)) => {
            items.extend(more.iter().cloned());
            Ok(())
        }
        (Value::Array(items), one) => {
            items.push(one.clone());
            Ok(())
        }
        (node, Value::Object(_) | Value::Array(_)) => Err(format!(
            "the target selects {}, which only a string, number, boolean or null can replace (to add members, \
             target the object that holds it)",
            kind(node)
        )),
        (node, primitive) => {
            *node = primitive.clone();
            Ok(())
        }
    }
}

/// Overlay's merge: members only in `update` added, objects merged, arrays concatenated,
/// anything else replaced.
fn merge(target: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (key, value) in update {
        match (target.get_mut(key), value) {
            (Some(Value::Object(t)), Value::Object(u)) => merge(t, u),
            (Some(Value::Array(t)), Value::Array(u)) => t.extend(u.iter().cloned()),
            (Some(t), v) => *t = v.clone(),
            (None, v) => {
                target.insert(key.clone(), v.clone());
            }
        }
    }
}

/// How many values `v` holds, itself included.
fn count(v: &Value) -> usize {
    let mut n = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        match v {
            Value::Object(m) => stack.extend(m.values()),
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    n
}

/// `an object`, `a string`, ... for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Overlay {
        parse(&json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions}), "o.yaml")
            .unwrap()
    }

    fn error(doc: Value) -> String {
        parse(&doc, "o.yaml").unwrap_err().to_string()
    }

    fn action_error(action: Value) -> String {
        error(json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [action]}))
    }

    fn pets() -> Value {
        json!({
            "openapi": "3.1.0",
            "tags": [{"name": "pets"}],
            "paths": {
                "/pets": {
                    "get": {"operationId": "listPets", "summary": "List", "tags": ["pets"],
                            "parameters": [{"name": "limit", "in": "query"}, {"name": "dummy", "in": "query"}]},
                    "post": {"operationId": "createPet", "tags": ["pets"]}
                },
                "/pets/{id}": {"delete": {"operationId": "deletePet", "tags": ["pets", "admin"]}}
            }
        })
    }

    #[test]
    fn update_merges_objects_deeply_and_appends_to_arrays() {
        let mut doc = pets();
        let o = overlay(json!([
            {"target": "$.paths['/pets'].get", "update": {
                "summary": "List all pets", "x-mcp": {"name": "pets"}, "tags": ["more"],
                "parameters": [{"name": "page", "in": "query"}]}},
            {"target": "$.tags", "update": {"name": "admin"}},
            {"target": "$.paths.*.*.tags", "update": ["all"]},
        ]));
        let warnings = apply(&mut doc, &[o]).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let get = &doc["paths"]["/pets"]["get"];
        assert_eq!(get["summary"], "List all pets");
        assert_eq!(get["operationId"], "listPets", "members the update does not name stay");
        assert_eq!(get["x-mcp"], json!({"name": "pets"}));
        assert_eq!(get["tags"], json!(["pets", "more", "all"]), "arrays in both are concatenated");
        assert_eq!(get["parameters"].as_array().unwrap().len(), 3);
        assert_eq!(doc["tags"], json!([{"name": "pets"}, {"name": "admin"}]), "an object appended to the array");
        assert_eq!(doc["paths"]["/pets/{id}"]["delete"]["tags"], json!(["pets", "admin", "all"]));
    }

    #[test]
    fn update_of_a_primitive_replaces_it() {
        let mut doc = pets();
        apply(&mut doc, &[overlay(json!([{"target": "$.paths['/pets'].get.summary", "update": "Listed"}]))]).unwrap();
        assert_eq!(doc["paths"]["/pets"]["get"]["summary"], "Listed");
        let e = apply(&mut doc, &[overlay(json!([{"target": "$.openapi", "update": {"a": 1}}]))]).unwrap_err();
        assert!(e.to_string().starts_with("o.yaml: actions[0].update: the target selects a string"), "{e}");
        let e = apply(&mut doc, &[overlay(json!([{"target": "$.paths", "update": "x"}]))]).unwrap_err();
        assert!(
            e.to_string().contains(
                "actions[0].update: the target selects an object, so the update must be an object (it is a string)"
            ),
            "{e}"
        );
    }

    #[test]
    fn remove_takes_out_members_and_array_items_whatever_their_order() {
        let mut doc = pets();
        let o = overlay(json!([
            {"target": "$.paths['/pets'].get.parameters[?@.name == 'dummy']", "remove": true},
            {"target": "$.paths.*.*.tags[*]", "remove": true, "update": {"ignored": true}},
            {"target": "$.paths['/pets/{id}']", "remove": true},
        ]));
        apply(&mut doc, &[o]).unwrap();
        assert_eq!(doc["paths"]["/pets"]["get"]["parameters"], json!([{"name": "limit", "in": "query"}]));
        assert_eq!(doc["paths"]["/pets"]["get"]["tags"], json!([]), "every item, later ones first");
        assert!(doc["paths"].get("/pets/{id}").is_none());
        assert!(doc["paths"]["/pets"]["post"].get("ignored").is_none(), "remove wins over update");
        // A node and its descendant selected together.
        let mut doc = pets();
        apply(
            &mut doc,
            &[overlay(json!([{"target": "$..[?@.operationId == 'listPets' || @.name == 'limit']", "remove": true}]))],
        )
        .unwrap();
        assert!(doc["paths"]["/pets"].get("get").is_none());
        let e = apply(&mut pets(), &[overlay(json!([{"target": "$", "remove": true}]))]).unwrap_err();
        assert!(e.to_string().contains("actions[0].remove: the target selects the whole document"), "{e}");
    }

    #[test]
    fn actions_apply_in_order_and_overlays_one_after_another() {
        let first = || {
            overlay(json!([
                {"target": "$.paths['/pets'].get", "remove": true},
                {"target": "$.paths['/pets']", "update": {"get": {"operationId": "again"}}},
            ]))
        };
        let second = || overlay(json!([{"target": "$.paths['/pets'].get", "update": {"summary": "re-created"}}]));
        let mut doc = pets();
        assert!(apply(&mut doc, &[first(), second()]).unwrap().is_empty());
        assert_eq!(doc["paths"]["/pets"]["get"], json!({"operationId": "again", "summary": "re-created"}));
        let mut doc = pets();
        apply(&mut doc, &[second(), first()]).unwrap();
        assert_eq!(doc["paths"]["/pets"]["get"], json!({"operationId": "again"}), "the other order, the other result");
    }

    #[test]
    fn a_target_that_selects_nothing_is_a_warning_naming_the_action() {
        let mut doc = pets();
        let o = overlay(json!([
            {"target": "$.paths['/pets'].get", "update": {"summary": "x"}},
            {"target": "$.paths['/nowhere'].get", "update": {"summary": "x"}},
        ]));
        let warnings = apply(&mut doc, &[o]).unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].at, "o.yaml: actions[1].target");
        assert_eq!(
            warnings[0].to_string(),
            "o.yaml: actions[1].target: `$.paths['/nowhere'].get` selects nothing in the description; the action changed nothing"
        );
    }

    #[test]
    fn invalid_overlays_are_errors_naming_the_file_and_the_action() {
        assert_eq!(
            error(json!([1])),
            "o.yaml: an overlay must be a mapping/object with `overlay`, `info` and `actions`"
        );
        assert!(
            error(json!({"actions": [{"target": "$", "remove": true}]})).starts_with("o.yaml: `overlay` is missing")
        );
        assert_eq!(
            error(json!({"overlay": "2.0.0", "actions": []})),
            "o.yaml: overlay: unsupported version `2.0.0` (expected 1.0.x or 1.1.x)"
        );
        assert!(error(json!({"overlay": 1.0, "actions": []})).contains("overlay: must be a version string"));
        assert!(error(json!({"overlay": "1.0.0"})).starts_with("o.yaml: `actions` is missing"));
        assert!(error(json!({"overlay": "1.0.0", "actions": []})).starts_with("o.yaml: actions: empty"));
        assert!(
            error(json!({"overlay": "1.0.0", "actions": {"target": "$"}}))
                .starts_with("o.yaml: actions: must be a list")
        );
        assert!(
            error(json!({"overlay": "1.0.0", "info": "x", "actions": [{"target": "$", "remove": true}]}))
                .starts_with("o.yaml: info: must be a mapping/object")
        );
        assert_eq!(
            action_error(json!("$.paths")),
            "o.yaml: actions[0]: must be a mapping/object with `target` and `update` or `remove`, not a string"
        );
        assert!(action_error(json!({"update": {}})).starts_with("o.yaml: actions[0].target: missing"));
        assert_eq!(
            action_error(json!({"target": 3, "update": {}})),
            "o.yaml: actions[0].target: must be a JSONPath string, not a number"
        );
        assert_eq!(
            action_error(json!({"target": "$", "remove": "yes"})),
            "o.yaml: actions[0].remove: must be true or false, not a string"
        );
        assert!(action_error(json!({"target": "$"})).contains("actions[0]: has neither `update` nor `remove: true`"));
        assert!(action_error(json!({"target": "$", "remove": false})).contains("has neither"));
        assert!(
            action_error(json!({"target": "$", "updates": {}}))
                .starts_with("o.yaml: actions[0].updates: unknown field")
        );
        assert!(
            action_error(json!({"target": "$", "copy": "$.x"}))
                .contains("actions[0].copy: Overlay 1.1's `copy` is not supported")
        );
        assert!(
            action_error(json!({"target": "$", "description": 1, "remove": true}))
                .contains("actions[0].description: must be a string")
        );
        // The action's index is the one in the file.
        let e = error(json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [
            {"target": "$", "update": {}}, {"target": "$", "update": {}}, {"target": "$.paths[", "update": {}}]}));
        assert!(e.starts_with("o.yaml: actions[2].target: `$.paths[` is not a JSONPath query (RFC 9535)"), "{e}");
    }

    #[test]
    fn jsonpath_errors_and_bounds() {
        for bad in ["paths", "$.paths[?@.x ==]", "$..[", "$.a b", "$[?length(@) > 1 &&]"] {
            let e = action_error(json!({"target": bad, "remove": true}));
            assert!(e.starts_with("o.yaml: actions[0].target: `"), "{bad}: {e}");
            assert!(e.contains("is not a JSONPath query"), "{bad}: {e}");
        }
        let long = format!("$.{}", "a.".repeat(MAX_TARGET_LEN));
        assert!(action_error(json!({"target": long, "remove": true})).contains("is longer than 4096 characters"));
        let nested = format!("$[?{}@.a{}]", "(".repeat(40), ")".repeat(40));
        assert!(action_error(json!({"target": nested, "remove": true})).contains("nests brackets deeper than 32"));
        // Brackets inside a string literal are text, not nesting.
        let quoted = format!("$.paths['{}']", "[".repeat(40));
        assert!(parse(&json!({"overlay": "1.0.0", "actions": [{"target": quoted, "remove": true}]}), "o.yaml").is_ok());
        let quadratic = "$.paths.*[?count($..parameters) > 1]";
        assert!(action_error(json!({"target": quadratic, "remove": true})).contains("`$..`) inside a filter"));
        // A `$` inside a string is not a query.
        assert!(
            parse(
                &json!({"overlay": "1.0.0", "actions": [{"target": "$..[?@.name == '$..x']", "remove": true}]}),
                "o.yaml"
            )
            .is_ok()
        );
    }

    #[test]
    fn work_is_bounded() {
        // Every update doubles the description: the values written run out long before memory does,
        // and the action that would go past the limit writes nothing.
        let actions: Vec<Value> =
            (0..40).map(|_| json!({"target": "$..[?@.v]", "update": {"l": {"v": 1}, "r": {"v": 1}}})).collect();
        let mut doc = json!({"a": {"v": 1}});
        let e = apply(&mut doc, &[overlay(json!(actions))]).unwrap_err().to_string();
        assert!(e.starts_with("o.yaml: actions["), "{e}");
        assert!(e.contains("].update: the updates up to this one write more than 2000000 values"), "{e}");
        assert!(count(&doc) < MAX_WRITTEN, "{}", count(&doc));
        let many: Vec<Value> = (0..MAX_ACTIONS + 1).map(|_| json!({"target": "$", "update": {}})).collect();
        assert!(action_error_many(many).contains("at most 10000 are applied"));
    }

    fn action_error_many(actions: Vec<Value>) -> String {
        error(json!({"overlay": "1.0.0", "actions": actions}))
    }

    #[test]
    fn notes_about_the_document_are_warnings() {
        let o = parse(
            &json!({"overlay": "1.1.0", "colour": 1, "x-ok": 1, "actions": [{"target": "$", "update": {}}]}),
            "o.yaml",
        )
        .unwrap();
        let notes: Vec<String> = o.notes.iter().map(ToString::to_string).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("o.yaml: info: missing"), "{notes:?}");
        assert!(notes[1].starts_with("o.yaml: colour: unknown field"), "{notes:?}");
    }

    #[test]
    fn files_are_read_as_yaml_or_json_and_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = dir.path().join("a.overlay.yaml");
        std::fs::write(
            &yaml,
            "overlay: 1.0.0\ninfo: {title: a, version: '1'}\nactions:\n  - target: $.info\n    update: {title: A}\n",
        )
        .unwrap();
        let json = dir.path().join("b.overlay.json");
        std::fs::write(&json, r#"{"overlay": "1.0.0", "info": {"title": "b", "version": "1"}, "actions": [{"target": "$.info", "update": {"version": "2"}}]}"#).unwrap();
        let mut input = Input {
            name: "api.yaml".into(),
            root_path: None,
            base_dir: dir.path().into(),
            ref_root: None,
            sha256: String::new(),
            raw: json!({"openapi": "3.1.0", "info": {"title": "a", "version": "1"}, "paths": {}}),
            overlays: Vec::new(),
            overlay_origins: Vec::new(),
            warnings: Vec::new(),
        };
        apply_files(&mut input, &[yaml.clone(), json.clone()]).unwrap();
        assert_eq!(input.raw["info"], json!({"title": "A", "version": "2"}));
        assert_eq!(input.overlays, [yaml, json]);
        // Generated headers name each overlay with the digest of its bytes.
        assert_eq!(input.overlay_origins.len(), 2);
        assert!(input.overlay_origins[0].starts_with("a.overlay.yaml (sha256 "), "{:?}", input.overlay_origins);
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, "overlay: 1.0.0\nactions:\n  - target: [\n").unwrap();
        let e = apply_files(&mut input, std::slice::from_ref(&bad)).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{}:", bad.display())), "{e}");
        let e = apply_files(&mut input, &[dir.path().join("missing.yaml")]).unwrap_err().to_string();
        assert!(e.contains("missing.yaml"), "{e}");
    }
}
