//! JWT access tokens already verified, kept by the token's digest until they expire (and no
//! longer than `MAX_AGE`): a client sends the same token with every request, and checking an
//! ES256 signature again costs about 65 µs of CPU (bench/auth) where a digest and a lookup cost
//! about one. Bounded; a key the issuer withdraws stops a cached token within `MAX_AGE`.

use crate::auth::Identity;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MAX_AGE: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(super) struct Verified {
    entries: Mutex<HashMap<[u8; 32], (Instant, Identity)>>,
}

impl Verified {
    pub fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The caller a token proved, while its entry lasts.
    pub fn get(&self, digest: &[u8; 32]) -> Option<Identity> {
        let entries = self.entries.lock().expect("verified tokens lock");
        entries.get(digest).filter(|(until, _)| Instant::now() < *until).map(|(_, identity)| identity.clone())
    }

    /// Remembers a token that verified, until `exp` (seconds since the epoch) or `MAX_AGE`.
    pub fn insert(&self, digest: [u8; 32], identity: Identity, exp: u64) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let left = Duration::from_secs(exp.saturating_sub(now)).min(MAX_AGE);
        if left.is_zero() {
            return;
        }
        let until = Instant::now() + left;
        let mut entries = self.entries.lock().expect("verified tokens lock");
        if entries.len() >= MAX_ENTRIES {
            let now = Instant::now();
            entries.retain(|_, (until, _)| now < *until);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(digest, (until, identity));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lasts_until_the_token_expires_and_never_past_it() {
        let verified = Verified::default();
        let identity = Identity::oauth(None, Some("alice".into()), None, vec![]);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let (live, expired) = (Verified::digest("live"), Verified::digest("expired"));
        verified.insert(live, identity.clone(), now + 600);
        verified.insert(expired, identity.clone(), now - 1);
        assert_eq!(verified.get(&live).and_then(|i| i.subject), Some("alice".to_string()));
        assert!(verified.get(&expired).is_none(), "an expired token is never kept");
        assert!(verified.get(&Verified::digest("other")).is_none());
    }
}
