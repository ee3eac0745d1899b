//! Specs built to hurt the generator: `$ref` cycles, a billion-laughs YAML, a 100,000-value
//! enum, 10,000 levels of nesting, names that collide after sanitizing, Rust keywords, and text
//! that would end a string or a comment. Each is generated in a child process (this test binary
//! again, running the ignored `child` test) so its time and peak memory (`VmHWM`) are its own
//! and a stack overflow would be a failed child, not a dead test run. Every case must finish
//! within its deadline and memory, with a crate whose Rust parses, or a clear error.
//!
//! The fixtures among them (`hostile.json`, `hostile-names.yaml`) are also golden crates, built
//! with clippy by `tests/compile.rs`.

mod common;

use common::{fixture, settings};
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "MCPGEN_HOSTILE_SPEC";
/// No hostile spec may keep the generator busier than this (debug build, shared machine).
const DEADLINE: Duration = Duration::from_secs(120);
/// Nor make it hold more memory than this at its peak.
const PEAK_LIMIT_KIB: u64 = 1024 * 1024;

/// What the child did with one spec.
#[derive(Debug)]
struct Report {
    /// `{"ok": true, "tools": n, "warnings": [...], "rust_bytes": n}` or `{"ok": false, "error": "..."}`.
    outcome: Value,
    /// Wall time of the generation alone.
    generate_ms: u64,
    /// The child's peak resident memory.
    peak_rss_kib: u64,
}

/// Generates from `spec` in a child process, which writes nothing: it reports the outcome, its
/// time and its peak memory.
#[test]
#[ignore = "run by the other tests of this file in a child process"]
fn child() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let started = Instant::now();
    let outcome = match mcpgen::generate(&mcpgen::Settings::new(&path).name("hostile")) {
        Ok(g) => {
            let mut rust_bytes = 0;
            for f in g.files.iter().filter(|f| f.path.ends_with(".rs")) {
                syn::parse_file(&f.contents).unwrap_or_else(|e| panic!("{} does not parse: {e}", f.path));
                rust_bytes += f.contents.len();
            }
            let warnings: Vec<String> = g.warnings.iter().map(|w| w.to_string()).collect();
            json!({"ok": true, "tools": g.tools.len(), "warnings": warnings, "rust_bytes": rust_bytes})
        }
        Err(mcpgen::Error::NoTools { operations, warnings, .. }) => {
            let warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
            json!({"ok": false, "error": format!("no tools from {operations} operations"), "warnings": warnings})
        }
        Err(e) => json!({"ok": false, "error": e.to_string()}),
    };
    let generate_ms = started.elapsed().as_millis() as u64;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    println!("HOSTILE-REPORT {}", json!({"outcome": outcome, "generate_ms": generate_ms, "peak_rss_kib": peak}));
}

/// Runs the `child` test on `spec`, kills it at the deadline, and checks its memory.
fn generate_in_child(case: &str, spec: &Path) -> Report {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--ignored", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{case}: generation did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("HOSTILE-REPORT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("{case}: the child died ({status}) without a report:\n{stdout}\n{}", tail(&stderr)));
    let v: Value = serde_json::from_str(line).unwrap();
    let report = Report {
        outcome: v["outcome"].clone(),
        generate_ms: v["generate_ms"].as_u64().unwrap(),
        peak_rss_kib: v["peak_rss_kib"].as_u64().unwrap(),
    };
    assert!(report.peak_rss_kib > 0, "{case}: no VmHWM in /proc/self/status");
    assert!(
        report.peak_rss_kib < PEAK_LIMIT_KIB,
        "{case}: peak memory {} KiB is over {PEAK_LIMIT_KIB} KiB",
        report.peak_rss_kib
    );
    let what = if report.outcome["ok"] == true {
        format!("{} tools, {} bytes of Rust", report.outcome["tools"], report.outcome["rust_bytes"])
    } else {
        format!("refused: {:.160}", report.outcome["error"].as_str().unwrap_or_default())
    };
    eprintln!(
        "FIGURE hostile_specs {case}: {} ms, peak RSS {:.1} MiB; {what}",
        report.generate_ms,
        report.peak_rss_kib as f64 / 1024.0
    );
    report
}

