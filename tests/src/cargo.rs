//! The workspace's binaries, built once per test process into the workspace's shared target dir.
//!
//! Binaries of this crate (the fixture server) come from `env!("CARGO_BIN_EXE_...")`; cargo builds
//! them before the tests. Binaries of other packages (`examples/hello`, and later generated
//! servers) are built here with `cargo build`, in the profile the tests were built with, so they
//! share every compiled dependency with the test build. Cargo's own lock on the target dir keeps
//! concurrent test binaries from stepping on each other.

use crate::process;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

/// A cold build on a small CI machine is slow; a hung one must still end.
const BUILD_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// Builds binary `bin` of workspace package `package` (once per test process) and returns its path.
/// Panics with cargo's output when the build fails.
pub fn binary(package: &str, bin: &str) -> PathBuf {
    static BUILT: Mutex<Vec<((String, String), PathBuf)>> = Mutex::new(Vec::new());
    // Held across the build: one cargo at a time from this process.
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let key = (package.to_string(), bin.to_string());
    if let Some((_, path)) = built.iter().find(|(k, _)| *k == key) {
        return path.clone();
    }
    let path = build(package, bin).unwrap_or_else(|e| panic!("{e}"));
    built.push((key, path.clone()));
    path
}

/// `examples/hello`, the seed example.
pub fn hello() -> PathBuf {
    binary("hello", "hello")
}

fn build(package: &str, bin: &str) -> Result<PathBuf, String> {
    build_with_env(package, bin, &[]).map(|(path, _)| path)
}

/// Builds binary `bin` of workspace package `package` now (not once per process), with `env` set
/// for cargo and build scripts; returns its path and cargo's output (build-script warnings
/// included), or cargo's output when the build fails. Another build of the same binary replaces
/// the file: copy it before building again.
pub fn build_with_env(package: &str, bin: &str, env: &[(&str, &str)]) -> Result<(PathBuf, String), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.envs(env.iter().copied());
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(crate::workspace::root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(crate::workspace::target_dir())
        .args(["-p", package, "--bin", bin, "--profile", &profile(), "--message-format=json-render-diagnostics"]);
    let out = process::run(&mut cmd, BUILD_TIMEOUT)?;
    if !out.status.success() {
        return Err(format!("building `{bin}` of package `{package}` failed:\n{}", failure(&out)));
    }
    let path = executable(&out.stdout, bin).ok_or_else(|| {
        format!("cargo built `{bin}` of `{package}` but reported no executable for it:\n{}", out.describe())
    })?;
    Ok((path, out.describe()))
}

/// A failed build, told so that its cause survives a log cut to its last lines: the command and
/// status, cargo's stdout without the artifact records (one per compiled crate, hundreds of lines)
/// but with each compiler message's rendered text, then cargo's stderr.
fn failure(out: &process::Output) -> String {
    let messages: Vec<String> = out
        .stdout
        .lines()
        .filter_map(|line| match serde_json::from_str::<Value>(line) {
            Ok(m) if m["reason"] == "compiler-message" => m["message"]["rendered"].as_str().map(str::to_owned),
            Ok(_) => None,
            Err(_) => Some(line.to_owned()),
        })
        .collect();
    out.describe_with("compiler messages", &messages.join("\n"))
}

/// The executable `cargo build --message-format=json` reported for `bin`.
fn executable(messages: &str, bin: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bin)
        .filter(|m| m["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin")))
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

/// The cargo profile the running test binary was built with, read off its location
/// (`<target>/<profile dir>/deps/<test>`): `debug` is the `dev` profile, anything else is its own name.
fn profile() -> String {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let dir = exe.parent().and_then(Path::parent).and_then(Path::file_name).and_then(|n| n.to_str());
    match dir {
        Some("debug") | None => "dev".into(),
        Some(other) => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_in_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"mcpgen_runtime","kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","target":{"name":"hello","kind":["bin"]},"executable":"/t/debug/hello"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(executable(messages, "hello"), Some(PathBuf::from("/t/debug/hello")));
        assert_eq!(executable(messages, "other"), None);
    }

    #[test]
    fn a_failed_build_shows_compiler_errors_and_stderr_but_not_artifacts() {
        let out = process::run(
            Command::new("sh").args([
                "-c",
                r#"echo '{"reason":"compiler-artifact","target":{"name":"dep"}}'
echo '{"reason":"compiler-message","message":{"rendered":"error[E0425]: cannot find value `x`"}}'
echo 'error: could not compile `demo`' >&2; exit 101"#,
            ]),
            Duration::from_secs(10),
        )
        .unwrap();
        let report = failure(&out);
        assert!(report.contains("error[E0425]: cannot find value `x`"), "{report}");
        assert!(report.contains("error: could not compile `demo`"), "{report}");
        let (_command, body) = report.split_once("--- compiler messages ---").unwrap();
        assert!(!body.contains("compiler-artifact"), "{report}");
    }
}
