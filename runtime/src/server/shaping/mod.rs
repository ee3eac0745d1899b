//! What the model gets back (DESIGN.md §7): a tool's jq filter argument, run on its JSON answer,
//! and the server's result budget, past which an answer is cut at a clean boundary with a note
//! saying how large it was and how to ask for less.
//!
//! A shaped answer (filtered, or cut) is a value the tool's own output schema may not describe,
//! so it comes as `{"result": value, "note": "..."}`; [`SHAPED_OUTPUT`] is the schema of that form,
//! which a tool's `outputSchema` must admit (generated tools' do: `anyOf` their own and this), or
//! clients that check structured output against the schema refuse the answer. For a tool whose
//! schema does not admit it, the budget leaves the answer whole.

mod cut;
pub mod jq;

pub use cut::{cut_json, cut_text, json_len};

use super::result::{Block, Content, ToolResult};
use serde_json::{Value, json};
use std::borrow::Cow;

/// What clients accept from one tool call: Claude Code refuses results past 25,000 tokens, which
/// is 100,000 bytes by the measure the tool budget uses (bytes / 4).
pub const DEFAULT_MAX_RESULT_BYTES: usize = 100_000;

/// How a jq filter argument describes itself to the model (the generator writes the same words).
pub const JQ_ARGUMENT_DESCRIPTION: &str =
    "A jq filter for the JSON answer, e.g. `.[] | {id, name}`: only what it selects is returned.";

/// The JSON Schema of a shaped answer, as text: an object with the selected or cut `result` and,
/// when it was cut, a `note`.
pub const SHAPED_OUTPUT: &str = r#"{"description":"An answer shaped by `jq_filter` or cut to the server's size limit: what was selected or kept, and a note when it was cut","properties":{"note":{"type":"string"},"result":{}},"required":["result"],"type":"object"}"#;

/// How one tool's answers are shaped: set by [`crate::Tool::jq_filter`] and
/// [`crate::Tool::narrowing_arguments`].
#[derive(Clone, Debug, Default)]
pub(crate) struct ToolShaping {
    /// The argument that holds a jq filter; the handler never sees it.
    pub jq_argument: Option<Cow<'static, str>>,
    /// Arguments that ask the API for less (paging, filters, fields), named in the budget's note.
    pub narrowing: Vec<Cow<'static, str>>,
    /// Structured output is `{"result": answer}` (an answer that is not an object).
    pub wrapped: bool,
}

impl ToolShaping {
    /// Takes the jq filter out of `arguments` (a `null` one, as strict clients send for an
    /// optional argument, is none).
    pub fn take_filter(&self, arguments: &mut Value) -> Option<String> {
        let name = self.jq_argument.as_deref()?;
        match arguments.as_object_mut()?.remove(name)? {
            Value::String(filter) => Some(filter),
            _ => None,
        }
    }

    /// The JSON answer of `result`: its structured content (unwrapped), else its one text block
    /// read as JSON. `None` when the answer is not JSON.
    fn answer(&self, result: &ToolResult) -> Option<Value> {
        if let Some(structured) = &result.structured {
            return match (self.wrapped, structured) {
                (true, Value::Object(m)) if m.len() == 1 => m.get("result").cloned(),
                _ => Some(structured.clone()),
            };
        }
        match result.content.as_slice() {
            [Content(Block::Text(text))] => serde_json::from_str(text).ok(),
            _ => None,
        }
    }

    /// Runs `filter` on `result`'s JSON answer: the filtered value, or an `isError` result with
    /// jq's message.
    pub async fn filter(&self, filter: &str, result: ToolResult) -> ToolResult {
        if result.is_error || result.input_required.is_some() {
            return result;
        }
        let Some(answer) = self.answer(&result) else {
            return ToolResult::error(format!(
                "`{}` applies to JSON answers, and this answer is not JSON",
                self.jq_argument.as_deref().unwrap_or("jq_filter")
            ));
        };
        match jq::run(filter, answer).await {
            Ok(value) => shaped(value, None),
            Err(message) => ToolResult::error(message),
        }
    }

