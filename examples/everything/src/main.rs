//! The fixture the official MCP conformance suite drives: its `test_*` tools, `test://`
//! resources and `test_*` prompts, with the names and texts its scenarios check.
//!
//! `everything --transport http --port 3000` serves it at `http://127.0.0.1:3000/mcp`.

mod diagnostics;
mod input_required;
mod prompts;
mod resources;
mod tasks;
mod tools;

use mcpgen_runtime::axum::routing::get;
use mcpgen_runtime::{RunOptions, Server, ServerHandle};
use std::time::Duration;

/// A 1x1 red PNG.
pub const TEST_IMAGE_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A minimal WAV file.
pub const TEST_AUDIO_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

fn main() -> std::process::ExitCode {
    let mut server = Server::new("mcp-conformance-test-server", "1.0.0")
        .instructions("Conformance fixture: every MCP server feature, under the names the suite expects.")
        .custom_route("/health", get(|| async { "OK" }));
    server = tools::register(server);
    server = resources::register(server);
    server = prompts::register(server);
    server = input_required::register(server);
    server = tasks::register(server);
    let handle = server.handle();
    server = diagnostics::register(server, handle.clone());
    start_automatic_behaviours(handle);
    server.run_from_args_with(RunOptions::http().port(3000).path("/mcp"))
}

/// What the suite's reference server does on its own: dynamic entries after 2 s and a
/// watched resource that changes every 3 s.
fn start_automatic_behaviours(handle: ServerHandle) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        for result in [
            handle.add_tool(tools::dynamic_tool()),
            handle.add_resource(resources::dynamic_resource()),
            handle.add_prompt(prompts::dynamic_prompt()),
        ] {
            if let Err(e) = result {
                eprintln!("could not add a dynamic entry: {e}");
            }
        }
        loop {
            std::thread::sleep(Duration::from_secs(3));
            handle.resource_updated(resources::WATCHED_URI);
        }
    });
}
