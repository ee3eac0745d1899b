//! Installing a tool into [`crate::workspace::tools_dir`] exactly once, however many test
//! binaries and threads ask for it at the same time.
//!
//! Each tool gets a directory `<tools>/<name>` and a lock file `<tools>/<name>.lock`. Under an
//! exclusive lock on that file, an install whose stamp file (`<tools>/<name>/.installed`) holds
//! the expected stamp is reused; anything else (no stamp, a different stamp, a half-finished
//! install) is wiped and installed afresh. The stamp is written last, so an interrupted install
//! is never mistaken for a complete one.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

const STAMP_FILE: &str = ".installed";

/// Holds `<tools>/<name>.lock` until the file is dropped: one install of `name` at a time across
/// test processes, and whoever waited finds it done.
pub fn lock(name: &str) -> Result<File, String> {
    let tools = crate::workspace::tools_dir();
    fs::create_dir_all(&tools).map_err(|e| format!("cannot create the tools directory {}: {e}", tools.display()))?;
    let lock_path = tools.join(format!("{name}.lock"));
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open lock file {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    Ok(lock)
}

/// Returns `<tools>/<name>`, running `install` into it first unless an install with this `stamp`
/// (the pinned inputs, e.g. a lock file's contents) is already there.
pub fn ensure(name: &str, stamp: &str, install: impl FnOnce(&Path) -> Result<(), String>) -> Result<PathBuf, String> {
    let tools = crate::workspace::tools_dir();
    let _lock = lock(name)?;

    let dir = tools.join(name);
    let stamp_path = dir.join(STAMP_FILE);
    if fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        return Ok(dir);
    }
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("cannot remove the stale install {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    eprintln!("mcpgen-tests: installing {name} into {} (once; later runs reuse it)", dir.display());
    install(&dir)?;
    fs::write(&stamp_path, stamp).map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))?;
    Ok(dir)
    // `lock` closes here, releasing the lock.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn installs_once_across_racing_threads_and_again_when_the_stamp_changes() {
        let tools = std::env::temp_dir().join(format!("mcpgen-install-test-{}", std::process::id()));
        // SAFETY: no other test in this binary reads MCPGEN_TEST_TOOLS.
        unsafe { std::env::set_var("MCPGEN_TEST_TOOLS", &tools) };
        let runs = AtomicUsize::new(0);
        let install = |dir: &Path| {
            runs.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(50));
            fs::write(dir.join("tool"), "ok").map_err(|e| e.to_string())
        };
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| ensure("demo", "v1", install).unwrap());
            }
        });
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let dir = ensure("demo", "v2", install).unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(fs::read_to_string(dir.join("tool")).unwrap(), "ok");
        let failed = ensure("demo", "v3", |_| Err("no network".to_string()));
        assert_eq!(failed.unwrap_err(), "no network");
        ensure("demo", "v3", install).unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3, "a failed install is redone");
        fs::remove_dir_all(&tools).unwrap();
    }
}
