#[test]
fn dump() {
    let p = std::env::var("SPEC").unwrap_or("../fixtures/petstore.yaml".into());
    let doc = mcpgen::load::load(&mcpgen::load::Source::Path(p.into())).unwrap();
    let api = mcpgen::ir::analyze(&doc);
    let set = mcpgen::tools::derive(&doc, &api, &Default::default());
    for w in &set.warnings {
        println!("WARN {w}");
    }
    for t in &set.tools {
        println!(
            "{} {:?} {} {}\n  in: {}\n  out({}): {}\n  params: {:?}\n  body: {:?}",
            t.name,
            t.title,
            t.method.upper(),
            t.path,
            t.input_schema,
            t.output_wrapped,
            t.output_schema.as_ref().map(|v| v.to_string()).unwrap_or_default(),
            t.params,
            t.body
        );
    }
}
