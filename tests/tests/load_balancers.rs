//! Replicas of `examples/everything` behind real load balancers, running the configurations
//! shipped in `deploy/` (issue 21, "Behind real load balancers, tested"):
//!
//! - nginx round-robin over three `--stateless` replicas sharing one `MCP_STATE_KEY`: clients of
//!   both generations get every call served wherever it lands, and the rounds of a multi-round
//!   input-required call land on different replicas; with a key per replica the second round is
//!   refused with the documented error.
//! - HAProxy pinning legacy sessions by `Mcp-Session-Id`: every request of a session (POSTs, the
//!   GET stream, the DELETE) reaches the replica that created it, which alone knows the session;
//!   when that replica is gone the session answers 404 and the Python client starts a new one.
//! - A rolling restart (SIGTERM, drain, start again, one replica at a time) under continuous
//!   calls, through nginx and through HAProxy (its `/readyz` checks): no call fails. A replica killed with SIGKILL: the calls in flight on it
//!   are counted, and at most those are lost.
//!
//! Which replica served what is read from the balancers' own logs (nginx's `$upstream_addr`,
//! HAProxy's server name) and from each replica's debug log (one line per request).

use mcpgen_tests::balancers::{Haproxy, Nginx, Replica};
use mcpgen_tests::process::{self, KillOnDrop};
use mcpgen_tests::{cargo, http, python};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "load-balancer-test-key-0123456789abcdef";
/// How long a replica may take to drain after SIGTERM.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

fn everything() -> PathBuf {
    cargo::binary("everything", "everything")
}

/// Three replicas of `everything` with `args`, the i-th with the i-th of `keys`.
fn replicas(dir: &Path, args: &[&str], keys: [&str; 3]) -> Vec<Replica> {
    let program = everything();
    (0..3)
        .map(|i| Replica::start(&format!("replica{}", i + 1), &program, args, &[("MCP_STATE_KEY", keys[i])], dir))
        .collect()
}

fn addrs(replicas: &[Replica]) -> Vec<String> {
    replicas.iter().map(Replica::addr).collect()
}

/// `tests/clients/lb_client.py` with `args`, made ready to run.
fn lb_client(url: &str, mode: python::Mode, args: &[&str]) -> Command {
    let mut cmd = Command::new(python::venv_python());
    mcpgen_tests::endpoint::without_mcp_env(&mut cmd);
    cmd.arg(mcpgen_tests::workspace::tests_crate().join("clients/lb_client.py"));
    cmd.args(["--url", url, "--mode", mode.as_str()]).args(args);
    cmd
}

/// Runs the client to completion and returns its report.
fn run_client(url: &str, mode: python::Mode, args: &[&str]) -> Value {
    let out =
        process::run(&mut lb_client(url, mode, args), mcpgen_tests::CLIENT_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "the Python client failed: {}", out.describe());
    serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("no JSON report ({e}): {}", out.describe()))
}

/// A client running in the background while the test acts on the replicas.
struct Background {
    process: KillOnDrop,
    stdout: std::sync::mpsc::Receiver<String>,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Background {
    fn spawn(mut cmd: Command) -> Background {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the Python client starts");
        let stdout = process::read_to_end(child.stdout.take().unwrap());
        let stderr = process::read_to_end(child.stderr.take().unwrap());
        Background { process: KillOnDrop::new(child), stdout, stderr }
    }

    /// Waits for the report (at most `timeout`).
    fn report(mut self, timeout: Duration) -> Value {
        let status = self.process.wait_timeout(timeout);
        let collect =
            |rx: &std::sync::mpsc::Receiver<String>| rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
        let (stdout, stderr) = (collect(&self.stdout), collect(&self.stderr));
        assert!(status.is_some_and(|s| s.success()), "the Python client failed ({status:?}):\n{stdout}\n{stderr}");
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("no JSON report ({e}):\n{stdout}\n{stderr}"))
    }
}

/// Waits until `path` exists (or holds a number at least `at_least`), at most `timeout`.
fn wait_for(path: &Path, at_least: u64, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let text = std::fs::read_to_string(path).ok();
        if text.is_some_and(|s| at_least == 0 || s.trim().parse::<u64>().is_ok_and(|n| n >= at_least)) {
            return;
        }
        assert!(Instant::now() < deadline, "{} did not reach {at_least} within {timeout:?}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn served_per_replica(replicas: &[Replica]) -> BTreeMap<String, usize> {
    replicas.iter().map(|r| (r.name.clone(), r.requests_served())).collect()
}

fn texts(report: &Value) -> Vec<String> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["text"].as_str().unwrap_or_else(|| panic!("a call failed: {r}\n{report}")).to_string())
        .collect()
}

