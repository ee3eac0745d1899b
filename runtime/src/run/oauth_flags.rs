//! The command line's OAuth resource server flags (feature `oauth`): which authorization server
//! issues the tokens this server accepts, and for which resource. The introspection secret comes
//! only from the environment (`MCP_OAUTH_INTROSPECTION_CLIENT_SECRET`), never from a flag.

use crate::auth::oauth::{IntrospectionClient, OAuthConfig};
use clap::Args;
use std::time::Duration;

#[derive(Debug, Clone, Args, PartialEq)]
pub(super) struct OAuthFlags {
    /// Accept OAuth access tokens issued by this authorization server (its issuer URL; its
    /// metadata names its keys). Needs --oauth-resource.
    #[arg(long, env = "MCP_OAUTH_ISSUER", value_name = "URL")]
    oauth_issuer: Option<String>,
    /// This server's resource identifier, its public MCP URL (`https://mcp.example.com/mcp`):
    /// tokens must be issued for it (aud).
    #[arg(long, env = "MCP_OAUTH_RESOURCE", value_name = "URL")]
    oauth_resource: Option<String>,
    /// A scope every request's token must grant (repeatable; MCP_OAUTH_SCOPES is comma-separated).
    #[arg(long = "oauth-scope", env = "MCP_OAUTH_SCOPES", value_delimiter = ',', value_name = "SCOPE")]
    oauth_scopes: Vec<String>,
    /// The issuer's key set, instead of the one its metadata names.
    #[arg(long, env = "MCP_OAUTH_JWKS_URI", value_name = "URL")]
    oauth_jwks_uri: Option<String>,
    /// The issuer's key set from this file (a JWK set), never fetched.
    #[arg(long, env = "MCP_OAUTH_JWKS_FILE", value_name = "PATH")]
    oauth_jwks_file: Option<std::path::PathBuf>,
    /// Introspect opaque tokens (RFC 7662) as this client of the authorization server; its secret
    /// is MCP_OAUTH_INTROSPECTION_CLIENT_SECRET.
    #[arg(long, env = "MCP_OAUTH_INTROSPECTION_CLIENT_ID", value_name = "ID")]
    oauth_introspection_client_id: Option<String>,
    /// The introspection endpoint, instead of the one the issuer's metadata names.
    #[arg(long, env = "MCP_OAUTH_INTROSPECTION_URL", value_name = "URL")]
    oauth_introspection_url: Option<String>,
    /// Clock skew allowed on a token's exp and nbf, in seconds [default: 10].
    #[arg(long, env = "MCP_OAUTH_LEEWAY", value_name = "SECONDS")]
    oauth_leeway: Option<u64>,
}

impl OAuthFlags {
    /// The configuration the flags ask for; `None` when they name no issuer.
    pub fn config(&self) -> Result<Option<OAuthConfig>, String> {
        let (issuer, resource) = match (&self.oauth_issuer, &self.oauth_resource) {
            (None, None) => return Ok(None),
            (Some(issuer), Some(resource)) => (issuer, resource),
            (Some(_), None) => {
                return Err("--oauth-issuer needs --oauth-resource: the URL clients reach this server at".into());
            }
            (None, Some(_)) => return Err("--oauth-resource needs --oauth-issuer: the authorization server".into()),
        };
        let mut config = OAuthConfig::new(issuer, resource);
        config.required_scopes =
            self.oauth_scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        config.jwks_uri = self.oauth_jwks_uri.clone();
        if let Some(path) = &self.oauth_jwks_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the OAuth key set `{}`: {e}", path.display()))?;
            config.jwks = Some(text);
        }
        if let Some(seconds) = self.oauth_leeway {
            config.leeway = Duration::from_secs(seconds);
        }
        if let Some(client_id) = &self.oauth_introspection_client_id {
            let client_secret = std::env::var("MCP_OAUTH_INTROSPECTION_CLIENT_SECRET")
                .ok()
                .filter(|s| !s.is_empty())
                .ok_or("--oauth-introspection-client-id needs MCP_OAUTH_INTROSPECTION_CLIENT_SECRET")?;
            config.introspection = Some(IntrospectionClient {
                client_id: client_id.clone(),
                client_secret,
                endpoint: self.oauth_introspection_url.clone(),
            });
        }
        config.check()?;
        Ok(Some(config))
    }
}
