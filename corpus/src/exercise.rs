//! The run stages of one description: start its server (STDIO) against the in-process mock,
//! list its tools, and call up to K of them with arguments synthesized from their input
//! schemas; every call is classified by what reached the mock.

use crate::batch::SPEC_VAR;
use crate::client::Client;
use crate::generate::Tool;
use crate::mock::{Running, Seen};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const START_TIMEOUT: Duration = Duration::from_secs(30);
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// How one tool call went.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    /// The request reached the mock, matched this tool's operation, and passed its validation.
    pub passed: bool,
    /// Why it failed, or (passed) why the result was still an error; `None` for a clean pass.
    pub cause: Option<String>,
    pub message: String,
}

/// How far a description's server got.
#[derive(Debug, Default)]
pub struct Run {
    pub started: bool,
    pub listed: bool,
    /// The stage that failed: cause and message.
    pub failure: Option<(String, String)>,
    pub calls: Vec<Call>,
}

/// Starts `binary` serving description `index` against `mock`, and drives it.
pub fn run(binary: &Path, index: usize, tools: &[Tool], mock: &Running, max_calls: usize) -> Run {
    let mut out = Run::default();
    let mut command = Command::new(binary);
    // Every tool listed and called directly, whatever its API's size (`auto` would hand a large
    // one the dynamic surface: see `run_dynamic`).
    let args = ["--log-level", "ERROR", "--tools", "all", "--", "--base-url", &mock.base_url];
    command.env(SPEC_VAR, index.to_string()).args(args);
    let mut client = match Client::spawn(&mut command) {
        Ok(c) => c,
        Err(e) => {
            out.failure = Some(("server could not be spawned".into(), e.to_string()));
            return out;
        }
    };
    if let Err(e) = client.initialize(START_TIMEOUT) {
        out.failure = Some((cause_of_rpc_failure(&e, "initialize"), e));
        return out;
    }
    out.started = true;
    let listed = match client.list_tools(START_TIMEOUT) {
        Ok(listed) => listed,
        Err(e) => {
            out.failure = Some((cause_of_rpc_failure(&e, "tools/list"), e));
            return out;
        }
    };
    let names: Vec<&str> = listed.iter().filter_map(|t| t.get("name").and_then(Value::as_str)).collect();
    let missing: Vec<&str> = tools.iter().map(|t| t.name.as_str()).filter(|n| !names.contains(n)).collect();
    if !missing.is_empty() || names.len() != tools.len() {
        out.failure = Some((
            "tools/list differs from the generated tools".into(),
            format!("{} listed, {} generated; missing e.g. {:?}", names.len(), tools.len(), missing.first()),
        ));
        return out;
    }
    out.listed = true;
    out.calls = call_each(&mut client, &pick(tools, max_calls), mock, None);
    out
}

/// The same calls through the dynamic surface (`--tools dynamic`): each tool called by
/// `call_tool`, classified as a direct call is. `Err` when that server did not start or list.
pub fn run_dynamic(binary: &Path, index: usize, tools: &[&Tool], mock: &Running) -> Result<Vec<Call>, String> {
    let mut command = Command::new(binary);
    command.env(SPEC_VAR, index.to_string()).args([
        "--log-level",
        "ERROR",
        "--tools",
        "dynamic",
        "--",
        "--base-url",
        &mock.base_url,
    ]);
    let mut client = Client::spawn(&mut command).map_err(|e| e.to_string())?;
    client.initialize(START_TIMEOUT)?;
    let listed = client.list_tools(START_TIMEOUT)?;
    if !listed.iter().any(|t| t["name"] == "call_tool") {
        return Err(format!("the dynamic surface lists no call_tool: {} tools", listed.len()));
    }
    Ok(call_each(&mut client, tools, mock, Some("call_tool")))
}

