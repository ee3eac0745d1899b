//! From analysed operations to MCP tool definitions (DESIGN.md §5): names, one flattened input
//! schema per operation with the bindings that say where each argument goes in the HTTP request,
//! an output schema from the success response, annotations from the method.

mod checks;
mod filter;
mod input;
pub mod naming;
mod output;
pub(crate) mod schema;

pub use filter::{Filter, glob};
pub use input::{ArgBinding, BodyArgs, BodyBinding, FieldBinding};
pub use schema::MAX_DEFS;

use crate::ir::{Api, Method, Operation, Warning};
use crate::load::Document;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Options for tool derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOptions {
    pub filter: Filter,
    /// Tool names chosen by the user, keyed by operationId or `METHOD /path`.
    pub names: BTreeMap<String, String>,
    /// Emit output schemas (on by default). Off for APIs whose responses do not match their spec.
    pub output_schemas: bool,
}

impl Default for ToolOptions {
    fn default() -> Self {
        ToolOptions { filter: Filter::default(), names: BTreeMap::new(), output_schemas: true }
    }
}

/// MCP tool annotations derived from the HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

impl Annotations {
    /// GET/HEAD/OPTIONS/TRACE read-only; PUT and DELETE idempotent; DELETE destructive.
    pub fn for_method(m: Method) -> Annotations {
        let read_only = matches!(m, Method::Get | Method::Head | Method::Options | Method::Trace);
        Annotations {
            read_only,
            destructive: m == Method::Delete,
            idempotent: read_only || matches!(m, Method::Put | Method::Delete),
            open_world: true,
        }
    }
}

/// One MCP tool and how to turn its arguments into an HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    /// JSON Schema 2020-12, `type: object`, self-contained.
    pub input_schema: Value,
    /// Shared by the tools whose output schema is the same (a large API repeats a few hundred
    /// response types over thousands of operations).
    pub output_schema: Option<Arc<Value>>,
    /// The success body is not an object: structured output is `{"result": body}`.
    pub output_wrapped: bool,
    pub annotations: Annotations,
    pub method: Method,
    /// The path key as the description writes it (without a `#` fragment), e.g.
    /// `/export?filename={filename}`: how the operation is named and shown.
    pub path: String,
    /// The URL's path template, e.g. `/export` (a key's fixed query is in `fixed_query`).
    pub url_path: String,
    /// Query pairs sent with every call (`/x?acl`), decoded.
    pub fixed_query: Vec<(String, Option<String>)>,
    /// The operation's own server (`servers` of the operation or path item), else `None`.
    pub server: Option<String>,
    pub params: Vec<ArgBinding>,
    pub body: Option<BodyBinding>,
    pub security: Vec<Vec<String>>,
    pub operation_id: Option<String>,
    pub tags: Vec<String>,
    /// The operation's location in the document.
    pub at: String,
}

/// The tools of an API and everything worth telling the user about how they were made.
#[derive(Debug, Clone)]
pub struct ToolSet {
    pub tools: Vec<ToolDef>,
    pub warnings: Vec<Warning>,
}

/// Derives the tools of the operations `options.filter` selects.
pub fn derive(doc: &Document, api: &Api, options: &ToolOptions) -> ToolSet {
    let (names, notes) = naming::assign(&api.operations, &options.names);
    let selected: Vec<usize> =
        (0..api.operations.len()).filter(|&i| options.filter.matches(&api.operations[i], &names[i])).collect();
    let chosen: std::collections::BTreeSet<usize> = selected.iter().copied().collect();
    let unselected: Vec<&str> =
        (0..api.operations.len()).filter(|i| !chosen.contains(i)).map(|i| api.operations[i].at.as_str()).collect();
    let mut warnings: Vec<Warning> = api
        .warnings
        .iter()
        .filter(|w| !unselected.iter().any(|at| w.at == *at || w.at.starts_with(&format!("{at}."))))
        .cloned()
        .collect();
    // Each tool is made on its own (the costly part: schemas and their validation), on every
    // core; the results, and the warnings each one gave, are then taken in operation order.
    let checks = checks::Checks::default();
    let made = crate::parallel::map(&selected, |&i| {
        let mut own = Vec::new();
        let made = tool(doc, &api.operations[i], &names[i], options, &checks, &mut own);
        (made, own)
    });
    let mut tools = Vec::new();
    for (&i, (made, own)) in selected.iter().zip(made) {
        let op = &api.operations[i];
        if let Some((_, note)) = notes.iter().find(|(n, _)| *n == i) {
            warnings.push(Warning { at: op.at.clone(), message: note.clone(), skipped: false });
        }
        warnings.extend(own);
        match made {
            Ok(t) => tools.push(t),
            Err(message) => warnings.push(Warning { at: op.at.clone(), message, skipped: true }),
        }
    }
    ToolSet { tools, warnings }
}

