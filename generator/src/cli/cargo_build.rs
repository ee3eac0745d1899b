//! `cargo build` of a server crate, with every line cargo prints on stderr (stdout may be a
//! STDIO server's), and the executable it built read from its JSON messages.

use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Cargo options the user passed.
#[derive(Debug, Clone, Default)]
pub(super) struct Options {
    /// The cargo profile to build with (`--release` is `release`); cargo's default when `None`.
    pub profile: Option<String>,
    pub features: Vec<String>,
    pub bin: Option<String>,
    /// A rustup toolchain to build with (`--toolchain`): it must be installed already.
    pub toolchain: Option<String>,
}

/// Builds the crate of `manifest` (into `target_dir` when given) and returns its server binary.
pub(super) fn build(manifest: &Path, target_dir: Option<&Path>, options: &Options) -> Result<PathBuf, String> {
    // Cargo reports canonical paths; compare like with like.
    let manifest =
        &std::fs::canonicalize(manifest).map_err(|e| format!("cannot open `{}`: {e}", manifest.display()))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = match &options.toolchain {
        // Through rustup (not `$CARGO`, which may be one toolchain's own cargo), which must not
        // install anything: a missing toolchain was refused above, and stays an error.
        Some(toolchain) => {
            check_toolchain(toolchain)?;
            let mut cmd = Command::new("rustup");
            cmd.args(["run", toolchain, "cargo"]).env("RUSTUP_AUTO_INSTALL", "0");
            cmd
        }
        None => Command::new(&cargo),
    };
    cmd.arg("build").arg("--manifest-path").arg(manifest).arg("--message-format=json-render-diagnostics");
    if let Some(dir) = target_dir {
        cmd.arg("--target-dir").arg(dir);
    }
    if let Some(profile) = &options.profile {
        cmd.arg("--profile").arg(profile);
    }
    for f in &options.features {
        cmd.arg("--features").arg(f);
    }
    match &options.bin {
        Some(bin) => cmd.arg("--bin").arg(bin),
        None => cmd.arg("--bins"),
    };
    // Rendered diagnostics and progress go to stderr as cargo writes them; stdout carries JSON.
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "cannot run `{}`: not found; install Rust with cargo (https://rustup.rs) or set CARGO to cargo's path",
            cargo.to_string_lossy()
        ),
        _ => format!("cannot run `{}`: {e}", cargo.to_string_lossy()),
    })?;
    let mut messages = Vec::new();
    for line in std::io::BufReader::new(child.stdout.take().expect("stdout is piped")).lines() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<Value>(&line) {
            Ok(m) => messages.push(m),
            // A build script's own output; keep it off stdout.
            Err(_) => eprintln!("{line}"),
        }
    }
    let status = child.wait().map_err(|e| format!("waiting for cargo: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo build` of `{}` failed (its errors are above)", manifest.display()));
    }
    executable(&messages, manifest, options.bin.as_deref())
}

/// Whether rustup has `toolchain` (`stable`, `1.95.0`, `nightly-2026-11-01`, or a full name);
/// the error lists the installed ones and says how to install it (mcpgen never does).
fn check_toolchain(toolchain: &str) -> Result<(), String> {
    let listed = Command::new("rustup").args(["toolchain", "list"]).stdin(Stdio::null()).output().map_err(|e| {
        format!("--toolchain needs rustup, which cannot run ({e}); install Rust with rustup (https://rustup.rs)")
    })?;
    let text = String::from_utf8_lossy(&listed.stdout);
    let installed: Vec<&str> = text.lines().filter_map(|l| l.split_whitespace().next()).collect();
    if installed.iter().any(|name| *name == toolchain || name.starts_with(&format!("{toolchain}-"))) {
        return Ok(());
    }
    Err(format!(
        "the Rust toolchain `{toolchain}` is not installed (rustup has: {}); install it with `rustup toolchain install \
         {toolchain}` and run again (mcpgen never installs one itself)",
        if installed.is_empty() { "none".to_string() } else { installed.join(", ") }
    ))
}

/// The one binary of the package at `manifest` among cargo's messages.
fn executable(messages: &[Value], manifest: &Path, bin: Option<&str>) -> Result<PathBuf, String> {
    let same_manifest = |m: &Value| m["manifest_path"].as_str().is_some_and(|p| Path::new(p) == manifest);
    let mut bins: Vec<(String, PathBuf)> = messages
        .iter()
        .filter(|m| m["reason"] == "compiler-artifact" && same_manifest(m))
        .filter(|m| m["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin")))
        .filter_map(|m| Some((m["target"]["name"].as_str()?.to_string(), PathBuf::from(m["executable"].as_str()?))))
        .collect();
    bins.dedup();
    match (bins.len(), bin) {
        (1, _) => Ok(bins.remove(0).1),
        (0, Some(bin)) => Err(format!("`{}` has no binary named `{bin}`", manifest.display())),
        (0, None) => Err(format!("`{}` has no binary to run (no [[bin]] and no src/main.rs)", manifest.display())),
        (_, _) => Err(format!(
            "`{}` has several binaries ({}); choose one with --bin",
            manifest.display(),
            bins.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn artifact(manifest: &str, name: &str, kind: &str, exe: Option<&str>) -> Value {
        json!({"reason": "compiler-artifact", "manifest_path": manifest, "target": {"name": name, "kind": [kind]}, "executable": exe})
    }

    #[test]
    fn picks_the_binary_of_the_package_built() {
        let m = Path::new("/w/app/Cargo.toml");
        let messages = [
            artifact("/w/runtime/Cargo.toml", "mcpgen_runtime", "lib", None),
            artifact("/w/other/Cargo.toml", "other", "bin", Some("/t/debug/other")),
            artifact("/w/app/Cargo.toml", "app", "bin", Some("/t/debug/app")),
            json!({"reason": "build-finished", "success": true}),
        ];
        assert_eq!(executable(&messages, m, None), Ok(PathBuf::from("/t/debug/app")));
        let two = [messages[2].clone(), artifact("/w/app/Cargo.toml", "admin", "bin", Some("/t/debug/admin"))];
        let e = executable(&two, m, None).unwrap_err();
        assert!(e.contains("several binaries (app, admin); choose one with --bin"), "{e}");
        assert!(executable(&messages[..2], m, None).unwrap_err().contains("no binary to run"));
    }
}
