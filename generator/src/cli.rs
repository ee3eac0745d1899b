//! The `mcpgen` command line: `mcpgen SPEC -o DIR` or `mcpgen generate SPEC -o DIR`, and
//! `mcpgen mock SPEC [--port N]`.

use crate::ir::Method;
use crate::{Error, Filter, RuntimeDep, Settings, generate};
use clap::Parser;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen",
    version,
    about = "Generate a Rust MCP server from an OpenAPI description.",
    after_help = "Examples:\n  mcpgen openapi.yaml -o my_server\n  mcpgen generate openapi.json -o my_server --tag pets --method get\n  cat openapi.yaml | mcpgen - -o my_server\n\nA mock of the API, to try a generated server with no network:\n  mcpgen mock openapi.yaml --port 4010      (see `mcpgen mock --help`)"
)]
struct GenerateArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, YAML or JSON; `-` reads standard input.
    spec: PathBuf,
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

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen mock",
    version,
    about = "Serve an OpenAPI description's operations on loopback: requests are checked against the \
             description (400 says what is wrong) and answered with its examples or data made up from \
             its schemas. Every request is listed at GET /__mcpgen/requests.",
    after_help = "Example:\n  mcpgen mock openapi.yaml --port 4010 &\n  my_server -- --base-url http://127.0.0.1:4010/v1"
)]
struct MockArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, YAML or JSON; `-` reads standard input.
    spec: PathBuf,
    /// The port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 4010)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
}

fn mock(a: MockArgs) -> Result<(), String> {
    let source = crate::load::Source::Path(a.spec.clone());
    let mock = crate::mock::Mock::load(&source).map_err(|e| e.to_string())?;
    print_warnings(mock.warnings());
    if mock.operations().is_empty() {
        return Err(format!("`{}` has no operation to serve", a.spec.display()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let options = crate::mock::Options { host: a.host.clone(), port: a.port };
    runtime.block_on(crate::mock::serve(mock, &options)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("{}:{} is in use; choose another with --port (0 picks a free one)", a.host, a.port)
        } else {
            format!("cannot serve on {}:{}: {e}", a.host, a.port)
        }
    })
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

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "mock") {
        args.remove(1);
        let parsed = match MockArgs::try_parse_from(args) {
            Ok(p) => p,
            Err(e) => e.exit(),
        };
        return match mock(parsed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    if args.get(1).is_some_and(|a| a == "generate") {
        args.remove(1);
    }
    let parsed = match GenerateArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    match run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: GenerateArgs) -> Result<(), String> {
    std::fs::create_dir_all(&a.output).map_err(|e| format!("cannot create `{}`: {e}", a.output.display()))?;
    let out_dir = std::fs::canonicalize(&a.output).map_err(|e| format!("cannot open `{}`: {e}", a.output.display()))?;
    let runtime = match (&a.runtime_path, &a.runtime_version) {
        (_, Some(v)) => RuntimeDep::Version(v.clone()),
        (Some(p), None) => {
            let p = std::fs::canonicalize(p).map_err(|e| format!("--runtime-path `{}`: {e}", p.display()))?;
            RuntimeDep::Path(path_text(&relative(&out_dir, &p)))
        }
        (None, None) => match own_runtime() {
            Some(p) => RuntimeDep::Path(path_text(&relative(&out_dir, &p))),
            None => RuntimeDep::Version(crate::settings::default_runtime_version()),
        },
    };
    let name = a.name.clone().or_else(|| out_dir.file_name().map(|n| n.to_string_lossy().into_owned()));
    let mut settings = Settings::new(&a.spec).runtime(runtime).strict(a.strict).filter(Filter {
        tags: a.tags,
        operations: a.operations,
        paths: a.paths,
        methods: a.methods,
    });
    settings.name = name;
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
            generation.tools.len(),
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

fn print_warnings(warnings: &[crate::Warning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// This mcpgen's own runtime source, when it runs from a checkout.
fn own_runtime() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    p.join("Cargo.toml").is_file().then(|| std::fs::canonicalize(&p).ok()).flatten()
}

/// `to` relative to the directory `from` (both absolute).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    // Sharing only the root (or a drive): an absolute path says more than `../../..`.
    if common <= 1 {
        return to.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

/// Forward slashes, which Cargo accepts everywhere.
fn path_text(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
