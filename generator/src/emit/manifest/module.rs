//! `src/generated/mod.rs` of a manifest crate: the `Handlers` trait (one method per tool, prompt
//! and resource, each with a "not implemented" default) and `register`, which serves every entry
//! with its schemas from the manifest and calls the trait.

use super::docs;
use super::idents::ident;
use super::{Model, PromptModel, ResourceModel, TemplateModel, ToolModel};
use crate::emit::literal::{ascii_json, lit, opt_lit};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

pub fn tokens(m: &Model) -> TokenStream {
    let (name, version) = (lit(&m.server_name), lit(&m.version));
    let title = opt_lit(m.title.as_deref());
    let instructions = opt_lit(m.instructions.as_deref());
    let has_prompts = !m.prompts.is_empty();
    let has_resources = !m.resources.is_empty();
    let has_templates = !m.templates.is_empty();
    let mut names = vec!["RequestContext", "Server", "Tool", "ToolError", "ToolResult"];
    if has_prompts || has_resources || has_templates {
        names.push("ErrorObject");
    }
    if has_prompts {
        names.extend(["Prompt", "PromptResult"]);
    }
    if has_resources {
        names.push("Resource");
    }
    if has_resources || has_templates {
        names.push("ResourceContents");
    }
    if has_templates {
        names.push("ResourceTemplate");
    }
    names.sort_unstable();
    let imports = names.iter().map(|n| ident(n));
    let structured = m.tools.iter().any(|t| t.output.is_some()).then(|| {
        quote! {
            /// A typed result as `structuredContent` (with a text copy), checked against the
            /// output schema by the runtime.
            fn structured<T: serde::Serialize>(output: T) -> Result<ToolResult, ToolError> {
                Ok(ToolResult::structured(mcpgen_runtime::serde_json::to_value(output)?))
            }
        }
    });
    let methods = m
        .tools
        .iter()
        .map(tool_method)
        .chain(m.prompts.iter().map(prompt_method))
        .chain(m.resources.iter().map(resource_method))
        .chain(m.templates.iter().map(template_method));
    let registrations = m
        .tools
        .iter()
        .map(register_tool)
        .chain(m.prompts.iter().map(register_prompt))
        .chain(m.resources.iter().map(register_resource))
        .chain(m.templates.iter().map(register_template));
    quote! {
        //! The manifest's tools, prompts and resources: the [`Handlers`] trait that src/handlers.rs
        //! implements, and [`register`], which serves each with its schemas from the manifest.

        pub mod types;

        use mcpgen_runtime::{#(#imports),*};
        use std::future::Future;
        use std::sync::Arc;

        /// The server's name, as it reports it.
        pub const NAME: &str = #name;
        /// The server's version.
        pub const VERSION: &str = #version;
        /// A human-readable title.
        pub const TITLE: Option<&str> = #title;
        /// What the server tells the model about itself.
        pub const INSTRUCTIONS: Option<&str> = #instructions;

        /// What the server does: one method per tool, prompt and resource of the manifest. Each
        /// has a default that answers "not implemented", so a tool added to the manifest compiles
        /// at once; write the ones you serve in the `impl Handlers` of src/handlers.rs.
        pub trait Handlers: Send + Sync + 'static {
            #(#methods)*
        }

        /// Puts every tool, prompt and resource on `server`, each answered by `handlers`.
        pub fn register<H: Handlers>(server: Server, handlers: Arc<H>) -> Server {
            server #(#registrations)*
        }

        /// Arguments (already checked against the tool's input schema) as its Rust type.
        fn arguments<T: serde::de::DeserializeOwned>(
            tool: &str,
            args: mcpgen_runtime::serde_json::Value,
        ) -> Result<T, ToolError> {
            mcpgen_runtime::serde_json::from_value(args)
                .map_err(|e| ToolError::new(format!("tool `{tool}`: the arguments do not fit its Rust type: {e}")))
        }

        #structured
    }
}

/// What a default method answers: which entry, and where to write it.
fn not_implemented(kind: &str, name: &str, method: &str) -> TokenStream {
    let name: String = name.escape_debug().collect();
    lit(&format!(
        "{kind} `{name}` is not implemented yet: write `fn {}` in the `impl Handlers` of src/handlers.rs",
        super::idents::source_name(method)
    ))
}

