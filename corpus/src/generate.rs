//! The first stage: `mcpgen::generate` on one description, with a panic caught and reported as a
//! failure of its own (a panic is always a generator bug).
//!
//! Each description is generated in a child process of the runner ([`generate_bounded`] runs the
//! runner's own executable with `--generate-one`, which calls [`child_main`]), under a memory
//! limit and a time limit: one huge description (Microsoft Graph beta, 47 MB) once grew an
//! in-process runner to 10 GB and stopped the whole run. An exceeded bound is a named failure of
//! that description alone, and the memory a generation took is returned to the system with it.

use mcpgen::{Error, Warning};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// What the runner needs of a tool: its name, and the schema its arguments are made from.
#[derive(Debug, Clone)]
pub struct Tool {
    pub name: String,
    /// `operationId`, else `METHOD /path`: how the mock names the operation.
    pub operation: String,
    pub input_schema: Value,
    /// What a client hands the model for it, in bytes (`mcpgen::tables::model_facing_len`).
    pub model_bytes: usize,
    /// Its name was shortened to fit the default name-length limit.
    pub shortened: bool,
    /// Its jq filter argument, when its operation answers JSON.
    pub jq_filter: Option<String>,
    /// What recognised its operation as long-running (`accepted`, `azure`, `google`, `marked`:
    /// `mcpgen::ir::Recognised`), if anything did.
    pub long_running: Option<String>,
    /// What each profile's validator finds in its input schema ([`CHECKED`] order): the number
    /// of violations, and the first one.
    pub violations: Vec<(usize, Option<String>)>,
}

impl Tool {
    /// Arguments for a call, synthesized from its input schema, without its jq filter (a made-up
    /// string is no filter, and the answer is checked whole against the output schema).
    pub fn arguments(&self) -> Value {
        let mut arguments = mcpgen::mock::synth::arguments(&self.input_schema);
        if let (Some(name), Some(map)) = (&self.jq_filter, arguments.as_object_mut()) {
            map.remove(name);
        }
        arguments
    }
}

/// The schema profile the run generates under (`--schema-profile`), handed to the child that
/// generates through [`PROFILE_VAR`].
pub static PROFILE: std::sync::OnceLock<mcpgen::SchemaProfile> = std::sync::OnceLock::new();
const PROFILE_VAR: &str = "MCPGEN_CORPUS_SCHEMA_PROFILE";

/// The profiles whose validators every tool's input schema is checked by.
pub const CHECKED: [mcpgen::SchemaProfile; 3] =
    [mcpgen::SchemaProfile::Portable, mcpgen::SchemaProfile::Gemini, mcpgen::SchemaProfile::OpenAiStrict];

/// The profile this process generates under: the parent's [`PROFILE`], or the child's variable.
pub fn profile() -> mcpgen::SchemaProfile {
    if let Some(p) = PROFILE.get() {
        return *p;
    }
    std::env::var(PROFILE_VAR).ok().and_then(|v| mcpgen::SchemaProfile::parse(&v)).unwrap_or_default()
}

fn violations(schema: &Value) -> Vec<(usize, Option<String>)> {
    CHECKED
        .iter()
        .map(|&p| {
            let found = mcpgen::tools::profile::check(p, schema);
            (found.len(), found.first().map(ToString::to_string))
        })
        .collect()
}

