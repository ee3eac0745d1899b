//! Golden files: the crate generated from each fixture, committed under `tests/golden/`.
//! A change in generated code shows up as a diff here. Regenerate them with
//! `MCPGEN_UPDATE_GOLDEN=1 cargo test -p mcpgen --test golden`.

mod common;

use common::{FIXTURES, golden_dir, settings};
use std::collections::BTreeSet;

#[test]
fn generated_crates_match_the_golden_files() {
    let update = std::env::var_os("MCPGEN_UPDATE_GOLDEN").is_some();
    let mut problems = Vec::new();
    for (name, file) in FIXTURES {
        let generation = mcpgen::generate(&settings(name, file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let dir = golden_dir(name);
        let mut expected_files = BTreeSet::new();
        for f in &generation.files {
            expected_files.insert(f.path.clone());
            if f.path.ends_with(".rs") {
                // Spec text in Rust is escaped to ASCII: no invisible or bidirectional characters.
                assert!(f.contents.is_ascii(), "{name}/{}: non-ASCII in generated Rust", f.path);
                syn::parse_file(&f.contents).unwrap_or_else(|e| panic!("{name}/{}: {e}", f.path));
            }
            let path = dir.join(&f.path);
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            if old == f.contents {
                continue;
            }
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &f.contents).unwrap();
            } else {
                problems.push(format!("{name}/{}:\n{}", f.path, first_difference(&old, &f.contents)));
            }
        }
        // Nothing else may sit in a golden crate but what generation writes (and build leftovers).
        for entry in walk(&dir) {
            let rel = entry.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
            if !expected_files.contains(&rel) && rel != "Cargo.lock" {
                if update {
                    std::fs::remove_file(&entry).unwrap();
                } else {
                    problems.push(format!("{name}/{rel}: not generated any more"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "generated code differs from the golden files (run with MCPGEN_UPDATE_GOLDEN=1 to accept):\n\n{}",
        problems.join("\n\n")
    );
}

#[test]
fn generation_is_deterministic() {
    for (name, file) in FIXTURES {
        let a = mcpgen::generate(&settings(name, file)).unwrap();
        let b = mcpgen::generate(&settings(name, file)).unwrap();
        assert_eq!(a.files, b.files, "{file}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// The first differing line with a little context, as a short unified-style excerpt.
fn first_difference(old: &str, new: &str) -> String {
    let (o, n): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let i = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let from = i.saturating_sub(2);
    let mut out = format!("  first difference at line {}\n", i + 1);
    for l in &o[from..(i + 4).min(o.len())] {
        out.push_str(&format!("  - {l}\n"));
    }
    for l in &n[from..(i + 4).min(n.len())] {
        out.push_str(&format!("  + {l}\n"));
    }
    out
}
