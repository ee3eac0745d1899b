//! The plain-HTTP client (`plain.rs`) against reqwest on the same API: the same requests reach
//! it through every kind of redirect (a base URL with user info goes through reqwest, one
//! without through the plain client), and a connection the API closed while it sat in the pool
//! costs the next call nothing.

use super::spec::*;
use super::{ApiSpec, Upstream};
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the API saw of one request: method, target, body, and the headers a redirect changes.
type Seen = (String, String, String, Option<String>, Option<String>);

/// Redirects by path: `/see-other` (303), `/found` (302), `/temporary` (307), `/permanent` (308)
/// to `/landed`; `/loop` to itself; `/away` to another origin. Anything else answers its JSON.
async fn serve() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let seen = log.clone();
    let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: String| {
        let seen = seen.clone();
        async move {
            let header = |n: &str| headers.get(n).map(|v| v.to_str().unwrap().to_string());
            seen.lock().unwrap().push((
                method.to_string(),
                uri.to_string(),
                body,
                header("content-type"),
                header("referer").map(|r| r.split_once("/redirect").map_or(r.clone(), |(_, path)| path.to_string())),
            ));
            let to = |status: u16, location: &str| {
                (StatusCode::from_u16(status).unwrap(), [("location", location.to_string())]).into_response()
            };
            match uri.path() {
                "/redirect/see-other" => to(303, "/redirect/landed?q=1"),
                "/redirect/found" => to(302, "landed"),
                "/redirect/temporary" => to(307, "/redirect/landed"),
                "/redirect/permanent" => to(308, "/redirect/landed"),
                "/redirect/loop" => to(302, "/redirect/loop"),
                "/redirect/away" => to(302, "http://127.0.0.2:9/stolen"),
                _ => ([("content-type", "application/json")], json!({"ok": true}).to_string()).into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/redirect"), log)
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

static API: ApiSpec = ApiSpec {
    name: "t",
    version: "1",
    title: None,
    instructions: None,
    base_url: None,
    base_url_env: "P_BASE_URL",
    timeout_env: "P_TIMEOUT_SECS",
    schemes: &[],
    tool_mode: ToolMode::All,
    tool_budget: None,
};

fn upstream(base: &str) -> Arc<Upstream> {
    Upstream::builder(&API).base_url(base).env(|_| None).build().unwrap()
}

const BODY: BodySpec =
    BodySpec { media_type: "application/json", kind: BodyKind::Json, required: false, whole: Some("pet"), fields: &[] };

#[tokio::test]
async fn every_redirect_reaches_the_api_as_reqwest_sends_it() {
    let (base, log) = serve().await;
    // The same API through reqwest: user info in the URL sends every call there.
    let through_reqwest = base.replacen("http://", "http://user:pw@", 1);
    for method in ["POST", "PUT", "GET", "HEAD"] {
        for path in ["/see-other", "/found", "/temporary", "/permanent", "/loop", "/away"] {
            let body = (method != "GET" && method != "HEAD").then_some(BODY);
            let spec: &'static ToolSpec = leak(ToolSpec { method, path, body, ..ToolSpec::TEST });
            let mut answers = Vec::new();
            for base in [&through_reqwest, &base] {
                let r = upstream(base).call(spec, json!({"pet": {"name": "Rex"}}), None).await.to_value();
                let seen = std::mem::take(&mut *log.lock().unwrap());
                answers.push((r["isError"].clone(), r["content"][0]["text"].clone(), seen));
            }
            assert_eq!(answers[0], answers[1], "{method} {path}: reqwest, then the plain client");
        }
    }
    // What that sameness means, spelled out for two of them.
    let post: &'static ToolSpec =
        leak(ToolSpec { method: "POST", path: "/see-other", body: Some(BODY), ..ToolSpec::TEST });
    upstream(&base).call(post, json!({"pet": {"name": "Rex"}}), None).await;
    let seen = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1], ("GET".into(), "/redirect/landed?q=1".into(), String::new(), None, Some("/see-other".into())));
    let r = upstream(&base).call(leak(ToolSpec { path: "/loop", ..ToolSpec::TEST }), json!({}), None).await.to_value();
    assert_eq!(log.lock().unwrap().len(), super::redirect::MAX_URLS, "five URLs, then the redirect is the answer");
    assert!(r["content"][0]["text"].as_str().unwrap().starts_with("HTTP 302 Found"), "{r}");
}

/// Answers each request, then closes the connection without saying so (no `Connection: close`).
async fn serve_closing() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"ok":true}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_connection_the_api_closed_in_the_pool_costs_the_next_call_nothing() {
    let u = upstream(&serve_closing().await);
    let spec: &'static ToolSpec = leak(ToolSpec { path: "/x", ..ToolSpec::TEST });
    for i in 0..20 {
        let r = u.call(spec, json!({}), None).await.to_value();
        assert_eq!(r["structuredContent"], json!({"ok": true}), "call {i}: {r}");
        if i % 2 == 0 {
            // Sometimes the close has been seen before the next call takes the connection,
            // sometimes not: then the request goes again on a new connection.
            tokio::task::yield_now().await;
        }
    }
}
