//! The promise of manifest crates: a tool added to the manifest leaves the user's handlers
//! compiling. Generate from `fixtures/manifests/weather.yaml`, implement one tool in
//! src/handlers.rs, add a tool (and a prompt and a resource template) to the manifest,
//! regenerate, build with cargo, and talk to the server over STDIO: the written tool answers with
//! its typed result, the new ones with "not implemented".

mod common;

use common::mcp::{StdioServer, text};
use mcpgen::{InputKind, RuntimeDep, Settings};
use mcpgen_tests::python::{Mode, call_tool, list_tools, run_client};
use mcpgen_tests::{RunningServer, ServerCommand, Transport};
use serde_json::{Value, json};
use std::path::Path;

/// The crate's (and binary's) name.
const CRATE: &str = "weather-manifest-e2e";

/// The user's implementation of `get_forecast`: a result computed from the arguments.
const IMPLEMENTATION: &str = r#"use crate::generated::types::*;
use mcpgen_runtime::{RequestContext, ToolError};

impl Handlers for App {
    async fn get_forecast(&self, args: GetForecastArgs, _ctx: RequestContext) -> Result<GetForecastOutput, ToolError> {
        let imperial = args.units == Some(GetForecastArgsUnits::Imperial);
        let days = (0..args.days.unwrap_or(1))
            .map(|i| GetForecastOutputDaysItem {
                date: format!("{} +{i}", args.city),
                high: if imperial { 68.0 } else { 20.0 } + i as f64,
                low: 10.0,
            })
            .collect();
        Ok(GetForecastOutput { days })
    }
}"#;

fn generate(manifest: &Path, out: &Path) -> mcpgen::WriteReport {
    let runtime = common::workspace().join("runtime").to_string_lossy().replace('\\', "/");
    let settings = Settings::new(manifest).name(CRATE).input_kind(InputKind::Auto).runtime(RuntimeDep::Path(runtime));
    let generation = mcpgen::generate(&settings).unwrap_or_else(|e| panic!("{e}"));
    generation.write(out).expect("the crate is written")
}

#[test]
fn adding_a_tool_keeps_the_users_handlers_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("tools.yaml");
    let out = dir.path().join("server");
    let original = std::fs::read_to_string(common::fixture("manifests/weather.yaml")).unwrap();
    std::fs::write(&manifest, &original).unwrap();
    generate(&manifest, &out);

    // The user writes one tool.
    let handlers = out.join("src/handlers.rs");
    let initial = std::fs::read_to_string(&handlers).unwrap();
    assert!(initial.contains("impl Handlers for App {}"), "{initial}");
    let edited = initial.replace("impl Handlers for App {}", IMPLEMENTATION);
    std::fs::write(&handlers, &edited).unwrap();

    // The manifest grows a tool, a prompt and a resource template; regeneration keeps the edit.
    let added = "\
- name: get_uv_index
  description: The UV index at a point.
  inputSchema:
    type: object
    properties:
      lat: {type: number}
      lon: {type: number}
    required: [lat, lon]
