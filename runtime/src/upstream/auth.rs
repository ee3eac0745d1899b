//! Credentials from environment variables, applied per the operation's security requirements.
//!
//! Secrets are read once at start-up, never logged, and never put in messages or results.

use super::client::LazyClient;
use super::request::{RequestParts, check_header_value};
use super::spec::{ApiSpec, Location, SchemeKind, ToolSpec};
use super::style::{enc_cookie, enc_query};
use base64::Engine;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A configured credential. `Debug` never shows the secret.
pub enum Credential {
    ApiKey(String),
    Bearer(String),
    Basic {
        username: String,
        password: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: String,
        token_url: String,
        scopes: Vec<String>,
        cache: Mutex<Option<(String, Instant)>>,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::ApiKey(_) => "ApiKey(***)",
            Credential::Bearer(_) => "Bearer(***)",
            Credential::Basic { .. } => "Basic(***)",
            Credential::ClientCredentials { .. } => "ClientCredentials(***)",
        })
    }
}

/// The configured credentials by scheme name. An API has a handful of schemes, so a list
/// searched by name costs less per call than hashing the name (SipHash) on every lookup.
#[derive(Debug, Default)]
pub struct Credentials(Vec<(&'static str, Credential)>);

impl Credentials {
    pub fn get(&self, name: &str) -> Option<&Credential> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, c)| c)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn values(&self) -> impl Iterator<Item = &Credential> {
        self.0.iter().map(|(_, c)| c)
    }

    /// Adds or replaces the credential of scheme `name`.
    pub fn insert(&mut self, name: &'static str, cred: Credential) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = cred,
            None => self.0.push((name, cred)),
        }
    }
}

/// Reads every scheme's credentials with `env`; schemes without them are left out.
pub fn load(api: &ApiSpec, env: &dyn Fn(&str) -> Option<String>) -> Credentials {
    let get = |k: &str| env(k).filter(|v| !v.is_empty());
    let mut out = Credentials::default();
    for s in api.schemes {
        let cred = match s.kind {
            SchemeKind::ApiKey { env, .. } => get(env).map(Credential::ApiKey),
            SchemeKind::Bearer { env } => get(env).map(Credential::Bearer),
            SchemeKind::Basic { username_env, password_env } => get(username_env)
                .map(|username| Credential::Basic { username, password: get(password_env).unwrap_or_default() }),
            SchemeKind::OAuth2 { token_env, client_id_env, client_secret_env, token_url, scopes } => {
                match (get(token_env), get(client_id_env), get(client_secret_env), token_url) {
                    (Some(token), _, _, _) => Some(Credential::Bearer(token)),
                    (None, Some(client_id), Some(client_secret), Some(url)) => Some(Credential::ClientCredentials {
                        client_id,
                        client_secret,
                        token_url: url.to_string(),
                        scopes: scopes.iter().map(|s| s.to_string()).collect(),
                        cache: Mutex::new(None),
                    }),
                    _ => None,
                }
            }
        };
        if let Some(c) = cred {
            out.insert(s.name, c);
        }
    }
    out
}

/// The credentials a client brought for its own calls (`--client-credential`), each as its
/// scheme takes it: an API key as is, a bearer or OAuth 2 token as a bearer token, Basic as
/// `user:password`. Schemes the API does not have are left out.
pub fn from_client(api: &ApiSpec, client: &crate::auth::ApiCredentials) -> Credentials {
    let mut out = Credentials::default();
    for (name, value) in client.iter() {
        let Some(scheme) = api.schemes.iter().find(|s| s.name == name) else { continue };
        let credential = match scheme.kind {
            SchemeKind::ApiKey { .. } => Credential::ApiKey(value.to_string()),
            SchemeKind::Bearer { .. } | SchemeKind::OAuth2 { .. } => Credential::Bearer(value.to_string()),
            SchemeKind::Basic { .. } => {
                let (username, password) = value.split_once(':').unwrap_or((value, ""));
                Credential::Basic { username: username.to_string(), password: password.to_string() }
            }
        };
        out.insert(scheme.name, credential);
    }
    out
}

/// Every secret `creds` hold that is known at start-up, in each form it is sent in, for
/// [`super::redact`]: API keys as set and percent-encoded, bearer tokens, Basic passwords and
/// their base64 header value, OAuth 2 client secrets. Computed once per [`super::Upstream`];
/// the tokens fetched later are in [`fetched_tokens`].
pub fn static_secret_texts(creds: &Credentials) -> Vec<String> {
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = Vec::new();
    for cred in creds.values() {
        match cred {
            Credential::ApiKey(key) => out.extend([key.clone(), enc_query(key, false), enc_cookie(key)]),
            Credential::Bearer(token) => out.push(token.clone()),
            Credential::Basic { username, password } => {
                out.extend([password.clone(), b64(format!("{username}:{password}"))])
            }
            Credential::ClientCredentials { client_id, client_secret, .. } => {
                out.extend([
                    client_secret.clone(),
                    enc_query(client_secret, false),
                    b64(format!("{}:{}", enc_query(client_id, false), enc_query(client_secret, false))),
                ]);
            }
        }
    }
    out
}

