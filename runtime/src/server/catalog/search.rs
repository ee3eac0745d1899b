//! Ranking the catalogue for a query in words: BM25 (the `bm25` crate, English stemming and stop
//! words) over one text per tool, in which the fields that name a tool weigh more than its prose.

use crate::server::tool::RegisteredTool;
use bm25::{DefaultTokenizer, Language, SearchEngine, SearchEngineBuilder, Tokenizer};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;

/// How many times each field is repeated in a tool's text: its weight against the others.
const NAME_WEIGHT: usize = 3;
const TITLE_WEIGHT: usize = 2;
const TOOLSET_WEIGHT: usize = 2;
/// Only the start of a description is indexed: the rest is detail that drowns the subject.
const DESCRIPTION_CHARS: usize = 400;

/// The index of one catalogue, built on the first search and kept while the tools stay the same.
pub(crate) struct SearchIndex {
    engine: SearchEngine<usize>,
    tools: Vec<Arc<RegisteredTool>>,
    /// Each tool's headline (title, else name) as the tokenizer's terms.
    headlines: Vec<HashSet<String>>,
    tokenizer: DefaultTokenizer,
}

impl SearchIndex {
    pub fn new(tools: &[Arc<RegisteredTool>]) -> SearchIndex {
        let documents: Vec<bm25::Document<usize>> =
            tools.iter().enumerate().map(|(i, t)| bm25::Document::new(i, document(t))).collect();
        let engine = SearchEngineBuilder::<usize>::with_documents(Language::English, documents).build();
        let tokenizer = DefaultTokenizer::new(Language::English);
        let headlines = tools.iter().map(|t| terms(&tokenizer, &headline(t))).collect();
        SearchIndex { engine, tools: tools.to_vec(), headlines, tokenizer }
    }

    /// The tools that match `query` and `keep`, best first (equal scores in catalogue order).
    ///
    /// BM25 ranks by how much of the query a tool's text holds; a tool whose headline is mostly
    /// the query (`List pull requests` for "list pull requests") is what the query names, and
    /// one whose headline holds much else (`List pull request stacks`) is a neighbour, so each
    /// score is raised by the share of the headline's terms the query holds.
    pub fn search(&self, query: &str, keep: impl Fn(&RegisteredTool) -> bool) -> Vec<(Arc<RegisteredTool>, f32)> {
        let query = words(query);
        let asked = terms(&self.tokenizer, &query);
        let mut hits: Vec<(usize, f32)> = self
            .engine
            .search(&query, None)
            .into_iter()
            .map(|r| {
                let headline = &self.headlines[r.document.id];
                let covered = headline.iter().filter(|t| asked.contains(*t)).count() as f32;
                let coverage = if headline.is_empty() { 0.0 } else { covered / headline.len() as f32 };
                (r.document.id, r.score * (1.0 + coverage))
            })
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.into_iter()
            .filter_map(|(i, score)| self.tools.get(i).filter(|t| keep(t)).map(|t| (Arc::clone(t), score)))
            .collect()
    }
}

/// What a tool says it does in a few words: its title, else its name.
fn headline(tool: &RegisteredTool) -> String {
    tool.title().map_or_else(|| words(&tool.name), str::to_string)
}

fn terms(tokenizer: &DefaultTokenizer, text: &str) -> HashSet<String> {
    tokenizer.tokenize(text).into_iter().collect()
}

/// The text a tool is found by.
fn document(tool: &RegisteredTool) -> String {
    let mut text = String::new();
    let mut add = |s: &str, times: usize| {
        for _ in 0..times {
            text.push_str(s);
            text.push('\n');
        }
    };
    add(&words(&tool.name), NAME_WEIGHT);
    if let Some(title) = tool.title() {
        add(title, TITLE_WEIGHT);
    }
    for toolset in &tool.catalog.toolsets {
        add(&words(toolset), TOOLSET_WEIGHT);
    }
    if let Some(operation) = &tool.catalog.operation {
        add(&words(operation), 1);
    }
    if let Some(description) = tool.description() {
        let cut = description.char_indices().nth(DESCRIPTION_CHARS).map_or(description.len(), |(i, _)| i);
        add(&description[..cut], 1);
    }
    if let Value::Object(properties) = &tool.input.value()["properties"] {
        for name in properties.keys() {
            add(&words(name), 1);
        }
    }
    text
}

