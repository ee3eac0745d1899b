//! Tool names over the corpus sample CI runs (`--sample 50`, seed 8, GitHub's included): at the
//! default limit, and at the smallest and largest accepted, every name fits and no two tools of a
//! description share one. Names come from the operations alone (`load` + `ir` + `naming`), so
//! this runs in seconds without deriving schemas. Installs the corpus with npm when needed, as
//! the runner does.

#[allow(dead_code)]
#[path = "../src/catalog.rs"]
mod catalog;
#[allow(dead_code)]
#[path = "../src/install.rs"]
mod install;

use mcpgen::tools::naming::{self, DEFAULT_MAX_LEN, MAX_LEN, MIN_LEN};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

#[test]
fn names_fit_and_never_collide_over_the_sample() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let node_modules = install::ensure(crate_dir, &crate_dir.join("../target/corpus")).expect("the corpus installs");
    let sample = catalog::sample(&catalog::all(&node_modules), 50, 8);
    assert!(sample.iter().any(|e| e.name == catalog::GITHUB), "GitHub's description is in the sample");
    let (mut descriptions, mut names, mut shortened, mut github) = (0, 0, 0, None);
    let mut problems = Vec::new();
    for entry in &sample {
        // A description the loader refuses has no tools to name (the runner reports it).
        let Ok(doc) = mcpgen::load::load(&mcpgen::load::Source::Path(entry.path.clone())) else { continue };
        let api = mcpgen::ir::analyze(&doc);
        descriptions += 1;
        for max in [MIN_LEN, DEFAULT_MAX_LEN, MAX_LEN] {
            let assigned = naming::assign(&api.operations, &BTreeMap::new(), max);
            let mut seen = HashSet::new();
            for name in &assigned.names {
                if name.len() > max || name.is_empty() {
                    problems.push(format!("{} at {max}: `{name}` does not fit", entry.name));
                }
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                    problems.push(format!("{} at {max}: `{name}` has a character clients refuse", entry.name));
                }
                if !seen.insert(name) {
                    problems.push(format!("{} at {max}: `{name}` is given twice", entry.name));
                }
            }
            assert_eq!(assigned, naming::assign(&api.operations, &BTreeMap::new(), max), "deterministic");
            if max == DEFAULT_MAX_LEN {
                let n = assigned.shortened_from.iter().flatten().count();
                names += assigned.names.len();
                shortened += n;
                if entry.name == catalog::GITHUB {
                    github = Some((n, assigned.names.len()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert!(descriptions >= 40, "only {descriptions} descriptions loaded");
    let (github_shortened, github_names) = github.expect("GitHub's description loads");
    assert!(github_shortened > 0, "GitHub has names longer than {DEFAULT_MAX_LEN}");
    eprintln!(
        "FIGURE names: {shortened} of {names} names shortened at {DEFAULT_MAX_LEN} over {descriptions} descriptions \
         (GitHub: {github_shortened} of {github_names}); none too long or repeated at {MIN_LEN}, {DEFAULT_MAX_LEN} and {MAX_LEN}"
    );
}
