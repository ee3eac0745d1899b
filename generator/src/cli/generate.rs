//! `mcpgen SPEC -o DIR` and `mcpgen generate SPEC -o DIR`: write a crate.

use super::{print_warnings, runtime_dep};
use crate::ir::Method;
use crate::{Error, Filter, InputKind, Settings, generate};
use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen",
    version,
    about = "Generate a Rust MCP server from an OpenAPI description or an MCP tool-schema manifest.",
    after_help = "Examples:\n  mcpgen openapi.yaml -o my_server\n  mcpgen tools.json -o my_server          (a tool-schema manifest: {\"tools\": [...]})\n  mcpgen generate openapi.json -o my_server --tag pets --method get\n  cat openapi.yaml | mcpgen - -o my_server\n\nA mock of the API, to try a generated server with no network:\n  mcpgen mock openapi.yaml --port 4010      (see `mcpgen mock --help`)"
)]
struct GenerateArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, or an MCP tool-schema manifest; YAML or
    /// JSON; `-` reads standard input.
    spec: PathBuf,
    /// What SPEC is [default: a manifest if it is an array or has `tools`, else OpenAPI].
    #[arg(long, value_name = "KIND", value_parser = parse_input_kind)]
    input_kind: Option<InputKind>,
    /// The directory to write the crate to (created if needed).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// The crate and server name [default: the output directory's name].
    #[arg(long)]
    name: Option<String>,
    /// Only operations with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only this operationId or tool name; `*` matches anything (repeatable).
    #[arg(long = "operation", value_name = "ID")]
    operations: Vec<String>,
    /// Only paths matching this pattern, e.g. `/pets/*` (repeatable).
    #[arg(long = "path", value_name = "PATTERN")]
    paths: Vec<String>,
    /// Only this HTTP method (repeatable).
    #[arg(long = "method", value_name = "METHOD", value_parser = parse_method)]
    methods: Vec<Method>,
    /// Name a tool yourself: `listPets=list_pets`, or `GET /pets=list_pets` (repeatable).
    #[arg(long = "rename", value_name = "OPERATION=TOOL", value_parser = parse_rename)]
    renames: Vec<(String, String)>,
    /// Fail on any warning instead of skipping what cannot be generated.
    #[arg(long)]
    strict: bool,
    /// Leave out output schemas (for APIs whose responses do not match their description).
    #[arg(long)]
    no_output_schemas: bool,
    /// Depend on mcpgen-runtime at this path [default: this mcpgen's own source, if present].
    #[arg(long, value_name = "PATH", conflicts_with = "runtime_version")]
    runtime_path: Option<PathBuf>,
    /// Depend on this version of mcpgen-runtime from crates.io.
    #[arg(long, value_name = "VERSION")]
    runtime_version: Option<String>,
    /// Print only warnings and errors.
    #[arg(short, long)]
    quiet: bool,
}

fn parse_input_kind(s: &str) -> Result<InputKind, String> {
    match s {
        "openapi" => Ok(InputKind::OpenApi),
        "manifest" => Ok(InputKind::Manifest),
        _ => Err(format!("unknown input kind `{s}` (expected openapi or manifest)")),
    }
}

fn parse_method(s: &str) -> Result<Method, String> {
    Method::parse(s).ok_or_else(|| {
        format!("unknown HTTP method `{s}` (expected get, put, post, delete, options, head, patch or trace)")
    })
}

fn parse_rename(s: &str) -> Result<(String, String), String> {
    match s.rsplit_once('=') {
        Some((op, name)) if !op.trim().is_empty() && !name.trim().is_empty() => {
            Ok((op.trim().to_string(), name.trim().to_string()))
        }
        _ => Err(format!("`{s}` is not OPERATION=TOOL (an operationId or `METHOD /path`, then the tool name)")),
    }
}

/// `mcpgen [generate] SPEC -o DIR ...`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match GenerateArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    std::fs::create_dir_all(&a.output).map_err(|e| format!("cannot create `{}`: {e}", a.output.display()))?;
    let out_dir = std::fs::canonicalize(&a.output).map_err(|e| format!("cannot open `{}`: {e}", a.output.display()))?;
    let runtime = runtime_dep::resolve(&out_dir, a.runtime_path.as_deref(), a.runtime_version.as_deref())?;
    let name = a.name.clone().or_else(|| out_dir.file_name().map(|n| n.to_string_lossy().into_owned()));
    let mut settings = Settings::new(&a.spec).runtime(runtime).strict(a.strict).filter(Filter {
        tags: a.tags,
        operations: a.operations,
        paths: a.paths,
        methods: a.methods,
    });
    settings.name = name;
    settings.input_kind = a.input_kind.unwrap_or_default();
    settings.tools.output_schemas = !a.no_output_schemas;
    settings.tools.names = a
        .renames
        .iter()
        .map(|(op, name)| match op.split_once(' ') {
            // `get /pets` and `GET /pets` mean the same operation.
            Some((method, path)) => (format!("{} {}", method.to_ascii_uppercase(), path.trim()), name.clone()),
            None => (op.clone(), name.clone()),
        })
        .collect();
    let generation = match generate(&settings) {
        Ok(g) => g,
        Err(Error::NoTools { operations, warnings }) => {
            print_warnings(&warnings);
            return Err(Error::NoTools { operations, warnings }.to_string());
        }
        Err(e) => return Err(e.to_string()),
    };
    print_warnings(&generation.warnings);
    let report = generation.write(&out_dir).map_err(|e| format!("cannot write into `{}`: {e}", out_dir.display()))?;
    if !a.quiet {
        let skipped = generation.warnings.iter().filter(|w| w.skipped).count();
        eprintln!(
            "Generated {} tool(s) into {} (crate `{}`){}.",
            generation.tool_count(),
            a.output.display(),
            generation.crate_name,
            if skipped > 0 {
                format!("; {skipped} operation(s) skipped, see the warnings above")
            } else {
                String::new()
            }
        );
        if !report.kept.is_empty() {
            eprintln!(
                "Kept your own {}.",
                report
                    .kept
                    .iter()
                    .map(|p| p.strip_prefix(&out_dir).unwrap_or(p).display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        eprintln!("Next: cd {} && cargo run -- --help", a.output.display());
    }
    Ok(())
}
