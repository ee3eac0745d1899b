//! Operations: one per path and HTTP method.

use super::Warning;
use super::body::{self, Body};
use super::curation;
use super::parameter::{self, ParamLocation, Parameter, Parsed};
use super::resolve::resolve_ref;
use super::response::{self, Response};
use super::security::SecurityScheme;
use crate::load::Document;
use crate::load::pointer::{Loc, percent_decode};
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
    /// The path key as written (without any `#` fragment), e.g. `/pets/{petId}` or
    /// `/lists/{id}/export?filename={filename}`: what names, filters and messages show.
    pub path: String,
    /// The part of the key that is the URL's path template, e.g. `/lists/{id}/export`.
    pub url_path: String,
    /// The fixed query a key like `/x?acl` or `/rest?method=a.b` carries: `(name, value)`,
    /// decoded, sent with every request. (`name={var}` pairs became query parameters.)
    pub fixed_query: Vec<(String, Option<String>)>,
    /// The base URL of the operation's own `servers` (else its path item's), variables replaced
    /// by their defaults; `None` when the document's apply. May be relative to them.
    pub server: Option<String>,
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
    /// The OAuth scopes the first security requirement that names any asks for (its `oauth2` and
    /// `openIdConnect` schemes' lists): what a token must grant to call the tool when the server
    /// is an OAuth resource server, unless the curation extension says otherwise.
    pub oauth_scopes: Vec<String>,
    /// The tool name the description's author chose: `x-mcp.name`, `x-speakeasy-mcp.name`, or
    /// `x-mcpgen-name`.
    pub tool_name: Option<String>,
    /// What `x-mcp` / `x-speakeasy-mcp` say about the tool, the levels combined ([`super::curation`]).
    pub curation: super::Curation,
    /// The operation runs long, and how it is followed ([`super::long_running`]).
    pub long_running: Option<super::LongRunningOp>,
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
    let root_curation = curation::x_mcp(&doc.root, &Loc::root(), curation::Level::Root, warnings);
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
        let item_server = super::first_server(item, &at_path, warnings);
        let path_curation =
            root_curation.clone().under(curation::x_mcp(item, &at_path, curation::Level::PathItem, warnings));
        for method in Method::ALL {
            let Some(op) = item.get(method.as_str()) else { continue };
            let at = at_path.key(method.as_str());
            match operation(doc, path, method, op, &shared, &at, default_security, schemes, warnings) {
                Ok(mut op_ir) => {
                    op_ir.server = super::first_server(op, &at, warnings).or_else(|| item_server.clone());
                    op_ir.curation = path_curation
                        .clone()
                        .under(curation::x_speakeasy_mcp(op, &at, warnings))
                        .under(curation::x_mcp(op, &at, curation::Level::Operation, warnings));
                    if let Some(name) = &op_ir.curation.name {
                        op_ir.tool_name = Some(name.clone());
                    }
                    op_ir.long_running =
                        super::long_running::recognise(doc, op, &at, op_ir.curation.long_running, warnings);
                    out.push(op_ir)
                }
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

    // A key with a query (`/x?acl`, `/export?filename={filename}`): the literal pairs are sent
    // as they are, `name={var}` pairs become query parameters named `name`.
    let key = request_path(path);
    let (url_path, query_text) = key.split_once('?').unwrap_or((key, ""));
    let mut fixed_query = fixed_query(query_text, &mut parameters).map_err(|e| fail(at, e))?;
    if let Some((_, fragment)) = path.split_once('#') {
        fixed_query.extend(fragment_query(fragment, &mut parameters));
    }

    // Every `{name}` in the template needs a path parameter. Only the part of the key that is sent
    // counts: a `{name}` after a `#` (mastercard's `/send/#env/v1/partners/{partnerId}`) is in
    // the fragment, and its parameter could never reach the API.
    let template_names = template_names(url_path).map_err(|e| fail(at, e))?;
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

    let raw_security = op.get("security").or(default_security);
    let security = security(raw_security, schemes, at, warnings);
    let oauth_scopes = oauth_scopes(raw_security, schemes);

    Ok(Operation {
        method,
        path: key.to_string(),
        url_path: url_path.to_string(),
        fixed_query,
        server: None,
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
        oauth_scopes,
        tool_name: text("x-mcpgen-name"),
        curation: super::Curation::default(),
        long_running: None,
        at: at.to_string(),
    })
}

/// The part of a path key that goes into a request: up to any `#`. A fragment is never sent;
/// descriptions converted from AWS's (`/tags/{arn}#tagKeys`) use one to tell operations apart.
pub fn request_path(path: &str) -> &str {
    path.split('#').next().unwrap_or(path)
}

/// The literal pairs of a path key's query, decoded; each `name={var}` pair turns the parameter
/// `var` (declared `in: path`, as such descriptions do, or `in: query`; made up as a required
/// string when missing) into the query parameter `name`. Other uses of `{...}` in the query
/// cannot be sent faithfully and are an error.
fn fixed_query(query: &str, parameters: &mut Vec<Parameter>) -> Result<Vec<(String, Option<String>)>, String> {
    let mut fixed = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (pair, None),
        };
        if name.contains(['{', '}']) {
            return Err(format!("the query `{pair}` in the path key has a variable name, which cannot be sent"));
        }
        let name = percent_decode(name);
        if name.is_empty() {
            continue;
        }
        let var = value.and_then(|v| v.strip_prefix('{')).and_then(|v| v.strip_suffix('}'));
        match var {
            Some(var) if !var.is_empty() && !var.contains(['{', '}']) => {
                let found = parameters
                    .iter()
                    .position(|p| p.name == var && p.location == ParamLocation::Path)
                    .or_else(|| parameters.iter().position(|p| p.name == var && p.location == ParamLocation::Query));
                let mut p = match found {
                    Some(i) => parameters.remove(i),
                    None => Parameter {
                        name: var.to_string(),
                        location: ParamLocation::Query,
                        required: true,
                        description: None,
                        deprecated: false,
                        schema: serde_json::json!({"type": "string"}),
                        style: super::Style::Form,
                        explode: true,
                        allow_reserved: false,
                        content_type: None,
                    },
                };
                if p.location == ParamLocation::Path {
                    // Its path style means nothing in a query.
                    (p.location, p.style, p.explode) = (ParamLocation::Query, super::Style::Form, true);
                }
                p.name = name;
                parameters.retain(|q| !(q.name == p.name && q.location == ParamLocation::Query));
                parameters.push(p);
            }
            _ if value.is_some_and(|v| v.contains(['{', '}'])) => {
                return Err(format!(
                    "the query `{pair}` in the path key mixes a variable with text, which cannot be sent"
                ));
            }
            _ => fixed.push((name, value.map(percent_decode))),
        }
    }
    Ok(fixed)
}

