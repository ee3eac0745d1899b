//! mcpgen: turns an OpenAPI document into a Rust MCP server crate.
//!
//! The pipeline, one module per stage: [`load`] (text -> bundled, normalized document),
//! [`ir`] (document -> operations, the single analysis), [`tools`] (operations -> MCP tool
//! definitions), [`emit`] (tools -> files of a crate). [`Settings`] drives all of it, the same
//! from the command line and from `build.rs`:
//!
//! ```no_run
//! let settings = mcpgen::Settings::new("openapi.yaml").name("my-server");
//! let generation = mcpgen::generate(&settings).expect("a valid description");
//! for warning in &generation.warnings {
//!     eprintln!("warning: {warning}");
//! }
//! generation.write("my-server").expect("writable");
//! ```

pub mod build;
#[cfg(feature = "cli")]
pub mod cli;
pub mod emit;
pub mod ir;
pub mod load;
#[cfg(feature = "cli")]
pub mod mock;
#[cfg(feature = "cli")]
pub mod project;
mod settings;
pub mod surface;
pub mod tools;
mod write;

pub use emit::{OutputFile, Owner, RuntimeDep};
pub use ir::Warning;
pub use settings::Settings;
pub use tools::{Filter, ToolDef, ToolOptions};
pub use write::WriteReport;

use std::path::PathBuf;

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// The description could not be read or parsed.
    Load(load::LoadError),
    /// `strict` is on and there were warnings; they are all listed.
    Strict(Vec<Warning>),
    /// The filters selected no operation (or the description has none that can be expressed).
    NoTools { operations: usize, warnings: Vec<Warning> },
    /// A bug in mcpgen: the generated code did not come out right.
    Emit(String),
    /// The generated files could not be put where they go (`OUT_DIR` unset, not writable).
    Output(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Load(e) => write!(f, "{e}"),
            Error::Strict(w) => {
                write!(f, "{} warning(s), and --strict turns warnings into errors:", w.len())?;
                for w in w {
                    write!(f, "\n  {w}")?;
                }
                Ok(())
            }
            Error::NoTools { operations: 0, .. } => {
                f.write_str("the description has no operation that can become a tool")
            }
            Error::NoTools { operations, .. } => write!(
                f,
                "the filters selected none of the description's {operations} operations (check --tag, --operation, --path and --method)"
            ),
            Error::Emit(e) => write!(f, "internal error while writing code: {e}"),
            Error::Output(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for Error {}

impl From<load::LoadError> for Error {
    fn from(e: load::LoadError) -> Self {
        Error::Load(e)
    }
}

/// The result of a generation: the crate's files, and what the user should know.
#[derive(Debug, Clone)]
pub struct Generation {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Warning>,
    pub tools: Vec<ToolDef>,
    /// Every file the description was read from (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    pub crate_name: String,
}

/// Loads the description, derives the tools and renders the crate.
pub fn generate(settings: &Settings) -> Result<Generation, Error> {
    let analysis = Analysis::run(settings)?;
    let model = analysis.model(settings);
    let files = emit::emit(&model).map_err(Error::Emit)?;
    Ok(Generation {
        files,
        crate_name: model.crate_name.clone(),
        warnings: analysis.warnings,
        tools: analysis.tools,
        inputs: analysis.doc.files,
    })
}

/// The tools a generation would produce, without rendering any file (`mcpgen inspect`, `mcpgen diff`).
pub fn tools(settings: &Settings) -> Result<tools::ToolSet, Error> {
    let analysis = Analysis::run(settings)?;
    Ok(tools::ToolSet { tools: analysis.tools, warnings: analysis.warnings })
}

/// Everything up to emission: the loaded document, its operations and the chosen tools.
struct Analysis {
    doc: load::Document,
    api: ir::Api,
    tools: Vec<ToolDef>,
    warnings: Vec<Warning>,
}

impl Analysis {
    fn run(settings: &Settings) -> Result<Analysis, Error> {
        let doc = load::load(&settings.spec)?;
        let api = ir::analyze(&doc);
        let set = tools::derive(&doc, &api, &settings.tools);
        if settings.strict && !set.warnings.is_empty() {
            return Err(Error::Strict(set.warnings));
        }
        if set.tools.is_empty() {
            return Err(Error::NoTools { operations: api.operations.len(), warnings: set.warnings });
        }
        Ok(Analysis { doc, api, tools: set.tools, warnings: set.warnings })
    }

    fn model(&self, settings: &Settings) -> emit::Model<'_> {
        let (doc, name) = (&self.doc, settings.name.as_deref());
        emit::Model::new(&self.api, &self.tools, name, settings.runtime.clone(), &doc.name, &doc.sha256)
    }
}