    /// `result` cut to `limit` bytes when its text is longer, with a note saying how to ask for
    /// less. `admits_shaped`: whether the tool's output schema (if any) admits [`SHAPED_OUTPUT`],
    /// asked only of a JSON answer that must be cut.
    pub fn budget(&self, result: ToolResult, limit: usize, admits_shaped: impl FnOnce() -> bool) -> ToolResult {
        let size = text_len(&result);
        if limit == 0 || size <= limit || result.input_required.is_some() {
            return result;
        }
        if !result.is_error
            && let Some(answer) = self.answer(&result)
        {
            if !admits_shaped() {
                tracing::debug!(size, limit, "a result past the budget left whole: its output schema admits no cut");
                return result;
            }
            let (kept, left_out) = cut_json(&answer, limit);
            let mut note = format!(
                "The answer is {} bytes of JSON, more than this server's limit of {limit}, so it was cut: {}.",
                size,
                left_out.join("; ")
            );
            note.push_str(&self.narrowing_hint());
            return shaped(kept, Some(note));
        }
        self.cut_text_blocks(result, size, limit)
    }

    /// Text blocks cut, in order, to `limit` bytes in all (other blocks kept), and a note.
    fn cut_text_blocks(&self, mut result: ToolResult, size: usize, limit: usize) -> ToolResult {
        let mut room = limit;
        for content in &mut result.content {
            if let Block::Text(text) = &mut content.0 {
                let kept = cut_text(text, room).len();
                text.truncate(kept);
                room -= kept;
            }
        }
        let mut note = format!(
            "[The answer is {size} bytes, more than this server's limit of {limit}: only its first {limit} bytes are shown.{}]",
            self.narrowing_hint()
        );
        if result.structured.take().is_some() {
            note.push_str(" [Its structured form was left out.]");
        }
        result.content.push(Content::text(note));
        result
    }

    fn narrowing_hint(&self) -> String {
        let mut ways: Vec<String> = Vec::new();
        if let Some(jq) = &self.jq_argument {
            ways.push(format!(
                "pass `{jq}` (a jq filter, e.g. `.[:20]` or `.items[] | {{id, name}}`) to select what you need"
            ));
        }
        if !self.narrowing.is_empty() {
            let names: Vec<String> = self.narrowing.iter().map(|n| format!("`{n}`")).collect();
            ways.push(format!("ask for less with {}", names.join(", ")));
        }
        if ways.is_empty() { String::new() } else { format!(" To see the rest, {}.", ways.join(", or ")) }
    }
}

/// A shaped answer: `value` as JSON text (and the note as a text block of its own), and as the
/// structured `{"result": value, "note": note}`.
fn shaped(value: Value, note: Option<String>) -> ToolResult {
    let text = serde_json::to_string(&value).unwrap_or_default();
    let mut structured = json!({ "result": value });
    let mut result = ToolResult::text(text);
    if let Some(note) = note {
        structured["note"] = Value::String(note.clone());
        result = result.with_content(Content::text(note));
    }
    result.structured = Some(structured);
    result
}

