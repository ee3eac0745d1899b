//! `mcpgen install`: the entry it writes into a client's configuration file runs the built server
//! (the Python client starts it from the entry, exactly as a desktop client would), other entries
//! and keys survive, a file that is not JSON is left untouched, `--print` writes nothing.

use mcpgen_tests::mcpgen;
use mcpgen_tests::python::{Mode, call_tool, list_tools, run_client};
use mcpgen_tests::{Endpoint, ServerCommand, workspace};
use serde_json::{Value, json};
use std::path::Path;

fn hello_dir() -> String {
    workspace::root().join("examples/hello").to_string_lossy().into_owned()
}

/// `mcpgen ARGS`; `examples/hello` builds in the workspace's own target dir, where it is built
/// already, generated crates in `target/generated` ([`mcpgen::env`]).
fn install(args: &[&str], cwd: Option<&Path>) -> mcpgen_tests::process::Output {
    let mut cmd = mcpgen::command(args);
    if args.contains(&hello_dir().as_str()) {
        cmd.env("CARGO_TARGET_DIR", workspace::target_dir());
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    mcpgen_tests::process::run(&mut cmd, mcpgen::BUILD_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The server an entry describes, as a client would start it.
fn server_of(entry: &Value) -> ServerCommand {
    let mut server = ServerCommand::new(entry["command"].as_str().expect("a command"));
    server = server.args(entry["args"].as_array().expect("args").iter().map(|a| a.as_str().unwrap().to_string()));
    for (k, v) in entry["env"].as_object().into_iter().flatten() {
        server = server.env(k, v.as_str().unwrap());
    }
    server
}

#[test]
fn adds_a_working_entry_beside_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("claude_desktop_config.json");
    let other = json!({"command": "/opt/other/server", "args": ["--stdio"], "env": {"TOKEN": "t"}});
    std::fs::write(
        &config,
        serde_json::to_string_pretty(&json!({"globalShortcut": "Ctrl+Space", "mcpServers": {"other": other}})).unwrap(),
    )
    .unwrap();
    let config_arg = config.to_string_lossy().into_owned();
    let out = install(
        &[
            "install",
            "claude-desktop",
            &hello_dir(),
            "--config",
            &config_arg,
            "--name",
            "greeter",
            "--env",
            "GREETING_STYLE=warm",
            "--",
            "--log-level",
            "debug",
        ],
        None,
    );
    out.assert_success();
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert!(out.stderr.contains("Added `greeter`"), "{}", out.describe());

    let written = read_json(&config);
    assert_eq!(written["globalShortcut"], "Ctrl+Space", "unknown keys survive");
    assert_eq!(written["mcpServers"]["other"], other, "the other entry survives");
    let entry = &written["mcpServers"]["greeter"];
    let command = Path::new(entry["command"].as_str().unwrap());
    assert!(command.is_absolute() && command.is_file(), "{entry}");
    assert_eq!(entry["args"], json!(["--log-level", "debug"]));
    assert_eq!(entry["env"], json!({"GREETING_STYLE": "warm"}));

    // The entry starts a working server.
    let s = run_client(
        &Endpoint::Stdio(server_of(entry)),
        Mode::Auto,
        &[list_tools(), call_tool("hello", json!({"name": "Ada"}))],
    );
    assert_eq!(s.result(1)["content"][0]["text"], "Hello, Ada!");

    // Installing again replaces the entry in place; nothing else changes.
    let out = install(&["install", "claude-desktop", &hello_dir(), "--config", &config_arg, "--name", "greeter"], None);
    out.assert_success();
    assert!(out.stderr.contains("Replaced `greeter`"), "{}", out.describe());
    let again = read_json(&config);
    assert_eq!(again["mcpServers"].as_object().unwrap().len(), 2);
    assert_eq!(again["mcpServers"]["other"], other);
    assert_eq!(again["mcpServers"]["greeter"]["args"], json!([]));
}

/// A description's entry runs `mcpgen run SPEC` (served in-process, nothing built); with
/// `--compile`, the generated crate's build, copied into the cache.
#[test]
fn a_description_installs_mcpgen_run_or_its_cached_build() {
    let dir = tempfile::tempdir().unwrap();
    let spec = workspace::root().join("fixtures/petstore.yaml").to_string_lossy().into_owned();
    // claude-code writes .mcp.json in the current directory.
    let out = install(&["install", "claude-code", &spec, "--env", "SWAGGER_PETSTORE_API_KEY=k"], Some(dir.path()));
    out.assert_success();
    assert!(!out.stderr.contains("Compiling"), "nothing is built: {}", out.describe());
    let entry = read_json(&dir.path().join(".mcp.json"))["mcpServers"]["swagger-petstore"].clone();
    assert_eq!(Path::new(entry["command"].as_str().unwrap()), mcpgen::binary().canonicalize().unwrap(), "{entry}");
    assert_eq!(entry["args"], json!(["run", Path::new(&spec).canonicalize().unwrap()]), "{entry}");
    let s = run_client(&Endpoint::Stdio(server_of(&entry)), Mode::Auto, &[list_tools()]);
    assert_eq!(s.result(0)["tools"].as_array().unwrap().len(), 4);

    let out = install(&["install", "claude-code", &spec, "--compile", "--", "--log-level", "debug"], Some(dir.path()));
    out.assert_success();
    let entry = read_json(&dir.path().join(".mcp.json"))["mcpServers"]["swagger-petstore"].clone();
    let command = Path::new(entry["command"].as_str().unwrap());
    assert!(command.starts_with(workspace::target_dir().join("mcpgen-cache/crates")), "{entry}");
    assert!(command.is_file(), "{entry}");
    assert_eq!(entry["args"], json!(["--log-level", "debug"]), "{entry}");
    let s = run_client(&Endpoint::Stdio(server_of(&entry)), Mode::Auto, &[list_tools()]);
    assert_eq!(s.result(0)["tools"].as_array().unwrap().len(), 4);
}

#[test]
fn print_writes_nothing_and_bad_files_are_left_alone() {
    let out = install(&["install", "mcp-json", &hello_dir(), "--env", "A=1"], None);
    out.assert_success();
    let printed: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.describe()));
    let entry = &printed["mcpServers"]["hello"];
    assert!(Path::new(entry["command"].as_str().unwrap()).is_file(), "{printed}");
    assert_eq!(entry["env"], json!({"A": "1"}));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("mcp.json");
    let config_arg = config.to_string_lossy().into_owned();
    let out = install(&["install", "cursor", &hello_dir(), "--config", &config_arg, "--print"], None);
    out.assert_success();
    assert!(!config.exists(), "--print writes nothing");
    assert!(out.stdout.contains("\"mcpServers\""), "{}", out.describe());

    let broken = "{\"mcpServers\": {\"other\": {\"command\": \"x\"},}\n";
    std::fs::write(&config, broken).unwrap();
    let out = install(&["install", "cursor", &hello_dir(), "--config", &config_arg], None);
    assert!(!out.status.success(), "{}", out.describe());
    assert!(out.stderr.contains("is not valid JSON (trailing comma at line 1"), "{}", out.describe());
    assert!(out.stderr.contains("mcpgen will not overwrite it"), "{}", out.describe());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), broken, "the file is untouched");

    let out = install(&["install", "cursor", &workspace::root().join("nope.yaml").to_string_lossy()], None);
    assert!(!out.status.success() && out.stderr.contains("does not exist"), "{}", out.describe());
}

