//! Where things are: the workspace, the test crate, and the directory the installed clients live in.

use std::path::{Path, PathBuf};

/// The workspace root (the directory of the root `Cargo.toml`).
pub fn root() -> &'static Path {
    tests_crate().parent().expect("the tests crate lives inside the workspace")
}

/// This crate's directory, `tests/`.
pub fn tests_crate() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace's one cargo target dir: the one the running test binary was built in (the
/// ancestor of `<target>/<profile>/deps/<test>` that cargo marked with `CACHEDIR.TAG`), so that
/// `--target-dir` and `$CARGO_TARGET_DIR` are honoured; `target/` if that cannot be told.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().ok();
    let marked = exe.as_deref().and_then(|exe| exe.ancestors().skip(1).find(|dir| dir.join("CACHEDIR.TAG").is_file()));
    match marked {
        Some(dir) => dir.to_path_buf(),
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => root().join(dir),
            _ => root().join("target"),
        },
    }
}

/// Where the tests install their clients: `$MCPGEN_TEST_TOOLS` if set, else `tools/e2e` in the
/// target dir (beside `tools/conformance` of `scripts/conformance`; `cargo clean` removes both).
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("MCPGEN_TEST_TOOLS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => target_dir().join("tools/e2e"),
    }
}