fn tool(
    doc: &Document,
    op: &Operation,
    name: &str,
    options: &ToolOptions,
    checks: &checks::Checks,
    warnings: &mut Vec<Warning>,
) -> Result<ToolDef, String> {
    let mut input = input::build(doc, op)?;
    if let Err(e) = checks.check(&input.schema) {
        let dropped = drop_bad_patterns(&mut input.schema);
        if dropped.is_empty() || checks.check(&input.schema).is_err() {
            return Err(format!("its input schema is not valid JSON Schema: {e}"));
        }
        warnings.push(bad_patterns_warning(op, "input", &dropped));
    }
    let (output_schema, output_wrapped) = if options.output_schemas {
        match output::build(doc, op) {
            Ok(Some((mut schema, wrapped))) => {
                let (mut key, mut verdict) = checks.verdict(&schema);
                if verdict.is_err() {
                    let dropped = drop_bad_patterns(&mut schema);
                    if !dropped.is_empty() {
                        (key, verdict) = checks.verdict(&schema);
                        if verdict.is_ok() {
                            warnings.push(bad_patterns_warning(op, "output", &dropped));
                        }
                    }
                }
                match verdict {
                    Ok(()) => (Some(checks.share(key, schema)), wrapped),
                    Err(e) => {
                        warnings.push(Warning {
                            at: op.at.clone(),
                            message: format!("output schema left out: not valid JSON Schema: {e}"),
                            skipped: false,
                        });
                        (None, false)
                    }
                }
            }
            Ok(None) => (None, false),
            Err(e) => {
                warnings.push(Warning {
                    at: op.at.clone(),
                    message: format!("output schema left out: {e}"),
                    skipped: false,
                });
                (None, false)
            }
        }
    } else {
        (None, false)
    };
    Ok(ToolDef {
        name: name.to_string(),
        title: op.summary.clone().map(|s| s.trim().to_string()),
        description: description(op),
        input_schema: input.schema,
        output_schema,
        output_wrapped,
        annotations: Annotations::for_method(op.method),
        method: op.method,
        path: op.path.clone(),
        url_path: op.url_path.clone(),
        fixed_query: op.fixed_query.clone(),
        server: op.server.clone(),
        params: input.params,
        body: input.body,
        security: op.security.clone(),
        operation_id: op.operation_id.clone(),
        tags: op.tags.clone(),
        at: op.at.clone(),
    })
}

/// Summary and description, or the method and path when the spec gives neither.
fn description(op: &Operation) -> String {
    let mut parts = Vec::new();
    if op.deprecated {
        parts.push("Deprecated.".to_string());
    }
    if let Some(s) = &op.summary {
        parts.push(s.trim().to_string());
    }
    if let Some(d) = &op.description
        && op.summary.as_deref().map(str::trim) != Some(d.trim())
    {
        parts.push(d.trim().to_string());
    }
    if parts.iter().all(|p| p == "Deprecated.") {
        parts.push(format!("{} {}", op.method.upper(), op.path));
    }
    parts.join("\n\n")
}

/// Removes every `pattern` no regular-expression engine of the validator accepts (AWS's
/// `[^/:|\\000-\\037]+` uses octal escapes ECMA 262 lacks) and returns them: the schema then
/// promises less, and the operation stays.
fn drop_bad_patterns(schema: &mut Value) -> Vec<String> {
    let mut dropped = Vec::new();
    walk_patterns(schema, &mut dropped);
    dropped.sort();
    dropped.dedup();
    dropped
}

fn walk_patterns(v: &mut Value, dropped: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(p) = m.get("pattern").and_then(Value::as_str).map(str::to_string)
                && check_schema(&serde_json::json!({ "pattern": p })).is_err()
            {
                m.remove("pattern");
                dropped.push(p);
            }
            m.values_mut().for_each(|c| walk_patterns(c, dropped));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| walk_patterns(c, dropped)),
        _ => {}
    }
}

fn bad_patterns_warning(op: &Operation, which: &str, dropped: &[String]) -> Warning {
    let list: Vec<String> = dropped.iter().map(|p| format!("`{p}`")).collect();
    Warning {
        at: op.at.clone(),
        message: format!(
            "{which} schema: pattern {} is not a valid regular expression; left out, the rest kept",
            list.join(", ")
        ),
        skipped: false,
    }
}

pub(crate) fn check_schema(schema: &Value) -> Result<(), String> {
    jsonschema::draft202012::new(schema).map(|_| ()).map_err(|e| e.to_string())
}