fn tail(s: &str) -> &str {
    &s[s.len().saturating_sub(3000)..]
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn warnings(r: &Report) -> Vec<String> {
    r.outcome["warnings"].as_array().into_iter().flatten().map(|w| w.as_str().unwrap_or_default().to_string()).collect()
}

/// A minimal OpenAPI 3.0 document with `paths` and `schemas` (YAML text) spliced in.
fn openapi(paths: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo:\n  title: hostile\n  version: '1'\nservers:\n  - url: http://127.0.0.1:9\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}"
    )
}

#[test]
fn the_baseline_for_these_figures_is_the_petstore() {
    let r = generate_in_child("baseline petstore.yaml", &fixture("petstore.yaml"));
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
}

#[test]
fn ref_cycles_of_every_shape_end_and_the_names_stay_apart() {
    let r = generate_in_child("ref cycles and colliding names (hostile-names.yaml)", &fixture("hostile-names.yaml"));
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
    // The alias loop (`AliasLoop1` -> `AliasLoop2` -> `AliasLoop1`) is the one operation that
    // cannot become a tool, and the warning says where and why.
    let w = warnings(&r);
    assert!(
        w.iter().any(|w| w.contains("paths./pets.v2.put") && w.contains("$ref loop")),
        "no warning names the alias loop: {w:?}"
    );
    assert_eq!(r.outcome["tools"], 6, "{w:?}");

    // The same fixture in-process: the names, and the environment variables.
    let g = mcpgen::generate(&settings("hostile-names", "hostile-names.yaml")).unwrap();
    let names: Vec<&str> = g.tools.iter().map(|t| t.name.as_str()).collect();
    for name in ["get-pets", "get_pets", "fn", "self", "Self"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let renamed = names.iter().filter(|n| n.starts_with("get_pets_")).count();
    assert_eq!(renamed, 1, "`get.pets` keeps its own name apart from `get_pets`: {names:?}");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "tool names are unique: {names:?}");
    let code = &g.files.iter().find(|f| f.path == "src/generated/mod.rs").unwrap().contents;
    // `api-key` and `api_key` both sanitize to API_KEY, and `base url` to the base URL's own
    // variable: each scheme still gets a variable of its own.
    for var in ["\"HOSTILE_NAMES_API_KEY\"", "\"HOSTILE_NAMES_API_KEY_2\"", "\"HOSTILE_NAMES_BASE_URL_2\""] {
        assert_eq!(code.matches(var).count(), 1, "{var} in:\n{code}");
    }
    assert_eq!(
        code.matches("\"HOSTILE_NAMES_BASE_URL\"").count(),
        1,
        "only base_url_env reads the base URL's variable"
    );
}

#[test]
fn a_cycle_across_files_is_bundled_once() {
    let g = mcpgen::generate(&settings("hostile-names", "hostile-names.yaml")).unwrap();
    let inputs: Vec<String> = g.inputs.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert!(inputs[1].ends_with("other.yaml"), "{inputs:?}");
    let fn_tool = g.tools.iter().find(|t| t.name == "fn").unwrap();
    let out = serde_json::to_string(&fn_tool.output_schema.as_deref()).unwrap();
    assert!(out.contains("back") && out.contains("\"me\""), "the remote schema reached the tool: {out}");
}

#[test]
fn a_billion_laughs_yaml_is_refused_quickly_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    // Ten levels of nine aliases each: 9^10 (3.5 billion) strings if expanded.
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: lol, version: '1'}\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..=10 {
        let p = format!("*l{}", i - 1);
        text.push_str(&format!("lol{i}: &l{i} [{p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}]\n"));
    }
    text.push_str("paths: {}\n");
    let r = generate_in_child("billion laughs (9^10 aliases)", &write(dir.path(), "lol.yaml", &text));
    assert_eq!(r.outcome["ok"], false, "{:?}", r.outcome);
    let error = r.outcome["error"].as_str().unwrap();
    assert!(error.starts_with("lol.yaml: invalid YAML") && error.contains("aliases"), "{error}");
    assert!(r.peak_rss_kib < 256 * 1024, "{} KiB", r.peak_rss_kib);

    // Aliases under the limit still expand: a document that merely reuses anchors loads.
    let fine = "openapi: 3.0.3\ninfo: {title: ok, version: '1'}\nservers: [{url: 'http://127.0.0.1:9'}]\nx-shared: &s {type: string}\npaths:\n  /a:\n    get:\n      parameters:\n        - {name: q, in: query, schema: *s}\n        - {name: r, in: query, schema: *s}\n      responses: {'200': {description: ok}}\n";
    let r = generate_in_child("anchors reused (under the limit)", &write(dir.path(), "fine.yaml", fine));
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
}

