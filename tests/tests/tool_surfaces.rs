//! Large APIs an agent can use: GitHub's description served by `mcpgen run` in dynamic mode, its
//! API answered by `mcpgen mock`, driven by the Python `mcp` client as an agent would (list,
//! search for everyday tasks, describe, call); and one server whose HTTP clients each choose
//! their tools from the endpoint URL's query.

use mcpgen_tests::mcpgen::{self, Listening};
use mcpgen_tests::python::{Mode, Session, call_tool, list_tools, run_client};
use mcpgen_tests::{Endpoint, Transport, github, http, ports, workspace};
use serde_json::{Value, json};

fn names(v: &Value) -> Vec<String> {
    v["tools"].as_array().expect("tools").iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

/// The text of a tool result that must be an error.
fn error_text(s: &Session, i: usize) -> String {
    let r = s.result(i);
    assert_eq!(r["isError"], true, "step {i} should be an error result: {r}");
    r["content"][0]["text"].as_str().unwrap_or_default().to_string()
}

fn search(query: &str) -> Value {
    call_tool("search_tools", json!({"query": query, "limit": 3}))
}

/// Everyday tasks, and the operation each must find among the first three results.
const TASKS: &[(&str, &str)] = &[
    ("create an issue", "issues_create"),
    ("list pull requests", "pulls_list"),
    ("get a repository's README", "repos_get-readme"),
    ("star a repository", "activity_star-repo-for-authenticated-user"),
    ("merge a pull request", "pulls_merge"),
    ("list commits", "repos_list-commits"),
    ("fork a repository", "repos_create-fork"),
    ("list workflow runs", "actions_list-workflow-runs"),
];

#[test]
fn github_in_dynamic_mode_is_searched_described_and_called() {
    let spec = github::spec().to_string_lossy().into_owned();
    // The mock in a process of its own, so its record outlives the server the client stops.
    let mock_port = ports::free_port();
    let mock_arg = mock_port.to_string();
    let _mock = Listening::start(mcpgen::command(&["mock", &spec, "--port", &mock_arg]), mock_port);
    let base_url = format!("http://127.0.0.1:{mock_port}");
    let server = mcpgen::server(&["run", &spec, "--tools", "dynamic", "--", "--base-url", &base_url]);
    let endpoint = Endpoint::Stdio(server);

    let mut steps = vec![list_tools()];
    steps.extend(TASKS.iter().map(|(task, _)| search(task)));
    let issue = json!({"owner": "octo", "repo": "hello", "title": "It broke"});
    steps.extend([
        call_tool("describe_tools", json!({"names": ["issues_create"]})),
        call_tool("call_tool", json!({"name": "issues_create", "arguments": issue})),
        call_tool("call_tool", json!({"name": "issues_create", "arguments": {"owner": "octo"}})),
        call_tool("issues_create", json!({"owner": "octo"})),
        call_tool("call_tool", json!({"name": "issues_creat", "arguments": {}})),
        call_tool("call_read_only_tool", json!({"name": "issues_create", "arguments": issue})),
        call_tool(
            "call_read_only_tool",
            json!({"name": "repos_get-readme", "arguments": {"owner": "octo", "repo": "hello"}}),
        ),
        search(""),
        call_tool("search_tools", json!({"query": "issues", "limit": 0})),
    ]);
    let s = run_client(&endpoint, Mode::Auto, &steps);

    let listed = s.result(0);
    assert_eq!(names(listed), ["search_tools", "describe_tools", "call_tool", "call_read_only_tool"]);
    let listed_bytes = listed.to_string().len();
    assert!(listed_bytes / 4 < 2_000, "the dynamic surface is {listed_bytes} bytes: over 2,000 tokens");

    for (i, (task, wanted)) in TASKS.iter().enumerate() {
        let found = names(&s.result(1 + i)["structuredContent"]);
        assert!(found.iter().any(|n| n == wanted), "`{task}`: {wanted} is not in the first three, {found:?}");
    }
    let at = 1 + TASKS.len();
    let described = &s.result(at)["structuredContent"]["tools"][0];
    assert_eq!(described["name"], "issues_create");
    let required: Vec<&str> =
        described["inputSchema"]["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(required.contains(&"owner") && required.contains(&"title"), "{described}");

    let created = s.result(at + 1);
    assert_ne!(created["isError"], true, "{created}");
    assert!(created["structuredContent"].is_object(), "{created}");
    // Invalid arguments: through call_tool, the very result the tool itself gives.
    let through = error_text(&s, at + 2);
    assert_eq!(through, error_text(&s, at + 3));
    assert!(through.starts_with("Invalid arguments for tool `issues_create`"), "{through}");
    let unknown = error_text(&s, at + 4);
    assert!(
        unknown.starts_with("No tool named `issues_creat`. Close matches:") && unknown.contains("`issues_create`"),
        "{unknown}"
    );
    let refused = error_text(&s, at + 5);
    assert!(refused.contains("`issues_create` is not read-only"), "{refused}");
    assert_ne!(s.result(at + 6)["isError"], true, "{}", s.result(at + 6));
    assert!(error_text(&s, at + 7).contains("/query"));
    assert!(error_text(&s, at + 8).contains("/limit"));

    // The mock saw the issue created and the README read, and nothing for the refused calls.
    let (status, body) = http::get(&format!("http://127.0.0.1:{mock_port}/__mcpgen/requests"));
    assert_eq!(status, 200, "{body}");
    let seen: Vec<Value> = serde_json::from_str(&body).unwrap();
    let lines: Vec<String> =
        seen.iter().map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap())).collect();
    assert_eq!(lines, ["POST /repos/octo/hello/issues", "GET /repos/octo/hello/readme"], "{body}");
    assert_eq!(seen[0]["body"]["title"], "It broke");
}

