//! From analysed operations to MCP tool definitions (DESIGN.md §5): names, one flattened input
//! schema per operation with the bindings that say where each argument goes in the HTTP request,
//! an output schema from the success response, annotations from the method.

mod checks;
mod filter;
mod input;
pub mod naming;
mod output;
pub mod profile;
pub(crate) mod schema;
pub mod shaping;

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
    /// The longest tool name (`--max-tool-name-length`, [`naming::DEFAULT_MAX_LEN`] by default:
    /// see there why); longer names are shortened readably, clamped to
    /// [`naming::MIN_LEN`]`..=`[`naming::MAX_LEN`].
    pub max_name_len: usize,
    /// The clients input schemas are written for (`--schema-profile`; `full` by default).
    pub schema_profile: profile::SchemaProfile,
}

impl Default for ToolOptions {
    fn default() -> Self {
        ToolOptions {
            filter: Filter::default(),
            names: BTreeMap::new(),
            output_schemas: true,
            max_name_len: naming::DEFAULT_MAX_LEN,
            schema_profile: profile::SchemaProfile::Full,
        }
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
    /// The name the tool would have had without the name-length limit, when it was shortened.
    pub shortened_from: Option<String>,
    pub tags: Vec<String>,
    /// Left out of `tools/list` and search, but callable by name (`x-mcp.hidden`).
    pub hidden: bool,
    /// OAuth scopes a call needs (`x-speakeasy-mcp.scopes`), for inbound authorization.
    pub scopes: Vec<String>,
    /// Where in the arguments `null` means "not given" (the schema profile made an optional
    /// property nullable: see [`profile::Profiled::null_absent`]).
    pub null_absent: Vec<String>,
    /// The argument holding a jq filter for the JSON answer (`jq_filter`, or `jq_filter_2`, ...
    /// when the operation has an argument of that name); `None` when it answers no JSON.
    pub jq_filter: Option<String>,
    /// The operation runs long ([`crate::ir::long_running`]): the tool may run as a task, and
    /// called as one the runtime follows the operation to its end.
    pub long_running: Option<crate::ir::LongRunningOp>,
    /// The operation's location in the document.
    pub at: String,
}

/// The tools of an API and everything worth telling the user about how they were made.
#[derive(Debug, Clone)]
pub struct ToolSet {
    pub tools: Vec<ToolDef>,
    pub warnings: Vec<Warning>,
    /// Operations the description itself leaves out (`x-mcp: false`, `x-speakeasy-mcp.disabled`).
    pub excluded: usize,
}

/// Derives the tools of the operations `options.filter` selects.
pub fn derive(doc: &Document, api: &Api, options: &ToolOptions) -> ToolSet {
    // Operations the description leaves out (`x-mcp: false`, ...) are no tools: they take no name.
    let curated = without_excluded(api);
    let excluded_count = api.operations.len() - curated.operations.len();
    let api: &Api = &curated;
    let naming::Assigned { names, shortened_from, notes } =
        naming::assign(&api.operations, &options.names, options.max_name_len);
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
        let made = tool(doc, &api.operations[i], &names[i], options, &checks, &mut own).map(|mut t| {
            t.shortened_from = shortened_from[i].clone();
            if let (Some(_), Some(id)) = (&t.shortened_from, &t.operation_id) {
                // The shortened name no longer says which operation it is; the description does.
                t.description.push_str(&format!("\n\noperationId: `{id}`"));
            }
            t
        });
        (made, own)
    });
    let mut tools = Vec::new();
    for (&i, (made, own)) in selected.iter().zip(made) {
        let op = &api.operations[i];
        for (_, note) in notes.iter().filter(|(n, _)| *n == i) {
            warnings.push(Warning { at: op.at.clone(), message: note.clone(), skipped: false });
        }
        warnings.extend(own);
        match made {
            Ok(t) => tools.push(t),
            Err(message) => warnings.push(Warning { at: op.at.clone(), message, skipped: true }),
        }
    }
    ToolSet { tools, warnings, excluded: excluded_count }
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
    let jq_filter = shaping::answers_json(op).then(|| shaping::add_jq_argument(&mut input.schema));
    let null_absent = profile_input(&mut input, options.schema_profile, checks)?;
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
    let tool = ToolDef {
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
        shortened_from: None,
        tags: op.tags.clone(),
        hidden: false,
        scopes: Vec::new(),
        null_absent,
        jq_filter,
        long_running: None,
        at: op.at.clone(),
    };
    Ok(long_running(op, curated(op, tool)))
}

