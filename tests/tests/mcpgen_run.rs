//! `mcpgen run`: a description served in-process at once (with `--mock` over Streamable HTTP and
//! STDIO, driven by the Python `mcp` client and the Inspector CLI, with no cargo and an empty
//! cache), or generated into the cache and built (`--compile`); a crate directory built and run as
//! it is; SIGTERM reaching the server; and the failure paths, each with its message and a non-zero
//! exit. Servers that must build first are waited for through their build (over HTTP), or built
//! before a STDIO client starts them, so no client's clock runs during a build.

use mcpgen_tests::inspector;
use mcpgen_tests::mcpgen::{self, Listening};
use mcpgen_tests::python::{Mode, Session, call_tool, list_tools, run_client};
use mcpgen_tests::{Endpoint, ServerCommand, Transport, http, ports, workspace};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Held by every test here that makes cargo build into a shared target directory. Cargo locks that
/// directory while it builds, and a run whose client's clock is ticking (over STDIO, `initialize`
/// times out after 45 s) must not wait behind another test's cold build of a different crate.
static BUILDS: Mutex<()> = Mutex::new(());

fn one_build_at_a_time() -> MutexGuard<'static, ()> {
    BUILDS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn fixture(name: &str) -> String {
    workspace::root().join("fixtures").join(name).to_string_lossy().into_owned()
}

fn hello_dir() -> String {
    workspace::root().join("examples/hello").to_string_lossy().into_owned()
}

/// A tool result of step `i` that is not an error.
fn ok(s: &Session, i: usize) -> &Value {
    let r = s.result(i);
    assert_ne!(r["isError"], true, "step {i}: {r}\n{}", s.transcript);
    r
}

/// `mcpgen run fixtures/petstore.yaml --mock -t http [extra]` on free ports, once it listens; the
/// server's port and the mock's.
fn petstore_with_the_mock_over_http(extra: &[&str]) -> (Listening, u16, u16) {
    let (port, mock_port) = (ports::free_port(), ports::free_port());
    let (port_arg, mock_port_arg) = (port.to_string(), mock_port.to_string());
    let spec = fixture("petstore.yaml");
    let mut args = vec!["run", &spec, "--mock", "--mock-port", &mock_port_arg, "-t", "http", "--port", &port_arg];
    args.extend_from_slice(extra);
    (Listening::start(mcpgen::command(&args), port), port, mock_port)
}

fn tool_names(s: &Session) -> Vec<String> {
    s.result(0)["tools"].as_array().expect("tools").iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

fn cached_crates() -> usize {
    std::fs::read_dir(workspace::target_dir().join("mcpgen-cache/crates")).map(|d| d.count()).unwrap_or(0)
}

/// The petstore over HTTP with its mock: the client's calls reach the mock, which records them;
/// stdout stays empty; SIGTERM to mcpgen stops the server cleanly.
fn serves_the_petstore_over_http_and_stops_on_sigterm(extra: &[&str]) {
    let (mut server, port, mock_port) = petstore_with_the_mock_over_http(extra);
    let endpoint = Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/") };
    let s = run_client(
        &endpoint,
        Mode::Auto,
        &[list_tools(), call_tool("listPets", json!({"limit": 2})), call_tool("createPet", json!({"name": "Tom"}))],
    );
    assert_eq!(tool_names(&s), ["listPets", "createPet", "showPetById", "deletePet"]);
    // The mock's answers: the description's example, with the required id made up (a list with
    // as many as `limit` asks for).
    let pet = json!({"name": "Rex", "id": 0});
    assert_eq!(ok(&s, 1)["structuredContent"], json!({"result": [pet.clone(), pet]}));
    assert_eq!(ok(&s, 2)["structuredContent"], json!({"name": "Rex", "id": 0}));

    let (status, body) = http::get(&format!("http://127.0.0.1:{mock_port}/__mcpgen/requests"));
    assert_eq!(status, 200, "{body}");
    let seen: Vec<Value> = serde_json::from_str(&body).expect("the record is JSON");
    let line = |r: &Value| format!("{} {} {} {}", r["method"], r["path"], r["query"], r["status"]).replace('"', "");
    assert_eq!(seen.iter().map(line).collect::<Vec<_>>(), ["GET /v1/pets limit=2 200", "POST /v1/pets null 201"]);
    assert_eq!(seen[1]["body"], json!({"name": "Tom"}));

    let pid = server.process.id().to_string();
    let kill = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(kill.success());
    let (code, stdout, stderr) = server.wait(Duration::from_secs(20));
    assert_eq!(code, Some(0), "the server stops cleanly on SIGTERM and mcpgen exits with its code:\n{stderr}");
    assert_eq!(stdout, "", "nothing but the server's MCP may reach stdout");
    assert!(stderr.contains("server stopped"), "SIGTERM reached the server:\n{stderr}");
    assert!(stderr.contains(&format!("at http://127.0.0.1:{mock_port}/v1 (the mock)")), "{stderr}");
}

/// A description is served in-process: nothing is generated into the cache or built.
#[test]
fn petstore_in_process_over_http() {
    let before = cached_crates();
    serves_the_petstore_over_http_and_stops_on_sigterm(&[]);
    assert_eq!(cached_crates(), before, "a description served in-process writes no crate");
}

/// `--compile`: generated into the cache and built (over HTTP, waited for through the build), then
/// over STDIO from the cache, with the same crate.
#[test]
fn petstore_compiled_over_http_then_stdio() {
    let _builds = one_build_at_a_time();
    serves_the_petstore_over_http_and_stops_on_sigterm(&["--compile"]);
    let spec = fixture("petstore.yaml");
    let before = cached_crates();
    let endpoint = Endpoint::Stdio(mcpgen::server(&["run", &spec, "--compile", "--mock"]));
    let s = run_client(&endpoint, Mode::Auto, &[list_tools(), call_tool("showPetById", json!({"petId": "7"}))]);
    assert_eq!(tool_names(&s), ["listPets", "createPet", "showPetById", "deletePet"]);
    assert_eq!(ok(&s, 1)["structuredContent"], json!({"name": "Rex", "id": 0}));
    assert_eq!(cached_crates(), before, "the same description reuses its cached crate");
}

/// `PATH` without any folder holding a `cargo`.
fn path_without_cargo() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path).filter(|dir| !dir.join("cargo").exists()).collect();
    std::env::join_paths(kept).expect("PATH entries join").to_string_lossy().into_owned()
}

