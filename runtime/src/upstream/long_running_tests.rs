//! The poll loop of `long_running` against a scripted API on loopback (axum in process): each
//! convention followed to its end through `Upstream::call` with a task's context, the waits,
//! the origin confinement, failures, the time limit and cancellation.

use super::spec::*;
use super::{ApiSpec, PollSettings, Upstream};
use crate::server::{RequestContext, ToolResult};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What the scripted API received: method, path and query, `Authorization`.
type Log = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

/// The scripted API: `POST /start/<script>` starts an operation, the rest follows it. `running`
/// is how many polls answer "still running".
async fn serve(running: usize, elsewhere: &'static str) -> (String, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let polls = Arc::new(Mutex::new(0usize));
    let app = Router::new().fallback(move |method: axum::http::Method, uri: Uri, headers: HeaderMap| {
        let seen = seen.clone();
        let polls = polls.clone();
        async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
            seen.lock().unwrap().push((method.to_string(), uri.to_string(), auth));
            let path = uri.path();
            let mut n = polls.lock().unwrap();
            let json = |status: StatusCode, v: Value| -> Response {
                (status, [("content-type", "application/json")], v.to_string()).into_response()
            };
            match path {
                "/api/start/location" => {
                    (StatusCode::ACCEPTED, [("location", "/api/ops/1"), ("retry-after", "0")]).into_response()
                }
                "/api/ops/1" if *n < running => {
                    *n += 1;
                    (StatusCode::ACCEPTED, [("retry-after", "0")]).into_response()
                }
                "/api/ops/1" => json(StatusCode::OK, json!({"id": 1, "done": "yes"})),
                "/api/start/azure" => (
                    StatusCode::ACCEPTED,
                    [("azure-asyncoperation", "/api/status/2"), ("location", "/api/result/2"), ("retry-after", "0")],
                )
                    .into_response(),
                "/api/status/2" if *n < running => {
                    *n += 1;
                    json(StatusCode::OK, json!({"status": "InProgress", "percentComplete": 50}))
                }
                "/api/status/2" => json(StatusCode::OK, json!({"status": "Succeeded"})),
                "/api/result/2" => json(StatusCode::OK, json!({"report": "r-2"})),
                "/api/start/azure-fails" => {
                    (StatusCode::ACCEPTED, [("operation-location", "/api/status/3"), ("retry-after", "0")])
                        .into_response()
                }
                "/api/status/3" => json(StatusCode::OK, json!({"status": "Failed", "error": {"code": "Quota"}})),
                "/api/start/google" => json(StatusCode::OK, json!({"name": "operations/g 4", "done": false})),
                "/api/operations/g%204" if *n < running => {
                    *n += 1;
                    json(StatusCode::OK, json!({"name": "operations/g 4", "done": false}))
                }
                "/api/operations/g%204" => {
                    json(StatusCode::OK, json!({"name": "operations/g 4", "done": true, "response": {"model": "m"}}))
                }
                "/api/start/google-fails" => json(
                    StatusCode::OK,
                    json!({"name": "operations/x", "done": true, "error": {"code": 3, "message": "bad data"}}),
                ),
                "/api/start/elsewhere" => (StatusCode::ACCEPTED, [("location", elsewhere)]).into_response(),
                "/api/start/gone" => {
                    (StatusCode::ACCEPTED, [("location", "/api/missing"), ("retry-after", "0")]).into_response()
                }
                "/api/start/now" => json(StatusCode::OK, json!({"at": "once"})),
                "/api/start/locked" => json(StatusCode::UNAUTHORIZED, json!({"error": "who are you"})),
                "/api/things/5" if method == axum::http::Method::PUT => (
                    StatusCode::CREATED,
                    [
                        ("content-type", "application/json"),
                        ("operation-location", "/api/status/5"),
                        ("retry-after", "0"),
                    ],
                    json!({"thing": 5, "state": "creating"}).to_string(),
                )
                    .into_response(),
                "/api/things/5" => json(StatusCode::OK, json!({"thing": 5, "state": "ready"})),
                "/api/status/5" => json(StatusCode::OK, json!({"status": "Succeeded", "id": "op-5"})),
                _ => json(StatusCode::NOT_FOUND, json!({"error": "no such thing"})),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/api"), log)
}

static SCHEMES: [SchemeSpec; 1] = [SchemeSpec { name: "bearer", kind: SchemeKind::Bearer { env: "T_TOKEN" } }];
static API: ApiSpec = ApiSpec {
    name: "t",
    version: "1",
    title: None,
    instructions: None,
    base_url: None,
    base_url_env: "T_BASE_URL",
    timeout_env: "T_TIMEOUT_SECS",
    schemes: &SCHEMES,
    tool_mode: ToolMode::All,
    tool_budget: None,
};

fn tool(path: &'static str, kind: LongRunning) -> &'static ToolSpec {
    Box::leak(Box::new(ToolSpec {
        method: "POST",
        path,
        read_only: false,
        security: &[&["bearer"]],
        long_running: Some(kind),
        ..ToolSpec::TEST
    }))
}

fn upstream(base: &str, settings: PollSettings) -> Arc<Upstream> {
    Upstream::builder(&API)
        .base_url(base)
        .env(|k| (k == "T_TOKEN").then(|| "sekrit".to_string()))
        .polling(settings)
        .build()
        .unwrap()
}

/// A request's context running as a task (`task`), or not, with its cancellation token.
fn context(task: bool) -> (RequestContext, CancellationToken) {
    let cancel = CancellationToken::new();
    (RequestContext::for_tests(task, cancel.clone()), cancel)
}

const FAST: PollSettings = PollSettings {
    interval: Duration::from_millis(20),
    min_interval: Duration::from_millis(10),
    max_interval: Duration::from_millis(50),
    limit: Duration::from_secs(10),
};

async fn run(base: &str, spec: &'static ToolSpec, settings: PollSettings) -> Value {
    let (ctx, _) = context(true);
    upstream(base, settings).call(spec, json!({}), Some(&ctx)).await.to_value()
}

fn text(v: &Value) -> &str {
    v["content"][0]["text"].as_str().unwrap_or_default()
}

fn paths(log: &Log) -> Vec<String> {
    log.lock().unwrap().iter().map(|(m, p, _)| format!("{m} {p}")).collect()
}

#[tokio::test]
async fn a_location_is_polled_until_the_result_with_credentials_each_time() {
    let (base, log) = serve(2, "").await;
    let v = run(&base, tool("/start/location", LongRunning::Polling(FinalState::Default)), FAST).await;
    assert_eq!(v["structuredContent"], json!({"id": 1, "done": "yes"}), "{v}");
    assert_eq!(paths(&log), ["POST /api/start/location", "GET /api/ops/1", "GET /api/ops/1", "GET /api/ops/1"]);
    assert!(log.lock().unwrap().iter().all(|(_, _, a)| a.as_deref() == Some("Bearer sekrit")));
}

#[tokio::test]
async fn without_a_task_the_first_answer_is_the_result() {
    let (base, log) = serve(2, "").await;
    let (ctx, _) = context(false);
    let spec = tool("/start/location", LongRunning::Polling(FinalState::Default));
    let v = upstream(&base, FAST).call(spec, json!({}), Some(&ctx)).await.to_value();
    assert!(text(&v).contains("202"), "{v}");
    assert_eq!(paths(&log), ["POST /api/start/location"]);
    let tool = upstream(&base, FAST).tool(spec);
    assert_eq!(tool.task_support, crate::TaskSupport::Optional, "a long-running tool may run as a task");
}

#[tokio::test]
async fn an_azure_status_monitor_then_the_location_for_the_result() {
    let (base, log) = serve(1, "").await;
    let v = run(&base, tool("/start/azure", LongRunning::Polling(FinalState::Default)), FAST).await;
    assert_eq!(v["structuredContent"], json!({"report": "r-2"}), "{v}");
    assert_eq!(paths(&log), ["POST /api/start/azure", "GET /api/status/2", "GET /api/status/2", "GET /api/result/2"]);
    // final-state-via azure-async-operation: the monitor's own final body.
    let (base, _) = serve(0, "").await;
    let v = run(&base, tool("/start/azure", LongRunning::Polling(FinalState::AzureAsyncOperation)), FAST).await;
    assert_eq!(v["structuredContent"], json!({"status": "Succeeded"}), "{v}");
}

#[tokio::test]
async fn failures_are_the_apis_errors() {
    let (base, _) = serve(0, "").await;
    let v = run(&base, tool("/start/azure-fails", LongRunning::Polling(FinalState::Default)), FAST).await;
    assert_eq!(v["isError"], true);
    assert!(text(&v).contains("failed (Failed)") && text(&v).contains("Quota"), "{v}");
    let v = run(&base, tool("/start/google-fails", LongRunning::Operation), FAST).await;
    assert_eq!(v["isError"], true);
    assert!(text(&v).contains("bad data"), "{v}");
    let v = run(&base, tool("/start/gone", LongRunning::Polling(FinalState::Default)), FAST).await;
    assert_eq!(v["isError"], true);
    assert!(text(&v).starts_with("HTTP 404") && text(&v).contains("no such thing"), "{v}");
    // Refused for want of credentials: the error names what to set, as a plain call's does.
    let (ctx, _) = context(true);
    let bare = Upstream::builder(&API).base_url(&base).env(|_| None).polling(FAST).build().unwrap();
    let spec = tool("/start/locked", LongRunning::Polling(FinalState::Default));
    let v = bare.call(spec, json!({}), Some(&ctx)).await.to_value();
    assert!(text(&v).starts_with("HTTP 401") && text(&v).contains("set T_TOKEN"), "{v}");
    // Nothing to follow: the first answer is the result.
    let v = run(&base, tool("/start/now", LongRunning::Polling(FinalState::Default)), FAST).await;
    assert_eq!(v["structuredContent"], json!({"at": "once"}), "{v}");
}

#[tokio::test]
async fn a_google_operation_is_fetched_at_its_name_under_the_base() {
    let (base, log) = serve(1, "").await;
    let v = run(&base, tool("/start/google", LongRunning::Operation), FAST).await;
    assert_eq!(v["structuredContent"], json!({"model": "m"}), "{v}");
    assert_eq!(paths(&log), ["POST /api/start/google", "GET /api/operations/g%204", "GET /api/operations/g%204"]);
}

#[tokio::test]
async fn a_location_on_another_origin_is_never_requested() {
    for elsewhere in ["http://127.0.0.2:1/steal", "https://example.com/x"] {
        let (base, log) = serve(0, elsewhere).await;
        let v = run(&base, tool("/start/elsewhere", LongRunning::Polling(FinalState::Default)), FAST).await;
        assert_eq!(v["isError"], true);
        assert!(text(&v).contains("is not on the API's origin"), "{v}");
        assert_eq!(paths(&log), ["POST /api/start/elsewhere"]);
    }
}

#[tokio::test]
async fn the_time_limit_ends_the_polling_and_says_where_to_follow() {
    let (base, log) = serve(usize::MAX, "").await;
    let settings = PollSettings { limit: Duration::from_millis(300), ..FAST };
    let started = Instant::now();
    let v = run(&base, tool("/start/location", LongRunning::Polling(FinalState::Default)), settings).await;
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(v["isError"], true);
    assert!(text(&v).contains("did not finish within 300ms") && text(&v).contains("/api/ops/1"), "{v}");
    assert!(log.lock().unwrap().len() > 3, "it polled meanwhile");
}

#[tokio::test]
async fn cancelling_the_task_stops_the_polling_at_once() {
    let (base, log) = serve(usize::MAX, "").await;
    let (ctx, cancel) = context(true);
    let up = upstream(&base, FAST);
    let spec = tool("/start/location", LongRunning::Polling(FinalState::Default));
    let call = tokio::spawn(async move { up.call(spec, json!({}), Some(&ctx)).await });
    while log.lock().unwrap().len() < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cancel.cancel();
    let result: ToolResult = tokio::time::timeout(Duration::from_secs(1), call).await.unwrap().unwrap();
    assert!(result.is_error);
    let at_cancel = log.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(log.lock().unwrap().len() <= at_cancel + 1, "no polls after the cancellation (one may be in flight)");
}

/// A 2026-07-28 `tools/call` through the dispatcher.
async fn modern(d: &Arc<crate::server::Dispatcher>, method: &str, mut params: Value) -> Value {
    use crate::protocol::version::{CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY};
    params["_meta"] = json!({
        PROTOCOL_VERSION_META_KEY: "2026-07-28",
        CLIENT_CAPABILITIES_META_KEY: {"extensions": {"io.modelcontextprotocol/tasks": {}}},
    });
    let conn = Arc::new(crate::server::Connection::for_request(None, crate::auth::Caller::default()));
    let message =
        crate::protocol::Message::from_value(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
            .unwrap();
    let reply = d.handle(&conn, message, None).await.expect("a response");
    serde_json::from_slice(&reply.to_bytes()).unwrap()
}

#[tokio::test]
async fn on_2026_07_28_the_call_becomes_a_task_that_follows_the_operation() {
    let (base, log) = serve(2, "").await;
    let specs: &'static [ToolSpec] =
        Box::leak(Box::new([*tool("/start/location", LongRunning::Polling(FinalState::Default))]));
    let (d, _) = upstream(&base, FAST).server(specs).build().unwrap();
    let created = modern(&d, "tools/call", json!({"name": "t", "arguments": {}})).await;
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(5);
    let done = loop {
        let got = modern(&d, "tasks/get", json!({"taskId": id})).await;
        if got["result"]["status"] != "working" || Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(done["result"]["status"], "completed", "{done}");
    assert_eq!(done["result"]["result"]["structuredContent"], json!({"id": 1, "done": "yes"}), "{done}");
    assert_eq!(paths(&log).len(), 4, "the call and three polls: {:?}", paths(&log));
}

#[test]
fn the_time_limit_is_a_server_argument() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let b = Upstream::builder(&API).server_args(&args(&["--long-running-timeout", "90", "--other"])).unwrap();
    assert_eq!(b.polling, PollSettings { limit: Duration::from_secs(90), ..PollSettings::default() });
    let b = Upstream::builder(&API).server_args(&args(&["--long-running-timeout=0.5"])).unwrap();
    assert_eq!(b.polling.limit, Duration::from_millis(500));
    let Err(e) = Upstream::builder(&API).server_args(&args(&["--long-running-timeout=0"])) else {
        panic!("a zero limit is refused")
    };
    assert_eq!(e.0, "--long-running-timeout must be a positive number of seconds, not `0`");
}

#[tokio::test]
async fn final_state_via_the_original_uri_or_the_operation_location() {
    let put = |final_state| -> &'static ToolSpec {
        Box::leak(Box::new(ToolSpec { method: "PUT", ..*tool("/things/5", LongRunning::Polling(final_state)) }))
    };
    for (final_state, expected, requests) in [
        (FinalState::OriginalUri, json!({"thing": 5, "state": "ready"}), 3),
        // A PUT's resource is at its own URL when nothing else says where.
        (FinalState::Default, json!({"thing": 5, "state": "ready"}), 3),
        (FinalState::OperationLocation, json!({"status": "Succeeded", "id": "op-5"}), 2),
    ] {
        let (base, log) = serve(0, "").await;
        let v = run(&base, put(final_state), FAST).await;
        assert_eq!(v["structuredContent"], expected, "{final_state:?}: {v}");
        let seen = paths(&log);
        assert_eq!(seen.len(), requests, "{final_state:?}: {seen:?}");
        assert_eq!(seen[..2], ["PUT /api/things/5", "GET /api/status/5"], "{final_state:?}");
        if requests == 3 {
            assert_eq!(seen[2], "GET /api/things/5");
        }
    }
}
