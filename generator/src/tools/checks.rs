//! Schema checks remembered by content, for one derivation, and output schemas shared.
//!
//! Checking a tool schema (compiling it with the validator the runtime uses) was the largest
//! part of deriving a large API's tools, and many tools share a schema: GitHub's 886 output
//! schemas are 453 different ones (6.0 MB of JSON, 2.5 MB of it different). A schema's verdict
//! depends only on its text, so each text is checked once. Output schemas repeat the most
//! (Microsoft Graph beta: 22,361 tools, 2,203 different output schemas, 147 MB of JSON of which
//! 22 MB different), and held as trees they were most of the generator's memory: tools with the
//! same output schema share one tree.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Verdicts of [`super::check_schema`], keyed by the SHA-256 of the schema's JSON text (the
/// texts themselves would hold every schema twice).
#[derive(Default)]
pub struct Checks {
    seen: Mutex<HashMap<[u8; 32], Result<(), String>>>,
    shared: Mutex<HashMap<[u8; 32], Arc<Value>>>,
}

/// What a schema is known by: the SHA-256 of its JSON text.
pub type Key = [u8; 32];

impl Checks {
    /// [`super::check_schema`], or its verdict on the same text before. Threads may check one
    /// text at the same time; they reach the same verdict.
    pub fn check(&self, schema: &Value) -> Result<(), String> {
        self.verdict(schema).1
    }

    /// [`Checks::check`], with the schema's key for [`Checks::share`].
    pub fn verdict(&self, schema: &Value) -> (Key, Result<(), String>) {
        let key: Key = Sha256::digest(schema.to_string().as_bytes()).into();
        let known = self.seen.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
        if let Some(verdict) = known {
            return (key, verdict);
        }
        let verdict = super::check_schema(schema);
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).insert(key, verdict.clone());
        (key, verdict)
    }

    /// The one tree of the schema known by `key` (`schema` itself the first time).
    pub fn share(&self, key: Key, schema: Value) -> Arc<Value> {
        self.shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert_with(|| Arc::new(schema))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_verdict_is_the_checks_and_is_kept_per_text() {
        let checks = Checks::default();
        let bad = json!({"type": "object", "properties": {"a": {"type": 5}}});
        let good = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        for _ in 0..2 {
            assert_eq!(checks.check(&bad), super::super::check_schema(&bad));
            assert!(checks.check(&bad).is_err());
            assert_eq!(checks.check(&good), Ok(()));
        }
        assert_eq!(checks.seen.lock().unwrap().len(), 2);
    }

    #[test]
    fn equal_schemas_share_one_tree() {
        let checks = Checks::default();
        let make = || json!({"type": "object", "properties": {"a": {"type": "string"}}});
        let (k1, _) = checks.verdict(&make());
        let (k2, _) = checks.verdict(&make());
        let other = json!({"type": "object"});
        let (k3, _) = checks.verdict(&other);
        assert_eq!(k1, k2);
        assert_ne!(k1, k3);
        let (a, b, c) = (checks.share(k1, make()), checks.share(k2, make()), checks.share(k3, other.clone()));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!((&*a, &*c), (&make(), &other));
    }
}
