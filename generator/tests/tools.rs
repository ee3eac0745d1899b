//! From fixtures to tool definitions: the rules of DESIGN.md §5, checked on real descriptions.

mod common;

use mcpgen::ir::{BodyKind, Method, ParamLocation, Style};
use mcpgen::load::{Source, load};
use mcpgen::tools::{BodyArgs, Filter, ToolDef, ToolOptions, derive};
use serde_json::{Value, json};

fn tools_of(file: &str, options: &ToolOptions) -> (Vec<ToolDef>, Vec<String>) {
    let doc = load(&Source::Path(common::fixture(file))).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, options);
    (set.tools, set.warnings.iter().map(|w| w.to_string()).collect())
}

/// The response's own schema inside the output schema a tool advertises (which also admits a
/// shaped answer: `{"anyOf": [response, shaped]}`).
fn response_schema(t: &ToolDef) -> &Value {
    &t.output_schema.as_ref().expect("an output schema")["anyOf"][0]
}

fn tool<'a>(tools: &'a [ToolDef], name: &str) -> &'a ToolDef {
    tools.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no tool {name}"))
}

#[test]
fn swagger2_is_upgraded_body_form_and_multipart() {
    let (tools, warnings) = tools_of("petstore-swagger2.yaml", &ToolOptions::default());
    assert!(warnings.is_empty(), "{warnings:?}");
    let add = tool(&tools, "addPet");
    let body = add.body.as_ref().unwrap();
    assert_eq!((body.kind, body.media_type.as_str()), (BodyKind::Json, "application/json"));
    let props = add.input_schema["properties"].as_object().unwrap();
    assert!(
        props.contains_key("name") && props.contains_key("photoUrls") && !props.contains_key("id"),
        "readOnly id is not an input: {props:?}"
    );
    assert_eq!(add.input_schema["required"], json!(["name", "photoUrls"]));
    assert_eq!(add.input_schema["properties"]["status"]["type"], json!(["string", "null"]), "x-nullable");
    assert_eq!(add.input_schema["$defs"]["Category"]["type"], "object", "definitions become local $defs");

    let find = tool(&tools, "findPetsByStatus");
    assert_eq!((find.params[0].style, find.params[0].explode), (Style::Form, true), "collectionFormat multi");
    assert!(find.output_wrapped);

    let form = tool(&tools, "updatePetWithForm").body.as_ref().unwrap();
    assert_eq!((form.kind, form.media_type.as_str()), (BodyKind::Form, "application/x-www-form-urlencoded"));
    let upload = tool(&tools, "uploadFile");
    let multi = upload.body.as_ref().unwrap();
    assert_eq!(multi.kind, BodyKind::Multipart);
    let BodyArgs::Fields(fields) = &multi.args else { panic!() };
    assert!(fields.iter().any(|f| f.name == "file" && f.binary));
    assert_eq!(upload.input_schema["properties"]["file"]["contentEncoding"], "base64");
    assert_eq!(upload.input_schema["properties"]["petId"]["type"], "integer", "global parameter $ref");
}

#[test]
fn openapi_31_json_and_name_clashes() {
    let (tools, _) = tools_of("petstore-3.1.json", &ToolOptions::default());
    let replace = tool(&tools, "replacePet");
    // The body's `id` keeps its name; the path parameter takes a location suffix.
    assert_eq!(replace.params[0].arg, "id_path");
    assert_eq!(replace.params[0].name, "id");
    assert!(replace.input_schema["properties"]["id"].is_object());
    assert!(replace.annotations.idempotent);
    assert!(!replace.annotations.destructive);
    let health = tool(&tools, "get_health");
    assert!(health.security.is_empty(), "`security: []` overrides the document's default");
    assert!(health.output_schema.is_none(), "text responses promise no structure");
    let list = tool(&tools, "listPets");
    assert_eq!(list.security, vec![vec!["bearerAuth".to_string()]]);
    assert_eq!(response_schema(list)["properties"]["result"]["items"]["$ref"], "#/$defs/Pet");
    // What the tool advertises admits the runtime's shaped answer (a jq filter's, or a cut one).
    let shaped: Value = serde_json::from_str(mcpgen::tools::shaping::SHAPED_OUTPUT).unwrap();
    assert_eq!(list.output_schema.as_ref().unwrap()["anyOf"][1], shaped);
    assert_eq!(list.jq_filter.as_deref(), Some("jq_filter"));
    assert_eq!(list.input_schema["properties"]["jq_filter"]["type"], "string");
    assert_eq!(health.jq_filter, None, "no JSON answer, no filter");
}

