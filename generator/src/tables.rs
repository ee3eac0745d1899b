//! The runtime's `ApiSpec` / `ToolSpec` tables built in memory from the same [`Model`] the
//! emitter prints as `src/generated/mod.rs`: what `mcpgen run` serves without compiling.
//!
//! A generated crate's tables are `'static` data in its binary. Here they are made once at
//! start-up and leaked, so they live as long as the process that serves them, as the compiled
//! ones do; a process makes them once and never frees them. Every field is taken from the same
//! `ToolDef` / `SchemeModel` the emitter reads, each destructured whole, so a field added to
//! either side fails to compile here until it is carried over (the emitter does the same).
//! `tests/tests/in_process.rs` checks that both answer alike, byte for byte.

use crate::emit::literal::ascii_json;
use crate::emit::{Model, SchemeModel};
use crate::ir::{self, ParamLocation};
use crate::tools::{ArgBinding, BodyArgs, BodyBinding, FieldBinding, ToolDef};
use crate::{Error, Input, Settings, SurfaceMode, Warning};
use mcpgen_runtime::ToolMode;
use mcpgen_runtime::upstream::{
    ApiSpec, BodyKind, BodySpec, FieldSpec, FinalState, Location, LongRunning, ParamSpec, SchemeKind, SchemeSpec,
    Style, ToolSpec,
};

/// An OpenAPI description's tables, and what its derivation warned about.
pub struct Tables {
    pub api: &'static ApiSpec,
    pub tools: &'static [ToolSpec],
    pub warnings: Vec<Warning>,
}

/// The tables of the description `settings` names, derived as [`crate::generate`] derives a
/// crate's; `None` when the input is a tool-schema manifest (its tools are the user's code).
pub fn derive(settings: &Settings) -> Result<Option<Tables>, Error> {
    let mut analysis = match Input::read(settings)? {
        Input::OpenApi(analysis) => analysis,
        Input::Manifest(_) => return Ok(None),
    };
    // The parsed document is by far the largest thing held, and the tables do not read it.
    drop(std::mem::take(&mut analysis.doc.root));
    let (api, tools) = leak(&analysis.model(settings));
    Ok(Some(Tables { api, tools, warnings: analysis.warnings }))
}

/// What a client hands the model for `tool` (name, title, description, input schema), in bytes:
/// the runtime's measure ([`mcpgen_runtime::server::model_facing_len`]) of the text it will serve.
pub fn model_facing_len(tool: &ToolDef) -> usize {
    let input = ascii_json(&tool.input_schema).len();
    mcpgen_runtime::server::model_facing_len(&tool.name, tool.title.as_deref(), Some(&tool.description), input)
}

/// The runtime's mode for a generation's surface setting.
pub fn tool_mode(surface: SurfaceMode) -> ToolMode {
    match surface {
        SurfaceMode::All => ToolMode::All,
        SurfaceMode::Dynamic => ToolMode::Dynamic,
        SurfaceMode::Auto => ToolMode::Auto,
    }
}

/// The tables of `model`, leaked for the rest of the process.
pub fn leak(model: &Model) -> (&'static ApiSpec, &'static [ToolSpec]) {
    let api = ApiSpec {
        name: text(&model.crate_name),
        version: text(&model.api_version),
        title: Some(text(&model.title)),
        instructions: model.description.as_deref().map(text),
        base_url: model.base_url.as_deref().map(text),
        base_url_env: text(&model.base_url_env),
        timeout_env: text(&model.timeout_env),
        schemes: slice(model.schemes.iter().filter_map(scheme).collect()),
        tool_mode: tool_mode(model.surface),
        tool_budget: model.tool_budget,
    };
    let tools = slice(model.tools.iter().map(tool).collect());
    (Box::leak(Box::new(api)), tools)
}