#[test]
fn an_enum_of_100k_values_generates_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "enums", "version": "1"},
        "servers": [{"url": "http://127.0.0.1:9"}],
        "paths": {"/a": {"get": {
            "operationId": "pick",
            "parameters": [{"name": "which", "in": "query", "schema": {"$ref": "#/components/schemas/Huge"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Huge"}}}}}
        }}},
        "components": {"schemas": {"Huge": {"type": "string", "enum": values}}}
    });
    let path = write(dir.path(), "enums.json", &doc.to_string());
    let r = generate_in_child("100,000-value enum", &path);
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
    let g = mcpgen::generate(&mcpgen::Settings::new(&path)).unwrap();
    let code = &g.files.iter().find(|f| f.path == "src/generated/mod.rs").unwrap().contents;
    assert!(code.contains("\"v99999\""), "every value reaches the schema");
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused_or_generated_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 10_000;

    // Written nesting, JSON and YAML: the parsers' recursion limits give a clear error.
    let mut schema = String::from("{\"type\":\"string\"}");
    for _ in 0..depth {
        schema = format!("{{\"type\":\"object\",\"properties\":{{\"x\":{schema}}}}}");
    }
    let json_doc = format!(
        "{{\"openapi\":\"3.1.0\",\"info\":{{\"title\":\"deep\",\"version\":\"1\"}},\"paths\":{{\"/a\":{{\"post\":{{\"requestBody\":{{\"content\":{{\"application/json\":{{\"schema\":{schema}}}}}}},\"responses\":{{\"200\":{{\"description\":\"ok\"}}}}}}}}}}}}"
    );
    let r = generate_in_child("10,000 levels of JSON", &write(dir.path(), "deep.json", &json_doc));
    assert_eq!(r.outcome["ok"], false, "{:?}", r.outcome);
    assert!(r.outcome["error"].as_str().unwrap().contains("recursion limit"), "{:?}", r.outcome);

    let yaml_doc = format!(
        "openapi: 3.1.0\ninfo: {{title: deep, version: '1'}}\npaths: {{}}\nx-deep: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let r = generate_in_child("10,000 levels of YAML", &write(dir.path(), "deep.yaml", &yaml_doc));
    assert_eq!(r.outcome["ok"], false, "{:?}", r.outcome);
    assert!(r.outcome["error"].as_str().unwrap().starts_with("deep.yaml:4:"), "{:?}", r.outcome);
    // The YAML parser's time grows with the square of the flow depth (this took 15 minutes):
    // the loader refuses such nesting before parsing.
    let yaml_doc = format!(
        "openapi: 3.1.0\ninfo: {{title: deep, version: '1'}}\npaths: {{}}\nx-deep: {}{}\n",
        "[".repeat(10 * depth),
        "]".repeat(10 * depth)
    );
    let r = generate_in_child("100,000 levels of YAML", &write(dir.path(), "deeper.yaml", &yaml_doc));
    assert_eq!(r.outcome["ok"], false, "{:?}", r.outcome);
    assert!(r.outcome["error"].as_str().unwrap().contains("nested more than 1000 levels"), "{:?}", r.outcome);

    // Nesting the parsers cannot see: a chain of 10,000 schemas, each a property of the last.
    let mut schemas = String::new();
    for i in 0..depth {
        schemas.push_str(&format!(
            "    S{i}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/S{}'}}\n",
            i + 1
        ));
    }
    schemas.push_str(&format!("    S{depth}:\n      type: string\n"));
    let paths = "  /chain:\n    post:\n      operationId: chain\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/S0'}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\n";
    let r = generate_in_child("a chain of 10,000 $refs", &write(dir.path(), "chain.yaml", &openapi(paths, &schemas)));
    // Each tool schema carries at most `MAX_DEFS` definitions; the rest of the chain is left out
    // with a `$comment`, so the output stays small however long the chain.
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
    assert!(r.outcome["rust_bytes"].as_u64().unwrap() < 100_000, "{:?}", r.outcome);
}

/// Spec text built to break out of a string, a comment, a TOML value or a Markdown table, with
/// a marker (`PWNED`) that must only ever appear inside literals.
const EVIL: &str = "PWNED \" \"# \"## */ /* // \\ \u{0} \u{7f} \u{202e} \u{2066} \r\n[dependencies]\nevil = \"1\"\n\"); fn evil() { PWNED() } (\"";

fn evil_spec() -> String {
    let evil = serde_json::to_string(EVIL).unwrap();
    format!(
        r#"{{"openapi": "3.0.3",
  "info": {{"title": {evil}, "version": {evil}, "description": {evil}}},
  "servers": [{{"url": "http://127.0.0.1:9/PWNED\"/*"}}],
  "components": {{"securitySchemes": {{"PWNED\"*/": {{"type": "apiKey", "in": "header", "name": "X-PWNED", "description": {evil}}}}}}},
  "security": [{{"PWNED\"*/": []}}],
  "paths": {{"/x/{{PWNED}}": {{"post": {{
    "operationId": {evil}, "summary": {evil}, "description": {evil}, "tags": [{evil}],
    "parameters": [
      {{"name": "PWNED", "in": "path", "required": true, "description": {evil}, "schema": {{"type": "string", "enum": [{evil}], "default": {evil}}}}},
      {{"name": {evil}, "in": "query", "schema": {{"type": "string", "example": {evil}, "pattern": "^PWNED[*/]*$"}}}},
      {{"name": {evil}, "in": "header", "schema": {{"type": "string"}}}},
      {{"name": {evil}, "in": "cookie", "schema": {{"type": "string"}}}},
      {{"name": "X-PWNED", "in": "header", "description": {evil}, "schema": {{"type": "string", "default": {evil}}}}},
      {{"name": "PWNED", "in": "cookie", "description": {evil}, "schema": {{"type": "string"}}}}
    ],
    "requestBody": {{"content": {{"application/json": {{"schema": {{"type": "object", "title": {evil},
      "properties": {{{evil}: {{"type": "string", "description": {evil}}}}}}}}}}}}},
    "responses": {{"200": {{"description": {evil}, "content": {{"application/json": {{"schema": {{"type": "object",
      "properties": {{{evil}: {{"type": "integer"}}}}}}}}}}}}}}
  }}}}}}
}}"#
    )
}

