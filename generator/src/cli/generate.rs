//! `mcpgen SPEC -o DIR`, `mcpgen generate SPEC -o DIR`: write a crate and its `mcpgen.toml`;
//! `mcpgen generate [DIR]` (DIR holding `mcpgen.toml`, by default the working directory):
//! regenerate it with the settings recorded there.

use super::selection::Selection;
use super::{generate_with_warnings, runtime_dep, surface_cost};
use crate::project::{self, Project};
use crate::{InputKind, SurfaceMode, WriteReport};
use clap::Parser;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen",
    version,
    about = "Generate a Rust MCP server from an OpenAPI description or an MCP tool-schema manifest.",
    after_help = "Examples:\n  mcpgen openapi.yaml -o my_server\n  mcpgen tools.json -o my_server          (a tool-schema manifest: {\"tools\": [...]})\n  mcpgen generate openapi.json -o my_server --tag pets --method get\n  cat openapi.yaml | mcpgen - -o my_server\n  mcpgen generate my_server      (again, with the settings in my_server/mcpgen.toml)\n\nA mock of the API, to try a generated server with no network:\n  mcpgen mock openapi.yaml --port 4010      (see `mcpgen mock --help`)\n\nSee the tools first, compare two versions, guard a crate in CI:\n  mcpgen inspect openapi.yaml\n  mcpgen diff old.yaml new.yaml\n  mcpgen check my_server\n\nRun, develop, install a server (each has --help):\n  mcpgen run openapi.yaml --mock -t http    serve it at once (--compile: generate, build and serve)\n  mcpgen dev openapi.yaml                   the same in the MCP Inspector\n  mcpgen install claude-desktop openapi.yaml"
)]
struct GenerateArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, or an MCP tool-schema manifest; YAML or
    /// JSON; `-` reads standard input.
    /// Or a generated crate's directory, to regenerate it with its mcpgen.toml [default: .].
    #[arg(value_name = "SPEC | DIR")]
    spec: Option<PathBuf>,
    /// What SPEC is [default: a manifest if it is an array or has `tools`, else OpenAPI].
    #[arg(long, value_name = "KIND", value_parser = parse_input_kind)]
    input_kind: Option<InputKind>,
    /// The directory to write the crate to (created if needed).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// The crate and server name [default: the output directory's name].
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    selection: Selection,
    /// Depend on mcpgen-runtime at this path [default: this mcpgen's own source, if present].
    #[arg(long, value_name = "PATH", conflicts_with = "runtime_version")]
    runtime_path: Option<PathBuf>,
    /// Depend on this version of mcpgen-runtime from crates.io.
    #[arg(long, value_name = "VERSION")]
    runtime_version: Option<String>,
    /// How the server presents its tools: all (one per operation), dynamic (search, describe and
    /// call tools in front of them), auto (all while they fit --tool-budget) [default: auto].
    #[arg(long, value_name = "MODE", value_parser = parse_surface)]
    tools: Option<SurfaceMode>,
    /// The budget `--tools auto` fits the tools' definitions into, in estimated tokens [default: 25000].
    #[arg(long, value_name = "TOKENS")]
    tool_budget: Option<usize>,
    /// Print only warnings and errors.
    #[arg(short, long)]
    quiet: bool,
}

pub(super) fn parse_surface(s: &str) -> Result<SurfaceMode, String> {
    SurfaceMode::parse(s).ok_or_else(|| format!("unknown tool mode `{s}` (expected all, dynamic or auto)"))
}

pub(super) fn parse_input_kind(s: &str) -> Result<InputKind, String> {
    InputKind::parse(s).ok_or_else(|| format!("unknown input kind `{s}` (expected openapi, manifest or auto)"))
}

/// `mcpgen [generate] SPEC -o DIR ...` or `mcpgen generate [DIR]`; `args` starts with the
/// program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match GenerateArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let (spec, output) = match (&a.spec, &a.output) {
        (spec, Some(output)) => (spec.clone(), output.clone()),
        (Some(dir), None) if dir.is_dir() => (None, dir.clone()),
        (Some(spec), None) => {
            return Err(format!(
                "where should the crate go? Give a directory: `mcpgen generate {} -o DIR` (or `mcpgen generate DIR` to regenerate a crate that has {})",
                spec.display(),
                project::FILE
            ));
        }
        (None, None) => (None, PathBuf::from(".")),
    };
    if spec.is_none() && !output.join(project::FILE).is_file() {
        return Err(no_project(&output));
    }
    std::fs::create_dir_all(&output).map_err(|e| format!("cannot create `{}`: {e}", output.display()))?;
    let out_dir = std::fs::canonicalize(&output).map_err(|e| format!("cannot open `{}`: {e}", output.display()))?;
    let mut project = Project::load(&out_dir)?.unwrap_or_default();
    // How the description is named in the summary: as given, or as mcpgen.toml records it.
    let mut spec_shown = spec.as_ref().map(|s| s.display().to_string()).unwrap_or_default();
    let spec = match spec {
        Some(spec) => {
            // Recorded relative to the crate, so the two can move together.
            project.spec = match std::fs::canonicalize(&spec) {
                Ok(abs) if spec != Path::new("-") => Some(runtime_dep::relative_text(&out_dir, &abs)),
                _ => None,
            };
            spec
        }
        None => {
            spec_shown = format!("{} (from {})", project.spec.clone().unwrap_or_default(), project::FILE);
            project.spec_path(&output)?
        }
    };
    apply_flags(&a, &mut project, &out_dir)?;
    let settings = project.settings_for(&out_dir, spec.clone())?;
    let generation = generate_with_warnings(&settings)?;
    let mut report =
        generation.write(&out_dir).map_err(|e| format!("cannot write into `{}`: {e}", out_dir.display()))?;
    let manifest = out_dir.join(project::FILE);
    if project.save(&out_dir)? {
        report.written.push(manifest);
    } else {
        report.unchanged.push(manifest);
    }
    if !a.quiet {
        let skipped = generation.warnings.iter().filter(|w| w.skipped).count();
        eprintln!(
            "Generated {} tool(s) from {} into {} (crate `{}`){}.",
            generation.tool_count(),
            spec_shown,
            output.display(),
            generation.crate_name,
            if skipped > 0 {
                format!("; {skipped} operation(s) skipped, see the warnings above")
            } else {
                String::new()
            }
        );
        if generation.excluded > 0 {
            eprintln!("{} operation(s) left out by the description's x-mcp / x-speakeasy-mcp.", generation.excluded);
        }
        if generation.manifest.is_none() {
            let costs = surface_cost::costs(&generation.tools, settings.surface, settings.tool_budget);
            eprintln!("{}", costs.summary(settings.surface));
            if let Some(line) = surface_cost::shortened_names(&generation.tools, settings.tools.max_name_len) {
                eprintln!("{line}");
            }
        }
        print_report(&report, &out_dir);
        eprintln!("Next: cd {} && cargo run -- --help", output.display());
    }
    // The process ends here: freeing every tool's schema tree one by one would only cost time
    // (tens of milliseconds for a large API).
    std::mem::forget(generation);
    Ok(())
}