/// A first run, as a client meets it: `mcpgen run SPEC --mock` over STDIO, started by the Python
/// client and by the Inspector CLI with a `PATH` that has no cargo and an empty cache directory.
/// Both list the tools within their own time limits and a call reaches the mock; nothing is written
/// into the cache.
#[test]
fn a_first_run_serves_at_once_without_cargo_or_a_cache() {
    let cache = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let path = path_without_cargo();
    let server = |mcpgen: &Path| {
        ServerCommand::new(mcpgen)
            .args(["run", &fixture("petstore.yaml"), "--mock"])
            .env("PATH", path.as_str())
            .env("HOME", home.path().to_string_lossy())
            .env("MCPGEN_CACHE_DIR", cache.path().to_string_lossy())
    };
    let binary = mcpgen::binary();
    assert!(
        !std::env::split_paths(&path).any(|dir| dir.join("cargo").exists()),
        "the server's PATH still reaches cargo: {path}"
    );

    let endpoint = Endpoint::Stdio(server(&binary));
    for mode in [Mode::Auto, Mode::Legacy] {
        let s = run_client(&endpoint, mode, &[list_tools(), call_tool("showPetById", json!({"petId": "7"}))]);
        assert_eq!(tool_names(&s), ["listPets", "createPet", "showPetById", "deletePet"], "{mode:?}");
        assert_eq!(ok(&s, 1)["structuredContent"], json!({"name": "Rex", "id": 0}), "{mode:?}");
    }

    let listed = inspector::run_cli(&endpoint, &["--method", "tools/list"]);
    assert!(listed.status.success(), "{}", listed.describe());
    let tools: Value = serde_json::from_str(&listed.stdout).expect("the Inspector prints JSON");
    assert_eq!(tools["tools"].as_array().map(Vec::len), Some(4), "{tools}");
    let called = inspector::run_cli(
        &endpoint,
        &["--method", "tools/call", "--tool-name", "showPetById", "--tool-arg", "petId=rex"],
    );
    assert!(called.status.success(), "{}", called.describe());
    let result: Value = serde_json::from_str(&called.stdout).expect("the Inspector prints JSON");
    assert_eq!(result["structuredContent"], json!({"name": "Rex", "id": 0}), "{result}");

    let written: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert!(written.is_empty(), "the cache stays empty: {written:?}");
}

