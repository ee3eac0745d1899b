//! GitHub's REST API description (`@octokit/openapi`, pinned in `tests/github/package.json` and
//! its lock file): the large real API the tests of tool surfaces and response shaping run against.
//! Installed by the tests with npm, once.

use crate::process;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The bundled description (13 MB of JSON, local `$ref`s), installing it on first use. Panics,
/// saying what is missing, when it cannot be installed.
pub fn spec() -> &'static Path {
    static SPEC: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match SPEC.get_or_init(install) {
        Ok(path) => path,
        Err(e) => panic!(
            "GitHub's API description is required by this test and could not be installed:\n{e}\n\
             Needs npm on PATH and access to the npm registry."
        ),
    }
}

fn install() -> Result<PathBuf, String> {
    let pinned = crate::workspace::tests_crate().join("github");
    let read = |name: &str| {
        let path = pinned.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let (manifest, lock) = (read("package.json")?, read("package-lock.json")?);
    let stamp = format!("{manifest}\n{lock}");
    let dir = crate::install::ensure("github", &stamp, |dir| {
        for (name, text) in [("package.json", &manifest), ("package-lock.json", &lock)] {
            std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
        }
        let npm = process::run(
            Command::new("npm")
                .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(dir),
            INSTALL_TIMEOUT,
        )?;
        if !npm.status.success() {
            return Err(format!("npm could not install @octokit/openapi:\n{}", npm.describe()));
        }
        Ok(())
    })?;
    let spec = dir.join("node_modules/@octokit/openapi/generated/api.github.com.json");
    if spec.is_file() { Ok(spec) } else { Err(format!("npm finished but {} is missing", spec.display())) }
}
