//! Tool surfaces: which of a server's tools a client sees, and how (DESIGN.md §7).
//!
//! A client hands the model every listed tool's name, description and input schema. For a large
//! API that is more than a context holds (GitHub's 1,223 tools: about 428,000 tokens), so a server
//! can present its catalogue in one of three [`ToolMode`]s:
//! - `all`: one tool per catalogue entry;
//! - `dynamic`: four tools in front of the whole catalogue ([`meta`]): search it ([`search`], BM25
//!   over names, titles, descriptions, operations, toolsets and argument names), describe entries,
//!   and call one (a read-only variant refuses tools that change anything);
//! - `auto`: `all` when the surface fits a token budget, `dynamic` otherwise.
//!
//! A [`Selection`] narrows the catalogue (toolsets, read-only) for the whole server (flags) and per
//! client (the HTTP endpoint's query, `?toolset=repos&read_only=true`). A tool outside a client's
//! selection is unknown to it, whichever way it is reached.

pub(crate) mod meta;
pub(crate) mod search;
mod selection;

pub use selection::Selection;

use std::str::FromStr;

/// How a server presents its tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ToolMode {
    /// One tool per catalogue entry.
    #[default]
    All,
    /// Search, describe and call tools in front of the catalogue.
    Dynamic,
    /// `All` when the selected tools fit the token budget, else `Dynamic`.
    Auto,
}

impl ToolMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolMode::All => "all",
            ToolMode::Dynamic => "dynamic",
            ToolMode::Auto => "auto",
        }
    }
}

impl FromStr for ToolMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "all" => Ok(ToolMode::All),
            "dynamic" => Ok(ToolMode::Dynamic),
            "auto" => Ok(ToolMode::Auto),
            _ => Err(format!("unknown tool mode `{s}` (expected all, dynamic or auto)")),
        }
    }
}

/// `auto`'s default budget, in estimated tokens: a surface this size still leaves most of a
/// model's context for the conversation; past it, clients start to warn, and models to choose
/// badly among the tools.
pub const DEFAULT_TOOL_BUDGET: usize = 25_000;

/// The server-wide tool surface: the mode, `auto`'s budget, and the selection every client is
/// held to (a client's own can only narrow it).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Surface {
    pub mode: ToolMode,
    /// `None`: [`DEFAULT_TOOL_BUDGET`].
    pub budget: Option<usize>,
    pub selection: Selection,
}

impl Surface {
    pub fn budget(&self) -> usize {
        self.budget.unwrap_or(DEFAULT_TOOL_BUDGET)
    }
}

/// A toolset's id: lower case, runs of anything but ASCII letters and digits as one `-`
/// (`Pull Requests` and `pull_requests` are both `pull-requests`).
pub fn toolset_id(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The bytes of what a client hands the model for one tool: its name, title, description and
/// input schema, with the JSON around them (an estimate: strings counted as they are, not as
/// escaped). The same figure for a running server's tools and for `mcpgen inspect`.
pub fn model_facing_len(name: &str, title: Option<&str>, description: Option<&str>, input_schema_len: usize) -> usize {
    const FRAME: usize = r#"{"name":"","title":"","description":"","inputSchema":},"#.len();
    FRAME + name.len() + title.map_or(0, str::len) + description.map_or(0, str::len) + input_schema_len
}

/// Estimated tokens of `bytes` of tool definitions: a quarter of the bytes, rounded up (the rule
/// of thumb for JSON and English text; real tokenizers differ by model).
pub fn tokens(bytes: usize) -> usize {
    bytes.div_ceil(4)
}

/// The dynamic surface as a client sees it: how many tools, and their bytes by
/// [`model_facing_len`] (`read_only`: a read-only client's, without `call_tool`).
pub fn dynamic_surface_len(read_only: bool) -> (usize, usize) {
    let tools = meta::tools(read_only);
    (tools.len(), tools.iter().map(|t| t.model_facing_len()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolset_ids_ignore_case_and_punctuation() {
        assert_eq!(toolset_id("Pull Requests"), "pull-requests");
        assert_eq!(toolset_id("pull_requests"), "pull-requests");
        assert_eq!(toolset_id("  repos "), "repos");
        assert_eq!(toolset_id("日本"), "");
    }

    #[test]
    fn modes_parse_by_name() {
        assert_eq!("Dynamic".parse::<ToolMode>(), Ok(ToolMode::Dynamic));
        assert!("some".parse::<ToolMode>().unwrap_err().contains("expected all, dynamic or auto"));
    }

    #[test]
    fn budgets_count_what_the_model_reads() {
        let bare = model_facing_len("t", None, None, 2);
        assert_eq!(model_facing_len("t", Some("Title"), Some("Does it"), 2), bare + 5 + 7);
        assert_eq!(tokens(0), 0);
        assert_eq!(tokens(1), 1);
        assert_eq!(tokens(8), 2);
        assert_eq!(tokens(9), 3);
    }
}
