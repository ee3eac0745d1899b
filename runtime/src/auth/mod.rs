//! Who is calling, on the HTTP transports (DESIGN.md §7): the identity a bearer token proves,
//! and (feature `oauth`) the OAuth 2.1 resource server that proves it from an access token.
//!
//! STDIO has no identity: a local client that starts the server is trusted, as the MCP
//! authorization specification says.

mod caller;
#[cfg(feature = "oauth")]
pub mod oauth;

pub use caller::{ApiCredentials, Caller};

use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The verified caller of a request: what a static token or an OAuth access token proved.
/// Handlers read it through [`crate::RequestContext::identity`]; never holds the token itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's subject (`sub`), for OAuth tokens.
    pub subject: Option<String>,
    /// The OAuth client the token was issued to (`client_id`, or `azp`).
    pub client_id: Option<String>,
    /// The scopes the token grants; `None` for a static token, which is not limited by scope.
    pub scopes: Option<Arc<[String]>>,
    /// The token's issuer (`iss`), for OAuth tokens.
    pub issuer: Option<String>,
    /// What the caller is recognised by across requests (a legacy session is bound to it, rate
    /// limits count by it): the token's digest for a static token, the issuer, subject and client
    /// for an OAuth token, so a refreshed token is the same caller.
    fingerprint: [u8; 32],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("subject", &self.subject)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The holder of a static bearer token (`token`: the bytes presented).
    #[cfg(test)]
    pub(crate) fn static_token(token: &[u8]) -> Identity {
        Identity::static_token_digest(Sha256::digest(token).into())
    }

    /// The holder of the static token whose SHA-256 digest is `digest` (computed once, by the
    /// comparison that accepted it).
    pub(crate) fn static_token_digest(digest: [u8; 32]) -> Identity {
        Identity { subject: None, client_id: None, scopes: None, issuer: None, fingerprint: digest }
    }

    /// An OAuth token's caller. Its fingerprint does not depend on the token, so a session opened
    /// with one token goes on with its refreshed successor.
    pub fn oauth(
        issuer: Option<String>,
        subject: Option<String>,
        client_id: Option<String>,
        scopes: Vec<String>,
    ) -> Identity {
        let mut digest = Sha256::new();
        for part in [&issuer, &subject, &client_id] {
            let part = part.as_deref().unwrap_or_default();
            digest.update((part.len() as u64).to_be_bytes());
            digest.update(part.as_bytes());
        }
        Identity { subject, client_id, scopes: Some(scopes.into()), issuer, fingerprint: digest.finalize().into() }
    }

    /// Whether the token grants `scope` (a static token grants every scope).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.as_ref().is_none_or(|granted| granted.iter().any(|s| s == scope))
    }

    /// Those of `required` the token does not grant.
    pub fn missing_scopes<'a>(&self, required: &'a [String]) -> Vec<&'a str> {
        required.iter().filter(|s| !self.has_scope(s)).map(String::as_str).collect()
    }

    /// What a legacy session is bound to and rate limits count by.
    pub(crate) fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// A name for logs that never shows a token: the subject (and client), else the first
    /// 12 hex digits of the static token's digest.
    pub fn log_name(&self) -> String {
        match (&self.subject, &self.client_id) {
            (Some(sub), Some(client)) => format!("{sub} (client {client})"),
            (Some(sub), None) => sub.clone(),
            (None, Some(client)) => format!("client {client}"),
            (None, None) => {
                let hex: String = self.fingerprint[..6].iter().map(|b| format!("{b:02x}")).collect();
                format!("token {hex}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_token_grants_every_scope_and_an_oauth_token_only_its_own() {
        let token = Identity::static_token(b"secret-token-0123456789");
        assert!(token.has_scope("anything"));
        assert!(!format!("{token:?}").contains("secret") && token.log_name().starts_with("token "));
        let oauth = Identity::oauth(Some("https://as".into()), Some("alice".into()), None, vec!["read".into()]);
        let required = ["read".to_string(), "write".to_string()];
        assert_eq!(oauth.missing_scopes(&required), ["write"]);
        assert!(token.missing_scopes(&required).is_empty());
        assert_eq!(oauth.log_name(), "alice");
    }

    #[test]
    fn an_oauth_fingerprint_is_the_caller_not_the_token() {
        let a = |sub: &str, client: &str, scopes: &[&str]| {
            let scopes = scopes.iter().map(|s| s.to_string()).collect();
            Identity::oauth(Some("https://as".into()), Some(sub.into()), Some(client.into()), scopes).fingerprint()
        };
        assert_eq!(a("alice", "app", &["read"]), a("alice", "app", &["read", "write"]));
        assert_ne!(a("alice", "app", &[]), a("bob", "app", &[]));
        assert_ne!(a("alice", "app", &[]), a("alice", "other", &[]));
        // Parts are length-prefixed: moving a character across a boundary is another caller.
        assert_ne!(a("ab", "c", &[]), a("a", "bc", &[]));
    }
}