/// Lays the flags given over the recorded settings; what is given replaces what was recorded.
fn apply_flags(a: &GenerateArgs, project: &mut Project, out_dir: &Path) -> Result<(), String> {
    if let Some(name) = &a.name {
        project.name = Some(name.clone());
    }
    if project.name.is_none() {
        // Named after the directory the first time; recorded, so moving the crate keeps its name.
        project.name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned());
    }
    let (given, f) = (&a.selection, &mut project.filter);
    for (given, recorded) in
        [(&given.tags, &mut f.tags), (&given.operations, &mut f.operations), (&given.paths, &mut f.paths)]
    {
        if !given.is_empty() {
            *recorded = given.clone();
        }
    }
    if !given.methods.is_empty() {
        f.methods = given.methods.iter().map(|m| m.as_str().to_string()).collect();
    }
    project.rename.extend(given.renames());
    if let Some(kind) = a.input_kind {
        project.input = Some(kind.as_str().to_string());
    }
    if let Some(root) = &given.ref_root {
        let abs = std::fs::canonicalize(root).map_err(|e| format!("--ref-root `{}`: {e}", root.display()))?;
        project.ref_root = Some(runtime_dep::relative_text(out_dir, &abs));
    }
    if !given.shaping.overlays.is_empty() {
        // Like the filters: the overlays given replace the recorded ones, each relative to the crate.
        project.overlays = given
            .shaping
            .overlays
            .iter()
            .map(|o| {
                let abs = std::fs::canonicalize(o).map_err(|e| format!("--overlay `{}`: {e}", o.display()))?;
                Ok(runtime_dep::relative_text(out_dir, &abs))
            })
            .collect::<Result<_, String>>()?;
    }
    if let Some(tools) = a.tools {
        project.tools = Some(tools.as_str().to_string());
    }
    if let Some(budget) = a.tool_budget {
        project.tool_budget = Some(budget);
    }
    if let Some(n) = given.shaping.max_tool_name_length {
        project.max_tool_name_length = Some(n);
    }
    if let Some(p) = given.shaping.schema_profile {
        project.schema_profile = (p != crate::SchemaProfile::Full).then(|| p.as_str().to_string());
    }
    project.strict |= given.strict;
    project.output_schemas &= !given.no_output_schemas;
    if a.runtime_path.is_some() || a.runtime_version.is_some() || project.runtime.is_none() {
        let runtime = runtime_dep::resolve(out_dir, a.runtime_path.as_deref(), a.runtime_version.as_deref())?;
        project.runtime = Some((&runtime).into());
    }
    Ok(())
}

/// What was written, what was already current, and which of the user's files were kept.
fn print_report(report: &WriteReport, out_dir: &Path) {
    let list = |paths: &[PathBuf]| {
        let mut names: Vec<String> =
            paths.iter().map(|p| p.strip_prefix(out_dir).unwrap_or(p).to_string_lossy().replace('\\', "/")).collect();
        names.sort();
        names.join(", ")
    };
    if !report.written.is_empty() {
        eprintln!("  written:   {}", list(&report.written));
    }
    if !report.unchanged.is_empty() {
        eprintln!("  unchanged: {}", list(&report.unchanged));
    }
    if !report.kept.is_empty() {
        eprintln!("  kept:      {} (yours: never overwritten)", list(&report.kept));
    }
    if !report.edits_lost.is_empty() {
        eprintln!(
            "warning: {} had been edited by hand; regenerating replaced the edit (put your code in src/custom.rs)",
            list(&report.edits_lost)
        );
    }
}

fn no_project(dir: &Path) -> String {
    format!(
        "`{}` has no {}, so there is nothing to regenerate it from. Generate the crate from a description once with `mcpgen generate SPEC -o {}`: that writes {} with the settings used",
        dir.display(),
        project::FILE,
        dir.display(),
        project::FILE
    )
}
