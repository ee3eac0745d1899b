//! Finding Node.js and npx for `mcpgen dev`, and saying what to install when they are missing
//! or too old for the MCP Inspector.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest Node.js the pinned Inspector runs on (its `engines.node`).
pub(super) const MIN_NODE: (u64, u64) = (22, 19);

const INSTALL: &str = "Install Node.js 22 or newer (https://nodejs.org, or `nvm install 22`), which brings npx, \
                       then run mcpgen dev again; `mcpgen run` needs no Node.js";

/// `npx` on PATH, once `node` on PATH is known to be new enough for the Inspector.
pub(super) fn npx() -> Result<PathBuf, String> {
    let node = on_path("node").ok_or_else(|| {
        format!(
            "mcpgen dev runs the MCP Inspector, which needs Node.js {}.{} or newer, and `node` is not on PATH. {INSTALL}.",
            MIN_NODE.0, MIN_NODE.1
        )
    })?;
    let out =
        Command::new(&node).arg("--version").output().map_err(|e| format!("cannot run `{}`: {e}", node.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match parse_version(&text) {
        Some(v) if (v.0, v.1) >= MIN_NODE => {}
        _ => {
            return Err(format!(
                "mcpgen dev runs the MCP Inspector, which needs Node.js {}.{} or newer, and `{}` is {}. {INSTALL}.",
                MIN_NODE.0,
                MIN_NODE.1,
                node.display(),
                if text.is_empty() { "of unknown version".to_string() } else { format!("Node.js {text}") }
            ));
        }
    }
    on_path("npx").ok_or_else(|| {
        format!(
            "mcpgen dev starts the MCP Inspector with npx, which comes with npm, and `npx` is not on PATH. {INSTALL}."
        )
    })
}

/// `v22.19.0` → (22, 19, 0).
fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.strip_prefix('v').unwrap_or(text).splitn(3, '.');
    let mut next = || parts.next()?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok();
    Some((next()?, next()?, next()?))
}

/// The first executable file called `name` in a PATH directory.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let suffixes: &[&str] = if cfg!(windows) { &[".exe", ".cmd", ""] } else { &[""] };
    std::env::split_paths(&path)
        .flat_map(|dir| suffixes.iter().map(move |s| dir.join(format!("{name}{s}"))))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    p.is_file()
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn reads_node_versions() {
        assert_eq!(parse_version("v22.19.0"), Some((22, 19, 0)));
        assert_eq!(parse_version("v20.20.2"), Some((20, 20, 2)));
        assert_eq!(parse_version("v23.0.0-nightly2025"), Some((23, 0, 0)));
        assert_eq!(parse_version("node"), None);
        assert!(parse_version("v22.18.9").map(|v| (v.0, v.1)) < Some(super::MIN_NODE));
    }
}
