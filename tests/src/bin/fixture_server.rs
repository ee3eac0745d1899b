//! A server built on mcpgen-runtime for the STDIO and command-line tests: the things
//! `examples/hello` cannot show.
//!
//! Tools:
//! - `slow {seconds}`: sleeps, then answers `slept <seconds>s`. Used to prove requests run
//!   concurrently and that `notifications/cancelled` stops a call.
//! - `stats {}`: how many `slow` calls `started`, `completed`, and were `abandoned` (their handler
//!   was stopped before finishing), as structured content.
//! - `config {}`: the run options this process ended up with after its command line and `MCP_*`
//!   environment were applied, and the arguments after `--` its own code received.
//!
//! It reads its command line with [`CommandLine`] like `Server::run_from_args` does, so that it can
//! report the result.

use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{CommandLine, RunOptions, Server, Tool, ToolResult};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static STARTED: AtomicU64 = AtomicU64::new(0);
static COMPLETED: AtomicU64 = AtomicU64::new(0);
static ABANDONED: AtomicU64 = AtomicU64::new(0);

/// Counts a `slow` call as abandoned if it is dropped before it finishes.
struct Running {
    finished: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.finished {
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            tracing::info!("slow call abandoned before finishing");
        }
    }
}

fn main() -> ExitCode {
    let cli = CommandLine::parse();
    let options = cli.apply(RunOptions::default());
    let config = json!({
        "options": {
            "transport": options.transport.as_str(),
            "host": options.host,
            "port": options.port,
            "path": options.path,
            "logLevel": options.log_level,
            "stateless": options.stateless,
            "jsonResponse": options.json_response,
            "allowedHosts": options.allowed_hosts,
            "allowedOrigins": options.allowed_origins,
        },
        "serverArgs": cli.server_args(),
    });

    let slow = Tool::new(
        "slow",
        json!({"type": "object", "properties": {"seconds": {"type": "number", "minimum": 0}}, "required": ["seconds"]}),
    )
    .description("Sleep for a while, then answer")
    .handler(|args, _ctx| async move {
        let seconds = args["seconds"].as_f64().unwrap_or_default();
        STARTED.fetch_add(1, Ordering::SeqCst);
        let mut running = Running { finished: false };
        tracing::info!(seconds, "slow call sleeping");
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        running.finished = true;
        COMPLETED.fetch_add(1, Ordering::SeqCst);
        Ok(ToolResult::text(format!("slept {seconds}s")))
    });
    let stats = Tool::new("stats", json!({"type": "object"})).description("Counts of slow calls").handler(
        |_args, _ctx| async move {
            Ok(ToolResult::structured(json!({
                "started": STARTED.load(Ordering::SeqCst),
                "completed": COMPLETED.load(Ordering::SeqCst),
                "abandoned": ABANDONED.load(Ordering::SeqCst),
            })))
        },
    );
    let config_tool = Tool::new("config", json!({"type": "object"}))
        .description("The effective run options and the server's own arguments")
        .handler(move |_args, _ctx| {
            let config: Value = config.clone();
            async move { Ok(ToolResult::structured(config)) }
        });

    // Who called, as the transport authenticated them (OAuth, static tokens); and a tool only a
    // token with the `admin` scope sees and calls.
    let whoami = Tool::new("whoami", json!({"type": "object"})).description("The caller's identity").handler(
        |_args, ctx| async move {
            let who = ctx.identity();
            Ok(ToolResult::structured(json!({
                "subject": who.as_ref().and_then(|w| w.subject.clone()),
                "client": who.as_ref().and_then(|w| w.client_id.clone()),
                "scopes": who.as_ref().and_then(|w| w.scopes.as_deref().map(<[String]>::to_vec)),
            })))
        },
    );
    let admin = Tool::new("admin_report", json!({"type": "object"}))
        .description("Something only administrators may read")
        .requires_scope("admin")
        .handler(|_args, _ctx| async move { Ok(ToolResult::text("the admin report")) });

    let server = Server::new("fixture", env!("CARGO_PKG_VERSION"))
        .tool(slow)
        .tool(stats)
        .tool(config_tool)
        .tool(whoami)
        .tool(admin);
    match server.run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
