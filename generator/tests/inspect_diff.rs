//! `mcpgen inspect` and `mcpgen diff`, through the real binary.

mod common;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mcpgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen")).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn petstore_path() -> String {
    common::fixture("petstore.yaml").to_string_lossy().into_owned()
}

/// The petstore fixture as a JSON value, to derive changed versions from.
fn petstore() -> Value {
    let text = std::fs::read_to_string(common::fixture("petstore.yaml")).unwrap();
    mcpgen::load::parse_text(&text, "petstore.yaml").unwrap()
}

fn write(dir: &Path, name: &str, spec: &Value) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(spec).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn inspect_lists_the_tools_the_generator_would_write() {
    let mcpgen::Description::OpenApi(set) = mcpgen::describe(&mcpgen::Settings::new(petstore_path())).unwrap() else {
        panic!("the petstore is an OpenAPI description")
    };
    let expected = set.tools;
    let o = mcpgen(&["inspect", &petstore_path()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("TOOL") && lines[0].contains("ARGUMENTS"), "{table}");
    assert_eq!(lines.len(), expected.len() + 1, "{table}");
    for t in &expected {
        let line = lines.iter().find(|l| l.starts_with(&format!("{} ", t.name))).unwrap_or_else(|| panic!("{table}"));
        assert!(line.contains(&format!("{} {}", t.method.upper(), t.path)), "{line}");
    }
    // The spec says `name` is required for createPet and `limit` is an optional integer.
    let create = lines.iter().find(|l| l.starts_with("createPet ")).unwrap();
    assert!(create.contains("name*: string"), "{create}");
    let list = lines.iter().find(|l| l.starts_with("listPets ")).unwrap();
    assert!(list.contains("limit: integer") && !list.contains("limit*"), "{list}");
}

#[test]
fn inspect_json_carries_schemas_arguments_and_filters_apply() {
    let o = mcpgen(&["inspect", &petstore_path(), "--json", "--method", "get"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let tools = report["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["listPets", "showPetById"]);
    let show = &tools[1];
    assert_eq!(show["method"], "GET");
    assert_eq!(show["annotations"]["readOnlyHint"], true);
    assert_eq!(show["inputSchema"]["required"], json!(["petId"]));
    let pet_id = show["arguments"].as_array().unwrap().iter().find(|a| a["name"] == "petId").unwrap();
    assert_eq!(pet_id["required"], true);
    assert_eq!(pet_id["type"], "string");
}

#[test]
fn diff_marks_each_change_breaking_or_compatible() {
    let dir = tempfile::tempdir().unwrap();
    let old = petstore();
    let mut new = old.clone();
    let paths = new["paths"].as_object_mut().unwrap();
    // Remove deletePet; make listPets' limit required; add an operation.
    paths["/pets/{petId}"].as_object_mut().unwrap().remove("delete");
    let limit =
        paths["/pets"]["get"]["parameters"].as_array_mut().unwrap().iter_mut().find(|p| p["name"] == "limit").unwrap();
    limit["required"] = json!(true);
    paths.insert(
        "/stores".into(),
        json!({"get": {"operationId": "listStores", "responses": {"200": {"description": "ok"}}}}),
    );
    let (old_path, new_path) = (write(dir.path(), "old.json", &old), write(dir.path(), "new.json", &new));

    let o = mcpgen(&["diff", &old_path, &new_path, "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes: Vec<(String, String, bool)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["tool"].as_str().unwrap().into(), c["kind"].as_str().unwrap().into(), c["breaking"] == true))
        .collect();
    assert_eq!(
        changes,
        [
            ("deletePet".into(), "tool_removed".into(), true),
            ("listPets".into(), "argument_now_required".into(), true),
            ("listStores".into(), "tool_added".into(), false),
        ]
    );
    assert_eq!(report["breaking"], 2);

    let o = mcpgen(&["diff", &old_path, &new_path]);
    let out = text(&o.stdout);
    assert!(out.contains("breaking    `listPets`: argument `limit`: now required"), "{out}");
    assert!(out.contains("3 change(s): 2 breaking, 1 compatible"), "{out}");

    let o = mcpgen(&["diff", &old_path, &new_path, "--fail-on-breaking"]);
    assert_eq!(o.status.code(), Some(1), "breaking changes fail the guard");
    let o = mcpgen(&["diff", &new_path, &new_path, "--fail-on-breaking"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("no changes"));
}

#[test]
fn diff_and_inspect_name_the_file_they_cannot_read() {
    let o = mcpgen(&["diff", &petstore_path(), "does-not-exist.yaml"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("does-not-exist.yaml"), "{err}");
    let o = mcpgen(&["inspect", "missing.json"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("missing.json"), "{}", text(&o.stderr));
}

#[test]
fn manifests_are_inspected_and_compared_like_descriptions() {
    let notes = common::fixture("manifests/notes.json").to_string_lossy().into_owned();
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(&notes).unwrap()).unwrap();
    let tools = manifest["tools"].as_array().unwrap();

    let o = mcpgen(&["inspect", &notes]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    assert!(table.starts_with("TOOL") && !table.lines().next().unwrap().contains("ENDPOINT"), "{table}");
    assert_eq!(table.lines().count(), tools.len() + 1, "{table}");
    let o = mcpgen(&["inspect", &notes, "--json"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    for (shown, written) in report["tools"].as_array().unwrap().iter().zip(tools) {
        assert_eq!(shown["name"], written["name"]);
        assert_eq!(shown["inputSchema"], written["inputSchema"]);
    }

    // The first tool loses its first required argument's requirement and a tool is removed.
    let dir = tempfile::tempdir().unwrap();
    let mut changed = manifest.clone();
    let first = &mut changed["tools"][0];
    let name = first["name"].as_str().unwrap().to_string();
    let required = first["inputSchema"]["required"].as_array_mut().expect("the first tool requires something");
    let argument = required.remove(0).as_str().unwrap().to_string();
    let removed = changed["tools"].as_array_mut().unwrap().pop().unwrap()["name"].as_str().unwrap().to_string();
    let (old, new) = (write(dir.path(), "old.json", &manifest), write(dir.path(), "new.json", &changed));
    let o = mcpgen(&["diff", &old, &new, "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes: Vec<(String, Option<String>, String, bool)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["tool"].as_str().unwrap().into(),
                c["argument"].as_str().map(String::from),
                c["kind"].as_str().unwrap().into(),
                c["breaking"] == true,
            )
        })
        .collect();
    assert!(changes.contains(&(name, Some(argument), "argument_no_longer_required".into(), false)), "{changes:?}");
    assert!(changes.contains(&(removed, None, "tool_removed".into(), true)), "{changes:?}");
    assert_eq!(changes.len(), 2, "{changes:?}");
}

/// A description with one operationId longer than the default name limit, one that fits, and
/// one operation named by its method and path.
fn long_names() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Long names", "version": "1"},
        "paths": {
            "/user/repos": {"get": {
                "operationId": "repos/list-for-authenticated-user-and-organization-repositories",
                "responses": {"200": {"description": "ok"}}
            }},
            "/pets": {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}},
            "/stores": {"get": {"responses": {"200": {"description": "ok"}}}}
        }
    })
}

const LONG_ID: &str = "repos/list-for-authenticated-user-and-organization-repositories";

#[test]
fn inspect_says_which_names_were_shortened_and_keeps_the_operation_id() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "long.json", &long_names());
    let o = mcpgen(&["inspect", &spec]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (table, err) = (text(&o.stdout), text(&o.stderr));
    assert!(table.lines().any(|l| l.starts_with("repos_list-for-auth-user-and-org-repositories ")), "{table}");
    assert!(err.contains("1 tool name(s) longer than 48 characters shortened"), "{err}");

    let o = mcpgen(&["inspect", &spec, "--json"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["names"], json!({"maxLength": 48, "shortened": 1}));
    let long = report["tools"].as_array().unwrap().iter().find(|t| t["operationId"] == LONG_ID).unwrap();
    assert_eq!(long["name"], "repos_list-for-auth-user-and-org-repositories");
    assert_eq!(long["shortenedFrom"], "repos_list-for-authenticated-user-and-organization-repositories");
    assert!(long["description"].as_str().unwrap().ends_with(&format!("operationId: `{LONG_ID}`")), "{long}");
    let pets = report["tools"].as_array().unwrap().iter().find(|t| t["name"] == "listPets").unwrap();
    assert_eq!(pets["shortenedFrom"], Value::Null);
    assert_eq!(pets["description"], "GET /pets", "a name that fits is left alone, description too");

    // A limit the name fits in shortens nothing; one out of range is refused with the range.
    let o = mcpgen(&["inspect", &spec, "--json", "--max-tool-name-length", "64"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["names"], json!({"maxLength": 64, "shortened": 0}));
    let o = mcpgen(&["inspect", &spec, "--max-tool-name-length", "64"]);
    assert!(!text(&o.stderr).contains("shortened"), "{}", text(&o.stderr));
    let o = mcpgen(&["inspect", &spec, "--max-tool-name-length", "8"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("from 16 to 64"), "{}", text(&o.stderr));
    // Tighter: every name within it.
    let o = mcpgen(&["inspect", &spec, "--json", "--max-tool-name-length", "20"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(report["tools"].as_array().unwrap().iter().all(|t| t["name"].as_str().unwrap().len() <= 20), "{report}");
    assert_eq!(report["names"]["shortened"], 1, "`get_stores` and `listPets` fit in 20");
}

#[test]
fn generate_records_the_name_limit_and_says_how_many_names_it_shortened() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "long.json", &long_names());
    let out = dir.path().join("server");
    let out_text = out.to_string_lossy().into_owned();
    let o = mcpgen(&["generate", &spec, "-o", &out_text, "--max-tool-name-length", "40", "--runtime-version", "0.1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("1 tool name(s) longer than 40 characters shortened"), "{err}");
    let toml = std::fs::read_to_string(out.join("mcpgen.toml")).unwrap();
    assert!(toml.contains("max-tool-name-length = 40"), "{toml}");
    // Regenerating from mcpgen.toml keeps the limit.
    let o = mcpgen(&["generate", &out_text]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("longer than 40 characters"), "{}", text(&o.stderr));
}

#[test]
fn diff_reports_a_renamed_tool_as_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let old = long_names();
    let mut new = old.clone();
    // The spec's author names two tools: one found by operationId, one by method and path.
    new["paths"]["/pets"]["get"]["x-mcpgen-name"] = json!("list_pets");
    new["paths"]["/stores"]["get"]["x-mcpgen-name"] = json!("list_stores");
    let (old_path, new_path) = (write(dir.path(), "old.json", &old), write(dir.path(), "new.json", &new));
    let o = mcpgen(&["diff", &old_path, &new_path, "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes: Vec<(String, String, bool)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["tool"].as_str().unwrap().into(), c["kind"].as_str().unwrap().into(), c["breaking"] == true))
        .collect();
    assert_eq!(
        changes,
        [("get_stores".into(), "tool_renamed".into(), true), ("listPets".into(), "tool_renamed".into(), true)]
    );
    let o = mcpgen(&["diff", &old_path, &new_path]);
    let out = text(&o.stdout);
    assert!(out.contains("breaking    `listPets`: renamed to `list_pets` (the same operation)"), "{out}");
    let o = mcpgen(&["diff", &old_path, &new_path, "--fail-on-breaking"]);
    assert_eq!(o.status.code(), Some(1), "a rename fails the guard");

    // The limit applies to both sides alike: a description against itself has no change.
    let o = mcpgen(&["diff", &old_path, &old_path, "--json", "--max-tool-name-length", "30"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["changes"], json!([]));
}
