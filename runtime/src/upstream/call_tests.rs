//! Whole calls over loopback HTTP for what `Upstream::call_inner` itself decides: how the request
//! reaches reqwest (user info in the base URL or not), and which secrets a result loses.

use super::spec::*;
use super::{ApiSpec, Upstream};
use axum::Router;
use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Everything a request carried, as the upstream saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    uri: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Answers `/token` with an OAuth 2 token, anything else by echoing the request as JSON
/// (headers included, as a debug endpoint would).
async fn serve() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let seen = log.clone();
    let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: axum::body::Bytes| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(Seen {
                method: method.to_string(),
                uri: uri.to_string(),
                headers: headers.clone(),
                body: body.to_vec(),
            });
            let echo = if uri.path() == "/token" {
                json!({"access_token": "tok-fetched-123", "expires_in": 3600})
            } else {
                let h: serde_json::Map<String, Value> = headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::String(v.to_str().unwrap_or("").to_string())))
                    .collect();
                json!({"uri": uri.to_string(), "headers": h})
            };
            ([("content-type", "application/json")], echo.to_string())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), log)
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

fn tool(
    method: &'static str,
    params: &'static [ParamSpec],
    body: Option<BodySpec>,
    security: &'static [&'static [&'static str]],
) -> ToolSpec {
    ToolSpec { method, path: "/echo", params, body, security, ..ToolSpec::TEST }
}

fn api(schemes: &'static [SchemeSpec]) -> &'static ApiSpec {
    leak(ApiSpec {
        name: "t",
        version: "1",
        title: None,
        instructions: None,
        base_url: None,
        base_url_env: "C_BASE_URL",
        timeout_env: "C_TIMEOUT_SECS",
        schemes,
        tool_mode: ToolMode::All,
        tool_budget: None,
    })
}

fn upstream(api: &'static ApiSpec, env: &[(&str, &str)]) -> Arc<Upstream> {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Upstream::builder(api).env(move |k| env.get(k).cloned()).build().unwrap()
}

static PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        arg: "trace",
        name: "X-Trace",
        location: Location::Header,
        style: Style::Simple,
        explode: false,
        allow_reserved: false,
        json: false,
    },
    ParamSpec {
        arg: "sid",
        name: "sid",
        location: Location::Cookie,
        style: Style::Form,
        explode: true,
        allow_reserved: false,
        json: false,
    },
];

#[tokio::test]
async fn headers_cookies_and_body_reach_the_api_with_or_without_user_info() {
    let (base, log) = serve().await;
    let body = BodySpec {
        media_type: "application/json",
        kind: BodyKind::Json,
        required: false,
        whole: Some("pet"),
        fields: &[],
    };
    let spec: &'static ToolSpec = leak(tool("POST", &PARAMS, Some(body), &[]));
    let args = json!({"trace": "t-1", "sid": "s 1", "pet": {"name": "Rex"}});
    let with_user = base.replacen("http://", "http://us%40er:p%3Aw@", 1);
    for (base_url, basic) in [(base.clone(), None), (with_user, Some("Basic dXNAZXI6cDp3"))] {
        let u = upstream(api(&[]), &[("C_BASE_URL", &base_url)]);
        let r = u.call(spec, args.clone(), None).await.to_value();
        assert!(r.get("isError").is_none(), "{r}");
        let seen = log.lock().unwrap().pop().unwrap();
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.uri, "/echo");
        assert_eq!(seen.headers["x-trace"], "t-1");
        assert_eq!(seen.headers["cookie"], "sid=s%201");
        assert_eq!(seen.headers["accept"], "application/json, */*;q=0.5");
        assert_eq!(seen.headers["content-type"], "application/json");
        assert!(seen.headers["user-agent"].to_str().unwrap().starts_with("mcpgen-runtime/"));
        assert_eq!(seen.body, br#"{"name":"Rex"}"#);
        // User info in the base URL travels as Basic credentials, never in the request line.
        assert_eq!(seen.headers.get("authorization").map(|v| v.to_str().unwrap()), basic, "{base_url}");
    }
}