#[test]
fn everything_covers_styles_bodies_and_skips_with_reasons() {
    let (tools, warnings) = tools_of("everything.yaml", &ToolOptions::default());
    assert!(warnings.iter().any(|w| w.contains("paths./broken.get.parameters[0]: operation skipped: unresolvable $ref `#/components/parameters/DoesNotExist`")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("`{missing}` has no matching `in: path` parameter")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("mtls: security scheme not supported: mutual TLS")), "{warnings:?}");
    let put = tool(&tools, "putThing");
    assert_eq!(put.params.iter().map(|p| p.arg.as_str()).collect::<Vec<_>>(), ["name_path", "size_query"]);
    assert_eq!(put.input_schema["required"], json!(["name_path", "name"]));
    let q = tool(&tools, "queryStyles");
    let styles: Vec<(Style, bool)> = q.params.iter().map(|p| (p.style, p.explode)).collect();
    assert!(styles.contains(&(Style::DeepObject, true)) && styles.contains(&(Style::PipeDelimited, false)));
    assert!(q.params.iter().any(|p| p.name == "filter" && p.json), "content-typed parameters are JSON");
    let h = tool(&tools, "headersAndCookies");
    assert!(h.params.iter().all(|p| p.name != "Authorization"));
    assert!(h.params.iter().any(|p| p.location == ParamLocation::Cookie));
    assert_eq!(
        tool(&tools, "postArray").input_schema["properties"]["body"]["type"],
        "array",
        "non-object bodies sit under `body`"
    );
    assert_eq!(response_schema(tool(&tools, "postArray"))["properties"]["result"]["type"], "integer");
    assert_eq!(tool(&tools, "putBinary").body.as_ref().unwrap().kind, BodyKind::Binary);
    assert_eq!(tool(&tools, "postText").body.as_ref().unwrap().kind, BodyKind::Text);
    let unnamed = tool(&tools, "delete_no-operation-id_id");
    assert!(unnamed.description.starts_with("Deprecated."));
    assert!(unnamed.annotations.destructive);
}

#[test]
fn recursive_schemas_stay_finite_across_files() {
    let (tools, warnings) = tools_of("recursive.yaml", &ToolOptions::default());
    assert!(warnings.is_empty(), "{warnings:?}");
    let plant = tool(&tools, "plantTree");
    let defs = plant.input_schema["$defs"].as_object().unwrap();
    assert_eq!(defs.keys().collect::<Vec<_>>(), ["A", "B", "ListItem", "Node"]);
    assert_eq!(defs["Node"]["properties"]["children"]["items"]["$ref"], "#/$defs/Node");
    assert_eq!(defs["ListItem"]["type"], json!(["object", "null"]));
    let person = tool(&tools, "getPerson");
    let out = person.output_schema.as_ref().unwrap();
    assert_eq!(response_schema(person)["properties"]["friends"]["items"]["$ref"], "#/$defs/Person");
    assert_eq!(out["$defs"]["Pet"]["properties"]["owner"]["$ref"], "#/$defs/Person", "a cycle through another file");
    assert_eq!(person.input_schema["properties"]["id"]["type"], "integer", "a parameter from another file");
    for t in &tools {
        jsonschema::draft202012::new(&t.input_schema).unwrap();
    }
}

