//! A `tools/list` page, kept as the tools it shows and written only when it is sent.
//!
//! A large API's page is megabytes (GitHub's 1,223 tools: 7.6 MB). Built whole before sending,
//! it was a fresh buffer of that size, and faulting its pages in cost more than filling them; the
//! client also waited for the last tool before reading the first. Written in parts
//! ([`PageParts::fill`]), the STDIO transport sends each part while the next is written, through
//! one buffer it reuses.

use super::tool::RegisteredTool;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// One page of tools: `{"tools":[...]` followed by its other members and `}`.
#[derive(Clone)]
pub struct ToolPage {
    tools: Vec<Arc<RegisteredTool>>,
    /// The members after `tools`, each as `,"key":value`.
    members: String,
}

impl ToolPage {
    pub(crate) fn new(tools: &[Arc<RegisteredTool>], next_cursor: Option<&str>) -> ToolPage {
        let mut page = ToolPage { tools: tools.to_vec(), members: String::new() };
        if let Some(cursor) = next_cursor {
            page.push_member("nextCursor", &Value::from(cursor));
        }
        page
    }

    /// Adds a member after the ones already there (the 2026-07-28 `resultType` and cache hints).
    pub(crate) fn push_member(&mut self, key: &str, value: &Value) {
        self.members.push(',');
        self.members.push_str(&Value::from(key).to_string());
        self.members.push(':');
        self.members.push_str(&value.to_string());
    }

    /// The page's length in bytes, for sizing a buffer once.
    pub fn len(&self) -> usize {
        let tools: usize = self.tools.iter().map(|t| t.definition_len()).sum();
        let commas = self.tools.len().saturating_sub(1);
        r#"{"tools":[]}"#.len() + tools + commas + self.members.len()
    }

    /// Whether the page shows no tool.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// Appends the whole page's JSON text to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.reserve(self.len());
        self.parts().fill(out, usize::MAX);
    }

    /// The page's text in parts, for a transport that sends each as it is written.
    pub fn parts(&self) -> PageParts<'_> {
        PageParts { page: self, next: 0 }
    }
}

/// Where writing a [`ToolPage`] has got to.
pub struct PageParts<'a> {
    page: &'a ToolPage,
    /// The next piece to write: 0 is `{"tools":[`, 1 to n the tools, n + 1 the end.
    next: usize,
}

impl PageParts<'_> {
    /// Appends to `out` until it holds at least `at_least` bytes or the page is written; true
    /// while some of the page is left, for another call once `out` has been taken.
    pub fn fill(&mut self, out: &mut Vec<u8>, at_least: usize) -> bool {
        let tools = &self.page.tools;
        while self.next <= tools.len() + 1 {
            if out.len() >= at_least {
                return true;
            }
            match self.next {
                0 => out.extend_from_slice(br#"{"tools":["#),
                i if i <= tools.len() => {
                    if i > 1 {
                        out.push(b',');
                    }
                    tools[i - 1].write_definition(out);
                }
                _ => {
                    out.push(b']');
                    out.extend_from_slice(self.page.members.as_bytes());
                    out.push(b'}');
                }
            }
            self.next += 1;
        }
        false
    }
}

impl fmt::Debug for ToolPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
        f.debug_struct("ToolPage").field("tools", &names).field("members", &self.members).finish()
    }
}

/// Two pages are equal when they show the same registered tools with the same members.
impl PartialEq for ToolPage {
    fn eq(&self, other: &ToolPage) -> bool {
        self.members == other.members
            && self.tools.len() == other.tools.len()
            && self.tools.iter().zip(&other.tools).all(|(a, b)| Arc::ptr_eq(a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Tool;
    use serde_json::json;

    fn tool(name: &str, description: &str) -> Arc<RegisteredTool> {
        let tool = Tool::new(name, json!({"type": "object", "properties": {"a": {"type": "string"}}}))
            .description(description)
            .handler(|_, _| async { Ok(crate::ToolResult::text("x")) });
        Arc::new(RegisteredTool::compile(tool).unwrap())
    }

    fn definition(tool: &RegisteredTool) -> Value {
        let mut text = Vec::new();
        tool.write_definition(&mut text);
        serde_json::from_slice(&text).unwrap()
    }

    /// Written in parts of any size, the page is the same text as written whole, and that text is
    /// the tools' definitions with the page's members.
    #[test]
    fn parts_of_any_size_make_the_whole_page() {
        let tools: Vec<_> = (0..5).map(|i| tool(&format!("t{i}"), &"d \"quoted\"\n".repeat(i))).collect();
        let mut page = ToolPage::new(&tools, Some("c2"));
        page.push_member("resultType", &json!("complete"));
        let mut whole = Vec::new();
        page.write(&mut whole);
        assert_eq!(whole.len(), page.len());
        let value: Value = serde_json::from_slice(&whole).unwrap();
        let expected = json!({
            "tools": tools.iter().map(|t| definition(t)).collect::<Vec<_>>(),
            "nextCursor": "c2",
            "resultType": "complete",
        });
        assert_eq!(value, expected);

        for part in [1, 10, 100, 1000] {
            let (mut sent, mut batch, mut parts) = (Vec::new(), Vec::new(), page.parts());
            let mut rounds = 0;
            while parts.fill(&mut batch, part) {
                assert!(batch.len() >= part);
                sent.append(&mut batch);
                rounds += 1;
            }
            sent.append(&mut batch);
            assert_eq!(sent, whole, "parts of {part}");
            assert!(part >= whole.len() || rounds > 0, "parts of {part} came in one go");
        }
    }

    #[test]
    fn an_empty_page_is_an_empty_list() {
        let page = ToolPage::new(&[], None);
        let mut text = Vec::new();
        page.write(&mut text);
        assert_eq!(text, br#"{"tools":[]}"#);
        assert_eq!(page.len(), text.len());
        assert!(page.is_empty());
    }
}
