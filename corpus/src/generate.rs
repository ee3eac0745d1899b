//! The first stage: `mcpgen::generate` on one description, in process, with a panic caught and
//! reported as a failure of its own (a panic is always a generator bug).

use mcpgen::{Error, Warning};
use serde_json::Value;
use std::cell::RefCell;
use std::path::Path;
use std::time::Instant;

/// What the runner needs of a tool: its name, and the schema its arguments are made from.
#[derive(Debug, Clone)]
pub struct Tool {
    pub name: String,
    /// `operationId`, else `METHOD /path`: how the mock names the operation.
    pub operation: String,
    pub input_schema: Value,
}

/// A generated server: the `src/generated/mod.rs` the batch compiles, and its tools.
#[derive(Debug)]
pub struct Generated {
    pub module: String,
    pub tools: Vec<Tool>,
    pub warnings: Vec<Warning>,
    /// Operations in the description: the tools plus those skipped with a warning.
    pub operations: usize,
}

/// Why generation failed; `cause` groups failures in the report.
#[derive(Debug)]
pub struct Failure {
    pub cause: String,
    pub message: String,
    pub warnings: Vec<Warning>,
    pub operations: usize,
}

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps panic messages (with their location) for [`generate`] instead of printing them.
pub fn capture_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = match (info.payload().downcast_ref::<&str>(), info.payload().downcast_ref::<String>()) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => "(non-text panic payload)".to_string(),
        };
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{at}")));
    }));
}

/// Generates the server for the description at `path`, timing it.
pub fn generate(path: &Path) -> (Result<Generated, Failure>, f64) {
    let started = Instant::now();
    let settings = mcpgen::Settings::new(path);
    let result = std::panic::catch_unwind(|| mcpgen::generate(&settings));
    let seconds = started.elapsed().as_secs_f64();
    let outcome = match result {
        Err(_) => Err(Failure {
            cause: "generator panicked".into(),
            message: PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default(),
            warnings: Vec::new(),
            operations: 0,
        }),
        Ok(Err(e)) => Err(failure(e)),
        Ok(Ok(generation)) => {
            let skipped = generation.warnings.iter().filter(|w| w.skipped).count();
            match generation.files.into_iter().find(|f| f.path == "src/generated/mod.rs") {
                Some(file) => Ok(Generated {
                    module: file.contents,
                    operations: generation.tools.len() + skipped,
                    tools: generation
                        .tools
                        .iter()
                        .map(|t| Tool {
                            name: t.name.clone(),
                            operation: t
                                .operation_id
                                .clone()
                                .unwrap_or_else(|| format!("{} {}", t.method.upper(), t.path)),
                            input_schema: t.input_schema.clone(),
                        })
                        .collect(),
                    warnings: generation.warnings,
                }),
                None => Err(Failure {
                    cause: "no src/generated/mod.rs in the output".into(),
                    message: String::new(),
                    warnings: generation.warnings,
                    operations: generation.tools.len() + skipped,
                }),
            }
        }
    };
    (outcome, seconds)
}

fn failure(e: Error) -> Failure {
    let message = e.to_string();
    let (cause, warnings, operations) = match e {
        Error::Load(_) => ("the description could not be loaded", Vec::new(), 0),
        Error::Strict(w) => ("strict mode", w, 0),
        Error::NoTools { operations: 0, warnings, .. } if warnings.is_empty() => {
            ("the description defines no operation (its own error)", warnings, 0)
        }
        Error::NoTools { operations, warnings, .. } => ("no operation became a tool", warnings, operations),
        Error::Emit(_) => ("code emission failed", Vec::new(), 0),
        // Corpus descriptions are OpenAPI documents, and nothing is written to disk here.
        Error::Manifest(_) => ("read as a tool-schema manifest", Vec::new(), 0),
        Error::Output(_) => ("the generated files could not be written", Vec::new(), 0),
    };
    Failure { cause: cause.into(), message, warnings, operations }
}