#[test]
fn hostile_names_are_sanitized_unique_and_bounded() {
    let (tools, warnings) = tools_of("hostile.json", &ToolOptions::default());
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"a_b") && names.contains(&"a_b_9030d1"), "{names:?}");
    assert!(names.contains(&"delete_files_path"), "non-ASCII operationIds fall back to method + path");
    assert!(names.contains(&"crate_main_r_super"));
    for n in &names {
        assert!(n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{n}");
    }
    assert!(warnings.iter().any(|w| w.contains("is not a valid HTTP header name")), "{warnings:?}");
    assert!(
        warnings.iter().all(|w| !w.contains('\r') && !w.contains('\n')),
        "warnings are one line each: {warnings:?}"
    );
}

#[test]
fn filters_select_by_tag_operation_path_and_method() {
    let count = |filter: Filter| tools_of("petstore-3.1.json", &ToolOptions { filter, ..Default::default() }).0.len();
    assert_eq!(count(Filter::default()), 6);
    assert_eq!(count(Filter { tags: vec!["meta".into()], ..Default::default() }), 1);
    assert_eq!(count(Filter { methods: vec![Method::Get], ..Default::default() }), 3);
    assert_eq!(count(Filter { paths: vec!["/pets/*".into()], ..Default::default() }), 3);
    assert_eq!(count(Filter { operations: vec!["*Pet".into()], ..Default::default() }), 4);
    assert_eq!(count(Filter { paths: vec!["/pets*".into()], methods: vec![Method::Delete], ..Default::default() }), 1);
    let (names, _) = tools_of(
        "hostile.json",
        &ToolOptions { filter: Filter { methods: vec![Method::Post], ..Default::default() }, ..Default::default() },
    );
    assert_eq!(names[0].name, "a_b_9030d1", "filtering never renames a tool");
}

#[test]
fn annotations_follow_the_method() {
    let (tools, _) = tools_of("petstore.yaml", &ToolOptions::default());
    let a = |n: &str| tool(&tools, n).annotations;
    assert!(a("listPets").read_only && !a("listPets").destructive);
    assert!(!a("createPet").read_only && !a("createPet").idempotent && !a("createPet").destructive);
    assert!(a("deletePet").destructive && a("deletePet").idempotent);
    let show = tool(&tools, "showPetById");
    assert_eq!(show.output_schema.as_ref().unwrap()["type"], "object", "an allOf of objects is an object");
    assert!(!show.output_wrapped);
    let _: &Value = &show.input_schema;
}

#[test]
fn names_can_be_chosen_per_operation() {
    let names = [
        ("listPets".to_string(), "list_all_pets".to_string()),
        ("DELETE /pets/{id}".to_string(), "remove pet!".to_string()),
    ];
    let options = ToolOptions { names: names.into_iter().collect(), ..Default::default() };
    let (tools, _) = tools_of("petstore-3.1.json", &options);
    assert!(tools.iter().any(|t| t.name == "list_all_pets"));
    assert!(tools.iter().any(|t| t.name == "remove_pet"), "chosen names are sanitized too");
}

#[test]
fn huge_schema_graphs_are_cut_at_a_budget() {
    let mut schemas = serde_json::Map::new();
    for i in 0..100 {
        schemas.insert(
            format!("M{i}"),
            json!({"type": "object", "properties": {"next": {"$ref": format!("#/components/schemas/M{}", i + 1)}, "v": {"type": "string"}}}),
        );
    }
    let spec = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/m": {"get": {"operationId": "m", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/M0"}}}}}}}},
        "components": {"schemas": schemas}
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let out = set.tools[0].output_schema.as_ref().unwrap();
    let defs = out["$defs"].as_object().unwrap();
    assert!(defs.len() <= mcpgen::tools::MAX_DEFS, "{}", defs.len());
    let cut = defs.values().find(|d| d["properties"]["next"].get("$comment").is_some()).expect("a cut reference");
    assert!(cut["properties"]["next"]["$comment"].as_str().unwrap().contains("left out to keep this schema small"));
    let validator = jsonschema::draft202012::new(out).unwrap();
    assert!(validator.is_valid(&json!({"next": {"next": {"v": "deep"}}})));
}

