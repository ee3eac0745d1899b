//! Reading API descriptions: YAML or JSON text in, one normalized OpenAPI 3.1-shaped document out.
//!
//! - [`parse`] turns text into a `serde_json::Value`, naming line and column on bad input.
//! - [`overlay`] applies OpenAPI Overlay documents (`--overlay`) to the document as written.
//! - [`bundle`] pulls `$ref`s to other local files into the document, so everything after this
//!   stage sees only local (`#/...`) references. Cycles are fine: a target is bundled once.
//! - [`swagger2`] rewrites Swagger 2.0 structure (`definitions`, body/formData parameters,
//!   `consumes`/`produces`, `host`/`basePath`) into OpenAPI 3 structure.
//! - [`schema`] converts OpenAPI 3.0 / 2.0 schema dialects to JSON Schema 2020-12; the IR applies it
//!   to every schema it takes from the document.
//!
//! Nothing in here panics on any input: the document is only ever read through `Value` accessors.

mod bundle;
pub mod overlay;
mod parse;
pub mod pointer;
pub mod schema;
mod swagger2;

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use parse::parse_text;

/// Where an API description comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file; `-` means standard input.
    Path(PathBuf),
    /// Text already in memory; `name` is used in messages, `base_dir` resolves relative `$ref`s.
    Text { name: String, text: String, base_dir: Option<PathBuf> },
}

impl Source {
    /// `-` reads standard input; anything else is a file path.
    pub fn from_arg(arg: &str) -> Source {
        Source::Path(PathBuf::from(arg))
    }
}

/// Which description format the document was written in (before normalization).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

impl std::fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SpecVersion::Swagger2 => "Swagger 2.0",
            SpecVersion::OpenApi30 => "OpenAPI 3.0",
            SpecVersion::OpenApi31 => "OpenAPI 3.1",
        })
    }
}

/// A loaded, bundled and structurally normalized API description.
#[derive(Debug, Clone)]
pub struct Document {
    /// OpenAPI 3-shaped document; every `$ref` in it is local (`#/...`) or recorded as broken.
    pub root: Value,
    pub version: SpecVersion,
    /// The name used for the spec in messages and generated headers (file name, or `<stdin>`).
    pub name: String,
    /// SHA-256 of the root document's bytes, hex.
    pub sha256: String,
    /// The overlays applied to it, as `file (sha256 ...)`, in order: generated headers name them.
    pub overlay_origins: Vec<String>,
    /// Every file read (the root first), for `cargo:rerun-if-changed`.
    pub files: Vec<PathBuf>,
    /// `$ref`s that could not be resolved while bundling, with why; the IR reports them where used.
    pub broken_refs: Vec<BrokenRef>,
    /// What loading warns about (overlays' actions that selected nothing); the IR reports them first.
    pub warnings: Vec<crate::ir::Warning>,
}

/// A `$ref` the loader could not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRef {
    /// The reference as written.
    pub reference: String,
    /// Where it was used, e.g. `paths./pets.get.responses.200`.
    pub used_at: String,
    pub reason: String,
}

/// Why a document could not be loaded at all.
#[derive(Debug)]
pub enum LoadError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Invalid YAML or JSON.
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Parsed, but not an OpenAPI or Swagger document we understand.
    NotOpenApi {
        file: String,
        reason: String,
    },
    /// An overlay (`--overlay`) that is not a valid Overlay document, or that cannot be applied;
    /// `message` names the action (`actions[2].target: ...`).
    Overlay {
        file: String,
        message: String,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "cannot read `{}`: {error}", path.display()),
            // Line 0: the parser could not say where (a limit hit while expanding aliases).
            LoadError::Syntax { file, line: 0, message, .. } => write!(f, "{file}: {message}"),
            LoadError::Syntax { file, line, column, message } => {
                write!(f, "{file}:{line}:{column}: {message}")
            }
            LoadError::NotOpenApi { file, reason } => write!(f, "{file}: {reason}"),
            LoadError::Overlay { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads, bundles and normalizes an API description.
pub fn load(source: &Source) -> Result<Document, LoadError> {
    load_parsed(read(source)?)
}

/// [`load`], with the OpenAPI Overlays `overlays` applied in order to the description as written.
pub fn load_with_overlays(source: &Source, overlays: &[PathBuf]) -> Result<Document, LoadError> {
    let mut input = read(source)?;
    overlay::apply_files(&mut input, overlays)?;
    load_parsed(input)
}

/// A description read and parsed once (standard input cannot be read twice), with what
/// loading it needs: its name for messages, its file and the directory its `$ref`s start from.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub root_path: Option<PathBuf>,
    pub base_dir: PathBuf,
    /// The directory `$ref`'d files must be in; `base_dir` when `None`.
    pub ref_root: Option<PathBuf>,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    /// `text` parsed, and changed by the overlays applied to it.
    pub raw: Value,
    /// The overlay files applied to `raw` ([`overlay::apply_files`]), in order.
    pub overlays: Vec<PathBuf>,
    /// Each of them as generated headers name it: `file (sha256 ...)`.
    pub overlay_origins: Vec<String>,
    /// What applying them warned about.
    pub warnings: Vec<crate::ir::Warning>,
}

