//! `src/generated/mod.rs`: the API and its tools as static data for the runtime's `upstream`.

use super::literal::{ascii_json, lit, opt_lit};
use super::model::Model;
use crate::SurfaceMode;
use crate::ir::{BodyKind, FinalState, LongRunning, ParamLocation, SchemeKind, Style};
use crate::tools::{BodyArgs, ToolDef};
use proc_macro2::TokenStream;
use quote::quote;

/// `src/generated/mod.rs`: `items` under the module's inner doc comment.
pub fn with_inner_doc(items: TokenStream) -> TokenStream {
    quote! {
        //! The API and its tools as data: the runtime's `upstream` module does the rest.

        #items
    }
}

/// The API and its tools as items: `API`, `TOOLS` and the `use` they need.
pub fn items(m: &Model) -> TokenStream {
    items_with(m, m.tools)
}

/// [`items`] with `TOOLS` holding `tools` only (none: the skeleton the tools' text goes into).
pub fn items_with(m: &Model, tools: &[ToolDef]) -> TokenStream {
    let name = lit(&m.crate_name);
    let version = lit(&m.api_version);
    let title = lit(&m.title);
    let instructions = opt_lit(m.description.as_deref());
    let base_url = opt_lit(m.base_url.as_deref());
    let base_url_env = lit(&m.base_url_env);
    let timeout_env = lit(&m.timeout_env);
    let schemes = m.schemes.iter().map(|s| {
        let sname = lit(&s.name);
        let env = |i: usize| lit(s.env.get(i).map(|e| e.0.as_str()).unwrap_or(""));
        let kind = match &s.kind {
            SchemeKind::ApiKey { location, param } => {
                let loc = location_tokens(*location);
                let param = lit(param);
                let e = env(0);
                quote!(SchemeKind::ApiKey { location: #loc, param: #param, env: #e })
            }
            SchemeKind::Bearer | SchemeKind::OpenIdConnect => {
                let e = env(0);
                quote!(SchemeKind::Bearer { env: #e })
            }
            SchemeKind::Basic => {
                let (u, p) = (env(0), env(1));
                quote!(SchemeKind::Basic { username_env: #u, password_env: #p })
            }
            SchemeKind::OAuth2 { token_url, scopes } => {
                let (t, i, sec) = (env(0), env(1), env(2));
                let url = opt_lit(token_url.as_deref());
                let scopes = scopes.iter().map(|s| lit(s));
                quote!(SchemeKind::OAuth2 {
                    token_env: #t, client_id_env: #i, client_secret_env: #sec, token_url: #url, scopes: &[#(#scopes),*]
                })
            }
            SchemeKind::Unsupported(_) => quote!(),
        };
        quote!(SchemeSpec { name: #sname, kind: #kind })
    });
    let tool_mode = match m.surface {
        SurfaceMode::All => quote!(ToolMode::All),
        SurfaceMode::Dynamic => quote!(ToolMode::Dynamic),
        SurfaceMode::Auto => quote!(ToolMode::Auto),
    };
    let tool_budget = match m.tool_budget {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    };
    let tools = tools.iter().map(tool_tokens);
    let run_options = (!m.server.is_empty()).then(|| m.server.run_options_fn());
    quote! {
        use mcpgen_runtime::upstream::*;

        /// The API: its name, where it lives, how it authenticates.
        pub static API: ApiSpec = ApiSpec {
            name: #name,
            version: #version,
            title: Some(#title),
            instructions: #instructions,
            base_url: #base_url,
            base_url_env: #base_url_env,
            timeout_env: #timeout_env,
            schemes: &[#(#schemes),*],
            tool_mode: #tool_mode,
            tool_budget: #tool_budget,
        };

        /// One tool per operation.
        pub static TOOLS: &[ToolSpec] = &[#(#tools),*];

        #run_options
    }
}

/// `TOOLS` alone, holding `tools`: formatted, its element lines are those `tools` have in the
/// whole module.
pub fn tools_static(tools: &[ToolDef]) -> TokenStream {
    let tools = tools.iter().map(tool_tokens);
    quote! {
        pub static TOOLS: &[ToolSpec] = &[#(#tools),*];
    }
}

fn location_tokens(l: ParamLocation) -> TokenStream {
    match l {
        ParamLocation::Path => quote!(Location::Path),
        ParamLocation::Query => quote!(Location::Query),
        ParamLocation::Header => quote!(Location::Header),
        ParamLocation::Cookie => quote!(Location::Cookie),
    }
}

fn style_tokens(s: Style) -> TokenStream {
    match s {
        Style::Simple => quote!(Style::Simple),
        Style::Label => quote!(Style::Label),
        Style::Matrix => quote!(Style::Matrix),
        Style::Form => quote!(Style::Form),
        Style::SpaceDelimited => quote!(Style::SpaceDelimited),
        Style::PipeDelimited => quote!(Style::PipeDelimited),
        Style::DeepObject => quote!(Style::DeepObject),
    }
}

fn tool_tokens(t: &ToolDef) -> TokenStream {
    let name = lit(&t.name);
    let title = opt_lit(t.title.as_deref());
    let description = lit(&t.description);
    let input = lit(&ascii_json(&t.input_schema));
    let output = opt_lit(t.output_schema.as_deref().map(ascii_json).as_deref());
    let wrapped = t.output_wrapped;
    let a = t.annotations;
    let (read_only, destructive, idempotent, open_world) = (a.read_only, a.destructive, a.idempotent, a.open_world);
    let method = lit(t.method.upper());
    let path = lit(&t.url_path);
    let query = t.fixed_query.iter().map(|(n, v)| {
        let (n, v) = (lit(n), opt_lit(v.as_deref()));
        quote!((#n, #v))
    });
    let server = opt_lit(t.server.as_deref());
    let params = t.params.iter().map(|p| {
        let (arg, pname) = (lit(&p.arg), lit(&p.name));
        let loc = location_tokens(p.location);
        let style = style_tokens(p.style);
        let (explode, reserved, json) = (p.explode, p.allow_reserved, p.json);
        quote!(ParamSpec { arg: #arg, name: #pname, location: #loc, style: #style, explode: #explode, allow_reserved: #reserved, json: #json })
    });
    let body = match &t.body {
        None => quote!(None),
        Some(b) => {
            let media = lit(&b.media_type);
            let kind = match b.kind {
                BodyKind::Json => quote!(BodyKind::Json),
                BodyKind::Form => quote!(BodyKind::Form),
                BodyKind::Multipart => quote!(BodyKind::Multipart),
                BodyKind::Binary => quote!(BodyKind::Binary),
                BodyKind::Text => quote!(BodyKind::Text),
            };
            let required = b.required;
            let (whole, fields) = match &b.args {
                BodyArgs::Whole { arg } => (opt_lit(Some(arg)), Vec::new()),
                BodyArgs::Fields(fields) => (
                    quote!(None),
                    fields
                        .iter()
                        .map(|f| {
                            let (arg, fname, binary) = (lit(&f.arg), lit(&f.name), f.binary);
                            quote!(FieldSpec { arg: #arg, name: #fname, binary: #binary })
                        })
                        .collect(),
                ),
            };
            quote!(Some(BodySpec { media_type: #media, kind: #kind, whole: #whole, fields: &[#(#fields),*], required: #required }))
        }
    };
    let tags = t.tags.iter().map(|tag| lit(tag));
    let hidden = t.hidden;
    let scopes = t.scopes.iter().map(|scope| lit(scope));
    let null_absent = t.null_absent.iter().map(|p| lit(p));
    let jq_filter = match &t.jq_filter {
        Some(name) => {
            let name = lit(name);
            quote!(Some(#name))
        }
        None => quote!(None),
    };
    let long_running = match t.long_running.map(|l| l.kind) {
        None => quote!(None),
        Some(LongRunning::Operation) => quote!(Some(LongRunning::Operation)),
        Some(LongRunning::Polling(f)) => {
            let f = match f {
                FinalState::Default => quote!(FinalState::Default),
                FinalState::Location => quote!(FinalState::Location),
                FinalState::AzureAsyncOperation => quote!(FinalState::AzureAsyncOperation),
                FinalState::OperationLocation => quote!(FinalState::OperationLocation),
                FinalState::OriginalUri => quote!(FinalState::OriginalUri),
            };
            quote!(Some(LongRunning::Polling(#f)))
        }
    };
    let security = t.security.iter().map(|alt| {
        let names = alt.iter().map(|n| lit(n));
        quote!(&[#(#names),*])
    });
    quote! {
        ToolSpec {
            name: #name,
            title: #title,
            description: #description,
            input_schema: #input,
            output_schema: #output,
            output_wrapped: #wrapped,
            read_only: #read_only,
            destructive: #destructive,
            idempotent: #idempotent,
            open_world: #open_world,
            method: #method,
            path: #path,
            query: &[#(#query),*],
            server: #server,
            params: &[#(#params),*],
            body: #body,
            security: &[#(#security),*],
            tags: &[#(#tags),*],
            hidden: #hidden,
            scopes: &[#(#scopes),*],
            null_absent: &[#(#null_absent),*],
            jq_filter: #jq_filter,
            long_running: #long_running,
        }
    }
}
