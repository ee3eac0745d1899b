//! `mcpgen check [DIR]`: exit 0 with one line when the generated files are what `mcpgen generate`
//! would write; exit 1 listing each file otherwise, telling a hand edit (the file no longer
//! matches the hash in its own header) from a file that is out of date with the description.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mcpgen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen")).args(args).current_dir(cwd).output().expect("mcpgen runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A crate generated from a copy of fixtures/petstore.yaml: `(spec copy, crate dir)`.
fn generated(dir: &Path) -> (PathBuf, PathBuf) {
    let spec = dir.join("openapi.yaml");
    std::fs::copy(common::fixture("petstore.yaml"), &spec).unwrap();
    let out = dir.join("pets");
    let o = mcpgen(&["generate", spec.to_str().unwrap(), "-o", out.to_str().unwrap(), "--runtime-version", "0.1"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    (spec, out)
}

#[test]
fn a_fresh_crate_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = generated(dir.path());
    let o = mcpgen(&["check"], &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "OK: 4 generated files match openapi.yaml and mcpgen.toml\n");
    // The user's own files are theirs to change.
    std::fs::write(out.join("src/custom.rs"), "// mine\n").unwrap();
    let o = mcpgen(&["check", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_hand_edit_is_told_apart_from_an_outdated_file() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, out) = generated(dir.path());
    let main_rs = out.join("src/main.rs");
    let edited = std::fs::read_to_string(&main_rs).unwrap().replace("fn main()", "fn main() /* mine */");
    std::fs::write(&main_rs, edited).unwrap();
    let o = mcpgen(&["check", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let said = stderr(&o);
    assert!(said.contains("1 generated file(s)"), "{said}");
    assert!(said.contains("src/main.rs: edited by hand"), "{said}");

    // Regenerating restores it, and says the edit is gone; then the description changes.
    let o = mcpgen(&["generate"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: src/main.rs had been edited by hand"), "{}", stderr(&o));
    assert!(stderr(&o).contains("from ../openapi.yaml (from mcpgen.toml)"), "{}", stderr(&o));
    assert_eq!(mcpgen(&["check"], &out).status.code(), Some(0));
    let text = std::fs::read_to_string(&spec).unwrap().replace("summary: List all pets", "summary: List the pets");
    std::fs::write(&spec, text).unwrap();
    let o = mcpgen(&["check"], &out);
    assert_eq!(o.status.code(), Some(1));
    let said = stderr(&o);
    for f in ["src/generated/mod.rs", "README.md", "src/main.rs", "Cargo.toml"] {
        assert!(said.contains(&format!("{f}: out of date with openapi.yaml; run `mcpgen generate`")), "{f}: {said}");
    }
    assert!(!said.contains("edited by hand"), "{said}");

    // Both at once, each named for what it is; a deleted file is missing.
    let readme = out.join("README.md");
    std::fs::write(&readme, std::fs::read_to_string(&readme).unwrap() + "\nMy notes.\n").unwrap();
    std::fs::remove_file(out.join("src/main.rs")).unwrap();
    let said = stderr(&mcpgen(&["check"], &out));
    assert!(said.contains("README.md: edited by hand"), "{said}");
    assert!(said.contains("src/generated/mod.rs: out of date"), "{said}");
    assert!(said.contains("src/main.rs: missing"), "{said}");

    assert!(mcpgen(&["generate"], &out).status.success());
    assert_eq!(mcpgen(&["check"], &out).status.code(), Some(0));
}

#[test]
fn failures_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = mcpgen(&["check"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let said = stderr(&o);
    assert!(said.contains("has no mcpgen.toml"), "{said}");
    assert!(said.contains("mcpgen generate SPEC -o ."), "how to create one: {said}");

    let (spec, out) = generated(dir.path());
    std::fs::remove_file(&spec).unwrap();
    let o = mcpgen(&["check", out.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let said = stderr(&o);
    assert!(said.contains("cannot regenerate from openapi.yaml: cannot read"), "{said}");
}

#[test]
fn manifest_crates_are_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("tools.json");
    std::fs::copy(common::fixture("manifests/notes.json"), &manifest).unwrap();
    let out = dir.path().join("notes");
    let o = mcpgen(
        &["generate", manifest.to_str().unwrap(), "-o", out.to_str().unwrap(), "--input-kind", "manifest"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let recorded = std::fs::read_to_string(out.join("mcpgen.toml")).unwrap();
    assert!(recorded.contains("input = \"manifest\""), "the forced kind is recorded: {recorded}");
    let o = mcpgen(&["check"], &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("OK: 5 generated files match tools.json"), "{}", stdout(&o));

    let types = out.join("src/generated/types.rs");
    std::fs::write(&types, std::fs::read_to_string(&types).unwrap() + "// mine\n").unwrap();
    let o = mcpgen(&["check"], &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("src/generated/types.rs: edited by hand"), "{}", stderr(&o));
}