/// A generated server: the `src/generated/mod.rs` the batch compiles, and its tools.
#[derive(Debug)]
pub struct Generated {
    pub module: String,
    pub tools: Vec<Tool>,
    pub warnings: Vec<Warning>,
    /// Operations in the description: the tools plus those skipped with a warning.
    pub operations: usize,
    /// Operations the description's `x-mcp` / `x-speakeasy-mcp` left out.
    pub excluded: usize,
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

/// Generates the server for the description at `path`, in process, timing it.
pub fn generate(path: &Path) -> (Result<Generated, Failure>, f64) {
    let started = Instant::now();
    let settings = mcpgen::Settings::new(path).schema_profile(profile());
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
                    excluded: generation.excluded,
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
                            model_bytes: mcpgen::tables::model_facing_len(t),
                            shortened: t.shortened_from.is_some(),
                            jq_filter: t.jq_filter.clone(),
                            long_running: t.long_running.map(|l| format!("{:?}", l.recognised).to_ascii_lowercase()),
                            violations: violations(&t.input_schema),
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

/// The limits one description's generation runs under.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Address space of the generating process, in bytes.
    pub memory: u64,
    pub time: Duration,
}

/// The flag that makes the runner's executable generate one description and exit.
pub const CHILD_FLAG: &str = "--generate-one";

/// The executable to run for [`CHILD_FLAG`]: on Linux `/proc/self/exe`, the very file this process
/// runs even if cargo has since rebuilt the runner in place (a shared target dir), so a run uses
/// one generator throughout; elsewhere the current executable's path.
pub fn own_executable() -> Result<PathBuf, String> {
    let proc_self = Path::new("/proc/self/exe");
    if proc_self.exists() {
        return Ok(proc_self.to_path_buf());
    }
    std::env::current_exe().map_err(|e| format!("cannot find the runner's own executable: {e}"))
}

/// Generates `path` in a child process (`exe --generate-one PATH RESULT`) bounded by `bounds`;
/// `scratch` holds its result and error files.
pub fn generate_bounded(exe: &Path, path: &Path, scratch: &Path, bounds: Bounds) -> (Result<Generated, Failure>, f64) {
    let started = Instant::now();
    let out = scratch.join("generated.json");
    let mut command = Command::new(exe);
    command.arg(CHILD_FLAG).arg(path).arg(&out).env(PROFILE_VAR, profile().as_str());
    let result = run_child(command, &out, &scratch.join("generate.stderr"), bounds);
    (result, started.elapsed().as_secs_f64())
}

/// Runs `command` (which writes its outcome to `out`) under `bounds`, its stderr going to `err`.
fn run_child(mut command: Command, out: &Path, err: &Path, bounds: Bounds) -> Result<Generated, Failure> {
    let lost =
        |cause: &str, message: String| Failure { cause: cause.into(), message, warnings: Vec::new(), operations: 0 };
    let _ = std::fs::remove_file(out);
    let stderr =
        std::fs::File::create(err).map_err(|e| lost("the runner could not start the generator", e.to_string()))?;
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(stderr);
    limit_memory(&mut command, bounds.memory);
    let mut child = command.spawn().map_err(|e| lost("the runner could not start the generator", e.to_string()))?;
    let deadline = Instant::now() + bounds.time;
    // Most descriptions take milliseconds: poll often at first, then less.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(lost(
                    &format!("generation exceeded the time bound ({} s)", bounds.time.as_secs()),
                    format!("stopped after {} s", bounds.time.as_secs()),
                ));
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Err(e) => return Err(lost("the runner lost the generator process", e.to_string())),
        }
    };
    let stderr = std::fs::read_to_string(err).unwrap_or_default();
    if !status.success() {
        // Rust aborts when an allocation fails, which under the limit is how running out shows.
        if let Some(line) = stderr.lines().find(|l| l.contains("memory allocation of")) {
            return Err(lost(&format!("generation exceeded the memory bound ({})", gib(bounds.memory)), line.into()));
        }
        // The first lines say what happened; a backtrace may follow.
        let head = stderr.lines().take(6).collect::<Vec<_>>().join("\n");
        return Err(lost(&format!("the generator process failed ({})", describe(&status)), head));
    }
    let text =
        std::fs::read_to_string(out).map_err(|e| lost("the generator process wrote no result", e.to_string()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| lost("the generator process wrote no result", e.to_string()))?;
    from_json(&value).ok_or_else(|| lost("the generator process wrote no result", "unexpected JSON".into()))?
}

/// `N GiB` (or MiB below one GiB).
fn gib(bytes: u64) -> String {
    if bytes >= 1 << 30 { format!("{} GiB", bytes >> 30) } else { format!("{} MiB", bytes >> 20) }
}

fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal {signal}");
        }
    }
    status.code().map(|c| format!("exit status {c}")).unwrap_or_else(|| status.to_string())
}

