//! The `mcpgen` command line, one file per subcommand. `mcpgen SPEC -o DIR` (no subcommand)
//! means `mcpgen generate SPEC -o DIR`.

mod cache;
mod cargo_build;
mod check;
mod child;
mod client_config;
mod dev;
mod diff;
mod generate;
mod in_process;
mod inspect;
mod install;
mod mock;
mod node;
mod run;
mod runtime_dep;
mod selection;
mod server_source;
mod surface_cost;
mod upstream_mock;

use std::ffi::OsString;
use std::process::ExitCode;

/// A subcommand's entry: its arguments (program name first, subcommand name removed), and a
/// message for the user when it fails.
type Subcommand = fn(Vec<OsString>) -> Result<(), String>;

/// The subcommands by name; anything else is the spec of an implicit `generate`.
const SUBCOMMANDS: &[(&str, Subcommand)] = &[
    ("generate", generate::main),
    ("mock", mock::main),
    ("check", check::main),
    ("inspect", inspect::main),
    ("diff", diff::main),
    ("run", run::main),
    ("dev", dev::main),
    ("install", install::main),
];

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    main_with(std::env::args_os().collect())
}

/// Runs the command line `args` (the program's name first), as the `mcpgen` command does.
pub fn main_with(mut args: Vec<OsString>) -> ExitCode {
    let chosen = args.get(1).and_then(|a| SUBCOMMANDS.iter().find(|(name, _)| a == name)).map(|(_, f)| *f);
    let subcommand = match chosen {
        Some(f) => {
            args.remove(1);
            f
        }
        None => generate::main,
    };
    match subcommand(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Warnings go to stderr, one per line.
fn print_warnings(warnings: &[crate::Warning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// [`crate::generate`] with its warnings on stderr: those of the generation, or, when every
/// operation was skipped, the ones that say why.
fn generate_with_warnings(settings: &crate::Settings) -> Result<crate::Generation, String> {
    let generation = with_warnings(crate::generate(settings))?;
    print_warnings(&generation.warnings);
    Ok(generation)
}

/// [`crate::tables::derive`] (a description's tables for `mcpgen run`; `None` for a manifest)
/// with its warnings on stderr, as [`generate_with_warnings`] prints them.
fn tables_with_warnings(settings: &crate::Settings) -> Result<Option<crate::tables::Tables>, String> {
    let tables = with_warnings(crate::tables::derive(settings))?;
    if let Some(tables) = &tables {
        print_warnings(&tables.warnings);
    }
    Ok(tables)
}

/// A failed derivation's message; when every operation was skipped, the warnings that say why
/// go to stderr first.
fn with_warnings<T>(result: Result<T, crate::Error>) -> Result<T, String> {
    result.map_err(|e| {
        if let crate::Error::NoTools { warnings, .. } = &e {
            print_warnings(warnings);
        }
        e.to_string()
    })
}

/// `KEY=VALUE` of `--env`: the key non-empty, the value anything (`=` included).
fn env_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}
