//! Tool arguments to an HTTP request, as plain data (no I/O), so every rule is unit-tested:
//! path values are percent-encoded and can never change the host or the path's structure,
//! header and cookie values can never carry CR or LF, and the URL never leaves the base.

use super::body::{Body, encode_body};
use super::spec::{Location, ToolSpec};
use super::style;
use serde_json::{Map, Value};
use url::Url;

/// A request ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestParts {
    pub method: &'static str,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    /// `name=value` pairs for one `Cookie` header.
    pub cookies: Vec<String>,
    pub body: Option<Body>,
}

impl RequestParts {
    /// Adds `name=value` (already encoded) to the query.
    pub fn push_query(&mut self, pair: String) {
        let query = match self.url.query() {
            Some(q) if !q.is_empty() => format!("{q}&{pair}"),
            _ => pair,
        };
        self.url.set_query(Some(&query));
    }

    /// The URL without its query and user info, safe to show (see [`display_url`]).
    pub fn display_url(&self) -> String {
        display_url(&self.url)
    }
}

/// `url` without its query and user info, safe to show: API keys may travel in the query, and a
/// base URL may carry `user:password@`. A fragment (a hook may add one) stays.
pub fn display_url(u: &Url) -> String {
    // Cut from the serialization, not re-serialized: scheme, then host to the end of the path
    // (pushed, not formatted: this runs on every call).
    let host_and_path = &u[url::Position::BeforeHost..url::Position::AfterPath];
    let mut shown = String::with_capacity(u.scheme().len() + 3 + host_and_path.len());
    shown.push_str(u.scheme());
    shown.push_str("://");
    shown.push_str(host_and_path);
    if let Some(fragment) = u.fragment() {
        shown.push('#');
        shown.push_str(fragment);
    }
    shown
}

/// Builds the request `spec` describes from `args`, relative to `base`.
pub fn build_request(base: &Url, spec: &ToolSpec, args: &Map<String, Value>) -> Result<RequestParts, String> {
    let joined = expand_path(base.path().trim_end_matches('/'), spec, args)?;
    let mut url = base.clone();
    url.set_path(&joined);
    if url.scheme() != base.scheme()
        || url.host_str() != base.host_str()
        || url.port_or_known_default() != base.port_or_known_default()
    {
        return Err("the request URL would leave the API's base URL".into());
    }
    if !url.path().starts_with(base.path().trim_end_matches('/')) {
        return Err("the request path would leave the API's base path".into());
    }
    let mut parts = RequestParts { method: spec.method, url, headers: Vec::new(), cookies: Vec::new(), body: None };
    let mut query: Vec<String> = spec
        .query
        .iter()
        .map(|(name, value)| match value {
            Some(v) => format!("{}={}", style::enc_query(name, false), style::enc_query(v, false)),
            None => style::enc_query(name, false),
        })
        .collect();
    for p in spec.params {
        let Some(v) = args.get(p.arg) else { continue };
        match p.location {
            Location::Path => {}
            Location::Query => style::query_pairs(p, v, &mut query),
            Location::Header => {
                if v.is_null() {
                    continue;
                }
                let value = style::header_value(p, v);
                check_header_value(p.arg, &value)?;
                parts.headers.push((p.name.to_string(), value));
            }
            Location::Cookie => style::cookie_pairs(p, v, &mut parts.cookies),
        }
    }
    // One `set_query` for all the pairs (as `push_query` one at a time would give).
    if !query.is_empty() {
        parts.push_query(query.join("&"));
    }
    if let Some(body) = &spec.body {
        parts.body = encode_body(body, args)?;
    }
    Ok(parts)
}

/// Removes the `null`s at `paths` (see [`ToolSpec::null_absent`]): an argument or a member
/// there that is `null` is taken out, as if it had not been given. Paths are JSON pointers into
/// the arguments, `~*` standing for every element of an array. Work is bounded by the
/// arguments' size times the number of paths.
pub fn drop_absent_nulls(args: &mut Map<String, Value>, paths: &[&str]) {
    for path in paths {
        let tokens: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|t| if t == "~*" { t.to_string() } else { t.replace("~1", "/").replace("~0", "~") })
            .collect();
        if let Some((last, parents)) = tokens.split_last() {
            drop_at(args, parents, last);
        }
    }
}

fn drop_at(object: &mut Map<String, Value>, parents: &[String], last: &str) {
    let Some((first, rest)) = parents.split_first() else {
        if object.get(last).is_some_and(Value::is_null) {
            object.remove(last);
        }
        return;
    };
    match object.get_mut(first.as_str()) {
        Some(Value::Object(inner)) => drop_at(inner, rest, last),
        Some(Value::Array(items)) => drop_in_items(items, rest, last),
        _ => {}
    }
}

/// `parents` starts at the elements of `items`: its first token is `~*`.
fn drop_in_items(items: &mut [Value], parents: &[String], last: &str) {
    if parents.first().map(String::as_str) != Some("~*") {
        return;
    }
    for item in items {
        match item {
            Value::Object(inner) => drop_at(inner, &parents[1..], last),
            Value::Array(nested) => drop_in_items(nested, &parents[1..], last),
            _ => {}
        }
    }
}

/// `prefix` (the base URL's path) followed by the path template with every `{name}` replaced by
/// its encoded value.
fn expand_path(prefix: &str, spec: &ToolSpec, args: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(prefix.len() + spec.path.len() + 16);
    out.push_str(prefix);
    let mut rest = spec.path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("the path template has an unclosed `{`")?;
        let name = &after[..close];
        let p = spec
            .params
            .iter()
            .find(|p| p.location == Location::Path && p.name == name)
            .ok_or_else(|| format!("the path template names `{name}`, which is not a parameter"))?;
        let v =
            args.get(p.arg).filter(|v| !v.is_null()).ok_or_else(|| format!("missing required argument `{}`", p.arg))?;
        let encoded = style::path_value(p, v);
        if encoded.is_empty() {
            return Err(format!("argument `{}` is empty, and a path segment cannot be", p.arg));
        }
        out.push_str(&encoded);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    for segment in out[prefix.len()..].split('/') {
        // `.` and `..`, as text or encoded (`%2E%2E`), are six characters at most: longer
        // segments cannot decode to them and are not decoded.
        if segment.len() > 6 {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return Err(format!("a path parameter makes the segment `{segment}`, which would change the URL path"));
        }
    }
    Ok(out)
}

/// Header values must not contain control characters: CR or LF would let a value start a new
/// header or a new request.
pub fn check_header_value(arg: &str, value: &str) -> Result<(), String> {
    if value.chars().any(|c| (c.is_control() && c != '\t') || c == '\u{7f}') {
        return Err(format!(
            "argument `{arg}` contains a control character (CR, LF, ...), which a header cannot carry"
        ));
    }
    Ok(())
}
