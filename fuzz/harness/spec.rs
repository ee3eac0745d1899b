//! The spec loader and the whole generator, on text the fuzzer writes.
//!
//! Inputs are the text of an API description or a tool-schema manifest (YAML or JSON; bytes that
//! are not UTF-8 are read lossily). Local `$ref`s to other files resolve against `fixtures/`, so
//! seeds can reach `recursive/common.yaml`.

use mcpgen::load::{Source, load};
use mcpgen::{InputKind, OutputFile, Settings};
use std::path::PathBuf;

fn source(data: &[u8]) -> Source {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    Source::Text {
        name: "fuzz.yaml".into(),
        text: String::from_utf8_lossy(data).into_owned(),
        base_dir: Some(fixtures),
    }
}

/// `spec_load`: any bytes load to a document or to an error that says where the problem is;
/// never a panic.
pub fn run_spec_load(data: &[u8]) {
    match load(&source(data)) {
        Ok(doc) => assert!(doc.root.is_object(), "a loaded document is an object"),
        Err(e) => assert!(!e.to_string().is_empty(), "errors say what is wrong"),
    }
}

/// `generate`: any description through the whole generator gives an error or a crate whose
/// every Rust file is ASCII and parses with `syn`, whose Cargo.toml holds no raw control
/// character; generating twice gives byte-identical files; nothing panics.
pub fn run_generate(data: &[u8]) {
    let mut settings = Settings::new("fuzz.yaml");
    settings.spec = source(data);
    let first = match mcpgen::generate(&settings) {
        Ok(g) => g,
        Err(mcpgen::Error::Emit(e)) => panic!("the generator wrote code that does not parse: {e}"),
        Err(_) => return,
    };
    check_files(&first.files);
    let second = mcpgen::generate(&settings).expect("the same input generates again");
    assert_eq!(first.files, second.files, "generation is deterministic");
}

/// `manifest_load`: any text as a tool-schema manifest through the whole generator gives an error
/// that can be shown, or a crate that passes [`check_files`]; nothing panics.
pub fn run_manifest_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut settings = Settings::new("fuzz.json").input_kind(InputKind::Manifest);
    settings.spec = Source::Text { name: "fuzz.json".into(), text, base_dir: None };
    match mcpgen::generate(&settings) {
        Ok(generation) => check_files(&generation.files),
        Err(e) => assert!(!e.to_string().is_empty(), "errors say what is wrong"),
    }
}

/// Every Rust file is ASCII and parses with `syn`; Cargo.toml holds no raw control character.
fn check_files(files: &[OutputFile]) {
    for file in files {
        if file.path == "Cargo.toml" {
            // TOML allows no raw control character but newline (and tab) outside strings or in them.
            let bad = file.contents.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\t'));
            assert!(bad.is_none(), "Cargo.toml carries {bad:?}:\n{}", file.contents);
        }
        if file.path.ends_with(".rs") {
            assert!(file.contents.is_ascii(), "{} is not ASCII", file.path);
            if let Err(e) = syn::parse_file(&file.contents) {
                panic!("{} does not parse: {e}\n{}", file.path, file.contents);
            }
        }
    }
}