/// The OAuth 2 tokens fetched with client credentials so far (secrets that change while the
/// server runs); empty, without allocating, when no scheme fetches tokens.
pub async fn fetched_tokens(creds: &Credentials) -> Vec<String> {
    let mut out = Vec::new();
    for cred in creds.values() {
        if let Credential::ClientCredentials { cache, .. } = cred
            && let Some((token, _)) = cache.lock().await.as_ref()
        {
            out.push(token.clone());
        }
    }
    out
}

/// The environment variables that would satisfy `spec`'s security, for a 401/403 hint.
pub fn missing_hint(api: &ApiSpec, spec: &ToolSpec, creds: &Credentials) -> Option<String> {
    if spec.security.is_empty() || spec.security.iter().any(|alt| alt.iter().all(|n| creds.contains_key(n))) {
        return None;
    }
    let vars: Vec<&str> = spec
        .security
        .iter()
        .flat_map(|alt| alt.iter())
        .filter_map(|n| api.schemes.iter().find(|s| s.name == *n))
        .flat_map(|s| match s.kind {
            SchemeKind::OAuth2 { token_env, .. } => vec![token_env],
            other => other.env_vars(),
        })
        .collect();
    (!vars.is_empty()).then(|| format!("no credentials are configured for this operation; set {}", vars.join(" or ")))
}

/// Adds the credentials of the first satisfiable alternative to `parts`.
pub async fn apply(
    api: &ApiSpec,
    spec: &ToolSpec,
    creds: &Credentials,
    client: &LazyClient,
    parts: &mut RequestParts,
) -> Result<(), String> {
    let Some(alt) = spec.security.iter().find(|alt| alt.iter().all(|n| creds.contains_key(n))) else {
        return Ok(());
    };
    for name in alt.iter() {
        let (Some(cred), Some(scheme)) = (creds.get(name), api.schemes.iter().find(|s| s.name == *name)) else {
            continue;
        };
        match (cred, scheme.kind) {
            (Credential::ApiKey(key), SchemeKind::ApiKey { location, param, .. }) => match location {
                Location::Header => {
                    check_header_value(param, key)
                        .map_err(|_| format!("the credential for `{name}` contains a control character"))?;
                    parts.headers.push((param.to_string(), key.clone()));
                }
                Location::Query => parts.push_query(format!("{}={}", enc_query(param, false), enc_query(key, false))),
                Location::Cookie => parts.cookies.push(format!("{param}={}", enc_cookie(key))),
                Location::Path => {}
            },
            (Credential::Bearer(token), _) => bearer(parts, name, token)?,
            (Credential::Basic { username, password }, _) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
                parts.headers.push(("Authorization".into(), format!("Basic {encoded}")));
            }
            (Credential::ClientCredentials { client_id, client_secret, token_url, scopes, cache }, _) => {
                let mut cached = cache.lock().await;
                let fresh = cached.as_ref().filter(|(_, expires)| *expires > Instant::now()).map(|(t, _)| t.clone());
                let token = match fresh {
                    Some(t) => t,
                    None => {
                        // Boxed: reqwest's exchange is large, and inline it would make every call's
                        // future (and each move of it) that size, though a fetch is rare.
                        let fetch = fetch_token(client.get()?, token_url, client_id, client_secret, scopes);
                        let (t, ttl) = Box::pin(fetch).await?;
                        // Refresh a little early so a token never expires in flight.
                        *cached = Some((t.clone(), Instant::now() + ttl.saturating_sub(Duration::from_secs(30))));
                        t
                    }
                };
                bearer(parts, name, &token)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn bearer(parts: &mut RequestParts, name: &str, token: &str) -> Result<(), String> {
    check_header_value(name, token).map_err(|_| format!("the credential for `{name}` contains a control character"))?;
    parts.headers.push(("Authorization".into(), format!("Bearer {token}")));
    Ok(())
}

/// The OAuth 2 client-credentials grant (RFC 6749 §4.4), client authenticated with HTTP Basic.
async fn fetch_token(
    client: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    client_secret: &str,
    scopes: &[String],
) -> Result<(String, Duration), String> {
    let mut form = String::from("grant_type=client_credentials");
    if !scopes.is_empty() {
        form.push_str(&format!("&scope={}", enc_query(&scopes.join(" "), false)));
    }
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        enc_query(client_id, false),
        enc_query(client_secret, false)
    ));
    let resp = client
        .post(token_url)
        .header("Authorization", format!("Basic {basic}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(form)
        .send()
        .await
        .map_err(|e| format!("could not fetch an OAuth 2 token: {}", e.without_url()))?;
    let status = resp.status();
    let body: serde_json::Value = resp.json_value().await;
    if !status.is_success() {
        return Err(format!("the OAuth 2 token endpoint answered HTTP {}", status.as_u16()));
    }
    let token = body
        .get("access_token")
        .and_then(|t| t.as_str())
        .ok_or("the OAuth 2 token endpoint returned no access_token")?;
    let ttl = body.get("expires_in").and_then(|e| e.as_u64()).unwrap_or(3600);
    Ok((token.to_string(), Duration::from_secs(ttl)))
}

/// Reads a small JSON body without needing reqwest's `json` feature.
trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        match self.bytes().await {
            Ok(b) if b.len() <= 1 << 20 => serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
            _ => serde_json::Value::Null,
        }
    }
}
