//! Putting a generation on disk: generated files are rewritten (only when they changed), the
//! user's files are created once and then left alone.

use crate::emit::stamp::{self, Stamp};
use crate::{Generation, Owner};
use std::path::{Path, PathBuf};

/// What [`Generation::write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    /// User-owned files that the user changed, kept as they are.
    pub kept: Vec<PathBuf>,
    /// Generated files that had been edited by hand (they no longer matched the hash in their
    /// header): rewritten like the others, so the edit is gone. Also listed in `written`.
    pub edits_lost: Vec<PathBuf>,
}

impl Generation {
    /// Writes the crate under `dir`, creating it if needed.
    pub fn write(&self, dir: impl AsRef<Path>) -> std::io::Result<WriteReport> {
        let dir = dir.as_ref();
        let mut report = WriteReport::default();
        for f in &self.files {
            let path = dir.join(&f.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let existing = std::fs::read(&path).ok();
            match (f.owner, existing) {
                (_, Some(old)) if old == f.contents.as_bytes() => report.unchanged.push(path),
                (Owner::User, Some(_)) => report.kept.push(path),
                (Owner::Generated, Some(old)) => {
                    if stamp::verify(&String::from_utf8_lossy(&old)) == Stamp::Edited {
                        report.edits_lost.push(path.clone());
                    }
                    std::fs::write(&path, &f.contents)?;
                    report.written.push(path);
                }
                _ => {
                    std::fs::write(&path, &f.contents)?;
                    report.written.push(path);
                }
            }
        }
        Ok(report)
    }
}
