//! The Markdown report of one results file.
//!
//! The raw file (`bench/results/<date>-<scenario>.jsonl`, written by `bench/run`) has one JSON
//! object a line:
//! - `{"kind":"meta","key":"machine","value":"2 x Intel Xeon"}`: shown in the header table, in order;
//! - `{"kind":"run","variant":"...","server":"mcpgen","run":1,"command":"...","result":{...}}`:
//!   one timed run; `result` is what `mcpbench` or the wrk script printed;
//! - `{"kind":"note","variant":"...","text":"..."}`: a line printed under that variant's table.
//!
//! Each figure in the tables is the median over a variant's runs of one server; the spread
//! (min–max) of the first metric is shown beside it; errors are summed over all runs.

use crate::Result;
use crate::stats::median;
use serde_json::Value;
use std::fmt::Write as _;

#[derive(clap::Args)]
pub struct ReportArgs {
    #[arg(long)]
    raw: std::path::PathBuf,
    #[arg(long)]
    out: std::path::PathBuf,
    #[arg(long)]
    title: String,
    /// Metrics to show, in order, from each run's `result` (missing ones are left out).
    #[arg(long, value_delimiter = ',', default_value = "rps,p50_ms,p99_ms")]
    metrics: Vec<String>,
    /// Ratios to compute, as `server/baseline` (repeatable).
    #[arg(long = "ratio")]
    ratios: Vec<String>,
    /// Free text put under the header (how to read the figures).
    #[arg(long)]
    note: Vec<String>,
}

fn label(metric: &str) -> &str {
    match metric {
        "rps" => "req/s",
        "p50_ms" => "p50 ms",
        "p90_ms" => "p90 ms",
        "p99_ms" => "p99 ms",
        "max_ms" => "max ms",
        "first_answer_ms" => "start → first tools/list answer, ms",
        "hyperfine_ms" => "hyperfine wall, ms",
        "rss_idle_mib" => "RSS idle, MiB",
        "rss_sessions_mib" => "RSS with sessions open, MiB",
        "rss_after_mib" => "RSS after the calls, MiB",
        "rss_peak_mib" => "peak RSS, MiB",
        "calls_total" => "calls",
        "reply_bytes" => "reply bytes",
        "tools_list_bytes" => "tools/list answer, bytes",
        "tools" => "tools listed",
        "generate_ms" => "generation, ms",
        "build_s" => "build, s",
        "cpu_client_us" => "client CPU µs/req",
        "cpu_server_us" => "server CPU µs/req",
        "cpu_upstream_us" => "upstream CPU µs/req",
        "cpu_all_us" => "all CPU µs/req",
        "instructions" => "instructions / call",
        other => other,
    }
}

