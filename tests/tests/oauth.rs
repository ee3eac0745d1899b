//! The server as an OAuth 2.1 resource server, with a real authorization server and a real
//! client: `oidc-provider` on loopback (tests/oidc/server.mjs) issues ES256 JWT access tokens for
//! the fixture server's URL, and the Python `mcp` client's own OAuth support meets the 401,
//! discovers the metadata, registers, runs the authorization code flow with PKCE (the login and
//! consent pages answered by the test driver), and lists and calls tools in both protocol
//! generations; its token expires and it refreshes. Then, with tokens the test asks for itself:
//! another audience is 401, a token without a tool's scope neither lists nor calls it (403 naming
//! the scope), an expired token is 401, and after the issuer rotates its key new tokens work.

use mcpgen_tests::oidc::AuthorizationServer;
use mcpgen_tests::{RunningServer, ServerCommand, Transport, http, ports, process, python};
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};

const FIRST_KEY: &str = include_str!("../../runtime/tests/fixtures/oauth/ec-first.pem");
const SECOND_KEY: &str = include_str!("../../runtime/tests/fixtures/oauth/ec-second.pem");
/// Access tokens live this long, so the client's refresh shows within the test.
const ACCESS_TTL: u64 = 4;

/// The fixture server behind OAuth, on a port chosen first: its URL is its resource identifier.
fn protected_server(issuer: &str, resource: &str, port: u16) -> RunningServer {
    let command = ServerCommand::new(env!("CARGO_BIN_EXE_fixture_server"))
        .env("MCP_OAUTH_ISSUER", issuer)
        .env("MCP_OAUTH_RESOURCE", resource)
        .env("MCP_OAUTH_SCOPES", "mcp:tools")
        .env("MCP_OAUTH_LEEWAY", "0")
        // Stateless, so the test's own requests need no session (sessions: runtime/tests/http_oauth.rs).
        .env("MCP_STATELESS", "true");
    RunningServer::start_on(&command, Transport::Http, port)
}

fn oauth_client(url: &str, mode: &str, steps: &Value, wait: f64) -> Value {
    let mut cmd = Command::new(python::venv_python());
    cmd.arg(mcpgen_tests::workspace::tests_crate().join("clients/oauth_client.py"))
        .args(["--url", url, "--mode", mode, "--steps", &steps.to_string()])
        .args(["--wait-after-first", &wait.to_string()]);
    let out = process::run(&mut cmd, mcpgen_tests::CLIENT_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "the Python OAuth client failed: {}", out.describe());
    serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("no JSON report ({e}): {}", out.describe()))
}

fn list(url: &str, token: &str) -> http::Response {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#;
    rpc(url, token, body)
}

fn rpc(url: &str, token: &str, body: &str) -> http::Response {
    let bearer = format!("Bearer {token}");
    let headers = [
        ("Accept", "application/json, text/event-stream"),
        ("Content-Type", "application/json"),
        ("MCP-Protocol-Version", "2025-11-25"),
        ("Authorization", bearer.as_str()),
    ];
    http::request("POST", url, &headers, body)
}

#[test]
fn a_real_client_and_authorization_server_get_through_and_only_as_far_as_their_token_allows() {
    let (as_port, mcp_port) = (ports::free_port(), ports::free_port());
    let url = format!("http://127.0.0.1:{mcp_port}/mcp/");
    let resource = url.trim_end_matches('/').to_string();
    let mut issuer = AuthorizationServer::start(as_port, &resource, &[("first", FIRST_KEY)], ACCESS_TTL);
    let mut server = protected_server(&issuer.issuer, &resource, mcp_port);

    // The whole flow, in both generations; the second waits out the access token.
    let steps = json!([{"call": "whoami"}, {"call": "whoami"}]);
    for (mode, wait) in [("legacy", ACCESS_TTL as f64 + 2.0), ("auto", 0.0)] {
        let report = oauth_client(&url, mode, &steps, wait);
        assert_eq!(report["interactionPages"], 2, "{mode}: signed in and consented: {report}");
        assert_eq!(report["tools"], json!(["admin_report", "config", "slow", "stats", "whoami"]), "{mode}: {report}");
        let me = &report["results"][0]["structured"];
        assert_eq!(me["subject"], "alice", "{mode}: {report}");
        assert!(me["scopes"].as_array().unwrap().contains(&json!("mcp:tools")), "{mode}: {report}");
        assert_eq!(report["results"][1]["structured"]["subject"], "alice", "{mode}: {report}");
        if wait > 0.0 {
            let tokens = report["accessTokens"].as_array().unwrap();
            assert!(tokens.len() >= 2 && report["refreshToken"] == true, "{mode}: refreshed after expiry: {report}");
            // The first token, expired now, is refused as such.
            let expired = list(&url, tokens[0].as_str().unwrap());
            assert_eq!(expired.status, 401, "{}", expired.body);
            let challenge = expired.header("www-authenticate").unwrap();
            assert!(challenge.contains("error=\"invalid_token\"") && challenge.contains("expired"), "{challenge}");
            assert!(challenge.contains("resource_metadata=\""), "{challenge}");
        }
    }

    // A token for another resource is not for this server.
    let elsewhere = issuer.service_token("mcp:tools", "http://127.0.0.1:1/other").expect("a token");
    let refused = list(&url, &elsewhere);
    assert_eq!(refused.status, 401);
    assert!(refused.header("www-authenticate").unwrap().contains("another resource"), "{:?}", refused.headers);

    // Without `admin`, the admin tool is neither listed nor callable.
    let limited = issuer.service_token("mcp:tools", &resource).expect("a token");
    let listed = list(&url, &limited);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(!listed.body.contains("admin_report") && listed.body.contains("whoami"), "{}", listed.body);
    let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"admin_report","arguments":{}}}"#;
    let denied = rpc(&url, &limited, call);
    assert_eq!(denied.status, 403, "{}", denied.body);
    let challenge = denied.header("www-authenticate").unwrap();
    assert!(challenge.contains("insufficient_scope") && challenge.contains("scope=\"admin\""), "{challenge}");
    let admin = issuer.service_token("mcp:tools admin", &resource).expect("a token");
    let allowed = rpc(&url, &admin, call);
    assert!(allowed.body.contains("the admin report"), "{}", allowed.body);

    // The issuer rotates: a new signing key, the old one still published. New tokens carry the
    // new key's id; the server fetches the key set again (at most every 5 s) and accepts them.
    drop(issuer);
    issuer = AuthorizationServer::start(as_port, &resource, &[("second", SECOND_KEY), ("first", FIRST_KEY)], 600);
    let rotated = issuer.service_token("mcp:tools", &resource).expect("a token");
    let header = rotated.split('.').next().unwrap();
    assert!(String::from_utf8_lossy(&base64_url(header)).contains("\"kid\":\"second\""), "signed with the new key");
    let deadline = Instant::now() + Duration::from_secs(15);
    let accepted = loop {
        let response = list(&url, &rotated);
        if response.status == 200 || Instant::now() > deadline {
            break response;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(list(&url, &admin).status, 200, "a token signed with the old key still works");
    let stderr = server.stop();
    assert!(!stderr.contains(&rotated) && !stderr.contains(&admin), "tokens are never logged");
}

/// The JWT part's bytes (base64url without padding).
fn base64_url(part: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url")
}