fn method_doc(kind: &str, name: &str, description: Option<&str>) -> TokenStream {
    let first = format!("The {kind} `{}`.", docs::paragraphs(name).join(" ").replace('`', "'"));
    let paragraphs: Vec<String> =
        std::iter::once(first).chain(description.map(docs::paragraphs).unwrap_or_default()).collect();
    docs::attrs(&paragraphs)
}

fn type_path(name: &str) -> TokenStream {
    let name = ident(name);
    quote!(types::#name)
}

fn tool_method(t: &ToolModel) -> TokenStream {
    let doc = method_doc("tool", &t.def.name, t.def.description.as_deref());
    let method = ident(&t.method);
    let args = type_path(&t.args);
    let output = t.output.as_deref().map(type_path).unwrap_or_else(|| quote!(ToolResult));
    let message = not_implemented("tool", &t.def.name, &t.method);
    quote! {
        #doc
        fn #method(&self, args: #args, ctx: RequestContext) -> impl Future<Output = Result<#output, ToolError>> + Send {
            let _ = (args, ctx);
            std::future::ready(Err(ToolError::new(#message)))
        }
    }
}

fn prompt_method(p: &PromptModel) -> TokenStream {
    let doc = method_doc("prompt", &p.def.name, p.def.description.as_deref());
    let method = ident(&p.method);
    let message = not_implemented("prompt", &p.def.name, &p.method);
    let (param, unused) = match &p.args {
        Some((args, _)) => {
            let args = type_path(args);
            (quote!(args: #args,), quote!(let _ = (args, ctx);))
        }
        None => (quote!(), quote!(let _ = ctx;)),
    };
    quote! {
        #doc
        fn #method(&self, #param ctx: RequestContext) -> impl Future<Output = Result<PromptResult, ErrorObject>> + Send {
            #unused
            std::future::ready(Err(ErrorObject::internal(#message)))
        }
    }
}

fn resource_method(r: &ResourceModel) -> TokenStream {
    let doc = method_doc("resource", &r.def.uri, r.def.description.as_deref());
    let method = ident(&r.method);
    let message = not_implemented("resource", &r.def.uri, &r.method);
    quote! {
        #doc
        fn #method(&self, uri: String, ctx: RequestContext) -> impl Future<Output = Result<Vec<ResourceContents>, ErrorObject>> + Send {
            let _ = (uri, ctx);
            std::future::ready(Err(ErrorObject::internal(#message)))
        }
    }
}

fn template_method(t: &TemplateModel) -> TokenStream {
    let doc = method_doc("resource template", &t.def.uri_template, t.def.description.as_deref());
    let method = ident(&t.method);
    let message = not_implemented("resource template", &t.def.uri_template, &t.method);
    let (param, unused) = match &t.vars {
        Some((vars, _)) => {
            let vars = type_path(vars);
            (quote!(vars: #vars,), quote!(let _ = (uri, vars, ctx);))
        }
        None => (quote!(), quote!(let _ = (uri, ctx);)),
    };
    quote! {
        #doc
        fn #method(&self, uri: String, #param ctx: RequestContext) -> impl Future<Output = Result<Vec<ResourceContents>, ErrorObject>> + Send {
            #unused
            std::future::ready(Err(ErrorObject::internal(#message)))
        }
    }
}

fn schema_text(schema: &Value) -> TokenStream {
    lit(&ascii_json(schema))
}

/// `.title(..)`, `.description(..)` when given.
fn describe(title: Option<&str>, description: Option<&str>) -> TokenStream {
    let title = title.map(|t| {
        let t = lit(t);
        quote!(.title(#t))
    });
    let description = description.map(|d| {
        let d = lit(d);
        quote!(.description(#d))
    });
    quote!(#title #description)
}

fn register_tool(t: &ToolModel) -> TokenStream {
    let name = lit(&t.def.name);
    let input = schema_text(&t.def.input_schema);
    let describe = describe(t.def.title.as_deref(), t.def.description.as_deref());
    let output_schema = t.def.output_schema.as_ref().map(|o| {
        let o = schema_text(o);
        quote!(.output_schema_text(#o))
    });
    let annotations = t.def.annotations.iter().map(|(k, v)| {
        let k = lit(k);
        match v {
            Value::Bool(b) => quote!(.annotation(#k, #b)),
            other => {
                let s = lit(other.as_str().unwrap_or_default());
                quote!(.annotation(#k, #s))
            }
        }
    });
    let method = ident(&t.method);
    let args = type_path(&t.args);
    let call = quote!(h.#method(args, ctx).await);
    let result = if t.output.is_some() { quote!(structured(#call?)) } else { call };
    quote! {
        .tool(
            Tool::from_schema_text(#name, #input)
                #describe
                #output_schema
                #(#annotations)*
                .handler({
                    let h = Arc::clone(&handlers);
                    move |args, ctx| {
                        let h = Arc::clone(&h);
                        async move {
                            let args: #args = arguments(#name, args)?;
                            #result
                        }
                    }
                }),
        )
    }
}

fn register_prompt(p: &PromptModel) -> TokenStream {
    let name = lit(&p.def.name);
    let describe = describe(p.def.title.as_deref(), p.def.description.as_deref());
    let arguments = p.def.arguments.iter().map(|a| {
        let (n, d, r) = (lit(&a.name), lit(a.description.as_deref().unwrap_or_default()), a.required);
        quote!(.argument(#n, #d, #r))
    });
    let method = ident(&p.method);
    let (params, call) = match &p.args {
        Some((args, fields)) => {
            let args = type_path(args);
            let fields = p.def.arguments.iter().zip(fields).map(|(a, f)| {
                let (f, n) = (ident(f), lit(&a.name));
                // Required arguments are checked by the runtime before the handler runs.
                if a.required { quote!(#f: args.remove(#n).unwrap_or_default()) } else { quote!(#f: args.remove(#n)) }
            });
            (quote!(mut args, ctx), quote!(h.#method(#args { #(#fields),* }, ctx).await))
        }
        None => (quote!(_args, ctx), quote!(h.#method(ctx).await)),
    };
    quote! {
        .prompt(
            Prompt::new(#name)
                #describe
                #(#arguments)*
                .handler({
                    let h = Arc::clone(&handlers);
                    move |#params| {
                        let h = Arc::clone(&h);
                        async move { #call }
                    }
                }),
        )
    }
}

fn register_resource(r: &ResourceModel) -> TokenStream {
    let (uri, name) = (lit(&r.def.uri), lit(&r.def.name));
    let describe = describe(r.def.title.as_deref(), r.def.description.as_deref());
    let mime = r.def.mime_type.as_deref().map(|m| {
        let m = lit(m);
        quote!(.mime_type(#m))
    });
    let method = ident(&r.method);
    quote! {
        .resource(
            Resource::new(#uri, #name)
                #describe
                #mime
                .reader({
                    let h = Arc::clone(&handlers);
                    move |uri, _vars, ctx| {
                        let h = Arc::clone(&h);
                        async move { h.#method(uri, ctx).await }
                    }
                }),
        )
    }
}

fn register_template(t: &TemplateModel) -> TokenStream {
    let (template, name) = (lit(&t.def.uri_template), lit(&t.def.name));
    let describe = describe(t.def.title.as_deref(), t.def.description.as_deref());
    let mime = t.def.mime_type.as_deref().map(|m| {
        let m = lit(m);
        quote!(.mime_type(#m))
    });
    let method = ident(&t.method);
    let (params, call) = match &t.vars {
        Some((vars, fields)) => {
            let vars = type_path(vars);
            let fields = t.def.variables.iter().zip(fields).map(|(v, f)| {
                let (f, v) = (ident(f), lit(v));
                // A URI matches only when every variable has a value.
                quote!(#f: vars.remove(#v).unwrap_or_default())
            });
            (quote!(uri, mut vars, ctx), quote!(h.#method(uri, #vars { #(#fields),* }, ctx).await))
        }
        None => (quote!(uri, _vars, ctx), quote!(h.#method(uri, ctx).await)),
    };
    quote! {
        .resource_template(
            ResourceTemplate::new(#template, #name)
                #describe
                #mime
                .reader({
                    let h = Arc::clone(&handlers);
                    move |#params| {
                        let h = Arc::clone(&h);
                        async move { #call }
                    }
                }),
        )
    }
}
