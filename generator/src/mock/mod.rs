//! `mcpgen mock`: the API of a description served on loopback, for tests and for trying a
//! generated server with no network.
//!
//! The mock reads the description with the generator's own [`load`](crate::load) and
//! [`ir`](crate::ir), so it sees exactly the operations the tools were generated from. Each
//! request is matched to an operation ([`route`]), its parameters read per style and explode
//! ([`params`]) and checked with their body against the spec's schemas ([`validate`]); a valid
//! request gets the success response ([`respond`]: the spec's example, or data made up by
//! [`synth`]), an invalid one a 400 that says what is wrong and where. Every request is recorded
//! ([`record`]) and listed at `GET /__mcpgen/requests` ([`serve`]).
//!
//! ```no_run
//! use mcpgen::mock::{Mock, Received};
//! let mock = Mock::load(&mcpgen::load::Source::from_arg("fixtures/petstore.yaml")).unwrap();
//! let (reply, _operation) = mock.handle(&Received::get("/v1/pets?limit=abc"));
//! assert_eq!(reply.status, 400);
//! ```

pub mod long_running;
pub mod params;
pub mod record;
pub mod respond;
pub mod route;
pub mod serve;
pub mod synth;
pub mod validate;

pub use respond::Reply;
pub use serve::{Options, serve};

use crate::ir::{Api, BodyKind, Operation, Warning, is_json_media};
use crate::load::{Document, LoadError, Source};
use params::Inputs;
use route::Template;
use serde_json::{Value, json};
use validate::Validators;

/// One request as the mock received it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Upper or lower case.
    pub method: String,
    /// Raw (percent-encoded) path.
    pub path: String,
    /// Raw query string, without `?`.
    pub query: Option<String>,
    /// Names lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// A `GET` of `target` (path and query), for tests.
    pub fn get(target: &str) -> Received {
        Received::new("GET", target)
    }

    /// A request without headers or body.
    pub fn new(method: &str, target: &str) -> Received {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.to_string(), None),
        };
        Received { method: method.to_string(), path, query, ..Received::default() }
    }

    pub fn header(mut self, name: &str, value: &str) -> Received {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// A JSON body with its content type.
    pub fn json(self, body: &Value) -> Received {
        let mut r = self.header("content-type", "application/json");
        r.body = body.to_string().into_bytes();
        r
    }
}

/// The loaded description, ready to answer requests.
pub struct Mock {
    doc: Document,
    api: Api,
    templates: Vec<Template>,
    base_path: String,
    validators: Validators,
    secrets: record::Secrets,
    jobs: long_running::Jobs,
}

impl Mock {
    pub fn load(source: &Source) -> Result<Mock, LoadError> {
        Ok(Mock::new(crate::load::load(source)?))
    }

    pub fn new(doc: Document) -> Mock {
        let api = crate::ir::analyze(&doc);
        let templates = api.operations.iter().map(|o| Template::parse(&o.url_path)).collect();
        let base_path = api.servers.first().map(|s| base_path(s)).unwrap_or_default();
        let secrets = record::Secrets::of(&api);
        let jobs = long_running::Jobs::new(long_running::DEFAULT_POLLS);
        Mock { doc, api, templates, base_path, validators: Validators::default(), secrets, jobs }
    }

    /// How many "still running" answers a long-running operation gives before its end
    /// (`mcpgen mock --long-running-polls N`; [`long_running::DEFAULT_POLLS`] unless set).
    pub fn long_running_polls(mut self, polls: u32) -> Mock {
        self.jobs = long_running::Jobs::new(polls);
        self
    }

    /// Records credentials as received instead of redacting them (`mcpgen mock
    /// --show-credentials`): for testing which credentials a server sends for whom.
    pub fn showing_credentials(mut self) -> Mock {
        self.secrets = record::Secrets::default();
        self
    }

