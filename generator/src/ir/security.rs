//! Security schemes: how a request carries credentials.

use super::Warning;
use super::parameter::{ParamLocation, is_token};
use super::resolve::resolve_ref;
use crate::load::Document;
use crate::load::pointer::Loc;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    pub name: String,
    pub description: Option<String>,
    pub kind: SchemeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SchemeKind {
    /// A key sent as the header, query parameter or cookie `param`.
    ApiKey { location: ParamLocation, param: String },
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// OAuth 2: a bearer token, fetched with client credentials when the flow exists.
    OAuth2 { token_url: Option<String>, scopes: Vec<String> },
    /// OpenID Connect: a bearer token supplied by the user.
    OpenIdConnect,
    /// A scheme the runtime cannot apply (mutual TLS, HTTP digest, ...), with why.
    Unsupported(String),
}

pub fn schemes(doc: &Document, warnings: &mut Vec<Warning>) -> BTreeMap<String, SecurityScheme> {
    let mut out = BTreeMap::new();
    let Some(Value::Object(map)) = doc.root.get("components").and_then(|c| c.get("securitySchemes")) else {
        return out;
    };
    for (name, raw) in map {
        let at = Loc::root().key("components").key("securitySchemes").key(name);
        let kind = match resolve_ref(doc, raw) {
            Ok(s) => kind(s),
            Err(e) => SchemeKind::Unsupported(e),
        };
        if let SchemeKind::Unsupported(why) = &kind {
            warnings.push(Warning {
                at: at.to_string(),
                message: format!("security scheme not supported: {why}"),
                skipped: false,
            });
        }
        let description = raw.get("description").and_then(Value::as_str).map(str::to_string);
        out.insert(name.clone(), SecurityScheme { name: name.clone(), description, kind });
    }
    out
}

fn kind(s: &Value) -> SchemeKind {
    let text = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("");
    match text("type") {
        "apiKey" => {
            let location = match text("in") {
                "header" => ParamLocation::Header,
                "query" => ParamLocation::Query,
                "cookie" => ParamLocation::Cookie,
                other => return SchemeKind::Unsupported(format!("API key location `in: {other}`")),
            };
            let param = text("name");
            if param.is_empty() || (location != ParamLocation::Query && !is_token(param)) {
                return SchemeKind::Unsupported(format!(
                    "API key name `{param}` is not a valid {} name",
                    location.as_str()
                ));
            }
            SchemeKind::ApiKey { location, param: param.to_string() }
        }
        "http" => match text("scheme").to_ascii_lowercase().as_str() {
            "bearer" => SchemeKind::Bearer,
            "basic" => SchemeKind::Basic,
            other => SchemeKind::Unsupported(format!("HTTP authentication scheme `{other}`")),
        },
        "oauth2" => {
            let cc = s.get("flows").and_then(|f| f.get("clientCredentials"));
            let token_url = cc.and_then(|c| c.get("tokenUrl")).and_then(Value::as_str).map(str::to_string);
            let scopes = cc
                .and_then(|c| c.get("scopes"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            SchemeKind::OAuth2 { token_url, scopes }
        }
        "openIdConnect" => SchemeKind::OpenIdConnect,
        "mutualTLS" => SchemeKind::Unsupported("mutual TLS".into()),
        other => SchemeKind::Unsupported(format!("type `{other}`")),
    }
}