/// A crate directory is built and run as it is: positionally over HTTP, with `--project` over STDIO
/// (there with `--profile dev`, a profile named the way `--profile production` is: cargo builds in
/// the profile's directory, and the server is found from its messages).
#[test]
fn runs_a_crate_directory() {
    let _builds = one_build_at_a_time();
    let port = ports::free_port();
    let port_arg = port.to_string();
    let mut cmd = mcpgen::command(&["run", &hello_dir(), "--transport", "http", "--port", &port_arg]);
    // The workspace's own target dir, where the other tests built `hello` already.
    cmd.env("CARGO_TARGET_DIR", workspace::target_dir());
    let _server = Listening::start(cmd, port);
    let endpoint = Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/") };
    let s = run_client(&endpoint, Mode::Auto, &[list_tools(), call_tool("hello", json!({"name": "Ada"}))]);
    assert_eq!(tool_names(&s), ["hello"]);
    assert_eq!(ok(&s, 1)["content"][0]["text"], "Hello, Ada!");
    assert_eq!(http::get(&format!("http://127.0.0.1:{port}/health")), (200, "OK".to_string()));

    let manifest = format!("{}/Cargo.toml", hello_dir());
    let target = workspace::target_dir().to_string_lossy().into_owned();
    let endpoint = Endpoint::Stdio(
        mcpgen::server(&["run", "--project", &manifest, "--profile", "dev"]).env("CARGO_TARGET_DIR", target.as_str()),
    );
    let s = run_client(&endpoint, Mode::Legacy, &[call_tool("hello", json!({"name": "Grace"}))]);
    assert_eq!(ok(&s, 0)["content"][0]["text"], "Hello, Grace!");
}

/// A port already taken: the server's own error reaches the user, and its exit code is mcpgen's.
#[test]
fn a_port_in_use_is_the_servers_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut cmd = mcpgen::command(&["run", &hello_dir(), "-t", "http", "-p", &port]);
    cmd.env("CARGO_TARGET_DIR", workspace::target_dir());
    let out = mcpgen_tests::process::run(&mut cmd, mcpgen::BUILD_TIMEOUT).unwrap();
    assert!(!out.status.success(), "{}", out.describe());
    assert!(out.stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{}", out.describe());
    assert!(out.stderr.contains("choose another `--host` or `--port`"), "{}", out.describe());
    assert_eq!(out.stdout, "");
    // mcpgen's exit code is the server's own.
    let direct = mcpgen_tests::process::run(
        &mut mcpgen_tests::ServerCommand::new(mcpgen_tests::cargo::hello()).args(["-t", "http", "-p", &port]).command(),
        Duration::from_secs(30),
    )
    .unwrap();
    assert_eq!(out.code(), direct.code(), "{}\n{}", out.describe(), direct.describe());
}

#[test]
fn bad_inputs_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.0\npaths: [unclosed\n").unwrap();
    let (empty, broken) = (empty.to_string_lossy().into_owned(), broken.to_string_lossy().into_owned());
    let missing = dir.path().join("missing.yaml").to_string_lossy().into_owned();
    let cases: &[(&[&str], &str)] = &[
        (&["run", &missing], "does not exist; give an API description (YAML or JSON) or a crate directory"),
        (&["run", &empty], "is a directory without a Cargo.toml"),
        (&["run", "--project", &empty], "is a directory without a Cargo.toml"),
        (&["run", &broken], "broken.yaml:3:1: invalid YAML"),
        (&["run", "-"], "save the description to a file"),
        (&["run", &hello_dir(), "--mock"], "--mock serves an API description"),
        (&["run", &fixture("petstore.yaml"), "-t", "carrier-pigeon"], "invalid value 'carrier-pigeon'"),
        (&["run", &fixture("petstore.yaml"), "--release"], "add --compile to generate a crate from it"),
        (&["run", &fixture("petstore.yaml"), "--toolchain", "stable"], "--toolchain is an option of cargo"),
        (&["run", &fixture("petstore.yaml"), "--profile", "production"], "--profile is an option of cargo"),
        (&["run", &hello_dir(), "--release", "--profile", "production"], "cannot be used with"),
        // Cargo's own error: the profile reached it.
        (&["run", &hello_dir(), "--profile", "no-such-profile"], "profile `no-such-profile` is not defined"),
        (&["run", &hello_dir(), "--toolchain", "no-such-toolchain-0.0"], "`no-such-toolchain-0.0` is not installed"),
    ];
    for (args, needle) in cases {
        let out = mcpgen::run(args);
        assert!(!out.status.success(), "{args:?} must fail: {}", out.describe());
        assert!(out.stderr.contains(needle), "{args:?}: stderr should say `{needle}`:\n{}", out.describe());
        assert_eq!(out.stdout, "", "{args:?}");
    }
}