#[test]
fn a_required_body_field_without_a_property_is_still_an_argument() {
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/e": {"post": {"operationId": "e", "responses": {"200": {"description": "ok"}},
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"known": {"type": "boolean"}},
                "required": ["known", "unknown one"]
            }}}}}}}
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let input = &set.tools[0].input_schema;
    assert_eq!(input["required"], json!(["known", "unknown one"]), "{input}");
    assert!(input["properties"]["unknown one"].is_object(), "{input}");
    let validator = jsonschema::draft202012::new(input).unwrap();
    assert!(validator.is_valid(&json!({"known": true, "unknown one": [1]})));
    assert!(!validator.is_valid(&json!({"known": true})));
    let Some(BodyArgs::Fields(fields)) = set.tools[0].body.as_ref().map(|b| &b.args) else { panic!("fields") };
    assert!(fields.iter().any(|f| f.name == "unknown one"));
}

#[test]
fn a_fragment_in_a_path_key_is_not_part_of_the_request_path() {
    let spec = json!({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/tags/{arn}#tagKeys": {"delete": {"operationId": "untag", "responses": {"204": {"description": "ok"}},
                "parameters": [
                    {"name": "arn", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "tagKeys", "in": "query", "required": true, "schema": {"type": "array", "items": {"type": "string"}}}
                ]}},
            "/tags/{arn}": {"get": {"operationId": "list", "responses": {"200": {"description": "ok"}},
                "parameters": [{"name": "arn", "in": "path", "required": true, "schema": {"type": "string"}}]}}
        }
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    assert_eq!(tool(&set.tools, "untag").path, "/tags/{arn}");
    assert_eq!(tool(&set.tools, "untag").method, Method::Delete);
    assert_eq!(tool(&set.tools, "list").path, "/tags/{arn}");
    assert!(tool(&set.tools, "untag").at.contains("#tagKeys"), "{}", tool(&set.tools, "untag").at);
}

#[test]
fn a_path_parameter_in_the_fragment_of_a_path_key_is_not_an_argument() {
    // mastercard's masterpassqr: `/send/#env/v1/partners/{partnerId}/merchant/transfer`; the
    // request path is `/send/`, and `partnerId` could never be sent.
    let spec = json!({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/send/#env/v1/partners/{partnerId}/merchant/transfer": {"post": {"operationId": "transfer",
                "responses": {"200": {"description": "ok"}},
                "parameters": [{"name": "partnerId", "in": "path", "required": true, "schema": {"type": "string"}}]}}
        }
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let transfer = tool(&set.tools, "transfer");
    assert_eq!(transfer.path, "/send/");
    assert!(transfer.params.iter().all(|p| p.name != "partnerId"), "{:?}", transfer.params);
    assert!(transfer.input_schema["properties"].get("partnerId").is_none(), "{}", transfer.input_schema);
    let warnings: Vec<String> = api.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings.iter().any(|w| w.contains("`partnerId` is in the path's fragment (after `#`), which is never sent")),
        "{warnings:?}"
    );
}

