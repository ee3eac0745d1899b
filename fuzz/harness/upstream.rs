//! Request building in the runtime's upstream (`upstream::build_request`): tool arguments the
//! model chose, turned into the URL, headers, cookies and body sent to the API.
//!
//! Input: byte 0 picks one of [`SPECS`] (every parameter location and style), byte 1 one of
//! [`BASES`]; the rest is the arguments as a JSON object, or else (any other JSON value, or
//! text) that one value given to every argument of the spec, so plain strings reach every
//! encoder.
//!
//! Invariants, for every request that builds:
//! - the URL keeps the base's scheme, host and port, has no fragment, and its path starts with
//!   the base path and has exactly the template's segments (a value never adds a `/`);
//! - every query pair names one of the spec's query parameters (a value never adds a pair),
//!   except where the spec itself makes object keys names (`form` + `explode` objects);
//! - header names are the spec's, and no header value carries CR, LF or another control byte;
//! - each cookie pair is one `name=value` with no `;`, space, quote, backslash or control byte;
//! - a form body has only the spec's fields; a multipart body has one part per value and its
//!   boundary occurs nowhere else.
//!
//! A request that does not build gives a non-empty reason.

use mcpgen_runtime::serde_json::{Map, Value};
use mcpgen_runtime::upstream::{BodyKind, BodySpec, FieldSpec, Location, ParamSpec, Style, ToolSpec, build_request};

const fn param(name: &'static str, location: Location, style: Style, explode: bool) -> ParamSpec {
    ParamSpec { arg: name, name, location, style, explode, allow_reserved: false, json: false }
}

const fn tool(path: &'static str, params: &'static [ParamSpec], body: Option<BodySpec>) -> ToolSpec {
    ToolSpec {
        name: "fuzz",
        title: None,
        description: "",
        input_schema: "{}",
        output_schema: None,
        output_wrapped: false,
        read_only: false,
        destructive: false,
        idempotent: false,
        open_world: true,
        method: "POST",
        path,
        query: &[],
        server: None,
        params,
        body,
        security: &[],
        tags: &[],
        hidden: false,
        scopes: &[],
        null_absent: &[],
        jq_filter: None,
        long_running: None,
    }
}

use Location::{Cookie, Header, Path, Query};

static PATH_SIMPLE: [ParamSpec; 2] =
    [param("id", Path, Style::Simple, false), param("rest", Path, Style::Simple, true)];
static PATH_STYLES: [ParamSpec; 4] = [
    param("l", Path, Style::Label, false),
    param("le", Path, Style::Label, true),
    param("m", Path, Style::Matrix, false),
    param("me", Path, Style::Matrix, true),
];
static PATH_JSON: [ParamSpec; 1] = [ParamSpec {
    arg: "j",
    name: "j",
    location: Path,
    style: Style::Simple,
    explode: false,
    allow_reserved: false,
    json: true,
}];
static QUERIES: [ParamSpec; 7] = [
    param("q1", Query, Style::Form, false),
    param("q2", Query, Style::SpaceDelimited, false),
    param("q3", Query, Style::PipeDelimited, false),
    param("q4", Query, Style::DeepObject, true),
    ParamSpec {
        arg: "q5",
        name: "q5",
        location: Query,
        style: Style::Form,
        explode: false,
        allow_reserved: true,
        json: false,
    },
    ParamSpec {
        arg: "q6",
        name: "q6",
        location: Query,
        style: Style::Form,
        explode: false,
        allow_reserved: false,
        json: true,
    },
    param("q7", Query, Style::SpaceDelimited, true),
];
static QUERY_EXPLODE: [ParamSpec; 1] = [param("qe", Query, Style::Form, true)];
static HEADERS_COOKIES: [ParamSpec; 5] = [
    param("X-Plain", Header, Style::Simple, false),
    param("X-Exploded", Header, Style::Simple, true),
    ParamSpec {
        arg: "X-Json",
        name: "X-Json",
        location: Header,
        style: Style::Simple,
        explode: false,
        allow_reserved: false,
        json: true,
    },
    param("c1", Cookie, Style::Form, false),
    param("c2", Cookie, Style::Form, true),
];
static FORM_FIELDS: [FieldSpec; 2] =
    [FieldSpec { arg: "f1", name: "f1", binary: false }, FieldSpec { arg: "f2", name: "f 2", binary: false }];
static MULTIPART_FIELDS: [FieldSpec; 2] =
    [FieldSpec { arg: "note", name: "note", binary: false }, FieldSpec { arg: "file", name: "file", binary: true }];

/// The operations inputs are built for; byte 0 of an input picks one.
pub static SPECS: [ToolSpec; 8] = [
    tool("/items/{id}/sub/{rest}", &PATH_SIMPLE, None),
    tool("/a/{l}/{le}/b{m}/c{me}", &PATH_STYLES, None),
    tool("/files/{j}.json", &PATH_JSON, None),
    tool("/search", &QUERIES, None),
    tool("/search/exploded", &QUERY_EXPLODE, None),
    tool("/headers", &HEADERS_COOKIES, None),
    tool(
        "/form",
        &[],
        Some(BodySpec {
            media_type: "application/x-www-form-urlencoded",
            kind: BodyKind::Form,
            whole: None,
            fields: &FORM_FIELDS,
            required: false,
        }),
    ),
    tool(
        "/upload",
        &[],
        Some(BodySpec {
            media_type: "multipart/form-data",
            kind: BodyKind::Multipart,
            whole: None,
            fields: &MULTIPART_FIELDS,
            required: false,
        }),
    ),
];

