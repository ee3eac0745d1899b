//! The one set of generation settings, shared by the command line and `build.rs` users.

use crate::emit::RuntimeDep;
use crate::load::Source;
use crate::tools::{Filter, ToolOptions};
use std::path::PathBuf;

/// What to generate from, and how.
#[derive(Debug, Clone)]
pub struct Settings {
    pub spec: Source,
    /// The crate's (and server's) name; by default derived from the API's title.
    pub name: Option<String>,
    pub tools: ToolOptions,
    /// Treat every warning as an error.
    pub strict: bool,
    pub runtime: RuntimeDep,
    /// OpenAPI description or tool-schema manifest; by default told from the document.
    pub input_kind: InputKind,
    /// The directory the files a description `$ref`s must be in; by default the description's own
    /// directory (and below). A description is untrusted input: it must not read other files.
    pub ref_root: Option<PathBuf>,
    /// How the generated server presents its tools (the server's `--tools` overrides it).
    pub surface: SurfaceMode,
    /// `auto`'s budget in estimated tokens; `None`: the runtime's default.
    pub tool_budget: Option<usize>,
    /// OpenAPI Overlay files applied in order to the description as written (`--overlay`).
    pub overlays: Vec<PathBuf>,
    /// How the server guards itself by default (mcpgen.toml's `[server]`).
    pub server: crate::ServerDefaults,
}

/// How a generated server presents its tools (the runtime's `ToolMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SurfaceMode {
    /// One tool per operation.
    All,
    /// Search, describe and call tools in front of the operations.
    Dynamic,
    /// `all` while the tools fit the budget, `dynamic` past it: right for small and large APIs alike.
    #[default]
    Auto,
}

impl SurfaceMode {
    pub const ALL: [SurfaceMode; 3] = [SurfaceMode::All, SurfaceMode::Dynamic, SurfaceMode::Auto];

    /// `all`, `dynamic` or `auto`, as `--tools` and mcpgen.toml write it.
    pub fn as_str(self) -> &'static str {
        match self {
            SurfaceMode::All => "all",
            SurfaceMode::Dynamic => "dynamic",
            SurfaceMode::Auto => "auto",
        }
    }

    /// The inverse of [`SurfaceMode::as_str`].
    pub fn parse(s: &str) -> Option<SurfaceMode> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What kind of document `spec` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputKind {
    /// An array, or an object with `tools` and no `openapi`/`swagger`, is a manifest; anything
    /// else is read as OpenAPI.
    #[default]
    Auto,
    OpenApi,
    Manifest,
}

impl InputKind {
    /// `openapi` or `manifest` (`auto` for [`InputKind::Auto`]), as `--input-kind` and mcpgen.toml write it.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Auto => "auto",
            InputKind::OpenApi => "openapi",
            InputKind::Manifest => "manifest",
        }
    }

    /// The inverse of [`InputKind::as_str`].
    pub fn parse(s: &str) -> Option<InputKind> {
        [InputKind::Auto, InputKind::OpenApi, InputKind::Manifest].into_iter().find(|k| k.as_str() == s)
    }
}

impl Settings {
    /// Settings for the description at `path` (`-` for standard input), with defaults.
    pub fn new(path: impl Into<PathBuf>) -> Settings {
        Settings {
            spec: Source::Path(path.into()),
            name: None,
            tools: ToolOptions::default(),
            strict: false,
            runtime: RuntimeDep::Version(default_runtime_version()),
            input_kind: InputKind::Auto,
            ref_root: None,
            surface: SurfaceMode::default(),
            tool_budget: None,
            overlays: Vec::new(),
            server: Default::default(),
        }
    }

    /// How the server presents its tools (default: `auto`).
    pub fn surface(mut self, surface: SurfaceMode) -> Self {
        self.surface = surface;
        self
    }

    /// `auto`'s budget, in estimated tokens.
    pub fn tool_budget(mut self, tokens: usize) -> Self {
        self.tool_budget = Some(tokens);
        self
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn filter(mut self, filter: Filter) -> Self {
        self.tools.filter = filter;
        self
    }

    /// The longest tool name, clamped to 16..=64 (default 48: see
    /// [`crate::tools::naming::DEFAULT_MAX_LEN`]); longer names are shortened readably.
    pub fn max_tool_name_length(mut self, n: usize) -> Self {
        self.tools.max_name_len = n;
        self
    }

    /// Applies the OpenAPI Overlay at `path` to the description before anything reads it
    /// (repeatable: overlays apply in the order given).
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Self {
        self.overlays.push(path.into());
        self
    }

    /// The clients the tools' input schemas are written for (default: `full`).
    pub fn schema_profile(mut self, profile: crate::tools::profile::SchemaProfile) -> Self {
        self.tools.schema_profile = profile;
        self
    }

    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Lets `$ref`s reach files anywhere under `dir` (e.g. a repository root for `../shared/...`).
    pub fn ref_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ref_root = Some(dir.into());
        self
    }

    pub fn input_kind(mut self, kind: InputKind) -> Self {
        self.input_kind = kind;
        self
    }

    pub fn runtime(mut self, runtime: RuntimeDep) -> Self {
        self.runtime = runtime;
        self
    }
}

/// The runtime release that matches this generator.
pub fn default_runtime_version() -> String {
    let v = env!("CARGO_PKG_VERSION");
    let mut parts = v.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => v.to_string(),
    }
}
