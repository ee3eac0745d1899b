//! The non-Rust files of a generated crate, rendered from the minijinja templates in `templates/`.
//!
//! Spec text reaches these files only through the escaping filters here (`toml`) or the Markdown
//! cell escaping in [`md_cell`].

use super::model::{Model, RuntimeDep};
use super::stamp::Header;
use minijinja::{Environment, Value as JValue, context};
use serde_json::{Value, json};

const CARGO_TOML: &str = include_str!("../../../templates/Cargo.toml.j2");
const README: &str = include_str!("../../../templates/README.md.j2");
const GITIGNORE: &str = include_str!("../../../templates/gitignore.j2");
const MANIFEST_CARGO_TOML: &str = include_str!("../../../templates/manifest/Cargo.toml.j2");
const MANIFEST_README: &str = include_str!("../../../templates/manifest/README.md.j2");
/// `[profile.production]`, the `production_profile` of both Cargo.toml templates.
const PRODUCTION_PROFILE: &str = include_str!("../../../templates/production-profile.toml.j2");

fn env() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| format!("template syntax: {e}"))?;
    env.set_syntax(syntax);
    env.add_filter("toml", |s: String| toml_string(&s));
    env.add_global("production_profile", PRODUCTION_PROFILE);
    for (name, text) in [
        ("Cargo.toml", CARGO_TOML),
        ("README.md", README),
        ("gitignore", GITIGNORE),
        ("manifest/Cargo.toml", MANIFEST_CARGO_TOML),
        ("manifest/README.md", MANIFEST_README),
    ] {
        env.add_template(name, text).map_err(|e| format!("template {name}: {e}"))?;
    }
    Ok(env)
}

/// A TOML basic string. JSON's escaping is TOML's, except that TOML also forbids a raw DEL
/// (U+007F), which JSON leaves alone.
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()).replace('\u{7f}', "\\u007F")
}

pub(super) fn render(name: &str, ctx: JValue) -> Result<String, String> {
    let env = env()?;
    let t = env.get_template(name).map_err(|e| e.to_string())?;
    t.render(ctx).map_err(|e| format!("template {name}: {e}"))
}

pub fn cargo_toml(m: &Model) -> Result<String, String> {
    let (runtime_path, runtime_version) = match &m.runtime {
        RuntimeDep::Path(p) => (Some(p.clone()), None),
        RuntimeDep::Version(v) => (None, Some(v.clone())),
    };
    let description = format!("MCP server for {}", one_line(&m.title));
    let body = render(
        "Cargo.toml",
        context! {
            crate_name => &m.crate_name,
            description => description,
            runtime_path => runtime_path,
            runtime_version => runtime_version,
        },
    )?;
    Ok(m.toml_file(&body))
}

pub fn gitignore() -> Result<String, String> {
    render("gitignore", context! {})
}

pub fn readme(m: &Model) -> Result<String, String> {
    let binary = format!("target/release/{}", m.crate_name);
    let mut env = serde_json::Map::new();
    if m.base_url.is_none() {
        env.insert(m.base_url_env.clone(), json!("https://..."));
    }
    for s in &m.schemes {
        if let Some((var, _)) = s.env.first() {
            env.insert(var.clone(), json!("..."));
        }
    }
    let server =
        json!({"command": format!("/path/to/{}/{binary}", m.crate_name), "args": [], "env": Value::Object(env)});
    let client_config = json!({"mcpServers": {m.crate_name.clone(): server.clone()}});
    let mcp_json = json!({"servers": {m.crate_name.clone(): {"type": "stdio", "command": server["command"], "args": [], "env": server["env"]}}});
    let tools: Vec<JValue> = m
        .tools
        .iter()
        .map(|t| {
            let summary = t.title.clone().unwrap_or_else(|| t.description.clone());
            let path = request_target(&t.url_path, &t.fixed_query);
            context! { name => &t.name, method => t.method.upper(), path => md_cell(&path), summary => md_cell(&one_line(&summary)), hidden => t.hidden }
        })
        .collect();
    let own_servers: Vec<JValue> = m
        .tools
        .iter()
        .filter_map(|t| {
            let server = t.server.as_deref()?;
            let relative = !server.contains("://");
            Some(context! { name => &t.name, server => md_cell(server), relative => relative })
        })
        .collect();
    let schemes: Vec<JValue> = m
        .schemes
        .iter()
        .map(|s| context! { env => s.env.iter().map(|(k, v)| (k.clone(), md_cell(v))).collect::<Vec<_>>() })
        .collect();
    let body = render(
        "README.md",
        context! {
            crate_name => &m.crate_name,
            title => md_cell(&one_line(&m.title)),
            api_version => md_cell(&m.api_version),
            spec_name => md_cell(&m.spec_name),
            base_url_env => &m.base_url_env,
            timeout_env => &m.timeout_env,
            base_url => m.base_url.as_deref().map(md_cell),
            schemes => schemes,
            tools => tools,
            own_servers => own_servers,
            binary => binary,
            client_config => serde_json::to_string_pretty(&client_config).unwrap_or_default(),
            mcp_json => serde_json::to_string_pretty(&mcp_json).unwrap_or_default(),
        },
    )?;
    Ok(m.markdown_file(&body))
}

/// `/path?fixed=query` as the operation's path key shows it (variables of the key's query are
/// ordinary query parameters by now).
fn request_target(path: &str, fixed: &[(String, Option<String>)]) -> String {
    let pairs: Vec<String> = fixed
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("{n}={v}"),
            None => n.clone(),
        })
        .collect();
    if pairs.is_empty() { path.to_string() } else { format!("{path}?{}", pairs.join("&")) }
}

/// The first line, at most 200 characters.
pub(super) fn one_line(s: &str) -> String {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Text that stays inside one Markdown table cell and renders no HTML or code spans.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
