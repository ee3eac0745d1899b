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

pub mod build;
#[cfg(feature = "cli")]
pub mod cli;
pub mod emit;
pub mod ir;
pub mod load;
pub mod manifest;
#[cfg(feature = "cli")]
pub mod mock;
mod parallel;
#[cfg(feature = "cli")]
pub mod project;
mod server_defaults;
mod settings;
pub mod surface;
#[cfg(feature = "cli")]
pub mod tables;
pub mod tools;
mod value_type;
mod write;

pub use emit::{OutputFile, Owner, RuntimeDep};
pub use ir::Warning;
pub use manifest::{Manifest, ManifestError};
pub use server_defaults::ServerDefaults;
pub use settings::{InputKind, Settings, SurfaceMode};
pub use tools::profile::SchemaProfile;
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
    /// `filtered` says whether filters were given (else every operation was skipped).
    /// `excluded`: how many of them the description's `x-mcp` / `x-speakeasy-mcp` left out.
    NoTools { operations: usize, warnings: Vec<Warning>, filtered: bool, excluded: usize },
    /// The tool-schema manifest has problems; each names its entry.
    Manifest(ManifestError),
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
            Error::NoTools { operations, filtered: true, .. } => write!(
                f,
                "the filters selected none of the description's {operations} operations (check --tag, --operation, --path and --method)"
            ),
            Error::NoTools { operations, excluded, .. } if excluded == operations => write!(
                f,
                "the description's x-mcp / x-speakeasy-mcp extensions (or an overlay's) exclude all of its {operations} operations"
            ),
            Error::NoTools { operations, filtered: false, excluded: 0, .. } => write!(
                f,
                "none of the description's {operations} operations can become a tool: each was skipped (see the warnings)"
            ),
            Error::NoTools { operations, filtered: false, excluded, .. } => write!(
                f,
                "none of the description's {operations} operations can become a tool: its x-mcp / x-speakeasy-mcp \
                 extensions exclude {excluded}, and each of the others was skipped (see the warnings)"
            ),
            Error::Manifest(e) => write!(f, "{e}"),
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
    /// The tools derived from an OpenAPI description (empty for a manifest).
    pub tools: Vec<ToolDef>,
    /// Operations the description's `x-mcp` / `x-speakeasy-mcp` left out.
    pub excluded: usize,
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
    match Input::read(settings)? {
        Input::Manifest(m) => from_manifest(settings, m),
        Input::OpenApi(mut analysis) => {
            // The parsed document is the largest thing held (hundreds of MB for Microsoft
            // Graph) and emission does not read it: freed first.
            drop(std::mem::take(&mut analysis.doc.root));
            let model = analysis.model(settings);
            let files = emit::emit(&model).map_err(Error::Emit)?;
            Ok(Generation {
                files,
                crate_name: model.crate_name.clone(),
                warnings: analysis.warnings,
                tools: analysis.tools,
                excluded: analysis.excluded,
                manifest: None,
                inputs: analysis.doc.files,
            })
        }
    }
}

fn from_manifest(settings: &Settings, input: ManifestInput) -> Result<Generation, Error> {
    let ManifestInput { manifest, name, sha256, root_path } = input;
    let model = emit::manifest::Model::new(&manifest, settings, &name, &sha256);
    let files = emit::manifest::emit(&model).map_err(Error::Emit)?;
    Ok(Generation {
        files,
        warnings: Vec::new(),
        tools: Vec::new(),
        excluded: 0,
        crate_name: model.crate_name.clone(),
        manifest: Some(manifest),
        inputs: root_path.into_iter().collect(),
    })
}

/// What an input describes, without rendering any file (`mcpgen inspect`, `mcpgen diff`).
#[derive(Debug, Clone)]
pub enum Description {
    /// The tools derived from an OpenAPI description's operations, and the warnings.
    OpenApi(tools::ToolSet),
    /// A checked tool-schema manifest.
    Manifest(Manifest),
}

/// Reads the input and derives its tools, as [`generate`] would, without rendering files.
pub fn describe(settings: &Settings) -> Result<Description, Error> {
    Ok(match Input::read(settings)? {
        Input::OpenApi(a) => {
            Description::OpenApi(tools::ToolSet { tools: a.tools, warnings: a.warnings, excluded: a.excluded })
        }
        Input::Manifest(m) => Description::Manifest(m.manifest),
    })
}