/// Calls each tool once (directly, or through the tool named `through`) with synthesized
/// arguments and classifies each call by what reached the mock.
fn call_each(client: &mut Client, tools: &[&Tool], mock: &Running, through: Option<&str>) -> Vec<Call> {
    let mut calls = Vec::new();
    for tool in tools {
        let _ = mock.take();
        let arguments = tool.arguments();
        let params = match through {
            None => json!({"name": tool.name, "arguments": arguments}),
            Some(meta) => json!({"name": meta, "arguments": {"name": tool.name, "arguments": arguments}}),
        };
        let result = client.request("tools/call", params, CALL_TIMEOUT);
        let seen = mock.take();
        let (passed, mut cause, message) = classify(&tool.operation, &result, &seen);
        if cause.as_deref() == Some(OTHER_OPERATION) {
            let other = seen.last().and_then(|s| s.operation.as_deref()).and_then(|o| mock.path_of(o));
            if let (Some(mine), Some(other)) = (mock.path_of(&tool.operation), other)
                && is_instance_of(&other, &mine)
            {
                cause = Some(SIBLING_LITERAL.into());
            }
        }
        calls.push(Call { operation: tool.operation.clone(), passed, cause, message });
        if matches!(&result, Err(e) if e.starts_with("the server exited")) {
            break;
        }
    }
    calls
}

/// At most `k` tools, spread evenly over the list (all of them when there are fewer).
pub fn pick(tools: &[Tool], k: usize) -> Vec<&Tool> {
    if tools.len() <= k {
        return tools.iter().collect();
    }
    (0..k).map(|i| &tools[i * tools.len() / k]).collect()
}

fn cause_of_rpc_failure(e: &str, method: &str) -> String {
    if e.starts_with("the server exited") {
        format!("server exited before answering {method}")
    } else if e.starts_with("no answer") {
        format!("no answer to {method} (timeout)")
    } else {
        format!("{method} failed")
    }
}

const OTHER_OPERATION: &str = "the request matched another operation";
/// vtex's `POST /api/dataentities/{dataEntityName}/documents`, whose example `Client` makes the
/// path of `POST /api/dataentities/Client/documents`: OpenAPI routes the concrete path first.
const SIBLING_LITERAL: &str = "a path argument (the description's example) spells a more specific operation's literal \
     path, which is matched first as OpenAPI says (its own ambiguity)";
const ONE_OF_OVERLAP: &str = "oneOf: the synthesizer found no value valid under exactly one branch (branches that \
     overlap, the description's error, or one it could not tell apart)";

/// Whether the template `other` is `mine` with literals in place of some of its variables
/// (`/a/Client/b` of `/a/{name}/b`).
fn is_instance_of(other: &str, mine: &str) -> bool {
    other.matches('{').count() < mine.matches('{').count()
        && mcpgen::mock::route::Template::parse(mine).matches(&mcpgen::mock::route::split(other)).is_some()
}

/// Whether every problem of a refusal is a value valid under several branches of a `oneOf`: the
/// synthesizer looks for a value valid under exactly one, so when none was found the branches
/// overlap.
fn only_one_of_overlaps(text: &str) -> bool {
    let problems: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    !problems.is_empty()
        && problems
            .iter()
            .all(|l| l.contains("is valid under more than one of the schemas listed in the 'oneOf' keyword"))
}

/// `(passed, cause, message)` for one call: its result and what the mock saw meanwhile.
pub fn classify(operation: &str, result: &Result<Value, String>, seen: &[Seen]) -> (bool, Option<String>, String) {
    let result = match result {
        Err(e) => return (false, Some(cause_of_rpc_failure(e, "tools/call")), e.clone()),
        Ok(r) => r,
    };
    let is_error = result.get("isError").and_then(Value::as_bool).unwrap_or(false);
    let text = result
        .get("content")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find_map(|c| c.get("text").and_then(Value::as_str)))
        .unwrap_or("")
        .chars()
        .take(400)
        .collect::<String>();
    if let Some(bad) = seen.iter().find(|s| s.status == 400) {
        let error = bad.error.clone().unwrap_or_default();
        return (false, Some(format!("mock rejected the request (400): {}", problem_kind(&error))), error);
    }
    if let Some(lost) = seen.iter().find(|s| s.status == 404 && s.operation.is_none()) {
        return (false, Some("no operation matched the request (404)".into()), lost.error.clone().unwrap_or_default());
    }
    let Some(last) = seen.last() else {
        return if is_error && only_one_of_overlaps(&text) {
            (false, Some(ONE_OF_OVERLAP.into()), text)
        } else if is_error {
            (false, Some(format!("refused before sending: {}", shape(&text))), text)
        } else {
            (false, Some("no request reached the mock".into()), text)
        };
    };
    if last.operation.as_deref() != Some(operation) {
        let got = last.operation.clone().unwrap_or_default();
        return (false, Some(OTHER_OPERATION.into()), format!("matched {got}"));
    }
    if is_error {
        return (true, Some(format!("valid request, error result: {}", shape(&text))), text);
    }
    (true, None, String::new())
}

