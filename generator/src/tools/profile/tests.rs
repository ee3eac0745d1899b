use super::*;
use serde_json::json;

fn portable(schema: &Value) -> Value {
    apply(SchemaProfile::Portable, schema).schema
}

fn violations(profile: SchemaProfile, schema: &Value) -> Vec<String> {
    check(profile, schema).iter().map(ToString::to_string).collect()
}

fn assert_clean(profile: SchemaProfile, schema: &Value) {
    let v = violations(profile, schema);
    assert!(v.is_empty(), "{profile}: {v:#?}\n{schema:#}");
    crate::tools::check_schema(schema).unwrap_or_else(|e| panic!("{profile}: not JSON Schema: {e}\n{schema:#}"));
}

/// A tool schema with a `Node` tree (`children: [Node]`, `parent: Node`), a `Pet` reached twice,
/// and a bit of everything the profiles rewrite.
fn sample() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "The id."},
            "when": {"type": "string", "format": "date-time"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
            "kind": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "maybe": {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
            "node": {"$ref": "#/$defs/Node", "description": "The tree."},
            "pet": {"$ref": "#/$defs/Pet"},
            "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}},
            "both": {"allOf": [{"$ref": "#/$defs/Pet"}, {"type": "object", "properties": {"extra": {"type": "boolean"}}, "required": ["extra"]}]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "anything": {"description": "Required by the API, which gives it no schema."},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "page[size]": {"type": "integer"},
            "fixed": {"const": "x"}
        },
        "required": ["id", "pet"],
        "additionalProperties": false,
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z]+$"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    "parent": {"$ref": "#/$defs/Node"}
                },
                "required": ["name"]
            },
            "Pet": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"]}},
                "required": ["name"]
            }
        }
    })
}

#[test]
fn names_round_trip() {
    for p in SchemaProfile::ALL {
        assert_eq!(SchemaProfile::parse(p.as_str()), Some(p));
    }
    assert_eq!(SchemaProfile::parse("strict"), None);
    assert_eq!(SchemaProfile::default(), SchemaProfile::Full);
}

#[test]
fn full_is_the_schema_unchanged() {
    let s = sample();
    let p = apply(SchemaProfile::Full, &s);
    assert_eq!(p.schema, s);
    assert!(p.null_absent.is_empty() && p.renamed.is_empty());
}

#[test]
fn portable_inlines_references_and_drops_defs() {
    let out = portable(&sample());
    let text = out.to_string();
    assert!(!text.contains("$ref") && !text.contains("$defs"), "{out:#}");
    assert_eq!(out["properties"]["pet"]["properties"]["name"], json!({"type": "string"}));
    assert_eq!(out["properties"]["pets"]["items"]["required"], json!(["name"]));
    // The reference's own description wins over its target's.
    assert_eq!(out["properties"]["node"]["description"], json!("The tree."));
    assert_clean(SchemaProfile::Portable, &out);
}

#[test]
fn portable_cuts_cycles_at_a_bounded_depth_and_says_so() {
    let out = portable(&sample());
    let node = &out["properties"]["node"];
    // Node is opened, then opened once more inside itself, then cut.
    let inner = &node["properties"]["parent"];
    assert_eq!(inner["properties"]["name"]["type"], json!("string"), "{node:#}");
    let cut = &inner["properties"]["parent"];
    assert_eq!(cut["type"], json!("object"));
    assert!(cut.get("properties").is_none(), "{cut:#}");
    let d = cut["description"].as_str().unwrap();
    assert!(d.contains("a Node") && d.contains("nested further than 2 levels"), "{d}");
    let cut_item = &inner["properties"]["children"]["items"];
    assert!(cut_item["description"].as_str().unwrap().contains("shape not shown"), "{cut_item:#}");
}

#[test]
fn portable_bounds_depth_without_cycles() {
    // D0 -> D1 -> ... -> D19, each an object holding the next: no cycle, only depth.
    let mut defs = Map::new();
    for i in 0..20 {
        defs.insert(
            format!("D{i}"),
            json!({"type": "object", "properties": {"next": {"$ref": format!("#/$defs/D{}", i + 1)}, "v": {"type": "string"}}}),
        );
    }
    defs.insert("D20".into(), json!({"type": "string"}));
    let s = json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/D0"}}, "$defs": defs});
    let out = portable(&s);
    let mut at = &out["properties"]["a"];
    let mut levels = 0;
    while let Some(next) = at.get("properties").and_then(|p| p.get("next")) {
        at = next;
        levels += 1;
    }
    assert!(levels <= portable::Limits::PORTABLE.max_level + 1, "{levels}");
    assert!(at["description"].as_str().unwrap().contains("levels down, shape not shown"), "{at:#}");
    assert_clean(SchemaProfile::Portable, &out);
}

