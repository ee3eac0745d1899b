//! `examples/build-rs`: build.rs turns the application's own OpenAPI file into MCP tools, and the
//! application serves them beside its REST routes on one listener.
//!
//! - the Python client calls the generated tools over HTTP, and the REST API (read with a plain
//!   GET) shows what they did: the tools really call the application's own routes;
//! - changing the description, or a file it `$ref`s, and running `cargo build` again changes the
//!   tools: build.rs's `rerun-if-changed` lines work, in the workspace's shared target dir.

use mcpgen_tests::python::{self, Mode};
use mcpgen_tests::{RunningServer, ServerCommand, Transport, cargo, http, workspace};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Builds of `build-rs` with different descriptions replace the same file: one at a time, each
/// copied out before the next.
static BUILDS: Mutex<()> = Mutex::new(());

/// Builds `build-rs` (with `TODO_OPENAPI` set to `spec`, if given) and copies the binary to `into`.
fn build_copy(spec: Option<&Path>, into: &Path, name: &str) -> PathBuf {
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let spec_text = spec.map(|p| p.to_string_lossy().into_owned());
    let env: Vec<(&str, &str)> = spec_text.iter().map(|s| ("TODO_OPENAPI", s.as_str())).collect();
    let (built, _) = cargo::build_with_env("build-rs", "build-rs", &env).unwrap_or_else(|e| panic!("{e}"));
    let copy = into.join(name);
    std::fs::copy(&built, &copy).unwrap_or_else(|e| panic!("copying {}: {e}", built.display()));
    copy
}

fn tool_names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        list["tools"].as_array().expect("tools").iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

fn structured(result: &Value) -> &Value {
    assert_ne!(result["isError"], true, "the tool failed: {result}");
    &result["structuredContent"]
}

#[test]
fn generated_tools_call_the_applications_own_rest_api() {
    let dir = tempfile::tempdir().unwrap();
    let binary = build_copy(None, dir.path(), "build-rs");
    let server = RunningServer::start(&ServerCommand::new(binary), Transport::Http);
    let base = server.base_url().unwrap().to_string();
    assert_eq!(http::get(&format!("{base}/todos")), (200, "[]".to_string()), "no todos at first");

    let s = python::run_client(
        server.endpoint(),
        Mode::Auto,
        &[
            python::list_tools(),
            python::call_tool("createTodo", json!({"title": "water the plants"})),
            python::call_tool("createTodo", json!({"title": "call Ada", "done": true})),
            python::call_tool("deleteTodo", json!({"id": 1})),
            python::call_tool("listTodos", json!({})),
            python::call_tool("getTodo", json!({"id": 1})),
            python::call_tool("createTodo", json!({})),
        ],
    );
    let t = &s.transcript;
    assert_eq!(s.server_info["name"], "todo", "{t}");
    assert_eq!(tool_names(s.result(0)), ["createTodo", "deleteTodo", "getTodo", "listTodos"], "{t}");
    assert_eq!(structured(s.result(1)), &json!({"id": 1, "title": "water the plants", "done": false}), "{t}");
    assert_eq!(structured(s.result(2))["id"], 2, "{t}");
    assert_ne!(s.result(3)["isError"], true, "{t}");
    // A JSON array response is wrapped in an object for structuredContent.
    let listed = structured(s.result(4)).to_string();
    assert!(listed.contains("call Ada") && !listed.contains("water the plants"), "{listed}\n{t}");
    // The REST API's own 404, carried back as a tool error.
    assert_eq!(s.result(5)["isError"], true, "{t}");
    assert!(s.result(5).to_string().contains("no todo has id 1"), "{t}");
    // Arguments are checked against the schema from openapi.yaml before any request is sent.
    assert_eq!(s.result(6)["isError"], true, "{t}");
    assert!(s.result(6).to_string().contains("title"), "{t}");

    // The REST state the tools changed, read over REST.
    let (status, body) = http::get(&format!("{base}/todos"));
    assert_eq!(status, 200);
    let todos: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(todos, json!([{"id": 2, "title": "call Ada", "done": true}]), "{body}");
}