#[tokio::test]
async fn echoed_secrets_are_redacted_those_fetched_later_included() {
    let (base, log) = serve().await;
    let token_url: &'static str = Box::leak(format!("{base}/token").into_boxed_str());
    let schemes: &'static [SchemeSpec] = leak([
        SchemeSpec {
            name: "key",
            kind: SchemeKind::ApiKey { location: Location::Header, param: "X-API-Key", env: "C_KEY" },
        },
        SchemeSpec {
            name: "oauth",
            kind: SchemeKind::OAuth2 {
                token_env: "C_TOKEN",
                client_id_env: "C_ID",
                client_secret_env: "C_SECRET",
                token_url: Some(token_url),
                scopes: &[],
            },
        },
    ]);
    let api = api(schemes);
    let key_only: &'static ToolSpec = leak(tool("GET", &[], None, &[&["key"]]));
    let both: &'static ToolSpec = leak(tool("GET", &[], None, &[&["key", "oauth"]]));
    let u =
        upstream(api, &[("C_BASE_URL", &base), ("C_KEY", "key-static-456"), ("C_ID", "me"), ("C_SECRET", "pw-789")]);

    // Before a token is fetched: the static key is redacted.
    let r = u.call(key_only, json!({}), None).await.to_value();
    let text = r.to_string();
    assert!(!text.contains("key-static-456"), "{text}");
    assert_eq!(r["structuredContent"]["headers"]["x-api-key"], "[redacted]");

    // After: the fetched token too, in every string of the result.
    let r = u.call(both, json!({}), None).await.to_value();
    let text = r.to_string();
    assert!(!text.contains("key-static-456") && !text.contains("tok-fetched-123"), "{text}");
    assert_eq!(r["structuredContent"]["headers"]["authorization"], "Bearer [redacted]");
    assert_eq!(r["structuredContent"]["headers"]["x-api-key"], "[redacted]");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|s| s.uri.as_str()).collect::<Vec<_>>(), ["/echo", "/token", "/echo"]);
    assert_eq!(seen[2].headers["authorization"], "Bearer tok-fetched-123", "the API itself got the token");
}

/// A request context whose client brought `credentials` (`--client-credential`).
fn context_with(credentials: &[(&str, &str)]) -> crate::RequestContext {
    use crate::auth::{ApiCredentials, Caller};
    let values = credentials.iter().map(|(s, v)| (s.to_string(), v.to_string())).collect();
    let caller = Caller { identity: None, api_credentials: Some(Arc::new(ApiCredentials::new(values))) };
    let conn = Arc::new(crate::server::Connection::for_request(None, caller));
    crate::RequestContext::new(
        crate::RequestId::Number(1),
        crate::Generation::Legacy,
        None,
        None,
        None,
        None,
        tokio_util::sync::CancellationToken::new(),
        conn,
    )
}

#[tokio::test]
async fn a_clients_own_credential_replaces_the_servers_and_is_redacted_like_it() {
    let (base, log) = serve().await;
    let schemes: &'static [SchemeSpec] = leak([
        SchemeSpec {
            name: "key",
            kind: SchemeKind::ApiKey { location: Location::Header, param: "X-API-Key", env: "C_KEY" },
        },
        SchemeSpec { name: "bearer", kind: SchemeKind::Bearer { env: "C_BEARER" } },
    ]);
    let spec: &'static ToolSpec = leak(tool("GET", &[], None, &[&["key", "bearer"]]));
    let u =
        upstream(api(schemes), &[("C_BASE_URL", &base), ("C_KEY", "server-key-1"), ("C_BEARER", "server-bearer-2")]);

    let client = context_with(&[("key", "client-key-3"), ("bearer", "client-bearer-4")]);
    let r = u.call(spec, json!({}), Some(&client)).await.to_value();
    let seen = log.lock().unwrap().pop().unwrap();
    assert_eq!(seen.headers["x-api-key"], "client-key-3");
    assert_eq!(seen.headers["authorization"], "Bearer client-bearer-4");
    let text = r.to_string();
    assert!(!text.contains("client-key-3") && !text.contains("client-bearer-4"), "echoed, redacted: {text}");
    assert_eq!(r["structuredContent"]["headers"]["x-api-key"], "[redacted]");

    // A client that brings only one of them: the other scheme gets nothing, never the server's.
    let partial = context_with(&[("key", "client-key-5")]);
    u.call(spec, json!({}), Some(&partial)).await;
    let seen = log.lock().unwrap().pop().unwrap();
    assert!(seen.headers.get("x-api-key").is_none() && seen.headers.get("authorization").is_none(), "{seen:?}");
    // (The tool's one alternative needs both, so with one missing nothing is applied.)
    let alone: &'static ToolSpec = leak(tool("GET", &[], None, &[&["key"]]));
    u.call(alone, json!({}), Some(&partial)).await;
    let seen = log.lock().unwrap().pop().unwrap();
    assert_eq!(seen.headers["x-api-key"], "client-key-5");

    // Without a client context (STDIO): the server's own.
    u.call(alone, json!({}), None).await;
    assert_eq!(log.lock().unwrap().pop().unwrap().headers["x-api-key"], "server-key-1");
}