#[test]
fn nginx_round_robin_serves_stateless_clients_of_both_generations_on_every_replica() {
    let dir = tempfile::tempdir().unwrap();
    let replicas = replicas(dir.path(), &["--stateless"], [KEY; 3]);
    let nginx = Nginx::start(&dir.path().join("nginx"), &addrs(&replicas));
    let url = nginx.url("/mcp");

    let modern = run_client(&url, python::Mode::Auto, &["calls", "--tool", "test_simple_text", "--count", "9"]);
    assert_eq!(modern["protocolVersion"], "2026-07-28", "{modern}");
    let legacy = run_client(&url, python::Mode::Legacy, &["calls", "--tool", "test_simple_text", "--count", "9"]);
    assert_ne!(legacy["protocolVersion"], "2026-07-28", "{legacy}");
    for report in [&modern, &legacy] {
        let texts = texts(report);
        assert_eq!(texts.len(), 9);
        assert!(texts.iter().all(|t| t == "This is a simple text response for testing."), "{report}");
    }

    // Two questions in two rounds: three `tools/call`s, the state signed by one replica and
    // checked by the next.
    let multi = run_client(&url, python::Mode::Auto, &["multi-round"]);
    assert_eq!(multi["text"], "Ada likes teal", "{multi}");
    assert_eq!(multi["elicitations"].as_array().map(Vec::len), Some(2), "{multi}");

    let log = nginx.access_log();
    let calls: Vec<_> = log.iter().filter(|e| e.mcp_method == "tools/call").collect();
    let rounds: Vec<&str> =
        calls.iter().filter(|e| e.mcp_name == "test_input_required_result_multi_round").map(|e| e.upstream()).collect();
    assert_eq!(rounds.len(), 3, "three rounds: {log:#?}");
    assert!(rounds.iter().collect::<BTreeSet<_>>().len() > 1, "the rounds all landed on one replica: {rounds:?}");
    assert!(log.iter().all(|e| e.status == 200 || e.status == 202), "{log:#?}");

    let served = served_per_replica(&replicas);
    let through_nginx: BTreeMap<&str, usize> = log.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e.upstream()).or_default() += 1;
        m
    });
    eprintln!("requests per replica (replica logs): {served:?}; per upstream (nginx log): {through_nginx:?}");
    eprintln!("multi-round rounds on: {rounds:?}");
    assert!(served.values().all(|&n| n > 0), "a replica served nothing: {served:?}");
    assert_eq!(served.values().sum::<usize>(), log.len(), "every request nginx passed was served once");
}

#[test]
fn replicas_with_different_state_keys_refuse_each_others_request_state() {
    let dir = tempfile::tempdir().unwrap();
    let keys = [
        "replica-one-key-0123456789abcdef-0001",
        "replica-two-key-0123456789abcdef-0002",
        "replica-three-key-0123456789abcdef-03",
    ];
    let replicas = replicas(dir.path(), &["--stateless"], keys);
    let nginx = Nginx::start(&dir.path().join("nginx"), &addrs(&replicas));

    let multi = run_client(&nginx.url("/mcp"), python::Mode::Auto, &["multi-round"]);
    assert_eq!(multi["error"]["code"], -32602, "{multi}");
    let message = multi["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("issued by a replica with another state key") && message.contains("MCP_STATE_KEY"),
        "{multi}"
    );
    let rounds: Vec<_> = nginx
        .access_log()
        .into_iter()
        .filter(|e| e.mcp_name == "test_input_required_result_multi_round")
        .map(|e| e.upstream().to_string())
        .collect();
    assert_eq!(rounds.len(), 2, "the second round is refused: {rounds:?}");
    assert_ne!(rounds[0], rounds[1], "{rounds:?}");
}

/// A raw legacy session opened through `base` (HAProxy): its id.
fn open_session(url: &str) -> String {
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"lb-test","version":"0"}}}"#;
    let accept = ("Accept", "application/json, text/event-stream");
    let json = ("Content-Type", "application/json");
    let response = http::request("POST", url, &[accept, json], init);
    assert_eq!(response.status, 200, "{response:?}");
    let id = response.header("mcp-session-id").unwrap_or_else(|| panic!("no session id: {response:?}")).to_string();
    let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    let response = session_post(url, &id, initialized);
    assert_eq!(response.status, 202, "{response:?}");
    id
}

