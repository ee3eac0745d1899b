//! What the model gets back from a large real API: GitHub's description served by `mcpgen run`,
//! its API answered by `mcpgen mock` (a list answers as many items as `per_page` asks for),
//! driven by the Python `mcp` client, which checks every structured answer against the tool's
//! output schema. A list call answers whole; the same call with a jq filter answers only the
//! selected fields; one past the result limit arrives cut, still JSON, with a note saying how to
//! ask for less; a bad filter is an `isError` result with jq's message; `--max-result-bytes 0`
//! turns the limit off.

use mcpgen_tests::mcpgen::{self, Listening};
use mcpgen_tests::python::{Mode, Session, call_tool, run_client};
use mcpgen_tests::{Endpoint, github, ports};
use serde_json::{Value, json};

const LIST: &str = "repos_list-for-org";

/// A successful tool result of step `i`.
fn ok(s: &Session, i: usize) -> &Value {
    let r = s.result(i);
    assert_ne!(r["isError"], true, "step {i}: {r}");
    r
}

fn text(r: &Value, block: usize) -> &str {
    r["content"][block]["text"].as_str().unwrap_or_else(|| panic!("no text block {block}: {r}"))
}

fn list(per_page: u32, extra: Value) -> Value {
    let mut arguments = json!({"org": "octo", "per_page": per_page});
    arguments.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    call_tool(LIST, arguments)
}

#[test]
fn github_answers_are_filtered_and_cut_to_what_a_model_can_take() {
    let spec = github::spec().to_string_lossy().into_owned();
    let mock_port = ports::free_port();
    let mock_arg = mock_port.to_string();
    let _mock = Listening::start(mcpgen::command(&["mock", &spec, "--port", &mock_arg]), mock_port);
    let base_url = format!("http://127.0.0.1:{mock_port}");
    let server = |extra: &[&str]| {
        let mut args = vec!["run", spec.as_str(), "--tools", "all", "--toolset", "repos"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "--base-url", &base_url]);
        Endpoint::Stdio(mcpgen::server(&args))
    };

    let s = run_client(
        &server(&[]),
        Mode::Auto,
        &[
            list(10, json!({})),
            list(10, json!({"jq_filter": "[.[] | {name, full_name}]"})),
            list(100, json!({})),
            list(10, json!({"jq_filter": ".[] | {name"})),
            list(10, json!({"jq_filter": ".[0].owner.login.nope"})),
        ],
    );

    // Whole: ten repositories, each the full object.
    let whole = ok(&s, 0);
    let repos = whole["structuredContent"]["result"].as_array().expect("the list, wrapped");
    assert_eq!(repos.len(), 10);
    assert!(repos[0].as_object().unwrap().len() > 20, "a full repository: {}", repos[0]);
    let whole_bytes = text(whole, 0).len();

    // Filtered: only the two fields, and far fewer bytes.
    let filtered = ok(&s, 1);
    let picked = filtered["structuredContent"]["result"].as_array().expect("the filter's array");
    assert_eq!(picked.len(), 10);
    for repo in picked {
        let keys: Vec<&String> = repo.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["full_name", "name"], "{repo}");
    }
    assert_eq!(picked[0]["name"], repos[0]["name"]);
    assert!(text(filtered, 0).len() * 10 < whole_bytes, "{} against {whole_bytes}", text(filtered, 0).len());

    // Past the default limit (100,000 bytes): cut at whole elements, still JSON, with a note.
    let cut = ok(&s, 2);
    let kept: Value = serde_json::from_str(text(cut, 0)).expect("the cut answer is still JSON");
    let kept = kept.as_array().expect("still the list").len();
    assert!(kept > 0 && kept < 100, "{kept} of 100 kept");
    assert!(text(cut, 0).len() <= 100_000);
    let note = text(cut, 1);
    assert!(note.contains(&format!("the first {kept} of 100 elements")), "{note}");
    assert!(note.contains("`jq_filter`") && note.contains("`per_page`") && note.contains("`page`"), "{note}");
    assert_eq!(cut["structuredContent"]["note"], note);
    assert_eq!(cut["structuredContent"]["result"].as_array().map(Vec::len), Some(kept));

    // A bad filter: jq's own message, as an error result the model can act on.
    for (step, wanted) in [(3, "jq syntax error"), (4, "jq error")] {
        let r = s.result(step);
        assert_eq!(r["isError"], true, "step {step}: {r}");
        assert!(text(r, 0).starts_with(wanted), "step {step}: {}", text(r, 0));
    }

    // The limit turned off: all 100.
    let s = run_client(&server(&["--max-result-bytes", "0"]), Mode::Legacy, &[list(100, json!({}))]);
    assert_eq!(ok(&s, 0)["structuredContent"]["result"].as_array().map(Vec::len), Some(100));
}