/// `t` for an operation that runs long: it says how to get the final result, and promises no
/// output schema (called as a task its answer is the final resource, called without one the
/// API's first answer: no one schema the description gives is sure to hold for both).
fn long_running(op: &Operation, mut t: ToolDef) -> ToolDef {
    let Some(lr) = op.long_running else { return t };
    t.long_running = Some(lr);
    t.output_schema = None;
    t.output_wrapped = false;
    t.description.push_str(match lr.kind {
        crate::ir::LongRunning::Polling(_) => {
            "\n\nThis operation runs long: call it as a task to get the final result; otherwise the answer is \
             only the API's first answer (usually 202 Accepted: the operation started)."
        }
        crate::ir::LongRunning::Operation => {
            "\n\nThis operation runs long: call it as a task to get the final result; otherwise the answer is \
             only the operation as it started (its `name` says where it is followed, until `done`)."
        }
    });
    t
}

/// Rewrites the input schema for `profile` (the bindings follow renamed arguments), checks the
/// result is still valid JSON Schema, and returns where `null` means "not given".
fn profile_input(
    input: &mut input::Input,
    profile: profile::SchemaProfile,
    checks: &checks::Checks,
) -> Result<Vec<String>, String> {
    if profile == profile::SchemaProfile::Full {
        return Ok(Vec::new());
    }
    let p = profile::apply(profile, &input.schema);
    checks
        .check(&p.schema)
        .map_err(|e| format!("its input schema under the `{profile}` profile is not valid JSON Schema: {e}"))?;
    input.schema = p.schema;
    let renamed = |arg: &mut String| {
        if let Some((_, new)) = p.renamed.iter().find(|(old, _)| old == arg) {
            *arg = new.clone();
        }
    };
    for b in &mut input.params {
        renamed(&mut b.arg);
    }
    match input.body.as_mut().map(|b| &mut b.args) {
        Some(BodyArgs::Whole { arg }) => renamed(arg),
        Some(BodyArgs::Fields(fields)) => fields.iter_mut().for_each(|f| renamed(&mut f.arg)),
        None => {}
    }
    Ok(p.null_absent)
}

/// `t` as the description's `x-mcp` / `x-speakeasy-mcp` curate it (`ir::curation`).
fn curated(op: &Operation, mut t: ToolDef) -> ToolDef {
    let c = &op.curation;
    if let Some(title) = &c.title {
        t.title = Some(title.clone());
    }
    if let Some(description) = &c.description {
        t.description = description.clone();
    }
    let a = &mut t.annotations;
    for (hint, value) in [
        (c.read_only, &mut a.read_only),
        (c.destructive, &mut a.destructive),
        (c.idempotent, &mut a.idempotent),
        (c.open_world, &mut a.open_world),
    ] {
        if let Some(hint) = hint {
            *value = hint;
        }
    }
    if let Some(toolset) = &c.toolset {
        t.tags = vec![toolset.clone()];
    }
    t.hidden = c.hidden == Some(true);
    t.scopes = c.scopes.clone().unwrap_or_else(|| op.oauth_scopes.clone());
    t
}

/// `api` without the operations its description excludes, nor their warnings (borrowed as it
/// is when there are none).
fn without_excluded(api: &Api) -> std::borrow::Cow<'_, Api> {
    let excluded: Vec<&str> = api.operations.iter().filter(|o| o.curation.excluded()).map(|o| o.at.as_str()).collect();
    if excluded.is_empty() {
        return std::borrow::Cow::Borrowed(api);
    }
    let under =
        |at: &str| excluded.iter().any(|op| at == *op || at.strip_prefix(op).is_some_and(|r| r.starts_with('.')));
    std::borrow::Cow::Owned(Api {
        title: api.title.clone(),
        version: api.version.clone(),
        description: api.description.clone(),
        servers: api.servers.clone(),
        security_schemes: api.security_schemes.clone(),
        operations: api.operations.iter().filter(|o| !o.curation.excluded()).cloned().collect(),
        warnings: api.warnings.iter().filter(|w| !under(&w.at)).cloned().collect(),
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
