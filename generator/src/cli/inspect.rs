//! `mcpgen inspect SPEC [--json]`: the tools a generation would produce, with their arguments,
//! without writing anything. SPEC is an OpenAPI description or a tool-schema manifest.

use super::selection::Selection;
use super::{print_warnings, surface_cost};
use crate::ir::printable;
use crate::surface::{ToolSurface, argument_json};
use crate::{Description, InputKind, Settings, SurfaceMode, Warning};
use clap::Parser;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen inspect",
    version,
    about = "List the tools that would be generated from a description or manifest, with their arguments. Writes nothing.",
    after_help = "Examples:\n  mcpgen inspect openapi.yaml\n  mcpgen inspect openapi.yaml --tag pets --json | jq '.tools[].name'\n  mcpgen inspect tools.json"
)]
struct InspectArgs {
    /// The OpenAPI (3.0, 3.1) or Swagger 2.0 description, or a tool-schema manifest; YAML or JSON;
    /// `-` reads standard input.
    spec: PathBuf,
    /// Print JSON (tools with arguments, input and output schemas, and warnings) instead of a table.
    #[arg(long)]
    json: bool,
    /// What SPEC is [default: told from the document].
    #[arg(long, value_name = "KIND", value_parser = super::generate::parse_input_kind)]
    input_kind: Option<InputKind>,
    #[command(flatten)]
    selection: Selection,
    /// The budget `auto` is judged against, in estimated tokens [default: 25000].
    #[arg(long, value_name = "TOKENS")]
    tool_budget: Option<usize>,
}

/// One tool as `inspect` shows it: its surface, where it sends requests (OpenAPI tools), and its
/// JSON entry.
struct Row {
    surface: ToolSurface,
    endpoint: Option<String>,
    json: Value,
}

/// `mcpgen inspect SPEC ...`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match InspectArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let settings = a.selection.apply(Settings::new(&a.spec).input_kind(a.input_kind.unwrap_or_default()));
    let description = crate::describe(&settings).map_err(|e| e.to_string())?;
    let max_name_len = settings.tools.max_name_len.clamp(crate::tools::naming::MIN_LEN, crate::tools::naming::MAX_LEN);
    let (rows, warnings) = rows(&description);
    let costs = match &description {
        Description::OpenApi(set) => Some(surface_cost::costs(&set.tools, SurfaceMode::Auto, a.tool_budget)),
        Description::Manifest(_) => None,
    };
    if a.json {
        let warnings: Vec<Value> =
            warnings.iter().map(|w| json!({"at": w.at, "message": w.message, "skipped": w.skipped})).collect();
        let mut report = json!({"tools": rows.iter().map(|r| &r.json).collect::<Vec<_>>(), "warnings": warnings});
        if let Some(c) = &costs {
            let cost = |c: surface_cost::Cost| json!({"tools": c.tools, "bytes": c.bytes, "tokens": c.tokens()});
            report["surfaces"] = json!({
                "all": cost(c.all),
                "dynamic": cost(c.dynamic),
                "auto": {"budget": c.budget, "serves": c.served.as_str()},
            });
        }
        if let Description::OpenApi(set) = &description {
            report["names"] = json!({
                "maxLength": max_name_len,
                "shortened": set.tools.iter().filter(|t| t.shortened_from.is_some()).count(),
            });
            report["excluded"] = json!(set.excluded);
        }
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        print_warnings(warnings);
        print!("{}", table(&rows));
        let skipped = warnings.iter().filter(|w| w.skipped).count();
        eprintln!(
            "{} tool(s){}; `*` marks a required argument.",
            rows.len(),
            if skipped > 0 {
                format!(", {skipped} operation(s) skipped (see the warnings above)")
            } else {
                String::new()
            }
        );
        if let Description::OpenApi(set) = &description
            && set.excluded > 0
        {
            eprintln!("{} operation(s) left out by the description's x-mcp / x-speakeasy-mcp.", set.excluded);
        }
        if let Some(c) = &costs {
            let line = |mode: &str, c: surface_cost::Cost| {
                let (bytes, tokens) = (surface_cost::thousands(c.bytes), surface_cost::thousands(c.tokens()));
                eprintln!("  --tools {mode:<8} {:>5} tool(s) {bytes:>11} bytes  ~{tokens:>9} tokens", c.tools)
            };
            eprintln!("What a client hands the model (names, descriptions, input schemas):");
            line("all", c.all);
            line("dynamic", c.dynamic);
            eprintln!(
                "  --tools auto     serves {} (budget {} tokens)",
                c.served.as_str(),
                surface_cost::thousands(c.budget)
            );
        }
        if let Description::OpenApi(set) = &description
            && let Some(line) = surface_cost::shortened_names(&set.tools, max_name_len)
        {
            eprintln!("{line}");
        }
    }
    Ok(())
}