/// Base URLs requests must stay under; byte 1 of an input picks one.
pub static BASES: [&str; 4] = [
    "https://api.example.com",
    "https://api.example.com/v1/",
    "http://127.0.0.1:8080/api/v2",
    "http://[::1]:9/a%20b/c",
];

/// The arguments an input stands for.
fn arguments(spec: &ToolSpec, rest: &[u8]) -> Map<String, Value> {
    match mcpgen_runtime::serde_json::from_slice::<Value>(rest) {
        Ok(Value::Object(m)) => m,
        parsed => {
            let value = parsed.unwrap_or_else(|_| Value::String(String::from_utf8_lossy(rest).into_owned()));
            let args =
                spec.params.iter().map(|p| p.arg).chain(spec.body.iter().flat_map(|b| b.fields.iter().map(|f| f.arg)));
            args.map(|a| (a.to_string(), value.clone())).collect()
        }
    }
}

/// `upstream_request`: see the module documentation.
pub fn run_upstream_request(data: &[u8]) {
    let (Some(&which), Some(&base_index)) = (data.first(), data.get(1)) else { return };
    let spec = &SPECS[which as usize % SPECS.len()];
    let base = url_of(BASES[base_index as usize % BASES.len()]);
    let args = arguments(spec, &data[2..]);
    let parts = match build_request(&base, spec, &args) {
        Ok(parts) => parts,
        Err(reason) => {
            assert!(!reason.is_empty(), "a refused request says why");
            return;
        }
    };
    let url = &parts.url;
    assert_eq!(
        (url.scheme(), url.host_str(), url.port_or_known_default()),
        (base.scheme(), base.host_str(), base.port_or_known_default()),
        "{url} left {base}"
    );
    assert!(url.fragment().is_none(), "{url} has a fragment");
    let prefix = base.path().trim_end_matches('/');
    let rest = url.path().strip_prefix(prefix).unwrap_or_else(|| panic!("{url} left the base path {prefix}"));
    assert_eq!(
        rest.matches('/').count(),
        spec.path.matches('/').count(),
        "{url}: a value changed the path's segments ({})",
        spec.path
    );
    assert!(!rest.split('/').any(|s| s == "." || s == ".."), "{url} has a dot segment");

    let query_names: Vec<&str> = spec.params.iter().filter(|p| p.location == Query).map(|p| p.name).collect();
    let object_keys_are_names = spec.params.iter().any(|p| p.location == Query && p.style == Style::Form && p.explode);
    for pair in url.query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let name = pair.split('=').next().unwrap_or("");
        let deep = name.split('[').next().unwrap_or("");
        assert!(
            object_keys_are_names || query_names.contains(&name) || query_names.contains(&deep),
            "{url}: a value added the query pair `{pair}`"
        );
        assert!(
            pair.matches('=').count() <= 1 || spec.params.iter().any(|p| p.allow_reserved),
            "{url}: `{pair}` has a raw `=` in its value"
        );
    }

    let header_names: Vec<&str> = spec.params.iter().filter(|p| p.location == Header).map(|p| p.name).collect();
    for (name, value) in &parts.headers {
        assert!(header_names.contains(&name.as_str()), "unexpected header `{name}`");
        assert!(
            !value.chars().any(|c| c.is_control() && c != '\t'),
            "header `{name}` carries a control character: {value:?}"
        );
    }
    for pair in &parts.cookies {
        assert_eq!(pair.matches('=').count(), 1, "cookie pair {pair:?} is not one name=value");
        assert!(
            !pair.chars().any(|c| c.is_control() || matches!(c, ';' | ' ' | '"' | '\\')),
            "cookie pair {pair:?} could split the Cookie header"
        );
    }

    if let (Some(body), Some(spec_body)) = (&parts.body, &spec.body) {
        match spec_body.kind {
            BodyKind::Form => {
                let text = String::from_utf8(body.bytes.clone()).expect("a form body is ASCII");
                for pair in text.split('&').filter(|p| !p.is_empty()) {
                    let name = pair.split('=').next().unwrap_or("");
                    assert!(["f1", "f%202"].contains(&name), "a value added the form field `{pair}`");
                }
            }
            BodyKind::Multipart => {
                let boundary =
                    body.content_type.split("boundary=").nth(1).expect("a multipart body names its boundary");
                let expected: usize = spec_body
                    .fields
                    .iter()
                    .filter_map(|f| args.get(f.arg).map(|v| (f, v)))
                    .map(|(f, v)| match v {
                        Value::Null if !f.binary => 0,
                        Value::Array(items) if !f.binary => items.len(),
                        _ => 1,
                    })
                    .sum();
                let delimiters = body
                    .bytes
                    .windows(boundary.len() + 2)
                    .filter(|w| w[..2] == *b"--" && w[2..] == *boundary.as_bytes())
                    .count();
                assert_eq!(delimiters, expected + 1, "the boundary {boundary} occurs inside a part");
            }
            _ => {}
        }
    }
}

fn url_of(text: &str) -> url::Url {
    url::Url::parse(text).expect("the harness's base URLs parse")
}
