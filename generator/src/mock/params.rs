//! Reading a parameter's value out of a request and turning its string form into JSON, per the
//! parameter's `style` and `explode`, so that it can be checked against the parameter's schema.

use crate::ir::{ParamLocation, Parameter, Style, is_json_media};
use crate::load::Document;
use crate::tools::schema::Defs;
use crate::value_type::json_type;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Where a request's parameters are, as received.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Path parameters, raw (percent-encoded).
    pub path: Vec<(String, String)>,
    /// Query pairs, names decoded, values raw.
    pub query: Vec<(String, String)>,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Cookies from the `Cookie` header.
    pub cookies: Vec<(String, String)>,
    /// Query names the operation gives another meaning (its other parameters, a fixed query,
    /// an API key): never the properties of a free-form exploded object.
    pub claimed: Vec<String>,
}

impl Inputs {
    pub fn new(path: Vec<(String, String)>, query: Option<&str>, headers: Vec<(String, String)>) -> Inputs {
        let query = query_pairs(query.unwrap_or(""));
        let cookies = headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.split_once('='))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        Inputs { path, query, headers, cookies, claimed: Vec::new() }
    }
}

/// `a=1&b=x%20y` as `[("a", "1"), ("b", "x%20y")]`: names decoded, values left raw so that an
/// encoded delimiter inside a value is not taken for a delimiter.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_form(n), v.to_string())
        })
        .collect()
}

/// Percent-decoding with `+` as a space, as in `application/x-www-form-urlencoded`.
pub fn decode_form(s: &str) -> String {
    percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The shape of a parameter's schema, enough to read its string form.
enum Shape {
    Primitive(Vec<String>),
    Array(Vec<String>),
    /// Properties, and the types of any other property when the schema allows others by
    /// saying so (`additionalProperties`) or by naming none.
    Object(Map<String, Value>, Option<Vec<String>>),
}

/// The JSON types a schema allows: its `type`, else those of its `enum` or `const` values (nexmo's
/// `{enum: [true, false, 0, 1]}` takes the query text `true` as the boolean).
fn types(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => {
            let values = match (schema.get("enum"), schema.get("const")) {
                (Some(Value::Array(values)), _) => values.iter().collect(),
                (_, Some(value)) => vec![value],
                _ => Vec::new(),
            };
            let mut out: Vec<String> = Vec::new();
            for v in values {
                let t = json_type(v);
                if !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
            out
        }
    }
}

fn shape(doc: &Document, schema: &Value) -> Shape {
    let defs = Defs::new(doc);
    let top = defs.deref_top(schema).unwrap_or(Value::Bool(true));
    let t = types(&top);
    if t.iter().any(|t| t == "array") || (t.is_empty() && top.get("items").is_some()) {
        let items = top.get("items").and_then(|i| defs.deref_top(i).ok()).unwrap_or(Value::Bool(true));
        return Shape::Array(types(&items));
    }
    if t.iter().any(|t| t == "object") || (t.is_empty() && top.get("properties").is_some()) {
        let props = top.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let props: Map<String, Value> =
            props.into_iter().map(|(k, v)| (k, defs.deref_top(&v).unwrap_or(Value::Bool(true)))).collect();
        let additional = match top.get("additionalProperties") {
            Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) => Some(Vec::new()),
            Some(schema) => Some(defs.deref_top(schema).map(|s| types(&s)).unwrap_or_default()),
            None if props.is_empty() => Some(Vec::new()),
            None => None,
        };
        return Shape::Object(props, additional);
    }
    Shape::Primitive(t)
}

/// A string as the JSON value its schema types suggest; left a string when it is none of them,
/// so that validation says what was expected.
pub fn coerce(s: &str, types: &[String]) -> Value {
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("integer") {
        if let Ok(i) = s.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(u) = s.parse::<u64>() {
            return Value::from(u);
        }
    }
    if has("number")
        && let Some(n) = s.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    if has("boolean") && (s == "true" || s == "false") {
        return Value::Bool(s == "true");
    }
    if has("null") && (s.is_empty() || s == "null") && !has("string") {
        return Value::Null;
    }
    Value::String(s.to_string())
}

fn array(raw_items: Vec<String>, items: &[String]) -> Value {
    Value::Array(raw_items.iter().map(|s| coerce(s, items)).collect())
}