fn text(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

fn scheme(s: &SchemeModel) -> Option<SchemeSpec> {
    let SchemeModel { name, kind, env } = s;
    let env = |i: usize| text(env.get(i).map(|e| e.0.as_str()).unwrap_or(""));
    let kind = match kind {
        ir::SchemeKind::ApiKey { location, param } => {
            SchemeKind::ApiKey { location: location_of(*location), param: text(param), env: env(0) }
        }
        ir::SchemeKind::Bearer | ir::SchemeKind::OpenIdConnect => SchemeKind::Bearer { env: env(0) },
        ir::SchemeKind::Basic => SchemeKind::Basic { username_env: env(0), password_env: env(1) },
        ir::SchemeKind::OAuth2 { token_url, scopes } => SchemeKind::OAuth2 {
            token_env: env(0),
            client_id_env: env(1),
            client_secret_env: env(2),
            token_url: token_url.as_deref().map(text),
            scopes: slice(scopes.iter().map(|s| text(s)).collect()),
        },
        ir::SchemeKind::Unsupported(_) => return None,
    };
    Some(SchemeSpec { name: text(name), kind })
}

fn tool(t: &ToolDef) -> ToolSpec {
    let ToolDef {
        name,
        title,
        description,
        input_schema,
        output_schema,
        output_wrapped,
        annotations,
        method,
        url_path,
        fixed_query,
        server,
        params,
        body,
        security,
        tags,
        hidden,
        scopes,
        null_absent,
        jq_filter,
        long_running,
        // How the tool was found and is shown; not part of what the runtime serves.
        path: _,
        operation_id: _,
        shortened_from: _,
        at: _,
    } = t;
    ToolSpec {
        name: text(name),
        title: title.as_deref().map(text),
        description: text(description),
        // The compiled crate's schema text is ASCII (JSON `\u` escapes), and the runtime sends the
        // text it holds as it is: the same text here, so both list the same bytes.
        input_schema: text(&ascii_json(input_schema)),
        output_schema: output_schema.as_deref().map(|s| text(&ascii_json(s))),
        output_wrapped: *output_wrapped,
        read_only: annotations.read_only,
        destructive: annotations.destructive,
        idempotent: annotations.idempotent,
        open_world: annotations.open_world,
        method: method.upper(),
        path: text(url_path),
        query: slice(fixed_query.iter().map(|(n, v)| (text(n), v.as_deref().map(text))).collect()),
        server: server.as_deref().map(text),
        params: slice(params.iter().map(param).collect()),
        body: body.as_ref().map(body_spec),
        security: slice(security.iter().map(|alt| slice(alt.iter().map(|n| text(n)).collect())).collect()),
        tags: slice(tags.iter().map(|t| text(t)).collect()),
        hidden: *hidden,
        scopes: slice(scopes.iter().map(|s| text(s)).collect()),
        null_absent: slice(null_absent.iter().map(|p| text(p)).collect()),
        jq_filter: jq_filter.as_deref().map(text),
        long_running: long_running.map(|l| long_running_of(l.kind)),
    }
}

fn long_running_of(l: ir::LongRunning) -> LongRunning {
    match l {
        ir::LongRunning::Operation => LongRunning::Operation,
        ir::LongRunning::Polling(f) => LongRunning::Polling(match f {
            ir::FinalState::Default => FinalState::Default,
            ir::FinalState::Location => FinalState::Location,
            ir::FinalState::AzureAsyncOperation => FinalState::AzureAsyncOperation,
            ir::FinalState::OperationLocation => FinalState::OperationLocation,
            ir::FinalState::OriginalUri => FinalState::OriginalUri,
        }),
    }
}

fn param(p: &ArgBinding) -> ParamSpec {
    // `required` is in the input schema already.
    let ArgBinding { arg, name, location, style, explode, allow_reserved, json, required: _ } = p;
    ParamSpec {
        arg: text(arg),
        name: text(name),
        location: location_of(*location),
        style: style_of(*style),
        explode: *explode,
        allow_reserved: *allow_reserved,
        json: *json,
    }
}

fn body_spec(b: &BodyBinding) -> BodySpec {
    let BodyBinding { media_type, kind, args, required } = b;
    let (whole, fields) = match args {
        BodyArgs::Whole { arg } => (Some(text(arg)), &[][..]),
        BodyArgs::Fields(fields) => (None, slice(fields.iter().map(field).collect())),
    };
    let kind = match kind {
        ir::BodyKind::Json => BodyKind::Json,
        ir::BodyKind::Form => BodyKind::Form,
        ir::BodyKind::Multipart => BodyKind::Multipart,
        ir::BodyKind::Binary => BodyKind::Binary,
        ir::BodyKind::Text => BodyKind::Text,
    };
    BodySpec { media_type: text(media_type), kind, whole, fields, required: *required }
}

fn field(f: &FieldBinding) -> FieldSpec {
    let FieldBinding { arg, name, binary } = f;
    FieldSpec { arg: text(arg), name: text(name), binary: *binary }
}

fn location_of(l: ParamLocation) -> Location {
    match l {
        ParamLocation::Path => Location::Path,
        ParamLocation::Query => Location::Query,
        ParamLocation::Header => Location::Header,
        ParamLocation::Cookie => Location::Cookie,
    }
}

fn style_of(s: ir::Style) -> Style {
    match s {
        ir::Style::Simple => Style::Simple,
        ir::Style::Label => Style::Label,
        ir::Style::Matrix => Style::Matrix,
        ir::Style::Form => Style::Form,
        ir::Style::SpaceDelimited => Style::SpaceDelimited,
        ir::Style::PipeDelimited => Style::PipeDelimited,
        ir::Style::DeepObject => Style::DeepObject,
    }
}
