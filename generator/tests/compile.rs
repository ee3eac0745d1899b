//! Every golden crate builds, clippy-clean with `-D warnings`, against this checkout's runtime.
//! Generated crates share one target directory (`target/generated`) so dependencies build once.

mod common;

use common::{FIXTURES, cargo, golden_dir};

#[test]
fn golden_crates_build_without_warnings() {
    let mut failures = Vec::new();
    for (name, _) in FIXTURES {
        let out = cargo(&golden_dir(name), &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
        if !out.status.success() {
            failures.push(format!("{name}:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
