//! `mcpbench`: the benchmark harness's own client (see `bench/README.md`).
//!
//! Every measuring subcommand prints exactly one JSON object on stdout; `bench/run` collects
//! them into `bench/results/*.jsonl` and `mcpbench report` turns those into Markdown tables.
//!
//! ```text
//! mcpbench http --url http://127.0.0.1:18101/mcp --mode session --connections 16 --duration 3
//! mcpbench http --url http://127.0.0.1:18301/mcp --call showPetById --args '{"petId":"1"}' --expect Rex
//! mcpbench stdio --requests 20000 --pipeline 16 -- target/release/mcpgen-add
//! mcpbench startup --runs 10 -- target/release/mcpgen-add
//! mcpbench startup --url http://127.0.0.1:18301/mcp --tool showPetById -- SERVER --port 18301
//! mcpbench first-answer -- target/release/mcpgen-add       # one start, for hyperfine
//! mcpbench sessions --url http://127.0.0.1:18111/mcp --count 1000
//! mcpbench report --raw results/2026-11-29-http.jsonl --out results/2026-11-29-http.md
//! ```

mod call;
mod http;
mod mcp;
mod report;
mod stats;
mod stdio;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Load client and report writer of the mcpgen benchmark harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load an MCP Streamable HTTP endpoint with one `tools/call` (default `add(1, 2)`) from N connections.
    Http(http::HttpArgs),
    /// Open N legacy sessions (`initialize` + `notifications/initialized`) and leave them open.
    Sessions(http::SessionsArgs),
    /// Pipeline one `tools/call` (default `add(1, 2)`) through a server's stdin/stdout.
    Stdio(stdio::StdioArgs),
    /// Time from process start to the first `tools/list` answer (STDIO, or HTTP with `--url`), N times.
    Startup(stdio::StartupArgs),
    /// Start a server once, wait for its first `tools/list` answer, stop it (for hyperfine).
    FirstAnswer(stdio::FirstAnswerArgs),
    /// Write the Markdown report of a results `.jsonl` file.
    Report(report::ReportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report::run(args),
        command => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                match command {
                    Command::Http(args) => http::run(args).await,
                    Command::Sessions(args) => http::sessions(args).await,
                    Command::Stdio(args) => stdio::run(args).await,
                    Command::Startup(args) => stdio::startup(args).await,
                    Command::FirstAnswer(args) => stdio::first_answer(args).await,
                    Command::Report(_) => unreachable!(),
                }
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcpbench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Errors are reported as text: this is a measuring tool, the message is what matters.
pub type Result<T> = std::result::Result<T, String>;