#[test]
fn a_deep_first_argument_leaves_the_budget_for_the_others_definitions() {
    let mut schemas = serde_json::Map::new();
    for i in 0..40 {
        schemas.insert(
            format!("Deep{i}"),
            json!({"type": "object", "properties": {"next": {"$ref": format!("#/components/schemas/Deep{}", i + 1)}}}),
        );
    }
    schemas.insert(
        "Period".into(),
        json!({"type": "object", "required": ["start"], "properties": {"start": {"type": "string"}}}),
    );
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/cost": {"post": {"operationId": "cost", "responses": {"200": {"description": "ok"}},
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["A", "Z"],
                "properties": {"A": {"$ref": "#/components/schemas/Deep0"}, "Z": {"$ref": "#/components/schemas/Period"}}
            }}}}}}},
        "components": {"schemas": schemas}
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let input = &set.tools[0].input_schema;
    assert_eq!(input["properties"]["Z"], json!({"$ref": "#/$defs/Period"}), "{input}");
    assert_eq!(input["$defs"]["Period"]["required"], json!(["start"]));
    assert!(input["$defs"].as_object().unwrap().len() <= mcpgen::tools::MAX_DEFS);
}

#[test]
fn a_pattern_no_regex_engine_accepts_is_left_out_and_the_operation_kept() {
    let spec = json!({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a/{name}": {"get": {"operationId": "get", "parameters": [
            {"name": "name", "in": "path", "required": true, "schema": {"type": "string", "pattern": "[^/:|\\000-\\037]+", "minLength": 1}},
            {"name": "ok", "in": "query", "schema": {"type": "string", "pattern": "^[a-z]+$"}}
        ], "responses": {"200": {"description": "ok"}}}}}
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    assert_eq!(set.tools.len(), 1, "{:?}", set.warnings);
    let input = &set.tools[0].input_schema;
    assert!(input["properties"]["name"].get("pattern").is_none(), "{input}");
    assert_eq!(input["properties"]["name"]["minLength"], json!(1));
    assert_eq!(input["properties"]["ok"]["pattern"], json!("^[a-z]+$"));
    let w: Vec<String> = set.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter().any(|w| w.contains("paths./a/{name}.get") && w.contains("is not a valid regular expression")),
        "{w:?}"
    );
}

