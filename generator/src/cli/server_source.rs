//! What `mcpgen run`, `dev` and `install` start from — an API description or a crate directory —
//! and turning it into a built server binary: generated into the cache (for a description), then
//! built with cargo.

use super::{cache, cargo_build};
use clap::Args;
use std::path::{Path, PathBuf};

/// The input and cargo options every server-running subcommand shares.
#[derive(Debug, Clone, Args)]
pub(super) struct SourceArgs {
    /// An OpenAPI (3.0, 3.1) or Swagger 2.0 description (served at once, in-process; with
    /// `--compile`, generated into a cache and built), a tool-schema manifest (generated and
    /// built), or a crate directory (built as it is).
    #[arg(value_name = "SPEC | CRATE_DIR", required_unless_present = "project")]
    pub input: Option<PathBuf>,
    /// The crate to build and run: its directory or its Cargo.toml (instead of SPEC | CRATE_DIR).
    #[arg(long, visible_alias = "manifest-path", value_name = "PATH", conflicts_with = "input")]
    pub project: Option<PathBuf>,
    /// Serve a description from a generated crate built with cargo (as `mcpgen generate` writes
    /// it) instead of in-process: slower to start the first time, the same tools.
    #[arg(long)]
    pub compile: bool,
    /// Build with the release profile.
    #[arg(long)]
    pub release: bool,
    /// Build with this cargo profile: a generated crate's `production` (release with link-time
    /// optimization: less CPU per call, slower to build), or one of the crate's own.
    #[arg(long, value_name = "NAME", conflicts_with = "release")]
    pub profile: Option<String>,
    /// Cargo features to turn on (comma- or space-separated, repeatable).
    #[arg(long, short = 'F', value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Which binary of the crate to run, when it has several.
    #[arg(long, value_name = "NAME")]
    pub bin: Option<String>,
    /// Build with this rustup toolchain (`stable`, `1.95.0`, `nightly`, ...), which must be
    /// installed: mcpgen never installs one.
    #[arg(long, value_name = "NAME")]
    pub toolchain: Option<String>,
    /// For a description: its overlays, tool-name limit and schema profile.
    #[command(flatten)]
    pub shaping: super::selection::DescriptionFlags,
}

/// Where the server comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Source {
    /// An API description, to generate a crate from.
    Spec(PathBuf),
    /// A crate's Cargo.toml.
    Crate(PathBuf),
}

impl SourceArgs {
    /// What the user named, checked: it exists, a directory holds a Cargo.toml, standard input is
    /// refused (on STDIO it carries MCP).
    pub fn source(&self) -> Result<Source, String> {
        if let Some(project) = &self.project {
            return crate_manifest(project, "--project");
        }
        let input = self.input.as_deref().ok_or("give an API description or a crate directory")?;
        if input == Path::new("-") {
            return Err("`-` (standard input) cannot be run: on STDIO the server's standard input carries MCP; \
                        save the description to a file"
                .into());
        }
        let meta = std::fs::metadata(input).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!(
                    "`{}` does not exist; give an API description (YAML or JSON) or a crate directory",
                    input.display()
                )
            }
            _ => format!("cannot read `{}`: {e}", input.display()),
        })?;
        if meta.is_dir() || input.file_name().is_some_and(|n| n == "Cargo.toml") {
            return crate_manifest(input, "the input");
        }
        Ok(Source::Spec(input.to_path_buf()))
    }
}

impl SourceArgs {
    /// The settings a description given here is generated or served with.
    pub fn settings(&self, spec: &Path) -> crate::Settings {
        let mut settings = crate::Settings::new(spec);
        self.shaping.apply(&mut settings);
        settings
    }

    /// The description to serve in-process: a description given without `--compile`. Cargo's
    /// options are refused there, since nothing is built.
    pub fn in_process<'a>(&self, source: &'a Source) -> Result<Option<&'a Path>, String> {
        let Source::Spec(spec) = source else { return Ok(None) };
        if self.compile {
            return Ok(None);
        }
        let cargo_option = [
            (self.release, "--release"),
            (self.profile.is_some(), "--profile"),
            (!self.features.is_empty(), "--features"),
            (self.bin.is_some(), "--bin"),
            (self.toolchain.is_some(), "--toolchain"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag));
        match cargo_option {
            Some(flag) => Err(format!(
                "{flag} is an option of cargo, and a description is served without building anything; add \
                 --compile to generate a crate from it and build that, or leave {flag} out"
            )),
            None => Ok(Some(spec)),
        }
    }
}

