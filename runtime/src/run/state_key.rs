//! The key that signs what a server hands a client to bring back later (the input-required
//! `requestState`). Replicas behind a load balancer must share it, or a follow-up call that lands
//! on another replica is refused. It comes from `MCP_STATE_KEY` or a file (`--state-key-file`,
//! `MCP_STATE_KEY_FILE`), never from the command line, where `ps` would show it, and it is never
//! printed: its `Debug` is redacted.

use sha2::{Digest, Sha256};
use std::path::Path;

/// A secret's shortest accepted length: 32 characters (hex of 16 random bytes, or more).
const MIN_SECRET_CHARS: usize = 32;

/// A 32-byte HMAC key, derived from a shared secret.
#[derive(Clone, PartialEq, Eq)]
pub struct StateKey([u8; 32]);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(<redacted>)")
    }
}

impl StateKey {
    /// The key of `secret` (its SHA-256, so hex, base64 and passphrases all serve), which must be
    /// at least 32 characters once trimmed.
    pub fn from_secret(secret: &str) -> Result<StateKey, String> {
        let secret = secret.trim();
        if secret.chars().count() < MIN_SECRET_CHARS {
            return Err(format!(
                "the state key secret is {} characters; give at least {MIN_SECRET_CHARS} (e.g. `openssl rand -hex 32`)",
                secret.chars().count()
            ));
        }
        Ok(StateKey(Sha256::digest(secret.as_bytes()).into()))
    }

    /// The key of the secret in the file at `path`.
    pub fn from_file(path: &Path) -> Result<StateKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the state key file `{}`: {e}", path.display()))?;
        Self::from_secret(&text).map_err(|e| format!("`{}`: {e}", path.display()))
    }

    pub fn bytes(&self) -> [u8; 32] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_gives_one_key_that_is_never_shown() {
        let secret = "0123456789abcdef0123456789abcdef";
        let key = StateKey::from_secret(secret).unwrap();
        assert_eq!(
            key,
            StateKey::from_secret(&format!("  {secret}\n")).unwrap(),
            "surrounding space is not the secret"
        );
        assert_ne!(key, StateKey::from_secret(&format!("{secret}x")).unwrap());
        assert_eq!(format!("{key:?}"), "StateKey(<redacted>)");
        let e = StateKey::from_secret("short").unwrap_err();
        assert!(e.contains("5 characters; give at least 32"), "{e}");
    }

    #[test]
    fn a_file_holds_the_secret() {
        let dir = std::env::temp_dir().join(format!("mcpgen-state-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("key");
        std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap();
        assert_eq!(
            StateKey::from_file(&file).unwrap(),
            StateKey::from_secret("0123456789abcdef0123456789abcdef").unwrap()
        );
        let e = StateKey::from_file(&dir.join("missing")).unwrap_err();
        assert!(e.starts_with("cannot read the state key file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
