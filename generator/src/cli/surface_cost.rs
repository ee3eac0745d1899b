//! What a generated server's tool surface costs a model: for `all` and `dynamic`, how many tools
//! a client lists and the bytes (and estimated tokens) of their names, descriptions and input
//! schemas; and which one `auto` picks. The runtime's own figures (`model_facing_len`), so the
//! generator says what the server will do. Also how many tool names were shortened to fit.

use crate::{SurfaceMode, ToolDef};
use mcpgen_runtime::server::{DEFAULT_TOOL_BUDGET, dynamic_surface_len, tokens};

/// One mode's surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cost {
    pub tools: usize,
    pub bytes: usize,
}

impl Cost {
    pub fn tokens(self) -> usize {
        tokens(self.bytes)
    }
}

/// Both surfaces of `tools`, the budget, and the mode a server with `mode` serves.
pub(super) struct Costs {
    pub all: Cost,
    pub dynamic: Cost,
    pub budget: usize,
    pub served: SurfaceMode,
}

pub(super) fn costs(tools: &[ToolDef], mode: SurfaceMode, budget: Option<usize>) -> Costs {
    // What `tools/list` serves: hidden tools (`x-mcp.hidden`) are callable, never listed.
    let listed = || tools.iter().filter(|t| !t.hidden);
    let bytes = listed().map(crate::tables::model_facing_len).sum();
    let all = Cost { tools: listed().count(), bytes };
    let (count, bytes) = dynamic_surface_len(false);
    let dynamic = Cost { tools: count, bytes };
    let budget = budget.unwrap_or(DEFAULT_TOOL_BUDGET);
    let served = match mode {
        SurfaceMode::Auto if all.tokens() <= budget => SurfaceMode::All,
        SurfaceMode::Auto => SurfaceMode::Dynamic,
        other => other,
    };
    Costs { all, dynamic, budget, served }
}

impl Costs {
    /// One line for the generation's summary: the mode served and what it costs.
    pub fn summary(&self, mode: SurfaceMode) -> String {
        let served = if self.served == SurfaceMode::Dynamic { self.dynamic } else { self.all };
        let chosen = match mode {
            SurfaceMode::Auto => {
                format!("auto (budget {} tokens) serves {}", thousands(self.budget), self.served.as_str())
            }
            other => other.as_str().to_string(),
        };
        let other = if self.served == SurfaceMode::Dynamic {
            format!("; all {} tools would be ~{} tokens", self.all.tools, thousands(self.all.tokens()))
        } else {
            String::new()
        };
        format!(
            "Tools: {chosen}: {} tool(s), {} bytes, ~{} tokens for the model{other} (`--tools` to choose).",
            served.tools,
            thousands(served.bytes),
            thousands(served.tokens())
        )
    }
}

/// `1234567` as `1,234,567`.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many names were shortened to fit the name-length limit, as one line; `None` when none was.
pub(super) fn shortened_names(tools: &[crate::ToolDef], max_len: usize) -> Option<String> {
    let n = tools.iter().filter(|t| t.shortened_from.is_some()).count();
    let max = max_len.clamp(crate::tools::naming::MIN_LEN, crate::tools::naming::MAX_LEN);
    (n > 0).then(|| {
        format!(
            "{n} tool name(s) longer than {max} characters shortened (each keeps its operationId in its description; \
             `mcpgen inspect --json` lists them under `shortenedFrom`; --max-tool-name-length sets the limit)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_serves_all_within_the_budget_and_dynamic_past_it() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/petstore.yaml");
        let crate::Description::OpenApi(set) = crate::describe(&crate::Settings::new(root)).unwrap() else {
            panic!("an OpenAPI description")
        };
        let c = costs(&set.tools, SurfaceMode::Auto, None);
        assert_eq!((c.all.tools, c.dynamic.tools, c.served), (4, 4, SurfaceMode::All));
        assert!(c.all.bytes > 1000 && c.dynamic.bytes > 1000, "{:?} {:?}", c.all, c.dynamic);
        let tight = costs(&set.tools, SurfaceMode::Auto, Some(10));
        assert_eq!(tight.served, SurfaceMode::Dynamic);
        assert!(
            tight.summary(SurfaceMode::Auto).starts_with("Tools: auto (budget 10 tokens) serves dynamic: 4 tool(s)")
        );
        assert!(tight.summary(SurfaceMode::Auto).contains("all 4 tools would be ~"));
        assert_eq!(costs(&set.tools, SurfaceMode::Dynamic, None).served, SurfaceMode::Dynamic);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
