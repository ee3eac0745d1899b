//! What a run found: per description the stage it reached, its warnings, its calls and its
//! timings; rendered as the Markdown report, summed into [`Figures`] (the JSON CI compares
//! against), and grouped by named cause with an example of each.

use crate::exercise::{Call, shape};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One description's results.
#[derive(Debug, Default)]
pub struct Outcome {
    pub name: String,
    pub operations: usize,
    pub tools: usize,
    /// `(kind, full text)` of each generator warning.
    pub warnings: Vec<(String, String)>,
    pub generated: bool,
    pub compiled: bool,
    pub started: bool,
    pub listed: bool,
    /// `(stage, cause, message)` of the stage that failed.
    pub failure: Option<(&'static str, String, String)>,
    pub calls: Vec<Call>,
    /// `mcpgen run SPEC` (in-process) against the compiled server: `Ok` when they answered
    /// alike, else the first difference; `None` when the compiled server did not list its tools.
    pub in_process: Option<Result<(), String>>,
    /// The same calls through the dynamic surface's `call_tool`; `Err` when that server did not
    /// start or list; `None` when the direct calls did not run.
    pub dynamic_calls: Option<Result<Vec<Call>, String>>,
    /// What a client hands the model for all its tools, in bytes.
    pub model_bytes: usize,
    /// Tool names shortened to fit the default name-length limit.
    pub names_shortened: usize,
    /// Operations the description's `x-mcp` / `x-speakeasy-mcp` left out.
    pub excluded: usize,
    /// Tools whose operation was recognised as long-running, by what recognised it
    /// (`accepted`, `azure`, `google`, `marked`).
    pub long_running: BTreeMap<String, usize>,
    /// Per profile checked (`generate::CHECKED`): violations of its rules in the input schemas,
    /// the tools with any, and the first (tool name, violation).
    pub violations: Vec<(usize, usize, Option<String>)>,
    pub generate_seconds: f64,
    pub run_seconds: f64,
}

impl Outcome {
    /// The calls made through the dynamic surface (none when it did not run).
    pub fn dynamic(&self) -> &[Call] {
        match &self.dynamic_calls {
            Some(Ok(calls)) => calls,
            _ => &[],
        }
    }
}

/// The counts CI compares: a run regresses when any is lower than the committed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub descriptions: usize,
    pub generated: usize,
    pub compiled: usize,
    pub started: usize,
    pub listed: usize,
    pub operations: usize,
    pub tools: usize,
    pub calls: usize,
    pub calls_passed: usize,
    /// Descriptions whose in-process server answered as the compiled one.
    pub in_process_same: usize,
    /// Calls made through the dynamic surface's `call_tool`, and those that passed.
    pub dynamic_calls: usize,
    pub dynamic_calls_passed: usize,
    /// Tool names shortened to fit the default name-length limit (a measure, not compared).
    pub names_shortened: usize,
    /// Operations the descriptions' own extensions left out (a measure, not compared).
    pub excluded: usize,
    /// Operations recognised as long-running, whose tools may run as tasks (a measure, not
    /// compared).
    pub long_running: usize,
    /// Violations of the run's schema profile's rules in the input schemas (none for `full`;
    /// `--check` fails on any).
    pub profile_violations: usize,
}

const COMPARED: [&str; 7] =
    ["generated", "compiled", "started", "listed", "calls_passed", "in_process_same", "dynamic_calls_passed"];

impl Figures {
    pub fn of(outcomes: &[Outcome]) -> Figures {
        let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
        Figures {
            descriptions: outcomes.len(),
            generated: count(|o| o.generated),
            compiled: count(|o| o.compiled),
            started: count(|o| o.started),
            listed: count(|o| o.listed),
            operations: outcomes.iter().map(|o| o.operations).sum(),
            tools: outcomes.iter().map(|o| o.tools).sum(),
            calls: outcomes.iter().map(|o| o.calls.len()).sum(),
            calls_passed: outcomes.iter().map(|o| o.calls.iter().filter(|c| c.passed).count()).sum(),
            in_process_same: count(|o| matches!(o.in_process, Some(Ok(())))),
            dynamic_calls: outcomes.iter().map(|o| o.dynamic().len()).sum(),
            dynamic_calls_passed: outcomes.iter().map(|o| o.dynamic().iter().filter(|c| c.passed).count()).sum(),
            names_shortened: outcomes.iter().map(|o| o.names_shortened).sum(),
            excluded: outcomes.iter().map(|o| o.excluded).sum(),
            long_running: outcomes.iter().map(|o| o.long_running.values().sum::<usize>()).sum(),
            profile_violations: match crate::generate::CHECKED.iter().position(|&p| p == crate::generate::profile()) {
                Some(i) => outcomes.iter().filter_map(|o| o.violations.get(i)).map(|v| v.0).sum(),
                None => 0,
            },
        }
    }