fn session_post(url: &str, session: &str, body: &str) -> http::Response {
    let headers = [
        ("Accept", "application/json, text/event-stream"),
        ("Content-Type", "application/json"),
        ("Mcp-Session-Id", session),
        ("MCP-Protocol-Version", "2025-06-18"),
    ];
    http::request("POST", url, &headers, body)
}

const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;

#[test]
fn haproxy_pins_legacy_sessions_to_their_replica_and_a_lost_replica_means_a_new_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = replicas(dir.path(), &[], [KEY; 3]);
    let haproxy = Haproxy::start(&addrs(&replicas));
    let url = haproxy.url("/mcp");
    let server_index = |name: &str| name.trim_start_matches("replica").parse::<usize>().unwrap() - 1;

    // Four sessions of the Python client, two calls each: initialize, its GET stream, the calls
    // and the DELETE at the end.
    let mut warnings = Vec::new();
    for _ in 0..4 {
        let report = run_client(&url, python::Mode::Legacy, &["calls", "--tool", "test_simple_text", "--count", "2"]);
        assert_eq!(texts(&report).len(), 2);
        warnings.push(report["warnings"].clone());
    }
    let mut sessions: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for entry in haproxy.requests().into_iter().filter(|e| e.session != "-") {
        sessions.entry(entry.session.clone()).or_default().push(entry);
    }
    assert_eq!(sessions.len(), 4, "{}", haproxy.log_text());
    let mut pinned_to = BTreeSet::new();
    let mut streams = 0;
    for (id, requests) in &sessions {
        let servers: BTreeSet<_> = requests.iter().map(|e| e.server.as_str()).collect();
        assert_eq!(servers.len(), 1, "session {id} reached several replicas: {requests:#?}");
        let methods: BTreeSet<_> = requests.iter().map(|e| e.method.as_str()).collect();
        // The client opens its GET stream in the background: a short session may end before it.
        assert!(
            methods.contains("POST") && methods.contains("DELETE"),
            "session {id}: {requests:#?}\nthe Python client's warnings, session by session: {warnings:?}\n\
             HAProxy's log:\n{}",
            haproxy.log_text()
        );
        streams += usize::from(methods.contains("GET"));
        assert!(requests.iter().all(|e| e.status < 300), "session {id}: {requests:#?}");
        let server = servers.into_iter().next().unwrap();
        // The replica's own log: it opened this session.
        assert!(replicas[server_index(server)].log().contains(&format!("session opened session={id}")), "{id}");
        pinned_to.insert(server.to_string());
    }
    eprintln!("four sessions pinned to {pinned_to:?}, {streams} with a GET stream");
    assert!(streams > 0, "no session opened its GET stream: {}", haproxy.log_text());
    assert!(pinned_to.len() > 1, "round-robin spreads new sessions: {pinned_to:?}");

    // A session opened through HAProxy is known to its replica alone.
    let id = open_session(&url);
    assert_eq!(session_post(&url, &id, TOOLS_LIST).status, 200);
    let owner = haproxy.requests().iter().rev().find(|e| e.session == id).map(|e| server_index(&e.server)).unwrap();
    for (i, replica) in replicas.iter().enumerate() {
        let status = session_post(&format!("http://{}/mcp", replica.addr()), &id, TOOLS_LIST).status;
        assert_eq!(
            status,
            if i == owner { 200 } else { 404 },
            "session {id} on {} (owner replica{})",
            replica.name,
            owner + 1
        );
    }
    // Its DELETE, through HAProxy, reaches the owner too.
    let deleted = http::request("DELETE", &url, &[("Mcp-Session-Id", id.as_str())], "");
    assert_eq!(deleted.status, 200, "{deleted:?}");
    let delete = haproxy
        .requests()
        .into_iter()
        .rev()
        .find(|e| e.session == id && e.method == "DELETE")
        .unwrap_or_else(|| panic!("HAProxy logged no DELETE: {}", haproxy.log_text()));
    assert_eq!(server_index(&delete.server), owner, "{delete:?}");

    // The replica of a live session goes away: the session's next request reaches another
    // replica, which answers 404; the client opens a new session and goes on.
    let ready = dir.path().join("ready");
    let go = dir.path().join("go");
    let (ready_s, go_s) = (ready.to_str().unwrap(), go.to_str().unwrap());
    let before = haproxy.requests().len();
    let client = Background::spawn(lb_client(
        &url,
        python::Mode::Legacy,
        &["session", "--tool", "test_simple_text", "--ready-file", ready_s, "--go-file", go_s],
    ));
    wait_for(&ready, 0, mcpgen_tests::CLIENT_TIMEOUT);
    let first =
        haproxy.requests()[before..].iter().find(|e| e.session != "-").cloned().expect("the session's requests");
    let owner = server_index(&first.server);
    replicas[owner].stop(DRAIN_TIMEOUT);
    std::fs::write(&go, "go").unwrap();
    let report = client.report(mcpgen_tests::CLIENT_TIMEOUT);
    assert!(report["first"]["text"].is_string(), "{report}");
    assert_eq!(report["second"]["error"]["code"], -32600, "the lost session is an error: {report}");
    assert!(report["reconnected"]["text"].is_string(), "a new session goes on: {report}");
    let after: Vec<_> = haproxy.requests()[before..].iter().filter(|e| e.session == first.session).cloned().collect();
    let lost = after.iter().find(|e| e.status == 404).unwrap_or_else(|| panic!("no 404: {after:#?}"));
    assert_ne!(server_index(&lost.server), owner, "{lost:?}");
    eprintln!("session {} lost with replica{}: {}", first.session, owner + 1, lost.line);
    eprintln!("the Python client saw: {}", report["second"]["error"]);
}

