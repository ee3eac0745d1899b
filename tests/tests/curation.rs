//! Curating a third-party description without editing it: an OpenAPI Overlay (`--overlay`) that
//! renames, re-describes, hides and leaves out tools of GitHub's pinned description, served by
//! `mcpgen run SPEC --overlay FILE --mock` and driven by the Python `mcp` client: what
//! `tools/list` shows, what a call of a hidden tool answers, what search finds.

use mcpgen_tests::python::{Mode, call_tool, list_tools, run_client};
use mcpgen_tests::{Endpoint, github, mcpgen};
use serde_json::{Value, json};

/// The overlay: JSONPath targets into GitHub's description as published.
const OVERLAY: &str = r#"
overlay: 1.0.0
info:
  title: GitHub's issues, as our agents should see them
  version: 1.0.0
actions:
  - target: $.paths['/repos/{owner}/{repo}/issues'].post
    description: Renamed and described for the model.
    update:
      x-mcp:
        name: open_issue
        title: Open an issue
        description: Opens an issue in a repository. Search the existing issues first.
  # Every operation whose operationId is one of these, wherever its path is.
  - target: $.paths.*[?@.operationId == 'issues/lock' || @.operationId == 'issues/unlock']
    update:
      x-mcp: {hidden: true}
  - target: $.paths['/repos/{owner}/{repo}'].delete
    update:
      x-speakeasy-mcp: {disabled: true}
"#;

fn names(v: &Value) -> Vec<String> {
    v["tools"].as_array().expect("tools").iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn an_overlay_renames_describes_and_hides_tools_of_github_without_editing_it() {
    let spec = github::spec();
    let before = std::fs::read(spec).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("github.overlay.yaml");
    std::fs::write(&overlay, OVERLAY).unwrap();
    let (spec_arg, overlay_arg) = (spec.to_string_lossy().into_owned(), overlay.to_string_lossy().into_owned());
    let run = |mode: &str| {
        Endpoint::Stdio(mcpgen::server(&[
            "run",
            &spec_arg,
            "--overlay",
            &overlay_arg,
            "--mock",
            "--tools",
            mode,
            "--toolset",
            "issues",
            "--toolset",
            "repos",
        ]))
    };
    let lock = json!({"owner": "octo", "repo": "hello", "issue_number": 7});
    let issue = json!({"owner": "octo", "repo": "hello", "title": "It broke"});

    // Every tool listed: the renamed one under its new name and words, the hidden ones absent
    // from the list but callable, the one left out not a tool at all.
    let s = run_client(
        &run("all"),
        Mode::Auto,
        &[
            list_tools(),
            call_tool("issues_lock", lock.clone()),
            call_tool("open_issue", issue.clone()),
            call_tool("issues_create", issue.clone()),
            call_tool("repos_delete", json!({"owner": "octo", "repo": "hello"})),
        ],
    );
    let listed = s.result(0);
    let all = names(listed);
    assert!(all.len() > 100, "issues and repos: {}", all.len());
    assert!(all.iter().any(|n| n == "issues_list-for-repo"), "the rest is untouched");
    for absent in ["issues_create", "issues_lock", "issues_unlock", "repos_delete"] {
        assert!(!all.iter().any(|n| n == absent), "{absent} is listed");
    }
    let open = listed["tools"].as_array().unwrap().iter().find(|t| t["name"] == "open_issue").expect("open_issue");
    assert_eq!(open["title"], "Open an issue");
    assert_eq!(open["description"], "Opens an issue in a repository. Search the existing issues first.");
    assert!(open["inputSchema"]["required"].as_array().unwrap().contains(&json!("title")), "{open}");

    // The hidden tool answers as any tool: the mock took the request (204, no body).
    let locked = s.result(1);
    assert_ne!(locked["isError"], true, "{locked}");
    assert!(locked["content"][0]["text"].as_str().unwrap().starts_with("HTTP 204"), "{locked}");
    let opened = s.result(2);
    assert_ne!(opened["isError"], true, "{opened}");
    assert!(opened["structuredContent"]["number"].is_number(), "the mock's issue: {opened}");
    // Renamed: the old name is gone; left out: no tool at all.
    for (step, name) in [(3, "issues_create"), (4, "repos_delete")] {
        let e = s.error(step);
        assert!(e["message"].as_str().unwrap().contains(&format!("Unknown tool: {name}")), "{e}");
    }

    // The dynamic surface: search never finds a hidden tool, `call_tool` reaches it by name.
    let s = run_client(
        &run("dynamic"),
        Mode::Auto,
        &[
            call_tool("search_tools", json!({"query": "lock an issue", "limit": 10})),
            call_tool("search_tools", json!({"query": "open an issue", "limit": 3})),
            call_tool("call_tool", json!({"name": "issues_lock", "arguments": lock})),
        ],
    );
    let found = names(&s.result(0)["structuredContent"]);
    assert!(!found.is_empty() && !found.iter().any(|n| n == "issues_lock" || n == "issues_unlock"), "{found:?}");
    let found = names(&s.result(1)["structuredContent"]);
    assert!(found.iter().any(|n| n == "open_issue"), "{found:?}");
    let locked = s.result(2);
    assert!(locked["content"][0]["text"].as_str().unwrap().starts_with("HTTP 204"), "{locked}");

    assert!(std::fs::read(spec).unwrap() == before, "the description itself is never edited");
}
