//! Protocol versions and the two generations they belong to.

use super::jsonrpc::{ErrorObject, codes};
use serde_json::{Map, Value, json};

/// Versions reached through the `initialize` handshake, oldest first.
pub const LEGACY_VERSIONS: &[&str] = &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// Versions that use the stateless per-request `_meta` envelope, oldest first.
pub const MODERN_VERSIONS: &[&str] = &["2026-07-28"];

/// The newest handshake version: offered when a client asks for one we do not know.
pub const LATEST_LEGACY_VERSION: &str = "2025-11-25";

/// `_meta` key carrying a modern request's protocol version.
pub const PROTOCOL_VERSION_META_KEY: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key carrying a modern request's client capabilities.
pub const CLIENT_CAPABILITIES_META_KEY: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key carrying a modern request's client info (optional).
pub const CLIENT_INFO_META_KEY: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key carrying a modern request's log level opt-in.
pub const LOG_LEVEL_META_KEY: &str = "io.modelcontextprotocol/logLevel";
/// `_meta` key on `server/discover` results naming the server.
pub const SERVER_INFO_META_KEY: &str = "io.modelcontextprotocol/serverInfo";

/// Which protocol generation a message speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// 2024-11-05 .. 2025-11-25: `initialize` handshake and sessions.
    Legacy,
    /// 2026-07-28: stateless, every request carries its own `_meta` envelope.
    Modern,
}

impl Generation {
    /// A request is modern when its `params._meta` carries the reserved protocol-version key.
    /// A bare `_meta` is not evidence: legacy requests put `progressToken` there.
    pub fn of_params(params: Option<&Value>) -> Generation {
        let modern = params
            .and_then(|p| p.get("_meta"))
            .and_then(Value::as_object)
            .is_some_and(|meta| meta.contains_key(PROTOCOL_VERSION_META_KEY));
        if modern { Generation::Modern } else { Generation::Legacy }
    }
}

/// Version negotiation for `initialize`: echo a supported version, else offer the latest.
pub fn negotiate_legacy(requested: Option<&str>) -> &'static str {
    requested.and_then(|r| LEGACY_VERSIONS.iter().find(|v| **v == r).copied()).unwrap_or(LATEST_LEGACY_VERSION)
}

/// The `_meta` of a 2026-07-28 request, once it carries both required keys; -32602 naming
/// what is missing otherwise.
pub fn envelope_meta(params: Option<&Value>) -> Result<&Map<String, Value>, ErrorObject> {
    let meta = params.and_then(|p| p.get("_meta")).and_then(Value::as_object).ok_or_else(|| {
        ErrorObject::invalid_params(format!(
            "params._meta must be an object carrying `{PROTOCOL_VERSION_META_KEY}` and `{CLIENT_CAPABILITIES_META_KEY}`"
        ))
    })?;
    let missing: Vec<&str> = [PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY]
        .into_iter()
        .filter(|k| !meta.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(ErrorObject::invalid_params(format!(
            "params._meta is missing the required key(s): {}",
            missing.join(", ")
        )));
    }
    Ok(meta)
}

/// The envelope's protocol version if this runtime speaks it: -32602 when it is not a string,
/// -32022 with the supported versions when it is unknown.
pub fn modern_version(meta: &Map<String, Value>) -> Result<&str, ErrorObject> {
    let version = meta[PROTOCOL_VERSION_META_KEY]
        .as_str()
        .ok_or_else(|| ErrorObject::invalid_params(format!("`{PROTOCOL_VERSION_META_KEY}` must be a string")))?;
    if !MODERN_VERSIONS.contains(&version) {
        return Err(ErrorObject::new(codes::UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version")
            .with_data(json!({"supported": MODERN_VERSIONS, "requested": version})));
    }
    Ok(version)
}

/// Every version this runtime speaks, oldest first.
pub fn all_versions() -> Vec<&'static str> {
    LEGACY_VERSIONS.iter().chain(MODERN_VERSIONS).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn negotiation_echoes_known_versions_and_offers_latest_otherwise() {
        for v in LEGACY_VERSIONS {
            assert_eq!(negotiate_legacy(Some(v)), *v);
        }
        assert_eq!(negotiate_legacy(Some("1999-01-01")), LATEST_LEGACY_VERSION);
        assert_eq!(negotiate_legacy(Some("2026-07-28")), LATEST_LEGACY_VERSION);
        assert_eq!(negotiate_legacy(None), LATEST_LEGACY_VERSION);
    }

    #[test]
    fn generation_is_decided_by_the_envelope_key_only() {
        assert_eq!(Generation::of_params(None), Generation::Legacy);
        assert_eq!(Generation::of_params(Some(&json!({"_meta": {"progressToken": 1}}))), Generation::Legacy);
        let modern = json!({"_meta": {PROTOCOL_VERSION_META_KEY: "2026-07-28"}});
        assert_eq!(Generation::of_params(Some(&modern)), Generation::Modern);
    }
}
