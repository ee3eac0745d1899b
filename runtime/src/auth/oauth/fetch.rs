//! What the resource server asks its authorization server for: its metadata (RFC 8414, or
//! OpenID Connect discovery), its key set, introspection answers. Bounded like any outbound
//! call: a timeout, no redirects, a cap on the answer's size.

use super::Rejection;
use reqwest::Url;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The largest answer read from the authorization server.
const MAX_ANSWER_BYTES: usize = 1 << 20;
const TIMEOUT: Duration = Duration::from_secs(5);

/// `url` must be absolute, `https` unless its host is loopback, and carry no user info.
pub(super) fn check_url(what: &str, url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("{what} `{url}` is not an absolute URL: {e}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(format!("{what} `{url}` must be an https URL (http only on loopback)")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("{what} must not carry a user name or password"));
    }
    Ok(parsed)
}

/// The authorization server's metadata, as far as a resource server needs it.
#[derive(Debug, Default)]
pub(super) struct Metadata {
    pub jwks_uri: Option<String>,
    pub introspection_endpoint: Option<String>,
}

pub(super) struct Fetcher {
    http: reqwest::Client,
    issuer: String,
    jwks_uri: Option<String>,
    metadata: tokio::sync::Mutex<Option<Arc<Metadata>>>,
}

impl Fetcher {
    pub fn new(issuer: &str, jwks_uri: Option<String>) -> Result<Fetcher, String> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client for the authorization server: {e}"))?;
        Ok(Fetcher { http, issuer: issuer.to_string(), jwks_uri, metadata: tokio::sync::Mutex::new(None) })
    }

    /// The issuer's metadata, asked for once (again after a failure): RFC 8414's well-known URI
    /// first, then OpenID Connect's. Its `issuer` must be the configured one (RFC 8414 §3.3).
    pub async fn metadata(&self) -> Result<Arc<Metadata>, Rejection> {
        let mut cached = self.metadata.lock().await;
        if let Some(metadata) = cached.as_ref() {
            return Ok(Arc::clone(metadata));
        }
        let issuer = self.issuer.trim_end_matches('/');
        let url = Url::parse(issuer).map_err(|e| Rejection::Unavailable(e.to_string()))?;
        let path = url.path().trim_end_matches('/');
        let origin = url.origin().ascii_serialization();
        let candidates = [
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{issuer}/.well-known/openid-configuration"),
        ];
        let mut problems = Vec::new();
        for candidate in candidates {
            match self.get_json(&candidate).await {
                Ok(document) => {
                    let named = document.get("issuer").and_then(Value::as_str).unwrap_or_default();
                    if named.trim_end_matches('/') != issuer {
                        problems.push(format!("{candidate} names the issuer `{named}`, not `{}`", self.issuer));
                        continue;
                    }
                    let text = |key: &str| document.get(key).and_then(Value::as_str).map(str::to_string);
                    let metadata = Arc::new(Metadata {
                        jwks_uri: text("jwks_uri"),
                        introspection_endpoint: text("introspection_endpoint"),
                    });
                    *cached = Some(Arc::clone(&metadata));
                    return Ok(metadata);
                }
                Err(e) => problems.push(e),
            }
        }
        tracing::warn!(issuer = %self.issuer, problems = ?problems, "cannot read the authorization server's metadata");
        Err(Rejection::Unavailable(format!(
            "the authorization server's metadata could not be read: {}",
            problems.join("; ")
        )))
    }

    /// The issuer's key set: from `--oauth-jwks-uri`, else its metadata's `jwks_uri`.
    pub async fn jwks(&self) -> Result<jsonwebtoken::jwk::JwkSet, Rejection> {
        let uri = match &self.jwks_uri {
            Some(uri) => uri.clone(),
            None => self.metadata().await?.jwks_uri.clone().ok_or_else(|| {
                Rejection::Unavailable("the authorization server's metadata names no jwks_uri".into())
            })?,
        };
        check_url("jwks_uri", &uri).map_err(Rejection::Unavailable)?;
        let document = self.get_json(&uri).await.map_err(Rejection::Unavailable)?;
        serde_json::from_value(document)
            .map_err(|e| Rejection::Unavailable(format!("the key set at {uri} is not a JWK set: {e}")))
    }

    pub async fn get_json(&self, url: &str) -> Result<Value, String> {
        self.read(url, self.http.get(url)).await
    }

    /// POSTs `form` (already encoded) with HTTP Basic client authentication.
    pub async fn post_form(&self, url: &str, form: String, client_id: &str, secret: &str) -> Result<Value, String> {
        let request = self
            .http
            .post(url)
            .basic_auth(client_id, Some(secret))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form);
        self.read(url, request).await
    }

    async fn read(&self, url: &str, request: reqwest::RequestBuilder) -> Result<Value, String> {
        let mut response = request
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {}", without_url(&e)))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {}", without_url(&e)))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(format!("{url} answered more than {MAX_ANSWER_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| format!("{url} did not answer JSON: {e}"))
    }
}

/// reqwest's error without the URL it repeats (the caller names it once).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" ({url})"), "");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_beyond_loopback() {
        assert!(check_url("x", "https://auth.example.com").is_ok());
        assert!(check_url("x", "http://127.0.0.1:9000/").is_ok());
        assert!(check_url("x", "http://localhost:9000/").is_ok());
        assert!(check_url("x", "http://auth.example.com").unwrap_err().contains("https"));
        assert!(check_url("x", "https://user:pw@auth.example.com").unwrap_err().contains("user name"));
        assert!(check_url("x", "/relative").unwrap_err().contains("absolute"));
    }
}
