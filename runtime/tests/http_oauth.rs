//! The server as an OAuth 2.1 resource server (`RunOptions::oauth`): protected resource metadata,
//! 401 challenges that point to it, JWT access tokens checked against an issuer's key set
//! (signature, issuer, audience, lifetime, algorithm), key rotation, opaque tokens introspected,
//! per-tool scopes (hidden from `tools/list`, 403 on `tools/call`), the caller's identity in the
//! handler, and legacy sessions bound to the caller. The issuer is played in process on
//! loopback, signing with the keys in `fixtures/oauth/`; the real authorization server
//! (`oidc-provider`) drives the end-to-end test in `tests/tests/oauth.rs`.

mod common;

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post as post_route};
use common::*;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcpgen_runtime::auth::oauth::{IntrospectionClient, OAuthConfig};
use mcpgen_runtime::axum;
use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{RunOptions, Server, Tool, ToolResult, Transport};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const RESOURCE: &str = "http://127.0.0.1:8000/mcp";
const FIRST: &[u8] = include_bytes!("fixtures/oauth/ec-first.pem");
const SECOND: &[u8] = include_bytes!("fixtures/oauth/ec-second.pem");
const RSA: &[u8] = include_bytes!("fixtures/oauth/rsa.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("fixtures/oauth/rsa-public.pem");

/// The authorization server the tests play: metadata, a key set that can be swapped, and an
/// introspection endpoint that knows one opaque token.
#[derive(Default)]
struct Issuer {
    keys: Mutex<Vec<Jwk>>,
    key_fetches: AtomicUsize,
    introspections: AtomicUsize,
}

async fn start_issuer(issuer: Arc<Issuer>) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let metadata = json!({"issuer": base, "jwks_uri": format!("{base}/jwks"),
                          "introspection_endpoint": format!("{base}/introspect")});
    let app = axum::Router::new()
        .route("/.well-known/oauth-authorization-server", get(move || async move { Json(metadata) }))
        .route(
            "/jwks",
            get(|State(issuer): State<Arc<Issuer>>| async move {
                issuer.key_fetches.fetch_add(1, Ordering::SeqCst);
                Json(JwkSet { keys: issuer.keys.lock().unwrap().clone() })
            }),
        )
        .route(
            "/introspect",
            post_route(|State(issuer): State<Arc<Issuer>>, headers: axum::http::HeaderMap, body: String| async move {
                issuer.introspections.fetch_add(1, Ordering::SeqCst);
                // Basic czpzZWNyZXQ= is `rs:secret`, the server's own client.
                assert_eq!(headers["authorization"], "Basic cnM6c2VjcmV0");
                if body.contains("token=opaque-good-token") {
                    Json(json!({"active": true, "aud": RESOURCE, "sub": "carol", "client_id": "cli",
                                "scope": "mcp admin", "exp": now() + 600}))
                } else {
                    Json(json!({"active": false}))
                }
            }),
        )
        .with_state(issuer);
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, task)
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn ec_key(pem: &[u8]) -> EncodingKey {
    EncodingKey::from_ec_pem(pem).unwrap()
}

fn public_jwk(pem: &[u8], kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(&ec_key(pem), Algorithm::ES256).unwrap();
    jwk.common.key_id = Some(kid.into());
    jwk
}

/// A token as the issuer would sign it: `claims` over sensible defaults.
fn token(issuer: &str, pem: &[u8], kid: &str, claims: Value) -> String {
    let mut all = json!({"iss": issuer, "aud": RESOURCE, "sub": "alice", "client_id": "app",
                         "scope": "mcp", "exp": now() + 600, "iat": now()});
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.into());
    header.typ = Some("at+jwt".into());
    jsonwebtoken::encode(&header, &all, &ec_key(pem)).unwrap()
}

fn server() -> Server {
    Server::new("protected", "1")
        .tool(hello_tool())
        .tool(
            Tool::new("admin_only", json!({"type": "object"}))
                .requires_scope("admin")
                .handler(|_, _| async { Ok("done") }),
        )
        .tool(Tool::new("whoami", json!({"type": "object"})).handler(|_, ctx| async move {
            let who = ctx.identity().expect("an authenticated caller");
            Ok(ToolResult::structured(json!({"subject": who.subject, "client": who.client_id, "scopes": who.scopes})))
        }))
}

fn options(issuer: &str) -> RunOptions {
    let mut oauth = OAuthConfig::new(issuer, RESOURCE);
    oauth.required_scopes = vec!["mcp".into()];
    oauth.jwks_refetch_interval = Duration::from_millis(300);
    oauth.introspection =
        Some(IntrospectionClient { client_id: "rs".into(), client_secret: "secret".into(), endpoint: None });
    RunOptions { transport: Transport::Http, stateless: true, oauth: Some(oauth), ..RunOptions::http() }
}

