//! `mcpgen-corpus`: runs mcpgen over real-world API descriptions (issue 8) and reports how far
//! each got: generated, compiled, started, tools listed, tools called against the mock.
//!
//! ```text
//! cargo run -p mcpgen-corpus -- [--sample N --seed S] [--only NAME] [--report PATH] [--json PATH] [--check PATH]
//! ```
//!
//! The stages live one per module: [`install`], [`catalog`], [`generate`], [`batch`],
//! [`mock`] + [`client`] + [`exercise`], [`report`]. Generation and compilation of the next batch
//! run on a second thread while the servers of the previous batch are called.

mod batch;
mod catalog;
mod client;
mod equivalence;
mod exercise;
mod generate;
mod install;
mod mock;
mod report;

use batch::{Batch, Built};
use clap::Parser;
use generate::{Generated, Tool};
use report::{Figures, Outcome, Timing};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::mpsc;
use std::time::Instant;

/// Runs mcpgen over the corpus of public API descriptions and writes a report.
#[derive(Parser, Debug)]
#[command(name = "mcpgen-corpus")]
struct Args {
    /// Only N descriptions drawn with --seed (plus GitHub's); the CI sample is `--sample 50`.
    #[arg(long)]
    sample: Option<usize>,
    #[arg(long, default_value_t = 8)]
    seed: u64,
    /// Only descriptions whose name contains this text (repeatable).
    #[arg(long)]
    only: Vec<String>,
    /// Where the Markdown report goes (default: corpus/REPORT.md, or corpus/SAMPLE.md with --sample).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Where the figures go as JSON (default: beside the report, `.json`).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit non-zero if any figure is lower than in this JSON (the committed sample figures).
    #[arg(long)]
    check: Option<PathBuf>,
    /// Descriptions per compiled batch.
    #[arg(long, default_value_t = 50)]
    batch_size: usize,
    /// Tools called per description at most.
    #[arg(long, default_value_t = 20)]
    calls: usize,
    /// Address space each description's generation may take, in MiB (its process aborts beyond).
    #[arg(long, default_value_t = 4096)]
    generate_memory_mib: u64,
    /// Seconds each description's generation may take before its process is stopped.
    #[arg(long, default_value_t = 300)]
    generate_seconds: u64,
    /// Generate under this schema profile (full, portable, gemini, openai-strict); every tool's
    /// input schema is checked by each profile's validator, and `--check` fails on any violation
    /// of this one. The report goes to target/corpus/ unless --report says where.
    #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
    schema_profile: Option<mcpgen::SchemaProfile>,
}

fn parse_profile(s: &str) -> Result<mcpgen::SchemaProfile, String> {
    mcpgen::SchemaProfile::parse(s).ok_or_else(|| format!("unknown schema profile `{s}`"))
}

/// One generated description, as the compile thread hands it over.
struct Pending {
    /// The description's `spec_N` in its batch.
    index: usize,
    outcome: Outcome,
    path: PathBuf,
    tools: Vec<Tool>,
}

