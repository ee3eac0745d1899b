//! Which tools of the catalogue a client may see and call.

use super::{ToolMode, toolset_id};
use crate::server::tool::RegisteredTool;
use std::sync::Arc;

/// A narrowing of the catalogue: by toolset, to read-only tools, and (for one client) the mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Toolset ids ([`toolset_id`]); empty: every tool, whatever its toolsets.
    pub toolsets: Vec<String>,
    /// Only tools annotated `readOnlyHint: true`.
    pub read_only: bool,
    /// A client's own mode (`?tools=dynamic`), over the server's.
    pub mode: Option<ToolMode>,
    /// The scopes the client's OAuth token grants: a tool that needs others is not selected.
    /// `None`: not limited by scope (no OAuth, or a static token).
    pub(crate) granted_scopes: Option<Arc<[String]>>,
}

impl Selection {
    /// The selection of `--toolset` names (repeatable) and `--read-only`.
    pub fn new<S: AsRef<str>>(toolsets: &[S], read_only: bool) -> Selection {
        let mut ids: Vec<String> = toolsets.iter().map(|t| toolset_id(t.as_ref())).filter(|t| !t.is_empty()).collect();
        ids.sort();
        ids.dedup();
        Selection { toolsets: ids, read_only, mode: None, granted_scopes: None }
    }