    /// The path of the first server URL (`/v1` for `http://petstore.example.com/v1`), under
    /// which the operations are served; empty when there is none. Paths without it match too.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    pub fn operations(&self) -> &[Operation] {
        &self.api.operations
    }

    /// What the generator would warn about (operations skipped, and why).
    pub fn warnings(&self) -> &[Warning] {
        &self.api.warnings
    }

    /// `req` recorded as JSON, with the operation it matched and the status it got.
    pub fn record(&self, req: &Received, operation: Option<&str>, status: u16) -> Value {
        record::record(&self.secrets, req, operation, status)
    }

    /// The answer to `req`, and the operation it matched (its operationId, else `METHOD /path`).
    /// Never panics, whatever the request.
    pub fn handle(&self, req: &Received) -> (Reply, Option<String>) {
        let path = match req.path.strip_prefix(self.base_path.as_str()) {
            Some(rest) if !self.base_path.is_empty() && (rest.is_empty() || rest.starts_with('/')) => {
                if rest.is_empty() { "/" } else { rest }
            }
            _ => req.path.as_str(),
        };
        if let Some((reply, operation)) = self.jobs.poll(&req.method, path) {
            return (reply, Some(operation).filter(|o| !o.is_empty()));
        }
        let query: Vec<(String, String)> = params::query_pairs(req.query.as_deref().unwrap_or(""))
            .into_iter()
            .map(|(n, v)| (n, params::decode_form(&v)))
            .collect();
        let matched = match route::find(&self.templates, &self.api.operations, &req.method, path, &query) {
            Ok(m) => m,
            Err(closest) => {
                let message = format!(
                    "no operation matches {} {}{}",
                    req.method.to_ascii_uppercase(),
                    req.path,
                    closest.first().map(|c| format!("; closest: {c}")).unwrap_or_default()
                );
                return (Reply::json(404, &json!({"error": message, "closest": closest})), None);
            }
        };
        // Operations can share a method and path, or have templates that match alike, and differ
        // in a header or parameter (AWS's `POST /#X-Amz-Target=...`, Google's `/v1/{+topic}` and
        // `/v1/{+subscription}`), and a path can read several ways (`{name}{ext}`). The request
        // is the operation (and reading) it is valid for that declares the most of the query
        // names it carries (S3's `PUT /{Bucket}/{Key}?partNumber=1&uploadId=u` is UploadPart, not
        // PutObject, which is valid too: unknown names are not errors), the first on a tie; else
        // the one with the fewest problems.
        let sent: std::collections::BTreeSet<&str> = query.iter().map(|(n, _)| n.as_str()).collect();
        let declared = |op: &Operation| {
            sent.iter()
                .filter(|n| {
                    op.parameters.iter().any(|p| p.location == crate::ir::ParamLocation::Query && p.name == **n)
                        || op.fixed_query.iter().any(|(f, _)| f == *n)
                })
                .count()
        };
        let mut candidates = matched.into_iter().flat_map(|m| m.readings.into_iter().map(move |r| (m.index, r)));
        let Some((mut index, first)) = candidates.next() else {
            return (Reply::json(404, &json!({"error": "no operation matches", "closest": []})), None);
        };
        let mut problems = self.problems(index, &self.api.operations[index], first, req);
        let mut explains = declared(&self.api.operations[index]);
        for (other, reading) in candidates {
            if problems.is_empty() && explains == sent.len() {
                break;
            }
            let other_explains = declared(&self.api.operations[other]);
            if problems.is_empty() && other_explains <= explains {
                continue;
            }
            let found = self.problems(other, &self.api.operations[other], reading, req);
            let better = if problems.is_empty() { found.is_empty() } else { found.len() < problems.len() };
            if better {
                (index, problems, explains) = (other, found, other_explains);
            }
        }
        let op = &self.api.operations[index];
        let name = op.operation_id.clone().unwrap_or_else(|| format!("{} {}", op.method.upper(), op.path));
        if !problems.is_empty() {
            let body = json!({
                "error": format!("invalid request for {name}: {}", problems.join("; ")),
                "operation": name,
                "problems": problems,
            });
            return (Reply::json(400, &body), Some(name));
        }
        let reply = respond::success(&self.doc, op, respond::page_size(&query));
        match op.long_running {
            Some(lr) => {
                let request = [
                    req.method.to_ascii_uppercase().into_bytes(),
                    req.path.clone().into_bytes(),
                    req.query.clone().unwrap_or_default().into_bytes(),
                    req.body.clone(),
                ];
                let request: Vec<&[u8]> = request.iter().map(Vec::as_slice).collect();
                (self.jobs.start(&name, &request, lr, reply, &self.base_path), Some(name))
            }
            None => (reply, Some(name)),
        }
    }

    /// Everything wrong with `req` as a call of `op`, each naming where.
    fn problems(&self, index: usize, op: &Operation, path: Vec<(String, String)>, req: &Received) -> Vec<String> {
        let mut inputs = Inputs::new(path, req.query.as_deref(), req.headers.clone());
        inputs.claimed = op
            .parameters
            .iter()
            .filter(|p| p.location == crate::ir::ParamLocation::Query)
            .map(|p| p.name.clone())
            .chain(op.fixed_query.iter().map(|(n, _)| n.clone()))
            .chain(self.secrets.query_names().iter().cloned())
            .collect();
        let mut out = Vec::new();
        for (i, p) in op.parameters.iter().enumerate() {
            let at = format!("{}.{}", p.location.as_str(), p.name);
            match params::extract(&self.doc, p, &inputs) {
                Ok(None) if p.required => {
                    out.push(format!("{at}: required {} parameter is missing", p.location.as_str()))
                }
                Ok(None) => {}
                Ok(Some(value)) => {
                    out.extend(self.validators.check(&self.doc, &format!("{index}/p{i}"), &p.schema, &at, &value))
                }
                Err(e) => out.push(format!("{at}: {e}")),
            }
        }
        if let Some(body) = &op.body {
            out.extend(self.body_problems(index, body, req));
        }
        out
    }

    fn body_problems(&self, index: usize, body: &crate::ir::Body, req: &Received) -> Vec<String> {
        if req.body.is_empty() {
            return if body.required { vec!["body: a request body is required".into()] } else { Vec::new() };
        }
        let sent = req.headers.iter().find(|(n, _)| n == "content-type").map(|(_, v)| v.as_str());
        let Some(sent) = sent else {
            return vec![format!("header.content-type: missing; the body must be {}", body.media_type)];
        };
        let essence = |m: &str| m.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let fits = match body.kind {
            BodyKind::Json => is_json_media(sent),
            BodyKind::Multipart => essence(sent).starts_with("multipart/"),
            _ => essence(sent) == essence(&body.media_type) || body.media_type.contains('*'),
        };
        if !fits {
            return vec![format!("header.content-type: \"{sent}\" is not {}", body.media_type)];
        }
        let value = match body.kind {
            BodyKind::Json => match serde_json::from_slice::<Value>(&req.body) {
                Ok(v) => v,
                Err(e) => return vec![format!("body: not valid JSON: {e}")],
            },
            BodyKind::Form => {
                let text = String::from_utf8_lossy(&req.body);
                let props = crate::tools::schema::Defs::new(&self.doc)
                    .deref_top(&body.schema)
                    .ok()
                    .and_then(|s| s.get("properties").cloned())
                    .unwrap_or(Value::Null);
                let types = |schema: Option<&Value>| -> Vec<String> {
                    match schema.and_then(|s| s.get("type")) {
                        Some(Value::String(t)) => vec![t.clone()],
                        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                        _ => Vec::new(),
                    }
                };
                let mut obj = serde_json::Map::new();
                for (n, v) in params::query_pairs(&text) {
                    let prop = props.get(&n);
                    let own = types(prop);
                    if own.iter().any(|t| t == "array") {
                        // An array is the key repeated, one item each (form style, exploded).
                        let item = params::coerce(&params::decode_form(&v), &types(prop.and_then(|p| p.get("items"))));
                        if let Value::Array(items) = obj.entry(n).or_insert_with(|| Value::Array(Vec::new())) {
                            items.push(item);
                        }
                    } else {
                        obj.insert(n, params::coerce(&params::decode_form(&v), &own));
                    }
                }
                Value::Object(obj)
            }
            // Multipart, binary and text bodies: the content type is what can be checked.
            _ => return Vec::new(),
        };
        self.validators.check(&self.doc, &format!("{index}/body"), &body.schema, "body", &value)
    }
}

/// The path of a server URL: `http://h/v1/` is `/v1`, `/api` is `/api`, `http://h` is empty.
fn base_path(server: &str) -> String {
    let rest = match server.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or(""),
        None => server,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    rest.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests;
