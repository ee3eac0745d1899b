//! Opaque access tokens, asked about at the issuer's introspection endpoint (RFC 7662). Answers
//! are cached briefly, by the token's digest, so a client's burst of requests costs one question;
//! the cache and the questions in flight are bounded.

use super::fetch::Fetcher;
use super::token_cache::TokenCache;
use super::{OAuthConfig, Rejection, scopes_of};
use crate::auth::Identity;
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long an active token's answer is reused (never past the token's own expiry).
const ACTIVE_TTL: Duration = Duration::from_secs(60);
/// How long a refusal is reused: a client repeating a bad token costs one question.
const REFUSED_TTL: Duration = Duration::from_secs(10);
/// Questions to the issuer at once.
const MAX_IN_FLIGHT: usize = 8;

/// The credentials the server introspects with: its own client at the authorization server.
#[derive(Clone, PartialEq)]
pub struct IntrospectionClient {
    pub client_id: String,
    pub client_secret: String,
    /// The introspection endpoint, when the issuer's metadata should not be asked for it.
    pub endpoint: Option<String>,
}

impl std::fmt::Debug for IntrospectionClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

type Answer = Result<Identity, Rejection>;

pub(super) struct Introspector {
    client: IntrospectionClient,
    cache: TokenCache<Answer>,
    in_flight: tokio::sync::Semaphore,
}

impl Introspector {
    pub fn new(client: IntrospectionClient) -> Introspector {
        Introspector { client, cache: TokenCache::default(), in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT) }
    }

    /// `digest`: the token's ([`TokenCache::digest`]).
    pub async fn verify(&self, token: &str, digest: [u8; 32], config: &OAuthConfig, fetcher: &Fetcher) -> Answer {
        if let Some(answer) = self.cache.get(&digest) {
            return answer;
        }
        let _permit = self.in_flight.acquire().await.map_err(|_| Rejection::Unavailable("shutting down".into()))?;
        let endpoint = match &self.client.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => fetcher.metadata().await?.introspection_endpoint.clone().ok_or_else(|| {
                Rejection::Unavailable("the authorization server's metadata names no introspection_endpoint".into())
            })?,
        };
        let form: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .append_pair("token_type_hint", "access_token")
            .finish();
        let answer = fetcher
            .post_form(&endpoint, form, &self.client.client_id, &self.client.client_secret)
            .await
            .map_err(Rejection::Unavailable)?;
        let (answer, expires) = judge(&answer, config);
        if !matches!(answer, Err(Rejection::Unavailable(_))) {
            self.cache.insert(digest, expires, answer.clone());
        }
        answer
    }
}

/// What an introspection answer says about the token, and until when that can be reused.
fn judge(answer: &Value, config: &OAuthConfig) -> (Answer, Instant) {
    let refused = |why: &str| (Err(Rejection::InvalidToken(why.to_string())), Instant::now() + REFUSED_TTL);
    if answer.get("active") != Some(&Value::Bool(true)) {
        return refused("the access token is not active");
    }
    let text = |key: &str| answer.get(key).and_then(Value::as_str).map(str::to_string);
    if text("iss").is_some_and(|iss| iss.trim_end_matches('/') != config.issuer.trim_end_matches('/')) {
        return refused("the access token was issued by another authorization server (iss)");
    }
    // RFC 8707: the token must be meant for this resource. An answer without `aud` cannot show it.
    let audience_matches = match answer.get("aud") {
        Some(Value::String(aud)) => *aud == config.resource,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(&config.resource)),
        _ => false,
    };
    if !audience_matches {
        return refused("the access token was not issued for this resource (aud)");
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let mut until = Instant::now() + ACTIVE_TTL;
    if let Some(exp) = answer.get("exp").and_then(Value::as_u64) {
        if exp + config.leeway.as_secs() <= now {
            return refused("the access token has expired");
        }
        until = until.min(Instant::now() + Duration::from_secs(exp.saturating_sub(now)));
    }
    let scp: Option<Vec<String>> = answer.get("scp").and_then(|v| serde_json::from_value(v.clone()).ok());
    let scopes = scopes_of(text("scope").as_deref(), scp.as_deref());
    let identity = Identity::oauth(text("iss").or(Some(config.issuer.clone())), text("sub"), text("client_id"), scopes);
    (Ok(identity), until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> OAuthConfig {
        OAuthConfig::new("https://as.example", "https://mcp.example/mcp")
    }

    #[test]
    fn an_answer_is_judged_like_a_jwt() {
        let far = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3600;
        let good = json!({"active": true, "aud": "https://mcp.example/mcp", "sub": "alice", "client_id": "app",
                          "scope": "read write", "exp": far, "iss": "https://as.example/"});
        let (identity, _) = judge(&good, &config());
        let identity = identity.unwrap();
        assert_eq!((identity.subject.as_deref(), identity.client_id.as_deref()), (Some("alice"), Some("app")));
        assert!(identity.has_scope("write") && !identity.has_scope("admin"));
        let refused = |answer: Value| match judge(&answer, &config()).0 {
            Err(Rejection::InvalidToken(why)) => why,
            other => panic!("{other:?}"),
        };
        assert!(refused(json!({"active": false})).contains("not active"));
        assert!(refused(json!({"active": true, "aud": "https://other.example"})).contains("aud"));
        assert!(refused(json!({"active": true})).contains("aud"), "no audience, no proof");
        let mut expired = good.clone();
        expired["exp"] = json!(1000);
        assert!(refused(expired).contains("expired"));
        let mut foreign = good;
        foreign["iss"] = json!("https://evil.example");
        assert!(refused(foreign).contains("iss"));
        let (listed, _) = judge(&json!({"active": true, "aud": ["x", "https://mcp.example/mcp"]}), &config());
        assert!(listed.is_ok());
    }
}
