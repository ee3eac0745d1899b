//! Swagger 2.0 structure rewritten as OpenAPI 3: `definitions` -> `components/schemas`,
//! body and formData parameters -> `requestBody`, `consumes`/`produces` -> media types,
//! `host`/`basePath`/`schemes` -> `servers`, `securityDefinitions` -> `securitySchemes`.
//! Non-body parameters get a `schema` and a `style`/`explode` from `collectionFormat`.

use super::pointer::{resolve, split_ref};
use serde_json::{Map, Value, json};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

pub fn upgrade(doc: Value) -> Value {
    let Value::Object(src) = &doc else { return doc };
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.1.0"));
    out.insert("x-mcpgen-upgraded-from".into(), json!("2.0"));
    for key in ["info", "tags", "externalDocs", "security", super::bundle::BUNDLED] {
        if let Some(v) = src.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for (k, v) in src {
        if k.starts_with("x-") && k != super::bundle::BUNDLED {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("servers".into(), servers(src));
    let consumes = strings(src.get("consumes"));
    let produces = strings(src.get("produces"));

    let mut components = Map::new();
    if let Some(d) = src.get("definitions") {
        components.insert("schemas".into(), d.clone());
    }
    if let Some(Value::Object(params)) = src.get("parameters") {
        let mut converted = Map::new();
        for (name, p) in params {
            if !matches!(p.get("in").and_then(Value::as_str), Some("body") | Some("formData")) {
                converted.insert(name.clone(), parameter(p));
            }
        }
        components.insert("parameters".into(), Value::Object(converted));
    }
    if let Some(Value::Object(responses)) = src.get("responses") {
        let converted = responses.iter().map(|(k, r)| (k.clone(), response(r, &produces))).collect();
        components.insert("responses".into(), Value::Object(converted));
    }
    if let Some(Value::Object(defs)) = src.get("securityDefinitions") {
        let converted = defs.iter().map(|(k, s)| (k.clone(), security_scheme(s))).collect();
        components.insert("securitySchemes".into(), Value::Object(converted));
    }
    out.insert("components".into(), Value::Object(components));

    let mut paths = Map::new();
    if let Some(Value::Object(src_paths)) = src.get("paths") {
        for (path, item) in src_paths {
            paths.insert(path.clone(), path_item(&doc, item, &consumes, &produces));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    let mut out = Value::Object(out);
    rewrite_refs(&mut out);
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn servers(src: &Map<String, Value>) -> Value {
    let base_path = src.get("basePath").and_then(Value::as_str).unwrap_or("");
    let base_path = base_path.trim_end_matches('/');
    let Some(host) = src.get("host").and_then(Value::as_str) else {
        return if base_path.is_empty() { json!([]) } else { json!([{"url": base_path}]) };
    };
    let schemes = strings(src.get("schemes"));
    let scheme = if schemes.is_empty() || schemes.iter().any(|s| s == "https") { "https" } else { schemes[0].as_str() };
    json!([{"url": format!("{scheme}://{host}{base_path}")}])
}

/// Resolves a 2.0 `$ref` to a global parameter (body parameters must be seen to be moved).
fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut at = v;
    for _ in 0..16 {
        let Some(r) = at.get("$ref").and_then(Value::as_str) else { break };
        let (file, tokens) = split_ref(r);
        match tokens.filter(|_| file.is_empty()).and_then(|t| resolve(doc, &t)) {
            Some(next) => at = next,
            None => break,
        }
    }
    at
}

fn path_item(doc: &Value, item: &Value, consumes: &[String], produces: &[String]) -> Value {
    let Value::Object(item) = item else { return item.clone() };
    let mut out = Map::new();
    let shared: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    for (k, v) in item {
        if METHODS.contains(&k.as_str()) {
            out.insert(k.clone(), operation(doc, v, &shared, consumes, produces));
        } else if k != "parameters" {
            out.insert(k.clone(), v.clone());
        }
    }
    out.into()
}

fn operation(doc: &Value, op: &Value, shared: &[Value], consumes: &[String], produces: &[String]) -> Value {
    let Value::Object(op) = op else { return op.clone() };
    let mut out = Map::new();
    for (k, v) in op {
        if !matches!(k.as_str(), "parameters" | "responses" | "consumes" | "produces" | "schemes") {
            out.insert(k.clone(), v.clone());
        }
    }
    let consumes = if op.contains_key("consumes") { strings(op.get("consumes")) } else { consumes.to_vec() };
    let produces = if op.contains_key("produces") { strings(op.get("produces")) } else { produces.to_vec() };

    // Operation parameters override path-level ones with the same name and location.
    let own: Vec<Value> = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let key = |p: &Value| {
        let p = deref(doc, p);
        (
            p.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
            p.get("in").and_then(Value::as_str).unwrap_or("").to_string(),
        )
    };
    let mut all: Vec<Value> = shared.iter().filter(|s| !own.iter().any(|o| key(o) == key(s))).cloned().collect();
    all.extend(own);

    let mut params = Vec::new();
    let mut form_props = Map::new();
    let mut form_required = Vec::new();
    let mut has_file = false;
    for raw in &all {
        let p = deref(doc, raw);
        match p.get("in").and_then(Value::as_str) {
            Some("body") => {
                let schema = p.get("schema").cloned().unwrap_or(json!({}));
                let media: Vec<String> =
                    if consumes.is_empty() { vec!["application/json".into()] } else { consumes.clone() };
                let content: Map<String, Value> =
                    media.iter().map(|m| (m.clone(), json!({"schema": schema}))).collect();
                let mut body = json!({"content": content, "required": p.get("required").and_then(Value::as_bool).unwrap_or(false)});
                if let Some(d) = p.get("description") {
                    body["description"] = d.clone();
                }
                out.insert("requestBody".into(), body);
            }
            Some("formData") => {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                let mut schema = param_schema(p);
                if p.get("type").and_then(Value::as_str) == Some("file") {
                    has_file = true;
                    schema = json!({"type": "string", "format": "binary"});
                }
                if let Some(d) = p.get("description") {
                    schema["description"] = d.clone();
                }
                if p.get("required").and_then(Value::as_bool) == Some(true) {
                    form_required.push(json!(name));
                }
                form_props.insert(name, schema);
            }
            // Parameters that are still references stay references; the IR reports them if broken.
            _ if p.get("$ref").is_some() => params.push(p.clone()),
            _ => {
                params.push(if raw.get("$ref").is_some() && p.get("in").is_some() { raw.clone() } else { parameter(p) })
            }
        }
    }
    if !form_props.is_empty() {
        let media = if has_file || consumes.iter().any(|c| c.starts_with("multipart/form-data")) {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut schema = json!({"type": "object", "properties": form_props});
        // The body is required exactly when one of its fields is: all-optional fields may all be left out.
        let required = !form_required.is_empty();
        if required {
            schema["required"] = Value::Array(form_required);
        }
        out.insert("requestBody".into(), json!({"content": {media: {"schema": schema}}, "required": required}));
    }
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }
    if let Some(Value::Object(responses)) = op.get("responses") {
        let converted = responses.iter().map(|(k, r)| (k.clone(), response(r, &produces))).collect();
        out.insert("responses".into(), Value::Object(converted));
    }
    out.into()
}

/// A 2.0 non-body parameter as an OpenAPI 3 parameter.
fn parameter(p: &Value) -> Value {
    let Value::Object(src) = p else { return p.clone() };
    if src.contains_key("$ref") {
        return p.clone();
    }
    let mut out = Map::new();
    for k in ["name", "in", "description", "required", "deprecated", "allowEmptyValue"] {
        if let Some(v) = src.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    for (k, v) in src {
        if k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("schema".into(), param_schema(p));
    let location = src.get("in").and_then(Value::as_str).unwrap_or("");
    if src.get("type").and_then(Value::as_str) == Some("array") {
        let (style, explode) = match src.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv") {
            "multi" => ("form", true),
            "ssv" => ("spaceDelimited", false),
            "pipes" => ("pipeDelimited", false),
            _ if location == "query" || location == "cookie" => ("form", false),
            _ => ("simple", false),
        };
        out.insert("style".into(), json!(style));
        out.insert("explode".into(), json!(explode));
    }
    out.into()
}

/// The schema keywords a 2.0 non-body parameter carries inline.
fn param_schema(p: &Value) -> Value {
    const KEYS: [&str; 17] = [
        "type",
        "format",
        "items",
        "default",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "enum",
        "multipleOf",
        "x-nullable",
    ];
    let mut out = Map::new();
    if let Value::Object(src) = p {
        for k in KEYS {
            if let Some(v) = src.get(k) {
                out.insert(k.into(), if k == "items" { param_schema(v) } else { v.clone() });
            }
        }
    }
    if out.get("type").and_then(Value::as_str) == Some("file") {
        return json!({"type": "string", "format": "binary"});
    }
    out.into()
}

fn response(r: &Value, produces: &[String]) -> Value {
    let Value::Object(src) = r else { return r.clone() };
    if src.contains_key("$ref") {
        return r.clone();
    }
    let mut out = Map::new();
    out.insert("description".into(), src.get("description").cloned().unwrap_or(json!("")));
    if let Some(schema) = src.get("schema") {
        let media: Vec<String> = if produces.is_empty() { vec!["application/json".into()] } else { produces.to_vec() };
        let mut content = Map::new();
        for m in media {
            let mut mt = json!({"schema": schema});
            if let Some(ex) = src.get("examples").and_then(|e| e.get(&m)) {
                mt["example"] = ex.clone();
            }
            content.insert(m, mt);
        }
        out.insert("content".into(), Value::Object(content));
    }
    if let Some(Value::Object(headers)) = src.get("headers") {
        let converted: Map<String, Value> = headers
            .iter()
            .map(|(k, h)| (k.clone(), json!({"schema": param_schema(h), "description": h.get("description").cloned().unwrap_or(json!(""))})))
            .collect();
        out.insert("headers".into(), Value::Object(converted));
    }
    out.into()
}

fn security_scheme(s: &Value) -> Value {
    let get = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
    let mut out = match s.get("type").and_then(Value::as_str) {
        Some("basic") => json!({"type": "http", "scheme": "basic"}),
        Some("apiKey") => json!({"type": "apiKey", "name": get("name"), "in": get("in")}),
        Some("oauth2") => {
            let flow = match s.get("flow").and_then(Value::as_str) {
                Some("application") => "clientCredentials",
                Some("accessCode") => "authorizationCode",
                Some("password") => "password",
                _ => "implicit",
            };
            let mut f = json!({"scopes": s.get("scopes").cloned().unwrap_or(json!({}))});
            for k in ["tokenUrl", "authorizationUrl"] {
                if let Some(v) = s.get(k) {
                    f[k] = v.clone();
                }
            }
            json!({"type": "oauth2", "flows": {flow: f}})
        }
        _ => s.clone(),
    };
    if let Some(d) = s.get("description") {
        out["description"] = d.clone();
    }
    out
}

/// `#/definitions/X` -> `#/components/schemas/X`, and likewise for parameters and responses.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                for (from, to) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = r.strip_prefix(from) {
                        *r = format!("{to}{rest}");
                        break;
                    }
                }
            }
            m.values_mut().for_each(rewrite_refs);
        }
        Value::Array(a) => a.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}
