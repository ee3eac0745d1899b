//! Which operations run long (issue 22), and how they are followed: their tools may run as tasks
//! and, called as one, the runtime polls the API until the operation ends.
//!
//! Recognised, in this order:
//! - `x-mcp: {longRunning: false}` (the curation extension, [`super::curation`]) turns
//!   recognition off for the operation;
//! - `x-ms-long-running-operation: true` (AutoRest), with
//!   `x-ms-long-running-operation-options.final-state-via` (`azure-async-operation`, `location`,
//!   `original-uri`, `operation-location`) saying where the final resource is;
//! - a success response whose schema is a Google-style `Operation` (properties `name` and
//!   `done`);
//! - a `202` response that declares a polling header (`Location`, `Operation-Location`,
//!   `Azure-AsyncOperation`);
//! - `x-mcp: {longRunning: true}`: the API's owner says so (followed as a 202 with a location).
//!
//! Values of the wrong type are warnings at their place; nothing here fails.

use super::resolve::resolve_ref;
use super::{Warning, value_kind as kind, warn};
use crate::load::Document;
use crate::load::pointer::Loc;
use serde_json::Value;

/// How a long-running operation is followed (the runtime's `upstream::LongRunning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongRunning {
    /// A status monitor or location named by a header of the first answer.
    Polling(FinalState),
    /// A Google-style `Operation`, fetched again at its `name`.
    Operation,
}

/// `final-state-via` (the runtime's `upstream::FinalState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalState {
    Default,
    Location,
    AzureAsyncOperation,
    OperationLocation,
    OriginalUri,
}

/// What made an operation long-running: the corpus report counts each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recognised {
    /// A 202 response with a polling header.
    Accepted,
    /// `x-ms-long-running-operation: true`.
    Azure,
    /// A Google-style `Operation` response.
    Google,
    /// `x-mcp: {longRunning: true}`.
    Marked,
}

/// An operation's long-running nature, and what said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongRunningOp {
    pub kind: LongRunning,
    pub recognised: Recognised,
}

/// Whether the operation `op` (at `at`) runs long; `marked` is its curation's `longRunning`.
pub fn recognise(
    doc: &Document,
    op: &Value,
    at: &Loc,
    marked: Option<bool>,
    warnings: &mut Vec<Warning>,
) -> Option<LongRunningOp> {
    let azure = azure_extension(op, at, warnings);
    if marked == Some(false) {
        return None;
    }
    if let Some(final_state) = azure {
        return Some(LongRunningOp { kind: LongRunning::Polling(final_state), recognised: Recognised::Azure });
    }
    let responses = op.get("responses").and_then(Value::as_object);
    let success = || responses.into_iter().flatten().filter(|(status, _)| status.starts_with('2'));
    if success().any(|(_, r)| answers_operation(doc, r)) {
        return Some(LongRunningOp { kind: LongRunning::Operation, recognised: Recognised::Google });
    }
    if success().any(|(status, r)| status == "202" && declares_polling_header(doc, r)) {
        return Some(LongRunningOp {
            kind: LongRunning::Polling(FinalState::Default),
            recognised: Recognised::Accepted,
        });
    }
    (marked == Some(true))
        .then_some(LongRunningOp { kind: LongRunning::Polling(FinalState::Default), recognised: Recognised::Marked })
}

