//! The upstream module against a real HTTP server on loopback: what the API receives, and what
//! the tool result says, for success, HTTP errors, timeouts, unreachable hosts and every kind of
//! credential.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use mcpgen_runtime::upstream::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Answers by path: `/json`, `/list`, `/missing` (404), `/boom` (500), `/slow`, `/big`, `/image`,
/// `/limited` (429), `/redirect-away`, `/own/moved` (to `/own/json`, same origin), `/token` (OAuth 2),
/// anything else echoes 200 `{"ok": true}`.
async fn handler(State(log): State<Log>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    log.lock().unwrap().push(Seen { method: method.to_string(), uri: uri.to_string(), headers, body: body.to_vec() });
    let json = |v: Value| ([("content-type", "application/json")], v.to_string()).into_response();
    match uri.path() {
        "/json" => json(json!({"id": 7, "name": "Rex"})),
        "/list" => json(json!([1, 2, 3])),
        "/missing" => (StatusCode::NOT_FOUND, json!({"message": "no such pet"}).to_string()).into_response(),
        "/boom" => (StatusCode::INTERNAL_SERVER_ERROR, "x".repeat(10_000)).into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            json(json!({}))
        }
        "/big" => ([("content-type", "text/plain")], "y".repeat(5000)).into_response(),
        "/image" => ([("content-type", "image/png")], vec![0x89u8, b'P', b'N', b'G']).into_response(),
        "/limited" => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")], "slow down").into_response(),
        "/redirect-away" => (StatusCode::FOUND, [("location", "http://127.0.0.2:1/stolen")]).into_response(),
        "/own/moved" => (StatusCode::FOUND, [("location", "/own/json")]).into_response(),
        "/token" => json(json!({"access_token": "tok-123", "expires_in": 3600})),
        _ => json(json!({"ok": true})),
    }
}

async fn serve() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new().fallback(handler).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), log)
}

static SCHEMES: &[SchemeSpec] = &[
    SchemeSpec {
        name: "key_header",
        kind: SchemeKind::ApiKey { location: Location::Header, param: "X-API-Key", env: "T_KEY_HEADER" },
    },
    SchemeSpec {
        name: "key_query",
        kind: SchemeKind::ApiKey { location: Location::Query, param: "api_key", env: "T_KEY_QUERY" },
    },
    SchemeSpec {
        name: "key_cookie",
        kind: SchemeKind::ApiKey { location: Location::Cookie, param: "sid", env: "T_KEY_COOKIE" },
    },
    SchemeSpec { name: "bearer", kind: SchemeKind::Bearer { env: "T_BEARER" } },
    SchemeSpec {
        name: "basic",
        kind: SchemeKind::Basic { username_env: "T_BASIC_USERNAME", password_env: "T_BASIC_PASSWORD" },
    },
    SchemeSpec {
        name: "oauth",
        kind: SchemeKind::OAuth2 {
            token_env: "T_OAUTH_TOKEN",
            client_id_env: "T_OAUTH_CLIENT_ID",
            client_secret_env: "T_OAUTH_CLIENT_SECRET",
            token_url: None,
            scopes: &["read"],
        },
    },
];

static API: ApiSpec = ApiSpec {
    name: "t",
    version: "1",
    title: None,
    instructions: None,
    base_url: None,
    base_url_env: "T_BASE_URL",
    timeout_env: "T_TIMEOUT_SECS",
    schemes: SCHEMES,
    tool_mode: ToolMode::All,
    tool_budget: None,
};

const fn tool(path: &'static str, security: &'static [&'static [&'static str]]) -> ToolSpec {
    ToolSpec {
        name: "t",
        title: None,
        description: "",
        input_schema: "{}",
        output_schema: None,
        output_wrapped: false,
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: true,
        method: "GET",
        path,
        query: &[],
        server: None,
        params: &[],
        body: None,
        security,
        tags: &[],
        hidden: false,
        scopes: &[],
        null_absent: &[],
        jq_filter: None,
        long_running: None,
    }
}

fn upstream(base: &str, env: &[(&str, &str)]) -> Arc<Upstream> {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut env = env;
    env.insert("T_BASE_URL".into(), base.into());
    Upstream::builder(&API).env(move |k| env.get(k).cloned()).max_body_bytes(1000).build().unwrap()
}

async fn call(u: &Upstream, spec: &ToolSpec, args: Value) -> Value {
    u.call(spec, args, None).await.to_value()
}