/// Every file an input is read from — a description and the files its `$ref`s reach, or a
/// manifest — without analysing it (what `mcpgen run`'s cache is keyed by).
pub fn input_files(settings: &Settings) -> Result<Vec<PathBuf>, Error> {
    let input = read_input(settings)?;
    if is_manifest(settings, &input.raw) {
        return Ok(input.root_path.into_iter().collect());
    }
    Ok(load::load_parsed(input)?.files)
}

/// The input read, with the overlays applied to a description (a manifest takes none: see
/// [`Input::read`]).
fn read_input(settings: &Settings) -> Result<load::Input, Error> {
    let mut input = load::read(&settings.spec)?;
    input.ref_root = settings.ref_root.clone();
    if !settings.overlays.is_empty() && !is_manifest(settings, &input.raw) {
        load::overlay::apply_files(&mut input, &settings.overlays)?;
    }
    Ok(input)
}

fn is_manifest(settings: &Settings, raw: &serde_json::Value) -> bool {
    match settings.input_kind {
        InputKind::Auto => manifest::looks_like_manifest(raw),
        InputKind::Manifest => true,
        InputKind::OpenApi => false,
    }
}

/// The input, read once (standard input cannot be read twice) and told apart.
enum Input {
    OpenApi(Analysis),
    Manifest(ManifestInput),
}

struct ManifestInput {
    manifest: Manifest,
    name: String,
    sha256: String,
    root_path: Option<PathBuf>,
}

impl Input {
    fn read(settings: &Settings) -> Result<Input, Error> {
        let input = read_input(settings)?;
        if !is_manifest(settings, &input.raw) {
            return Analysis::of(settings, load::load_parsed(input)?).map(Input::OpenApi);
        }
        if !settings.overlays.is_empty() {
            let problem = "overlays (--overlay) edit OpenAPI descriptions; edit the manifest instead";
            return Err(Error::Manifest(ManifestError { file: input.name, problems: vec![problem.into()] }));
        }
        if !settings.tools.filter.is_empty() || !settings.tools.names.is_empty() {
            // Every tool of a manifest is generated as it is named: saying nothing would mislead.
            let problem = "filters (--tag, --operation, --path, --method) and --rename apply to OpenAPI descriptions; \
                           a manifest's tools are all generated, under their own names (edit the manifest instead)";
            return Err(Error::Manifest(ManifestError { file: input.name, problems: vec![problem.into()] }));
        }
        let manifest = Manifest::from_value(&input.raw, &input.name).map_err(Error::Manifest)?;
        Ok(Input::Manifest(ManifestInput {
            manifest,
            name: input.name,
            sha256: input.sha256,
            root_path: input.root_path,
        }))
    }
}

/// Everything up to emission of an OpenAPI description: the loaded document, its operations and
/// the chosen tools.
struct Analysis {
    doc: load::Document,
    api: ir::Api,
    tools: Vec<ToolDef>,
    warnings: Vec<Warning>,
    excluded: usize,
}

impl Analysis {
    /// An OpenAPI description's analysis; a manifest is refused (build scripts take OpenAPI only).
    fn run(settings: &Settings) -> Result<Analysis, Error> {
        match Input::read(settings)? {
            Input::OpenApi(a) => Ok(a),
            Input::Manifest(m) => Err(Error::Manifest(ManifestError {
                file: m.name,
                problems: vec![
                    "is a tool-schema manifest; build scripts take OpenAPI descriptions (generate a crate from a manifest with `mcpgen FILE -o DIR`)".into(),
                ],
            })),
        }
    }

    fn of(settings: &Settings, doc: load::Document) -> Result<Analysis, Error> {
        let api = ir::analyze(&doc);
        let set = tools::derive(&doc, &api, &settings.tools);
        if settings.strict && !set.warnings.is_empty() {
            return Err(Error::Strict(set.warnings));
        }
        if set.tools.is_empty() {
            let filtered = !settings.tools.filter.is_empty();
            let (operations, excluded) = (api.operations.len(), set.excluded);
            return Err(Error::NoTools { operations, warnings: set.warnings, filtered, excluded });
        }
        Ok(Analysis { doc, api, tools: set.tools, warnings: set.warnings, excluded: set.excluded })
    }

    fn model(&self, settings: &Settings) -> emit::Model<'_> {
        let (doc, name) = (&self.doc, settings.name.as_deref());
        let mut model =
            emit::Model::new(&self.api, &self.tools, name, settings.runtime.clone(), &doc.name, &doc.sha256);
        model.overlays = doc.overlay_origins.clone();
        model.surface = settings.surface;
        model.tool_budget = settings.tool_budget;
        model.server = settings.server.clone();
        model
    }
}
