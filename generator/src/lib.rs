//! mcpgen: turns an OpenAPI document or an MCP tool-schema manifest into a Rust MCP server crate.
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
pub mod manifest;
#[cfg(feature = "cli")]
pub mod mock;
mod settings;
pub mod tools;
mod write;

pub use emit::{OutputFile, Owner, RuntimeDep};
pub use ir::Warning;
pub use manifest::{Manifest, ManifestError};
pub use settings::{InputKind, Settings};
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
    /// The tool-schema manifest has problems; each names its entry.
    Manifest(ManifestError),
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
            Error::Manifest(e) => write!(f, "{e}"),
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
    /// The tools derived from an OpenAPI description (empty for a manifest).
    pub tools: Vec<ToolDef>,
    /// The manifest generated from, when the input was one.
    pub manifest: Option<Manifest>,
    /// Every file the description was read from (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    pub crate_name: String,
}

impl Generation {
    /// How many tools the crate serves.
    pub fn tool_count(&self) -> usize {
        self.manifest.as_ref().map_or(self.tools.len(), |m| m.tools.len())
    }
}

/// Reads the input (an OpenAPI description or a tool-schema manifest, see [`InputKind`]) and
/// renders the crate.
pub fn generate(settings: &Settings) -> Result<Generation, Error> {
    let input = load::read(&settings.spec)?;
    let is_manifest = match settings.input_kind {
        InputKind::Auto => manifest::looks_like_manifest(&input.raw),
        InputKind::Manifest => true,
        InputKind::OpenApi => false,
    };
    if is_manifest { from_manifest(settings, input) } else { from_openapi(settings, input) }
}

fn from_manifest(settings: &Settings, input: load::Input) -> Result<Generation, Error> {
    if !settings.tools.filter.is_empty() || !settings.tools.names.is_empty() {
        // Every tool of a manifest is generated as it is named: saying nothing would mislead.
        let problem = "filters (--tag, --operation, --path, --method) and --rename apply to OpenAPI descriptions; \
                       a manifest's tools are all generated, under their own names (edit the manifest instead)";
        return Err(Error::Manifest(ManifestError { file: input.name, problems: vec![problem.into()] }));
    }
    let manifest = Manifest::from_value(&input.raw, &input.name).map_err(Error::Manifest)?;
    let model = emit::manifest::Model::new(&manifest, settings, &input.name, &input.sha256);
    let files = emit::manifest::emit(&model).map_err(Error::Emit)?;
    Ok(Generation {
        files,
        warnings: Vec::new(),
        tools: Vec::new(),
        crate_name: model.crate_name.clone(),
        manifest: Some(manifest),
        inputs: input.root_path.into_iter().collect(),
    })
}

fn from_openapi(settings: &Settings, input: load::Input) -> Result<Generation, Error> {
    let doc = load::load_parsed(input)?;
    let api = ir::analyze(&doc);
    let set = tools::derive(&doc, &api, &settings.tools);
    if settings.strict && !set.warnings.is_empty() {
        return Err(Error::Strict(set.warnings));
    }
    if set.tools.is_empty() {
        return Err(Error::NoTools { operations: api.operations.len(), warnings: set.warnings });
    }
    let model =
        emit::Model::new(&api, &set.tools, settings.name.as_deref(), settings.runtime.clone(), &doc.name, &doc.sha256);
    let files = emit::emit(&model).map_err(Error::Emit)?;
    Ok(Generation {
        files,
        warnings: set.warnings,
        crate_name: model.crate_name.clone(),
        tools: set.tools,
        manifest: None,
        inputs: doc.files,
    })
}
