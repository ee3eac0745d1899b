//! Inbound authentication on the HTTP transports with static bearer tokens (DESIGN.md §7).
//!
//! The tokens come from `MCP_AUTH_TOKENS` (comma-separated) or a file (`--auth-token-file`, one
//! per line), never from a flag, which `ps` would show. Each is kept only as its SHA-256 digest,
//! and a presented token is compared with every digest in constant time (`subtle`), so neither a
//! token nor how much of one matched shows in the time an answer takes. A request to an MCP path
//! without a valid `Authorization: Bearer` token gets 401 with an RFC 6750 challenge; the health
//! checks and custom routes are not MCP paths.

use super::responses::transport_error;
use crate::protocol::codes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The shortest token accepted: a guessable one would be no protection.
pub const MIN_TOKEN_LEN: usize = 16;

/// The accepted tokens, as digests.
#[derive(Clone, PartialEq)]
pub struct StaticTokens {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for StaticTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StaticTokens({} token(s), redacted)", self.digests.len())
    }
}

impl StaticTokens {
    /// The tokens `texts` name (blank ones skipped); `source` says where they came from, for
    /// errors. At least one, each at least [`MIN_TOKEN_LEN`] characters.
    pub fn new<S: AsRef<str>>(texts: impl IntoIterator<Item = S>, source: &str) -> Result<StaticTokens, String> {
        let mut digests = Vec::new();
        for (i, text) in texts.into_iter().enumerate() {
            let token = text.as_ref().trim();
            if token.is_empty() {
                continue;
            }
            if token.len() < MIN_TOKEN_LEN || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(format!(
                    "{source}: token {} must be at least {MIN_TOKEN_LEN} characters without spaces (e.g. `openssl rand -hex 32`)",
                    i + 1
                ));
            }
            digests.push(Sha256::digest(token.as_bytes()).into());
        }
        if digests.is_empty() {
            return Err(format!("{source} holds no token"));
        }
        Ok(StaticTokens { digests })
    }

    /// The tokens of a file, one per line (`#` starts a comment line).
    pub fn from_file(path: &std::path::Path) -> Result<StaticTokens, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the token file `{}`: {e}", path.display()))?;
        let lines = text.lines().filter(|l| !l.trim_start().starts_with('#'));
        StaticTokens::new(lines, &format!("the token file `{}`", path.display()))
    }

    /// Whether `presented` is one of the tokens, in time that does not depend on which one, or
    /// on how much of it matched.
    pub fn accepts(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        let mut found = subtle::Choice::from(0);
        for known in &self.digests {
            found |= known.ct_eq(&digest);
        }
        found.into()
    }

    /// The digest of the bearer token `headers` carry (checked already): what a legacy session is
    /// bound to, so its id with another token is unknown.
    pub fn credential(&self, headers: &HeaderMap) -> Option<[u8; 32]> {
        let bytes = headers.get(header::AUTHORIZATION)?.as_bytes();
        let token = bytes.get(7..)?.trim_ascii();
        Some(Sha256::digest(token).into())
    }

    /// `Err` is the 401 to send: no `Authorization` header, another scheme, or a token that is
    /// not one of ours (`error="invalid_token"`).
    #[allow(clippy::result_large_err)]
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Response> {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(unauthorized(None, "Unauthorized: send `Authorization: Bearer <token>`"));
        };
        let bytes = value.as_bytes();
        let token = match bytes.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => bytes[7..].trim_ascii(),
            _ => return Err(unauthorized(None, "Unauthorized: the Authorization header must be `Bearer <token>`")),
        };
        if self.accepts(token) {
            Ok(())
        } else {
            tracing::warn!("rejected a request with a bearer token that is not accepted");
            Err(unauthorized(Some("invalid_token"), "Unauthorized: the bearer token is not accepted"))
        }
    }
}

fn unauthorized(error: Option<&str>, message: &str) -> Response {
    let mut response = transport_error(StatusCode::UNAUTHORIZED, codes::INVALID_REQUEST, message);
    let challenge = match error {
        Some(error) => format!("Bearer realm=\"mcp\", error=\"{error}\""),
        None => "Bearer realm=\"mcp\"".to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> StaticTokens {
        StaticTokens::new(["first-token-0123456789", "", "second-token-0123456789"], "test").unwrap()
    }

    #[test]
    fn only_the_tokens_given_are_accepted() {
        let t = tokens();
        assert!(t.accepts(b"first-token-0123456789"));
        assert!(t.accepts(b"second-token-0123456789"));
        for other in [&b""[..], b"first-token-012345678", b"first-token-01234567890", b"FIRST-TOKEN-0123456789"] {
            assert!(!t.accepts(other), "{:?}", String::from_utf8_lossy(other));
        }
        assert!(format!("{t:?}").contains("redacted") && !format!("{t:?}").contains("first"));
    }

    #[test]
    fn weak_or_missing_tokens_are_refused_at_start() {
        assert!(StaticTokens::new(["short"], "MCP_AUTH_TOKENS").unwrap_err().contains("at least 16"));
        assert!(StaticTokens::new(["has a space in it, long"], "x").is_err());
        assert!(StaticTokens::new([" ", ""], "MCP_AUTH_TOKENS").unwrap_err().contains("holds no token"));
    }

    #[test]
    fn requests_get_a_challenge_unless_they_carry_a_token() {
        let t = tokens();
        let with = |value: Option<&str>| {
            let mut h = HeaderMap::new();
            if let Some(v) = value {
                h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            }
            t.check(&h).err()
        };
        assert!(with(Some("Bearer first-token-0123456789")).is_none());
        assert!(with(Some("bearer   second-token-0123456789")).is_none());
        for (value, challenge) in [
            (None, "Bearer realm=\"mcp\""),
            (Some("Basic Zm9vOmJhcg=="), "Bearer realm=\"mcp\""),
            (Some("Bearer wrong-token-0123456789"), "Bearer realm=\"mcp\", error=\"invalid_token\""),
        ] {
            let response = with(value).expect("a 401");
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{value:?}");
            assert_eq!(response.headers()[header::WWW_AUTHENTICATE], challenge, "{value:?}");
        }
    }
}