/// OpenAPI says to ignore `Accept`, `Content-Type` and `Authorization` header parameters. The first
/// two go without a word (the runtime sets them from the operation's media types); `Authorization`
/// gets a warning, since credentials come from security schemes instead.
#[test]
fn reserved_header_parameters_are_left_out_and_only_authorization_is_mentioned() {
    let text = r#"{"openapi": "3.0.3", "info": {"title": "h", "version": "1"}, "paths": {"/x": {"get": {
        "operationId": "x",
        "parameters": [
            {"name": "Accept", "in": "header", "schema": {"type": "string"}},
            {"name": "content-type", "in": "header", "schema": {"type": "string"}},
            {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
        ],
        "responses": {"200": {"description": "ok"}}}}}}"#;
    let doc = load(&Source::Text { name: "h.json".into(), text: text.into(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let warnings: Vec<String> = set.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("parameters[2]") && warnings[0].contains("`Authorization` is ignored"),
        "{warnings:?}"
    );
    let args: Vec<&String> = set.tools[0].input_schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(args, ["X-Trace"]);
}

#[test]
fn path_keys_with_a_query_servers_and_unserializable_parameters() {
    let (tools, warnings) = tools_of("everything.yaml", &ToolOptions::default());

    // `?filename={filename}`: the fixed part leaves the path, the variable (declared `in: path`)
    // becomes the query parameter it is on the wire.
    let export = tool(&tools, "exportList");
    assert_eq!(export.path, "/lists/{list_id}/export?filename={filename}", "the key, as names and messages show it");
    assert_eq!((export.url_path.as_str(), export.fixed_query.as_slice()), ("/lists/{list_id}/export", &[][..]));
    let filename = export.params.iter().find(|p| p.arg == "filename").unwrap();
    assert_eq!((filename.location, filename.style, filename.explode), (ParamLocation::Query, Style::Form, true));
    assert_eq!(export.input_schema["properties"]["filename"]["pattern"], "\\.csv$", "the declared schema stays");
    assert_eq!(export.input_schema["required"], json!(["list_id", "filename"]));

    // `?convert={convert}` with no parameter at all: a required string, no warning.
    let upload = tool(&tools, "post_uploads");
    assert_eq!(upload.url_path, "/uploads");
    assert_eq!(upload.params[0].name, "convert");
    assert_eq!(upload.input_schema["properties"]["convert"], json!({"type": "string"}));
    assert!(!warnings.iter().any(|w| w.contains("convert")), "{warnings:?}");

    // Fixed pairs are sent and name the tool; sibling operations on one path stay apart.
    let acl = tool(&tools, "get_buckets_bucket_acl");
    assert_eq!(
        (acl.url_path.as_str(), acl.fixed_query.clone()),
        ("/buckets/{bucket}", vec![("acl".to_string(), None)])
    );
    assert!(tool(&tools, "getBucket").fixed_query.is_empty());
    let rest = tool(&tools, "restThings");
    assert_eq!(
        rest.fixed_query,
        [("method".to_string(), Some("things.list".to_string())), ("format".to_string(), Some("json".to_string()))]
    );

    // Servers: the path item's (variables at their defaults), the operation's over it, none elsewhere.
    assert_eq!(tool(&tools, "getMedia").server.as_deref(), Some("https://media.example.com/v2"));
    assert_eq!(tool(&tools, "deleteMedia").server.as_deref(), Some("/admin"));
    assert!(tools.iter().filter(|t| !t.name.ends_with("Media")).all(|t| t.server.is_none()));

    // An array of objects in the query: left out, named; the JSON-content one is kept.
    let sorted = tool(&tools, "sortedThings");
    let args: Vec<&str> = sorted.params.iter().map(|p| p.arg.as_str()).collect();
    assert_eq!(args, ["order", "page"]);
    assert!(sorted.params[0].json);
    assert!(
        warnings.iter().any(
            |w| w.starts_with("paths./sorted.get.parameters[0]: query parameter `sortings` is an array of objects")
        ),
        "{warnings:?}"
    );
}

#[test]
fn unsendable_path_key_queries_and_required_arrays_of_objects_skip_the_operation() {
    let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a?{name}=x:
    get: {operationId: varName, responses: {"204": {description: ok}}}
  /b?q=pre{v}:
    get:
      operationId: mixed
      parameters: [{name: v, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /c:
    get:
      operationId: requiredObjects
      parameters:
        - {name: f, in: query, required: true, schema: {type: array, items: {type: array, items: {type: string}}}}
      responses: {"204": {description: ok}}
"##;
    let doc = load(&Source::Text { name: "t.yaml".into(), text: yaml.into(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    assert!(api.operations.is_empty(), "{:?}", api.operations);
    let w: Vec<String> = api.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].starts_with("paths./a?{name}=x.get: operation skipped: the query `{name}=x`"), "{w:?}");
    assert!(w[1].contains("`q=pre{v}` in the path key mixes a variable with text"), "{w:?}");
    assert!(w[2].contains("parameters[0]: operation skipped: query parameter `f` is an array of arrays"), "{w:?}");
}

/// Every `$ref` string anywhere in `v` (a discriminator's `mapping` values are references too).
fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                match c {
                    Value::String(s) if k == "$ref" || s.starts_with("#/") => out.push(s.clone()),
                    _ => refs_in(c, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| refs_in(c, out)),
        _ => {}
    }
}

/// Microsoft Graph's base type maps every subtype (1,500 of them) in its `discriminator`: that
/// mapping, copied into every tool's schema, made the generated crate grow past a gigabyte. The
/// schemas keep `propertyName` and their `oneOf`, and refer to nothing outside themselves.
#[test]
fn a_discriminator_mapping_is_not_copied_into_tool_schemas() {
    let mut schemas = serde_json::Map::new();
    let mut mapping = serde_json::Map::new();
    for i in 0..50 {
        schemas.insert(
            format!("Sub{i}"),
            json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {format!("f{i}"): {"type": "string"}}}]}),
        );
        mapping.insert(format!("#sub{i}"), json!(format!("#/components/schemas/Sub{i}")));
    }
    schemas.insert(
        "Base".into(),
        json!({"type": "object", "properties": {"kind": {"type": "string"}, "id": {"type": "string"}},
               "required": ["kind"], "discriminator": {"propertyName": "kind", "mapping": mapping}}),
    );
    schemas.insert(
        "Either".into(),
        json!({"oneOf": [{"$ref": "#/components/schemas/Sub1"}, {"$ref": "#/components/schemas/Sub2"}],
               "discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/Sub1", "b": "#/components/schemas/Sub2"}}}),
    );
    let ok = |schema: Value| json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}});
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {
            "/sub": {"post": {"operationId": "sub",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Sub3"}}}},
                "responses": ok(json!({"$ref": "#/components/schemas/Sub3"}))}},
            "/either": {"get": {"operationId": "either", "responses": ok(json!({"$ref": "#/components/schemas/Either"}))}}
        },
        "components": {"schemas": schemas}
    });
    let doc = load(&Source::Text { name: "t.json".into(), text: spec.to_string(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    assert_eq!(set.tools.len(), 2, "{:?}", set.warnings);
    for t in &set.tools {
        for schema in [Some(&t.input_schema), t.output_schema.as_deref()].into_iter().flatten() {
            let text = schema.to_string();
            assert!(!text.contains("\"mapping\""), "{}: {text}", t.name);
            let mut refs = Vec::new();
            refs_in(schema, &mut refs);
            assert!(refs.iter().all(|r| r.starts_with("#/$defs/")), "{}: refers outside itself: {refs:?}", t.name);
            jsonschema::draft202012::new(schema).unwrap_or_else(|e| panic!("{}: {e}", t.name));
        }
    }
    let either = tool(&set.tools, "either").output_schema.as_ref().unwrap();
    assert_eq!(either["$defs"]["Either"]["discriminator"], json!({"propertyName": "kind"}));
    assert_eq!(either["$defs"]["Either"]["oneOf"].as_array().unwrap().len(), 2);
    let sub = tool(&set.tools, "sub");
    assert!(sub.input_schema["properties"].get("kind").is_some() && sub.input_schema["properties"].get("f3").is_some());
    let out = sub.output_schema.as_ref().unwrap();
    let validator = jsonschema::draft202012::new(out).unwrap();
    assert!(validator.is_valid(&json!({"kind": "#sub3", "f3": "x"})));
    assert!(!validator.is_valid(&json!({"f3": "x"})), "`kind` is still required through Base");
}

/// Framing headers (azure monitor's required `Content-Length` header parameter) are the HTTP
/// client's to set: an argument's value would contradict the body sent.
#[test]
fn framing_header_parameters_are_left_out_with_a_warning() {
    let text = r#"{"openapi": "3.0.3", "info": {"title": "h", "version": "1"}, "paths": {"/x": {"post": {
        "operationId": "x",
        "parameters": [
            {"name": "Content-Length", "in": "header", "required": true, "schema": {"type": "integer"}},
            {"name": "Host", "in": "header", "schema": {"type": "string"}},
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "ok"}}}}}}"#;
    let doc = load(&Source::Text { name: "h.json".into(), text: text.into(), base_dir: None }).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = derive(&doc, &api, &ToolOptions::default());
    let warnings: Vec<String> = set.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains("parameters[0]")
            && warnings[0].contains("`Content-Length` is ignored (the HTTP client sets it"),
        "{warnings:?}"
    );
    assert!(warnings[1].contains("`Host` is ignored"), "{warnings:?}");
    let props = set.tools[0].input_schema["properties"].as_object().unwrap();
    assert!(
        props.contains_key("X-Trace") && !props.contains_key("Content-Length") && !props.contains_key("Host"),
        "{props:?}"
    );
}