";
    std::fs::write(&manifest, format!("{original}{added}")).unwrap();
    let report = generate(&manifest, &out);
    assert_eq!(report.kept, std::slice::from_ref(&handlers), "{report:?}");
    assert_eq!(std::fs::read_to_string(&handlers).unwrap(), edited);

    let built = common::cargo(&out, &["build", "--quiet"]);
    assert!(
        built.status.success(),
        "the user's handlers no longer compile:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let server = ServerCommand::new(common::binary(CRATE));
    let running = RunningServer::start(&server, Transport::Stdio);
    let s = run_client(
        running.endpoint(),
        Mode::Auto,
        &[
            list_tools(),
            call_tool("get_forecast", json!({"city": "Oslo", "days": 2, "units": "imperial"})),
            call_tool("get_uv_index", json!({"lat": 59.9, "lon": 10.7})),
            call_tool("get_alerts", json!({"region": "north"})),
            call_tool("get_forecast", json!({"days": 2})),
        ],
    );

    let tools = s.result(0)["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["get_forecast", "get_alerts", "get_uv_index"]);
    // Each tool is served with its schemas exactly as the manifest gives them.
    let manifest_tools = mcpgen::load::parse_text(&format!("{original}{added}"), "tools.yaml").unwrap();
    for (served, declared) in tools.iter().zip(manifest_tools.as_array().unwrap()) {
        assert_eq!(served["inputSchema"], declared["inputSchema"], "{}", served["name"]);
        assert_eq!(served.get("outputSchema"), declared.get("outputSchema"), "{}", served["name"]);
        assert_eq!(served["description"], declared["description"], "{}", served["name"]);
    }

    // The tool the user wrote: typed arguments in (the enum included), typed result out.
    let forecast = s.result(1);
    assert!(forecast.get("isError").is_none_or(|e| e == false), "{forecast}");
    assert_eq!(
        forecast["structuredContent"],
        json!({"days": [{"date": "Oslo +0", "high": 68.0, "low": 10.0}, {"date": "Oslo +1", "high": 69.0, "low": 10.0}]})
    );
    // The new tool, and the one never written, answer "not implemented", naming the file to edit.
    for (i, tool) in [(2, "get_uv_index"), (3, "get_alerts")] {
        let r = s.result(i);
        assert_eq!(r["isError"], true, "{r}");
        assert_eq!(
            text(r),
            format!(
                "tool `{tool}` is not implemented yet: write `fn {tool}` in the `impl Handlers` of src/handlers.rs"
            )
        );
    }
    // Arguments the input schema refuses never reach the handler.
    let refused = s.result(4);
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(text(refused).contains("\"city\" is a required property"), "{refused}");
}

/// Prompts and resources of a manifest are served too, with "not implemented" defaults.
#[tokio::test]
async fn prompts_and_resources_answer_not_implemented_until_written() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("tools.json");
    let out = dir.path().join("server");
    let doc = json!({
        "name": "library",
        "version": "2.0.0",
        "instructions": "Look things up.",
        "tools": [{"name": "lookup", "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}}}],
        "prompts": [{"name": "explain", "arguments": [{"name": "topic", "required": true}]}],
        "resources": [{"uri": "library://catalog", "name": "catalog", "mimeType": "application/json"}],
        "resourceTemplates": [{"uriTemplate": "library://books/{isbn}", "name": "book"}]
    });
    std::fs::write(&manifest, doc.to_string()).unwrap();
    let runtime = common::workspace().join("runtime").to_string_lossy().replace('\\', "/");
    let settings = Settings::new(&manifest).name("library-manifest-e2e").runtime(RuntimeDep::Path(runtime));
    mcpgen::generate(&settings).unwrap().write(&out).unwrap();
    let built = common::cargo(&out, &["build", "--quiet"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));

    let mut server = StdioServer::start("library-manifest-e2e", &[]).await;
    let info = &server.init["result"];
    assert_eq!(info["serverInfo"]["name"], "library");
    assert_eq!(info["serverInfo"]["version"], "2.0.0");
    assert_eq!(info["instructions"], "Look things up.");
    let prompts = server.request("prompts/list", json!({})).await;
    assert_eq!(prompts["result"]["prompts"][0]["arguments"][0]["name"], "topic");
    let templates = server.request("resources/templates/list", json!({})).await;
    assert_eq!(templates["result"]["resourceTemplates"][0]["uriTemplate"], "library://books/{isbn}");

    let error = |v: &Value| v["error"]["message"].as_str().unwrap_or_default().to_string();
    let prompt = server.request("prompts/get", json!({"name": "explain", "arguments": {"topic": "rust"}})).await;
    assert_eq!(
        error(&prompt),
        "prompt `explain` is not implemented yet: write `fn prompt_explain` in the `impl Handlers` of src/handlers.rs"
    );
    let missing = server.request("prompts/get", json!({"name": "explain"})).await;
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    let catalog = server.request("resources/read", json!({"uri": "library://catalog"})).await;
    assert_eq!(
        error(&catalog),
        "resource `library://catalog` is not implemented yet: write `fn read_catalog` in the `impl Handlers` of src/handlers.rs"
    );
    let book = server.request("resources/read", json!({"uri": "library://books/978-0"})).await;
    assert!(
        error(&book)
            .starts_with("resource template `library://books/{isbn}` is not implemented yet: write `fn read_book`"),
        "{book}"
    );
    server.stderr().await;
}
