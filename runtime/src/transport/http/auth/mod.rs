//! Inbound authentication on the HTTP transports (DESIGN.md §7): static bearer tokens
//! (`tokens.rs`) and, with the `oauth` feature, OAuth access tokens checked as the MCP
//! authorization specification says (`crate::auth::oauth`), with the protected resource metadata
//! that tells a client where to get one (`metadata.rs`).
//!
//! A request to an MCP path without an accepted `Authorization: Bearer` token gets 401 with an
//! RFC 6750 challenge; the health checks and custom routes are not MCP paths. Tokens are read
//! from that header only, never from the query string.

#[cfg(feature = "oauth")]
pub(crate) mod metadata;
mod tokens;

pub use tokens::StaticTokens;

use super::responses::transport_error;
use crate::auth::{ApiCredentials, Caller, Identity};
use crate::protocol::codes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::sync::Arc;

/// Who may call: the static tokens and the OAuth verifier configured, if any.
#[derive(Clone, Default)]
pub(crate) struct Authenticator {
    tokens: Option<StaticTokens>,
    #[cfg(feature = "oauth")]
    oauth: Option<Arc<crate::auth::oauth::OAuthVerifier>>,
    /// The scopes a client should ask for: those every request needs and those tools need.
    scopes: Vec<String>,
    /// The request headers that carry a client's own API credential, by security scheme
    /// (`--client-credential SCHEME=HEADER`).
    client_credentials: Vec<(String, axum::http::HeaderName)>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Authenticator");
        d.field("tokens", &self.tokens);
        #[cfg(feature = "oauth")]
        d.field("oauth", &self.oauth);
        d.finish()
    }
}

impl Authenticator {
    pub fn new(tokens: Option<StaticTokens>) -> Authenticator {
        Authenticator { tokens, ..Authenticator::default() }
    }

    /// OAuth access tokens are accepted too, checked as `config` says.
    #[cfg(feature = "oauth")]
    pub fn with_oauth(mut self, config: Option<&crate::auth::oauth::OAuthConfig>) -> Result<Authenticator, String> {
        if let Some(config) = config {
            self.scopes = config.required_scopes.clone();
            self.oauth = Some(Arc::new(crate::auth::oauth::OAuthVerifier::new(config.clone())?));
        }
        Ok(self)
    }

    /// Clients bring their own API credentials: `mapping` pairs a security scheme with the request
    /// header that carries it. `Authorization` (the bearer token) only when nobody authenticates
    /// to the server itself: a token meant for this server must not reach the API.
    pub fn with_client_credentials(mut self, mapping: &[(String, String)]) -> Result<Authenticator, String> {
        for (scheme, header) in mapping {
            let name = axum::http::HeaderName::try_from(header.trim())
                .map_err(|_| format!("--client-credential {scheme}={header}: `{header}` is not a header name"))?;
            if name == header::AUTHORIZATION && self.is_oauth() {
                return Err(format!(
                    "--client-credential {scheme}=Authorization would send the client's MCP access token to the API; \
                     the MCP authorization specification forbids passing it through (the API must get a token of its \
                     own); map another header, such as X-Api-Key"
                ));
            }
            if name == header::AUTHORIZATION && self.tokens.is_some() {
                return Err(format!(
                    "--client-credential {scheme}=Authorization would send the bearer token clients authenticate to \
                     this server with to the API; map another header, such as X-Api-Key"
                ));
            }
            self.client_credentials.push((scheme.clone(), name));
        }
        Ok(self)
    }

    /// `scopes` (the tools') are named in challenges and metadata too.
    pub fn advertising(mut self, scopes: impl IntoIterator<Item = String>) -> Authenticator {
        self.scopes.extend(scopes);
        self.scopes.sort();
        self.scopes.dedup();
        self
    }

    /// The protected resource metadata's routes (RFC 9728), with OAuth: `(path, option, route)`.
    pub fn routes(&self) -> Vec<(String, &'static str, axum::routing::MethodRouter)> {
        #[cfg(feature = "oauth")]
        if let Some(oauth) = &self.oauth {
            let config = oauth.config();
            return metadata::routes(&config.resource, &config.issuer, &self.scopes)
                .into_iter()
                .map(|(path, route)| (path, "--oauth-resource", route))
                .collect();
        }
        Vec::new()
    }

    fn is_oauth(&self) -> bool {
        #[cfg(feature = "oauth")]
        return self.oauth.is_some();
        #[cfg(not(feature = "oauth"))]
        false
    }

