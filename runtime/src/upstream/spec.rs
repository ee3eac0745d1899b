//! The static description of an API and its operations that generated code provides.
//!
//! Everything is `'static` data so a generated crate is a table of these plus a `main`; the
//! behaviour lives here in the runtime, written and tested once.

pub use crate::server::ToolMode;

/// The API as a whole: its name, where it lives, and how it authenticates.
#[derive(Debug, Clone, Copy)]
pub struct ApiSpec {
    /// The MCP server's name (also the prefix of its environment variables).
    pub name: &'static str,
    pub version: &'static str,
    pub title: Option<&'static str>,
    /// Guidance for the model, from the API's description.
    pub instructions: Option<&'static str>,
    /// The base URL from the spec's `servers`, if it gave one.
    pub base_url: Option<&'static str>,
    /// The environment variable that overrides the base URL, e.g. `PETSTORE_BASE_URL`.
    pub base_url_env: &'static str,
    /// The environment variable holding the request timeout in seconds.
    pub timeout_env: &'static str,
    pub schemes: &'static [SchemeSpec],
    /// How the server presents the tools (`--tools` at generation; the server's own `--tools`
    /// wins), and `Auto`'s budget in estimated tokens (`None`: the runtime's default).
    pub tool_mode: ToolMode,
    pub tool_budget: Option<usize>,
}

/// A security scheme and the environment variables its credentials come from.
#[derive(Debug, Clone, Copy)]
pub struct SchemeSpec {
    pub name: &'static str,
    pub kind: SchemeKind,
}

#[derive(Debug, Clone, Copy)]
pub enum SchemeKind {
    /// An API key sent as the header, query parameter or cookie `param`.
    ApiKey { location: Location, param: &'static str, env: &'static str },
    /// `Authorization: Bearer <token>`.
    Bearer { env: &'static str },
    /// `Authorization: Basic ...`.
    Basic { username_env: &'static str, password_env: &'static str },
    /// OAuth 2: a ready token from `token_env`, or one fetched with client credentials.
    OAuth2 {
        token_env: &'static str,
        client_id_env: &'static str,
        client_secret_env: &'static str,
        token_url: Option<&'static str>,
        scopes: &'static [&'static str],
    },
}

