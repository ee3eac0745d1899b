//! Getting `mcpgen` as the README says: `cargo install --path generator` puts the command in a
//! root of its own, and the installed command generates a crate that builds (against this
//! checkout's runtime, by path) and serves its tools.

mod common;

use mcpgen_tests::ServerCommand;
use mcpgen_tests::stdio::StdioServer;
use std::process::Command;

#[test]
fn the_installed_command_generates_a_crate_that_builds_and_serves() {
    let root = tempfile::tempdir().unwrap();
    // Debug and into the workspace's target dir, where the test build left most of the work done.
    let install = Command::new(env!("CARGO"))
        .args(["install", "--locked", "--debug", "--path"])
        .arg(common::workspace().join("generator"))
        .arg("--root")
        .arg(root.path())
        .env("CARGO_TARGET_DIR", common::workspace().join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(install.status.success(), "cargo install failed:\n{}", String::from_utf8_lossy(&install.stderr));
    let mcpgen = root.path().join("bin").join(format!("mcpgen{}", std::env::consts::EXE_SUFFIX));
    assert!(mcpgen.is_file(), "no {}", mcpgen.display());

    let version = Command::new(&mcpgen).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("mcpgen "), "{version:?}");

    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("pets");
    let generated = Command::new(&mcpgen).arg(common::fixture("petstore.yaml")).arg("-o").arg(&out).output().unwrap();
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let cargo_toml = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    let runtime = cargo_toml
        .lines()
        .find_map(|l| l.strip_prefix("mcpgen-runtime = { path = \"")?.split('"').next())
        .unwrap_or_else(|| panic!("the crate depends on the checkout's runtime by path: {cargo_toml}"));
    assert_eq!(out.join(runtime).canonicalize().unwrap(), common::workspace().join("runtime").canonicalize().unwrap());

    let built = common::cargo(&out, &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let mut server = StdioServer::spawn(&ServerCommand::new(common::binary("pets")));
    server.initialize();
    let listed = server.request("tools/list", serde_json::json!({}));
    let names: Vec<&str> =
        listed["result"]["tools"].as_array().expect("tools").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["listPets", "createPet", "showPetById", "deletePet"]);
}