/// The pairs of a key's fragment that name a query parameter with one allowed value, which
/// become fixed query pairs (the parameter leaves the tool's arguments). Descriptions converted
/// from AWS's models tell operations on one path apart this way: `/{Bucket}#acl` with the query
/// parameter `acl` (`enum: [true]`) is S3's `GET /{Bucket}?acl`, `/#Action=AddPermission` with
/// `Action` (`enum: [AddPermission]`) is SQS's `?Action=AddPermission`. Sent as the fragment
/// writes them; other pairs (a header, a parameter with a choice of values) stay as they are.
fn fragment_query(fragment: &str, parameters: &mut Vec<Parameter>) -> Vec<(String, Option<String>)> {
    let mut fixed = Vec::new();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.split_once('=') {
            Some((n, v)) => (percent_decode(n), Some(percent_decode(v))),
            None => (percent_decode(pair), None),
        };
        let Some(i) = parameters.iter().position(|p| p.location == ParamLocation::Query && p.name == name) else {
            continue;
        };
        let only = match (parameters[i].schema.get("enum"), parameters[i].schema.get("const")) {
            (Some(Value::Array(values)), _) if values.len() == 1 => values[0].clone(),
            (_, Some(v)) => v.clone(),
            _ => continue,
        };
        let value = match (value, only) {
            // The fragment and the schema disagree: not a marker, the parameter stays.
            (Some(v), only) if only.as_str().is_some_and(|o| o != v) => continue,
            (Some(v), _) => Some(v),
            (None, Value::Bool(true)) => None,
            (None, Value::String(s)) => Some(s),
            (None, other) => Some(other.to_string()),
        };
        parameters.remove(i);
        fixed.push((name, value));
    }
    fixed
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

/// The scopes of the first requirement that lists some for an OAuth 2 or OpenID Connect scheme.
fn oauth_scopes(raw: Option<&Value>, schemes: &BTreeMap<String, SecurityScheme>) -> Vec<String> {
    use super::security::SchemeKind;
    let requirements = raw.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for requirement in requirements.iter().filter_map(Value::as_object) {
        let mut scopes: Vec<String> = requirement
            .iter()
            .filter(|(name, _)| {
                schemes
                    .get(*name)
                    .is_some_and(|s| matches!(s.kind, SchemeKind::OAuth2 { .. } | SchemeKind::OpenIdConnect))
            })
            .flat_map(|(_, listed)| listed.as_array().map(Vec::as_slice).unwrap_or_default())
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if !scopes.is_empty() {
            scopes.dedup();
            return scopes;
        }
    }
    Vec::new()
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