/// `x-ms-long-running-operation` and its options: the final state when it is `true`.
fn azure_extension(op: &Value, at: &Loc, warnings: &mut Vec<Warning>) -> Option<FinalState> {
    let raw = op.get("x-ms-long-running-operation")?;
    let here = at.key("x-ms-long-running-operation");
    match raw {
        Value::Bool(true) => {}
        Value::Bool(false) => return None,
        other => {
            warn(warnings, &here, format!("must be true or false, not {}; ignored", kind(other)));
            return None;
        }
    }
    let Some(options) = op.get("x-ms-long-running-operation-options") else { return Some(FinalState::Default) };
    let at = at.key("x-ms-long-running-operation-options");
    let Some(options) = options.as_object() else {
        warn(warnings, &at, format!("must be a mapping, not {}; ignored", kind(options)));
        return Some(FinalState::Default);
    };
    let Some(via) = options.get("final-state-via") else { return Some(FinalState::Default) };
    let at = at.key("final-state-via");
    Some(match via.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("azure-async-operation") => FinalState::AzureAsyncOperation,
        Some("location") => FinalState::Location,
        Some("original-uri") => FinalState::OriginalUri,
        Some("operation-location") => FinalState::OperationLocation,
        _ => {
            let shown = match via {
                Value::String(s) => format!("`{s}`"),
                other => kind(other).to_string(),
            };
            warn(
                warnings,
                &at,
                format!(
                    "must be azure-async-operation, location, original-uri or operation-location, not {shown}; \
                     the answers say where the result is"
                ),
            );
            FinalState::Default
        }
    })
}

/// Whether the response `raw` declares `Location`, `Operation-Location` or `Azure-AsyncOperation`.
fn declares_polling_header(doc: &Document, raw: &Value) -> bool {
    let Ok(r) = resolve_ref(doc, raw) else { return false };
    r.get("headers").and_then(Value::as_object).is_some_and(|h| {
        h.keys().any(|k| {
            let k = k.to_ascii_lowercase();
            k == "location" || k == "operation-location" || k == "azure-asyncoperation"
        })
    })
}

/// Whether the response `raw` has a JSON body whose schema is a Google-style `Operation`: an
/// object with the properties `name` and `done`.
fn answers_operation(doc: &Document, raw: &Value) -> bool {
    let Ok(r) = resolve_ref(doc, raw) else { return false };
    let Some(content) = r.get("content").and_then(Value::as_object) else { return false };
    content.iter().filter(|(media, _)| super::is_json_media(media)).any(|(_, media)| {
        let Some(schema) = media.get("schema").and_then(|s| resolve_ref(doc, s).ok()) else { return false };
        schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key("name") && p.get("done").is_some_and(|d| is_boolean(doc, d)))
    })
}

