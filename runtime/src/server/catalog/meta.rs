//! The dynamic surface's tools: search the catalogue, describe entries, call one. They are served
//! by the dispatcher (`dispatch/tools.rs`), which knows the client's selection; here are their
//! definitions and the results they give.

use super::search::SearchIndex;
use crate::server::tool::RegisteredTool;
use crate::server::{Tool, ToolResult};
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub const SEARCH: &str = "search_tools";
pub const DESCRIBE: &str = "describe_tools";
pub const CALL: &str = "call_tool";
pub const CALL_READ_ONLY: &str = "call_read_only_tool";

/// Results a search gives when it does not say.
const DEFAULT_LIMIT: usize = 10;
/// A search result's summary, at most.
const SUMMARY_CHARS: usize = 160;
/// Close matches named for an unknown tool.
const CLOSE_MATCHES: usize = 5;

/// Whether `name` is one of the dynamic surface's tools.
pub fn is_meta(name: &str) -> bool {
    [SEARCH, DESCRIBE, CALL, CALL_READ_ONLY].contains(&name)
}

/// The dynamic surface's tools, compiled; a read-only client gets no `call_tool`.
pub(crate) fn tools(read_only: bool) -> Vec<Arc<RegisteredTool>> {
    let use_together = "Use the tools together: `search_tools` finds tools for a task, `describe_tools` gives \
        the input schema of the ones you pick, and `call_tool` (or `call_read_only_tool`, for tools that only read) \
        calls one with arguments that follow its schema.";
    let search = tool(
        SEARCH,
        json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 1, "description": "The task, in words, e.g. \"create an issue\" or \"list pull requests\""},
                "toolset": {"type": "string", "description": "Only tools of this toolset"},
                "method": {"type": "string", "description": "Only tools that make this HTTP request method, e.g. GET"},
                "read_only": {"type": "boolean", "description": "Only tools that do not change anything"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": DEFAULT_LIMIT, "description": "How many tools to return"}
            },
            "required": ["query"],
            "additionalProperties": false
        }),
    )
    .title("Search the tools")
    .description(format!(
        "Searches this server's whole catalogue of tools for a task described in words and returns the best \
         matches first, each with its name, a one-line summary, the HTTP request it makes and whether it only reads. \
         {use_together}"
    ))
    .read_only();
    let describe = tool(
        DESCRIBE,
        json!({
            "type": "object",
            "properties": {
                "names": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 20, "description": "Tool names, as search_tools gives them"}
            },
            "required": ["names"],
            "additionalProperties": false
        }),
    )
    .title("Describe tools")
    .description(format!(
        "Gives the full description, input schema and output schema of each named tool. {use_together}"
    ))
    .read_only();
    let call_schema = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "The tool's name, as search_tools gives it"},
            "arguments": {"type": "object", "description": "The tool's arguments, following the input schema describe_tools gives"}
        },
        "required": ["name"],
        "additionalProperties": false
    });
    let call = tool(CALL, call_schema.clone())
        .title("Call a tool")
        .description(format!(
            "Calls one tool of the catalogue with its arguments and returns the tool's own result. {use_together}"
        ))
        .annotation("readOnlyHint", false)
        .annotation("destructiveHint", true)
        .annotation("openWorldHint", true);
    let call_read_only = tool(CALL_READ_ONLY, call_schema)
        .title("Call a read-only tool")
        .description(format!(
            "Calls one tool that only reads (its search result says `readOnly: true`) and returns its result; a tool \
             that changes anything is refused. {use_together}"
        ))
        .read_only()
        .annotation("openWorldHint", true);
    let chosen =
        if read_only { vec![search, describe, call_read_only] } else { vec![search, describe, call, call_read_only] };
    chosen
        .into_iter()
        .map(|t| {
            let t = t.handler(|_, _| async {
                Err::<ToolResult, _>(crate::server::ToolError::new("served by the dispatcher"))
            });
            Arc::new(RegisteredTool::compile(t).expect("the dynamic surface's tools are valid"))
        })
        .collect()
}

