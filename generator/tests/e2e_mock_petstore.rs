//! End to end against `mcpgen mock`: the petstore fixture is generated into a temporary
//! directory, built (in the shared `target/generated`), and run over STDIO, Streamable HTTP and SSE
//! with its base URL pointed at `mcpgen mock fixtures/petstore.yaml`. The real Python `mcp`
//! client drives it; the test asserts on the tool results and on what the mock received, and on
//! the error paths: arguments the tool refuses never reach the API, a request the API rejects is
//! an `isError` result carrying the 400 body, an unreachable API is a clear error.

mod common;

use common::mock::MockServer;
use mcpgen_tests::python::{Mode, Session, call_tool, list_tools, run_client};
use mcpgen_tests::{RunningServer, ServerCommand, Transport};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Generates the petstore crate into `dir` and builds it; returns the server binary.
fn build_petstore(dir: &Path) -> PathBuf {
    let runtime = common::workspace().join("runtime");
    let settings = mcpgen::Settings::new(common::fixture("petstore.yaml"))
        .name("petstore_mock_e2e")
        .runtime(mcpgen::RuntimeDep::Path(runtime.to_string_lossy().replace('\\', "/")));
    let generation = mcpgen::generate(&settings).expect("the petstore generates");
    generation.write(dir).expect("the crate is written");
    let built = common::cargo(dir, &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    common::binary(&generation.crate_name)
}

fn server(binary: &Path, base_url: &str) -> ServerCommand {
    ServerCommand::new(binary).env("PETSTORE_MOCK_E2E_API_KEY", "s3cret-key").args(["--", "--base-url", base_url])
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

fn is_error(result: &Value) -> bool {
    result["isError"] == true
}

/// The tool result of step `i`, which must have succeeded.
fn ok(session: &Session, i: usize) -> &Value {
    let r = session.result(i);
    assert!(!is_error(r), "step {i} is an error: {r}\n{}", session.transcript);
    r
}

#[test]
fn petstore_against_the_mock_over_stdio_http_and_sse() {
    let dir = tempfile::tempdir().unwrap();
    let binary = build_petstore(dir.path());
    let mock = MockServer::start(&common::fixture("petstore.yaml"));
    let base_url = format!("{}/v1", mock.root);

    for transport in [Transport::Stdio, Transport::Http, Transport::Sse] {
        let before = mock.requests().len();
        let running = RunningServer::start(&server(&binary, &base_url), transport);
        let s = run_client(
            running.endpoint(),
            Mode::Auto,
            &[
                list_tools(),
                call_tool("listPets", json!({"limit": 5, "tags": ["a b", "c"]})),
                call_tool("createPet", json!({"name": "Tom", "tag": "cat"})),
                call_tool("showPetById", json!({"petId": "7"})),
                call_tool("deletePet", json!({"petId": "7", "X-Request-Id": "req-1"})),
                // Refused by the tool's input schema: never sent.
                call_tool("listPets", json!({"limit": "many"})),
                call_tool("createPet", json!({"tag": "no name"})),
            ],
        );
        let t = transport.as_str();

        let names: Vec<&str> =
            s.result(0)["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["listPets", "createPet", "showPetById", "deletePet"], "{t}");

        // The mock answers with the spec's example name and the synthesized required id, a list
        // with as many items as `limit` asks for.
        let pet = json!({"name": "Rex", "id": 0});
        assert_eq!(ok(&s, 1)["structuredContent"], json!({"result": vec![pet; 5]}), "{t}");
        assert_eq!(ok(&s, 2)["structuredContent"], json!({"name": "Rex", "id": 0}), "{t}");
        assert_eq!(ok(&s, 3)["structuredContent"], json!({"name": "Rex", "id": 0}), "{t}");
        assert_eq!(text(ok(&s, 4)), "HTTP 204 No Content (no content)", "{t}");
        for i in [5, 6] {
            assert!(is_error(s.result(i)), "{t} step {i}: {}", s.result(i));
        }
        assert!(text(s.result(5)).contains("limit"), "{t}: {}", s.result(5));
        assert!(text(s.result(6)).contains("name"), "{t}: {}", s.result(6));

        // What the API received: exactly the four valid calls, each valid by the spec.
        let seen = &mock.requests()[before..];
        assert_eq!(seen.len(), 4, "{t}: invalid arguments never reach the API: {seen:#?}");
        let line = |r: &Value| format!("{} {} {} {}", r["method"], r["path"], r["query"], r["status"]).replace('"', "");
        assert_eq!(
            seen.iter().map(line).collect::<Vec<_>>(),
            [
                "GET /v1/pets limit=5&tags=a%20b,c 200",
                "POST /v1/pets null 201",
                "GET /v1/pets/7 null 200",
                "DELETE /v1/pets/7 null 204",
            ],
            "{t}"
        );
        assert_eq!(seen[0]["queryParams"], json!({"limit": ["5"], "tags": ["a b,c"]}), "{t}");
        assert_eq!(seen[1]["body"], json!({"name": "Tom", "tag": "cat"}), "{t}");
        assert_eq!(seen[1]["headers"]["content-type"], "application/json", "{t}");
        assert_eq!(seen[3]["headers"]["x-request-id"], "req-1", "{t}");
        for r in seen {
            // The API key arrived (the mock redacts its value in the record).
            assert_eq!(r["headers"]["x-api-key"], "<redacted>", "{t}: {r}");
            assert!(r["headers"].get("authorization").is_none(), "{t}: {r}");
        }
    }

    // An API stricter than its description: the 400 and what it says reach the client.
    let strict_dir = tempfile::tempdir().unwrap();
    let strict_spec = strict_dir.path().join("petstore-strict.yaml");
    let original = std::fs::read_to_string(common::fixture("petstore.yaml")).unwrap();
    let loose = "        - name: X-Request-Id\n          in: header\n          schema:\n            type: string\n";
    assert!(original.contains(loose), "the fixture still has the X-Request-Id header parameter");
    let strict = original.replace(loose, &format!("{loose}            pattern: \"^req-[0-9]+$\"\n"));
    std::fs::write(&strict_spec, strict).unwrap();
    let strict_mock = MockServer::start(&strict_spec);
    let running = RunningServer::start(&server(&binary, &format!("{}/v1", strict_mock.root)), Transport::Stdio);
    let s = run_client(
        running.endpoint(),
        Mode::Auto,
        &[
            call_tool("deletePet", json!({"petId": "7", "X-Request-Id": "abc"})),
            call_tool("deletePet", json!({"petId": "7", "X-Request-Id": "req-2"})),
        ],
    );
    let rejected = s.result(0);
    assert!(is_error(rejected), "{rejected}");
    assert!(text(rejected).starts_with("HTTP 400 Bad Request: "), "{rejected}");
    assert!(
        text(rejected).contains(r#"header.X-Request-Id: \"abc\" does not match \"^req-[0-9]+$\""#),
        "the mock's message reaches the client: {rejected}"
    );
    assert_eq!(text(ok(&s, 1)), "HTTP 204 No Content (no content)");
    let statuses: Vec<u64> = strict_mock.requests().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [400, 204]);

    // An API that is not there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let running = RunningServer::start(&server(&binary, &format!("http://{closed}/v1")), Transport::Stdio);
    let s = run_client(running.endpoint(), Mode::Auto, &[call_tool("showPetById", json!({"petId": "1"}))]);
    assert!(is_error(s.result(0)), "{}", s.result(0));
    assert!(
        text(s.result(0)).starts_with(&format!("could not connect to the API at http://{closed}/v1/pets/1")),
        "{}",
        s.result(0)
    );

    mock.stop();
    strict_mock.stop();
}