/// Identifiers in `code` (comments are not tokens; literals are not identifiers), and how many
/// literals carry the marker.
fn idents_and_marked_literals(code: &str) -> (Vec<String>, usize) {
    fn walk(tokens: proc_macro2::TokenStream, idents: &mut Vec<String>, marked: &mut usize) {
        for t in tokens {
            match t {
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), idents, marked),
                proc_macro2::TokenTree::Ident(i) => idents.push(i.to_string()),
                proc_macro2::TokenTree::Literal(l) => *marked += l.to_string().contains("PWNED") as usize,
                proc_macro2::TokenTree::Punct(_) => {}
            }
        }
    }
    let tokens: proc_macro2::TokenStream = code.parse().unwrap_or_else(|e| panic!("does not lex: {e:?}"));
    let (mut idents, mut marked) = (Vec::new(), 0);
    walk(tokens, &mut idents, &mut marked);
    (idents, marked)
}

#[test]
fn spec_text_reaches_generated_files_only_as_literals() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "evil.json", &evil_spec());
    let r = generate_in_child("injection through every text field", &spec);
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
    // Names no HTTP request could carry are left out, and the warning says which and where.
    let w = warnings(&r);
    assert!(w.iter().any(|w| w.contains(".parameters[2]") && w.contains("not a valid HTTP header name")), "{w:?}");
    assert!(w.iter().any(|w| w.contains(".parameters[3]") && w.contains("not a valid cookie name")), "{w:?}");

    let g = mcpgen::generate(&mcpgen::Settings::new(&spec)).unwrap();
    let mut marked = 0;
    for f in g.files.iter().filter(|f| f.path.ends_with(".rs")) {
        assert!(f.contents.is_ascii(), "{}: non-ASCII (a bidi override?) in generated Rust", f.path);
        let (idents, n) = idents_and_marked_literals(&f.contents);
        let injected: Vec<&String> = idents.iter().filter(|i| i.contains("PWNED") || *i == "evil").collect();
        assert!(injected.is_empty(), "{}: spec text became code: {injected:?}\n{}", f.path, f.contents);
        marked += n;
    }
    assert!(marked >= 5, "the marker must reach the code as literals ({marked}), or this test proves nothing");

    // Cargo reads the manifest as the generator meant it: one dependency, the description whole.
    let crate_dir = dir.path().join("evil-crate");
    g.write(&crate_dir).unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "Cargo.toml does not parse:\n{}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let package = &meta["packages"][0];
    let deps: Vec<&str> =
        package["dependencies"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(deps, ["mcpgen-runtime"], "the spec added a dependency");
    assert!(package["description"].as_str().unwrap().contains("PWNED"), "{}", package["description"]);
}

