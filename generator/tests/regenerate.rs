//! Regenerating a crate after its API changed: `mcpgen generate DIR` reads the settings recorded
//! in DIR/mcpgen.toml, rewrites only generated files, and the result builds and serves the new
//! operation beside the user's own code. Also the command-line side of mcpgen.toml: flags given
//! on regeneration override the recorded settings and are saved, and the failure paths.

mod common;

use common::mcp::{StdioServer, text};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

fn mcpgen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen")).args(args).current_dir(cwd).output().expect("mcpgen runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of fixtures/petstore.yaml at `dir/api/petstore.yaml`.
fn spec_copy(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("api")).unwrap();
    let spec = dir.join("api/petstore.yaml");
    std::fs::copy(common::fixture("petstore.yaml"), &spec).unwrap();
    spec
}

/// A new operation, `GET /pets/{petId}/photos`, added to the description at `spec`.
const PHOTOS: &str = "  /pets/{petId}/photos:\n    get:\n      operationId: listPetPhotos\n      summary: List a pet's photos\n      parameters:\n        - { name: petId, in: path, required: true, schema: { type: string } }\n      responses:\n        \"200\": { description: The photos }\n";

fn add_operation(spec: &Path) {
    let text = std::fs::read_to_string(spec).unwrap();
    assert!(text.contains("\ncomponents:\n"), "petstore.yaml has its components after its paths");
    std::fs::write(spec, text.replace("\ncomponents:\n", &format!("\n{PHOTOS}components:\n"))).unwrap();
}

/// The user's src/custom.rs with a tool of their own.
const CUSTOM: &str = r#"//! Mine.

use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::upstream::{Upstream, UpstreamBuilder};
use mcpgen_runtime::{Server, Tool, ToolResult};
use std::sync::Arc;

pub fn upstream(builder: UpstreamBuilder) -> UpstreamBuilder {
    builder
}