/// The tool the load calls: about 100 ms (two 50 ms sleeps), so calls are in flight when a
/// replica is stopped or killed.
const SLOW_TOOL: &str = "test_tool_with_progress";
const WORKERS: usize = 4;

fn start_load(url: &str, dir: &Path) -> (Background, PathBuf, PathBuf) {
    let (stop, progress) = (dir.join("stop"), dir.join("progress"));
    let load = Background::spawn(lb_client(
        url,
        python::Mode::Auto,
        &[
            "load",
            "--tool",
            SLOW_TOOL,
            "--workers",
            &WORKERS.to_string(),
            "--max-calls",
            "20000",
            "--max-seconds",
            "120",
            "--stop-file",
            stop.to_str().unwrap(),
            "--progress-file",
            progress.to_str().unwrap(),
        ],
    ));
    (load, stop, progress)
}

fn calls_so_far(progress: &Path) -> u64 {
    std::fs::read_to_string(progress).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0)
}

/// The balancers a rolling restart is run behind.
enum Balancer {
    Nginx(Nginx),
    Haproxy(Haproxy),
}

impl Balancer {
    fn url(&self) -> String {
        match self {
            Balancer::Nginx(b) => b.url("/mcp"),
            Balancer::Haproxy(b) => b.url("/mcp"),
        }
    }

    /// Its log lines of the requests it did not answer with 200: what a client's failed call
    /// met at the balancer (a 502, a 503 no replica took, ...).
    fn not_ok(&self) -> Vec<String> {
        match self {
            Balancer::Nginx(b) => b.access_log().into_iter().filter(|e| e.status != 200).map(|e| e.line).collect(),
            Balancer::Haproxy(b) => b.requests().into_iter().filter(|e| e.status != 200).map(|e| e.line).collect(),
        }
    }

    /// The requests it passed to a replica other than the first it tried.
    fn passed_on(&self) -> Vec<String> {
        match self {
            Balancer::Nginx(b) => {
                b.access_log().into_iter().filter(|e| e.upstreams.len() > 1).map(|e| e.line).collect()
            }
            Balancer::Haproxy(b) => {
                b.requests().into_iter().filter(|e| !e.line.contains(" retries=0 ")).map(|e| e.line).collect()
            }
        }
    }
}

