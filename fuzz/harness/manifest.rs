//! `manifest_load`: any text as a tool-schema manifest through the whole generator. It must end
//! in an error (that can be displayed) or in generated files whose Rust parses with `syn` and is
//! ASCII only; never a panic.
//!
//! Not declared in `mod.rs`: it needs the generator, which the runtime's replay of the other
//! targets (`runtime/tests/fuzz_corpus.rs`) does not build. `fuzz_targets/manifest_load.rs` and
//! `generator/tests/fuzz_manifest.rs` include it by path.

use mcpgen::load::Source;
use mcpgen::{InputKind, Settings};

pub fn run_manifest_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut settings = Settings::new("fuzz.json").input_kind(InputKind::Manifest);
    settings.spec = Source::Text { name: "fuzz.json".into(), text, base_dir: None };
    match mcpgen::generate(&settings) {
        Ok(generation) => {
            for file in generation.files.iter().filter(|f| f.path.ends_with(".rs")) {
                if let Err(e) = syn::parse_file(&file.contents) {
                    panic!("{} does not parse: {e}\n{}", file.path, file.contents);
                }
                assert!(file.contents.is_ascii(), "{} is not ASCII", file.path);
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
        }
    }
}