#[test]
fn portable_bounds_the_size_of_an_exploding_schema() {
    // Ten references to the next definition in each of nine: 10^9 nodes if all were opened.
    let mut defs = Map::new();
    for i in 0..9 {
        let props: Map<String, Value> =
            (0..10).map(|j| (format!("p{j}"), json!({"$ref": format!("#/$defs/D{}", i + 1)}))).collect();
        defs.insert(format!("D{i}"), json!({"type": "object", "properties": props}));
    }
    defs.insert("D9".into(), json!({"type": "string", "enum": (0..1000).map(|i| i.to_string()).collect::<Vec<_>>()}));
    let s = json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/D0"}}, "$defs": defs});
    let started = std::time::Instant::now();
    for profile in [SchemaProfile::Portable, SchemaProfile::Gemini, SchemaProfile::OpenAiStrict] {
        let out = apply(profile, &s).schema;
        let size = out.to_string().len();
        assert!(size < 2_000_000, "{profile}: {size} bytes");
        assert_clean(profile, &out);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}

#[test]
fn portable_simplifies_unions_and_folds_keywords() {
    let out = portable(&sample());
    let p = &out["properties"];
    // oneOf of bare types → a type array.
    assert_eq!(p["kind"], json!({"type": ["string", "integer"]}));
    // A union with null → the branch, null in its type and enum.
    assert_eq!(p["maybe"], json!({"type": ["string", "null"], "enum": ["a", "b", null]}));
    // allOf merged: properties and required united.
    assert_eq!(p["both"]["properties"]["extra"], json!({"type": "boolean"}));
    assert_eq!(p["both"]["required"], json!(["name", "extra"]));
    assert!(p["both"].get("allOf").is_none());
    // format, pattern, uniqueItems said in words; const an enum.
    assert_eq!(p["id"]["description"], json!("The id. (format: uuid)"));
    assert_eq!(p["when"], json!({"type": "string", "description": "(format: date-time)"}));
    assert_eq!(p["tags"]["description"], json!("(items unique)"));
    assert_eq!(p["fixed"], json!({"enum": ["x"]}));
    assert_eq!(p["node"]["properties"]["name"]["pattern"], json!("^[a-z]+$"));
    // Kept as they are.
    assert_eq!(p["limit"], json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 10}));
    assert_eq!(out["additionalProperties"], json!(false));
}

#[test]
fn gemini_follows_the_schema_object() {
    let p = apply(SchemaProfile::Gemini, &sample());
    let out = &p.schema;
    assert_clean(SchemaProfile::Gemini, out);
    let text = out.to_string();
    assert!(!text.contains("additionalProperties") && !text.contains("$ref"), "{out:#}");
    let props = &out["properties"];
    // Two types: a union of one schema per type.
    assert_eq!(props["kind"], json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}));
    // null is left out (narrowed), the enum of strings kept.
    assert_eq!(props["maybe"], json!({"type": "string", "enum": ["a", "b"]}));
    assert_eq!(props["pet"]["properties"]["age"], json!({"type": "integer"}));
    // An integer enum said in words; an allowed format kept, another folded.
    assert_eq!(props["level"], json!({"type": "integer", "description": "(one of: 1, 2, 3)"}));
    assert_eq!(props["when"]["format"], json!("date-time"));
    assert!(props["id"].get("format").is_none());
    // A map cannot be described: left out, and said so at the top; "any" becomes text.
    assert!(props.get("labels").is_none());
    assert!(out["description"].as_str().unwrap().contains("`labels`"), "{out:#}");
    assert_eq!(props["anything"]["type"], json!("string"));
    // Top-level names Gemini refuses are renamed, and the renames returned.
    assert!(props.get("page[size]").is_none() && props.get("page_size_").is_some(), "{out:#}");
    assert_eq!(p.renamed, vec![("page[size]".to_string(), "page_size_".to_string())]);
    assert_eq!(out["required"], json!(["id", "pet"]));
}