    pub fn to_json(self) -> Value {
        json!({
            "descriptions": self.descriptions, "generated": self.generated, "compiled": self.compiled,
            "started": self.started, "listed": self.listed, "operations": self.operations,
            "tools": self.tools, "calls": self.calls, "calls_passed": self.calls_passed,
            "in_process_same": self.in_process_same,
            "dynamic_calls": self.dynamic_calls, "dynamic_calls_passed": self.dynamic_calls_passed,
            "names_shortened": self.names_shortened,
            "excluded": self.excluded,
            "long_running": self.long_running,
            "profile_violations": self.profile_violations,
        })
    }

    fn get(&self, key: &str) -> usize {
        self.to_json().get(key).and_then(Value::as_u64).unwrap_or(0) as usize
    }

    /// Every figure lower than in `committed` (the JSON [`Figures::to_json`] wrote), described;
    /// a different sample size is a mismatch of its own.
    pub fn regressions(&self, committed: &Value) -> Vec<String> {
        let want = |k: &str| committed.get(k).and_then(Value::as_u64).map(|v| v as usize);
        if want("descriptions") != Some(self.descriptions) {
            return vec![format!(
                "the run had {} descriptions, the committed figures {:?}: not the same sample",
                self.descriptions,
                want("descriptions")
            )];
        }
        COMPARED
            .iter()
            .filter_map(|k| {
                let before = want(k).unwrap_or(0);
                let now = self.get(k);
                (now < before).then(|| format!("{k}: {now}, committed {before}"))
            })
            .collect()
    }
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 { "–".into() } else { format!("{:.1}%", 100.0 * n as f64 / of as f64) }
}