/// One server over Streamable HTTP; each client chooses from the URL's query.
#[test]
fn each_http_client_chooses_its_tools_from_the_url() {
    let (port, mock_port) = (ports::free_port().to_string(), ports::free_port().to_string());
    let spec = workspace::root().join("fixtures/petstore.yaml").to_string_lossy().into_owned();
    let cmd = mcpgen::command(&["run", &spec, "--mock", "--mock-port", &mock_port, "-t", "http", "-p", &port]);
    let _server = Listening::start(cmd, port.parse().unwrap());
    let url =
        |query: &str| Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/{query}") };

    for mode in [Mode::Auto, Mode::Legacy] {
        let reader = run_client(
            &url("?toolset=pets&read_only=true"),
            mode,
            &[
                list_tools(),
                call_tool("createPet", json!({"name": "Tom"})),
                call_tool("showPetById", json!({"petId": "1"})),
            ],
        );
        assert_eq!(names(reader.result(0)), ["listPets", "showPetById"], "{mode:?}");
        assert!(reader.error(1)["message"].as_str().unwrap().contains("Unknown tool: createPet"), "{mode:?}");
        assert_ne!(reader.result(2)["isError"], true, "{mode:?}");

        let everything = run_client(&url(""), mode, &[list_tools(), call_tool("createPet", json!({"name": "Tom"}))]);
        assert_eq!(names(everything.result(0)), ["listPets", "createPet", "showPetById", "deletePet"], "{mode:?}");
        assert_ne!(everything.result(1)["isError"], true, "{mode:?}");

        let dynamic = run_client(&url("?tools=dynamic"), mode, &[list_tools()]);
        assert_eq!(names(dynamic.result(0))[0], "search_tools", "{mode:?}");
    }
    let (status, body) = http::get(&format!("http://127.0.0.1:{mock_port}/__mcpgen/requests"));
    assert_eq!(status, 200);
    let posts = serde_json::from_str::<Vec<Value>>(&body).unwrap().iter().filter(|r| r["method"] == "POST").count();
    assert_eq!(posts, 2, "only the unrestricted clients created pets: {body}");
}
