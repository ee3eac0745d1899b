//! Cargo.toml and README.md of a manifest crate, from `templates/manifest/`. Manifest text
//! reaches them only through the `toml` filter and `md_cell`, as for OpenAPI crates.

use super::Model;
use super::idents::source_name;
use crate::emit::RuntimeDep;
use crate::emit::stamp::Header;
use crate::emit::templates::{md_cell, one_line, render};
use minijinja::context;

pub fn cargo_toml(m: &Model) -> Result<String, String> {
    let (runtime_path, runtime_version) = match &m.runtime {
        RuntimeDep::Path(p) => (Some(p.clone()), None),
        RuntimeDep::Version(v) => (None, Some(v.clone())),
    };
    let about = m.title.as_deref().unwrap_or(&m.server_name);
    let body = render(
        "manifest/Cargo.toml",
        context! {
            crate_name => &m.crate_name,
            description => format!("MCP server {}", one_line(about)),
            runtime_path => runtime_path,
            runtime_version => runtime_version,
        },
    )?;
    Ok(m.toml_file(&body))
}

pub fn readme(m: &Model) -> Result<String, String> {
    let summary = |d: Option<&str>| md_cell(&one_line(d.unwrap_or("")));
    let tools: Vec<_> = m
        .tools
        .iter()
        .map(|t| {
            let s = t.def.title.as_deref().or(t.def.description.as_deref());
            context! { name => &t.def.name, method => source_name(&t.method), summary => summary(s) }
        })
        .collect();
    let prompts: Vec<_> = m
        .prompts
        .iter()
        .map(|p| context! { name => md_cell(&p.def.name), method => source_name(&p.method), summary => summary(p.def.description.as_deref()) })
        .collect();
    let resources: Vec<_> = m
        .resources
        .iter()
        .map(|r| context! { uri => md_cell(&r.def.uri), method => source_name(&r.method), summary => summary(r.def.description.as_deref()) })
        .chain(m.templates.iter().map(|t| {
            context! { uri => md_cell(&t.def.uri_template), method => source_name(&t.method), summary => summary(t.def.description.as_deref()) }
        }))
        .collect();
    let body = render(
        "manifest/README.md",
        context! {
            crate_name => &m.crate_name,
            spec_name => md_cell(&m.spec_name),
            tools => tools,
            prompts => prompts,
            resources => resources,
        },
    )?;
    Ok(m.markdown_file(&body))
}
