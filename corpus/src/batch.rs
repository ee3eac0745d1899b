//! The compile stage. Linking one binary per description would cost ~2,600 links, so the
//! generated modules of many descriptions go into one *batch* binary (`src/spec_N.rs` each, the
//! `src/generated/mod.rs` mcpgen wrote) whose `main` serves the one named by `CORPUS_SPEC=N`,
//! exactly as a generated crate's own `src/main.rs` does. All batches share one target dir, so
//! the runtime and its dependencies are built once. A batch that fails to compile is bisected
//! until each failing description is found alone, with its compiler error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The environment variable that picks the description a batch binary serves.
pub const SPEC_VAR: &str = "CORPUS_SPEC";

/// One batch crate on disk.
pub struct Batch {
    pub dir: PathBuf,
    pub name: String,
    /// Where the batches build (shared by all of them).
    pub target_dir: PathBuf,
    /// The workspace whose runtime the batches depend on and whose lock file they use.
    pub workspace: PathBuf,
}

/// The outcome of compiling a batch.
pub struct Built {
    /// The binary, when at least one description compiled.
    pub binary: Option<PathBuf>,
    /// Descriptions (by index) that failed, with the compiler's first error.
    pub failed: Vec<(usize, String)>,
    /// Seconds in cargo, bisection included.
    pub seconds: f64,
    pub builds: usize,
}

impl Batch {
    /// Batch `number` of a run called `run` (runs with different names can build side by side).
    pub fn new(root: &Path, workspace: &Path, target_dir: &Path, run: &str, number: usize) -> Batch {
        let name = format!("corpus-{run}-{number:03}");
        Batch { dir: root.join(&name), name, target_dir: target_dir.to_path_buf(), workspace: workspace.to_path_buf() }
    }

    /// Writes description `index`'s generated module.
    pub fn add(&self, index: usize, module: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(self.dir.join("src"))?;
        std::fs::write(self.dir.join("src").join(format!("spec_{index}.rs")), module)
    }

    /// Compiles the batch with `indexes`; bisects on failure.
    pub fn build(&self, indexes: &[usize]) -> std::io::Result<Built> {
        let started = Instant::now();
        let mut failed = Vec::new();
        let mut builds = 0;
        let good = self.bisect(indexes, &mut failed, &mut builds)?;
        let binary = if good.is_empty() {
            None
        } else if failed.is_empty() {
            // The first build, of everything, succeeded.
            Some(self.target_dir.join("debug").join(&self.name))
        } else {
            // The last successful build may have been of a subset: build exactly the good ones.
            builds += 1;
            match self.cargo(&good)? {
                Ok(()) => Some(self.target_dir.join("debug").join(&self.name)),
                Err(e) => {
                    failed.extend(good.iter().map(|&i| (i, format!("compiled alone but not together: {e}"))));
                    None
                }
            }
        };
        failed.sort();
        Ok(Built { binary, failed, seconds: started.elapsed().as_secs_f64(), builds })
    }

    /// The indexes of `set` that compile, recording each one that does not.
    fn bisect(
        &self,
        set: &[usize],
        failed: &mut Vec<(usize, String)>,
        builds: &mut usize,
    ) -> std::io::Result<Vec<usize>> {
        if set.is_empty() {
            return Ok(Vec::new());
        }
        *builds += 1;
        match self.cargo(set)? {
            Ok(()) => Ok(set.to_vec()),
            Err(error) if set.len() == 1 => {
                failed.push((set[0], error));
                Ok(Vec::new())
            }
            Err(_) => {
                let (a, b) = set.split_at(set.len() / 2);
                let mut good = self.bisect(a, failed, builds)?;
                good.extend(self.bisect(b, failed, builds)?);
                Ok(good)
            }
        }
    }

