//! A real OAuth 2.1 authorization server for the end-to-end tests: `oidc-provider`, pinned with
//! its dependency tree in `tests/oidc/package*.json`, installed with npm under `target/tools/e2e/`
//! and run on the Node 22 the same install brings (`tests/oidc/server.mjs`). It signs ES256
//! access tokens with the keys a test gives, so a test can rotate them by starting it again.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const VERSION: &str = "9.13.3";
/// The client `server.mjs` registers for the tests' own token requests.
pub const SERVICE_CLIENT: (&str, &str) = ("test-service", "test-service-secret-0123456789");

struct Installed {
    node: PathBuf,
    script: PathBuf,
}

fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Result<Installed, String>> = OnceLock::new();
    match INSTALLED.get_or_init(install) {
        Ok(installed) => installed,
        Err(e) => panic!(
            "oidc-provider (the OAuth authorization server) is required by this test and could not be installed:\n{e}\n\
             Needs Node.js with npm on PATH and access to the npm registry."
        ),
    }
}

fn install() -> Result<Installed, String> {
    let installed = crate::npm::install("oidc", "oidc-provider", VERSION)?;
    // The script runs from the install, beside its node_modules.
    let script = installed.dir.join("server.mjs");
    let source = crate::workspace::tests_crate().join("oidc/server.mjs");
    std::fs::copy(&source, &script).map_err(|e| format!("cannot copy server.mjs: {e}"))?;
    Ok(Installed { node: installed.node, script })
}

/// A running authorization server; killed when dropped.
pub struct AuthorizationServer {
    pub issuer: String,
    child: Child,
}

impl AuthorizationServer {
    /// Starts it on `port`, issuing tokens for `resource` that live `access_ttl` seconds, signed
    /// with the first of `keys`: `(kid, PKCS#8 PEM of a P-256 key)`.
    pub fn start(port: u16, resource: &str, keys: &[(&str, &str)], access_ttl: u64) -> AuthorizationServer {
        let keys: Vec<Value> = keys.iter().map(|(kid, pem)| json!({"kid": kid, "pem": pem})).collect();
        let config = json!({"port": port, "resource": resource, "keys": keys, "accessTokenTtl": access_ttl});
        let install = installed();
        let mut child = Command::new(&install.node)
            .arg(&install.script)
            .arg(config.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", install.node.display()));
        let issuer = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let stderr = child.wait_with_output().map(|o| String::from_utf8_lossy(&o.stderr).into_owned());
                panic!("oidc-provider exited ({status}) before serving:\n{}", stderr.unwrap_or_default());
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "oidc-provider did not listen on port {port} within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        AuthorizationServer { issuer, child }
    }

    /// An access token for the test's own client (client credentials): `scope` for `resource`.
    /// `Err` is the token endpoint's answer when it issues none.
    pub fn service_token(&self, scope: &str, resource: &str) -> Result<String, String> {
        use base64::Engine;
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("scope", scope)
            .append_pair("resource", resource)
            .finish();
        let credentials = format!("{}:{}", SERVICE_CLIENT.0, SERVICE_CLIENT.1);
        let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
        let response = crate::http::request(
            "POST",
            &format!("{}/token", self.issuer),
            &[("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", &basic)],
            &form,
        );
        let body: Value = serde_json::from_str(&response.body).map_err(|_| response.body.clone())?;
        body["access_token"].as_str().map(str::to_string).ok_or_else(|| response.body.clone())
    }
}

impl Drop for AuthorizationServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