#[tokio::test]
async fn json_objects_become_structured_content_and_others_are_wrapped_or_text() {
    let (base, _) = serve().await;
    let u = upstream(&base, &[]);
    let r = call(&u, &tool("/json", &[]), json!({})).await;
    assert_eq!(r["structuredContent"], json!({"id": 7, "name": "Rex"}));
    assert_eq!(
        serde_json::from_str::<Value>(r["content"][0]["text"].as_str().unwrap()).unwrap(),
        json!({"id": 7, "name": "Rex"})
    );
    assert!(r.get("isError").is_none());

    let wrapped = ToolSpec { output_wrapped: true, ..tool("/list", &[]) };
    let r = call(&u, &wrapped, json!({})).await;
    assert_eq!(r["structuredContent"], json!({"result": [1, 2, 3]}));
    let r = call(&u, &tool("/list", &[]), json!({})).await;
    assert!(r.get("structuredContent").is_none());
    assert_eq!(r["content"][0]["text"], "[1,2,3]");

    let r = call(&u, &tool("/image", &[]), json!({})).await;
    assert_eq!(r["content"][0]["type"], "image");
    assert_eq!(r["content"][0]["mimeType"], "image/png");

    let r = call(&u, &tool("/big", &[]), json!({})).await;
    let text = r["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with(&"y".repeat(1000)) && text.ends_with("[response truncated at 1000 bytes]"), "{text}");
}

#[tokio::test]
async fn http_errors_are_tool_errors_with_status_and_a_bounded_body() {
    let (base, _) = serve().await;
    let u = upstream(&base, &[]);
    let r = call(&u, &tool("/missing", &[]), json!({})).await;
    assert_eq!(r["isError"], true);
    assert_eq!(r["content"][0]["text"], "HTTP 404 Not Found: {\"message\":\"no such pet\"}");

    let r = call(&u, &tool("/boom", &[]), json!({})).await;
    let text = r["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("HTTP 500 Internal Server Error: xxx") && text.ends_with("[truncated]"), "{text}");
    assert!(text.len() < 1200, "bounded: {}", text.len());

    let r = call(&u, &tool("/limited", &[]), json!({})).await;
    assert_eq!(r["content"][0]["text"], "HTTP 429 Too Many Requests (rate limited; retry after 7): slow down");
}

#[tokio::test]
async fn unreachable_timeouts_and_missing_base_urls_are_clear() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let u = upstream(&format!("http://127.0.0.1:{port}"), &[("T_KEY_QUERY", "s3cret")]);
    let r = call(&u, &tool("/x", &[&["key_query"]]), json!({})).await;
    let text = r["content"][0]["text"].as_str().unwrap();
    assert_eq!(r["isError"], true);
    assert!(text.starts_with(&format!("could not connect to the API at http://127.0.0.1:{port}/x")), "{text}");
    assert!(!text.contains("s3cret"), "no secrets in messages: {text}");

    let (base, _) = serve().await;
    let env: HashMap<&str, String> = [("T_BASE_URL", base), ("T_TIMEOUT_SECS", "0.3".into())].into();
    let u = Upstream::builder(&API).env(move |k| env.get(k).cloned()).build().unwrap();
    let started = std::time::Instant::now();
    let r = call(&u, &tool("/slow", &[]), json!({})).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(r["content"][0]["text"].as_str().unwrap().starts_with("the API did not answer within 300ms"), "{r}");

    let u = Upstream::builder(&API).env(|_| None).build().unwrap();
    let r = call(&u, &tool("/x", &[]), json!({})).await;
    assert_eq!(r["content"][0]["text"], "cannot call the API: the API has no base URL; set T_BASE_URL");
    let u = Upstream::builder(&API).base_url("/v1").build().unwrap();
    assert!(
        call(&u, &tool("/x", &[]), json!({})).await["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not an absolute URL")
    );
    let bad = Upstream::builder(&API).env(|k| (k == "T_TIMEOUT_SECS").then(|| "soon".to_string())).build();
    assert!(bad.err().unwrap().0.contains("T_TIMEOUT_SECS must be a positive number"));
}

#[tokio::test]
async fn credentials_go_where_each_scheme_says() {
    let (base, log) = serve().await;
    let u = upstream(
        &base,
        &[
            ("T_KEY_HEADER", "hk"),
            ("T_KEY_QUERY", "q k"),
            ("T_KEY_COOKIE", "ck"),
            ("T_BEARER", "bt"),
            ("T_BASIC_USERNAME", "user"),
            ("T_BASIC_PASSWORD", "pw"),
        ],
    );
    call(&u, &tool("/a", &[&["key_header", "key_query", "key_cookie"]]), json!({})).await;
    call(&u, &tool("/b", &[&["oauth"], &["bearer"]]), json!({})).await;
    call(&u, &tool("/c", &[&["basic"]]), json!({})).await;
    call(&u, &tool("/d", &[]), json!({})).await;
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen[0].headers["x-api-key"], "hk");
    assert_eq!(seen[0].uri, "/a?api_key=q%20k");
    assert_eq!(seen[0].headers["cookie"], "sid=ck");
    assert_eq!(seen[1].headers["authorization"], "Bearer bt", "first satisfiable alternative");
    assert_eq!(seen[2].headers["authorization"], "Basic dXNlcjpwdw==");
    assert!(seen[3].headers.get("authorization").is_none(), "no security, no credentials");
}

#[tokio::test]
async fn missing_credentials_are_named_on_401() {
    async fn unauthorized() -> impl IntoResponse {
        (StatusCode::UNAUTHORIZED, "who are you")
    }
    let app = Router::new().fallback(unauthorized);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let u = upstream(&format!("http://{addr}"), &[]);
    let r = call(&u, &tool("/x", &[&["bearer"]]), json!({})).await;
    assert_eq!(
        r["content"][0]["text"],
        "HTTP 401 Unauthorized (no credentials are configured for this operation; set T_BEARER): who are you"
    );
}