    /// One `cargo build` of the batch holding `set`: `Err` carries the first compiler error.
    fn cargo(&self, set: &[usize]) -> std::io::Result<Result<(), String>> {
        std::fs::create_dir_all(self.dir.join("src"))?;
        std::fs::write(self.dir.join("Cargo.toml"), self.manifest())?;
        std::fs::write(self.dir.join("src/main.rs"), main_rs(set))?;
        std::fs::copy(self.workspace.join("Cargo.lock"), self.dir.join("Cargo.lock"))?;
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--quiet", "--manifest-path"])
            .arg(self.dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &self.target_dir)
            // Batches are built once: incremental state would only fill the disk.
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("RUSTFLAGS")
            .output()?;
        if output.status.success() {
            return Ok(Ok(()));
        }
        Ok(Err(first_error(&String::from_utf8_lossy(&output.stderr))))
    }

    fn manifest(&self) -> String {
        let runtime = self.workspace.join("runtime");
        format!(
            "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nmcpgen-runtime = {{ path = {:?}, features = [\"upstream\"] }}\n\n[workspace]\n",
            self.name,
            runtime.to_string_lossy()
        )
    }

    /// Frees the disk the batch's binary and sources took, once its descriptions have run; the
    /// sources of a batch with a failing description stay, to reproduce the compiler error.
    pub fn remove(&self, binary: Option<&Path>, keep_sources: bool) {
        if !keep_sources {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        if let Some(binary) = binary {
            let _ = std::fs::remove_file(binary);
        }
        let deps = self.target_dir.join("debug/deps");
        let prefix = self.name.replace('-', "_");
        if let Ok(read) = std::fs::read_dir(&deps) {
            for entry in read.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

/// The batch's `main.rs`: the modules in `set`, and the generated crate's `main` over the one
/// `CORPUS_SPEC` names.
fn main_rs(set: &[usize]) -> String {
    let mut mods = String::new();
    let mut arms = String::new();
    for i in set {
        let _ = writeln!(mods, "#[path = \"spec_{i}.rs\"]\nmod spec_{i};");
        let _ = writeln!(arms, "        \"{i}\" => (&spec_{i}::API, spec_{i}::TOOLS),");
    }
    format!(
        r#"//! A corpus batch: several generated servers in one binary; `{SPEC_VAR}=N` picks one.
{mods}
use mcpgen_runtime::upstream::{{ApiSpec, ToolSpec, Upstream, UpstreamError}};
use mcpgen_runtime::CommandLine;
use std::process::ExitCode;

fn main() -> ExitCode {{
    let which = std::env::var("{SPEC_VAR}").unwrap_or_default();
    let (api, tools): (&'static ApiSpec, &'static [ToolSpec]) = match which.as_str() {{
{arms}        other => {{
            eprintln!("error: {SPEC_VAR}={{other:?}} is not in this batch");
            return ExitCode::FAILURE;
        }}
    }};
    let args = CommandLine::parse();
    let upstream = match Upstream::builder(api).server_args(args.server_args()).and_then(|b| b.build()) {{
        Ok(upstream) => upstream,
        Err(UpstreamError(e)) => {{
            eprintln!("error: {{e}}");
            return ExitCode::FAILURE;
        }}
    }};
    upstream.server(tools).run_from_args()
}}
"#
    )
}

/// The first `error...` block of cargo's output (up to the next blank line), or its tail.
fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(start) = lines.iter().position(|l| l.starts_with("error")) {
        let block: Vec<&str> = lines[start..].iter().take_while(|l| !l.trim().is_empty()).take(12).copied().collect();
        return block.join("\n");
    }
    lines.iter().rev().take(8).rev().copied().collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_block_is_kept_and_warnings_before_it_are_not() {
        let out = "warning: unused\n  --> a.rs\n\nerror[E0308]: mismatched types\n --> src/spec_3.rs:4:5\n\nerror: aborting\n";
        assert_eq!(first_error(out), "error[E0308]: mismatched types\n --> src/spec_3.rs:4:5");
    }

    #[test]
    fn main_rs_serves_only_the_modules_it_holds() {
        let text = main_rs(&[2, 5]);
        assert!(text.contains("mod spec_2;") && text.contains("mod spec_5;"));
        assert!(text.contains("\"5\" => (&spec_5::API, spec_5::TOOLS)"));
        assert!(!text.contains("spec_3"));
    }
}