#[test]
fn refs_to_devices_and_pipes_are_broken_refs_not_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let schema = |r: &str| format!("{{$ref: '{r}#/Thing'}}");
    let paths = format!(
        "  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {}\n  /b:\n    get:\n      operationId: b\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {}\n  /c:\n    get:\n      operationId: c\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {}\n",
        schema("/dev/zero"),
        schema("/dev/stdin"),
        schema(&fifo.display().to_string())
    );
    let spec = write(dir.path(), "devices.yaml", &openapi(&paths, "    Unused: {type: string}\n"));
    let r = generate_in_child("$refs to /dev/zero, /dev/stdin and a FIFO", &spec);
    let w = warnings(&r);
    assert_eq!(r.outcome["ok"], true, "{:?}", r.outcome);
    // Devices lie outside the description's directory; the FIFO beside it is not a regular file.
    for (op, target, why) in [
        ("paths./a", "/dev/zero", "is outside"),
        ("paths./b", "/dev/stdin", "is outside"),
        ("paths./c", "pipe.yaml", "is not a regular file"),
    ] {
        assert!(
            w.iter().any(|w| w.contains(op) && w.contains(target) && w.contains(why)),
            "no warning for {op} -> {target}: {w:?}"
        );
    }
}

/// A description must not read other files on the machine: a `$ref` out of its directory (here
/// to a "secret" beside it) is refused, and its text reaches nothing generated, unless the user
/// widens the directory with `--ref-root` / `Settings::ref_root`.
#[test]
fn refs_outside_the_descriptions_directory_are_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("api")).unwrap();
    write(dir.path(), "secret.yaml", "Thing: {type: string, description: TOP-SECRET-TEXT}\n");
    let paths = "  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '../secret.yaml#/Thing'}\n";
    let spec = write(&dir.path().join("api"), "openapi.yaml", &openapi(paths, "    Unused: {type: string}\n"));

    let refused = mcpgen::generate(&mcpgen::Settings::new(&spec)).expect("the rest of the description is generated");
    let said: Vec<String> = refused.warnings.iter().map(ToString::to_string).collect();
    assert!(
        said.iter().any(|w| w.contains("secret.yaml") && w.contains("is outside") && w.contains("--ref-root")),
        "{said:?}"
    );
    assert!(refused.files.iter().all(|f| !f.contents.contains("TOP-SECRET-TEXT")), "the file's text leaked");
    assert!(!refused.inputs.iter().any(|p| p.ends_with("secret.yaml")), "the file was read: {:?}", refused.inputs);

    let allowed = mcpgen::generate(&mcpgen::Settings::new(&spec).ref_root(dir.path())).unwrap();
    assert!(allowed.warnings.iter().all(|w| !w.to_string().contains("secret.yaml")), "{:?}", allowed.warnings);
    assert!(allowed.files.iter().any(|f| f.contents.contains("TOP-SECRET-TEXT")), "allowed, the schema is used");
}