/// `k1,v1,k2,v2` (or with `explode`, `k1=v1,k2=v2`) as an object.
fn object_from(parts: Vec<String>, explode: bool, props: &Map<String, Value>) -> Result<Value, String> {
    let mut out = Map::new();
    let mut put = |k: String, v: &str| {
        let t = props.get(&k).map(types).unwrap_or_default();
        out.insert(k, coerce(v, &t));
    };
    if explode {
        for p in parts {
            let (k, v) = p.split_once('=').ok_or_else(|| format!("`{p}` is not key=value"))?;
            put(k.to_string(), v);
        }
    } else {
        if !parts.len().is_multiple_of(2) {
            return Err(format!("`{}` is not a list of key,value pairs", parts.join(",")));
        }
        for kv in parts.chunks(2) {
            put(kv[0].clone(), &kv[1]);
        }
    }
    Ok(Value::Object(out))
}

/// The parameter's value as JSON, `Ok(None)` when the request does not carry it, or why its
/// string form cannot be read.
pub fn extract(doc: &Document, p: &Parameter, inputs: &Inputs) -> Result<Option<Value>, String> {
    if let Some(ct) = &p.content_type {
        let raw = match p.location {
            ParamLocation::Path => inputs.path.iter().find(|(n, _)| *n == p.name).map(|(_, v)| decode(v)),
            ParamLocation::Query => inputs.query.iter().find(|(n, _)| *n == p.name).map(|(_, v)| decode_form(v)),
            ParamLocation::Header => header(inputs, &p.name).map(str::to_string),
            ParamLocation::Cookie => inputs.cookies.iter().find(|(n, _)| *n == p.name).map(|(_, v)| decode(v)),
        };
        return match raw {
            None => Ok(None),
            Some(s) if is_json_media(ct) => {
                serde_json::from_str(&s).map(Some).map_err(|e| format!("{s:?} is not valid JSON ({ct}): {e}"))
            }
            Some(s) => Ok(Some(Value::String(s))),
        };
    }
    let shape = shape(doc, &p.schema);
    match p.location {
        ParamLocation::Path => {
            let Some((_, raw)) = inputs.path.iter().find(|(n, _)| *n == p.name) else { return Ok(None) };
            simple_like(raw, p, &shape, decode).map(Some)
        }
        ParamLocation::Header => {
            let Some(raw) = header(inputs, &p.name) else { return Ok(None) };
            simple_like(raw, p, &shape, |s: &str| s.trim().to_string()).map(Some)
        }
        ParamLocation::Cookie => {
            let Some((_, raw)) = inputs.cookies.iter().find(|(n, _)| *n == p.name) else { return Ok(None) };
            let parts = |raw: &str| raw.split(',').map(decode).collect::<Vec<_>>();
            Ok(Some(match &shape {
                Shape::Primitive(t) => coerce(&decode(raw), t),
                Shape::Array(items) => array(parts(raw), items),
                Shape::Object(props, _) => object_from(parts(raw), false, props)?,
            }))
        }
        ParamLocation::Query => query(p, &shape, &inputs.query, &inputs.claimed),
    }
}

fn header<'a>(inputs: &'a Inputs, name: &str) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    inputs.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

/// Path (`simple`, `label`, `matrix`) and header (`simple`) values.
fn simple_like(raw: &str, p: &Parameter, shape: &Shape, dec: impl Fn(&str) -> String) -> Result<Value, String> {
    let (body, sep) = match p.style {
        Style::Label => {
            let body =
                raw.strip_prefix('.').ok_or_else(|| format!("{:?} does not start with `.` (label style)", dec(raw)))?;
            (body.to_string(), if p.explode { '.' } else { ',' })
        }
        // An exploded object has no name of its own: `;R=100;G=200`.
        Style::Matrix if p.explode && matches!(shape, Shape::Object(..)) => {
            let body = raw
                .strip_prefix(';')
                .ok_or_else(|| format!("{:?} does not start with `;` (matrix style)", dec(raw)))?;
            (body.to_string(), ';')
        }
        Style::Matrix => {
            let prefix = format!(";{}", p.name);
            let body = raw
                .strip_prefix(&prefix)
                .ok_or_else(|| format!("{:?} does not start with `{prefix}` (matrix style)", dec(raw)))?;
            let body = body.strip_prefix('=').unwrap_or(body);
            if p.explode && matches!(shape, Shape::Array(_)) {
                // `;id=3;id=4`
                let again = format!(";{}=", p.name);
                let parts: Vec<String> = body.split(again.as_str()).map(&dec).collect();
                if let Shape::Array(items) = shape {
                    return Ok(array(parts, items));
                }
            }
            (body.to_string(), if p.explode { ';' } else { ',' })
        }
        _ => (raw.to_string(), ','),
    };
    let parts = || body.split(sep).map(&dec).collect::<Vec<_>>();
    Ok(match shape {
        Shape::Primitive(t) => coerce(&dec(&body), t),
        Shape::Array(items) => array(parts(), items),
        Shape::Object(props, _) => object_from(parts(), p.explode, props)?,
    })
}