/// The "Tool surfaces" section: what each description's tools cost a model in `all` mode, how
/// many fit `auto`'s default budget, the calls made through the dynamic surface, and how many
/// tool names were shortened.
fn surfaces(outcomes: &[Outcome], f: &Figures) -> String {
    use mcpgen_runtime::server::{DEFAULT_TOOL_BUDGET, dynamic_surface_len, tokens};
    let mut s = String::new();
    let mut all: Vec<usize> = outcomes.iter().filter(|o| o.generated).map(|o| tokens(o.model_bytes)).collect();
    if all.is_empty() {
        return s;
    }
    all.sort_unstable();
    let at = |q: f64| all[((all.len() - 1) as f64 * q).round() as usize];
    let fit = all.iter().filter(|&&t| t <= DEFAULT_TOOL_BUDGET).count();
    let (dynamic_tools, dynamic_bytes) = dynamic_surface_len(false);
    let direct_passed: usize = outcomes
        .iter()
        .filter(|o| o.dynamic_calls.is_some())
        .map(|o| o.calls.iter().filter(|c| c.passed).count())
        .sum();
    let _ = writeln!(
        s,
        "\n## Tool surfaces\n\nWhat a client hands the model (names, descriptions, input schemas; tokens estimated as \
         bytes / 4) per generated description with `--tools all`: median {}, p95 {}, max {} tokens. {fit} of {} \
         descriptions ({}) fit `auto`'s default budget of {DEFAULT_TOOL_BUDGET} tokens and are served whole; the \
         others get the dynamic surface: {dynamic_tools} tools, ~{} tokens.\n",
        at(0.5),
        at(0.95),
        all[all.len() - 1],
        all.len(),
        pct(fit, all.len()),
        tokens(dynamic_bytes)
    );
    let _ = writeln!(
        s,
        "The same calls through the dynamic surface's `call_tool` (`--tools dynamic`): {} of {} passed the mock's \
         validation ({}), against {direct_passed} of the same calls made directly.",
        f.dynamic_calls_passed,
        f.dynamic_calls,
        pct(f.dynamic_calls_passed, f.dynamic_calls)
    );
    for o in outcomes {
        if let Some(Err(e)) = &o.dynamic_calls {
            let _ = writeln!(s, "- `{}`: the dynamic surface did not serve: {}", o.name, cell(e));
        }
    }
    let _ = writeln!(
        s,
        "\nTool names shortened to fit {} characters (`--max-tool-name-length`'s default, so a client's \
         `mcp__<server>__` prefix still fits 64): {} of {} ({}).",
        mcpgen::tools::naming::DEFAULT_MAX_LEN,
        f.names_shortened,
        f.tools,
        pct(f.names_shortened, f.tools)
    );
    let described: Vec<String> =
        outcomes.iter().filter(|o| o.excluded > 0).map(|o| format!("`{}` ({})", o.name, o.excluded)).collect();
    let _ = writeln!(
        s,
        "\nOperations the descriptions' own `x-mcp` / `x-speakeasy-mcp` extensions leave out: {}{}.",
        f.excluded,
        if described.is_empty() { String::new() } else { format!(", in {}", described.join(", ")) }
    );
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for (how, n) in outcomes.iter().flat_map(|o| &o.long_running) {
        *by.entry(how.as_str()).or_default() += n;
    }
    let how = |key: &str, what: &str| by.get(key).map(|n| format!("{n} {what}"));
    let ways: Vec<String> = [
        how("accepted", "answering 202 with a polling header"),
        how("azure", "with `x-ms-long-running-operation`"),
        how("google", "answering a Google-style `Operation`"),
        how("marked", "marked `x-mcp: {longRunning: true}`"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let with: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.long_running.is_empty())
        .map(|o| format!("`{}` ({})", o.name, o.long_running.values().sum::<usize>()))
        .collect();
    let _ = writeln!(
        s,
        "\nOperations recognised as long-running (their tools may run as tasks, and are then followed to the end): \
         {}{}{}.",
        f.long_running,
        if ways.is_empty() { String::new() } else { format!(": {}", ways.join(", ")) },
        if with.is_empty() { String::new() } else { format!("; in {}", with.join(", ")) }
    );
    s
}

/// What each profile's validator finds in a description's tools (`generate::CHECKED` order):
/// violations in all, the tools with any, and the first, with its tool.
pub fn violations_of(tools: &[crate::generate::Tool]) -> Vec<(usize, usize, Option<String>)> {
    (0..crate::generate::CHECKED.len())
        .map(|i| {
            let count = tools.iter().filter_map(|t| t.violations.get(i)).map(|v| v.0).sum();
            let with_any = tools.iter().filter(|t| t.violations.get(i).is_some_and(|v| v.0 > 0)).count();
            let first = tools.iter().find_map(|t| {
                let v = t.violations.get(i)?.1.as_ref()?;
                Some(format!("{}: {v}", t.name))
            });
            (count, with_any, first)
        })
        .collect()
}

/// The regression a description's violations of `profile` are, if it has any.
pub fn profile_violation(o: &Outcome, profile: mcpgen::SchemaProfile) -> Option<String> {
    let i = crate::generate::CHECKED.iter().position(|&p| p == profile)?;
    let (count, _, first) = o.violations.get(i)?;
    (*count > 0).then(|| {
        format!("{}: {count} violation(s) of the {profile} profile, first {}", o.name, first.as_deref().unwrap_or("?"))
    })
}

/// The "Schema profiles" section: the profile the run generated under, and what each profile's
/// validator finds in the input schemas it made (under `full`: how far the descriptions are
/// from each client's rules; under a profile: whether its transform met them).
fn profiles(outcomes: &[Outcome], f: &Figures) -> String {
    let profile = crate::generate::profile();
    let generated: Vec<&Outcome> = outcomes.iter().filter(|o| o.generated).collect();
    let mut s = format!(
        "\n## Schema profiles\n\nInput schemas generated under `--schema-profile {profile}`; {} tools of {} descriptions \
         checked by each profile's validator (rules from the clients' documentation: \
         `generator/src/tools/profile/`):\n\n| validator | violations | tools with any | descriptions with any | first |\n|---|---|---|---|---|\n",
        f.tools,
        generated.len()
    );
    for (i, p) in crate::generate::CHECKED.iter().enumerate() {
        let count: usize = generated.iter().filter_map(|o| o.violations.get(i)).map(|v| v.0).sum();
        let descriptions = generated.iter().filter(|o| o.violations.get(i).is_some_and(|v| v.0 > 0)).count();
        let first = generated.iter().find_map(|o| o.violations.get(i)?.2.as_ref().map(|v| format!("`{}` {v}", o.name)));
        let tools = generated.iter().filter_map(|o| o.violations.get(i)).map(|v| v.1).sum::<usize>();
        let _ = writeln!(
            s,
            "| `{p}` | {count} | {tools} | {descriptions} | {} |",
            first.map(|x| cell(&x)).unwrap_or_else(|| "–".into())
        );
    }
    if profile != mcpgen::SchemaProfile::Full {
        let _ = writeln!(
            s,
            "\nCalls made under `{profile}` that passed the mock's validation of the API's own schemas: {} of {} ({}).",
            f.calls_passed,
            f.calls,
            pct(f.calls_passed, f.calls)
        );
    }
    s
}

/// Table cells stay on one line and cannot break the table.
fn cell(s: &str) -> String {
    let one: String = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    if one.chars().count() > 220 { format!("{}…", one.chars().take(220).collect::<String>()) } else { one }
}

/// Times spent, for the report's last section.
#[derive(Debug, Default, Clone)]
pub struct Timing {
    pub wall: f64,
    pub generate: f64,
    pub cargo: f64,
    pub builds: usize,
    pub batches: usize,
    pub run: f64,
}

/// The Markdown report.
pub fn markdown(
    title: &str,
    command: &str,
    revision: &str,
    outcomes: &[Outcome],
    total: usize,
    timing: &Timing,
    max_calls: usize,
) -> String {
    let f = Figures::of(outcomes);
    let mut s = String::new();
    let _ = writeln!(s, "# {title}\n");
    if outcomes.len() < total {
        let _ = writeln!(
            s,
            "**A partial run: {} of {total} descriptions** (in an order drawn by the seed, so they are a fair \
             sample of the whole); the run was stopped before the rest.\n",
            outcomes.len()
        );
    }
    let _ = writeln!(
        s,
        "Written by `{command}` on commit {revision} (crate `corpus/`, see its README section in the root README). Each description is \
         generated with `mcpgen::generate`, compiled (batched binaries), started over STDIO, its tools listed, and \
         up to {max_calls} tools per description called with arguments synthesized from their input schemas against \
         the in-process `mcpgen mock` of the same description. A call passes when its request reached the mock, \
         matched the tool's operation and passed the mock's validation. Each listed description is also served \
         in-process (`mcpgen run SPEC`): its `initialize`, `tools/list` (both protocol generations) and the same calls \
         must be the compiled server's bytes, and send the mock the same requests.\n"
    );
    let _ = writeln!(s, "## Stages\n\n| stage | count | of descriptions |\n|---|---:|---:|");
    for (stage, n) in [
        ("descriptions", f.descriptions),
        ("generated", f.generated),
        ("compiled", f.compiled),
        ("started", f.started),
        ("tools listed (all generated tools present)", f.listed),
        ("in-process server (`mcpgen run`) answered as the compiled one", f.in_process_same),
    ] {
        let _ = writeln!(s, "| {stage} | {n} | {} |", pct(n, f.descriptions));
    }
    let clean = outcomes.iter().flat_map(|o| &o.calls).filter(|c| c.passed && c.cause.is_none()).count();
    let _ = writeln!(s, "\n| operations and calls | count | share |\n|---|---:|---:|");
    let _ = writeln!(s, "| operations (of generated descriptions' tools + skipped) | {} | |", f.operations);
    let _ =
        writeln!(s, "| operations that became tools | {} | {} of operations |", f.tools, pct(f.tools, f.operations));
    let _ = writeln!(s, "| tools called | {} | |", f.calls);
    let _ = writeln!(
        s,
        "| calls that passed the mock's validation | {} | {} of calls |",
        f.calls_passed,
        pct(f.calls_passed, f.calls)
    );
    let _ = writeln!(s, "| of those, with a non-error tool result | {clean} | {} of calls |", pct(clean, f.calls));
    if let Some(gh) = outcomes.iter().find(|o| o.name == crate::catalog::GITHUB) {
        let passed = gh.calls.iter().filter(|c| c.passed).count();
        let _ = writeln!(
            s,
            "\nGitHub's description (`{}`): generated {}, compiled {}, started {}, listed {} ({} tools of {} operations), \
             calls passed {passed}/{}.",
            gh.name,
            gh.generated,
            gh.compiled,
            gh.started,
            gh.listed,
            gh.tools,
            gh.operations,
            gh.calls.len()
        );
    }

    let _ = write!(s, "{}", surfaces(outcomes, &f));
    let _ = write!(s, "{}", profiles(outcomes, &f));
    let differing: Vec<String> = outcomes
        .iter()
        .filter_map(|o| match &o.in_process {
            Some(Err(e)) => Some(format!("- `{}`: {}", o.name, cell(e))),
            _ => None,
        })
        .collect();
    if !differing.is_empty() {
        let _ = writeln!(s, "\n## In-process servers that differ from the compiled ones\n\n{}", differing.join("\n"));
    }

    let _ = writeln!(s, "\n## Failures by cause\n");
    let mut causes: BTreeMap<(&str, String), (usize, String)> = BTreeMap::new();
    for o in outcomes {
        if let Some((stage, cause, message)) = &o.failure {
            let e = causes.entry((stage, cause.clone())).or_insert((0, format!("`{}`: {}", o.name, message)));
            e.0 += 1;
        }
        for c in o.calls.iter().filter(|c| !c.passed) {
            let key = ("call", c.cause.clone().unwrap_or_default());
            let e = causes.entry(key).or_insert((0, format!("`{}` {}: {}", o.name, c.operation, c.message)));
            e.0 += 1;
        }
    }
    table(&mut s, causes, "stage | cause");

    let _ = writeln!(s, "\n## Passed calls whose tool result was an error\n");
    let mut after: BTreeMap<(&str, String), (usize, String)> = BTreeMap::new();
    for o in outcomes {
        for c in o.calls.iter().filter(|c| c.passed && c.cause.is_some()) {
            let e = after
                .entry(("call", c.cause.clone().unwrap_or_default()))
                .or_insert((0, format!("`{}` {}: {}", o.name, c.operation, c.message)));
            e.0 += 1;
        }
    }
    table(&mut s, after, "stage | cause");

    let _ = writeln!(s, "\n## Warnings by kind\n");
    let total: usize = outcomes.iter().map(|o| o.warnings.len()).sum();
    let with = outcomes.iter().filter(|o| !o.warnings.is_empty()).count();
    let _ = writeln!(s, "{total} warnings in {with} descriptions.\n");
    let mut kinds: BTreeMap<(&str, String), (usize, String)> = BTreeMap::new();
    for o in outcomes {
        for (kind, text) in &o.warnings {
            let e = kinds.entry(("warning", kind.clone())).or_insert((0, format!("`{}` {}", o.name, text)));
            e.0 += 1;
        }
    }
    table(&mut s, kinds, "| kind");

    let _ = writeln!(
        s,
        "\n## Slowest descriptions\n\n| description | operations | generate s | run s |\n|---|---:|---:|---:|"
    );
    let mut slow: Vec<&Outcome> = outcomes.iter().collect();
    slow.sort_by(|a, b| (b.generate_seconds + b.run_seconds).total_cmp(&(a.generate_seconds + a.run_seconds)));
    for o in slow.iter().take(15) {
        let _ = writeln!(s, "| `{}` | {} | {:.2} | {:.2} |", o.name, o.operations, o.generate_seconds, o.run_seconds);
    }
    let _ = writeln!(
        s,
        "\n## Time\n\nWall {:.0} s: generation {:.0} s, cargo {:.0} s ({} builds for {} batches, bisection included), \
         starting and calling servers {:.0} s (compilation of one batch overlaps the runs of the previous one).",
        timing.wall, timing.generate, timing.cargo, timing.builds, timing.batches, timing.run
    );
    s
}

/// A `count | cause | example` table, most frequent first.
fn table(s: &mut String, rows: BTreeMap<(&str, String), (usize, String)>, head: &str) {
    if rows.is_empty() {
        let _ = writeln!(s, "None.");
        return;
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    if head.starts_with('|') {
        let _ = writeln!(s, "| count | kind | example |\n|---:|---|---|");
        for ((_, kind), (n, example)) in rows {
            let _ = writeln!(s, "| {n} | {} | {} |", cell(&kind), cell(&example));
        }
    } else {
        let _ = writeln!(s, "| count | stage | cause | example |\n|---:|---|---|---|");
        for ((stage, cause), (n, example)) in rows {
            let _ = writeln!(s, "| {n} | {stage} | {} | {} |", cell(&cause), cell(&example));
        }
    }
}

/// Every failure and warning of the run as JSON lines, for digging past the report's examples.
pub fn details(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        if let Some((stage, cause, message)) = &o.failure {
            let line = json!({"spec": o.name, "stage": stage, "cause": cause, "message": message});
            let _ = writeln!(out, "{line}");
        }
        for c in o.calls.iter().filter(|c| c.cause.is_some()) {
            let line = json!({"spec": o.name, "stage": "call", "passed": c.passed, "operation": c.operation, "cause": c.cause, "message": c.message});
            let _ = writeln!(out, "{line}");
        }
        for (kind, text) in &o.warnings {
            let _ = writeln!(out, "{}", json!({"spec": o.name, "stage": "warning", "cause": kind, "message": text}));
        }
    }
    out
}

/// The kind of a warning: its message shaped like [`shape`] does.
pub fn warning_kind(message: &str) -> String {
    shape(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(generated: bool, compiled: bool, passed: &[bool]) -> Outcome {
        Outcome {
            name: "x".into(),
            generated,
            compiled,
            started: compiled,
            listed: compiled,
            calls: passed
                .iter()
                .map(|&p| Call { operation: "o".into(), passed: p, cause: None, message: String::new() })
                .collect(),
            ..Outcome::default()
        }
    }

    #[test]
    fn fewer_passing_at_any_stage_is_a_regression_and_more_is_not() {
        let committed = Figures::of(&[outcome(true, true, &[true, false]), outcome(true, false, &[])]).to_json();
        let same = Figures::of(&[outcome(true, true, &[true, false]), outcome(true, false, &[])]);
        assert!(same.regressions(&committed).is_empty());
        let better = Figures::of(&[outcome(true, true, &[true, true]), outcome(true, true, &[true])]);
        assert!(better.regressions(&committed).is_empty());
        let worse = Figures::of(&[outcome(true, false, &[]), outcome(true, false, &[])]);
        let r = worse.regressions(&committed);
        assert!(r.iter().any(|m| m.starts_with("compiled: 0, committed 1")), "{r:?}");
        assert!(r.iter().any(|m| m.starts_with("calls_passed: 0, committed 1")), "{r:?}");
        let other = Figures::of(&[outcome(true, true, &[])]);
        assert!(other.regressions(&committed)[0].contains("not the same sample"));
    }

    #[test]
    fn long_running_operations_are_counted_by_convention_and_never_compared() {
        let mut a = outcome(true, true, &[]);
        a.name = "azure".into();
        a.long_running = BTreeMap::from([("azure".to_string(), 3), ("accepted".to_string(), 1)]);
        let mut b = outcome(true, true, &[]);
        b.name = "google".into();
        b.long_running = BTreeMap::from([("google".to_string(), 2)]);
        let outcomes = [a, b, outcome(true, true, &[])];
        let f = Figures::of(&outcomes);
        assert_eq!(f.long_running, 6);
        assert_eq!(f.to_json()["long_running"], 6);
        let line = surfaces(&outcomes, &f);
        assert!(
            line.contains(
                "long-running (their tools may run as tasks, and are then followed to the end): 6: 1 answering 202 \
                 with a polling header, 3 with `x-ms-long-running-operation`, 2 answering a Google-style \
                 `Operation`; in `azure` (4), `google` (2)."
            ),
            "{line}"
        );
        let fewer = Figures::of(&[outcome(true, true, &[]), outcome(true, true, &[]), outcome(true, true, &[])]);
        assert!(fewer.regressions(&f.to_json()).is_empty(), "a measure, not a figure that regresses");
    }
}