fn call(token: &str, method: &str, params: Value) -> Req {
    post("/mcp", &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .header("Authorization", &format!("Bearer {token}"))
        .header("MCP-Protocol-Version", "2025-11-25")
}

fn listed_names(resp: &Resp) -> Vec<String> {
    let body = resp.json();
    body["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_client_is_told_where_to_get_a_token_and_is_let_in_with_one() {
    let issuer = Arc::new(Issuer::default());
    issuer.keys.lock().unwrap().push(public_jwk(FIRST, "first"));
    let (base, _issuer_task) = start_issuer(issuer.clone()).await;
    let s = TestServer::start(server(), options(&base)).await;

    let resp = post("/mcp", &initialize("2025-11-25")).send(s.addr).await;
    assert_eq!(resp.status, 401);
    let challenge = resp.header("www-authenticate").unwrap().to_string();
    assert_eq!(
        challenge,
        "Bearer resource_metadata=\"http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp\", scope=\"admin mcp\""
    );
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
        let metadata = req("GET", path).send(s.addr).await;
        assert_eq!(metadata.status, 200, "{path}");
        let document = metadata.json();
        assert_eq!(document["resource"], RESOURCE);
        assert_eq!(document["authorization_servers"], json!([base]));
        assert_eq!(document["scopes_supported"], json!(["admin", "mcp"]));
    }

    let alice = token(&base, FIRST, "first", json!({}));
    let listed = call(&alice, "tools/list", json!({})).send(s.addr).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed_names(&listed), ["hello", "whoami"], "a tool needing `admin` is not shown");
    let me = call(&alice, "tools/call", json!({"name": "whoami"})).send(s.addr).await;
    assert_eq!(
        me.json()["result"]["structuredContent"],
        json!({"subject": "alice", "client": "app", "scopes": ["mcp"]})
    );
    let denied = call(&alice, "tools/call", json!({"name": "admin_only"})).send(s.addr).await;
    assert_eq!(denied.status, 403, "{}", denied.text());
    let challenge = denied.header("www-authenticate").unwrap();
    assert!(challenge.contains("error=\"insufficient_scope\"") && challenge.contains("scope=\"admin\""), "{challenge}");

    let admin = token(&base, FIRST, "first", json!({"scope": "mcp admin"}));
    let listed = call(&admin, "tools/list", json!({})).send(s.addr).await;
    assert_eq!(listed_names(&listed), ["hello", "admin_only", "whoami"]);
    let done = call(&admin, "tools/call", json!({"name": "admin_only"})).send(s.addr).await;
    assert_eq!(done.json()["result"]["content"][0]["text"], "done", "{}", done.text());

    // Without the scope every request needs, nothing: 403 naming it.
    let bare = token(&base, FIRST, "first", json!({"scope": "admin"}));
    assert_eq!(call(&bare, "tools/list", json!({})).send(s.addr).await.status, 403);
    assert_eq!(issuer.key_fetches.load(Ordering::SeqCst), 1, "the key set is fetched once and cached");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn tokens_that_prove_nothing_get_401_with_what_was_wrong() {
    let issuer = Arc::new(Issuer::default());
    issuer.keys.lock().unwrap().push(public_jwk(FIRST, "first"));
    let (base, _issuer_task) = start_issuer(issuer.clone()).await;
    let s = TestServer::start(server(), options(&base)).await;
    let forged_hs256 = {
        // Key confusion: HMAC "signed" with the public key an attacker can read.
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("first".into());
        let claims = json!({"iss": base, "aud": RESOURCE, "sub": "mallory", "scope": "mcp admin", "exp": now() + 600});
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(RSA_PUBLIC).unwrap()).unwrap()
    };
    let unsigned = {
        let part = |v: Value| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let claims = json!({"iss": base, "aud": RESOURCE, "sub": "mallory", "scope": "mcp", "exp": now() + 600});
        format!("{}.{}.", part(json!({"alg": "none", "typ": "JWT"})), part(claims))
    };
    let rsa_signed = {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("first".into());
        let claims = json!({"iss": base, "aud": RESOURCE, "sub": "mallory", "scope": "mcp", "exp": now() + 600});
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(RSA).unwrap()).unwrap()
    };
    let cases = [
        (token(&base, FIRST, "first", json!({"aud": "https://other.example/mcp"})), "another resource (aud)"),
        (token(&base, FIRST, "first", json!({"exp": now() - 120})), "has expired"),
        (token(&base, FIRST, "first", json!({"nbf": now() + 600})), "not valid yet"),
        (token("https://evil.example", FIRST, "first", json!({})), "another authorization server (iss)"),
        (token(&base, SECOND, "first", json!({})), "signature does not verify"),
        (forged_hs256, "algorithm HS256 is not accepted"),
        (unsigned, "names an algorithm that is not accepted"),
        (rsa_signed, "does not match its key"),
        ("opaque-unknown-token".into(), "not active"),
    ];
    for (bad, why) in cases {
        let resp = call(&bad, "tools/list", json!({})).send(s.addr).await;
        assert_eq!(resp.status, 401, "{why}: {}", resp.text());
        let challenge = resp.header("www-authenticate").unwrap();
        assert!(challenge.contains("error=\"invalid_token\"") && challenge.contains(why), "{why}: {challenge}");
        assert!(!challenge.contains(&bad), "the token is never echoed");
    }
    // From the query string a token is never read.
    let good = token(&base, FIRST, "first", json!({}));
    let query = post(&format!("/mcp?access_token={good}"), &initialize("2025-11-25")).send(s.addr).await;
    assert_eq!(query.status, 401);
    s.stop().await.unwrap();
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_a_flood_of_unknown_keys_is_not() {
    let issuer = Arc::new(Issuer::default());
    issuer.keys.lock().unwrap().push(public_jwk(FIRST, "first"));
    let (base, _issuer_task) = start_issuer(issuer.clone()).await;
    let s = TestServer::start(server(), options(&base)).await;
    let old = token(&base, FIRST, "first", json!({}));
    assert_eq!(call(&old, "tools/list", json!({})).send(s.addr).await.status, 200);
    // The issuer rotates: a new signing key first, the old one still published.
    *issuer.keys.lock().unwrap() = vec![public_jwk(SECOND, "second"), public_jwk(FIRST, "first")];
    tokio::time::sleep(Duration::from_millis(400)).await;
    let new = token(&base, SECOND, "second", json!({}));
    assert_eq!(call(&new, "tools/list", json!({})).send(s.addr).await.status, 200, "the new key was fetched");
    assert_eq!(call(&old, "tools/list", json!({})).send(s.addr).await.status, 200);
    let fetched = issuer.key_fetches.load(Ordering::SeqCst);
    assert_eq!(fetched, 2);
    // Fifty tokens naming keys nobody published, at once: at most one more fetch in the interval.
    let floods = (0..50).map(|i| {
        let forged = token(&base, SECOND, &format!("unknown-{i}"), json!({}));
        let addr = s.addr;
        tokio::spawn(async move { call(&forged, "tools/list", json!({})).send(addr).await.status })
    });
    for status in futures::future::join_all(floods).await {
        assert_eq!(status.unwrap(), 401);
    }
    assert!(issuer.key_fetches.load(Ordering::SeqCst) <= fetched + 1, "the issuer is not hammered");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn an_opaque_token_is_introspected_and_the_answer_cached() {
    let issuer = Arc::new(Issuer::default());
    let (base, _issuer_task) = start_issuer(issuer.clone()).await;
    let s = TestServer::start(server(), options(&base)).await;
    for _ in 0..3 {
        let me = call("opaque-good-token", "tools/call", json!({"name": "whoami"})).send(s.addr).await;
        assert_eq!(me.status, 200, "{}", me.text());
        assert_eq!(me.json()["result"]["structuredContent"]["subject"], "carol");
    }
    assert_eq!(call("opaque-good-token", "tools/call", json!({"name": "admin_only"})).send(s.addr).await.status, 200);
    assert_eq!(issuer.introspections.load(Ordering::SeqCst), 1, "one question for four requests");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn a_legacy_session_belongs_to_its_caller_whatever_token_it_holds_now() {
    let issuer = Arc::new(Issuer::default());
    issuer.keys.lock().unwrap().push(public_jwk(FIRST, "first"));
    let (base, _issuer_task) = start_issuer(issuer.clone()).await;
    let s = TestServer::start(server(), RunOptions { stateless: false, ..options(&base) }).await;
    let first = token(&base, FIRST, "first", json!({}));
    let opened =
        post("/mcp", &initialize("2025-11-25")).header("Authorization", &format!("Bearer {first}")).send(s.addr).await;
    assert_eq!(opened.status, 200, "{}", opened.text());
    let id = opened.header("mcp-session-id").unwrap().to_string();
    let in_session = |token: &str| call(token, "tools/list", json!({})).header("Mcp-Session-Id", &id);
    // Alice's refreshed token, with more scopes: the same caller, who now sees more.
    let refreshed = token(&base, FIRST, "first", json!({"scope": "mcp admin", "iat": now() + 1}));
    let resp = in_session(&refreshed).send(s.addr).await;
    assert_eq!(listed_names(&resp), ["hello", "admin_only", "whoami"]);
    // Bob's token, or Alice's through another client: no such session.
    assert_eq!(in_session(&token(&base, FIRST, "first", json!({"sub": "bob"}))).send(s.addr).await.status, 404);
    assert_eq!(in_session(&token(&base, FIRST, "first", json!({"client_id": "other"}))).send(s.addr).await.status, 404);
    s.stop().await.unwrap();
}
