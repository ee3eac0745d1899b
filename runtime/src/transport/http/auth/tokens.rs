//! Static bearer tokens (DESIGN.md §7): the simplest inbound authentication.
//!
//! The tokens come from `MCP_AUTH_TOKENS` (comma-separated) or a file (`--auth-token-file`, one
//! per line), never from a flag, which `ps` would show. Each is kept only as its SHA-256 digest,
//! and a presented token is compared with every digest in constant time (`subtle`), so neither a
//! token nor how much of one matched shows in the time an answer takes.

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
        self.digest_if_accepted(presented).is_some()
    }

    /// `presented`'s digest when it is one of the tokens (the same comparison as
    /// [`StaticTokens::accepts`]): what its holder is recognised by, hashed once.
    pub(crate) fn digest_if_accepted(&self, presented: &[u8]) -> Option<[u8; 32]> {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        let mut found = subtle::Choice::from(0);
        for known in &self.digests {
            found |= known.ct_eq(&digest);
        }
        bool::from(found).then_some(digest)
    }
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
}
