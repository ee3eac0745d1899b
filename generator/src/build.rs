//! Generation from `build.rs`: the API's tools as one module in `OUT_DIR`, included by the crate.
//!
//! With `mcpgen = { version = "0.1", default-features = false }` in `[build-dependencies]`
//! (no clap, tokio or HTTP stack), `build.rs`'s `main` is one line:
//!
//! ```no_run
//! mcpgen::Settings::new("openapi.yaml").name("todo").build_rs();
//! ```
//!
//! ```ignore
//! // src/main.rs: `API` and `TOOLS` for `mcpgen_runtime::upstream`.
//! mod tools {
//!     include!(concat!(env!("OUT_DIR"), "/mcpgen.rs"));
//! }
//! ```

use crate::{Analysis, Error, Settings, Warning, emit, load::Source};
use std::path::{Path, PathBuf};

/// The file [`Settings::build_to_out_dir`] writes in `OUT_DIR`.
pub const MODULE_FILE: &str = "mcpgen.rs";

/// What a build-script generation did.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    /// The module written (`OUT_DIR/mcpgen.rs` unless named otherwise).
    pub module: PathBuf,
    /// Every file the description was read from (overlays included); cargo re-runs the build
    /// script when one changes.
    pub inputs: Vec<PathBuf>,
    pub warnings: Vec<Warning>,
    /// How many tools the module holds.
    pub tools: usize,
}

impl Settings {
    /// For `build.rs`: [`Settings::build_to_out_dir`], and on failure the error as
    /// `cargo::error=` lines and exit status 1, so the build stops with mcpgen's message.
    pub fn build_rs(&self) {
        if let Err(e) = self.build_to_out_dir() {
            for line in e.to_string().lines() {
                println!("cargo::error={line}");
            }
            std::process::exit(1);
        }
    }

    /// Writes the API's tools as [`MODULE_FILE`] in `OUT_DIR` (a module without inner
    /// attributes, for `include!`), prints `cargo:rerun-if-changed` for the description and
    /// every file it references, and each warning as `cargo:warning=`.
    pub fn build_to_out_dir(&self) -> Result<BuildOutput, Error> {
        let out_dir = std::env::var_os("OUT_DIR")
            .ok_or_else(|| Error::Output("OUT_DIR is not set: build_to_out_dir is for build scripts".into()))?;
        self.build_into(Path::new(&out_dir).join(MODULE_FILE))
    }

    /// [`Settings::build_to_out_dir`] with the module written to `module` instead.
    pub fn build_into(&self, module: impl Into<PathBuf>) -> Result<BuildOutput, Error> {
        let module = module.into();
        // Said before loading, so a build that fails on a bad description re-runs once it is fixed.
        if let Source::Path(spec) = &self.spec {
            println!("cargo:rerun-if-changed={}", spec.display());
        }
        for overlay in &self.overlays {
            println!("cargo:rerun-if-changed={}", overlay.display());
        }
        let analysis = Analysis::run(self)?;
        let text = emit::included_module(&analysis.model(self)).map_err(Error::Emit)?;
        for input in &analysis.doc.files {
            println!("cargo:rerun-if-changed={}", input.display());
        }
        for warning in &analysis.warnings {
            // One line each: cargo shows a directive per line.
            println!("cargo:warning={}", warning.to_string().replace(['\n', '\r'], " "));
        }
        // Written only when it changed, so an unchanged description does not recompile the crate.
        if std::fs::read(&module).ok().as_deref() != Some(text.as_bytes()) {
            std::fs::write(&module, &text)
                .map_err(|e| Error::Output(format!("cannot write `{}`: {e}", module.display())))?;
        }
        Ok(BuildOutput { module, inputs: analysis.doc.files, warnings: analysis.warnings, tools: analysis.tools.len() })
    }
}