fn rows(description: &Description) -> (Vec<Row>, &[Warning]) {
    match description {
        Description::OpenApi(set) => {
            let rows = set
                .tools
                .iter()
                .map(|t| {
                    let surface = ToolSurface::from(t);
                    let json = json!({
                        "name": t.name,
                        "title": t.title,
                        "description": t.description,
                        "method": t.method.upper(),
                        "path": t.path,
                        "operationId": t.operation_id,
                        "shortenedFrom": t.shortened_from,
                        "annotations": {
                            "readOnlyHint": t.annotations.read_only,
                            "destructiveHint": t.annotations.destructive,
                            "idempotentHint": t.annotations.idempotent,
                            "openWorldHint": t.annotations.open_world,
                        },
                        "arguments": surface.arguments.iter().map(argument_json).collect::<Vec<_>>(),
                        "inputSchema": t.input_schema,
                        "outputSchema": t.output_schema.as_deref(),
                    });
                    Row { endpoint: Some(format!("{} {}", t.method.upper(), t.path)), surface, json }
                })
                .collect();
            (rows, &set.warnings)
        }
        Description::Manifest(m) => {
            let rows = m
                .tools
                .iter()
                .map(|t| {
                    let surface = ToolSurface::from(t);
                    let json = json!({
                        "name": t.name,
                        "title": t.title,
                        "description": t.description,
                        "annotations": t.annotations,
                        "arguments": surface.arguments.iter().map(argument_json).collect::<Vec<_>>(),
                        "inputSchema": t.input_schema,
                        "outputSchema": t.output_schema,
                    });
                    Row { endpoint: None, surface, json }
                })
                .collect();
            (rows, &[])
        }
    }
}

/// Tool, endpoint (OpenAPI only), the description's first line and top-level arguments, in
/// aligned columns.
fn table(rows: &[Row]) -> String {
    let with_endpoint = rows.iter().any(|r| r.endpoint.is_some());
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let arguments: Vec<String> = r
                .surface
                .arguments
                .iter()
                .filter(|a| !a.path.contains(['.', '[']))
                .map(|a| format!("{}{}: {}", a.path, if a.required { "*" } else { "" }, a.type_text()))
                .collect();
            let first_line = r.surface.description.lines().next().unwrap_or("");
            let mut row = vec![printable(&r.surface.name)];
            if with_endpoint {
                row.push(printable(r.endpoint.as_deref().unwrap_or("")));
            }
            row.push(printable(&shorten(first_line, 60)));
            row.push(printable(&arguments.join(", ")));
            row
        })
        .collect();
    let header: Vec<String> = if with_endpoint {
        ["TOOL", "ENDPOINT", "DESCRIPTION", "ARGUMENTS"].map(String::from).to_vec()
    } else {
        ["TOOL", "DESCRIPTION", "ARGUMENTS"].map(String::from).to_vec()
    };
    let mut widths = vec![0usize; header.len()];
    for row in std::iter::once(&header).chain(&cells) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}