/// The kind of the mock's first problem: its message without the location and the values.
fn problem_kind(error: &str) -> String {
    let problems = error.split_once(": ").map(|(_, p)| p).unwrap_or(error);
    let first = problems.split("; ").next().unwrap_or("");
    let what = first.split_once(": ").map(|(_, w)| w).unwrap_or(first);
    shape(what)
}

/// `s` with quoted text and numbers replaced, cut short: messages of one kind look alike.
pub fn shape(s: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut last_digit = false;
    for c in s.lines().next().unwrap_or("").chars() {
        if let Some(q) = quote {
            if c == q {
                out.push(q);
                quote = None;
            }
            continue;
        }
        if c == '"' || c == '`' {
            out.push(c);
            out.push('…');
            quote = Some(c);
        } else if c.is_ascii_digit() {
            if !last_digit {
                out.push('N');
            }
        } else {
            out.push(c);
        }
        last_digit = c.is_ascii_digit();
    }
    out.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(status: u16, operation: Option<&str>, error: Option<&str>) -> Seen {
        Seen {
            status,
            operation: operation.map(str::to_string),
            error: error.map(str::to_string),
            request: String::new(),
        }
    }

    #[test]
    fn a_400_from_the_mock_fails_the_call_with_its_problem() {
        let result = Ok(json!({"content": [{"type": "text", "text": "HTTP 400"}], "isError": true}));
        let s = [seen(400, Some("listPets"), Some("invalid request for listPets: query.limit: 0 is less than 1"))];
        let (passed, cause, _) = classify("listPets", &result, &s);
        assert!(!passed);
        assert_eq!(cause.as_deref(), Some("mock rejected the request (400): N is less than N"));
    }

    #[test]
    fn a_matched_valid_request_passes_and_a_refusal_before_sending_does_not() {
        let ok = Ok(json!({"content": [{"type": "text", "text": "{}"}]}));
        assert_eq!(classify("listPets", &ok, &[seen(200, Some("listPets"), None)]), (true, None, String::new()));
        let refused = Ok(json!({"content": [{"type": "text", "text": "argument `id` is \"x\""}], "isError": true}));
        let (passed, cause, _) = classify("getPet", &refused, &[]);
        assert!(!passed);
        assert_eq!(cause.as_deref(), Some("refused before sending: argument `…` is \"…\""));
        let (passed, cause, _) = classify("getPet", &ok, &[seen(200, Some("listPets"), None)]);
        assert!(!passed && cause.as_deref() == Some("the request matched another operation"));
    }

    #[test]
    fn overlapping_one_of_branches_and_literal_siblings_are_named() {
        let refused = |text: &str| Ok(json!({"content": [{"type": "text", "text": text}], "isError": true}));
        let overlap = "Invalid arguments for tool `saveCampaign`:\n- /details: {} is valid under more than one of the schemas listed in the 'oneOf' keyword\n- /info/status: {\"value\":\"x\"} is valid under more than one of the schemas listed in the 'oneOf' keyword";
        assert_eq!(classify("saveCampaign", &refused(overlap), &[]).1.as_deref(), Some(ONE_OF_OVERLAP));
        let mixed = "Invalid arguments for tool `t`:\n- /a: {} is valid under more than one of the schemas listed in the 'oneOf' keyword\n- /b: 1 is not of type \"string\"";
        assert!(classify("t", &refused(mixed), &[]).1.unwrap().starts_with("refused before sending"));
        assert!(is_instance_of("/api/dataentities/Client/documents", "/api/dataentities/{dataEntityName}/documents"));
        assert!(!is_instance_of("/api/dataentities/{x}/documents", "/api/dataentities/{x}/documents"));
        assert!(!is_instance_of("/api/dataentities/{y}/documents", "/api/dataentities/{x}/documents"));
        assert!(!is_instance_of("/api/other/Client/documents", "/api/dataentities/{dataEntityName}/documents"));
    }
}