/// With `--compile`, a description is generated once per content: the same bytes anywhere reuse the cached crate;
/// a change to the description, or to a file it references, makes a new one. (`CARGO=false`
/// stops each run right after the cache step, so no build is paid for.)
#[cfg(unix)]
#[test]
fn the_cache_follows_the_content() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        let to = work.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(workspace::root().join("fixtures").join(from), &to).unwrap();
        to
    };
    let spec = copy("recursive.yaml", "a/recursive.yaml");
    let common = copy("recursive/common.yaml", "a/recursive/common.yaml");
    let moved = copy("recursive.yaml", "b/recursive.yaml");
    copy("recursive/common.yaml", "b/recursive/common.yaml");
    let crates = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(cache.path().join("crates"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    let run = |spec: &Path| {
        let mut cmd = mcpgen::command(&["run", &spec.to_string_lossy(), "--compile"]);
        cmd.env("MCPGEN_CACHE_DIR", cache.path()).env("CARGO", "false");
        let out = mcpgen_tests::process::run(&mut cmd, Duration::from_secs(60)).unwrap();
        assert!(out.stderr.contains("`cargo build` of"), "the run got as far as the build: {}", out.describe());
    };
    run(&spec);
    let first = crates();
    assert_eq!(first.len(), 1, "{first:?}");
    run(&spec);
    run(&moved);
    assert_eq!(crates(), first, "same content, same crate");

    let text = std::fs::read_to_string(&common).unwrap();
    std::fs::write(&common, format!("{text}\n# edited\n")).unwrap();
    run(&spec);
    assert_eq!(crates().len(), 2, "a referenced file changed: {:?}", crates());

    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, format!("{text}\n# edited\n")).unwrap();
    run(&spec);
    assert_eq!(crates().len(), 3, "the description changed: {:?}", crates());
    run(&moved);
    assert_eq!(crates().len(), 3, "the untouched copy still finds its crate: {:?}", crates());
}

/// A tool-schema manifest is generated into the cache as a manifest crate and built,
/// every tool listed as the manifest writes it, and a tool nobody wrote yet says so.
#[test]
fn runs_a_tool_schema_manifest() {
    let _builds = one_build_at_a_time();
    let manifest = fixture("manifests/notes.json");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let written = written["tools"].as_array().expect("notes.json has tools");
    let first = written[0]["name"].as_str().unwrap();
    // The first tool's required arguments, each a string.
    let mut arguments = serde_json::Map::new();
    for name in written[0]["inputSchema"]["required"].as_array().unwrap() {
        assert_eq!(written[0]["inputSchema"]["properties"][name.as_str().unwrap()]["type"], "string");
        arguments.insert(name.as_str().unwrap().into(), json!("x"));
    }
    // Built before the client starts it, so the client's clock never runs during the build.
    let built = mcpgen::run(&["install", "mcp-json", &manifest, "--print"]);
    assert!(built.status.success(), "{}", built.describe());
    let endpoint = Endpoint::Stdio(mcpgen::server(&["run", &manifest]));
    let calls = [list_tools(), call_tool(first, json!({})), call_tool(first, Value::Object(arguments))];
    let s = run_client(&endpoint, Mode::Legacy, &calls);
    let names: Vec<&str> = written.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tool_names(&s), names);
    assert_eq!(s.result(0)["tools"][0]["inputSchema"], written[0]["inputSchema"], "the manifest's own schema");
    // Arguments are checked first; valid ones reach the handler nobody has written yet.
    assert_eq!(s.result(1)["isError"], true, "{}", s.result(1));
    let r = s.result(2);
    assert_eq!(r["isError"], true, "{r}");
    let said = r["content"][0]["text"].as_str().unwrap_or_default();
    assert!(said.contains(&format!("`{first}` is not implemented yet")) && said.contains("src/handlers.rs"), "{said}");
}

