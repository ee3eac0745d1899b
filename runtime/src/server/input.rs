//! Input-required results (2026-07-28, SEP-2322): a handler that needs something from the
//! client returns the requests; the client answers them and calls again with
//! `inputResponses` and the echoed `requestState`.
//!
//! Handlers are written once for both generations: on legacy sessions the runtime sends the
//! requests to the client itself (`elicitation/create`, `sampling/createMessage`, ...) and calls
//! the handler again with the answers.

use super::context::RequestContext;
use crate::protocol::ErrorObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

/// What a handler needs from the client before it can finish.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputRequired {
    /// Key → `{"method": ..., "params": ...}`; the answers come back under the same keys.
    pub requests: Map<String, Value>,
    /// Opaque state the handler wants back on the next call. The runtime signs it, so a
    /// client cannot alter it.
    pub state: Option<String>,
}

impl InputRequired {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the client to run `method` with `params`; its answer arrives under `key`.
    pub fn request(mut self, key: impl Into<String>, method: &str, params: Value) -> Self {
        self.requests.insert(key.into(), json!({"method": method, "params": params}));
        self
    }

    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// The `InputRequiredResult` JSON, with the state signed for `scope`.
    pub(crate) fn to_value(&self, signer: &StateSigner, scope: &str) -> Value {
        let mut result = json!({"resultType": "input_required", "inputRequests": self.requests});
        if let Some(state) = &self.state {
            result["requestState"] = json!(signer.sign(scope, state));
        }
        result
    }
}

/// What a follow-up call brought: the client's answers and the handler's own state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct InputResponses {
    pub responses: Option<Map<String, Value>>,
    pub state: Option<String>,
}

impl InputResponses {
    /// Reads `inputResponses` and `requestState` from request params, checking the state's
    /// signature. Malformed or tampered input is -32602.
    /// `scope` names the method and tool or prompt the state was issued for; it is only built
    /// when the request carries state to verify.
    pub fn from_params(
        params: Option<&Value>,
        signer: &StateSigner,
        scope: impl FnOnce() -> String,
    ) -> Result<Self, ErrorObject> {
        let responses = match params.and_then(|p| p.get("inputResponses")) {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map.clone()),
            Some(_) => return Err(ErrorObject::invalid_params("`inputResponses` must be an object keyed by request")),
        };
        let state = match params.and_then(|p| p.get("requestState")) {
            None | Some(Value::Null) => None,
            Some(Value::String(token)) => Some(signer.verify(&scope(), token).ok_or_else(|| {
                ErrorObject::invalid_params(
                    "`requestState` failed its integrity check: it was not issued for this request, or was issued \
                     by a replica with another state key (give every replica the same MCP_STATE_KEY)",
                )
            })?),
            Some(_) => return Err(ErrorObject::invalid_params("`requestState` must be a string")),
        };
        Ok(InputResponses { responses, state })
    }
}

/// How many input rounds a legacy call may take before the runtime gives up (a handler that
/// keeps asking would otherwise loop forever).
pub(crate) const MAX_LEGACY_ROUNDS: usize = 8;

/// How long the runtime waits for a legacy client to answer one input request.
const LEGACY_ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Legacy sessions have a back channel: send each request to the client, collect the answers.
pub(crate) async fn fulfil_on_legacy(
    ctx: &RequestContext,
    required: InputRequired,
) -> Result<InputResponses, ErrorObject> {
    let mut responses = Map::new();
    for (key, request) in required.requests {
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
        let params = request.get("params").cloned().unwrap_or_else(|| json!({}));
        let answer = ctx.request_client(method, params, LEGACY_ANSWER_TIMEOUT).await?;
        responses.insert(key, answer);
    }
    Ok(InputResponses { responses: Some(responses), state: required.state })
}

/// Signs request state with HMAC-SHA256 so it survives a round trip through the client
/// unchanged. The scope (method and name) is signed too: state from one tool is refused by another.
pub(crate) struct StateSigner {
    key: [u8; 32],
}

impl StateSigner {
    /// A signer with `key`, or a random one. Replicas behind a load balancer need a shared key.
    pub fn new(key: Option<[u8; 32]>) -> Self {
        let key = key.unwrap_or_else(|| {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).expect("the operating system's random source is unavailable");
            key
        });
        StateSigner { key }
    }

    fn mac(&self, scope: &str, payload: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }

    pub fn sign(&self, scope: &str, state: &str) -> String {
        let tag = self.mac(scope, state.as_bytes());
        format!("{}.{}", URL_SAFE_NO_PAD.encode(state), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The state inside `token`, if this signer issued it for `scope`.
    pub fn verify(&self, scope: &str, token: &str) -> Option<String> {
        let (payload, tag) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(&payload);
        mac.verify_slice(&tag).ok()?;
        String::from_utf8(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_state_round_trips_and_tampering_is_caught() {
        let signer = StateSigner::new(None);
        let token = signer.sign("tools/call:a", "step=2");
        assert_eq!(signer.verify("tools/call:a", &token).as_deref(), Some("step=2"));
        assert_eq!(signer.verify("tools/call:b", &token), None, "bound to its scope");
        let mut tampered = token.clone();
        tampered.insert(0, 'x');
        assert_eq!(signer.verify("tools/call:a", &tampered), None);
        assert_eq!(StateSigner::new(None).verify("tools/call:a", &token), None, "another key");
        assert_eq!(signer.verify("tools/call:a", "no-dot"), None);
    }

    #[test]
    fn follow_up_params_are_checked() {
        let signer = StateSigner::new(Some([7; 32]));
        let ok = json!({"inputResponses": {"k": {"action": "accept"}}, "requestState": signer.sign("s", "st")});
        let read = InputResponses::from_params(Some(&ok), &signer, || "s".into()).unwrap();
        assert_eq!(read.state.as_deref(), Some("st"));
        assert!(read.responses.unwrap().contains_key("k"));
        for bad in [json!({"inputResponses": [1]}), json!({"requestState": "forged.state"}), json!({"requestState": 5})]
        {
            assert_eq!(
                InputResponses::from_params(Some(&bad), &signer, || "s".into()).unwrap_err().code,
                -32602,
                "{bad}"
            );
        }
    }
}