    /// Whether requests must authenticate at all.
    pub fn is_required(&self) -> bool {
        self.tokens.is_some() || self.is_oauth()
    }

    /// Who sent a request with `headers`: the identity it proves (none when no authentication is
    /// configured) and the API credentials it brings. `Err` is the response to send instead: 401
    /// with a challenge, 400 for a malformed header, 503 when the authorization server cannot be
    /// reached to check a token.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, Response> {
        let identity = self.identity(headers).await?;
        let api_credentials = self.api_credentials(headers)?;
        Ok(Caller { identity, api_credentials })
    }

    /// The credentials the request brings for the API: `None` when none are mapped, else those of
    /// the mapped headers present (maybe none: such a request calls the API without credentials).
    #[allow(clippy::result_large_err)]
    fn api_credentials(&self, headers: &HeaderMap) -> Result<Option<Arc<ApiCredentials>>, Response> {
        if self.client_credentials.is_empty() {
            return Ok(None);
        }
        let mut values = Vec::new();
        for (scheme, name) in &self.client_credentials {
            let mut all = headers.get_all(name).iter();
            let Some(value) = all.next() else { continue };
            if all.next().is_some() {
                return Err(self.malformed(&format!("Bad Request: the request has more than one {name} header")));
            }
            let Ok(text) = value.to_str() else {
                return Err(self.malformed(&format!("Bad Request: the {name} header is not visible ASCII")));
            };
            let text = match (name == header::AUTHORIZATION, text.get(..7)) {
                (true, Some(scheme)) if scheme.eq_ignore_ascii_case("bearer ") => text[7..].trim(),
                _ => text.trim(),
            };
            if !text.is_empty() {
                values.push((scheme.clone(), text.to_string()));
            }
        }
        Ok(Some(Arc::new(ApiCredentials::new(values))))
    }

    /// The caller `headers` prove, `None` when no authentication is configured.
    async fn identity(&self, headers: &HeaderMap) -> Result<Option<Arc<Identity>>, Response> {
        if !self.is_required() {
            return Ok(None);
        }
        let token = self.bearer(headers)?;
        if let Some(digest) = self.tokens.as_ref().and_then(|tokens| tokens.digest_if_accepted(token)) {
            return Ok(Some(Arc::new(Identity::static_token_digest(digest))));
        }
        #[cfg(feature = "oauth")]
        if let Some(oauth) = &self.oauth {
            use crate::auth::oauth::Rejection;
            let text = std::str::from_utf8(token).map_err(|_| self.invalid_token("the access token is not text"))?;
            return match oauth.verify(text).await {
                Ok(identity) => Ok(Some(Arc::new(identity))),
                Err(Rejection::InvalidToken(why)) => {
                    tracing::debug!(why, "rejected an access token");
                    Err(self.invalid_token(&why))
                }
                Err(Rejection::InsufficientScope(scopes)) => Err(self.insufficient_scope(&scopes)),
                Err(Rejection::Unavailable(why)) => {
                    tracing::warn!(why, "cannot check an access token");
                    Err(super::responses::unavailable(
                        "Service Unavailable: the authorization server cannot be reached to check the access token",
                    ))
                }
            };
        }
        tracing::warn!("rejected a request with a bearer token that is not accepted");
        Err(self.invalid_token("the bearer token is not accepted"))
    }

    /// The token of the request's one `Authorization: Bearer` header.
    #[allow(clippy::result_large_err)]
    fn bearer<'h>(&self, headers: &'h HeaderMap) -> Result<&'h [u8], Response> {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let value = match (values.next(), values.next()) {
            (Some(value), None) => value,
            (None, _) => return Err(self.challenge(None, "Unauthorized: send `Authorization: Bearer <token>`")),
            (Some(_), Some(_)) => {
                return Err(self.malformed("Bad Request: the request has more than one Authorization header"));
            }
        };
        let bytes = value.as_bytes();
        match bytes.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => match bytes[7..].trim_ascii() {
                [] => Err(self.malformed("Bad Request: the Authorization header carries an empty bearer token")),
                token => Ok(token),
            },
            _ => Err(self.challenge(None, "Unauthorized: the Authorization header must be `Bearer <token>`")),
        }
    }

    fn invalid_token(&self, why: &str) -> Response {
        self.challenge(Some(("invalid_token", why)), &format!("Unauthorized: {why}"))
    }

    /// 403 naming the scopes needed (`error="insufficient_scope"`), so the client can ask its
    /// authorization server for them.
    pub fn insufficient_scope(&self, needed: &[String]) -> Response {
        let message = format!(
            "Forbidden: this needs the OAuth scope(s) {}, which the access token does not grant",
            needed.join(" ")
        );
        let mut response = transport_error(StatusCode::FORBIDDEN, codes::INVALID_REQUEST, message);
        let mut params = vec![("error", "insufficient_scope".to_string()), ("scope", needed.join(" "))];
        params.extend(self.metadata_param());
        set_challenge(&mut response, &params);
        response
    }

    /// 400 with `error="invalid_request"` (RFC 6750 §3.1).
    fn malformed(&self, message: &str) -> Response {
        let mut response = transport_error(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, message);
        let mut params = vec![("error", "invalid_request".to_string())];
        params.extend(self.metadata_param());
        set_challenge(&mut response, &params);
        response
    }

    /// 401: `error` is the RFC 6750 code and description, absent when no token was presented.
    fn challenge(&self, error: Option<(&str, &str)>, message: &str) -> Response {
        let mut response = transport_error(StatusCode::UNAUTHORIZED, codes::INVALID_REQUEST, message);
        let mut params = Vec::new();
        match self.metadata_param() {
            Some(metadata) => {
                params.push(metadata);
                if !self.scopes.is_empty() {
                    params.push(("scope", self.scopes.join(" ")));
                }
            }
            None => params.push(("realm", "mcp".to_string())),
        }
        if let Some((code, description)) = error {
            params.push(("error", code.to_string()));
            if self.is_oauth() {
                params.push(("error_description", description.to_string()));
            }
        }
        set_challenge(&mut response, &params);
        response
    }

    /// `resource_metadata="..."`: where a client learns which authorization server to ask.
    fn metadata_param(&self) -> Option<(&'static str, String)> {
        #[cfg(feature = "oauth")]
        if let Some(oauth) = &self.oauth {
            return Some(("resource_metadata", metadata::document_url(&oauth.config().resource)));
        }
        None
    }
}

