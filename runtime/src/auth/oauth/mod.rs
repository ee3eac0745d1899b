//! The server as an OAuth 2.1 resource server, as the MCP authorization specification describes
//! it: access tokens are JWTs checked against the issuer's published keys (RFC 9068 claims,
//! RFC 8707 audience), or opaque tokens the issuer is asked about (RFC 7662 introspection).
//! Everything cryptographic is `jsonwebtoken`'s; nothing here signs or verifies by hand.

mod fetch;
mod introspect;
mod jwt;
mod keys;
mod token_cache;

use super::Identity;
use std::time::Duration;

pub use introspect::IntrospectionClient;

/// How the server checks OAuth access tokens (`--oauth-issuer`, `--oauth-resource`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct OAuthConfig {
    /// The authorization server's issuer identifier (`https://auth.example.com`); its metadata
    /// (RFC 8414, or OpenID Connect discovery) names its keys and introspection endpoint.
    pub issuer: String,
    /// This server's resource identifier: its canonical URL (`https://mcp.example.com/mcp`).
    /// Tokens must be issued for it (`aud`), and its protected resource metadata names it.
    pub resource: String,
    /// Scopes every request's token must grant, beyond those a tool needs.
    pub required_scopes: Vec<String>,
    /// The issuer's key set, when its metadata should not be asked for it.
    pub jwks_uri: Option<String>,
    /// The issuer's key set itself (JWK set JSON, `--oauth-jwks-file`): used as given, never
    /// fetched, for an issuer the server cannot reach or keys pinned on purpose.
    pub jwks: Option<String>,
    /// Opaque tokens are introspected with these client credentials (RFC 7662).
    pub introspection: Option<IntrospectionClient>,
    /// Clock skew allowed on `exp` and `nbf`.
    pub leeway: Duration,
    /// The shortest time between two fetches of the issuer's key set: a token naming a key the
    /// server does not know fetches it again (key rotation), at most this often.
    pub jwks_refetch_interval: Duration,
}

impl OAuthConfig {
    /// Tokens from `issuer`, for the resource `resource`, with the default leeway (10 s).
    pub fn new(issuer: impl Into<String>, resource: impl Into<String>) -> OAuthConfig {
        OAuthConfig {
            issuer: issuer.into(),
            resource: resource.into(),
            required_scopes: Vec::new(),
            jwks_uri: None,
            jwks: None,
            introspection: None,
            leeway: Duration::from_secs(10),
            jwks_refetch_interval: Duration::from_secs(5),
        }
    }

    /// The configuration's URLs: absolute, and `https` unless they name a loopback host.
    pub fn check(&self) -> Result<(), String> {
        fetch::check_url("--oauth-issuer", &self.issuer)?;
        fetch::check_url("--oauth-resource", &self.resource)?;
        if let Some(uri) = &self.jwks_uri {
            fetch::check_url("--oauth-jwks-uri", uri)?;
        }
        if let Some(endpoint) = self.introspection.as_ref().and_then(|i| i.endpoint.as_ref()) {
            fetch::check_url("--oauth-introspection-url", endpoint)?;
        }
        Ok(())
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Malformed, expired, for another audience, badly signed, inactive: a 401 with
    /// `error="invalid_token"` and this description.
    InvalidToken(String),
    /// A valid token without the scopes every request needs: a 403 naming them.
    InsufficientScope(Vec<String>),
    /// The issuer could not be reached to check it: a 503, the client may retry.
    Unavailable(String),
}

/// Checks access tokens; shared by every request (keys and introspection answers are cached).
pub struct OAuthVerifier {
    config: OAuthConfig,
    fetcher: fetch::Fetcher,
    keys: keys::KeyCache,
    introspection: Option<introspect::Introspector>,
    /// JWTs that verified, by digest ([`token_cache`]).
    verified: token_cache::TokenCache<Identity>,
}

impl std::fmt::Debug for OAuthVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthVerifier")
            .field("issuer", &self.config.issuer)
            .field("resource", &self.config.resource)
            .finish()
    }
}

impl OAuthVerifier {
    pub fn new(config: OAuthConfig) -> Result<OAuthVerifier, String> {
        config.check()?;
        let fetcher = fetch::Fetcher::new(&config.issuer, config.jwks_uri.clone())?;
        let introspection = config.introspection.clone().map(introspect::Introspector::new);
        let keys = match &config.jwks {
            Some(text) => keys::KeyCache::fixed(text)?,
            None => keys::KeyCache::default(),
        };
        Ok(OAuthVerifier { config, fetcher, keys, introspection, verified: token_cache::TokenCache::default() })
    }

    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// The caller `token` proves, or why it proves nothing. A JWT is checked locally; anything
    /// else is introspected when introspection is configured.
    pub async fn verify(&self, token: &str) -> Result<Identity, Rejection> {
        // A token seen before is looked up before anything is parsed.
        let digest = token_cache::TokenCache::<Identity>::digest(token);
        if let Some(identity) = self.verified.get(&digest) {
            return Ok(identity);
        }
        let identity = match jwt::header(token) {
            Some(header) => {
                let (identity, exp) = jwt::verify(token, header?, &self.config, &self.keys, &self.fetcher).await?;
                if identity.missing_scopes(&self.config.required_scopes).is_empty()
                    && let Some(until) = token_cache::until_exp(exp, token_cache::VERIFIED_MAX_AGE)
                {
                    self.verified.insert(digest, until, identity.clone());
                }
                identity
            }
            None => match &self.introspection {
                Some(introspector) => introspector.verify(token, digest, &self.config, &self.fetcher).await?,
                None => return Err(Rejection::InvalidToken("the access token is not a JWT".into())),
            },
        };
        if !identity.missing_scopes(&self.config.required_scopes).is_empty() {
            return Err(Rejection::InsufficientScope(self.config.required_scopes.clone()));
        }
        Ok(identity)
    }
}

/// The scopes of a `scope` claim (space-separated, RFC 9068 and RFC 7662) or an `scp` array.
fn scopes_of(scope: Option<&str>, scp: Option<&[String]>) -> Vec<String> {
    let mut scopes: Vec<String> = scope.unwrap_or_default().split_ascii_whitespace().map(str::to_string).collect();
    scopes.extend(scp.unwrap_or_default().iter().cloned());
    scopes.sort();
    scopes.dedup();
    scopes
}