/// Limits the child's address space: an allocation beyond it fails, and the child aborts.
#[cfg(unix)]
fn limit_memory(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    let limit = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: bytes as libc::rlim_t };
    // SAFETY: between fork and exec only `setrlimit`, which is async-signal-safe, runs; it
    // touches nothing but the `limit` copied into the closure.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// No address-space limit off Unix; the time bound still applies.
#[cfg(not(unix))]
fn limit_memory(_: &mut Command, _: u64) {}

/// `--generate-one DESCRIPTION RESULT`: generates one description and writes the outcome to
/// `RESULT` as JSON, for [`generate_bounded`] in the parent.
pub fn child_main(description: &Path, result: &Path) -> ExitCode {
    capture_panics();
    let (outcome, _) = generate(description);
    let text = to_json(&outcome).to_string();
    match std::fs::write(result, text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}: {e}", result.display());
            ExitCode::FAILURE
        }
    }
}

fn warnings_json(warnings: &[Warning]) -> Value {
    warnings.iter().map(|w| json!({"at": w.at, "message": w.message, "skipped": w.skipped})).collect()
}

fn warnings_of(value: &Value) -> Option<Vec<Warning>> {
    value
        .as_array()?
        .iter()
        .map(|w| {
            Some(Warning {
                at: w.get("at")?.as_str()?.to_string(),
                message: w.get("message")?.as_str()?.to_string(),
                skipped: w.get("skipped")?.as_bool()?,
            })
        })
        .collect()
}

