//! Request bodies: JSON, `application/x-www-form-urlencoded`, `multipart/form-data`, raw bytes
//! (from base64) and text.

use super::spec::{BodyKind, BodySpec};
use super::style::{enc_query, text};
use base64::Engine;
use serde_json::{Map, Value};

/// An encoded body and its content type.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The body `spec` describes, from `args`; `None` when no body argument was given.
pub fn encode_body(spec: &BodySpec, args: &Map<String, Value>) -> Result<Option<Body>, String> {
    let (value, binary_fields): (Value, Vec<&str>) = match spec.whole {
        Some(arg) => match args.get(arg) {
            Some(v) => (v.clone(), Vec::new()),
            None if spec.required => return Err(format!("missing required argument `{arg}`")),
            None => return Ok(None),
        },
        None => {
            let mut obj = Map::new();
            for f in spec.fields {
                if let Some(v) = args.get(f.arg) {
                    obj.insert(f.name.to_string(), v.clone());
                }
            }
            if obj.is_empty() && !spec.required {
                return Ok(None);
            }
            (Value::Object(obj), spec.fields.iter().filter(|f| f.binary).map(|f| f.name).collect())
        }
    };
    let media = spec.media_type.to_string();
    let body = match spec.kind {
        BodyKind::Json => Body { content_type: media, bytes: serde_json::to_vec(&value).unwrap_or_default() },
        BodyKind::Text => Body { content_type: media, bytes: text(&value).into_bytes() },
        BodyKind::Binary => Body { content_type: media, bytes: bytes_of(&value) },
        BodyKind::Form => Body { content_type: media, bytes: form(&value).into_bytes() },
        BodyKind::Multipart => {
            let (content_type, bytes) = multipart(&value, &binary_fields);
            Body { content_type, bytes }
        }
    };
    Ok(Some(body))
}

/// Base64 (standard or URL-safe, padded or not) decoded; anything else sent as its text.
pub fn bytes_of(v: &Value) -> Vec<u8> {
    let t = text(v);
    let compact: String = t.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        if let Ok(b) = engine.decode(&compact) {
            return b;
        }
    }
    t.into_bytes()
}

fn form(v: &Value) -> String {
    let mut pairs = Vec::new();
    if let Value::Object(m) = v {
        for (k, x) in m {
            match x {
                Value::Null => {}
                Value::Array(items) => pairs
                    .extend(items.iter().map(|i| format!("{}={}", enc_query(k, false), enc_query(&text(i), false)))),
                _ => pairs.push(format!("{}={}", enc_query(k, false), enc_query(&text(x), false))),
            }
        }
    }
    pairs.join("&")
}

/// A `multipart/form-data` body with a boundary that occurs in no part.
fn multipart(v: &Value, binary: &[&str]) -> (String, Vec<u8>) {
    let mut parts: Vec<(String, Option<String>, Vec<u8>)> = Vec::new();
    if let Value::Object(m) = v {
        for (k, x) in m {
            let name = k.replace(['"', '\r', '\n'], "_");
            if binary.contains(&k.as_str()) {
                parts.push((name.clone(), Some(name), bytes_of(x)));
            } else {
                match x {
                    Value::Null => {}
                    Value::Array(items) => {
                        parts.extend(items.iter().map(|i| (name.clone(), None, text(i).into_bytes())))
                    }
                    _ => parts.push((name, None, text(x).into_bytes())),
                }
            }
        }
    }
    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let boundary = loop {
        let b = format!("mcpgen-boundary-{seed:x}");
        if !parts.iter().any(|(_, _, data)| data.windows(b.len()).any(|w| w == b.as_bytes())) {
            break b;
        }
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    };
    let mut out = Vec::new();
    for (name, filename, data) in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            ),
            None => out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}
