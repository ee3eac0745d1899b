//! The issuer's signing keys, cached. A token signed with a key the cache does not hold makes
//! the cache fetch the key set again, so key rotation works without a restart; at most one
//! fetch runs at a time and at most one per `OAuthConfig::jwks_refetch_interval`, so a flood of tokens naming
//! unknown keys cannot hammer the issuer.

use super::Rejection;
use super::fetch::Fetcher;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Keys older than this are fetched again before use: a key the issuer withdrew stops working.
const MAX_AGE: Duration = Duration::from_secs(3600);
/// A key set larger than this is refused: no issuer publishes hundreds of signing keys.
const MAX_KEYS: usize = 64;

struct Key {
    id: Option<String>,
    /// The algorithm the key set pins the key to, if it does.
    algorithm: Option<Algorithm>,
    key: DecodingKey,
}

#[derive(Default)]
struct Table {
    keys: Vec<Key>,
    fetched: Option<Instant>,
}

#[derive(Default)]
pub(super) struct KeyCache {
    table: RwLock<Arc<Table>>,
    /// Keys given in the configuration: never fetched, never stale.
    fixed: bool,
    /// Held while fetching, one fetch at a time; when the last one was tried.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl KeyCache {
    /// The keys of a JWK set given as text, used as they are.
    pub fn fixed(jwks: &str) -> Result<KeyCache, String> {
        let set: jsonwebtoken::jwk::JwkSet =
            serde_json::from_str(jwks).map_err(|e| format!("the OAuth key set is not a JWK set: {e}"))?;
        let keys = usable(&set.keys);
        if keys.is_empty() {
            return Err("the OAuth key set has no signature key this server can use (RSA, EC or Ed25519)".into());
        }
        let table = Table { keys, fetched: Some(Instant::now()) };
        Ok(KeyCache { table: RwLock::new(Arc::new(table)), fixed: true, ..KeyCache::default() })
    }

    /// The key that verifies a token with header `kid` and `alg`.
    pub async fn key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        fetcher: &Fetcher,
        refetch_interval: Duration,
    ) -> Result<DecodingKey, Rejection> {
        let current = self.current();
        if self.fixed {
            return find(&current, kid, alg)?.ok_or_else(|| Rejection::InvalidToken(unknown_key(kid)));
        }
        let fresh = |table: &Table| table.fetched.is_some_and(|at| at.elapsed() < MAX_AGE);
        if fresh(&current)
            && let Some(key) = find(&current, kid, alg)?
        {
            return Ok(key);
        }
        let mut last_attempt = self.last_attempt.lock().await;
        // Another request may have fetched while this one waited.
        let current = self.current();
        if fresh(&current)
            && let Some(key) = find(&current, kid, alg)?
        {
            return Ok(key);
        }
        if last_attempt.is_some_and(|at| at.elapsed() < refetch_interval) {
            return find(&current, kid, alg)?.ok_or_else(|| Rejection::InvalidToken(unknown_key(kid)));
        }
        *last_attempt = Some(Instant::now());
        let set = match fetcher.jwks().await {
            Ok(set) => set,
            // An issuer that cannot be reached does not withdraw the keys it published.
            Err(e) => return find(&current, kid, alg)?.ok_or(e),
        };
        let table = Arc::new(Table { keys: usable(&set.keys), fetched: Some(Instant::now()) });
        tracing::debug!(keys = table.keys.len(), "fetched the authorization server's key set");
        *self.table.write().expect("key table lock") = Arc::clone(&table);
        find(&table, kid, alg)?.ok_or_else(|| Rejection::InvalidToken(unknown_key(kid)))
    }

    fn current(&self) -> Arc<Table> {
        Arc::clone(&self.table.read().expect("key table lock"))
    }
}

fn unknown_key(kid: Option<&str>) -> String {
    match kid {
        Some(kid) => format!("the access token is signed with an unknown key (kid `{}`)", shown(kid)),
        None => "the access token names no key (kid) and the issuer has more than one".into(),
    }
}

/// A `kid` as it may appear in a message: short, printable.
fn shown(kid: &str) -> String {
    kid.chars().filter(|c| c.is_ascii_graphic()).take(64).collect()
}

/// The key `kid` names (without a `kid`, the one key there is). A key pinned to another
/// algorithm than the token's is an error, not a miss: fetching again would not change it.
fn find(table: &Table, kid: Option<&str>, alg: Algorithm) -> Result<Option<DecodingKey>, Rejection> {
    let key = match kid {
        Some(kid) => table.keys.iter().find(|k| k.id.as_deref() == Some(kid)),
        None if table.keys.len() == 1 => table.keys.first(),
        None => None,
    };
    let Some(key) = key else { return Ok(None) };
    if key.algorithm.is_some_and(|pinned| pinned != alg) || key.key.family() != alg.family() {
        return Err(Rejection::InvalidToken(format!("the access token's algorithm {alg:?} does not match its key")));
    }
    Ok(Some(key.key.clone()))
}

/// The signature keys of a set that `jsonwebtoken` can use; symmetric keys never (a resource
/// server has no business sharing a secret with the issuer).
fn usable(keys: &[Jwk]) -> Vec<Key> {
    keys.iter()
        .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)))
        .filter(|jwk| !matches!(jwk.algorithm, jsonwebtoken::jwk::AlgorithmParameters::OctetKey(_)))
        .filter_map(|jwk| {
            let key = DecodingKey::from_jwk(jwk).ok()?;
            let algorithm = match jwk.common.key_algorithm {
                Some(alg) => Some(alg.to_string().parse::<Algorithm>().ok()?),
                None => None,
            };
            Some(Key { id: jwk.common.key_id.clone(), algorithm, key })
        })
        .take(MAX_KEYS)
        .collect()
}
