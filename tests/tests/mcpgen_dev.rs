//! `mcpgen dev`: without Node.js, or with one too old for the Inspector, it says what to install
//! before building anything; with Node.js 22 it launches the pinned Inspector with the server as
//! its STDIO command (a crate's build, or `mcpgen run SPEC` for a description) (`--print-command` shows the line, and the real Inspector CLI drives the
//! server it names). The web UI itself needs a browser and is not started here.
#![cfg(unix)]

use mcpgen_tests::mcpgen;
use mcpgen_tests::{Endpoint, ServerCommand, inspector, workspace};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn hello_dir() -> String {
    workspace::root().join("examples/hello").to_string_lossy().into_owned()
}

/// `mcpgen dev ARGS` with `PATH` set to `path`.
fn dev(args: &[&str], path: &str) -> mcpgen_tests::process::Output {
    let mut cmd = mcpgen::command(&[&["dev"], args].concat());
    cmd.env("PATH", path).env("CARGO_TARGET_DIR", workspace::target_dir());
    mcpgen_tests::process::run(&mut cmd, mcpgen::BUILD_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_nothing_built(out: &mcpgen_tests::process::Output) {
    assert!(!out.stderr.contains("Finished") && !out.stderr.contains("Compiling"), "{}", out.describe());
}

#[test]
fn without_node_it_says_what_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let out = dev(&[&hello_dir()], &empty.path().to_string_lossy());
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert!(out.stderr.contains("needs Node.js 22.19 or newer, and `node` is not on PATH"), "{}", out.describe());
    assert!(out.stderr.contains("Install Node.js 22 or newer (https://nodejs.org"), "{}", out.describe());
    assert_nothing_built(&out);
}

#[test]
fn an_old_node_is_named_with_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    std::fs::write(&node, "#!/bin/sh\necho v20.11.1\n").unwrap();
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dev(&[&hello_dir()], &dir.path().to_string_lossy());
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    let expected = format!("and `{}` is Node.js v20.11.1", node.display());
    assert!(out.stderr.contains(&expected), "{}", out.describe());
    assert_nothing_built(&out);
}

/// Node.js 22 (the one the tests install with the Inspector) first on PATH, npx after it.
fn path_with_node_22() -> String {
    let node = &inspector::inspector().node;
    let node_dir = node.parent().filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf);
    let path =
        std::env::join_paths(node_dir.into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())))
            .unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_inspector_gets_the_built_server_as_its_stdio_command() {
    let out = dev(
        &[&hello_dir(), "--print-command", "-e", "GREETING=hi", "--", "--log-level", "debug"],
        &path_with_node_22(),
    );
    out.assert_success();
    let words: Vec<&str> = out.stdout.split_whitespace().collect();

    let pinned: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace::tests_crate().join("inspector/package.json")).unwrap(),
    )
    .unwrap();
    let version = pinned["dependencies"]["@modelcontextprotocol/inspector"].as_str().unwrap();
    assert!(words[0].ends_with("/npx"), "{}", out.stdout);
    assert_eq!(words[1..5], ["-y", format!("@modelcontextprotocol/inspector@{version}").as_str(), "-e", "GREETING=hi"]);
    assert_eq!(words[5], "--");
    let (program, args) = (words[6], &words[7..]);
    assert_eq!(args, ["--", "--log-level", "debug"]);
    assert!(Path::new(program).is_absolute() && Path::new(program).is_file(), "{}", out.stdout);

    // The real Inspector (its CLI) drives the server command it would be given.
    let server = ServerCommand::new(program).args(args.iter().copied()).env("GREETING", "hi");
    let listed = inspector::run_cli(&Endpoint::Stdio(server), &["--method", "tools/list"]);
    listed.assert_success();
    let tools: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(tools["tools"][0]["name"], "hello", "{}", listed.describe());
}

/// A description: the Inspector's command is `mcpgen run SPEC`, served in-process, nothing built.
#[test]
fn the_inspector_gets_mcpgen_run_for_a_description() {
    let spec = workspace::root().join("fixtures/petstore.yaml");
    let out = dev(&[&spec.to_string_lossy(), "--print-command", "--", "--timeout", "5"], &path_with_node_22());
    out.assert_success();
    assert_nothing_built(&out);
    let words: Vec<&str> = out.stdout.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "--").expect("the server command follows `--`");
    let (program, args) = (words[at + 1], &words[at + 2..]);
    assert_eq!(Path::new(program), mcpgen::binary().canonicalize().unwrap(), "{}", out.stdout);
    assert_eq!(args, ["run", &spec.canonicalize().unwrap().to_string_lossy(), "--", "--timeout", "5"]);

    let server = ServerCommand::new(program).args(args.iter().copied());
    let listed = inspector::run_cli(&Endpoint::Stdio(server), &["--method", "tools/list"]);
    listed.assert_success();
    let tools: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(tools["tools"].as_array().map(Vec::len), Some(4), "{}", listed.describe());
}
