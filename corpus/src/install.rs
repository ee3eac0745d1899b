//! Installs the corpus (the npm packages pinned in `corpus/package.json` and its lock file) into
//! `target/corpus/`, only when what is installed is not what the lock file says.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `node_modules/` of the installed corpus, installing it first if needed.
pub fn ensure(crate_dir: &Path, into: &Path) -> Result<PathBuf, String> {
    let lock =
        std::fs::read(crate_dir.join("package-lock.json")).map_err(|e| format!("corpus/package-lock.json: {e}"))?;
    let installed = into.join("node_modules/.mcpgen-corpus-lock.json");
    if std::fs::read(&installed).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(into.join("node_modules"));
    }
    std::fs::create_dir_all(into).map_err(|e| format!("{}: {e}", into.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(crate_dir.join(file), into.join(file)).map_err(|e| format!("copying {file}: {e}"))?;
    }
    eprintln!("corpus: installing the descriptions with npm ci into {}", into.display());
    let status = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(into)
        .status()
        .map_err(|e| format!("cannot run npm ({e}); the corpus runner needs Node.js with npm"))?;
    if !status.success() {
        return Err(format!("npm ci in {} failed ({status})", into.display()));
    }
    std::fs::write(&installed, &lock).map_err(|e| format!("{}: {e}", installed.display()))?;
    Ok(into.join("node_modules"))
}
