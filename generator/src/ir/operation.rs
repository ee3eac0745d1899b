//! Operations: one per path and HTTP method.

use super::Warning;
use super::body::{self, Body};
use super::parameter::{self, ParamLocation, Parameter, Parsed};
use super::resolve::resolve_ref;
use super::response::{self, Response};
use super::security::SecurityScheme;
use crate::load::Document;
use crate::load::pointer::Loc;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// Lower case, as in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }

    pub fn upper(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub method: Method,
    /// The path template as written, e.g. `/pets/{petId}`.
    pub path: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Path-level and operation-level parameters merged (the operation's win).
    pub parameters: Vec<Parameter>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// Alternatives, each a set of scheme names that must all be applied; `[]` inside means
    /// "no credentials" is acceptable. Empty when the operation needs none.
    pub security: Vec<Vec<String>>,
    /// `x-mcpgen-name`: the tool name the spec author chose.
    pub tool_name: Option<String>,
    /// Where the operation is, e.g. `paths./pets.get`.
    pub at: String,
}

pub fn operations(
    doc: &Document,
    schemes: &BTreeMap<String, SecurityScheme>,
    warnings: &mut Vec<Warning>,
) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(Value::Object(paths)) = doc.root.get("paths") else {
        warnings.push(Warning { at: "paths".into(), message: "the document has no `paths`".into(), skipped: false });
        return out;
    };
    let default_security = doc.root.get("security");
    for (path, raw_item) in paths {
        let at_path = Loc::root().key("paths").key(path);
        let item = match resolve_ref(doc, raw_item) {
            Ok(i) => i,
            Err(e) => {
                warnings.push(Warning { at: at_path.to_string(), message: e, skipped: true });
                continue;
            }
        };
        if !path.starts_with('/') {
            warnings.push(Warning {
                at: at_path.to_string(),
                message: "path does not start with `/`".into(),
                skipped: true,
            });
            continue;
        }
        let shared = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for method in Method::ALL {
            let Some(op) = item.get(method.as_str()) else { continue };
            let at = at_path.key(method.as_str());
            match operation(doc, path, method, op, &shared, &at, default_security, schemes, warnings) {
                Ok(op) => out.push(op),
                Err(message) => warnings.push(Warning { at: message.0, message: message.1, skipped: true }),
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn operation(
    doc: &Document,
    path: &str,
    method: Method,
    op: &Value,
    shared: &[Value],
    at: &Loc,
    default_security: Option<&Value>,
    schemes: &BTreeMap<String, SecurityScheme>,
    warnings: &mut Vec<Warning>,
) -> Result<Operation, (String, String)> {
    let fail = |loc: &Loc, msg: String| (loc.to_string(), msg);
    if !op.is_object() {
        return Err(fail(at, "operation is not a mapping".into()));
    }
    let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_string);

    // Parameters: path-level first, then the operation's, which replace same name + location.
    let mut parameters: Vec<Parameter> = Vec::new();
    let sources = shared
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                at.index("parameters", i)
                    .to_string()
                    .replace(&format!(".{}.parameters", method.as_str()), ".parameters"),
                p,
            )
        })
        .chain(
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, p)| (at.index("parameters", i).to_string(), p)),
        );
    for (loc, raw) in sources {
        match parameter::parse(doc, raw) {
            Parsed::Param(p) => {
                parameters.retain(|q| !(q.name == p.name && q.location == p.location));
                parameters.push(p);
            }
            Parsed::Ignored(why) => warnings.push(Warning { at: loc, message: why, skipped: false }),
            Parsed::Dropped => {}
            Parsed::Fatal(why) => return Err((loc, why)),
        }
    }

    // Every `{name}` in the template needs a path parameter. Only the part of the key that is sent
    // counts: a `{name}` after a `#` (mastercard's `/send/#env/v1/partners/{partnerId}`) is in
    // the fragment, and its parameter could never reach the API.
    let template_names = template_names(request_path(path)).map_err(|e| fail(at, e))?;
    let in_fragment = template_names_in_fragment(path);
    for name in &template_names {
        if !parameters.iter().any(|p| p.location == ParamLocation::Path && &p.name == name) {
            return Err(fail(at, format!("path template variable `{{{name}}}` has no matching `in: path` parameter")));
        }
    }
    parameters.retain(|p| {
        let keep = p.location != ParamLocation::Path || template_names.contains(&p.name);
        if !keep {
            let message = if in_fragment.contains(&p.name) {
                format!(
                    "path parameter `{}` is in the path's fragment (after `#`), which is never sent; ignored",
                    p.name
                )
            } else {
                format!("path parameter `{}` does not appear in the path template; ignored", p.name)
            };
            warnings.push(Warning { at: at.to_string(), message, skipped: false });
        }
        keep
    });

    let body = match op.get("requestBody") {
        Some(raw) => body::parse(doc, raw).map_err(|e| fail(&at.key("requestBody"), e))?,
        None => None,
    };

    let mut responses = Vec::new();
    if let Some(Value::Object(map)) = op.get("responses") {
        for (status, raw) in map {
            match response::parse(doc, status, raw) {
                Ok(r) => responses.push(r),
                Err(e) => warnings.push(Warning {
                    at: at.key("responses").key(status).to_string(),
                    message: e,
                    skipped: false,
                }),
            }
        }
    }

    let security = security(op.get("security").or(default_security), schemes, at, warnings);

    Ok(Operation {
        method,
        path: request_path(path).to_string(),
        operation_id: text("operationId").filter(|s| !s.trim().is_empty()),
        summary: text("summary").filter(|s| !s.trim().is_empty()),
        description: text("description").filter(|s| !s.trim().is_empty()),
        tags: op
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
        parameters,
        body,
        responses,
        security,
        tool_name: text("x-mcpgen-name"),
        at: at.to_string(),
    })
}

/// The part of a path key that goes into a request: up to any `#`. A fragment is never sent;
/// descriptions converted from AWS's (`/tags/{arn}#tagKeys`) use one to tell operations apart.
pub fn request_path(path: &str) -> &str {
    path.split('#').next().unwrap_or(path)
}

/// The `{name}`s after a path key's `#`, which [`request_path`] leaves out (braces that do not
/// close are not names here).
fn template_names_in_fragment(path: &str) -> Vec<String> {
    path.split_once('#').and_then(|(_, fragment)| template_names(fragment).ok()).unwrap_or_default()
}

/// The `{name}`s of a path template, in order; an error for an unclosed or empty brace.
pub fn template_names(path: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| format!("path template `{path}` has an unclosed `{{`"))?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return Err(format!("path template `{path}` has an empty or nested `{{}}`"));
        }
        names.push(name.to_string());
        rest = &after[close + 1..];
    }
    Ok(names)
}

fn security(
    raw: Option<&Value>,
    schemes: &BTreeMap<String, SecurityScheme>,
    at: &Loc,
    warnings: &mut Vec<Warning>,
) -> Vec<Vec<String>> {
    let Some(list) = raw.and_then(Value::as_array) else { return Vec::new() };
    let mut out = Vec::new();
    for req in list {
        let Some(req) = req.as_object() else { continue };
        let mut names = Vec::new();
        for name in req.keys() {
            if schemes.contains_key(name) {
                names.push(name.clone());
            } else {
                warnings.push(Warning {
                    at: at.key("security").to_string(),
                    message: format!(
                        "security requirement names `{name}`, which is not in components.securitySchemes; ignored"
                    ),
                    skipped: false,
                });
            }
        }
        if !names.is_empty() || req.is_empty() {
            out.push(names);
        }
    }
    out
}
