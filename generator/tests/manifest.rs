//! Tool-schema manifests as input: which kind of input a document is, the errors a malformed
//! manifest gets (each naming its entry), and the crate a good one gives.

mod common;

use mcpgen::load::Source;
use mcpgen::{Error, InputKind, Owner, Settings};
use sha2::{Digest, Sha256};
use std::process::Command;

fn generate(file: &str, kind: InputKind) -> Result<mcpgen::Generation, Error> {
    mcpgen::generate(&Settings::new(common::fixture(file)).input_kind(kind))
}

fn text_settings(name: &str, text: &str) -> Settings {
    let mut s = Settings::new("unused");
    s.spec = Source::Text { name: name.into(), text: text.into(), base_dir: None };
    s
}

/// The problems of a manifest that must not generate.
fn problems(result: Result<mcpgen::Generation, Error>) -> Vec<String> {
    match result {
        Err(Error::Manifest(e)) => e.problems,
        Err(other) => panic!("expected manifest problems, got: {other}"),
        Ok(_) => panic!("expected manifest problems, the manifest generated"),
    }
}

fn file<'a>(g: &'a mcpgen::Generation, path: &str) -> &'a mcpgen::OutputFile {
    g.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}"))
}

#[test]
fn every_bad_tool_entry_is_named() {
    let p = problems(generate("manifests/bad-entries.json", InputKind::Auto));
    let expected = [
        "tools[0]: `name` is missing",
        "tools[2] (name \"twice\"): duplicate name, already used by tools[1]",
        "tools[3] (name \"x\"): inputSchema must be an object schema (a JSON object with \"type\": \"object\")",
        "tools[4] (name \"has space\"): a tool name may only hold A-Z, a-z, 0-9, `_`, `-` and `.`; it has \" \"",
        "tools[5] (name \"bad_schema\"): inputSchema is not a valid JSON Schema: ",
        "tools[6] (name \"no_schema\"): inputSchema is missing",
    ];
    for e in expected {
        assert!(p.iter().any(|p| p.starts_with(e)), "no problem starting with {e:?} in {p:#?}");
    }
    assert_eq!(p.len(), expected.len(), "{p:#?}");
    // The message says which file, and lists them all.
    let message = generate("manifests/bad-entries.json", InputKind::Auto).unwrap_err().to_string();
    assert!(message.starts_with("bad-entries.json: 6 problems in the manifest:\n  tools[0]: "), "{message}");
}

#[test]
fn bad_prompts_resources_and_templates_are_named() {
    let p = problems(generate("manifests/bad-resources.yaml", InputKind::Auto));
    assert_eq!(
        p,
        [
            "prompts[0]: `name` is missing",
            "resources[0]: `uri` is missing",
            "resourceTemplates[0] (uriTemplate \"x://{?query}\"): the URI template has the unsupported expression `{?query}` (only `{var}` and `{+var}` are served)",
        ]
    );
    assert_eq!(
        problems(generate("manifests/tools-not-array.json", InputKind::Auto)),
        ["`tools` must be an array of tool definitions"]
    );
}

