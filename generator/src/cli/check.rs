//! `mcpgen check [DIR]`: a CI guard. Fails, listing the files, when a generated file of the crate
//! was edited by hand (its text no longer matches the hash in its header) or is out of date
//! (intact, but regenerating with the crate's `mcpgen.toml` would change it).

use crate::emit::stamp::{self, Stamp};
use crate::project::{self, Project};
use crate::{Owner, generate};
use clap::Parser;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "mcpgen check",
    about = "Check that a generated crate's generated files are current and untouched.",
    after_help = "Exits 0 when regenerating would change nothing, 1 (listing the files) otherwise."
)]
struct CheckArgs {
    /// The generated crate (holding mcpgen.toml).
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// Why one generated file fails the check.
enum Problem {
    Missing,
    EditedByHand,
    OutOfDate,
}

/// `mcpgen check [DIR]`; `args` starts with the program name.
pub fn main(args: Vec<std::ffi::OsString>) -> Result<(), String> {
    let a = match CheckArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    let dir = &a.dir;
    let project = Project::load(dir)?.ok_or_else(|| {
        format!(
            "`{}` has no {}, so mcpgen cannot tell what its generated files should be. Create it by generating the crate with `mcpgen generate SPEC -o {}`",
            dir.display(),
            project::FILE,
            dir.display()
        )
    })?;
    let settings = project.settings(dir)?;
    let spec_name = spec_name(&project);
    let generation = generate(&settings).map_err(|e| format!("cannot regenerate from {spec_name}: {e}"))?;
    let generated: Vec<_> = generation.files.iter().filter(|f| f.owner == Owner::Generated).collect();
    let mut problems = Vec::new();
    for f in &generated {
        let problem = match std::fs::read_to_string(dir.join(&f.path)) {
            Err(_) => Some(Problem::Missing),
            Ok(text) if text == f.contents => None,
            Ok(text) if stamp::verify(&text) == Stamp::Intact => Some(Problem::OutOfDate),
            Ok(_) => Some(Problem::EditedByHand),
        };
        if let Some(p) = problem {
            problems.push((f.path.as_str(), p));
        }
    }
    if problems.is_empty() {
        println!("OK: {} generated files match {spec_name} and {}", generated.len(), project::FILE);
        return Ok(());
    }
    let mut message =
        format!("{} generated file(s) of `{}` are not what mcpgen would write:", problems.len(), dir.display());
    for (path, p) in &problems {
        let why = match p {
            Problem::Missing => "missing; run `mcpgen generate`".to_string(),
            Problem::OutOfDate => format!("out of date with {spec_name}; run `mcpgen generate`"),
            Problem::EditedByHand => {
                "edited by hand (it no longer matches the hash in its header); `mcpgen generate` would undo the edit: move it to src/custom.rs".to_string()
            }
        };
        message.push_str(&format!("\n  {path}: {why}"));
    }
    Err(message)
}

/// The description's file name, as the messages show it.
fn spec_name(project: &Project) -> String {
    project
        .spec
        .as_deref()
        .map(|s| Path::new(s).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| s.to_string()))
        .unwrap_or_else(|| "the description".into())
}
