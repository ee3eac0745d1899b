//! Schema profiles over the corpus sample CI runs (`--sample 50`, seed 8, GitHub's included):
//! every tool's input schema generated under `portable`, `gemini` and `openai-strict` passes that
//! profile's validator, written from the client's documentation (`mcpgen::tools::profile`). The
//! runner's `--schema-profile` runs also build and call the servers; this checks all three
//! profiles in one pass without building. Installs the corpus with npm when needed, as the runner does.

#[allow(dead_code)]
#[path = "../src/catalog.rs"]
mod catalog;
#[allow(dead_code)]
#[path = "../src/install.rs"]
mod install;

use mcpgen::SchemaProfile;
use mcpgen::tools::{ToolOptions, derive, profile};
use std::path::Path;

#[test]
fn every_profile_holds_its_own_rules_over_the_sample() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let node_modules = install::ensure(crate_dir, &crate_dir.join("../target/corpus")).expect("the corpus installs");
    let sample = catalog::sample(&catalog::all(&node_modules), 50, 8);
    let profiles = [SchemaProfile::Portable, SchemaProfile::Gemini, SchemaProfile::OpenAiStrict];
    let (mut descriptions, mut tools) = (0, [0usize; 3]);
    let mut problems = Vec::new();
    for entry in &sample {
        // A description the loader refuses has no tools (the runner reports it).
        let Ok(doc) = mcpgen::load::load(&mcpgen::load::Source::Path(entry.path.clone())) else { continue };
        let api = mcpgen::ir::analyze(&doc);
        descriptions += 1;
        for (i, &p) in profiles.iter().enumerate() {
            let set = derive(&doc, &api, &ToolOptions { schema_profile: p, ..ToolOptions::default() });
            tools[i] += set.tools.len();
            for t in &set.tools {
                if let Some(v) = profile::check(p, &t.input_schema).first() {
                    problems.push(format!("{} `{}` under {}: {v}", entry.name, t.name, p.as_str()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} tool(s) break their profile:\n{}", problems.len(), problems.join("\n"));
    assert!(descriptions >= 40, "only {descriptions} descriptions loaded");
    assert!(tools.iter().all(|&n| n > 2_000), "tools checked per profile: {tools:?}");
    eprintln!("FIGURE profiles: 0 violations over {descriptions} descriptions; tools per profile {tools:?}");
}