/// The Cargo.toml of the crate at `path` (its directory or the file itself).
fn crate_manifest(path: &Path, what: &str) -> Result<Source, String> {
    let manifest = if path.is_dir() { path.join("Cargo.toml") } else { path.to_path_buf() };
    if !manifest.is_file() {
        return Err(if path.is_dir() {
            format!(
                "`{}` ({what}) is a directory without a Cargo.toml; give a crate directory, or an API description \
                 to generate one from",
                path.display()
            )
        } else {
            format!("`{}` ({what}) does not exist", path.display())
        });
    }
    let manifest =
        std::fs::canonicalize(&manifest).map_err(|e| format!("cannot open `{}`: {e}", manifest.display()))?;
    Ok(Source::Crate(manifest))
}

/// A server binary, built and ready to start.
#[derive(Debug, Clone)]
pub(super) struct Built {
    /// The executable cargo built.
    pub binary: PathBuf,
    /// The server's name: the generated crate's, or the binary's.
    pub name: String,
    /// The cached crate's directory, for a description.
    pub generated_dir: Option<PathBuf>,
}

/// How a client starts the server over STDIO: a program and the arguments that come before the
/// server's own flags.
#[derive(Debug, Clone)]
pub(super) struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The server's name: the API's, the generated crate's, or the binary's.
    pub name: String,
    /// The build, when there is one (a description served in-process has none).
    pub built: Option<Built>,
}

/// What starts the server: for a description served in-process (see
/// [`SourceArgs::in_process`]), this `mcpgen` running `run SPEC` (the description checked now, so a
/// broken one fails here and not in the client); otherwise the built binary.
pub(super) fn launch(args: &SourceArgs, source: &Source) -> Result<Launch, String> {
    if let Some(spec) = args.in_process(source)?
        && let Some(tables) = super::tables_with_warnings(&args.settings(spec))?
    {
        let absolute = |p: &Path| std::fs::canonicalize(p).map_err(|e| format!("`{}`: {e}", p.display()));
        let program = std::env::current_exe()
            .map_err(|e| format!("cannot tell where this mcpgen is: {e}"))
            .and_then(|exe| absolute(&exe))?;
        let spec = absolute(spec)?.to_string_lossy().into_owned();
        let mut run = vec!["run".into(), spec];
        run.extend(args.shaping.to_args(|p| Ok(absolute(p)?.to_string_lossy().into_owned()))?);
        return Ok(Launch { program, args: run, name: tables.api.name.into(), built: None });
    }
    let built = build(args, source)?;
    Ok(Launch { program: built.binary.clone(), args: Vec::new(), name: built.name.clone(), built: Some(built) })
}

/// Generates (for a description) and builds the server; cargo's output goes to stderr.
pub(super) fn build(args: &SourceArgs, source: &Source) -> Result<Built, String> {
    let options = cargo_build::Options {
        profile: args.profile.clone().or_else(|| args.release.then(|| "release".to_string())),
        features: args.features.clone(),
        bin: args.bin.clone(),
        toolchain: args.toolchain.clone(),
    };
    match source {
        Source::Spec(spec) => {
            let cached = cache::generated_crate(spec, &args.shaping)?;
            let binary = cargo_build::build(&cached.dir.join("Cargo.toml"), cache::target_dir()?.as_deref(), &options)?;
            Ok(Built { binary, name: cached.crate_name, generated_dir: Some(cached.dir) })
        }
        Source::Crate(_) if !args.shaping.overlays.is_empty() => {
            Err("--overlay applies to a description; a crate's overlays are in its mcpgen.toml (`mcpgen generate DIR \
                 --overlay FILE` records them)"
                .into())
        }
        Source::Crate(manifest) => {
            let binary = cargo_build::build(manifest, None, &options)?;
            let name = binary.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "server".into());
            Ok(Built { binary, name, generated_dir: None })
        }
    }
}
