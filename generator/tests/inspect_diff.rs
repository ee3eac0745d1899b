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
    let expected = mcpgen::tools(&mcpgen::Settings::new(petstore_path())).unwrap().tools;
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
    let limit = paths["/pets"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == "limit")
        .unwrap();
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