/// Three stateless replicas behind `balancer`, restarted one at a time under continuous calls:
/// SIGTERM, drain, start again, and once the balancer sends it requests again, the next one.
/// The replicas run with the drain delay README.md's deployment section gives them: without it a
/// stopping replica closes its idle connections at once, and a call the balancer was sending on
/// one is lost (HAProxy then closes the client's connection unanswered, and the Python client
/// does not re-send a POST; about one run in fourteen lost a call).
fn rolling_restart(name: &str, balancer: impl FnOnce(&Path, &[String]) -> Balancer) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = replicas(dir.path(), &["--stateless", "--drain-delay", "2"], [KEY; 3]);
    let balancer = balancer(dir.path(), &addrs(&replicas));
    let (load, stop, progress) = start_load(&balancer.url(), dir.path());
    wait_for(&progress, 30, mcpgen_tests::CLIENT_TIMEOUT);
    let (mut during, mut drained) = (Vec::new(), Vec::new());
    for replica in replicas.iter_mut() {
        let before = calls_so_far(&progress);
        replica.stop(DRAIN_TIMEOUT);
        assert!(replica.log().contains("requests in flight may finish"), "{}", replica.log());
        drained.push(replica.requests_served_while_draining());
        // The load goes on with two replicas, then with the restarted one back.
        wait_for(&progress, before + 20, mcpgen_tests::CLIENT_TIMEOUT);
        replica.restart();
        // Back in the rotation (nginx leaves a replica that refused a connection out for
        // `fail_timeout`; HAProxy waits for a passed check) before the next one stops: a rolling
        // restart waits for that.
        let deadline = Instant::now() + mcpgen_tests::CLIENT_TIMEOUT;
        while replica.requests_served_since_start() < 5 {
            assert!(Instant::now() < deadline, "{name} sent the restarted {} nothing", replica.name);
            std::thread::sleep(Duration::from_millis(50));
        }
        during.push(calls_so_far(&progress) - before);
    }
    std::fs::write(&stop, "stop").unwrap();
    let report = load.report(mcpgen_tests::CLIENT_TIMEOUT);
    let ok = report["ok"].as_u64().unwrap();
    let served = served_per_replica(&replicas);
    let passed_on = balancer.passed_on();
    eprintln!(
        "rolling restart behind {name}: {ok} calls, {} failed, {:.1} s; calls around each restart {during:?}; \
         answered by a replica while it drained {drained:?}; requests per replica {served:?}; \
         passed on to another replica: {}\n{}",
        report["failed"].as_array().map_or(0, Vec::len),
        started.elapsed().as_secs_f64(),
        passed_on.len(),
        passed_on.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(
        report["failed"],
        serde_json::json!([]),
        "calls failed during the rolling restart: {report}\n{name}'s requests not answered 200:\n{}",
        balancer.not_ok().join("\n")
    );
    assert!(ok >= 150, "{report}");
    assert!(served.values().all(|&n| n > 0), "{served:?}");
}

#[test]
fn a_rolling_restart_behind_nginx_fails_no_call() {
    rolling_restart("nginx", |dir, addrs| Balancer::Nginx(Nginx::start(&dir.join("nginx"), addrs)));
}

#[test]
fn a_rolling_restart_behind_haproxy_fails_no_call() {
    rolling_restart("haproxy", |_, addrs| Balancer::Haproxy(Haproxy::start(addrs)));
}

#[test]
fn a_replica_killed_behind_nginx_loses_at_most_its_calls_in_flight() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = replicas(dir.path(), &["--stateless"], [KEY; 3]);
    let nginx = Nginx::start(&dir.path().join("nginx"), &addrs(&replicas));
    let (load, stop, progress) = start_load(&nginx.url("/mcp"), dir.path());
    wait_for(&progress, 40, mcpgen_tests::CLIENT_TIMEOUT);
    let killed = replicas[1].addr();
    replicas[1].kill();
    wait_for(&progress, calls_so_far(&progress) + 60, mcpgen_tests::CLIENT_TIMEOUT);
    std::fs::write(&stop, "stop").unwrap();
    let report = load.report(mcpgen_tests::CLIENT_TIMEOUT);
    let lost = report["failed"].as_array().unwrap().len();

    // nginx's error log says which requests the killed replica had taken and never answered
    // ("... while reading response header"), as opposed to the connections it refused after.
    let errors = nginx.error_log();
    let in_flight: Vec<_> = errors
        .lines()
        .filter(|l| l.contains("[error]") && l.contains(&killed) && !l.contains("connect() failed"))
        .collect();
    let resent = nginx
        .access_log()
        .into_iter()
        .filter(|e| e.upstreams.first().is_some_and(|u| *u == killed) && e.upstreams.len() > 1 && e.status == 200)
        .count();
    eprintln!(
        "SIGKILL: {} calls, {lost} lost, {} in flight on the killed replica, {resent} re-sent by nginx to another \
         replica ({:.1} s)\n{}",
        report["ok"],
        in_flight.len(),
        started.elapsed().as_secs_f64(),
        in_flight.join("\n")
    );
    assert!(lost <= in_flight.len(), "more calls lost than were in flight on the killed replica: {report}\n{errors}");
    assert!(in_flight.len() <= WORKERS, "at most one call per client connection is in flight: {errors}");
}
