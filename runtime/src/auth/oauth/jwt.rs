//! JWT access tokens (RFC 9068): signed by one of the issuer's keys with an asymmetric
//! algorithm, issued by the configured issuer for this resource, within their lifetime.

use super::fetch::Fetcher;
use super::keys::KeyCache;
use super::{OAuthConfig, Rejection, scopes_of};
use crate::auth::Identity;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::Deserialize;

/// The algorithms accepted: asymmetric only. `none` does not exist for `jsonwebtoken`, and an
/// HMAC algorithm would let anyone who knows a public key forge tokens (key confusion).
const ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The longest token read: a header past this is not a token anyone issued.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

#[derive(Deserialize)]
struct Claims {
    exp: u64,
    iss: Option<String>,
    sub: Option<String>,
    client_id: Option<String>,
    azp: Option<String>,
    scope: Option<String>,
    scp: Option<Vec<String>>,
}

/// The token's header when it is a JWT (three parts, the first a JSON object); `None` when it is
/// not one (an opaque token), an error when it is one this server will not read (`alg: none`).
pub(super) fn header(token: &str) -> Option<Result<Header, Rejection>> {
    use base64::Engine;
    let mut parts = token.split('.');
    let first = parts.next()?;
    if parts.count() != 2 {
        return None;
    }
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(first.trim_end_matches('=')).ok()?;
    if !decoded.starts_with(b"{") {
        return None;
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Some(Err(Rejection::InvalidToken("the access token is too long".into())));
    }
    Some(jsonwebtoken::decode_header(token).map_err(|_| {
        Rejection::InvalidToken(
            "the access token's header is malformed or names an algorithm that is not accepted".into(),
        )
    }))
}

/// The caller a JWT proves, and when it expires (`exp`, seconds since the epoch).
pub(super) async fn verify(
    token: &str,
    header: Header,
    config: &OAuthConfig,
    keys: &KeyCache,
    fetcher: &Fetcher,
) -> Result<(Identity, u64), Rejection> {
    let invalid = |why: String| Rejection::InvalidToken(why);
    if !ALGORITHMS.contains(&header.alg) {
        return Err(invalid(format!("the access token's algorithm {:?} is not accepted", header.alg)));
    }
    // RFC 9068 types access tokens `at+jwt`; many issuers still write `JWT` or nothing. Any
    // other type (an ID token's, a logout token's) is not an access token.
    if let Some(typ) = &header.typ {
        let typ = typ.to_ascii_lowercase();
        if !matches!(typ.as_str(), "at+jwt" | "application/at+jwt" | "jwt") {
            return Err(invalid(format!("a token of type `{}` is not an access token", typ.escape_debug())));
        }
    }
    let key = keys.key(header.kid.as_deref(), header.alg, fetcher, config.jwks_refetch_interval).await?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.resource]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.validate_nbf = true;
    validation.leeway = config.leeway.as_secs();
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| invalid(describe(&e)))?;
    let claims = data.claims;
    let scopes = scopes_of(claims.scope.as_deref(), claims.scp.as_deref());
    Ok((Identity::oauth(claims.iss, claims.sub, claims.client_id.or(claims.azp), scopes), claims.exp))
}

/// What the client is told: which check failed, never the token.
fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "the access token has expired".into(),
        ErrorKind::ImmatureSignature => "the access token is not valid yet (nbf)".into(),
        ErrorKind::InvalidAudience => "the access token was issued for another resource (aud)".into(),
        ErrorKind::InvalidIssuer => "the access token was issued by another authorization server (iss)".into(),
        ErrorKind::InvalidSignature => "the access token's signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the access token has no `{claim}` claim"),
        ErrorKind::InvalidAlgorithm => "the access token's algorithm does not match its key".into(),
        _ => "the access token is malformed".into(),
    }
}
