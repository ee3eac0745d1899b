//! `mcpgen inspect SPEC [--json]`: the tools a generation would produce, with their arguments,
//! without writing anything.

use super::print_warnings;
use super::selection::Selection;
use crate::surface::{ToolSurface, argument_json};
use crate::{Settings, ToolDef, Warning};
use clap::Parser;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen inspect",
    version,
    about = "List the tools that would be generated from a description, with their arguments. Writes nothing.",
    after_help = "Examples:\n  mcpgen inspect openapi.yaml\n  mcpgen inspect openapi.yaml --tag pets --json | jq '.tools[].name'"
)]
struct InspectArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, YAML or JSON; `-` reads standard input.
    spec: PathBuf,
    /// Print JSON (tools with arguments, input and output schemas, and warnings) instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    selection: Selection,
}

/// `mcpgen inspect SPEC ...`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match InspectArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let settings = a.selection.apply(Settings::new(&a.spec));
    let set = crate::tools(&settings).map_err(|e| e.to_string())?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report(&set.tools, &set.warnings)).map_err(|e| e.to_string())?);
    } else {
        print_warnings(&set.warnings);
        print!("{}", table(&set.tools));
        let skipped = set.warnings.iter().filter(|w| w.skipped).count();
        eprintln!(
            "{} tool(s){}; `*` marks a required argument.",
            set.tools.len(),
            if skipped > 0 {
                format!(", {skipped} operation(s) skipped (see the warnings above)")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// Tool, endpoint, the description's first line and top-level arguments, in aligned columns.
fn table(tools: &[ToolDef]) -> String {
    let rows: Vec<[String; 4]> = tools
        .iter()
        .map(|t| {
            let surface = ToolSurface::from(t);
            let arguments: Vec<String> = surface
                .arguments
                .iter()
                .filter(|a| !a.path.contains(['.', '[']))
                .map(|a| format!("{}{}: {}", a.path, if a.required { "*" } else { "" }, a.type_text()))
                .collect();
            let first_line = t.description.lines().next().unwrap_or("");
            [
                printable(&t.name),
                format!("{} {}", t.method.upper(), printable(&t.path)),
                printable(&shorten(first_line, 60)),
                printable(&arguments.join(", ")),
            ]
        })
        .collect();
    let header = ["TOOL", "ENDPOINT", "DESCRIPTION", "ARGUMENTS"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row.iter().zip(widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

/// Spec text on a terminal: no control characters or bidi overrides.
fn printable(s: &str) -> String {
    crate::ir::printable(s)
}

fn report(tools: &[ToolDef], warnings: &[Warning]) -> Value {
    let tools: Vec<Value> = tools
        .iter()
        .map(|t| {
            let surface = ToolSurface::from(t);
            json!({
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "method": t.method.upper(),
                "path": t.path,
                "operationId": t.operation_id,
                "annotations": {
                    "readOnlyHint": t.annotations.read_only,
                    "destructiveHint": t.annotations.destructive,
                    "idempotentHint": t.annotations.idempotent,
                    "openWorldHint": t.annotations.open_world,
                },
                "arguments": surface.arguments.iter().map(argument_json).collect::<Vec<_>>(),
                "inputSchema": t.input_schema,
                "outputSchema": t.output_schema,
            })
        })
        .collect();
    let warnings: Vec<Value> =
        warnings.iter().map(|w| json!({"at": w.at, "message": w.message, "skipped": w.skipped})).collect();
    json!({"tools": tools, "warnings": warnings})
}
