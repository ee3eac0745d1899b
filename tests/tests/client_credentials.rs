//! Each client brings its own API credential (`--client-credential api_key=X-Client-Key`): two
//! Python clients with different keys call the same tool of the petstore through one
//! `mcpgen run` server over Streamable HTTP, against `mcpgen mock --show-credentials`, whose
//! record shows each request carrying its own client's key, never the other's and never the
//! key in the server's environment. A request without one carries none. With OAuth on, mapping
//! `Authorization` (the client's MCP access token) to the API is refused at start.

use mcpgen_tests::mcpgen::{self, Listening};
use mcpgen_tests::python::{Mode, call_tool, run_client_with_headers};
use mcpgen_tests::{Endpoint, Transport, http, ports, process, workspace};
use serde_json::Value;
use serde_json::json;
use std::time::Duration;

const SERVER_KEY: &str = "the-server-s-own-key-never-sent";

#[test]
fn each_client_calls_the_api_with_its_own_key() {
    let spec = workspace::root().join("fixtures/petstore.yaml").to_string_lossy().into_owned();
    let mock_port = ports::free_port();
    let mock_arg = mock_port.to_string();
    let _mock =
        Listening::start(mcpgen::command(&["mock", &spec, "--port", &mock_arg, "--show-credentials"]), mock_port);
    let port = ports::free_port();
    let port_arg = port.to_string();
    let base_url = format!("http://127.0.0.1:{mock_port}/v1");
    let mut command = mcpgen::command(&[
        "run",
        &spec,
        "-t",
        "http",
        "--port",
        &port_arg,
        "--client-credential",
        "api_key=X-Client-Key",
        "--",
        "--base-url",
        &base_url,
    ]);
    command.env("PETSTORE_API_KEY", SERVER_KEY);
    let _server = Listening::start(command, port);
    let endpoint = Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/") };

    for (key, mode) in [("alice-key-0001", Mode::Legacy), ("bob-key-0002", Mode::Auto)] {
        let header = format!("X-Client-Key: {key}");
        let s =
            run_client_with_headers(&endpoint, mode, &[call_tool("showPetById", json!({"petId": "7"}))], &[&header]);
        assert_ne!(s.result(0)["isError"], true, "{}", s.transcript);
    }
    let s = run_client_with_headers(&endpoint, Mode::Legacy, &[call_tool("showPetById", json!({"petId": "8"}))], &[]);
    assert!(!s.transcript.contains(SERVER_KEY));

    let (status, body) = http::get(&format!("http://127.0.0.1:{mock_port}/__mcpgen/requests"));
    assert_eq!(status, 200, "{body}");
    let recorded: Value = serde_json::from_str(&body).expect("JSON");
    let keys: Vec<(String, Option<String>)> = recorded
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (r["path"].as_str().unwrap_or_default().to_string(), r["headers"]["x-api-key"].as_str().map(str::to_string))
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("/v1/pets/7".to_string(), Some("alice-key-0001".to_string())),
            ("/v1/pets/7".to_string(), Some("bob-key-0002".to_string())),
            ("/v1/pets/8".to_string(), None),
        ],
        "{body}"
    );
    assert!(!body.contains(SERVER_KEY), "the server's own key never goes out for a client");
}

#[test]
fn the_clients_mcp_access_token_is_never_passed_to_the_api() {
    let spec = workspace::root().join("fixtures/petstore.yaml").to_string_lossy().into_owned();
    let port = ports::free_port().to_string();
    let mut command = mcpgen::command(&[
        "run",
        &spec,
        "--mock",
        "-t",
        "http",
        "--port",
        &port,
        "--oauth-issuer",
        "http://127.0.0.1:9",
        "--oauth-resource",
        &format!("http://127.0.0.1:{port}/mcp"),
        "--client-credential",
        "api_key=Authorization",
    ]);
    let out = process::run(&mut command, Duration::from_secs(120)).unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success(), "{}", out.describe());
    assert!(out.stderr.contains("forbids passing it through"), "{}", out.describe());
}