    /// A client's selection from the endpoint URL's query: `toolset=a,b` (repeatable),
    /// `read_only=true` (or `1`, `yes`), `tools=all|dynamic|auto`. Other parameters are left to
    /// whoever else reads the URL.
    pub fn from_query(query: &str) -> Result<Selection, String> {
        let mut toolsets = Vec::new();
        let mut read_only = false;
        let mut mode = None;
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "toolset" | "toolsets" => toolsets.extend(value.split(',').map(str::to_string)),
                "read_only" | "readOnly" | "read-only" => {
                    read_only = match value.to_ascii_lowercase().as_str() {
                        "" | "true" | "1" | "yes" => true,
                        "false" | "0" | "no" => false,
                        other => return Err(format!("`read_only={other}` in the URL: expected true or false")),
                    }
                }
                "tools" => mode = Some(value.parse::<ToolMode>().map_err(|e| format!("`tools=` in the URL: {e}"))?),
                _ => {}
            }
        }
        let mut selection = Selection::new(&toolsets, read_only);
        selection.mode = mode;
        Ok(selection)
    }

    /// Whether it selects every tool (the common case, served without filtering).
    pub fn is_everything(&self) -> bool {
        self.toolsets.is_empty() && !self.read_only && self.granted_scopes.is_none()
    }

    /// Whether `tool` is selected.
    pub(crate) fn admits(&self, tool: &RegisteredTool) -> bool {
        (!self.read_only || tool.read_only)
            && (self.toolsets.is_empty() || tool.catalog.toolsets.iter().any(|t| self.toolsets.contains(t)))
            && self.grants_scopes_of(tool)
    }

    /// Whether the client's token grants every scope `tool` needs.
    pub(crate) fn grants_scopes_of(&self, tool: &RegisteredTool) -> bool {
        match &self.granted_scopes {
            None => true,
            Some(granted) => tool.scopes.iter().all(|needed| granted.contains(needed)),
        }
    }

    /// This selection, limited to tools whose scopes `granted` holds (`None`: unchanged).
    pub(crate) fn within_scopes(mut self, granted: Option<Arc<[String]>>) -> Selection {
        self.granted_scopes = granted;
        self
    }

    /// A client's selection `client` held within this (the server's) one: the client's toolsets
    /// (each one the server serves: see [`Selection::check`]), else the server's; read-only if
    /// either is; the client's mode.
    pub(crate) fn narrowed_by(&self, client: &Selection) -> Selection {
        Selection {
            toolsets: if client.toolsets.is_empty() { self.toolsets.clone() } else { client.toolsets.clone() },
            read_only: self.read_only || client.read_only,
            mode: client.mode.or(self.mode),
            granted_scopes: self.granted_scopes.clone(),
        }
    }

    /// Every toolset named must be one of `known` (and, when `within` names toolsets, one of
    /// those); the error names the toolsets there are.
    pub(crate) fn check(&self, known: &[String], within: &Selection) -> Result<(), String> {
        let served = |t: &String| known.contains(t) && (within.toolsets.is_empty() || within.toolsets.contains(t));
        let Some(unknown) = self.toolsets.iter().find(|t| !served(t)) else { return Ok(()) };
        let available: Vec<&String> =
            known.iter().filter(|t| within.toolsets.is_empty() || within.toolsets.contains(t)).collect();
        Err(if available.is_empty() {
            format!("unknown toolset `{unknown}`: this server's tools are in no toolset")
        } else {
            let shown: Vec<&str> = available.iter().take(40).map(|t| t.as_str()).collect();
            let more = if available.len() > shown.len() {
                format!(" and {} more", available.len() - shown.len())
            } else {
                String::new()
            };
            format!("unknown toolset `{unknown}`; the toolsets are: {}{more}", shown.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Tool;
    use serde_json::json;

    fn tool(name: &str, toolsets: &[&str], read_only: bool) -> RegisteredTool {
        let mut t = Tool::new(name, json!({"type": "object"})).handler(|_, _| async { Ok("") });
        for s in toolsets {
            t = t.toolset(s);
        }
        if read_only {
            t = t.read_only();
        }
        RegisteredTool::compile(t).unwrap()
    }

    #[test]
    fn a_selection_admits_by_toolset_and_read_only() {
        let (list, create, plain) =
            (tool("list", &["Repos"], true), tool("create", &["repos", "issues"], false), tool("p", &[], false));
        let everything = Selection::default();
        assert!(everything.is_everything() && everything.admits(&plain));
        let repos = Selection::new(&["REPOS"], false);
        assert!(repos.admits(&list) && repos.admits(&create) && !repos.admits(&plain));
        let read = Selection::new::<&str>(&[], true);
        assert!(read.admits(&list) && !read.admits(&create));
    }

    #[test]
    fn a_token_selects_only_the_tools_whose_scopes_it_grants() {
        let t = |name: &str, scopes: &[&str]| {
            let mut tool = Tool::new(name, json!({"type": "object"})).handler(|_, _| async { Ok("") });
            for s in scopes {
                tool = tool.requires_scope(*s);
            }
            RegisteredTool::compile(tool).unwrap()
        };
        let (open, read, both) = (t("open", &[]), t("read", &["repo:read"]), t("both", &["repo:read", "repo:write"]));
        let granted: Arc<[String]> = vec!["repo:read".to_string()].into();
        let s = Selection::default().within_scopes(Some(granted));
        assert!(!s.is_everything());
        assert!(s.admits(&open) && s.admits(&read) && !s.admits(&both));
        assert!(Selection::default().within_scopes(None).admits(&both));
    }

    #[test]
    fn a_query_gives_a_clients_selection() {
        let s = Selection::from_query("toolset=repos,Pull%20Requests&read_only=true&tools=dynamic&other=x").unwrap();
        assert_eq!(s.toolsets, ["pull-requests", "repos"]);
        assert!(s.read_only);
        assert_eq!(s.mode, Some(ToolMode::Dynamic));
        assert_eq!(Selection::from_query("toolset=a&toolset=b").unwrap().toolsets, ["a", "b"]);
        assert!(Selection::from_query("").unwrap().is_everything());
        assert!(Selection::from_query("read_only=maybe").unwrap_err().contains("expected true or false"));
        assert!(Selection::from_query("tools=some").unwrap_err().contains("expected all, dynamic or auto"));
    }

    #[test]
    fn a_client_narrows_the_server_and_names_only_toolsets_it_serves() {
        let server = Selection::new(&["repos", "issues"], false);
        let client = Selection::new(&["issues"], true);
        let both = server.narrowed_by(&client);
        assert_eq!((both.toolsets.as_slice(), both.read_only), (&["issues".to_string()][..], true));
        assert_eq!(server.narrowed_by(&Selection::default()), server);
        let known = ["issues".to_string(), "pulls".to_string(), "repos".to_string()];
        assert!(client.check(&known, &server).is_ok());
        let e = Selection::new(&["pulls"], false).check(&known, &server).unwrap_err();
        assert_eq!(e, "unknown toolset `pulls`; the toolsets are: issues, repos");
        let e = Selection::new(&["x"], false).check(&[], &Selection::default()).unwrap_err();
        assert!(e.contains("in no toolset"), "{e}");
    }
}
