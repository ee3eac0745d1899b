//! Parameter serialization per OpenAPI style and explode, and the percent-encoding that keeps a
//! value from changing the structure of the URL.

use super::spec::{Location, ParamSpec, Style};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Everything but RFC 3986 unreserved characters. (A value that makes a whole segment `.` or
/// `..` is refused when the path is built.)
const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~').remove(b'.');
/// Everything but unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~').remove(b'.');
/// `allowReserved`: reserved characters pass, except those that would end or split the query.
const QUERY_RESERVED: &AsciiSet = &QUERY_VALUE
    .remove(b':')
    .remove(b'/')
    .remove(b'?')
    .remove(b'[')
    .remove(b']')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b';');
/// Cookie values: everything outside cookie-octet is encoded.
const COOKIE_VALUE: &AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b',').add(b';').add(b'\\').add(b'%').add(b'=');

pub fn enc_path(s: &str) -> String {
    utf8_percent_encode(s, PATH_VALUE).to_string()
}

pub fn enc_query(s: &str, allow_reserved: bool) -> String {
    utf8_percent_encode(s, if allow_reserved { QUERY_RESERVED } else { QUERY_VALUE }).to_string()
}

pub fn enc_cookie(s: &str) -> String {
    utf8_percent_encode(s, COOKIE_VALUE).to_string()
}

/// A primitive as text; nested arrays and objects as JSON text.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The path segment text for a path parameter (already percent-encoded).
pub fn path_value(p: &ParamSpec, v: &Value) -> String {
    let e = |s: &str| enc_path(s);
    if p.json {
        return e(&v.to_string());
    }
    // The name appears in matrix style only: encoded only there.
    let name = || e(p.name);
    match (p.style, v) {
        (Style::Label, Value::Array(a)) => {
            let sep = if p.explode { "." } else { "," };
            format!(".{}", a.iter().map(|x| e(&text(x))).collect::<Vec<_>>().join(sep))
        }
        (Style::Label, Value::Object(m)) => {
            if p.explode {
                m.iter().map(|(k, x)| format!(".{}={}", e(k), e(&text(x)))).collect()
            } else {
                format!(".{}", m.iter().flat_map(|(k, x)| [e(k), e(&text(x))]).collect::<Vec<_>>().join(","))
            }
        }
        (Style::Label, _) => format!(".{}", e(&text(v))),
        (Style::Matrix, Value::Array(a)) => {
            if p.explode {
                let name = name();
                a.iter().map(|x| format!(";{name}={}", e(&text(x)))).collect()
            } else {
                format!(";{}={}", name(), a.iter().map(|x| e(&text(x))).collect::<Vec<_>>().join(","))
            }
        }
        (Style::Matrix, Value::Object(m)) => {
            if p.explode {
                m.iter().map(|(k, x)| format!(";{}={}", e(k), e(&text(x)))).collect()
            } else {
                format!(";{}={}", name(), m.iter().flat_map(|(k, x)| [e(k), e(&text(x))]).collect::<Vec<_>>().join(","))
            }
        }
        (Style::Matrix, _) => format!(";{}={}", name(), e(&text(v))),
        _ => simple(v, p.explode, e),
    }
}

/// `simple` style (path default, headers): `a,b,c`; objects `k,v,k2,v2` or exploded `k=v,k2=v2`.
pub fn simple(v: &Value, explode: bool, e: impl Fn(&str) -> String) -> String {
    match v {
        Value::Array(a) => a.iter().map(|x| e(&text(x))).collect::<Vec<_>>().join(","),
        Value::Object(m) if explode => {
            m.iter().map(|(k, x)| format!("{}={}", e(k), e(&text(x)))).collect::<Vec<_>>().join(",")
        }
        Value::Object(m) => m.iter().flat_map(|(k, x)| [e(k), e(&text(x))]).collect::<Vec<_>>().join(","),
        _ => e(&text(v)),
    }
}

/// `name=value` pairs for a query parameter, already encoded.
pub fn query_pairs(p: &ParamSpec, v: &Value, out: &mut Vec<String>) {
    let e = |s: &str| enc_query(s, p.allow_reserved);
    let name = enc_query(p.name, false);
    if p.json {
        out.push(format!("{name}={}", e(&v.to_string())));
        return;
    }
    let delimiter = match p.style {
        Style::SpaceDelimited => "%20",
        Style::PipeDelimited => "|",
        _ => ",",
    };
    match v {
        Value::Null => {}
        Value::Array(a) if p.explode && p.style != Style::DeepObject => {
            out.extend(a.iter().map(|x| format!("{name}={}", e(&text(x)))));
        }
        Value::Array(a) => {
            out.push(format!("{name}={}", a.iter().map(|x| e(&text(x))).collect::<Vec<_>>().join(delimiter)));
        }
        Value::Object(m) if p.style == Style::DeepObject => deep_object(p.name, m, p.allow_reserved, out),
        Value::Object(m) if p.explode => {
            out.extend(m.iter().map(|(k, x)| format!("{}={}", enc_query(k, false), e(&text(x)))));
        }
        Value::Object(m) => {
            let flat: Vec<String> = m.iter().flat_map(|(k, x)| [e(k), e(&text(x))]).collect();
            out.push(format!("{name}={}", flat.join(delimiter)));
        }
        _ => out.push(format!("{name}={}", e(&text(v)))),
    }
}

/// `color[R]=100&color[G]=200`, nested as `a[b][c]=`; brackets stay literal, names are encoded.
fn deep_object(prefix: &str, m: &serde_json::Map<String, Value>, allow_reserved: bool, out: &mut Vec<String>) {
    for (k, x) in m {
        let key = format!("{prefix}[{k}]");
        match x {
            Value::Object(inner) => deep_object(&key, inner, allow_reserved, out),
            Value::Array(items) => {
                for item in items {
                    out.push(format!("{}={}", enc_deep_key(&key), enc_query(&text(item), allow_reserved)));
                }
            }
            Value::Null => {}
            _ => out.push(format!("{}={}", enc_deep_key(&key), enc_query(&text(x), allow_reserved))),
        }
    }
}

fn enc_deep_key(key: &str) -> String {
    enc_query(key, false).replace("%5B", "[").replace("%5D", "]")
}

/// The header value for a header parameter (`simple` style, not percent-encoded).
pub fn header_value(p: &ParamSpec, v: &Value) -> String {
    if p.json { v.to_string() } else { simple(v, p.explode, |s| s.to_string()) }
}

/// `name=value` cookie pairs (`form` style).
pub fn cookie_pairs(p: &ParamSpec, v: &Value, out: &mut Vec<String>) {
    debug_assert_eq!(p.location, Location::Cookie);
    let name = p.name;
    let e = enc_cookie;
    if p.json {
        out.push(format!("{name}={}", e(&v.to_string())));
        return;
    }
    match v {
        Value::Null => {}
        Value::Array(a) if p.explode => out.extend(a.iter().map(|x| format!("{name}={}", e(&text(x))))),
        Value::Array(a) => out.push(format!("{name}={}", a.iter().map(|x| e(&text(x))).collect::<Vec<_>>().join(","))),
        Value::Object(m) if p.explode => out.extend(m.iter().map(|(k, x)| format!("{}={}", e(k), e(&text(x))))),
        Value::Object(m) => out
            .push(format!("{name}={}", m.iter().flat_map(|(k, x)| [e(k), e(&text(x))]).collect::<Vec<_>>().join(","))),
        _ => out.push(format!("{name}={}", e(&text(v)))),
    }
}
