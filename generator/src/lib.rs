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

#[cfg(feature = "cli")]
pub mod cli;
pub mod emit;
pub mod ir;
pub mod load;
#[cfg(feature = "cli")]
pub mod mock;
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
    let doc = load::load(&settings.spec)?;
    let api = ir::analyze(&doc);
    let set = select(&doc, &api, settings)?;
    let model =
        emit::Model::new(&api, &set.tools, settings.name.as_deref(), settings.runtime.clone(), &doc.name, &doc.sha256);
    let files = emit::emit(&model).map_err(Error::Emit)?;
    Ok(Generation {
        files,
        warnings: set.warnings,
        crate_name: model.crate_name.clone(),
        tools: set.tools,
        inputs: doc.files,
    })
}

/// The tools a generation would produce, without rendering any file (`mcpgen inspect`, `mcpgen diff`).
pub fn tools(settings: &Settings) -> Result<tools::ToolSet, Error> {
    let doc = load::load(&settings.spec)?;
    let api = ir::analyze(&doc);
    select(&doc, &api, settings)
}

/// The selected tools, refusing what `strict` refuses and an empty selection.
fn select(doc: &load::Document, api: &ir::Api, settings: &Settings) -> Result<tools::ToolSet, Error> {
    let set = tools::derive(doc, api, &settings.tools);
    if settings.strict && !set.warnings.is_empty() {
        return Err(Error::Strict(set.warnings));
    }
    if set.tools.is_empty() {
        return Err(Error::NoTools { operations: api.operations.len(), warnings: set.warnings });
    }
    Ok(set)
}