/// A tool whose schema is kept as text, checked and compiled when first used: a server that
/// lists the dynamic surface pays nothing for validators until a call needs them.
fn tool(name: &str, schema: Value) -> Tool {
    Tool::from_schema_text(name.to_string(), schema.to_string())
}

/// `search_tools`: the best matches among the tools `admits` lets through.
pub(crate) fn search(index: &SearchIndex, args: &Value, admits: impl Fn(&RegisteredTool) -> bool) -> ToolResult {
    let query = args["query"].as_str().unwrap_or_default();
    if !query.chars().any(char::is_alphanumeric) {
        return ToolResult::error(
            "the query has no words to search for: say what you want to do, e.g. \"create an issue\"",
        );
    }
    let toolset = args["toolset"].as_str().map(super::toolset_id);
    let method = args["method"].as_str().map(str::to_ascii_uppercase);
    let read_only = args["read_only"].as_bool().unwrap_or(false);
    let limit = args["limit"].as_u64().map_or(DEFAULT_LIMIT, |n| n as usize);
    let keep = |t: &RegisteredTool| {
        admits(t)
            && (!read_only || t.read_only)
            && toolset.as_ref().is_none_or(|s| t.catalog.toolsets.contains(s))
            && method
                .as_ref()
                .is_none_or(|m| t.catalog.operation.as_ref().is_some_and(|o| o.split(' ').next() == Some(m.as_str())))
    };
    let hits = index.search(query, keep);
    let more = hits.len().saturating_sub(limit);
    let tools: Vec<Value> = hits.iter().take(limit).map(|(t, _)| entry(t)).collect();
    let mut result = json!({ "tools": tools });
    if more > 0 {
        result["more"] = json!(more);
    }
    if tools.is_empty() {
        result["hint"] = json!("no tool matched: try other words, or fewer filters");
    }
    ToolResult::structured(result)
}

/// One search result.
fn entry(t: &RegisteredTool) -> Value {
    let mut e = Map::new();
    e.insert("name".into(), json!(t.name));
    e.insert("summary".into(), json!(summary(t)));
    if let Some(operation) = &t.catalog.operation {
        e.insert("operation".into(), json!(operation));
    }
    e.insert("readOnly".into(), json!(t.read_only));
    if !t.catalog.toolsets.is_empty() {
        e.insert("toolsets".into(), json!(t.catalog.toolsets));
    }
    Value::Object(e)
}

