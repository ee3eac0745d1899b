//! mcpgen.toml's `[server]` table: how a generated server guards itself when nothing on its
//! command line or in its environment says otherwise (OAuth, clients' own API credentials, rate
//! limits). Baked into the crate's `generated::run_options()` at generation; the server's flags
//! and `MCP_*` variables still override it.

use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "cli", serde(deny_unknown_fields, rename_all = "kebab-case"))]
pub struct ServerDefaults {
    /// Accept OAuth access tokens from this authorization server (needs `oauth-resource`).
    #[cfg_attr(feature = "cli", serde(default, skip_serializing_if = "Option::is_none"))]
    pub oauth_issuer: Option<String>,
    /// The server's public MCP URL, its OAuth resource identifier.
    #[cfg_attr(feature = "cli", serde(default, skip_serializing_if = "Option::is_none"))]
    pub oauth_resource: Option<String>,
    /// Scopes every OAuth token must grant.
    #[cfg_attr(feature = "cli", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub oauth_scopes: Vec<String>,
    /// Security scheme → the request header each client brings its own credential in.
    #[cfg_attr(feature = "cli", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub client_credentials: BTreeMap<String, String>,
    /// Requests per second each HTTP client may send.
    #[cfg_attr(feature = "cli", serde(default, skip_serializing_if = "Option::is_none"))]
    pub rate_limit: Option<u32>,
    /// Requests each HTTP client may have in flight at once.
    #[cfg_attr(feature = "cli", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_concurrent_per_client: Option<usize>,
}

impl ServerDefaults {
    pub fn is_empty(&self) -> bool {
        *self == ServerDefaults::default()
    }

    /// What is wrong with the table, named by key (`server.oauth-issuer: ...`).
    pub fn check(&self) -> Result<(), String> {
        match (&self.oauth_issuer, &self.oauth_resource) {
            (Some(_), None) => return Err("server.oauth-issuer needs server.oauth-resource".into()),
            (None, Some(_)) => return Err("server.oauth-resource needs server.oauth-issuer".into()),
            _ => {}
        }
        // The server checks them whole when it starts (https beyond loopback, no user info).
        for (key, url) in [("oauth-issuer", &self.oauth_issuer), ("oauth-resource", &self.oauth_resource)] {
            if let Some(url) = url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(format!("server.{key}: `{url}` must be an https:// URL"));
            }
        }
        for (scheme, header) in &self.client_credentials {
            let valid = !header.is_empty()
                && header.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !valid {
                return Err(format!("server.client-credentials.{scheme}: `{header}` is not a header name"));
            }
        }
        if self.rate_limit == Some(0) || self.max_concurrent_per_client == Some(0) {
            return Err("server.rate-limit and server.max-concurrent-per-client must be at least 1".into());
        }
        Ok(())
    }

    /// `generated::run_options()`: the run options the table sets, over the runtime's defaults.
    pub fn run_options_fn(&self) -> TokenStream {
        let mut sets = Vec::new();
        if let (Some(issuer), Some(resource)) = (&self.oauth_issuer, &self.oauth_resource) {
            let scopes = self.oauth_scopes.iter();
            sets.push(quote! {
                let mut oauth = mcpgen_runtime::auth::oauth::OAuthConfig::new(#issuer, #resource);
                oauth.required_scopes = vec![#(#scopes.to_string()),*];
                options.oauth = Some(oauth);
            });
        }
        if !self.client_credentials.is_empty() {
            let pairs = self.client_credentials.iter().map(|(s, h)| quote!((#s.to_string(), #h.to_string())));
            sets.push(quote!(options.client_credentials = vec![#(#pairs),*];));
        }
        if let Some(n) = self.rate_limit {
            sets.push(quote!(options.rate_limits.per_second = std::num::NonZeroU32::new(#n);));
        }
        if let Some(n) = self.max_concurrent_per_client {
            sets.push(quote!(options.rate_limits.max_concurrent = Some(#n);));
        }
        let binding = if sets.is_empty() { quote!(let options) } else { quote!(let mut options) };
        quote! {
            /// How the server guards itself unless its command line or environment says otherwise:
            /// mcpgen.toml's `[server]` table.
            pub fn run_options() -> mcpgen_runtime::RunOptions {
                #binding = mcpgen_runtime::RunOptions::default();
                #(#sets)*
                options
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_checked_key_by_key() {
        let ok = ServerDefaults {
            oauth_issuer: Some("https://auth.example.com".into()),
            oauth_resource: Some("https://mcp.example.com/mcp".into()),
            client_credentials: [("api_key".to_string(), "X-Api-Key".to_string())].into(),
            rate_limit: Some(10),
            ..ServerDefaults::default()
        };
        assert!(ok.check().is_ok());
        let lone = ServerDefaults { oauth_issuer: Some("https://a".into()), ..ServerDefaults::default() };
        assert!(lone.check().unwrap_err().contains("needs server.oauth-resource"));
        let header = ServerDefaults {
            client_credentials: [("k".to_string(), "X Bad".to_string())].into(),
            ..ServerDefaults::default()
        };
        assert!(header.check().unwrap_err().contains("server.client-credentials.k"));
        let zero = ServerDefaults { rate_limit: Some(0), ..ServerDefaults::default() };
        assert!(zero.check().is_err());
        assert!(ServerDefaults::default().is_empty() && !ok.is_empty());
    }
}
