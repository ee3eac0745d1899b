//! Loading: YAML and JSON, errors that say where, `$ref`s across files, and no panic on any input.

mod common;

use mcpgen::load::{LoadError, Source, SpecVersion, load};
use mcpgen::tools::{ToolOptions, derive};
use serde_json::{Value, json};

fn text(name: &str, text: &str) -> Source {
    Source::Text { name: name.into(), text: text.into(), base_dir: None }
}

#[test]
fn versions_are_detected_and_2_0_is_upgraded() {
    let doc = load(&Source::Path(common::fixture("petstore-swagger2.yaml"))).unwrap();
    assert_eq!(doc.version, SpecVersion::Swagger2);
    assert_eq!(doc.root["servers"], json!([{"url": "https://petstore.example.com/v2"}]));
    assert!(doc.root["components"]["schemas"]["Pet"].is_object());
    assert_eq!(doc.root["paths"]["/pet/{petId}"]["get"]["parameters"][0]["$ref"], "#/components/parameters/petId");
    assert_eq!(load(&Source::Path(common::fixture("petstore.yaml"))).unwrap().version, SpecVersion::OpenApi30);
    assert_eq!(load(&Source::Path(common::fixture("petstore-3.1.json"))).unwrap().version, SpecVersion::OpenApi31);
}

#[test]
fn a_2_0_form_body_is_required_only_when_one_of_its_fields_is() {
    let doc = load(&Source::Path(common::fixture("petstore-swagger2.yaml"))).unwrap();
    let paths = &doc.root["paths"];
    let update = &paths["/pet/{petId}"]["post"]["requestBody"];
    assert_eq!(update["required"], json!(false), "{update}");
    assert!(update["content"]["application/x-www-form-urlencoded"]["schema"].get("required").is_none());
    let upload = &paths["/pet/{petId}/uploadImage"]["post"]["requestBody"];
    assert_eq!(upload["required"], json!(true), "{upload}");
    assert_eq!(upload["content"]["multipart/form-data"]["schema"]["required"], json!(["file"]));
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let err = load(&text("api.yaml", "openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n")).unwrap_err();
    let LoadError::Syntax { line, column, .. } = &err else { panic!("{err}") };
    assert!(*line >= 3 && *column > 0, "{err}");
    assert!(err.to_string().starts_with(&format!("api.yaml:{line}:{column}: invalid YAML")), "{err}");

    let err = load(&text("api.json", "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {,}\n}")).unwrap_err();
    assert!(err.to_string().starts_with("api.json:3:"), "{err}");

    let err = load(&text("x.yaml", "just: a mapping\n")).unwrap_err();
    assert!(err.to_string().contains("no top-level `openapi` or `swagger` field"), "{err}");
    let err = load(&text("x.yaml", "openapi: 4.0.0\n")).unwrap_err();
    assert!(err.to_string().contains("unsupported `openapi: 4.0.0`"), "{err}");
    let err = load(&Source::Path("/nonexistent/spec.yaml".into())).unwrap_err();
    assert!(err.to_string().starts_with("cannot read `/nonexistent/spec.yaml`"), "{err}");
}

#[test]
fn broken_refs_name_the_pointer_and_where_it_was_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.yaml"), "Thing: {type: string}\n").unwrap();
    let spec = r##"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: a
      parameters:
        - $ref: "missing.yaml#/Param"
      responses: {"204": {description: ok}}
  /b:
    get:
      operationId: b
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "other.yaml#/Nope"}
  /c:
    get:
      operationId: c
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "other.yaml#/Thing"}
"##;
    let source = Source::Text { name: "t.yaml".into(), text: spec.into(), base_dir: Some(dir.path().to_path_buf()) };
    let doc = load(&source).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let warnings: Vec<String> = set.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "paths./a.get.parameters[0]: operation skipped: unresolvable $ref `missing.yaml#/Param`: cannot open"
        )),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("unresolvable $ref `other.yaml#/Nope`: `#/Nope` does not exist")),
        "{warnings:#?}"
    );
    let c = set.tools.iter().find(|t| t.name == "c").unwrap();
    assert_eq!(c.output_schema.as_ref().unwrap()["anyOf"][0]["properties"]["result"]["$ref"], "#/$defs/Thing");
    assert_eq!(doc.files.len(), 1, "other.yaml was read: {:?}", doc.files);
}

#[test]
fn ref_loops_and_self_references_end() {
    let spec = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /loop:
    get:
      operationId: loop
      parameters: [{$ref: "#/components/parameters/A"}]
      responses: {"204": {description: ok}}
  /self:
    $ref: "#/paths/~1self"
components:
  parameters:
    A: {$ref: "#/components/parameters/B"}
    B: {$ref: "#/components/parameters/A"}
"##;
    let doc = load(&text("t.yaml", spec)).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    assert!(api.operations.is_empty());
    let w: Vec<String> = api.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|w| w.contains("refers to itself through a loop")), "{w:#?}");
}

/// Every value of every fixture replaced by junk of each JSON type, and every fixture cut short:
/// the whole pipeline, code emission included, must answer with a result or an error, never a panic.
#[test]
fn no_input_makes_the_generator_panic() {
    let junk =
        [Value::Null, json!(7), json!("#/x"), json!([]), json!({}), json!({"$ref": "#"}), json!({"$ref": "#/paths"})];
    let mut runs = 0;
    for (name, file) in common::FIXTURES {
        let original = std::fs::read_to_string(common::fixture(file)).unwrap();
        let doc: Value = mcpgen::load::parse_text(&original, file).unwrap();
        let mut pointers = Vec::new();
        collect_pointers(&doc, String::new(), &mut pointers);
        for (i, pointer) in pointers.iter().enumerate() {
            let mut mutated = doc.clone();
            *mutated.pointer_mut(pointer).unwrap() = junk[i % junk.len()].clone();
            run(name, &mutated.to_string());
            runs += 1;
        }
        for cut in (0..original.len()).step_by(97) {
            if original.is_char_boundary(cut) {
                run(name, &original[..cut]);
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "{runs}");
}

fn run(name: &str, text: &str) {
    let mut settings = mcpgen::Settings::new("unused");
    settings.spec = Source::Text {
        name: format!("{name}.mutated"),
        text: text.into(),
        base_dir: Some(common::workspace().join("fixtures")),
    };
    let _ = mcpgen::generate(&settings);
}

fn collect_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                collect_pointers(child, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                collect_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// What the description leaves out is counted, and a description that leaves out everything says so.
#[test]
fn operations_the_description_excludes_are_counted() {
    let spec = r#"
openapi: 3.0.0
info: {title: t, version: "1"}
x-mcp: false
paths:
  /a:
    get:
      operationId: a
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: b
      x-mcp: true
      responses: {"200": {description: ok}}
"#;
    let settings = |text: &str| {
        let mut s = mcpgen::Settings::new("unused");
        s.spec = Source::Text { name: "t.yaml".into(), text: text.into(), base_dir: None };
        s
    };
    match mcpgen::describe(&settings(spec)).unwrap() {
        mcpgen::Description::OpenApi(set) => {
            assert_eq!(set.excluded, 1);
            assert_eq!(set.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["b"]);
        }
        other => panic!("{other:?}"),
    }
    let none = spec.replace("x-mcp: true", "x-mcp: false");
    let e = mcpgen::generate(&settings(&none)).unwrap_err().to_string();
    assert_eq!(
        e,
        "the description's x-mcp / x-speakeasy-mcp extensions (or an overlay's) exclude all of its 2 operations"
    );
}
