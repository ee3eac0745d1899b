//! End to end over the `everything` and `hostile` golden crates: every parameter style, body
//! kind and credential reaches the API as the description says, and hostile text in a description
//! comes out of the generated server exactly as it went in.

mod common;

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use common::mcp::{StdioServer, text};
use common::upstream::Recorder;
use serde_json::{Value, json};

fn api(_: &Method, uri: &Uri, _: &[u8]) -> Response {
    let json = |v: Value| ([("content-type", "application/json")], v.to_string()).into_response();
    let path = uri.path();
    if path == "/api/query" || path.starts_with("/api/files/") {
        json(json!({"ok": true}))
    } else if path.starts_with("/api/things/") {
        json(json!({"name": "n", "size": 1}))
    } else if path == "/api/bodies/array" {
        json(json!(3))
    } else if path == "/api/bodies/text" {
        ([("content-type", "text/plain")], "echo").into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

fn build(name: &str) {
    let built = common::cargo(&common::golden_dir(name), &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_style_body_and_credential_reaches_the_api() {
    build("everything");
    let up = Recorder::start(api).await;
    let base = format!("{}/api", up.base);
    let env = [
        ("EVERYTHING_BASE_URL", base.as_str()),
        ("EVERYTHING_HEADER_KEY", "hk"),
        ("EVERYTHING_QUERY_KEY", "qk"),
        ("EVERYTHING_COOKIE_KEY", "ck"),
        ("EVERYTHING_BEARER", "bt"),
        ("EVERYTHING_BASIC_USERNAME", "u"),
        ("EVERYTHING_BASIC_PASSWORD", "p"),
        ("EVERYTHING_OIDC", "ot"),
        ("EVERYTHING_OAUTH_TOKEN", "oat"),
    ];
    let mut s = StdioServer::start("everything", &env).await;
    let mut call = async |tool: &str, args: Value| {
        let r = s.call(tool, args).await;
        assert!(r.get("isError").is_none(), "{tool}: {r}");
        (r, up.last())
    };

    let (_, seen) = call("pathSimple", json!({"a": [1, 2], "b": {"R": 1, "G": 2}})).await;
    assert_eq!(seen.uri, "/api/path/simple/1,2/G=2,R=1");
    let (_, seen) = call("pathLabel", json!({"a": [1, 2], "b": [3, 4]})).await;
    assert_eq!(seen.uri, "/api/path/label/.1,2/.3.4");
    let (_, seen) = call("pathMatrix", json!({"a": [1, 2], "b": {"R": 1}})).await;
    assert_eq!(seen.uri, "/api/path/matrix/;a=1,2/;R=1");

    let (r, seen) = call(
        "queryStyles",
        json!({
            "formExploded": ["x", "y"], "formFlat": ["x", "y"], "formObject": {"R": 1}, "spaced": [1, 2],
            "piped": [1, 2], "deep": {"R": 1, "G": 2}, "reserved": "a/b:c", "filter": {"k": "v"}
        }),
    )
    .await;
    assert_eq!(
        seen.uri,
        "/api/query?formExploded=x&formExploded=y&formFlat=x,y&R=1&spaced=1%202&piped=1|2&deep[G]=2&deep[R]=1&reserved=a/b:c&filter=%7B%22k%22%3A%22v%22%7D"
    );
    assert_eq!(r["structuredContent"], json!({"ok": true}));

    let (_, seen) =
        call("headersAndCookies", json!({"X-Flat": [1, 2], "X-Object": {"R": 1, "G": 2}, "prefs": "dark mode"})).await;
    assert_eq!(seen.headers["x-flat"], "1,2");
    assert_eq!(seen.headers["x-object"], "G=2,R=1");
    assert_eq!(seen.headers["cookie"], "prefs=dark%20mode");

    let (r, seen) = call("putThing", json!({"name_path": "p", "size_query": 4, "name": "n", "size": 3})).await;
    assert_eq!((seen.method.as_str(), seen.uri.as_str()), ("PUT", "/api/things/p?size=4"));
    assert_eq!(serde_json::from_slice::<Value>(&seen.body).unwrap(), json!({"name": "n", "size": 3}));
    assert_eq!(r["structuredContent"], json!({"name": "n", "size": 1}));

    let (r, seen) = call("postArray", json!({"body": [{"name": "a"}]})).await;
    assert_eq!(seen.body_text(), r#"[{"name":"a"}]"#);
    assert_eq!(r["structuredContent"], json!({"result": 3}));

    let (_, seen) = call("postForm", json!({"user": "u s", "roles": ["a", "b"]})).await;
    assert_eq!(seen.headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(seen.body_text(), "roles=a&roles=b&user=u%20s");

    let file = base64::engine::general_purpose::STANDARD.encode("hello file");
    let (_, seen) = call("postMultipart", json!({"note": "hi", "file": file})).await;
    let ct = seen.headers["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = seen.body_text();
    assert!(
        body.contains(
            "name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nhello file\r\n"
        ),
        "{body}"
    );
    assert!(body.contains("name=\"note\"\r\n\r\nhi\r\n"), "{body}");

    let bytes = base64::engine::general_purpose::STANDARD.encode([0u8, 1, 2, 255]);
    let (_, seen) = call("putBinary", json!({"body": bytes})).await;
    assert_eq!(seen.headers["content-type"], "application/octet-stream");
    assert_eq!(seen.body, vec![0, 1, 2, 255]);

    let (r, seen) = call("postText", json!({"body": "plain words"})).await;
    assert_eq!(
        (seen.headers["content-type"].to_str().unwrap(), seen.body_text().as_str()),
        ("text/plain", "plain words")
    );
    assert_eq!(text(&r), "echo");

    let (_, seen) = call("authHeader", json!({})).await;
    assert_eq!(seen.headers["x-key"], "hk");
    let (_, seen) = call("authQuery", json!({})).await;
    assert_eq!(seen.uri, "/api/auth/query?key=qk");
    let (_, seen) = call("authCookie", json!({})).await;
    assert_eq!(seen.headers["cookie"], "session=ck");
    let (_, seen) = call("authBearer", json!({})).await;
    assert_eq!(seen.headers["authorization"], "Bearer bt");
    let (_, seen) = call("authBasic", json!({})).await;
    assert_eq!(seen.headers["authorization"], "Basic dTpw");
    let (_, seen) = call("authOidc", json!({})).await;
    assert_eq!(seen.headers["authorization"], "Bearer ot");
    let (_, seen) = call("authOAuth", json!({})).await;
    assert_eq!(seen.headers["authorization"], "Bearer oat");
    let (_, seen) = call("authEither", json!({})).await;
    assert_eq!((seen.headers["x-key"].to_str().unwrap(), seen.uri.as_str()), ("hk", "/api/auth/either?key=qk"));
    assert!(seen.headers.get("authorization").is_none(), "only the first satisfiable alternative is applied");

    let logs = s.stderr().await;
    for secret in ["hk", "qk", "ck", "bt", "oat", "dTpw"] {
        assert!(
            !logs.contains(&format!("={secret}")) && !logs.contains(&format!(" {secret}\n")),
            "{secret} in logs:\n{logs}"
        );
    }
}

/// Path keys with a query, segments holding several parameters, operations with their own
/// servers and a JSON-content query parameter, called against `mcpgen mock` of the same
/// description: the mock routes and validates each request, so a 2xx means it was what the spec
/// says. The base URL given sends every tool to the mock, those with their own server included.
#[tokio::test(flavor = "multi_thread")]
async fn query_keys_shared_segments_and_own_servers_reach_the_mock() {
    build("everything");
    let mock = common::mock::MockServer::start(&common::fixture("everything.yaml"));
    let base = format!("{}/api", mock.root);
    let mut s = StdioServer::start("everything", &[("EVERYTHING_BASE_URL", base.as_str())]).await;
    let calls = [
        ("fileByExtension", json!({"stem": "read.me", "ext": ".json"})),
        ("routeFilter", json!({"position": "52.3,4.8", "heading": 90.5, "ext": "json"})),
        ("exportList", json!({"list_id": 7, "filename": "my list.csv"})),
        ("post_uploads", json!({"convert": "csv"})),
        ("get_buckets_bucket_acl", json!({"bucket": "b"})),
        ("getBucket", json!({"bucket": "b"})),
        ("restThings", json!({"page": 2})),
        ("getMedia", json!({"id": "m1"})),
        ("deleteMedia", json!({"id": "m1"})),
        ("sortedThings", json!({"order": [{"R": 1}], "page": 1})),
    ];
    for (tool, args) in &calls {
        let r = s.call(tool, args.clone()).await;
        assert!(r.get("isError").is_none(), "{tool}: {r}");
    }
    let seen = mock.requests();
    let line = |r: &Value| {
        format!("{} {} {} {} {}", r["method"], r["path"], r["query"], r["status"], r["operation"]).replace('"', "")
    };
    assert_eq!(
        seen.iter().map(line).collect::<Vec<_>>(),
        [
            "GET /api/files/read.me.json null 204 fileByExtension",
            "GET /api/route/52.3%2C4.8/90.5.json null 204 routeFilter",
            "GET /api/lists/7/export filename=my%20list.csv 204 exportList",
            "POST /api/uploads convert=csv 204 POST /uploads?convert={convert}",
            "GET /api/buckets/b acl 204 GET /buckets/{bucket}?acl",
            "GET /api/buckets/b null 204 getBucket",
            "GET /api/rest method=things.list&format=json&page=2 204 restThings",
            "GET /api/media/m1 null 204 getMedia",
            "DELETE /api/media/m1 null 204 deleteMedia",
            "GET /api/sorted order=%5B%7B%22R%22%3A1%7D%5D&page=1 204 sortedThings",
        ]
    );
    // A tool that would send what the mock rejects is an error the client sees, with the reason.
    let r = s.call("fileByExtension", json!({"stem": "read", "ext": ".md"})).await;
    assert_eq!(r["isError"], true, "the input schema refuses it: {r}");
    mock.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_text_comes_out_exactly_as_it_went_in() {
    build("hostile");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(common::fixture("hostile.json")).unwrap()).unwrap();
    let evil = spec["info"]["description"].as_str().unwrap();
    let up = Recorder::start(api).await;
    let base = format!("{}/api", up.base);
    let mut s = StdioServer::start("hostile", &[("HOSTILE_BASE_URL", base.as_str()), ("HOSTILE_KEY_EVIL", "k")]).await;

    assert_eq!(s.init["result"]["instructions"], evil);
    assert_eq!(s.init["result"]["serverInfo"]["title"], spec["info"]["title"]);
    let tools = s.request("tools/list", json!({})).await;
    let tools = tools["result"]["tools"].as_array().unwrap().clone();
    let fn_tool = tools.iter().find(|t| t["name"] == "fn").expect("a tool named like a keyword");
    assert_eq!(fn_tool["title"], evil);
    assert_eq!(fn_tool["inputSchema"]["properties"]["\"; drop"]["description"], evil);
    assert_eq!(fn_tool["inputSchema"]["properties"]["\"; drop"]["enum"], json!(["a\"#", "*/", "\u{202e}"]));

    let r = s.call("fn", json!({"path": "../admin", "\"; drop": "*/", "self": "x y"})).await;
    assert!(r.get("isError").is_none(), "{r}");
    let seen = up.last();
    assert_eq!(seen.uri, "/api/files/..%2Fadmin?%22%3B%20drop=%2A%2F&self=x%20y");
    assert_eq!(seen.headers["x-key"], "k");
    let r = s.call("fn", json!({"path": "a", "X-Evil": "v\r\nInjected: yes"})).await;
    assert_eq!(r["isError"], true, "{r}");
}