/// The child's outcome as JSON: `{"ok": …}` or `{"err": …}`.
fn to_json(outcome: &Result<Generated, Failure>) -> Value {
    match outcome {
        Ok(g) => json!({"ok": {
            "module": g.module,
            "operations": g.operations,
            "excluded": g.excluded,
            "warnings": warnings_json(&g.warnings),
            "tools": g.tools.iter().map(|t| json!({
                "name": t.name, "operation": t.operation, "input_schema": t.input_schema,
                "model_bytes": t.model_bytes, "shortened": t.shortened, "jq_filter": t.jq_filter,
                "long_running": t.long_running,
                "violations": t.violations.iter().map(|(n, first)| json!([n, first])).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }}),
        Err(f) => json!({"err": {
            "cause": f.cause, "message": f.message, "operations": f.operations,
            "warnings": warnings_json(&f.warnings),
        }}),
    }
}

/// [`to_json`] read back; `None` if the JSON is not of that shape.
fn from_json(value: &Value) -> Option<Result<Generated, Failure>> {
    let operations = |v: &Value| v.get("operations")?.as_u64().map(|n| n as usize);
    if let Some(ok) = value.get("ok") {
        let tools = ok
            .get("tools")?
            .as_array()?
            .iter()
            .map(|t| {
                Some(Tool {
                    name: t.get("name")?.as_str()?.to_string(),
                    operation: t.get("operation")?.as_str()?.to_string(),
                    input_schema: t.get("input_schema")?.clone(),
                    model_bytes: t.get("model_bytes")?.as_u64()? as usize,
                    shortened: t.get("shortened")?.as_bool()?,
                    jq_filter: t.get("jq_filter")?.as_str().map(str::to_string),
                    long_running: t.get("long_running")?.as_str().map(str::to_string),
                    violations: t
                        .get("violations")?
                        .as_array()?
                        .iter()
                        .map(|v| Some((v.get(0)?.as_u64()? as usize, v.get(1)?.as_str().map(str::to_string))))
                        .collect::<Option<Vec<_>>>()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(Ok(Generated {
            module: ok.get("module")?.as_str()?.to_string(),
            tools,
            warnings: warnings_of(ok.get("warnings")?)?,
            operations: operations(ok)?,
            excluded: ok.get("excluded")?.as_u64()? as usize,
        }));
    }
    let err = value.get("err")?;
    Some(Err(Failure {
        cause: err.get("cause")?.as_str()?.to_string(),
        message: err.get("message")?.as_str()?.to_string(),
        warnings: warnings_of(err.get("warnings")?)?,
        operations: operations(err)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_survives_the_trip_from_the_child() {
        let warning = Warning { at: "paths./a.get".into(), message: "m".into(), skipped: true };
        let ok: Result<Generated, Failure> = Ok(Generated {
            module: "mod x;".into(),
            tools: vec![Tool {
                name: "a".into(),
                operation: "GET /a".into(),
                input_schema: json!({"type": "object"}),
                model_bytes: 60,
                shortened: true,
                jq_filter: Some("jq_filter".into()),
                long_running: Some("azure".into()),
                violations: vec![(0, None), (2, Some("/: x".into())), (1, None)],
            }],
            warnings: vec![warning.clone()],
            operations: 2,
            excluded: 1,
        });
        let Some(Ok(back)) = from_json(&to_json(&ok)) else { panic!("not read back") };
        assert_eq!((back.module.as_str(), back.operations, back.tools[0].operation.as_str()), ("mod x;", 2, "GET /a"));
        assert_eq!(back.excluded, 1);
        assert_eq!(back.tools[0].long_running.as_deref(), Some("azure"));
        assert_eq!(back.warnings, vec![warning.clone()]);
        let err: Result<Generated, Failure> =
            Err(Failure { cause: "c".into(), message: "m".into(), warnings: vec![warning], operations: 3 });
        let Some(Err(back)) = from_json(&to_json(&err)) else { panic!("not read back") };
        assert_eq!((back.cause.as_str(), back.operations, back.warnings.len()), ("c", 3, 1));
    }

    /// This test binary run as the child, running only the ignored test `name`.
    fn child_running(name: &str) -> Command {
        let mut command = Command::new(std::env::current_exe().expect("test binary"));
        command.args(["--exact", name, "--ignored", "--test-threads", "1"]);
        command
    }

    #[test]
    #[ignore = "run as a child by a_child_over_the_memory_bound_is_a_named_failure"]
    fn child_allocating_a_gib() {
        let v = vec![1u8; 1 << 30];
        std::hint::black_box(&v);
    }

    #[test]
    #[ignore = "run as a child by a_child_over_the_time_bound_is_stopped_and_named"]
    fn child_sleeping_a_minute() {
        std::thread::sleep(Duration::from_secs(60));
    }

    #[cfg(unix)]
    #[test]
    fn a_child_over_the_memory_bound_is_a_named_failure() {
        let dir = tempfile_dir("memory");
        let bounds = Bounds { memory: 256 << 20, time: Duration::from_secs(60) };
        let command = child_running("generate::tests::child_allocating_a_gib");
        let Err(f) = run_child(command, &dir.join("out.json"), &dir.join("err"), bounds) else { panic!("passed") };
        assert_eq!(f.cause, "generation exceeded the memory bound (256 MiB)", "{}", f.message);
        assert!(f.message.contains("memory allocation of"), "{}", f.message);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_child_over_the_time_bound_is_stopped_and_named() {
        let dir = tempfile_dir("time");
        let bounds = Bounds { memory: 4 << 30, time: Duration::from_secs(1) };
        let started = Instant::now();
        let command = child_running("generate::tests::child_sleeping_a_minute");
        let Err(f) = run_child(command, &dir.join("out.json"), &dir.join("err"), bounds) else { panic!("passed") };
        assert_eq!(f.cause, "generation exceeded the time bound (1 s)");
        // Killed, not waited out (the child sleeps a minute).
        assert!(started.elapsed() < Duration::from_secs(50));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_child_that_writes_nothing_is_a_named_failure() {
        let dir = tempfile_dir("nothing");
        let bounds = Bounds { memory: 4 << 30, time: Duration::from_secs(60) };
        // Runs no test at all, so exits successfully without writing a result.
        let command = child_running("generate::tests::no_such_test");
        let Err(f) = run_child(command, &dir.join("out.json"), &dir.join("err"), bounds) else { panic!("passed") };
        assert_eq!(f.cause, "the generator process wrote no result");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mcpgen-corpus-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn memory_sizes_are_named_in_gib_or_mib() {
        assert_eq!(gib(4 << 30), "4 GiB");
        assert_eq!(gib(512 << 20), "512 MiB");
    }
}