/// The title, else the description's first line, cut to [`SUMMARY_CHARS`].
fn summary(t: &RegisteredTool) -> String {
    let text =
        t.title().or_else(|| t.description().and_then(|d| d.lines().find(|l| !l.trim().is_empty()))).unwrap_or("");
    let text = text.trim();
    match text.char_indices().nth(SUMMARY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// `describe_tools`: each named tool whole, or an error naming the ones that do not exist.
pub(crate) fn describe(found: Vec<Result<Arc<RegisteredTool>, String>>) -> ToolResult {
    let unknown: Vec<String> = found.iter().filter_map(|f| f.as_ref().err().cloned()).collect();
    if !unknown.is_empty() {
        return ToolResult::error(unknown.join("\n"));
    }
    let tools: Vec<Value> = found.into_iter().flatten().map(|t| described(&t)).collect();
    ToolResult::structured(json!({ "tools": tools }))
}

fn described(t: &RegisteredTool) -> Value {
    let mut d = Map::new();
    d.insert("name".into(), json!(t.name));
    if let Some(title) = t.title() {
        d.insert("title".into(), json!(title));
    }
    if let Some(description) = t.description() {
        d.insert("description".into(), json!(description));
    }
    d.insert("inputSchema".into(), t.input.value());
    if let Some(output) = &t.output {
        d.insert("outputSchema".into(), output.value());
    }
    if !t.annotations().is_empty() {
        d.insert("annotations".into(), Value::Object(t.annotations().clone()));
    }
    Value::Object(d)
}

/// "No tool named `x`", with the closest names among those `admits` lets through.
pub(crate) fn unknown(name: &str, index: &SearchIndex, admits: impl Fn(&RegisteredTool) -> bool) -> String {
    let lower = name.to_ascii_lowercase();
    let mut close: Vec<String> = Vec::new();
    for (t, _) in index.search(name, &admits) {
        if close.len() == CLOSE_MATCHES {
            break;
        }
        close.push(t.name.clone());
    }
    // A name that contains the one asked for (or the other way round) is the likeliest typo.
    let mut contained: Vec<String> = index
        .search(&lower, &admits)
        .into_iter()
        .map(|(t, _)| t.name.clone())
        .filter(|n| n.to_ascii_lowercase().contains(&lower) || lower.contains(&n.to_ascii_lowercase()))
        .collect();
    contained.retain(|n| !close.contains(n));
    contained.extend(close);
    contained.truncate(CLOSE_MATCHES);
    if contained.is_empty() {
        format!("No tool named `{name}`: search for one with `search_tools`.")
    } else {
        format!(
            "No tool named `{name}`. Close matches: {}.",
            contained.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, read_only: bool) -> Arc<RegisteredTool> {
        let mut t = Tool::new(name, json!({"type": "object", "properties": {"id": {"type": "string"}}}))
            .title(format!("Title of {name}"))
            .toolset("things")
            .http_operation(if read_only { "GET" } else { "DELETE" }, "/things/{id}")
            .handler(|_, _| async { Ok("") });
        if read_only {
            t = t.read_only();
        }
        Arc::new(RegisteredTool::compile(t).unwrap())
    }

    #[test]
    fn the_surface_is_four_tools_and_three_for_read_only_clients() {
        let names = |ts: Vec<Arc<RegisteredTool>>| ts.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(tools(false)), [SEARCH, DESCRIBE, CALL, CALL_READ_ONLY]);
        assert_eq!(names(tools(true)), [SEARCH, DESCRIBE, CALL_READ_ONLY]);
        assert!(tools(false).iter().all(|t| t.description().unwrap().contains("search_tools")));
        assert!(is_meta(CALL) && !is_meta("get_thing"));
    }

    #[test]
    fn search_filters_limits_and_says_how_many_more() {
        let index =
            SearchIndex::new(&[tool("get_thing", true), tool("delete_thing", false), tool("get_other_thing", true)]);
        let r = search(&index, &json!({"query": "thing", "limit": 1}), |_| true);
        let s = r.structured.unwrap();
        assert_eq!(s["tools"].as_array().unwrap().len(), 1);
        assert_eq!(s["more"], 2);
        let r = search(&index, &json!({"query": "thing", "method": "delete"}), |_| true).structured.unwrap();
        assert_eq!(r["tools"][0]["name"], "delete_thing");
        assert_eq!(r["tools"][0]["operation"], "DELETE /things/{id}");
        assert_eq!(r["tools"][0]["readOnly"], false);
        let r = search(&index, &json!({"query": "thing", "read_only": true}), |_| true).structured.unwrap();
        assert!(r["tools"].as_array().unwrap().iter().all(|t| t["readOnly"] == true));
        let r = search(&index, &json!({"query": "thing"}), |t| t.name != "get_thing").structured.unwrap();
        assert!(r["tools"].as_array().unwrap().iter().all(|t| t["name"] != "get_thing"), "the selection holds");
        assert!(search(&index, &json!({"query": "  ?! "}), |_| true).is_error);
    }

    #[test]
    fn unknown_names_come_with_close_matches() {
        let index = SearchIndex::new(&[tool("get_thing", true), tool("delete_thing", false)]);
        let said = unknown("get_thingy", &index, |_| true);
        assert!(said.starts_with("No tool named `get_thingy`. Close matches: `get_thing`"), "{said}");
        assert!(unknown("zzz", &index, |_| true).contains("search for one with `search_tools`"));
        let r = describe(vec![Ok(tool("get_thing", true)), Err("No tool named `x`.".into())]);
        assert!(r.is_error);
        let r = describe(vec![Ok(tool("get_thing", true))]).structured.unwrap();
        assert_eq!(r["tools"][0]["inputSchema"]["properties"]["id"]["type"], "string");
        assert_eq!(r["tools"][0]["annotations"]["readOnlyHint"], true);
    }
}
