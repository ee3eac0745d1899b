//! Every golden crate builds, clippy-clean with `-D warnings`, against this checkout's runtime,
//! and cargo takes its `production` profile. Generated crates share one target directory
//! (`target/generated`) so dependencies build once.

mod common;

use common::{FIXTURES, cargo, golden_dir};

/// Runs cargo with `args` in every golden crate; fails naming each crate where it did not succeed.
fn assert_cargo_succeeds_in_every_golden_crate(args: &[&str]) {
    let mut failures = Vec::new();
    for (name, _) in FIXTURES {
        let out = cargo(&golden_dir(name), args);
        if !out.status.success() {
            failures.push(format!("{name}:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_crates_build_without_warnings() {
    assert_cargo_succeeds_in_every_golden_crate(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
}

/// The README's `cargo build --profile production` names a profile cargo accepts: defined, and
/// inheriting from one that exists. (`cargo clean --dry-run` loads the profiles without building:
/// a build with fat LTO takes minutes; its effect is measured in bench/results/2026-12-06-proxy-ceiling.md.)
#[test]
fn golden_crates_define_the_production_profile() {
    assert_cargo_succeeds_in_every_golden_crate(&["clean", "--quiet", "--profile", "production", "--dry-run"]);
}
