//! What the server learned about a token, kept by the token's digest until a deadline: a JWT
//! that verified (until it expires, at most `VERIFIED_MAX_AGE`: checking an ES256 signature again
//! costs about 65 µs of CPU (bench/auth) where a digest and a lookup cost about one; a key the
//! issuer withdraws stops a cached token within that time), and introspection answers. Bounded.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The longest a verified JWT is taken on trust.
pub(super) const VERIFIED_MAX_AGE: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 10_000;

pub(super) struct TokenCache<V> {
    entries: Mutex<HashMap<[u8; 32], (Instant, V)>>,
}

impl<V> Default for TokenCache<V> {
    fn default() -> Self {
        TokenCache { entries: Mutex::default() }
    }
}

impl<V: Clone> TokenCache<V> {
    pub fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// What was learned about the token, while its entry lasts.
    pub fn get(&self, digest: &[u8; 32]) -> Option<V> {
        let entries = self.entries.lock().expect("token cache lock");
        entries.get(digest).filter(|(until, _)| Instant::now() < *until).map(|(_, value)| value.clone())
    }

    /// Keeps `value` until `until`; past the bound, expired entries go first, then all.
    pub fn insert(&self, digest: [u8; 32], until: Instant, value: V) {
        let mut entries = self.entries.lock().expect("token cache lock");
        if entries.len() >= MAX_ENTRIES {
            let now = Instant::now();
            entries.retain(|_, (until, _)| now < *until);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(digest, (until, value));
    }
}

/// The deadline of a token expiring at `exp` (seconds since the epoch), at most `max` from now;
/// `None` when it has expired already.
pub(super) fn until_exp(exp: u64, max: Duration) -> Option<Instant> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let left = Duration::from_secs(exp.saturating_sub(now)).min(max);
    (!left.is_zero()).then(|| Instant::now() + left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Identity;

    #[test]
    fn an_entry_lasts_until_the_token_expires_and_never_past_it() {
        let verified = TokenCache::default();
        let identity = Identity::oauth(None, Some("alice".into()), None, vec![]);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let live = TokenCache::<Identity>::digest("live");
        let until = until_exp(now + 600, VERIFIED_MAX_AGE).expect("a live token");
        assert!(until <= Instant::now() + VERIFIED_MAX_AGE, "never longer than the bound");
        verified.insert(live, until, identity);
        assert!(until_exp(now - 1, VERIFIED_MAX_AGE).is_none(), "an expired token is never kept");
        assert_eq!(verified.get(&live).and_then(|i| i.subject), Some("alice".to_string()));
        assert!(verified.get(&TokenCache::<Identity>::digest("other")).is_none());
        verified.insert(live, Instant::now(), Identity::oauth(None, None, None, vec![]));
        assert!(verified.get(&live).is_none(), "a deadline passed");
    }
}
