//! Schema checks remembered by content, for one derivation.
//!
//! Checking a tool schema (compiling it with the validator the runtime uses) was the largest
//! part of deriving a large API's tools, and many tools share a schema: GitHub's 886 output
//! schemas are 453 different ones (6.0 MB of JSON, 2.5 MB of it different). A schema's verdict
//! depends only on its text, so each text is checked once.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Verdicts of [`super::check_schema`], keyed by the SHA-256 of the schema's JSON text (the
/// texts themselves would hold every schema twice).
#[derive(Default)]
pub struct Checks {
    seen: Mutex<HashMap<[u8; 32], Result<(), String>>>,
}

impl Checks {
    /// [`super::check_schema`], or its verdict on the same text before. Threads may check one
    /// text at the same time; they reach the same verdict.
    pub fn check(&self, schema: &Value) -> Result<(), String> {
        let key: [u8; 32] = Sha256::digest(schema.to_string().as_bytes()).into();
        let known = self.seen.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
        if let Some(verdict) = known {
            return verdict;
        }
        let verdict = super::check_schema(schema);
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).insert(key, verdict.clone());
        verdict
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
}