#[test]
fn gemini_takes_one_branch_of_a_union_under_items() {
    let s = json!({"type": "object", "properties": {
        "xs": {"type": "array", "items": {"anyOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"b": {"type": "string"}}}
        ]}},
        "ys": {"type": "array", "items": {"type": ["string", "integer"]}},
        "free": {"type": "array", "items": {"type": "object"}},
        "nested": {"type": "object", "properties": {"m": {"type": "object", "additionalProperties": true}}}
    }});
    let out = apply(SchemaProfile::Gemini, &s).schema;
    assert_clean(SchemaProfile::Gemini, &out);
    assert_eq!(out["properties"]["xs"]["items"]["properties"], json!({"a": {"type": "string"}}));
    assert!(out["properties"]["xs"]["items"]["description"].as_str().unwrap().contains("other shape"));
    assert_eq!(out["properties"]["ys"]["items"]["type"], json!("string"));
    // An array of maps and an object holding only a map: nothing to say, left out.
    assert!(out["properties"].get("free").is_none() && out["properties"].get("nested").is_none(), "{out:#}");
}

#[test]
fn openai_strict_requires_everything_and_makes_optionals_nullable() {
    let p = apply(SchemaProfile::OpenAiStrict, &sample());
    let out = &p.schema;
    assert_clean(SchemaProfile::OpenAiStrict, out);
    let props = &out["properties"];
    let names: Vec<&str> = props.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(out["required"], json!(names));
    assert_eq!(out["additionalProperties"], json!(false));
    // Required stays as it was; optional becomes nullable, enum included.
    assert_eq!(props["id"]["type"], json!("string"));
    assert_eq!(props["id"]["format"], json!("uuid"));
    assert_eq!(props["limit"]["type"], json!(["integer", "null"]));
    assert_eq!(props["level"]["enum"], json!([1, 2, 3, null]));
    // An optional union gains a null branch.
    assert_eq!(props["kind"]["anyOf"], json!([{"type": "string"}, {"type": "integer"}, {"type": "null"}]));
    // `default` is refused in strict mode: said in words.
    assert!(props["limit"]["description"].as_str().unwrap().contains("default: 10"));
    // Nested objects closed and fully required too; a map becomes an empty closed object.
    assert_eq!(props["pet"]["required"], json!(["age", "name"]));
    assert_eq!(props["pet"]["additionalProperties"], json!(false));
    assert_eq!(props["labels"]["properties"], json!({}));
    // Where null means "not given": optional properties that did not allow null already.
    for at in ["/limit", "/kind", "/node", "/node/parent", "/node/children", "/pets/~*/age", "/both/age"] {
        let present = p.null_absent.iter().any(|n| n == at);
        let expected = at != "/pets/~*/age" && at != "/both/age";
        assert_eq!(present, expected, "{at}: {:?}", p.null_absent);
    }
    // `maybe` allowed null itself: a null there is sent as null.
    assert!(!p.null_absent.contains(&"/maybe".to_string()));
    assert!(p.null_absent.contains(&"/page~1size".to_string()) || p.null_absent.contains(&"/page[size]".to_string()));
}

#[test]
fn openai_strict_leaves_out_what_is_nested_past_ten_levels() {
    let mut deep = json!({"type": "string"});
    for i in 0..14 {
        deep = json!({"type": "object", "properties": {format!("l{i}"): deep}, "required": [format!("l{i}")]});
    }
    let s = json!({"type": "object", "properties": {"deep": deep}});
    let out = apply(SchemaProfile::OpenAiStrict, &s).schema;
    assert_clean(SchemaProfile::OpenAiStrict, &out);
    assert!(out.to_string().contains("nested too deep for strict mode"), "{out:#}");
}

#[test]
fn openai_strict_falls_back_when_too_large() {
    let props: Map<String, Value> = (0..6000).map(|i| (format!("p{i}"), json!({"type": "string"}))).collect();
    let s = json!({"type": "object", "properties": {"big": {"type": "object", "properties": props}, "q": {"type": "string"}}});
    let out = apply(SchemaProfile::OpenAiStrict, &s).schema;
    assert_clean(SchemaProfile::OpenAiStrict, &out);
    assert!(out["properties"].get("q").is_some() && out["properties"].get("big").is_none(), "{out:#}");
}

