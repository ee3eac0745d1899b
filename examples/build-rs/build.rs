//! Turns the application's own REST API (openapi.yaml) into MCP tools: `OUT_DIR/mcpgen.rs`,
//! included by src/main.rs. `TODO_OPENAPI` names another description (the tests use it to
//! rebuild with a changed spec); cargo re-runs this when it or any file read changes.

fn main() {
    println!("cargo:rerun-if-env-changed=TODO_OPENAPI");
    let spec = std::env::var("TODO_OPENAPI").unwrap_or_else(|_| "openapi.yaml".into());
    mcpgen::Settings::new(spec).name("todo").build_rs();
}
