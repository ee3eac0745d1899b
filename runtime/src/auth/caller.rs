//! What an HTTP request says about who sent it: the verified [`Identity`], and the API
//! credentials the client brought for its own calls (`--client-credential`).

use super::Identity;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The credentials a client sent for the API's security schemes, by scheme name, as read from
/// the request headers the operator mapped (`--client-credential SCHEME=HEADER`). When a server
/// maps any, a call over HTTP carries these and never the server's own credentials. Kept for the
/// request (or the legacy session), never logged: `Debug` shows the scheme names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiCredentials {
    values: Vec<(String, String)>,
}

impl std::fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let schemes: Vec<&str> = self.values.iter().map(|(s, _)| s.as_str()).collect();
        write!(f, "ApiCredentials({schemes:?}, redacted)")
    }
}

impl ApiCredentials {
    pub(crate) fn new(values: Vec<(String, String)>) -> ApiCredentials {
        ApiCredentials { values }
    }

    /// The client's credential for the scheme `scheme`, as it sent it.
    pub fn get(&self, scheme: &str) -> Option<&str> {
        self.values.iter().find(|(s, _)| s == scheme).map(|(_, v)| v.as_str())
    }

    /// Each scheme and the client's credential for it.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(s, v)| (s.as_str(), v.as_str()))
    }

    /// What a client with these credentials and no other identity is recognised by.
    fn fingerprint(&self) -> Option<[u8; 32]> {
        if self.values.is_empty() {
            return None;
        }
        let mut digest = Sha256::new();
        for (scheme, value) in &self.values {
            for part in [scheme, value] {
                digest.update((part.len() as u64).to_be_bytes());
                digest.update(part.as_bytes());
            }
        }
        Some(digest.finalize().into())
    }
}

/// Who sent a request, as the HTTP transport found out.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The verified identity, when the server authenticates.
    pub identity: Option<Arc<Identity>>,
    /// The client's own API credentials, when the server maps any (`None` otherwise).
    pub api_credentials: Option<Arc<ApiCredentials>>,
}

impl Caller {
    /// What a legacy session is bound to and rate limits count by: the identity, else the API
    /// credentials the client brought, else nothing.
    pub(crate) fn fingerprint(&self) -> Option<[u8; 32]> {
        match &self.identity {
            Some(identity) => Some(identity.fingerprint()),
            None => self.api_credentials.as_ref().and_then(|c| c.fingerprint()),
        }
    }
}
