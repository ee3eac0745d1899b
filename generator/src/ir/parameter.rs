//! Path, query, header and cookie parameters with their serialization style.

use super::resolve::resolve_ref;
use crate::load::Document;
use crate::load::schema::normalize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// OpenAPI serialization styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

impl Style {
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Simple => "simple",
            Style::Label => "label",
            Style::Matrix => "matrix",
            Style::Form => "form",
            Style::SpaceDelimited => "spaceDelimited",
            Style::PipeDelimited => "pipeDelimited",
            Style::DeepObject => "deepObject",
        }
    }

    fn parse(s: &str) -> Option<Style> {
        Some(match s {
            "simple" => Style::Simple,
            "label" => Style::Label,
            "matrix" => Style::Matrix,
            "form" => Style::Form,
            "spaceDelimited" => Style::SpaceDelimited,
            "pipeDelimited" => Style::PipeDelimited,
            "deepObject" => Style::DeepObject,
            _ => return None,
        })
    }

    fn allowed_in(self, location: ParamLocation) -> bool {
        use ParamLocation::*;
        match self {
            Style::Simple => matches!(location, Path | Header),
            Style::Label | Style::Matrix => location == Path,
            Style::Form => matches!(location, Query | Cookie),
            Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject => location == Query,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
    /// JSON Schema 2020-12 (schema `$ref`s kept).
    pub schema: Value,
    pub style: Style,
    pub explode: bool,
    pub allow_reserved: bool,
    /// Set when the parameter is described by `content` (e.g. `application/json`): the value is
    /// serialized in that media type rather than by `style`.
    pub content_type: Option<String>,
}

/// What became of a parameter entry.
pub enum Parsed {
    Param(Parameter),
    /// Left out, with why; the operation still works without it.
    Ignored(String),
    /// Left out without a word: `Accept` and `Content-Type` headers, which OpenAPI says to ignore
    /// and the runtime sets from the operation's media types, so nothing is lost.
    Dropped,
    /// The operation cannot be called correctly without it.
    Fatal(String),
}

pub fn parse(doc: &Document, raw: &Value) -> Parsed {
    let p = match resolve_ref(doc, raw) {
        Ok(p) => p,
        Err(e) => return Parsed::Fatal(e),
    };
    let Some(name) = p.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
        return Parsed::Fatal("parameter has no `name`".into());
    };
    let location = match p.get("in").and_then(Value::as_str) {
        Some("path") => ParamLocation::Path,
        Some("query") => ParamLocation::Query,
        Some("header") => ParamLocation::Header,
        Some("cookie") => ParamLocation::Cookie,
        other => {
            return Parsed::Fatal(format!(
                "parameter `{name}` has an unknown location `in: {}`",
                other.unwrap_or("(missing)")
            ));
        }
    };
    let required = location == ParamLocation::Path || p.get("required").and_then(Value::as_bool) == Some(true);
    if location == ParamLocation::Header {
        // The headers the OpenAPI specification says to ignore. The runtime sets the first two
        // from the operation's media types; credentials come from security schemes, which is
        // worth a word when a description lists `Authorization` as a parameter.
        match name.to_ascii_lowercase().as_str() {
            "accept" | "content-type" => return Parsed::Dropped,
            "authorization" => {
                return Parsed::Ignored(format!(
                    "header parameter `{name}` is ignored (OpenAPI reserves it; auth comes from security schemes)"
                ));
            }
            // The message framing the HTTP client works out itself: a value from an argument
            // (azure monitor's required `Content-Length`, example 783) would contradict the body
            // actually sent, and the request would be cut short or hang.
            "content-length" | "transfer-encoding" | "host" | "connection" => {
                return Parsed::Ignored(format!(
                    "header parameter `{name}` is ignored (the HTTP client sets it for the request it sends)"
                ));
            }
            _ => {}
        }
        if !is_token(name) {
            let msg = format!("header parameter `{name}` is not a valid HTTP header name");
            return if required { Parsed::Fatal(msg) } else { Parsed::Ignored(msg) };
        }
    }
    if location == ParamLocation::Cookie && !is_token(name) {
        let msg = format!("cookie parameter `{name}` is not a valid cookie name");
        return if required { Parsed::Fatal(msg) } else { Parsed::Ignored(msg) };
    }
    let default_style = match location {
        ParamLocation::Path | ParamLocation::Header => Style::Simple,
        ParamLocation::Query | ParamLocation::Cookie => Style::Form,
    };
    let style = match p.get("style").and_then(Value::as_str) {
        None => default_style,
        Some(s) => match Style::parse(s) {
            Some(style) if style.allowed_in(location) => style,
            Some(_) => {
                return Parsed::Fatal(format!(
                    "parameter `{name}`: style `{s}` is not allowed for {} parameters",
                    location.as_str()
                ));
            }
            None => return Parsed::Fatal(format!("parameter `{name}`: unknown style `{s}`")),
        },
    };
    let explode = p.get("explode").and_then(Value::as_bool).unwrap_or(style == Style::Form);
    let (schema, content_type) = match (p.get("schema"), p.get("content").and_then(Value::as_object)) {
        (Some(s), _) => (normalize(s), None),
        (None, Some(content)) => match content.iter().next() {
            Some((media, mt)) => (normalize(mt.get("schema").unwrap_or(&json!({}))), Some(media.clone())),
            None => (json!({}), None),
        },
        (None, None) => (json!({}), None),
    };
    if content_type.is_none()
        && let Some(what) = unserializable(doc, p.get("schema"))
    {
        // OpenAPI defines `style` for primitives, arrays of primitives and flat objects only;
        // whatever one sent, the API could read it another way. `content` is the standard way.
        let msg = format!(
            "{} parameter `{name}` is {what}, which OpenAPI's `style` serializations do not define \
             (describe it with `content: application/json` to send it as JSON)",
            location.as_str()
        );
        return if required { Parsed::Fatal(msg) } else { Parsed::Ignored(format!("{msg}; left out")) };
    }
    if let Some(ct) = &content_type
        && !is_json(ct)
        && !ct.starts_with("text/")
    {
        return Parsed::Fatal(format!("parameter `{name}` uses media type `{ct}`, which mcpgen cannot serialize"));
    }
    Parsed::Param(Parameter {
        name: name.to_string(),
        location,
        required,
        description: p.get("description").and_then(Value::as_str).map(str::to_string),
        deprecated: p.get("deprecated").and_then(Value::as_bool) == Some(true),
        schema,
        style,
        explode,
        allow_reserved: p.get("allowReserved").and_then(Value::as_bool) == Some(true),
        content_type,
    })
}

/// What makes a parameter schema impossible to serialize by `style`: an array whose items are
/// objects or arrays (visma.com's `sortings`).
fn unserializable(doc: &Document, schema: Option<&Value>) -> Option<&'static str> {
    let deref = |v| resolve_ref(doc, v).ok();
    let has_type = |v: &Value, t: &str| match v.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(ts)) => ts.iter().any(|x| x == t),
        _ => false,
    };
    let schema = deref(schema?)?;
    if !has_type(schema, "array") {
        return None;
    }
    let items = deref(schema.get("items")?)?;
    if has_type(items, "object") || (items.get("type").is_none() && items.get("properties").is_some()) {
        Some("an array of objects")
    } else if has_type(items, "array") {
        Some("an array of arrays")
    } else {
        None
    }
}

/// An RFC 7230 token: what header and cookie names may be.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `application/json`, `application/problem+json`, `application/json; charset=utf-8`.
pub fn is_json(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json")
}