/// `WWW-Authenticate: Bearer k="v", ...`, each value a quoted string with nothing that would end it.
fn set_challenge(response: &mut Response, params: &[(&str, String)]) {
    let quoted: Vec<String> = params
        .iter()
        .map(|(key, value)| {
            let value: String = value.chars().filter(|c| *c != '"' && *c != '\\' && (' '..='~').contains(c)).collect();
            format!("{key}=\"{value}\"")
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("Bearer {}", quoted.join(", "))) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = value {
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[tokio::test]
    async fn static_tokens_let_in_their_holders_and_challenge_everyone_else() {
        let tokens = StaticTokens::new(["first-token-0123456789", "second-token-0123456789"], "test").unwrap();
        let auth = Authenticator::new(Some(tokens));
        let who = |value: &'static str| {
            let auth = auth.clone();
            async move { auth.authenticate(&headers(Some(value))).await.unwrap().identity.unwrap() }
        };
        let first = who("Bearer first-token-0123456789").await;
        let again = who("bearer   first-token-0123456789").await;
        let second = who("Bearer second-token-0123456789").await;
        assert_eq!(first.fingerprint(), again.fingerprint());
        assert_ne!(first.fingerprint(), second.fingerprint());
        for (value, status, challenge) in [
            (None, 401, "Bearer realm=\"mcp\""),
            (Some("Basic Zm9vOmJhcg=="), 401, "Bearer realm=\"mcp\""),
            (Some("Bearer wrong-token-0123456789"), 401, "Bearer realm=\"mcp\", error=\"invalid_token\""),
            (Some("Bearer "), 400, "Bearer error=\"invalid_request\""),
        ] {
            let response = auth.authenticate(&headers(value)).await.expect_err("refused");
            assert_eq!(response.status().as_u16(), status, "{value:?}");
            assert_eq!(response.headers()[header::WWW_AUTHENTICATE], challenge, "{value:?}");
        }
        let mut twice = headers(Some("Bearer first-token-0123456789"));
        twice.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer first-token-0123456789"));
        assert_eq!(auth.authenticate(&twice).await.unwrap_err().status(), StatusCode::BAD_REQUEST);
        assert!(Authenticator::default().authenticate(&headers(None)).await.unwrap().identity.is_none());
    }

    #[test]
    fn challenge_values_cannot_be_ended_early() {
        let mut response = Response::new(axum::body::Body::empty());
        set_challenge(&mut response, &[("error_description", "a \"quoted\" \\ value\r\n".into())]);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer error_description=\"a quoted  value\"");
    }
}