/// Without --config, each client's own file: Cursor's in the home directory; Claude Desktop's
/// directory must exist (else it is not installed, and nothing is built or written).
#[cfg(target_os = "linux")]
#[test]
fn clients_own_files_under_home() {
    let home = tempfile::tempdir().unwrap();
    // Cargo and rustup keep finding their own homes when HOME moves.
    let real_home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap());
    let keep = |var: &str, default: &str| std::env::var_os(var).unwrap_or_else(|| real_home.join(default).into());
    let (cargo_home, rustup_home) = (keep("CARGO_HOME", ".cargo"), keep("RUSTUP_HOME", ".rustup"));
    let with_home = |args: &[&str]| {
        let mut cmd = mcpgen::command(args);
        cmd.env("CARGO_HOME", &cargo_home).env("RUSTUP_HOME", &rustup_home);
        cmd.env("HOME", home.path()).env_remove("XDG_CONFIG_HOME").env("CARGO_TARGET_DIR", workspace::target_dir());
        mcpgen_tests::process::run(&mut cmd, mcpgen::BUILD_TIMEOUT).unwrap()
    };
    let out = with_home(&["install", "claude-desktop", &hello_dir()]);
    assert!(!out.status.success(), "{}", out.describe());
    let expected = format!(
        "Claude Desktop keeps its configuration in `{}/.config/Claude`, which does not exist",
        home.path().display()
    );
    assert!(out.stderr.contains(&expected), "{}", out.describe());
    assert!(!out.stderr.contains("Finished"), "nothing was built: {}", out.describe());

    std::fs::create_dir_all(home.path().join(".config/Claude")).unwrap();
    std::fs::create_dir_all(home.path().join(".cursor")).unwrap();
    with_home(&["install", "claude-desktop", &hello_dir()]).assert_success();
    with_home(&["install", "cursor", &hello_dir(), "--name", "hi"]).assert_success();
    let desktop = read_json(&home.path().join(".config/Claude/claude_desktop_config.json"));
    let cursor = read_json(&home.path().join(".cursor/mcp.json"));
    assert!(Path::new(desktop["mcpServers"]["hello"]["command"].as_str().unwrap()).is_file(), "{desktop}");
    assert_eq!(cursor["mcpServers"]["hi"]["command"], desktop["mcpServers"]["hello"]["command"]);
}