#[test]
fn more_malformed_manifests() {
    let cases = [
        (r#"[{"name": "a", "inputSchema": {"type": "object"}}, 7]"#, "tools[1]: must be an object"),
        (r#"{"tools": [], "name": 3}"#, "`name` must be a string"),
        (r#"[]"#, "the manifest has no tools"),
        (r#"[{"name": "", "inputSchema": {"type": "object"}}]"#, "tools[0]: `name` is empty"),
        (
            r#"[{"name": "a", "inputSchema": {"type": "object"}, "outputSchema": {"type": "array"}}]"#,
            "tools[0] (name \"a\"): outputSchema must be an object schema",
        ),
        (
            r#"[{"name": "a", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": 1}}]"#,
            "tools[0] (name \"a\"): annotations.readOnlyHint must be a boolean or a string",
        ),
        (
            r#"{"tools": [{"name": "a", "inputSchema": {"type": "object"}}], "prompts": [{"name": "p", "arguments": [{"name": "x"}, {"name": "x"}]}]}"#,
            "prompts[0] (name \"p\").arguments[1] (name \"x\"): duplicate name, already used by prompts[0] (name \"p\").arguments[0]",
        ),
        (
            r#"{"tools": [{"name": "a", "inputSchema": {"type": "object"}}], "resourceTemplates": [{"uriTemplate": "x://{a}{b}", "name": "t"}]}"#,
            "resourceTemplates[0] (uriTemplate \"x://{a}{b}\"): the URI template has two adjacent variables",
        ),
    ];
    for (text, expected) in cases {
        let p = problems(mcpgen::generate(&text_settings("m.json", text)));
        assert!(p.iter().any(|p| p.starts_with(expected)), "{text}: no {expected:?} in {p:#?}");
    }
    let long = format!(r#"[{{"name": "{}", "inputSchema": {{"type": "object"}}}}]"#, "a".repeat(129));
    let p = problems(mcpgen::generate(&text_settings("m.json", &long)));
    assert!(p[0].ends_with("a tool name has at most 128 characters; it has 129"), "{p:?}");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let text = "{\"tools\": [\n  {\"name\": \"a\",}\n]}";
    let e = mcpgen::generate(&text_settings("tools.json", text)).unwrap_err().to_string();
    assert!(e.starts_with("tools.json:2:16: invalid JSON"), "{e}");
}

#[test]
fn the_kind_of_input_is_detected_or_forced() {
    // A bare YAML array of tools is a manifest.
    let g = generate("manifests/weather.yaml", InputKind::Auto).unwrap();
    let names: Vec<&str> = g.manifest.as_ref().unwrap().tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["get_forecast", "get_alerts"]);
    assert_eq!(g.tool_count(), 2);
    assert!(g.tools.is_empty());
    // An OpenAPI document is still one, and forcing the kind wins over detection.
    assert!(generate("petstore.yaml", InputKind::Auto).unwrap().manifest.is_none());
    let p = problems(generate("petstore.yaml", InputKind::Manifest));
    assert_eq!(p, ["a manifest needs a `tools` array (or is itself an array of tools)"]);
    let e = generate("manifests/notes.json", InputKind::OpenApi).unwrap_err().to_string();
    assert!(e.contains("not an OpenAPI document"), "{e}");
    // Something that is neither says what OpenAPI needs, as before manifests existed.
    let e = mcpgen::generate(&text_settings("x.yaml", "info: {}\n")).unwrap_err().to_string();
    assert!(e.contains("no top-level `openapi` or `swagger` field"), "{e}");
}

#[test]
fn a_manifest_crate_has_typed_arguments_a_trait_and_the_users_handlers() {
    let g = generate("manifests/weather.yaml", InputKind::Auto).unwrap();
    let paths: Vec<(&str, Owner)> = g.files.iter().map(|f| (f.path.as_str(), f.owner)).collect();
    assert_eq!(
        paths,
        [
            ("Cargo.toml", Owner::Generated),
            ("README.md", Owner::Generated),
            (".gitignore", Owner::User),
            ("src/main.rs", Owner::Generated),
            ("src/generated/mod.rs", Owner::Generated),
            ("src/generated/types.rs", Owner::Generated),
            ("src/handlers.rs", Owner::User),
        ]
    );
    let text = std::fs::read(common::fixture("manifests/weather.yaml")).unwrap();
    let sha: String = Sha256::digest(&text).iter().map(|b| format!("{b:02x}")).collect();
    for f in &g.files {
        if f.path.ends_with(".rs") {
            syn::parse_file(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            assert!(f.contents.is_ascii(), "{}", f.path);
        }
        if f.owner == Owner::Generated {
            assert!(f.contents.contains(&format!("from the tool manifest weather.yaml (sha256 {sha})")), "{}", f.path);
        }
    }
    let types = &file(&g, "src/generated/types.rs").contents;
    assert!(types.contains("pub struct GetForecastArgs {"), "{types}");
    assert!(types.contains("pub units: Option<GetForecastArgsUnits>,"), "{types}");
    assert!(types.contains("pub days: Vec<GetForecastOutputDaysItem>,"), "{types}");
    let module = &file(&g, "src/generated/mod.rs").contents;
    assert!(module.contains("fn get_alerts(\n        &self,\n        args: types::GetAlertsArgs,"), "{module}");
    assert!(module.contains("-> impl Future<Output = Result<ToolResult, ToolError>> + Send"), "{module}");
    assert!(file(&g, "src/handlers.rs").contents.contains("impl Handlers for App {}"));
    assert!(file(&g, "Cargo.toml").contents.contains("name = \"weather\""));
}

#[test]
fn hostile_text_stays_in_literals_and_names_become_identifiers() {
    // Also a golden crate, so tests/compile.rs builds it with clippy.
    let g = generate("manifests/hostile.json", InputKind::Auto).unwrap();
    for f in g.files.iter().filter(|f| f.path.ends_with(".rs")) {
        let parsed = syn::parse_file(&f.contents).unwrap_or_else(|e| panic!("{}: {e}\n{}", f.path, f.contents));
        assert!(f.contents.is_ascii(), "{}", f.path);
        // Only the functions mcpgen writes: nothing from the manifest became code.
        for item in &parsed.items {
            if let syn::Item::Fn(func) = item {
                assert!(
                    ["main", "register", "arguments", "app", "server"].contains(&func.sig.ident.to_string().as_str())
                );
            }
        }
    }
    // Tools whose names differ only in case get a method each; names that are keywords are raw.
    let module = syn::parse_file(&file(&g, "src/generated/mod.rs").contents).unwrap();
    let methods: Vec<String> = module
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Trait(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| t.items.iter())
        .filter_map(|i| match i {
            syn::TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(methods.len(), 4, "{methods:?}");
    assert_eq!(methods[0], "r#type");
    assert!(
        methods[1].starts_with("type_") && methods[2].starts_with("type_") && methods[1] != methods[2],
        "{methods:?}"
    );
    assert_eq!(methods[3], "prompt_prompt");
}

fn mcpgen_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen")).args(args).output().unwrap()
}

#[test]
fn the_command_line_detects_manifests_and_takes_input_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("notes_server");
    let notes = common::fixture("manifests/notes.json");
    let o = mcpgen_cli(&[notes.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("Generated 5 tool(s)"), "{err}");
    assert!(out.join("src/handlers.rs").is_file());
    // The user's handlers survive regeneration.
    std::fs::write(out.join("src/handlers.rs"), "// mine\n").unwrap();
    let o = mcpgen_cli(&[notes.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("kept:      src/handlers.rs"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("src/handlers.rs")).unwrap(), "// mine\n");

    let petstore = common::fixture("petstore.yaml");
    let o = mcpgen_cli(&["--input-kind", "manifest", petstore.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error: petstore.yaml: a manifest needs a `tools` array"), "{err}");
    let o = mcpgen_cli(&[notes.to_str().unwrap(), "-o", out.to_str().unwrap(), "--tag", "x"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("error: notes.json: filters (--tag, --operation, --path, --method) and --rename apply to OpenAPI"),
        "{err}"
    );
    let o = mcpgen_cli(&["--input-kind", "wsdl", petstore.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown input kind `wsdl` (expected openapi, manifest or auto)")
    );
}