/// A crate generated by `mcpgen generate` records its description in mcpgen.toml, so `--mock`
/// works on the crate directory too: the mock serves the recorded description.
#[test]
fn mock_serves_the_description_a_crates_mcpgen_toml_names() {
    let _builds = one_build_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("pets");
    let crate_arg = crate_dir.to_string_lossy().into_owned();
    let generated = mcpgen::run(&["generate", &fixture("petstore.yaml"), "-o", &crate_arg]);
    assert!(generated.status.success(), "{}", generated.describe());

    let (port, mock_port) = (ports::free_port(), ports::free_port());
    let (port_arg, mock_port_arg) = (port.to_string(), mock_port.to_string());
    let cmd = mcpgen::command(&[
        "run",
        &crate_arg,
        "--mock",
        "--mock-port",
        &mock_port_arg,
        "-t",
        "http",
        "--port",
        &port_arg,
    ]);
    let _server = Listening::start(cmd, port);
    let endpoint = Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/") };
    let s = run_client(&endpoint, Mode::Auto, &[call_tool("showPetById", json!({"petId": "9"}))]);
    assert_eq!(ok(&s, 0)["structuredContent"], json!({"name": "Rex", "id": 0}));
    let (status, body) = http::get(&format!("http://127.0.0.1:{mock_port}/__mcpgen/requests"));
    assert_eq!(status, 200, "{body}");
    let seen: Vec<Value> = serde_json::from_str(&body).expect("the record is JSON");
    assert_eq!(seen.len(), 1, "{body}");
    assert_eq!(seen[0]["path"], "/v1/pets/9");
}

/// With `--mock`, mcpgen stays alive beside the compiled server it started (it serves the mock). Killed
/// with a signal it cannot pass on (SIGKILL, what a client or a test does to a process that will
/// not stop), it still takes the server with it: nothing is left holding the port.
#[cfg(target_os = "linux")]
#[test]
fn killing_mcpgen_ends_the_server_it_started() {
    let _builds = one_build_at_a_time();
    let (mut server, port, _) = petstore_with_the_mock_over_http(&["--compile"]);
    server.process.child().kill().expect("SIGKILL reaches mcpgen");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server still listens on {port} 20 s after mcpgen was killed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `--toolchain` (what `fastmcp run --python` is to Python): the crate built with that installed
/// rustup toolchain. A missing one is refused before anything is built (in the failure cases
/// above), and never installed.
#[test]
fn builds_with_an_installed_toolchain() {
    let _builds = one_build_at_a_time();
    let active = std::process::Command::new("rustup").args(["show", "active-toolchain"]).output().expect("rustup runs");
    let active = String::from_utf8_lossy(&active.stdout);
    let toolchain = active.split_whitespace().next().expect("rustup names the active toolchain").to_string();
    let port = ports::free_port();
    let port_arg = port.to_string();
    let mut cmd = mcpgen::command(&["run", &hello_dir(), "--toolchain", &toolchain, "-t", "http", "-p", &port_arg]);
    cmd.env("CARGO_TARGET_DIR", workspace::target_dir());
    let _server = Listening::start(cmd, port);
    let endpoint = Endpoint::Url { transport: Transport::Http, url: format!("http://127.0.0.1:{port}/mcp/") };
    let s = run_client(&endpoint, Mode::Legacy, &[call_tool("hello", json!({"name": "Rust"}))]);
    assert_eq!(ok(&s, 0)["content"][0]["text"], "Hello, Rust!");
}

/// `run`'s description flags reach the in-process server: an overlay curates the tools, names
/// are cut to the limit, input schemas follow the profile.
#[test]
fn the_description_flags_shape_what_the_server_lists() {
    let spec = fixture("curated.yaml");
    let overlay = fixture("curated.overlay.yaml");
    let flags = ["--overlay", overlay.as_str(), "--max-tool-name-length", "16", "--schema-profile", "openai-strict"];
    let mut args = vec!["run", spec.as_str()];
    args.extend_from_slice(&flags);
    let s = run_client(&Endpoint::Stdio(mcpgen::server(&args)), Mode::Legacy, &[list_tools()]);
    let tools = s.result(0)["tools"].as_array().expect("tools").clone();
    let names = tool_names(&s);
    assert!(names.contains(&"loans".to_string()), "the overlay's name for GET /loans: {names:?}");
    assert!(!names.iter().any(|n| n == "debugDump"), "the overlay leaves it out: {names:?}");
    assert!(!names.iter().any(|n| n == "replace_book"), "hidden by the description: {names:?}");
    assert!(names.iter().all(|n| n.len() <= 16), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("lend")), "{names:?}");
    for tool in &tools {
        let schema = &tool["inputSchema"];
        assert_eq!(schema["additionalProperties"], false, "openai-strict: {tool}");
        let properties: Vec<&String> = schema["properties"].as_object().map(|p| p.keys().collect()).unwrap_or_default();
        let required: Vec<&str> =
            schema["required"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).collect();
        assert!(properties.iter().all(|p| required.contains(&p.as_str())), "every property required: {tool}");
    }
}