fn is_boolean(doc: &Document, schema: &Value) -> bool {
    let Ok(s) = resolve_ref(doc, schema) else { return false };
    match s.get("type") {
        Some(Value::String(t)) => t == "boolean",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "boolean"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The operations of a 3.1 document with these paths, analysed, and the warnings as text.
    fn analyse(paths: Value) -> (Vec<(String, Option<LongRunningOp>)>, Vec<String>) {
        let root = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": {"Operation": {"type": "object", "properties": {
                "name": {"type": "string"}, "done": {"type": "boolean"}, "response": {"type": "object"}}}}},
        });
        let source = crate::load::Source::Text { name: "t.json".into(), text: root.to_string(), base_dir: None };
        let doc = crate::load::load(&source).expect("loads");
        let api = crate::ir::analyze(&doc);
        let ops = api.operations.iter().map(|o| (o.at.clone(), o.long_running)).collect();
        (ops, api.warnings.iter().map(ToString::to_string).collect())
    }

    fn polling(final_state: FinalState, recognised: Recognised) -> Option<LongRunningOp> {
        Some(LongRunningOp { kind: LongRunning::Polling(final_state), recognised })
    }

    #[test]
    fn each_convention_is_recognised_and_said_why() {
        let (ops, warnings) = analyse(json!({
            "/accepted": {"post": {"responses": {"202": {"description": "started",
                "headers": {"Location": {"schema": {"type": "string"}}}}}}},
            "/accepted-without-location": {"post": {"responses": {"202": {"description": "queued"}}}},
            "/azure": {"put": {"x-ms-long-running-operation": true,
                "x-ms-long-running-operation-options": {"final-state-via": "azure-async-operation"},
                "responses": {"200": {"description": "ok"}}}},
            "/azure-default": {"delete": {"x-ms-long-running-operation": true, "responses": {"204": {"description": "gone"}}}},
            "/google": {"post": {"responses": {"200": {"description": "op", "content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/Operation"}}}}}}},
            "/marked": {"post": {"x-mcp": {"longRunning": true}, "responses": {"200": {"description": "ok"}}}},
            "/unmarked": {"post": {"x-mcp": {"longRunning": false}, "x-ms-long-running-operation": true,
                "responses": {"202": {"description": "s", "headers": {"operation-location": {"schema": {"type": "string"}}}}}}},
            "/plain": {"get": {"responses": {"200": {"description": "ok"}}}},
        }));
        let expected = [
            ("paths./accepted.post", polling(FinalState::Default, Recognised::Accepted)),
            ("paths./accepted-without-location.post", None),
            ("paths./azure.put", polling(FinalState::AzureAsyncOperation, Recognised::Azure)),
            ("paths./azure-default.delete", polling(FinalState::Default, Recognised::Azure)),
            (
                "paths./google.post",
                Some(LongRunningOp { kind: LongRunning::Operation, recognised: Recognised::Google }),
            ),
            ("paths./marked.post", polling(FinalState::Default, Recognised::Marked)),
            ("paths./unmarked.post", None),
            ("paths./plain.get", None),
        ];
        for (at, lr) in expected {
            let found = ops.iter().find(|(a, _)| a == at).unwrap_or_else(|| panic!("no {at} in {ops:?}"));
            assert_eq!(found.1, lr, "{at}");
        }
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn swagger_2_descriptions_are_recognised_too() {
        // Azure's descriptions are Swagger 2.0: the extensions and a 202's headers survive the upgrade.
        let root = json!({
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/vm": {"put": {"x-ms-long-running-operation": true,
                    "x-ms-long-running-operation-options": {"final-state-via": "original-uri"},
                    "responses": {"200": {"description": "ok"}}}},
                "/vm/start": {"post": {"responses": {"202": {"description": "started",
                    "headers": {"Azure-AsyncOperation": {"type": "string"}}}}}},
            },
        });
        let source = crate::load::Source::Text { name: "t.json".into(), text: root.to_string(), base_dir: None };
        let api = crate::ir::analyze(&crate::load::load(&source).expect("loads"));
        let found: Vec<Option<LongRunningOp>> = api.operations.iter().map(|o| o.long_running).collect();
        assert_eq!(
            found,
            [polling(FinalState::OriginalUri, Recognised::Azure), polling(FinalState::Default, Recognised::Accepted)]
        );
    }

    #[test]
    fn bad_values_are_warnings_at_their_place() {
        let (ops, warnings) = analyse(json!({
            "/a": {"post": {"x-ms-long-running-operation": "yes", "responses": {"200": {"description": "ok"}}}},
            "/b": {"post": {"x-ms-long-running-operation": true,
                "x-ms-long-running-operation-options": {"final-state-via": "somewhere"},
                "responses": {"200": {"description": "ok"}}}},
            "/c": {"post": {"x-ms-long-running-operation": true, "x-ms-long-running-operation-options": [1],
                "responses": {"200": {"description": "ok"}}}},
            "/d": {"post": {"x-mcp": {"longRunning": "always"}, "responses": {"200": {"description": "ok"}}}},
        }));
        let of = |at: &str| ops.iter().find(|(a, _)| a == at).and_then(|(_, lr)| *lr);
        assert_eq!(of("paths./a.post"), None);
        assert_eq!(of("paths./b.post"), polling(FinalState::Default, Recognised::Azure));
        assert_eq!(of("paths./c.post"), polling(FinalState::Default, Recognised::Azure));
        assert_eq!(of("paths./d.post"), None);
        assert_eq!(
            warnings,
            [
                "paths./a.post.x-ms-long-running-operation: must be true or false, not a string; ignored",
                "paths./b.post.x-ms-long-running-operation-options.final-state-via: must be azure-async-operation, \
                 location, original-uri or operation-location, not `somewhere`; the answers say where the result is",
                "paths./c.post.x-ms-long-running-operation-options: must be a mapping, not a list; ignored",
                "paths./d.post.x-mcp.longRunning: must be true or false, not a string; ignored",
            ]
        );
    }
}
