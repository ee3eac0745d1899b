//! End to end: the petstore crate generated from `fixtures/petstore.yaml` (the golden copy) is
//! built, run over STDIO against an API served by this test on loopback, and driven with
//! JSON-RPC lines. Asserts on what the API received and on each tool result, errors included.

mod common;

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::mcp::{StdioServer, text};
use common::upstream::Recorder;
use serde_json::{Value, json};

fn api(method: &Method, uri: &Uri, body: &[u8]) -> Response {
    let json =
        |status: StatusCode, v: Value| (status, [("content-type", "application/json")], v.to_string()).into_response();
    match (method.as_str(), uri.path()) {
        ("GET", "/v1/pets") => {
            json(StatusCode::OK, json!([{"id": 1, "name": "Rex"}, {"id": 2, "name": "Tom", "tag": "cat"}]))
        }
        ("POST", "/v1/pets") => {
            let sent: Value = serde_json::from_slice(body).unwrap_or(json!({}));
            json(StatusCode::CREATED, json!({"id": 3, "name": sent["name"], "tag": sent["tag"]}))
        }
        ("GET", "/v1/pets/404") => json(StatusCode::NOT_FOUND, json!({"code": 404, "message": "no such pet"})),
        ("GET", "/v1/pets/500") => (StatusCode::INTERNAL_SERVER_ERROR, "the database is on fire").into_response(),
        ("GET", p) => json(StatusCode::OK, json!({"id": 1, "name": p})),
        ("DELETE", _) => StatusCode::NO_CONTENT.into_response(),
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn petstore_over_stdio_against_a_loopback_api() {
    let built = common::cargo(&common::golden_dir("petstore"), &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let up = Recorder::start(api).await;
    let base = format!("{}/v1", up.base);
    let env =
        [("PETSTORE_BASE_URL", base.as_str()), ("PETSTORE_API_KEY", "s3cret-key"), ("PETSTORE_TIMEOUT_SECS", "5")];
    let mut s = StdioServer::start("petstore", &env).await;

    let tools = s.request("tools/list", json!({})).await;
    let tools = tools["result"]["tools"].as_array().unwrap().clone();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["listPets", "createPet", "showPetById", "deletePet"]);
    assert_eq!(tools[0]["annotations"]["readOnlyHint"], true);
    assert_eq!(tools[3]["annotations"]["destructiveHint"], true);
    assert_eq!(tools[3]["annotations"]["idempotentHint"], true);

    // A query with form style, explode off; the API key from the environment.
    let r = s.call("listPets", json!({"limit": 5, "tags": ["a b", "c"]})).await;
    assert_eq!(up.get(0).method, "GET");
    assert_eq!(up.get(0).uri, "/v1/pets?limit=5&tags=a%20b,c");
    assert_eq!(up.get(0).headers["x-api-key"], "s3cret-key");
    assert!(r.get("isError").is_none(), "{r}");
    assert_eq!(r["structuredContent"]["result"][1]["name"], "Tom", "a JSON array is wrapped: {r}");

    // A JSON body from flattened arguments.
    let r = s.call("createPet", json!({"name": "Rex", "tag": null})).await;
    assert_eq!((up.get(1).method.as_str(), up.get(1).uri.as_str()), ("POST", "/v1/pets"));
    assert_eq!(up.get(1).headers["content-type"], "application/json");
    assert_eq!(serde_json::from_slice::<Value>(&up.get(1).body).unwrap(), json!({"name": "Rex", "tag": null}));
    assert_eq!(r["structuredContent"], json!({"id": 3, "name": "Rex", "tag": null}), "{r}");

    // A path parameter cannot climb out of its segment.
    let r = s.call("showPetById", json!({"petId": "../admin"})).await;
    assert_eq!(up.get(2).uri, "/v1/pets/..%2Fadmin");
    assert_eq!(r["structuredContent"]["id"], 1, "{r}");
    let r = s.call("showPetById", json!({"petId": ".."})).await;
    assert_eq!(r["isError"], true);
    assert!(text(&r).contains("would change the URL path"), "{r}");

    // HTTP errors are tool errors with the status and the body.
    let r = s.call("showPetById", json!({"petId": "404"})).await;
    assert_eq!(r["isError"], true);
    assert_eq!(text(&r), "HTTP 404 Not Found: {\"code\":404,\"message\":\"no such pet\"}");
    let r = s.call("showPetById", json!({"petId": "500"})).await;
    assert_eq!(text(&r), "HTTP 500 Internal Server Error: the database is on fire");

    // CR/LF never reaches a header: refused before anything is sent.
    let before = up.count();
    let r = s.call("deletePet", json!({"petId": "1", "X-Request-Id": "x\r\nX-Evil: 1"})).await;
    assert_eq!(r["isError"], true);
    assert!(text(&r).contains("control character"), "{r}");
    assert_eq!(up.count(), before, "nothing was sent");

    let r = s.call("deletePet", json!({"petId": "7", "X-Request-Id": "req-1"})).await;
    let last = up.last();
    assert_eq!((last.method.as_str(), last.uri.as_str()), ("DELETE", "/v1/pets/7"));
    assert_eq!(last.headers["x-request-id"], "req-1");
    assert!(r.get("isError").is_none(), "{r}");
    assert_eq!(text(&r), "HTTP 204 No Content (no content)");

    // Arguments that break the input schema never reach the API.
    let before = up.count();
    let r = s.call("listPets", json!({"limit": "many"})).await;
    assert_eq!(r["isError"], true, "{r}");
    assert_eq!(up.count(), before);

    let logs = s.stderr().await;
    assert!(!logs.contains("s3cret-key"), "secrets never reach the logs:\n{logs}");

    // An API that is not there, its URL given on the command line (which wins over the environment).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let base = format!("http://{closed}/v1");
    let mut s = StdioServer::start_with_args(
        "petstore",
        &[("PETSTORE_BASE_URL", "http://127.0.0.1:9/elsewhere")],
        &["--", "--base-url", base.as_str()],
    )
    .await;
    let r = s.call("showPetById", json!({"petId": "1"})).await;
    assert_eq!(r["isError"], true);
    assert!(text(&r).starts_with(&format!("could not connect to the API at http://{closed}/v1/pets/1")), "{r}");
    // ...and the server is still healthy afterwards.
    let ping = s.request("ping", json!({})).await;
    assert_eq!(ping["result"], json!({}));
}