pub fn server(server: Server, _upstream: &Arc<Upstream>) -> Server {
    server.tool(
        Tool::new("shop_hours", json!({"type": "object"}))
            .description("When the shop is open")
            .handler(|_args, _ctx| async move { Ok(ToolResult::text("9 to 5, custom code")) }),
    )
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_users_code_survives_and_the_new_operation_becomes_a_tool() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_copy(dir.path());
    let out = dir.path().join("regenerated-petstore");
    let o = mcpgen(&["generate", spec.to_str().unwrap(), "-o", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let recorded = std::fs::read_to_string(out.join("mcpgen.toml")).unwrap();
    assert!(recorded.contains("spec = \"../api/petstore.yaml\""), "the spec, relative to the crate: {recorded}");
    assert!(recorded.contains("name = \"regenerated-petstore\""), "{recorded}");

    std::fs::write(out.join("src/custom.rs"), CUSTOM).unwrap();
    add_operation(&spec);
    let o = mcpgen(&["generate", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("Generated 5 tool(s)"), "{said}");
    // Every generated file names the description's hash in its header, so all of them change.
    assert!(said.contains("written:   Cargo.toml, README.md, src/generated/mod.rs, src/main.rs"), "{said}");
    assert!(said.contains("unchanged: .gitignore, mcpgen.toml"), "{said}");
    assert!(said.contains("kept:      src/custom.rs"), "{said}");
    assert_eq!(std::fs::read_to_string(out.join("src/custom.rs")).unwrap(), CUSTOM);

    let built = common::cargo(&out, &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let mut s = StdioServer::start("regenerated-petstore", &[]).await;
    let tools = s.request("tools/list", json!({})).await;
    let names: Vec<&str> =
        tools["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["listPets", "createPet", "showPetById", "deletePet", "listPetPhotos", "shop_hours"], "{tools}");
    let r = s.call("shop_hours", json!({})).await;
    assert_eq!(text(&r), "9 to 5, custom code", "{r}");
}

#[test]
fn flags_given_on_regeneration_override_and_are_saved() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_copy(dir.path());
    let out = dir.path().join("pets");
    let o = mcpgen(&[spec.to_str().unwrap(), "-o", out.to_str().unwrap(), "--runtime-version", "0.1"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));

    // Inside the crate, no arguments: the recorded settings, plus the flags given.
    let o = mcpgen(&["generate", "--method", "get", "--rename", "listPets=all_pets"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Generated 2 tool(s)"), "{}", stderr(&o));
    let recorded = std::fs::read_to_string(out.join("mcpgen.toml")).unwrap();
    assert!(recorded.contains("methods = [\"get\"]"), "{recorded}");
    assert!(recorded.contains("listPets = \"all_pets\""), "{recorded}");
    assert!(recorded.contains("version = \"0.1\""), "the runtime dependency is kept: {recorded}");

    // Saved: the next regeneration uses them without being told.
    let o = mcpgen(&["generate"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Generated 2 tool(s)"), "{}", stderr(&o));
    let generated = std::fs::read_to_string(out.join("src/generated/mod.rs")).unwrap();
    assert!(generated.contains("name: \"all_pets\""), "renamed");
    assert!(!generated.contains("createPet"), "filtered");
    assert!(std::fs::read_to_string(out.join("Cargo.toml")).unwrap().contains("version = \"0.1\""));
}

#[test]
fn regeneration_without_mcpgen_toml_or_spec_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = mcpgen(&["generate"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no mcpgen.toml"), "{}", stderr(&o));
    assert!(stderr(&o).contains("mcpgen generate SPEC -o"), "{}", stderr(&o));
    let o = mcpgen(&["generate", dir.path().to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no mcpgen.toml"), "{}", stderr(&o));

    let spec = spec_copy(dir.path());
    let out = dir.path().join("pets");
    assert!(mcpgen(&[spec.to_str().unwrap(), "-o", out.to_str().unwrap()], dir.path()).status.success());
    std::fs::remove_file(&spec).unwrap();
    let o = mcpgen(&["generate", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read") && stderr(&o).contains("petstore.yaml"), "{}", stderr(&o));

    // From standard input: nothing to record, so regeneration needs the description again.
    let piped = dir.path().join("piped");
    let o = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["-", "-o", piped.to_str().unwrap()])
        .stdin(std::fs::File::open(common::fixture("petstore.yaml")).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mcpgen(&["generate", piped.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("names no spec (the crate was generated from standard input)"), "{}", stderr(&o));

    std::fs::write(out.join("mcpgen.toml"), "spec = \"x.yaml\"\n[filter]\nmethod = [\"get\"]\n").unwrap();
    let o = mcpgen(&["generate", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("mcpgen.toml") && stderr(&o).contains("unknown field `method`"), "{}", stderr(&o));
}

/// mcpgen.toml's `[server]` table, edited by hand, is kept on regeneration and becomes the
/// built server's defaults: behind OAuth, it answers a request without a token with the
/// challenge naming its resource metadata, which it serves. A table that does not hold together
/// stops generation, naming the key.
#[test]
fn a_server_table_in_mcpgen_toml_guards_the_built_server() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_copy(dir.path());
    let out = dir.path().join("guarded-petstore");
    let o = mcpgen(&["generate", spec.to_str().unwrap(), "-o", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let toml = out.join("mcpgen.toml");
    let recorded = std::fs::read_to_string(&toml).unwrap();
    let broken = format!("{recorded}\n[server]\noauth-issuer = \"https://auth.example.com\"\n");
    std::fs::write(&toml, broken).unwrap();
    let o = mcpgen(&["generate", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("server.oauth-issuer needs server.oauth-resource"), "{}", stderr(&o));

    let table = "\n[server]\noauth-issuer = \"https://auth.example.com\"\noauth-resource = \"https://mcp.example.com/mcp\"\n\
                 oauth-scopes = [\"mcp\"]\nrate-limit = 50\n";
    std::fs::write(&toml, format!("{recorded}{table}")).unwrap();
    let o = mcpgen(&["generate", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&toml).unwrap().contains("oauth-resource = \"https://mcp.example.com/mcp\""));
    let main = std::fs::read_to_string(out.join("src/main.rs")).unwrap();
    assert!(main.contains("run_from_args_with(generated::run_options())"), "{main}");

    let built = common::cargo(&out, &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(common::binary("guarded-petstore"))
        .args(["--transport", "http", "--port", &port.to_string()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not listen");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let headers = [("Accept", "application/json, text/event-stream"), ("Content-Type", "application/json")];
    let refused = mcpgen_tests::http::request("POST", &format!("{url}/mcp"), &headers, initialize);
    let metadata =
        mcpgen_tests::http::request("GET", &format!("{url}/.well-known/oauth-protected-resource/mcp"), &[], "");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(
        refused.header("www-authenticate"),
        Some(
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\", scope=\"mcp\""
        )
    );
    assert_eq!(metadata.status, 200, "{}", metadata.body);
    let document: serde_json::Value = serde_json::from_str(&metadata.body).unwrap();
    assert_eq!(document["authorization_servers"], json!(["https://auth.example.com"]));
}