#[test]
fn changing_the_description_and_rebuilding_changes_the_tools() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.yaml");
    let new_todo = dir.path().join("new_todo.yaml");
    // The example's description, with NewTodo moved into a file of its own.
    let original = std::fs::read_to_string(workspace::root().join("examples/build-rs/openapi.yaml")).unwrap();
    let moved = original
        .replace(r##"schema: { $ref: "#/components/schemas/NewTodo" }"##, r#"schema: { $ref: "new_todo.yaml" }"#);
    assert_ne!(moved, original, "the example's createTodo body refers to NewTodo");
    std::fs::write(&spec, &moved).unwrap();
    std::fs::write(&new_todo, "type: object\nrequired: [title]\nproperties:\n  title: { type: string }\n").unwrap();

    let before = build_copy(Some(&spec), dir.path(), "before");
    let tools = list_tools(&before);
    assert_eq!(tool_names(&tools), ["createTodo", "deleteTodo", "getTodo", "listTodos"]);
    assert!(create_properties(&tools).get("priority").is_none());

    // A new operation in the description itself.
    let added = moved.replace(
        "  /todos/{id}:\n",
        "  /todos/count:\n    get:\n      operationId: countTodos\n      responses:\n        \"200\": { description: How many. }\n  /todos/{id}:\n",
    );
    std::fs::write(&spec, added).unwrap();
    let after_spec = build_copy(Some(&spec), dir.path(), "after-spec");
    assert_eq!(
        tool_names(&list_tools(&after_spec)),
        ["countTodos", "createTodo", "deleteTodo", "getTodo", "listTodos"]
    );

    // A new property in the file the description refers to.
    std::fs::write(
        &new_todo,
        "type: object\nrequired: [title]\nproperties:\n  title: { type: string }\n  priority: { type: integer }\n",
    )
    .unwrap();
    let after_ref = build_copy(Some(&spec), dir.path(), "after-ref");
    assert_eq!(create_properties(&list_tools(&after_ref))["priority"]["type"], "integer");
}

/// `tools/list` of the binary at `program`, over HTTP.
fn list_tools(program: &Path) -> Value {
    let server = RunningServer::start(&ServerCommand::new(program), Transport::Http);
    python::run_client(server.endpoint(), Mode::Auto, &[python::list_tools()]).result(0).clone()
}

fn create_properties(tools: &Value) -> &Value {
    let create = tools["tools"].as_array().unwrap().iter().find(|t| t["name"] == "createTodo").expect("createTodo");
    &create["inputSchema"]["properties"]
}

#[test]
fn a_bad_description_fails_the_build_with_mcpgens_message_and_warnings_reach_cargo() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.yaml");
    std::fs::write(&spec, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: [\n").unwrap();
    let spec_text = spec.to_string_lossy().into_owned();
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let e = cargo::build_with_env("build-rs", "build-rs", &[("TODO_OPENAPI", &spec_text)]).unwrap_err();
    assert!(e.contains("error: build-rs@0.1.0: openapi.yaml:5:1: invalid YAML"), "{e}");

    // An operation mcpgen cannot express is skipped with a warning that cargo shows.
    let original = std::fs::read_to_string(workspace::root().join("examples/build-rs/openapi.yaml")).unwrap();
    let skipped = "  /broken:\n    get:\n      operationId: broken\n      parameters:\n        - $ref: \"#/components/parameters/DoesNotExist\"\n      responses:\n        \"200\": { description: ok }\n";
    std::fs::write(&spec, original.replace("  /todos/{id}:\n", &format!("{skipped}  /todos/{{id}}:\n"))).unwrap();
    let (_, out) = cargo::build_with_env("build-rs", "build-rs", &[("TODO_OPENAPI", &spec_text)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.contains("warning: build-rs@0.1.0: paths./broken.get.parameters[0]"), "{out}");
    assert!(out.contains("operation skipped"), "{out}");
}
