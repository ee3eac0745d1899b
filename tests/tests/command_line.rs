//! A generated server's command line (`Server::run_from_args`): `--help`, usage errors, `MCP_*`
//! environment variables, flags over variables, and arguments after `--` for the server's code.
//!
//! `examples/hello` shows what a user sees; the fixture server reports the options it ended up
//! with (its `config` tool), which STDIO alone cannot show.

use mcpgen_tests::process::{self, Output};
use mcpgen_tests::stdio::StdioServer;
use mcpgen_tests::{ServerCommand, cargo};
use serde_json::{Value, json};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);

fn run_hello(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut server = ServerCommand::new(cargo::hello()).args(args.iter().copied());
    for (k, v) in env {
        server = server.env(*k, *v);
    }
    process::run(&mut server.command(), TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

/// The fixture's effective options and server arguments, read through its `config` tool.
fn fixture_config(args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut command = ServerCommand::new(env!("CARGO_BIN_EXE_fixture_server")).args(args.iter().copied());
    for (k, v) in env {
        command = command.env(*k, *v);
    }
    let mut server = StdioServer::spawn(&command);
    server.initialize();
    let response = server.request("tools/call", json!({"name": "config", "arguments": {}}));
    response["result"]["structuredContent"].clone()
}

#[test]
fn help_exits_0_and_names_every_flag_and_variable() {
    let out = run_hello(&["--help"], &[]);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    for needle in [
        "hello",
        "-t, --transport",
        "--host",
        "-p, --port",
        "--path",
        "-l, --log-level",
        "--stateless",
        "--json-response",
        "--allowed-host",
        "--allowed-origin",
        "--tools",
        "--toolset",
        "--read-only",
        "--log-format",
        "--health-path",
        "--state-key-file",
        "MCP_STATE_KEY",
        "MCP_TRANSPORT",
        "MCP_PORT",
        "--",
    ] {
        assert!(out.stdout.contains(needle), "--help does not mention `{needle}`:\n{}", out.stdout);
    }
}

#[test]
fn bad_command_lines_exit_2_with_clear_messages() {
    /// Arguments, environment, and what stderr must say.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (&["--bogus"], &[], &["--bogus"]),
        (&["--port", "70000"], &[], &["70000", "--port"]),
        (&["-p", "eighty"], &[], &["eighty"]),
        (&["--transport", "pigeon"], &[], &["unknown transport `pigeon`", "stdio"]),
        (&["-l", "loud"], &[], &["unknown log level `loud`"]),
        (&["--host"], &[], &["--host"]),
        (&[], &[("MCP_TRANSPORT", "pigeon")], &["unknown transport `pigeon`"]),
        (&[], &[("MCP_PORT", "-1")], &["-1"]),
    ];
    for (args, env, needles) in cases {
        let out = run_hello(args, env);
        assert_eq!(out.code(), Some(2), "{args:?} {env:?}: {}", out.describe());
        assert!(out.stdout.is_empty(), "usage errors stay off stdout: {}", out.describe());
        for needle in *needles {
            assert!(out.stderr.contains(needle), "{args:?} {env:?}: stderr lacks `{needle}`: {}", out.stderr);
        }
        assert!(out.stderr.contains("--help"), "the error points at --help: {}", out.stderr);
    }
}

#[test]
fn environment_variables_set_every_option() {
    let config = fixture_config(
        &[],
        &[
            ("MCP_TRANSPORT", "stdio"),
            ("MCP_HOST", "0.0.0.0"),
            ("MCP_PORT", "9123"),
            ("MCP_PATH", "/api/mcp"),
            ("MCP_LOG_LEVEL", "ERROR"),
            ("MCP_STATELESS", "true"),
            ("MCP_JSON_RESPONSE", "true"),
            ("MCP_ALLOWED_HOSTS", "a.example,b.example"),
            ("MCP_ALLOWED_ORIGINS", "https://app.example"),
        ],
    );
    assert_eq!(
        config["options"],
        json!({
            "transport": "stdio", "host": "0.0.0.0", "port": 9123, "path": "/api/mcp", "logLevel": "error",
            "stateless": true, "jsonResponse": true,
            "allowedHosts": ["a.example", "b.example"], "allowedOrigins": ["https://app.example"],
        })
    );
}

#[test]
fn flags_beat_environment_variables() {
    let env = [
        ("MCP_TRANSPORT", "sse"),
        ("MCP_HOST", "0.0.0.0"),
        ("MCP_PORT", "9123"),
        ("MCP_PATH", "/env"),
        ("MCP_LOG_LEVEL", "error"),
        ("MCP_STATELESS", "false"),
        ("MCP_ALLOWED_HOSTS", "env.example"),
        ("MCP_ALLOWED_ORIGINS", "https://env.example"),
    ];
    let flags = [
        "-t",
        "stdio",
        "--host",
        "127.0.0.2",
        "-p",
        "9200",
        "--path",
        "/flag",
        "-l",
        "warning",
        "--stateless",
        "--allowed-host",
        "flag.example",
        "--allowed-origin",
        "https://flag.example",
    ];
    // The server serving STDIO at all shows `-t stdio` beat MCP_TRANSPORT=sse.
    let config = fixture_config(&flags, &env);
    assert_eq!(
        config["options"],
        json!({
            "transport": "stdio", "host": "127.0.0.2", "port": 9200, "path": "/flag", "logLevel": "warning",
            "stateless": true, "jsonResponse": false,
            "allowedHosts": ["flag.example"], "allowedOrigins": ["https://flag.example"],
        })
    );
}

#[test]
fn the_log_level_from_env_or_flag_decides_what_reaches_stderr() {
    let stderr_of = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = ServerCommand::new(cargo::hello()).args(args.iter().copied());
        for (k, v) in env {
            command = command.env(*k, *v);
        }
        let mut server = StdioServer::spawn(&command);
        server.initialize();
        server.close_stdin();
        assert!(server.wait(TIMEOUT).is_some_and(|s| s.success()), "stderr:\n{}", server.stderr());
        server.stderr()
    };
    const STARTUP_LINE: &str = "serving MCP over STDIO";
    assert!(stderr_of(&[], &[]).contains(STARTUP_LINE), "info is the default level");
    assert!(!stderr_of(&[], &[("MCP_LOG_LEVEL", "error")]).contains(STARTUP_LINE), "MCP_LOG_LEVEL=error hides info");
    assert!(stderr_of(&["--log-level", "info"], &[("MCP_LOG_LEVEL", "error")]).contains(STARTUP_LINE), "the flag wins");
    assert!(!stderr_of(&["-l", "critical"], &[]).contains(STARTUP_LINE));

    // `--log-format json` (or MCP_LOG_FORMAT): one JSON object per stderr line, for log
    // pipelines; stdout still carries nothing but MCP.
    for (args, env) in [(&["--log-format", "json"][..], &[][..]), (&[][..], &[("MCP_LOG_FORMAT", "json")][..])] {
        let stderr = stderr_of(args, env);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.is_empty()).collect();
        assert!(!lines.is_empty(), "{args:?} {env:?}: no log lines");
        for line in &lines {
            let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            assert!(entry["level"].is_string() && entry["timestamp"].is_string(), "{line}");
        }
        assert!(lines.iter().any(|l| l.contains(STARTUP_LINE)), "{stderr}");
    }

    // Each request's events carry its id and method (the `request` span), so a pipeline can
    // follow one request.
    let command = ServerCommand::new(cargo::hello()).args(["--log-format", "json", "--log-level", "debug"]);
    let mut server = StdioServer::spawn(&command);
    server.initialize();
    server.send(&json!({"jsonrpc": "2.0", "id": 4242, "method": "tools/call", "params": {"name": "hello", "arguments": {"name": "Ada"}}}));
    let answer = server.response(&json!(4242), TIMEOUT);
    assert_eq!(answer["result"]["content"][0]["text"], "Hello, Ada!", "{answer}");
    server.close_stdin();
    assert!(server.wait(TIMEOUT).is_some_and(|s| s.success()), "stderr:\n{}", server.stderr());
    let stderr = server.stderr();
    let answered: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["fields"]["message"] == "request answered" && e["span"]["id"] == "4242")
        .collect();
    assert_eq!(answered.len(), 1, "{stderr}");
    assert_eq!(answered[0]["span"]["method"], "tools/call");
    assert_eq!(answered[0]["fields"]["outcome"], "ok");
}

#[test]
fn arguments_after_double_dash_reach_the_server_code_untouched() {
    let config = fixture_config(&["-l", "warning", "--", "--db", "data.sqlite", "-p", "5", "--help", "plain"], &[]);
    assert_eq!(config["serverArgs"], json!(["--db", "data.sqlite", "-p", "5", "--help", "plain"]));
    assert_eq!(config["options"]["port"], 8000, "`-p 5` after `--` is not the server's port");
    assert_eq!(config["options"]["logLevel"], "warning", "flags before `--` still apply");
}
