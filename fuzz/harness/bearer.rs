//! Hostile bearer tokens against the HTTP transports' authentication: the fuzzer's bytes are the
//! `Authorization` header of a `tools/list` POST to an app that accepts a static token and OAuth
//! access tokens signed by the key in `runtime/tests/fixtures/oauth/ec-first.jwks.json` (given
//! as a fixed key set: nothing is fetched). Malformed JWTs, `alg: none`, HMAC "signed" with the
//! public key, huge headers, unknown keys: whatever the input, no panic, and the answer is 401 or
//! 400 with a `WWW-Authenticate` challenge that never repeats the token. Only the static token
//! itself gets in (a fuzzer cannot sign ES256).

use mcpgen_runtime::auth::oauth::OAuthConfig;
use mcpgen_runtime::axum::body::Body;
use mcpgen_runtime::axum::http::{HeaderValue, Request};
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{RunOptions, Server, StaticTokens, Tool, Transport};
use tower::ServiceExt;

/// The one token that gets in.
pub const STATIC_TOKEN: &str = "fuzz-static-token-0123456789";
const JWKS: &str = include_str!("../../runtime/tests/fixtures/oauth/ec-first.jwks.json");
/// Longest header value tried (hyper's own limit on a whole head is larger).
const MAX_HEADER: usize = 64 * 1024;

pub fn run_bearer(data: &[u8]) {
    if data.len() > MAX_HEADER {
        return;
    }
    let Ok(value) = HeaderValue::from_bytes(data) else { return };
    let mut oauth = OAuthConfig::new("https://issuer.example", "http://127.0.0.1:8000/mcp");
    oauth.jwks = Some(JWKS.to_string());
    oauth.required_scopes = vec!["mcp".into()];
    let options = RunOptions {
        transport: Transport::Http,
        stateless: true,
        auth_tokens: Some(StaticTokens::new([STATIC_TOKEN], "fuzz").unwrap()),
        oauth: Some(oauth),
        ..RunOptions::http()
    };
    let tool = Tool::new("t", json!({"type": "object"})).requires_scope("admin").handler(|_, _| async { Ok("t") });
    let app = Server::new("fuzz", "1").tool(tool).http_app(&options).expect("the app builds");
    let router = app.into_router();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#;
    let request = Request::post("/mcp")
        .header("Host", "127.0.0.1")
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-11-25")
        .header("Authorization", value)
        .body(Body::from(body))
        .unwrap();
    let response = super::runtime().block_on(router.oneshot(request)).unwrap();
    let status = response.status().as_u16();
    let presented = String::from_utf8_lossy(data);
    let token = presented.get(7..).unwrap_or_default().trim();
    if token == STATIC_TOKEN && presented[..7].eq_ignore_ascii_case("bearer ") {
        assert_eq!(status, 200, "the static token gets in");
        return;
    }
    assert!(matches!(status, 400 | 401), "status {status} for {presented:?}");
    let challenge = response.headers().get("www-authenticate").expect("a challenge").to_str().unwrap().to_string();
    if token.len() >= 16 {
        assert!(!challenge.contains(token), "the challenge repeats the token: {challenge}");
    }
}