/// Reads and parses `source` without interpreting it.
pub fn read(source: &Source) -> Result<Input, LoadError> {
    let (name, text, root_path, base_dir) = read_source(source)?;
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let raw = parse_text(&text, &name)?;
    Ok(Input {
        name,
        root_path,
        base_dir,
        ref_root: None,
        sha256,
        raw,
        overlays: Vec::new(),
        overlay_origins: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Bundles and normalizes a description already [`read`].
pub fn load_parsed(input: Input) -> Result<Document, LoadError> {
    let Input { name, root_path, base_dir, ref_root, sha256, raw, overlays, overlay_origins, warnings } = input;
    if !raw.is_object() {
        return Err(LoadError::NotOpenApi { file: name, reason: "the document is not a mapping/object".into() });
    }
    let version = detect_version(&raw, &name)?;
    let mut bundler = bundle::Bundler::new(base_dir, root_path.clone(), ref_root);
    let bundled = bundler.bundle_root(raw);
    let root = match version {
        SpecVersion::Swagger2 => swagger2::upgrade(bundled),
        _ => bundled,
    };
    let mut files: Vec<PathBuf> = root_path.into_iter().collect();
    files.extend(bundler.files_read);
    files.extend(overlays);
    Ok(Document { root, version, name, sha256, overlay_origins, files, broken_refs: bundler.broken, warnings })
}

fn read_source(source: &Source) -> Result<(String, String, Option<PathBuf>, PathBuf), LoadError> {
    let cwd = PathBuf::from(".");
    match source {
        Source::Path(p) if p.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|error| LoadError::Io { path: p.clone(), error })?;
            Ok(("<stdin>".into(), text, None, cwd))
        }
        Source::Path(p) => {
            let text = std::fs::read_to_string(p).map_err(|error| LoadError::Io { path: p.clone(), error })?;
            let dir = p.parent().map(Path::to_path_buf).filter(|d| !d.as_os_str().is_empty()).unwrap_or(cwd);
            let name =
                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string());
            Ok((name, text, Some(p.clone()), dir))
        }
        Source::Text { name, text, base_dir } => {
            Ok((name.clone(), text.clone(), None, base_dir.clone().unwrap_or(cwd)))
        }
    }
}

fn detect_version(doc: &Value, file: &str) -> Result<SpecVersion, LoadError> {
    let as_text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(v) = doc.get("swagger").and_then(as_text) {
        return if v.starts_with('2') {
            Ok(SpecVersion::Swagger2)
        } else {
            Err(LoadError::NotOpenApi {
                file: file.into(),
                reason: format!("unsupported `swagger: {v}` (expected 2.0)"),
            })
        };
    }
    if let Some(v) = doc.get("openapi").and_then(as_text) {
        return if v.starts_with("3.0") {
            Ok(SpecVersion::OpenApi30)
        } else if v.starts_with("3.") {
            Ok(SpecVersion::OpenApi31)
        } else {
            Err(LoadError::NotOpenApi {
                file: file.into(),
                reason: format!("unsupported `openapi: {v}` (expected 3.0.x or 3.1.x)"),
            })
        };
    }
    Err(LoadError::NotOpenApi {
        file: file.into(),
        reason: "not an OpenAPI document: it has no top-level `openapi` or `swagger` field".into(),
    })
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
