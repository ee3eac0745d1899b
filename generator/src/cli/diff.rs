//! `mcpgen diff OLD NEW [--json] [--fail-on-breaking]`: how the tool surface changed between
//! two descriptions (OpenAPI or tool-schema manifests), each change marked breaking or compatible for a client.

use super::selection::Selection;
use crate::surface::ToolSurface;
use crate::surface::diff::{Change, diff};
use crate::{InputKind, Settings};
use clap::Parser;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen diff",
    version,
    about = "Compare the tools two descriptions produce: tools added and removed, arguments added, removed, \
             newly required or changed in type or allowed values, descriptions changed. Each change is marked \
             breaking (a call a client made before may now fail) or compatible.",
    after_help = "Examples:\n  mcpgen diff openapi-v1.yaml openapi-v2.yaml\n  mcpgen diff old.json new.json --json\n  mcpgen diff old.yaml new.yaml --fail-on-breaking   (exit 1 on a breaking change: a CI guard)"
)]
struct DiffArgs {
    /// The earlier description.
    old: PathBuf,
    /// The later description.
    new: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when any change is breaking.
    #[arg(long)]
    fail_on_breaking: bool,
    /// What OLD and NEW are [default: told from each document].
    #[arg(long, value_name = "KIND", value_parser = super::generate::parse_input_kind)]
    input_kind: Option<InputKind>,
    /// The same selection applies to both descriptions.
    #[command(flatten)]
    selection: Selection,
}

/// `mcpgen diff OLD NEW ...`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match DiffArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let kind = a.input_kind.unwrap_or_default();
    let old = surface(&a.old, kind, &a.selection)?;
    let new = surface(&a.new, kind, &a.selection)?;
    let changes = diff(&old, &new);
    let breaking = changes.iter().filter(|c| c.breaking).count();
    if a.json {
        let report = json!({
            "old": a.old.display().to_string(),
            "new": a.new.display().to_string(),
            "changes": changes.iter().map(Change::to_json).collect::<Vec<_>>(),
            "breaking": breaking,
            "compatible": changes.len() - breaking,
        });
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        print!("{}", text(&a.old, &a.new, &changes, breaking));
    }
    if a.fail_on_breaking && breaking > 0 {
        std::process::exit(1);
    }
    Ok(())
}

fn surface(spec: &Path, kind: InputKind, selection: &Selection) -> Result<Vec<ToolSurface>, String> {
    let settings = selection.apply(Settings::new(spec).input_kind(kind));
    let description = crate::describe(&settings).map_err(|e| format!("{}: {e}", spec.display()))?;
    Ok(crate::surface::of(&description))
}

fn text(old: &Path, new: &Path, changes: &[Change], breaking: usize) -> String {
    let mut out = format!("Tool surface from {} to {}:\n", old.display(), new.display());
    if changes.is_empty() {
        out.push_str("  no changes\n");
        return out;
    }
    for c in changes {
        let mark = if c.breaking { "breaking  " } else { "compatible" };
        out.push_str(&format!("  {mark}  {}\n", crate::ir::printable(&c.summary())));
    }
    out.push_str(&format!(
        "{} change(s): {breaking} breaking, {} compatible\n",
        changes.len(),
        changes.len() - breaking
    ));
    out
}