#[test]
fn validators_name_each_broken_rule_with_a_pointer() {
    let full = sample();
    let p = violations(SchemaProfile::Portable, &full);
    assert!(p.iter().any(|v| v.starts_with("/properties/node: keyword `$ref`")), "{p:#?}");
    assert!(p.iter().any(|v| v.starts_with("/properties/id: keyword `format`")), "{p:#?}");
    assert!(p.iter().any(|v| v.contains("`$defs`")), "{p:#?}");

    let g = violations(SchemaProfile::Gemini, &full);
    for expected in [
        "(root): field `additionalProperties`",
        "/$defs/Pet/properties/age: type [\"integer\",\"null\"] is not one type",
        "/properties/level: `enum` other than strings",
        "/properties/id: format \"uuid\"",
        "/properties/anything: no `type`",
        "(root): parameter name `page[size]`",
        "/properties/labels: an object below the top without properties",
    ] {
        assert!(g.iter().any(|v| v.starts_with(expected)), "{expected}: {g:#?}");
    }
    let items = json!({"type": "object", "properties": {"a": {"type": "array", "items": {"anyOf": [{"type": "string"}]}}, "b": {"type": "array"}}});
    let g = violations(SchemaProfile::Gemini, &items);
    assert!(g.iter().any(|v| v.starts_with("/properties/a/items: `anyOf` as an array's items")), "{g:#?}");
    assert!(g.iter().any(|v| v.starts_with("/properties/b: an array without `items`")), "{g:#?}");

    let o = violations(SchemaProfile::OpenAiStrict, &full);
    for expected in [
        "(root): property `limit` is not required",
        "/$defs/Pet: an object without `additionalProperties: false`",
        "/properties/limit: keyword `default`",
        "/properties/both: keyword `allOf`",
        "/properties/anything: no type",
    ] {
        assert!(o.iter().any(|v| v.starts_with(expected)), "{expected}: {o:#?}");
    }
    // `uuid` is a format strict mode takes; `uri` is not.
    assert!(!o.iter().any(|v| v.starts_with("/properties/id: format")), "{o:#?}");
    let uri = json!({"type": "object", "properties": {"u": {"type": "string", "format": "uri"}}, "required": ["u"], "additionalProperties": false});
    assert_eq!(violations(SchemaProfile::OpenAiStrict, &uri), ["/properties/u: format \"uri\" is not supported"]);
    let root_union = json!({"anyOf": [{"type": "object"}]});
    assert!(violations(SchemaProfile::OpenAiStrict, &root_union).iter().any(|v| v.contains("root is not an object")));
    let mut deep = json!({"type": "string"});
    for _ in 0..11 {
        deep = json!({"type": "object", "properties": {"x": deep}, "required": ["x"], "additionalProperties": false});
    }
    let o = violations(SchemaProfile::OpenAiStrict, &deep);
    assert!(o.iter().any(|v| v.contains("nested 11 levels deep")), "{o:#?}");
    let many: Map<String, Value> = (0..5001).map(|i| (format!("p{i}"), json!({"type": "string"}))).collect();
    let names: Vec<String> = many.keys().cloned().collect();
    let wide = json!({"type": "object", "properties": many, "required": names, "additionalProperties": false});
    assert!(violations(SchemaProfile::OpenAiStrict, &wide).iter().any(|v| v.contains("5001 object properties")));
    assert!(violations(SchemaProfile::Full, &full).is_empty());
}

/// Every tool of every fixture, under every profile: its validator finds nothing, the schema is
/// valid JSON Schema, and the renamed arguments are the bindings' names.
#[test]
fn every_fixture_passes_its_validator() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/");
    let fixtures = [
        "everything.yaml",
        "petstore.yaml",
        "petstore-swagger2.yaml",
        "petstore-3.1.json",
        "recursive.yaml",
        "hostile.json",
        "hostile-names.yaml",
    ];
    for fixture in fixtures {
        for profile in SchemaProfile::ALL {
            let settings = crate::Settings::new(format!("{root}{fixture}")).schema_profile(profile);
            let Ok(crate::Description::OpenApi(set)) = crate::describe(&settings) else {
                panic!("{fixture} does not load")
            };
            assert!(!set.tools.is_empty(), "{fixture}");
            for t in &set.tools {
                let v = violations(profile, &t.input_schema);
                assert!(v.is_empty(), "{fixture} {profile} {}: {v:#?}\n{:#}", t.name, t.input_schema);
                crate::tools::check_schema(&t.input_schema).unwrap();
                let props = t.input_schema["properties"].as_object().unwrap();
                // Gemini leaves out what it cannot be told of (a free-form object).
                for b in t.params.iter().filter(|_| profile != SchemaProfile::Gemini) {
                    assert!(props.contains_key(&b.arg), "{fixture} {profile} {}: `{}` not a property", t.name, b.arg);
                }
                if profile != SchemaProfile::OpenAiStrict {
                    assert!(t.null_absent.is_empty());
                }
            }
        }
    }
}