/// Identifiers split into words: `issues/create`, `listPets`, `pull_number`, `{owner}` become
/// `issues create`, `list Pets`, `pull number`, `owner`; prose passes through.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' {
            if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
                out.push(' ');
            }
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Tool;
    use serde_json::json;

    fn tool(name: &str, title: &str, toolset: &str, operation: (&str, &str), args: &[&str]) -> Arc<RegisteredTool> {
        let properties: serde_json::Map<String, Value> = args.iter().map(|a| (a.to_string(), json!({}))).collect();
        let t = Tool::new(name, json!({"type": "object", "properties": properties}))
            .title(title)
            .description(format!("{title}. Long text about {toolset}."))
            .toolset(toolset)
            .http_operation(operation.0, operation.1)
            .handler(|_, _| async { Ok("") });
        Arc::new(RegisteredTool::compile(t).unwrap())
    }

    fn catalogue() -> Vec<Arc<RegisteredTool>> {
        vec![
            tool(
                "issues/list-for-repo",
                "List repository issues",
                "issues",
                ("GET", "/repos/{owner}/{repo}/issues"),
                &["state"],
            ),
            tool(
                "issues/create",
                "Create an issue",
                "issues",
                ("POST", "/repos/{owner}/{repo}/issues"),
                &["title", "body"],
            ),
            tool("pulls/list", "List pull requests", "pulls", ("GET", "/repos/{owner}/{repo}/pulls"), &["state"]),
            tool(
                "pulls/create",
                "Create a pull request",
                "pulls",
                ("POST", "/repos/{owner}/{repo}/pulls"),
                &["head", "base"],
            ),
            tool(
                "repos/get-readme",
                "Get a repository README",
                "repos",
                ("GET", "/repos/{owner}/{repo}/readme"),
                &["ref"],
            ),
            tool(
                "activity/star-repo-for-authenticated-user",
                "Star a repository for the authenticated user",
                "activity",
                ("PUT", "/user/starred/{owner}/{repo}"),
                &[],
            ),
            tool("listPets", "List all pets", "pets", ("GET", "/pets"), &["limit"]),
        ]
    }

    fn top(index: &SearchIndex, query: &str) -> Vec<String> {
        index.search(query, |_| true).into_iter().take(3).map(|(t, _)| t.name.clone()).collect()
    }

    #[test]
    fn everyday_tasks_find_their_operation_first() {
        let index = SearchIndex::new(&catalogue());
        assert_eq!(top(&index, "create an issue")[0], "issues/create");
        assert_eq!(top(&index, "list pull requests")[0], "pulls/list");
        assert_eq!(top(&index, "get a repository's README")[0], "repos/get-readme");
        assert_eq!(top(&index, "star a repository")[0], "activity/star-repo-for-authenticated-user");
        assert_eq!(top(&index, "listPets")[0], "listPets");
        assert!(top(&index, "xyzzy").is_empty());
    }

    #[test]
    fn equal_scores_keep_catalogue_order_and_filters_apply() {
        let index = SearchIndex::new(&catalogue());
        let a = index.search("repos", |_| true);
        let b = index.search("repos", |_| true);
        assert_eq!(
            a.iter().map(|(t, _)| &t.name).collect::<Vec<_>>(),
            b.iter().map(|(t, _)| &t.name).collect::<Vec<_>>()
        );
        let only_pulls = index.search("create", |t| t.catalog.toolsets.contains(&"pulls".to_string()));
        assert_eq!(only_pulls.iter().map(|(t, _)| t.name.as_str()).collect::<Vec<_>>(), ["pulls/create"]);
    }

    #[test]
    fn identifiers_are_split_into_words() {
        assert_eq!(words("issues/create").trim(), "issues create");
        assert_eq!(words("listPets").trim(), "list Pets");
        assert_eq!(words("GET /repos/{owner}/pull_number").trim(), "GET repos owner pull number");
    }
}
