//! `--metrics`: a server's Prometheus text, read back with a real Prometheus text parser (the
//! Python `prometheus_client`'s) after the Python `mcp` client drove known calls through
//! `mcpgen run` (the petstore against `mcpgen mock`): requests by method and outcome, tool calls
//! by tool and outcome with their latency histogram, API responses by status, in-flight
//! requests, open sessions and streams. And without `--metrics`, no metrics path.

use mcpgen_tests::mcpgen::{self, Listening};
use mcpgen_tests::python::{Mode, call_tool, list_tools, run_client, venv_python};
use mcpgen_tests::{Endpoint, Transport, http, ports, process, workspace};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// The samples of Prometheus `text`, as the Python parser reads them.
fn parse(text: &str) -> Vec<Value> {
    let script = workspace::tests_crate().join("clients/prometheus_text.py");
    let mut child = Command::new(venv_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser refused the text: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the parser prints JSON")
}

/// The value of the sample `name` whose labels include `labels`, if there is one.
fn sample(samples: &[Value], name: &str, labels: Value) -> Option<f64> {
    let wanted = labels.as_object().unwrap();
    samples
        .iter()
        .find(|s| s["name"] == name && wanted.iter().all(|(k, v)| s["labels"][k] == *v))
        .and_then(|s| s["value"].as_f64())
}

fn start(extra: &[&str]) -> (Listening, u16) {
    let port = ports::free_port();
    let port_arg = port.to_string();
    let spec = workspace::root().join("fixtures/petstore.yaml").to_string_lossy().into_owned();
    let mut args = vec!["run", &spec, "--mock", "-t", "http", "--port", &port_arg];
    args.extend_from_slice(extra);
    (Listening::start(mcpgen::command(&args), port), port)
}

#[test]
fn calls_are_counted_and_timed_and_read_back_by_a_prometheus_parser() {
    let (_server, port) = start(&["--metrics"]);
    let endpoint = Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/") };
    let steps = [
        list_tools(),
        call_tool("listPets", json!({"limit": 2})),
        call_tool("listPets", json!({})),
        call_tool("showPetById", json!({"petId": "7"})),
        call_tool("showPetById", json!({})),
    ];
    // A legacy session (counted while it is open) and a 2026-07-28 client.
    let s = run_client(&endpoint, Mode::Legacy, &steps);
    assert_eq!(s.result(4)["isError"], true, "a call without its required argument");
    run_client(&endpoint, Mode::Auto, &steps[1..2]);

    let (status, text) = http::get(&format!("http://127.0.0.1:{port}/metrics"));
    assert_eq!(status, 200, "{text}");
    let samples = parse(&text);
    let count = |name: &str, labels: Value| sample(&samples, name, labels).unwrap_or(0.0);

    assert_eq!(count("mcp_tool_calls_total", json!({"tool": "listPets", "outcome": "ok"})), 3.0, "{text}");
    assert_eq!(count("mcp_tool_calls_total", json!({"tool": "showPetById", "outcome": "ok"})), 1.0);
    assert_eq!(count("mcp_tool_calls_total", json!({"tool": "showPetById", "outcome": "error"})), 1.0);
    assert_eq!(count("mcp_tool_call_duration_seconds_count", json!({"tool": "listPets"})), 3.0);
    let le_inf = count("mcp_tool_call_duration_seconds_bucket", json!({"tool": "listPets", "le": "+Inf"}));
    assert_eq!(le_inf, 3.0, "the histogram's buckets add up");
    assert!(count("mcp_tool_call_duration_seconds_sum", json!({"tool": "listPets"})) > 0.0);
    // Four calls reached the API; the one with a missing argument did not.
    assert_eq!(count("mcp_upstream_responses_total", json!({"status": "200"})), 4.0, "{text}");
    assert_eq!(count("mcp_upstream_request_duration_seconds_count", json!({})), 4.0);
    assert_eq!(count("mcp_requests_total", json!({"method": "tools/call", "outcome": "ok"})), 5.0);
    assert!(count("mcp_requests_total", json!({"method": "initialize", "outcome": "ok"})) >= 1.0);
    assert!(count("mcp_requests_total", json!({"method": "tools/list", "outcome": "ok"})) >= 1.0);
    // Nothing is in flight between requests; the legacy session ended with its client.
    assert_eq!(count("mcp_requests_in_flight", json!({})), 0.0);
    assert_eq!(count("mcp_sessions_open", json!({})), 0.0);
    let sessions = samples.iter().find(|s| s["name"] == "mcp_sessions_open").expect("the sessions gauge");
    assert_eq!(sessions["type"], "gauge");
    // Label values are bounded: no argument or id ever becomes one.
    for s in &samples {
        let labels = s["labels"].to_string();
        assert!(!labels.contains('7') || labels.contains("\"le\""), "an argument became a label: {s}");
    }
}

#[test]
fn without_metrics_there_is_no_metrics_path_and_stdio_refuses_them() {
    let (_server, port) = start(&[]);
    let (status, _) = http::get(&format!("http://127.0.0.1:{port}/metrics"));
    assert_eq!(status, 404);
    let spec = workspace::root().join("fixtures/petstore.yaml").to_string_lossy().into_owned();
    let out =
        process::run(&mut mcpgen::command(&["run", &spec, "--metrics"]), std::time::Duration::from_secs(60)).unwrap();
    assert!(!out.status.success());
    assert!(out.stderr.contains("--metrics serves on the HTTP listener"), "{}", out.describe());
}