fn query(
    p: &Parameter,
    shape: &Shape,
    pairs: &[(String, String)],
    claimed: &[String],
) -> Result<Option<Value>, String> {
    let mine: Vec<&str> = pairs.iter().filter(|(n, _)| *n == p.name).map(|(_, v)| v.as_str()).collect();
    match (shape, p.style) {
        (Shape::Object(props, _), Style::DeepObject) => {
            let prefix = format!("{}[", p.name);
            let mut out = Map::new();
            for (n, v) in pairs {
                let Some(key) = n.strip_prefix(&prefix).and_then(|k| k.strip_suffix(']')) else { continue };
                let t = props.get(key).map(types).unwrap_or_default();
                out.insert(key.to_string(), coerce(&decode_form(v), &t));
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
        (Shape::Object(props, additional), Style::Form) if p.explode => {
            // Each property is a query parameter of its own; a free-form object (SQS's
            // `Attribute` map) takes every name nothing else claims.
            let mut out = Map::new();
            for (n, v) in pairs {
                if let Some(schema) = props.get(n) {
                    out.insert(n.clone(), coerce(&decode_form(v), &types(schema)));
                } else if let Some(t) = additional
                    && !claimed.contains(n)
                {
                    out.insert(n.clone(), coerce(&decode_form(v), t));
                }
            }
            // An empty free-form object sends nothing: for a required one, nothing is `{}`.
            let empty_allowed = additional.is_some() && p.required;
            Ok((!out.is_empty() || empty_allowed).then_some(Value::Object(out)))
        }
        (Shape::Object(props, _), style) => match mine.first() {
            None => Ok(None),
            Some(raw) => {
                // `R|100|G|200` and `R%20100%20G%20200` split after decoding, like their arrays.
                let parts: Vec<String> = match style {
                    Style::PipeDelimited => decode_form(raw).split('|').map(str::to_string).collect(),
                    Style::SpaceDelimited => decode_form(raw).split(' ').map(str::to_string).collect(),
                    _ => raw.split(',').map(decode_form).collect(),
                };
                object_from(parts, false, props).map(Some)
            }
        },
        (Shape::Array(items), style) => {
            if mine.is_empty() {
                return Ok(None);
            }
            let parts: Vec<String> = match style {
                Style::Form if p.explode => mine.iter().map(|v| decode_form(v)).collect(),
                Style::SpaceDelimited => mine
                    .iter()
                    .flat_map(|v| decode_form(v).split(' ').map(str::to_string).collect::<Vec<_>>())
                    .collect(),
                Style::PipeDelimited => mine
                    .iter()
                    .flat_map(|v| decode_form(v).split('|').map(str::to_string).collect::<Vec<_>>())
                    .collect(),
                _ => mine.iter().flat_map(|v| v.split(',').map(decode_form)).collect(),
            };
            Ok(Some(array(parts, items)))
        }
        (Shape::Primitive(t), _) => Ok(mine.first().map(|raw| coerce(&decode_form(raw), t))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_become_what_the_schema_says() {
        let t = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(coerce("5", &t(&["integer"])), json!(5));
        assert_eq!(coerce("abc", &t(&["integer"])), json!("abc"));
        assert_eq!(coerce("1.5", &t(&["number"])), json!(1.5));
        assert_eq!(coerce("NaN", &t(&["number"])), json!("NaN"));
        assert_eq!(coerce("true", &t(&["boolean"])), json!(true));
        assert_eq!(coerce("5", &t(&["string"])), json!("5"));
        assert_eq!(coerce("99999999999999999999", &t(&["integer"])), json!("99999999999999999999"));
    }

    #[test]
    fn a_schema_without_type_takes_the_types_of_its_enum() {
        // nexmo's `delivered`: `{enum: [true, false, 0, 1]}`.
        let delivered = json!({"enum": [true, false, 0, 1]});
        assert_eq!(types(&delivered), ["boolean", "integer"]);
        assert_eq!(coerce("true", &types(&delivered)), json!(true));
        assert_eq!(coerce("1", &types(&delivered)), json!(1));
        assert_eq!(types(&json!({"const": "x"})), ["string"]);
        assert!(types(&json!({})).is_empty());
    }

    #[test]
    fn query_values_keep_encoded_delimiters() {
        assert_eq!(
            query_pairs("limit=5&tags=a%20b,c%2Cd&x"),
            [("limit".into(), "5".into()), ("tags".into(), "a%20b,c%2Cd".into()), ("x".into(), String::new())]
        );
    }
}