impl SchemeKind {
    /// The environment variables this scheme reads, for messages and docs.
    pub fn env_vars(&self) -> Vec<&'static str> {
        match *self {
            SchemeKind::ApiKey { env, .. } | SchemeKind::Bearer { env } => vec![env],
            SchemeKind::Basic { username_env, password_env } => vec![username_env, password_env],
            SchemeKind::OAuth2 { token_env, client_id_env, client_secret_env, .. } => {
                vec![token_env, client_id_env, client_secret_env]
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

/// OpenAPI parameter serialization styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// One tool: its MCP definition and the HTTP operation it calls.
#[derive(Debug, Clone, Copy)]
pub struct ToolSpec {
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: &'static str,
    /// JSON text of the input schema.
    pub input_schema: &'static str,
    /// JSON text of the output schema, when the spec promises one.
    pub output_schema: Option<&'static str>,
    /// The success body is not an object; structured output is `{"result": body}`.
    pub output_wrapped: bool,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template relative to the base URL, e.g. `/pets/{petId}`.
    pub path: &'static str,
    /// Query pairs sent with every call, before the parameters (a path key like `/x?acl` or
    /// `/rest?method=a.b`): name and optional value, not yet encoded.
    pub query: &'static [(&'static str, Option<&'static str>)],
    /// The operation's own server (OpenAPI `servers` on the operation or its path item), absolute
    /// or relative to the API's base URL; `None` when the API's base applies. An explicit base
    /// URL (`--base-url`, `<NAME>_BASE_URL`, the builder) replaces it: see [`crate::upstream`].
    pub server: Option<&'static str>,
    pub params: &'static [ParamSpec],
    pub body: Option<BodySpec>,
    /// Alternatives of scheme names that must all apply; an empty alternative means none needed.
    pub security: &'static [&'static [&'static str]],
    /// The operation's tags: its toolsets (`--toolset`), and words its search finds it by.
    pub tags: &'static [&'static str],
    /// Left out of `tools/list` and of the dynamic surface's search, but callable by name
    /// (the description's `x-mcp: {hidden: true}`).
    pub hidden: bool,
    /// OAuth scopes a caller's token must grant on HTTP with OAuth ([`crate::Tool::requires_scope`]):
    /// the curation extension's (`x-mcp` / `x-speakeasy-mcp` `scopes`), else those the
    /// operation's security requirement names.
    pub scopes: &'static [&'static str],
    /// Where in the arguments `null` means "not given": JSON pointers (`~*` standing for every
    /// element of an array) to optional properties that the generator's schema profile made
    /// nullable (`openai-strict` requires every property, so a model sends `null` for one it
    /// leaves out) and whose own schema did not allow `null`. Such a `null` is removed before
    /// the request is built, so the API sees the argument absent, as it would have been.
    pub null_absent: &'static [&'static str],
    /// The argument holding a jq filter for the JSON answer (`jq_filter`, or another name when
    /// the operation has a parameter of that name); `None` when the operation answers no JSON.
    pub jq_filter: Option<&'static str>,
    /// The operation runs long ([`LongRunning`]): the tool may run as a task
    /// (`taskSupport: optional`), and called as one it polls the API until the operation ends.
    pub long_running: Option<LongRunning>,
}

/// How a long-running operation tells where to follow it (what `upstream::long_running` polls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongRunning {
    /// The first answer (usually 202) names a status monitor in `Azure-AsyncOperation`,
    /// `Operation-Location` or `Location`; where the final resource is comes from `FinalState`.
    Polling(FinalState),
    /// The first answer is a Google-style `Operation` (`name`, `done`, then `response` or
    /// `error`), polled at its `name` under the API's base URL.
    Operation,
}

/// Where the final resource of a [`LongRunning::Polling`] operation is
/// (`x-ms-long-running-operation-options.final-state-via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalState {
    /// As the answers say: a `resourceLocation` in the final status, a `Location` on the final
    /// answer, else the final answer itself.
    Default,
    /// `GET` the first answer's `Location`.
    Location,
    /// The `Azure-AsyncOperation` status monitor's final body.
    AzureAsyncOperation,
    /// The `Operation-Location` status monitor's final body.
    OperationLocation,
    /// `GET` the URL the operation was called at.
    OriginalUri,
}

#[cfg(test)]
impl ToolSpec {
    /// A read-only `GET /x` tool with no parameters, body, server or security: what the unit
    /// tests start from, changing only the fields they are about (`..ToolSpec::TEST`).
    pub(crate) const TEST: ToolSpec = ToolSpec {
        name: "t",
        title: None,
        description: "",
        input_schema: "{}",
        output_schema: None,
        output_wrapped: false,
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: true,
        method: "GET",
        path: "/x",
        query: &[],
        server: None,
        params: &[],
        body: None,
        security: &[],
        tags: &[],
        hidden: false,
        scopes: &[],
        null_absent: &[],
        jq_filter: None,
        long_running: None,
    };
}

/// A tool argument that becomes a parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// The argument's name.
    pub arg: &'static str,
    /// The parameter's name on the wire.
    pub name: &'static str,
    pub location: Location,
    pub style: Style,
    pub explode: bool,
    pub allow_reserved: bool,
    /// Sent as JSON text rather than by `style`.
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Multipart,
    /// Raw bytes given as base64.
    Binary,
    Text,
}

#[derive(Debug, Clone, Copy)]
pub struct BodySpec {
    pub media_type: &'static str,
    pub kind: BodyKind,
    /// The argument holding the whole body, or `None` when the body's properties are arguments.
    pub whole: Option<&'static str>,
    pub fields: &'static [FieldSpec],
    pub required: bool,
}

/// A body property given as its own argument.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub arg: &'static str,
    pub name: &'static str,
    /// A file part, given as base64.
    pub binary: bool,
}