fn main() -> ExitCode {
    // The runner's own child: generate one description (see `generate::generate_bounded`).
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if raw.get(1).is_some_and(|a| a == generate::CHILD_FLAG) {
        return match (raw.get(2), raw.get(3)) {
            (Some(description), Some(result)) => generate::child_main(Path::new(description), Path::new(result)),
            _ => {
                eprintln!("usage: mcpgen-corpus {} DESCRIPTION RESULT", generate::CHILD_FLAG);
                ExitCode::FAILURE
            }
        };
    }
    // The runner's own child: `mcpgen` itself (`run SPEC` serves a description in-process).
    if raw.get(1).is_some_and(|a| a == equivalence::MCPGEN_FLAG) {
        return mcpgen::cli::main_with(std::iter::once("mcpgen".into()).chain(raw.into_iter().skip(2)).collect());
    }
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = crate_dir.parent().ok_or("corpus/ has no parent")?.to_path_buf();
    let work = workspace.join("target/corpus");
    let node_modules = install::ensure(crate_dir, &work)?;
    let all = catalog::all(&node_modules);
    let mut chosen = match args.sample {
        Some(n) => catalog::sample(&all, n, args.seed),
        None => catalog::shuffled(&all, args.seed),
    };
    if !args.only.is_empty() {
        chosen.retain(|e| args.only.iter().any(|o| e.name.contains(o.as_str())));
    }
    if chosen.is_empty() {
        return Err("no description matches".into());
    }
    let default_report = if args.sample.is_some() { "corpus/SAMPLE.md" } else { "corpus/REPORT.md" };
    let profile = args.schema_profile.unwrap_or_default();
    let _ = generate::PROFILE.set(profile);
    // A run under another profile leaves the committed report alone.
    let default_report = match profile {
        mcpgen::SchemaProfile::Full => workspace.join(default_report),
        p => work.join(default_report.replace("corpus/", "").replace(".md", &format!("-{p}.md"))),
    };
    let report_path = args.report.clone().unwrap_or(default_report);
    let json_path = args.json.clone().unwrap_or_else(|| report_path.with_extension("json"));
    // Read before the run: the run may write the very file it is checked against.
    let committed = match &args.check {
        Some(check) => {
            let text = std::fs::read_to_string(check).map_err(|e| format!("{}: {e}", check.display()))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", check.display()))?;
            Some((check, value))
        }
        None => None,
    };
    let command = command_line(args);
    let revision = revision(&workspace);
    // Names the batches and the details file: `report` or `sample` for the defaults.
    let run_name: String = report_path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    eprintln!("corpus: {} descriptions, batches of {}", chosen.len(), args.batch_size);

    let started = Instant::now();
    let target_dir = workspace.join("target/generated");
    let batches_dir = work.join("batches");
    let (tx, rx) = mpsc::sync_channel::<(Batch, Built, Vec<Pending>, f64)>(1);
    let exe = generate::own_executable()?;
    let scratch = work.join(format!("{run_name}.generate"));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let bounds = generate::Bounds {
        memory: args.generate_memory_mib << 20,
        time: std::time::Duration::from_secs(args.generate_seconds),
    };
    let producer = {
        let chosen = chosen.clone();
        let batch_size = args.batch_size.max(1);
        let workspace = workspace.clone();
        let run_name = run_name.clone();
        std::thread::spawn(move || -> Result<(), String> {
            for (number, chunk) in chosen.chunks(batch_size).enumerate() {
                let batch = Batch::new(&batches_dir, &workspace, &target_dir, &run_name, number);
                let _ = std::fs::remove_dir_all(&batch.dir);
                let mut pending = Vec::new();
                let mut indexes = Vec::new();
                let mut gen_seconds = 0.0;
                for (i, entry) in chunk.iter().enumerate() {
                    let index = number * batch_size + i;
                    let (result, seconds) = generate::generate_bounded(&exe, &entry.path, &scratch, bounds);
                    gen_seconds += seconds;
                    let mut outcome =
                        Outcome { name: entry.name.clone(), generate_seconds: seconds, ..Outcome::default() };
                    let tools = match result {
                        Ok(Generated { module, tools, warnings, operations, excluded }) => {
                            outcome.generated = true;
                            outcome.operations = operations;
                            outcome.excluded = excluded;
                            outcome.tools = tools.len();
                            outcome.model_bytes = tools.iter().map(|t| t.model_bytes).sum();
                            outcome.names_shortened = tools.iter().filter(|t| t.shortened).count();
                            for how in tools.iter().filter_map(|t| t.long_running.clone()) {
                                *outcome.long_running.entry(how).or_default() += 1;
                            }
                            outcome.violations = report::violations_of(&tools);
                            outcome.warnings = kinds(&warnings);
                            batch.add(index, &module).map_err(|e| format!("{}: {e}", batch.dir.display()))?;
                            indexes.push(index);
                            tools
                        }
                        Err(f) => {
                            outcome.operations = f.operations;
                            outcome.warnings = kinds(&f.warnings);
                            outcome.failure = Some(("generate", f.cause, f.message));
                            Vec::new()
                        }
                    };
                    pending.push(Pending { index, outcome, path: entry.path.clone(), tools });
                }
                let built = batch.build(&indexes).map_err(|e| format!("building {}: {e}", batch.name))?;
                if tx.send((batch, built, pending, gen_seconds)).is_err() {
                    break;
                }
            }
            Ok(())
        })
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut timing = Timing::default();
    for (batch, built, pending, gen_seconds) in rx {
        timing.generate += gen_seconds;
        timing.cargo += built.seconds;
        timing.builds += built.builds;
        timing.batches += 1;
        let run_started = Instant::now();
        for mut p in pending {
            if p.outcome.generated {
                exercise_one(&mut p, &built, &runtime, args.calls);
            }
            outcomes.push(p.outcome);
        }
        batch.remove(built.binary.as_deref(), !built.failed.is_empty());
        timing.run += run_started.elapsed().as_secs_f64();
        timing.wall = started.elapsed().as_secs_f64();
        let f = Figures::of(&outcomes);
        eprintln!(
            "corpus: {}/{} done; generated {}, compiled {}, listed {}, calls {}/{} passed ({:.0} s)",
            outcomes.len(),
            chosen.len(),
            f.generated,
            f.compiled,
            f.listed,
            f.calls_passed,
            f.calls,
            timing.wall
        );
        write_report(&report_path, &json_path, args, &command, &revision, &outcomes, chosen.len(), &timing)?;
        let _ = std::fs::write(work.join(format!("{run_name}.details.jsonl")), report::details(&outcomes));
    }
    producer.join().map_err(|_| "the generate/compile thread panicked".to_string())??;
    if outcomes.len() != chosen.len() {
        return Err(format!("only {} of {} descriptions were run", outcomes.len(), chosen.len()));
    }
    eprintln!("corpus: report written to {}", report_path.display());
    if let Some((check, committed)) = committed {
        let mut regressions = Figures::of(&outcomes).regressions(&committed);
        regressions.extend(outcomes.iter().filter_map(|o| match &o.in_process {
            Some(Err(e)) => Some(format!("{}: the in-process server differs from the compiled one: {e}", o.name)),
            _ => None,
        }));
        if profile != mcpgen::SchemaProfile::Full {
            regressions.extend(outcomes.iter().filter_map(|o| report::profile_violation(o, profile)));
        }
        if !regressions.is_empty() {
            for r in &regressions {
                eprintln!("corpus: REGRESSION against {}: {r}", check.display());
            }
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("corpus: no regression against {}", check.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn exercise_one(p: &mut Pending, built: &Built, runtime: &tokio::runtime::Runtime, calls: usize) {
    let index = p.index;
    if let Some((_, error)) = built.failed.iter().find(|(i, _)| *i == index) {
        p.outcome.failure = Some(("compile", compile_cause(error), error.clone()));
        return;
    }
    let Some(binary) = &built.binary else {
        p.outcome.failure = Some(("compile", "the batch did not build".into(), String::new()));
        return;
    };
    p.outcome.compiled = true;
    let started = Instant::now();
    let source = mcpgen::load::Source::Path(p.path.clone());
    let loaded = std::panic::catch_unwind(|| mcpgen::mock::Mock::load(&source));
    let mock = match loaded {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            p.outcome.failure = Some(("start", "the mock could not load the description".into(), e.to_string()));
            return;
        }
        Err(_) => {
            p.outcome.failure = Some(("start", "the mock panicked while loading".into(), String::new()));
            return;
        }
    };
    let running = match mock::Running::start(runtime, mock) {
        Ok(r) => r,
        Err(e) => {
            p.outcome.failure = Some(("start", "the mock could not listen".into(), e.to_string()));
            return;
        }
    };
    let run = exercise::run(binary, index, &p.tools, &running, calls);
    p.outcome.started = run.started;
    p.outcome.listed = run.listed;
    p.outcome.calls = run.calls;
    if let Some((cause, message)) = run.failure {
        p.outcome.failure = Some((if run.started { "list" } else { "start" }, cause, message));
    }
    if run.listed {
        let tools = exercise::pick(&p.tools, calls);
        p.outcome.dynamic_calls = Some(exercise::run_dynamic(binary, index, &tools, &running));
        p.outcome.in_process = Some(equivalence::compare(binary, index, &p.path, &tools, &running));
    }
    p.outcome.run_seconds = started.elapsed().as_secs_f64();
}

/// A compiler error's cause: its code and first line, values shaped away.
fn compile_cause(error: &str) -> String {
    exercise::shape(error.lines().next().unwrap_or("compile error"))
}

fn kinds(warnings: &[mcpgen::Warning]) -> Vec<(String, String)> {
    warnings.iter().map(|w| (report::warning_kind(&w.message), w.to_string())).collect()
}

fn command_line(args: &Args) -> String {
    let mut c = String::from("cargo run -p mcpgen-corpus --");
    if let Some(n) = args.sample {
        c.push_str(&format!(" --sample {n} --seed {}", args.seed));
    }
    for o in &args.only {
        c.push_str(&format!(" --only {o}"));
    }
    c
}

/// The commit the run's generator was built from, for the report: `git describe`-like short hash,
/// marked when tracked files (other than the reports a run writes) differed from it.
fn revision(workspace: &Path) -> String {
    let git = |args: &[&str]| Command::new("git").arg("-C").arg(workspace).args(args).output().ok();
    let Some(head) = git(&["rev-parse", "--short=12", "HEAD"]).filter(|o| o.status.success()) else {
        return "unknown (not a git checkout)".into();
    };
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let clean = git(&["diff", "--quiet", "HEAD", "--", ".", ":!corpus/REPORT.*", ":!corpus/SAMPLE.*"])
        .is_some_and(|o| o.status.success());
    if clean { head } else { format!("{head} with uncommitted changes") }
}

#[allow(clippy::too_many_arguments)]
fn write_report(
    report: &Path,
    json: &Path,
    args: &Args,
    command: &str,
    revision: &str,
    outcomes: &[Outcome],
    total: usize,
    timing: &Timing,
) -> Result<(), String> {
    let title = if args.sample.is_some() { "Corpus sample report" } else { "Corpus report" };
    let text = report::markdown(title, command, revision, outcomes, total, timing, args.calls);
    std::fs::write(report, text).map_err(|e| format!("{}: {e}", report.display()))?;
    let mut figures = Figures::of(outcomes).to_json();
    figures["commit"] = serde_json::Value::from(revision);
    let pretty = serde_json::to_string_pretty(&figures).unwrap_or_default() + "\n";
    std::fs::write(json, pretty).map_err(|e| format!("{}: {e}", json.display()))
}