#[tokio::test]
async fn oauth2_client_credentials_are_fetched_once_and_cached() {
    let (base, log) = serve().await;
    static OAUTH_SCHEMES: std::sync::OnceLock<&'static [SchemeSpec]> = std::sync::OnceLock::new();
    static OAUTH_API: std::sync::OnceLock<ApiSpec> = std::sync::OnceLock::new();
    let token_url: &'static str = Box::leak(format!("{base}/token").into_boxed_str());
    let schemes = OAUTH_SCHEMES.get_or_init(|| {
        Box::leak(Box::new([SchemeSpec {
            name: "oauth",
            kind: SchemeKind::OAuth2 {
                token_env: "O_TOKEN",
                client_id_env: "O_ID",
                client_secret_env: "O_SECRET",
                token_url: Some(token_url),
                scopes: &["read", "write"],
            },
        }]))
    });
    let api = OAUTH_API.get_or_init(|| ApiSpec { schemes, ..API });
    let env: HashMap<&str, String> =
        [("T_BASE_URL", base.clone()), ("O_ID", "me".into()), ("O_SECRET", "pw".into())].into();
    let u = Upstream::builder(api).env(move |k| env.get(k).cloned()).build().unwrap();
    call(&u, &tool("/one", &[&["oauth"]]), json!({})).await;
    call(&u, &tool("/two", &[&["oauth"]]), json!({})).await;
    let seen = log.lock().unwrap().clone();
    let paths: Vec<&str> = seen.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(paths, ["/token", "/one", "/two"], "one token request, then cached");
    assert_eq!(seen[0].method, "POST");
    assert_eq!(String::from_utf8_lossy(&seen[0].body), "grant_type=client_credentials&scope=read%20write");
    assert_eq!(seen[0].headers["authorization"], "Basic bWU6cHc=");
    assert_eq!(seen[1].headers["authorization"], "Bearer tok-123");
}

#[tokio::test]
async fn redirects_never_leave_the_base_origin() {
    let (base, _) = serve().await;
    let u = upstream(&base, &[("T_KEY_HEADER", "hk")]);
    let r = call(&u, &tool("/redirect-away", &[&["key_header"]]), json!({})).await;
    // The 302 is not followed: the key never travels to the other host.
    assert_eq!(r["isError"], true);
    assert!(r["content"][0]["text"].as_str().unwrap().starts_with("HTTP 302 Found"), "{r}");
}

/// `s` for the life of the test process: a `ToolSpec` holds `'static` text, and these tests make
/// theirs from a port chosen at run time.
fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

#[tokio::test]
async fn an_operation_with_its_own_server_calls_it_unless_a_base_url_is_given() {
    let (own, own_log) = serve().await;
    let (base, base_log) = serve().await;
    let server: &'static str = Box::leak(format!("{own}/own").into_boxed_str());
    let spec = leak(ToolSpec { server: Some(server), query: &[("acl", None)], ..tool("/json", &[]) });

    // No base URL anywhere (the API's is `None`): the operation's own server is all it needs.
    let u = Upstream::builder(&API).env(|_| None).build().unwrap();
    assert!(u.base_url().is_err());
    let r = call(&u, spec, json!({})).await;
    assert!(r.get("isError").is_none(), "{r}");
    assert_eq!(own_log.lock().unwrap().last().unwrap().uri, "/own/json?acl");
    // A redirect within the operation's server's origin is followed.
    let moved = leak(ToolSpec { server: Some(server), ..tool("/moved", &[]) });
    let r = call(&u, moved, json!({})).await;
    assert_eq!(r["structuredContent"], json!({"ok": true}), "{r}");
    let uris: Vec<String> = own_log.lock().unwrap().iter().map(|s| s.uri.clone()).collect();
    assert_eq!(uris, ["/own/json?acl", "/own/moved", "/own/json"]);

    // A relative server resolves against the API's base URL.
    let relative = leak(ToolSpec { server: Some("/v2/"), ..tool("/json", &[]) });
    let api = leak(ApiSpec { base_url: Some(Box::leak(format!("{base}/v1").into_boxed_str())), ..API });
    let u = Upstream::builder(api).env(|_| None).build().unwrap();
    let r = call(&u, relative, json!({})).await;
    assert!(r.get("isError").is_none(), "{r}");
    assert_eq!(base_log.lock().unwrap().last().unwrap().uri, "/v2/json");

    // A base URL the user gives takes every tool: the mock or staging host gets them all.
    let before = own_log.lock().unwrap().len();
    let u = upstream(&format!("{base}/staging"), &[]);
    for s in [spec, relative] {
        let r = call(&u, s, json!({})).await;
        assert!(r.get("isError").is_none(), "{r}");
    }
    let uris: Vec<String> = base_log.lock().unwrap().iter().skip(1).map(|s| s.uri.clone()).collect();
    assert_eq!(uris, ["/staging/json?acl", "/staging/json"]);
    assert_eq!(own_log.lock().unwrap().len(), before, "nothing went to the operation's own server");
}
