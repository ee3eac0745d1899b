//! Everything the emitted files say, computed once: names, environment variables, tools.

use super::names::{crate_name, env_part};
use crate::ir::{Api, SchemeKind};
use crate::settings::SurfaceMode;
use crate::tools::ToolDef;

/// How the generated crate depends on `mcpgen-runtime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDep {
    /// A path dependency, written into Cargo.toml as given (relative to the generated crate).
    Path(String),
    /// A version requirement on crates.io, e.g. `0.1`.
    Version(String),
}

/// One security scheme with the environment variables that configure it.
#[derive(Debug, Clone)]
pub struct SchemeModel {
    pub name: String,
    pub kind: SchemeKind,
    /// `(variable, what it holds)`.
    pub env: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Model<'a> {
    pub crate_name: String,
    /// The API's own version; the MCP server reports it.
    pub api_version: String,
    pub title: String,
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub base_url_env: String,
    pub timeout_env: String,
    pub schemes: Vec<SchemeModel>,
    pub tools: &'a [ToolDef],
    pub spec_name: String,
    pub spec_sha256: String,
    /// The overlays applied to the description, as `file (sha256 ...)`.
    pub overlays: Vec<String>,
    pub runtime: RuntimeDep,
    /// How the server presents its tools, and `auto`'s budget.
    pub surface: SurfaceMode,
    pub tool_budget: Option<usize>,
    /// The run options mcpgen.toml's `[server]` sets (OAuth, clients' credentials, rate limits).
    pub server: crate::ServerDefaults,
}

impl<'a> Model<'a> {
    pub fn new(
        api: &Api,
        tools: &'a [ToolDef],
        name: Option<&str>,
        runtime: RuntimeDep,
        spec_name: &str,
        spec_sha256: &str,
    ) -> Self {
        let crate_name = crate_name(name.unwrap_or(&api.title));
        let prefix = env_part(&crate_name);
        let base_url_env = format!("{prefix}_BASE_URL");
        let timeout_env = format!("{prefix}_TIMEOUT_SECS");
        // Scheme names that sanitize alike (`api-key`, `api_key`), or to a setting's name
        // (`base url`; `port` in an API called "mcp"), must not share a variable: a secret
        // would go where another belongs.
        let mut taken: std::collections::BTreeSet<String> = [base_url_env.clone(), timeout_env.clone()].into();
        taken.extend(RUNTIME_ENV.iter().map(|v| v.to_string()));
        let schemes = api
            .security_schemes
            .values()
            .filter(|s| !matches!(s.kind, SchemeKind::Unsupported(_)))
            .map(|s| {
                let stem = format!("{prefix}_{}", env_part(&s.name));
                let env = (1..)
                    .map(|n| if n == 1 { stem.clone() } else { format!("{stem}_{n}") })
                    .map(|base| scheme_env(s, base))
                    .find(|env| env.iter().all(|(var, _)| !taken.contains(var)))
                    .unwrap_or_default();
                taken.extend(env.iter().map(|(var, _)| var.clone()));
                SchemeModel { name: s.name.clone(), kind: s.kind.clone(), env }
            })
            .collect();
        Model {
            base_url_env,
            timeout_env,
            crate_name,
            api_version: api.version.clone(),
            title: api.title.clone(),
            description: api.description.clone(),
            base_url: api.servers.first().cloned(),
            schemes,
            tools,
            spec_name: spec_name.to_string(),
            spec_sha256: spec_sha256.to_string(),
            overlays: Vec::new(),
            runtime,
            surface: SurfaceMode::default(),
            tool_budget: None,
            server: Default::default(),
        }
    }
}

impl super::stamp::Header for Model<'_> {
    fn origin(&self) -> String {
        // The spec's file name is shown escaped: it must not end the comment line.
        let mut origin = format!("{} (sha256 {})", self.spec_name.escape_debug(), self.spec_sha256);
        for overlay in &self.overlays {
            origin.push_str(&format!(" with overlay {}", overlay.escape_debug()));
        }
        origin
    }

    fn user_file(&self) -> &'static str {
        "src/custom.rs"
    }
}

/// The variables every generated server's runtime reads itself (`runtime/src/run/args.rs`).
const RUNTIME_ENV: [&str; 9] = [
    "MCP_ALLOWED_HOSTS",
    "MCP_ALLOWED_ORIGINS",
    "MCP_HOST",
    "MCP_JSON_RESPONSE",
    "MCP_LOG_LEVEL",
    "MCP_PATH",
    "MCP_PORT",
    "MCP_STATELESS",
    "MCP_TRANSPORT",
];

/// The variables that configure scheme `s`, named from `base`, with what each holds.
fn scheme_env(s: &crate::ir::SecurityScheme, base: String) -> Vec<(String, String)> {
    match &s.kind {
        SchemeKind::ApiKey { .. } => vec![(base, format!("API key `{}`", s.name))],
        SchemeKind::Bearer | SchemeKind::OpenIdConnect => {
            vec![(base, format!("bearer token for `{}`", s.name))]
        }
        SchemeKind::Basic => vec![
            (format!("{base}_USERNAME"), format!("user name for `{}`", s.name)),
            (format!("{base}_PASSWORD"), format!("password for `{}`", s.name)),
        ],
        SchemeKind::OAuth2 { .. } => vec![
            (format!("{base}_TOKEN"), format!("OAuth 2 access token for `{}`", s.name)),
            (format!("{base}_CLIENT_ID"), format!("OAuth 2 client id for `{}` (client credentials)", s.name)),
            (format!("{base}_CLIENT_SECRET"), format!("OAuth 2 client secret for `{}`", s.name)),
        ],
        SchemeKind::Unsupported(_) => Vec::new(),
    }
}