pub fn format_number(x: f64) -> String {
    let a = x.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", x);
        // thousands separators, for reading req/s at a glance
        let (sign, digits) = s.split_at(if x < 0.0 { 1 } else { 0 });
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// Metrics that count what a run did rather than measure it: no ratio.
const COUNTS: &[&str] = &["requests", "calls_total", "errors", "tools"];

/// Two decimals, or three significant digits for ratios below 0.1 (FastMCP's are that small).
pub fn format_ratio(r: f64) -> String {
    if r >= 0.1 || r == 0.0 || !r.is_finite() {
        format!("{r:.2}")
    } else {
        let decimals = (2.0 - r.log10().floor()) as usize;
        format!("{r:.decimals$}")
    }
}

struct Run {
    variant: String,
    server: String,
    command: String,
    result: Value,
}

pub fn run(args: ReportArgs) -> Result<()> {
    let raw = std::fs::read_to_string(&args.raw).map_err(|e| format!("{}: {e}", args.raw.display()))?;
    let markdown = render(&raw, &args)?;
    std::fs::write(&args.out, markdown).map_err(|e| format!("{}: {e}", args.out.display()))?;
    Ok(())
}

fn render(raw: &str, args: &ReportArgs) -> Result<String> {
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut variants: Vec<String> = Vec::new();
    for (n, line) in raw.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        match v["kind"].as_str() {
            Some("meta") => meta.push((s("key"), s("value"))),
            Some("run") => {
                if !variants.contains(&s("variant")) {
                    variants.push(s("variant"));
                }
                runs.push(Run {
                    variant: s("variant"),
                    server: s("server"),
                    command: s("command"),
                    result: v["result"].clone(),
                });
            }
            Some("note") => {
                if !variants.contains(&s("variant")) {
                    variants.push(s("variant"));
                }
                notes.push((s("variant"), s("text")));
            }
            _ => return Err(format!("line {}: unknown record {line}", n + 1)),
        }
    }

    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", args.title);
    if !meta.is_empty() {
        md.push_str("| | |\n|---|---|\n");
        for (k, v) in &meta {
            let _ = writeln!(md, "| {k} | {} |", v.replace('|', "\\|"));
        }
        md.push('\n');
    }
    for note in &args.note {
        let _ = writeln!(md, "{note}\n");
    }

    for variant in &variants {
        let _ = writeln!(md, "## {variant}\n");
        let these: Vec<&Run> = runs.iter().filter(|r| &r.variant == variant).collect();
        let mut servers: Vec<&str> = Vec::new();
        for r in &these {
            if !servers.contains(&r.server.as_str()) {
                servers.push(&r.server);
            }
        }
        let metrics: Vec<&String> =
            args.metrics.iter().filter(|m| these.iter().any(|r| r.result.get(m.as_str()).is_some())).collect();
        let values = |server: &str, metric: &str| -> Vec<f64> {
            these.iter().filter(|r| r.server == server).filter_map(|r| r.result[metric].as_f64()).collect()
        };
        let med = |server: &str, metric: &str| median(&values(server, metric));

        if !servers.is_empty() {
            md.push_str("| server |");
            for (i, m) in metrics.iter().enumerate() {
                let _ = write!(md, " {}{} |", label(m), if i == 0 { " (min–max)" } else { "" });
            }
            md.push_str(" errors | runs |\n|---|");
            md.push_str(&"---:|".repeat(metrics.len() + 2));
            md.push('\n');
            for server in &servers {
                let _ = write!(md, "| {server} |");
                for (i, m) in metrics.iter().enumerate() {
                    let vals = values(server, m);
                    match median(&vals) {
                        Some(x) if i == 0 && vals.len() > 1 => {
                            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
                            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                            let _ =
                                write!(md, " **{}** ({}–{}) |", format_number(x), format_number(lo), format_number(hi));
                        }
                        Some(x) => {
                            let _ = write!(md, " {} |", format_number(x));
                        }
                        None => md.push_str(" – |"),
                    }
                }
                let errors: f64 =
                    these.iter().filter(|r| r.server == *server).filter_map(|r| r.result["errors"].as_f64()).sum();
                let n = these.iter().filter(|r| r.server == *server).count();
                let _ = writeln!(md, " {} | {n} |", errors as u64);
            }
            md.push('\n');
        }

        let ratios: Vec<(&str, &str)> = args
            .ratios
            .iter()
            .filter_map(|r| r.split_once('/'))
            .filter(|(a, b)| servers.contains(a) && servers.contains(b))
            .collect();
        if !ratios.is_empty() {
            md.push_str("| ratio of medians |");
            for m in &metrics {
                let _ = write!(md, " {} |", label(m));
            }
            md.push_str("\n|---|");
            md.push_str(&"---:|".repeat(metrics.len()));
            md.push('\n');
            for (a, b) in ratios {
                let _ = write!(md, "| {a} / {b} |");
                for m in &metrics {
                    match (med(a, m), med(b, m)) {
                        _ if COUNTS.contains(&m.as_str()) => md.push_str(" – |"),
                        (Some(x), Some(y)) if y != 0.0 => {
                            let _ = write!(md, " {} |", format_ratio(x / y));
                        }
                        _ => md.push_str(" – |"),
                    }
                }
                md.push('\n');
            }
            md.push('\n');
        }

        for (_, text) in notes.iter().filter(|(v, _)| v == variant) {
            let _ = writeln!(md, "- {text}");
        }
        let mut commands: Vec<(&str, &str)> = Vec::new();
        for r in &these {
            if !commands.iter().any(|(s, c)| *s == r.server && *c == r.command) {
                commands.push((&r.server, &r.command));
            }
        }
        if !commands.is_empty() {
            md.push_str("\nCommands (one timed run each; the raw numbers of every run are in the `.jsonl` beside this file):\n\n");
            for (server, command) in commands {
                let _ = writeln!(md, "- {server}: `{command}`");
            }
        }
        md.push('\n');
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_medians_ratios_and_notes() {
        let raw = r#"
{"kind":"meta","key":"machine","value":"2 cores"}
{"kind":"run","variant":"v","server":"mcpgen","run":1,"command":"c1","result":{"rps":100,"p50_ms":1.0}}
{"kind":"run","variant":"v","server":"mcpgen","run":2,"command":"c1","result":{"rps":300,"p50_ms":3.0}}
{"kind":"run","variant":"v","server":"mcpgen","run":3,"command":"c1","result":{"rps":200,"p50_ms":2.0,"errors":1}}
{"kind":"run","variant":"v","server":"bare","run":1,"command":"c2","result":{"rps":400,"p50_ms":1.0}}
{"kind":"note","variant":"v","text":"hello"}
"#;
        let args = ReportArgs {
            raw: "x".into(),
            out: "y".into(),
            title: "T".into(),
            metrics: vec!["rps".into(), "p50_ms".into(), "p99_ms".into()],
            ratios: vec!["mcpgen/bare".into(), "mcpgen/rmcp".into()],
            note: vec![],
        };
        let md = render(raw, &args).unwrap();
        assert!(md.contains("| machine | 2 cores |"), "{md}");
        assert!(md.contains("| mcpgen | **200** (100–300) | 2.00 | 1 | 3 |"), "{md}");
        assert!(md.contains("| mcpgen / bare | 0.50 | 2.00 |"), "{md}");
        assert!(!md.contains("mcpgen / rmcp"), "{md}");
        assert!(!md.contains("p99"), "{md}");
        assert!(md.contains("- hello"), "{md}");
        assert!(md.contains("- bare: `c2`"), "{md}");
    }

    #[test]
    fn ratios_keep_three_digits_when_small() {
        assert_eq!(format_ratio(1.8234), "1.82");
        assert_eq!(format_ratio(0.00246), "0.00246");
        assert_eq!(format_ratio(0.0135), "0.0135");
    }

    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(format_number(98765.4), "98,765");
        assert_eq!(format_number(123.4), "123");
        assert_eq!(format_number(12.34), "12.3");
        assert_eq!(format_number(1.234), "1.23");
        assert_eq!(format_number(0.1234), "0.123");
    }
}