/// The bytes of text a result hands the model: its text blocks, else its structured content's
/// JSON text.
fn text_len(result: &ToolResult) -> usize {
    let text: usize = result.content.iter().filter_map(Content::as_text).map(str::len).sum();
    if text == 0
        && let Some(structured) = &result.structured
    {
        json_len(structured)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaping(jq: bool, narrowing: &[&'static str]) -> ToolShaping {
        ToolShaping {
            jq_argument: jq.then_some(Cow::Borrowed("jq_filter")),
            narrowing: narrowing.iter().map(|n| Cow::Borrowed(*n)).collect(),
            wrapped: false,
        }
    }

    fn rows(n: usize) -> Value {
        Value::Array((0..n).map(|i| json!({"id": i, "name": format!("row {i}")})).collect())
    }

    #[test]
    fn the_filter_argument_is_taken_out_and_null_is_none() {
        let s = shaping(true, &[]);
        let mut args = json!({"jq_filter": ".a", "q": 1});
        assert_eq!(s.take_filter(&mut args).as_deref(), Some(".a"));
        assert_eq!(args, json!({"q": 1}));
        let mut args = json!({"jq_filter": null});
        assert_eq!(s.take_filter(&mut args), None);
        assert_eq!(args, json!({}));
        assert_eq!(shaping(false, &[]).take_filter(&mut json!({"jq_filter": ".a"})), None);
    }

    #[test]
    fn a_result_within_the_limit_is_left_alone() {
        let r = ToolResult::text(rows(3).to_string());
        assert_eq!(shaping(true, &[]).budget(r.clone(), 10_000, || true), r);
        assert_eq!(shaping(true, &[]).budget(r.clone(), 0, || true), r, "0 is no limit");
    }

    #[test]
    fn a_json_answer_past_the_limit_is_cut_with_a_note_naming_the_ways_to_narrow() {
        let body = rows(1000).to_string();
        let r = shaping(true, &["per_page", "page"]).budget(ToolResult::text(body.clone()), 2_000, || true);
        let kept: Value = serde_json::from_str(r.content[0].as_text().unwrap()).expect("the cut text is JSON");
        let n = kept.as_array().unwrap().len();
        assert!(n > 10 && n < 1000, "{n}");
        assert_eq!(kept.as_array().unwrap()[..], rows(1000).as_array().unwrap()[..n]);
        let note = r.content[1].as_text().unwrap();
        assert!(note.contains(&format!("{} bytes", body.len())) && note.contains("limit of 2000"), "{note}");
        assert!(note.contains(&format!("the first {n} of 1000 elements")), "{note}");
        assert!(note.contains("`jq_filter`") && note.contains("`per_page`, `page`"), "{note}");
        let structured = r.structured.unwrap();
        assert_eq!(structured["result"], kept);
        assert_eq!(structured["note"], note);
        assert!(!r.is_error);
    }

    #[test]
    fn a_wrapped_answer_is_unwrapped_before_it_is_cut() {
        let s = ToolShaping { wrapped: true, ..shaping(false, &[]) };
        let r =
            ToolResult::structured(json!({"result": rows(1000)})).with_content(Content::text(rows(1000).to_string()));
        let r = s.budget(r, 1_000, || true);
        assert!(r.structured.unwrap()["result"].is_array());
    }

    #[test]
    fn a_schema_that_admits_no_cut_keeps_the_answer_whole() {
        let r = ToolResult::structured(json!({"rows": rows(1000)})).with_content(Content::text(rows(1000).to_string()));
        assert_eq!(shaping(false, &[]).budget(r.clone(), 1_000, || false), r);
    }

    #[test]
    fn text_past_the_limit_is_cut_on_a_character_boundary() {
        let r = shaping(false, &[]).budget(ToolResult::text("é".repeat(1000)), 101, || true);
        assert_eq!(r.content[0].as_text().unwrap(), "é".repeat(50));
        assert!(r.content[1].as_text().unwrap().contains("2000 bytes"), "{:?}", r.content[1]);
        let e = shaping(false, &[]).budget(ToolResult::error("x".repeat(500)), 100, || true);
        assert!(e.is_error && e.content[0].as_text().unwrap().len() == 100);
    }

    #[tokio::test]
    async fn a_filtered_answer_is_shaped_and_a_failed_filter_is_an_error() {
        let s = shaping(true, &[]);
        let r = s.filter(".[1].name", ToolResult::text(rows(3).to_string())).await;
        assert_eq!(r.structured, Some(json!({"result": "row 1"})));
        assert_eq!(r.content[0].as_text(), Some("\"row 1\""));
        let r = s.filter(".[", ToolResult::text(rows(3).to_string())).await;
        assert!(r.is_error && r.content[0].as_text().unwrap().starts_with("jq syntax error"), "{r:?}");
        let r = s.filter(".", ToolResult::text("plain words")).await;
        assert!(r.is_error && r.content[0].as_text().unwrap().contains("not JSON"), "{r:?}");
        let failed = ToolResult::error("HTTP 404");
        assert_eq!(s.filter(".", failed.clone()).await, failed, "errors pass unfiltered");
    }
}
