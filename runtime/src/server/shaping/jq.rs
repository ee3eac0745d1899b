//! A tool's jq filter, run on its JSON answer: jq's language through the `jaq` crates.
//!
//! The filter comes from the model, so it is untrusted, and jaq has no way to stop a running
//! filter. What keeps it bounded:
//! - nothing of the process is reachable: `env` (the server's credentials), `input`/`inputs`,
//!   `halt` (which would end the process), `debug`/`stderr` and module imports are not defined;
//! - no user definitions (`def`): a recursive one can overflow jaq's stack, which aborts the
//!   process, and everything a filter over one answer needs is built in;
//! - the filter's length, its number of outputs and the size of what they add up to are capped;
//! - it runs on the blocking pool with a deadline checked between outputs, and past the deadline
//!   the call answers at once. A filter that spins inside one output (`last(range(1e15))`) keeps
//!   its thread until it ends; at most [`MAX_RUNNING`] filters run at a time, so such filters
//!   cannot take more than that many threads.

use jaq_core::load::lex::{Lexer, StrPart, Tok, Token};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;
use serde::Deserialize;
use serde_json::Value;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The longest filter accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 4 * 1024;
/// How long a filter may run.
pub const DEADLINE: Duration = Duration::from_secs(2);
/// Filters running at once, over the whole process.
pub const MAX_RUNNING: usize = 4;
/// Outputs of one filter (a stream of values becomes an array of at most this many).
const MAX_OUTPUTS: usize = 100_000;
/// What one filter's outputs may add up to, in bytes of JSON text.
const MAX_OUTPUT_BYTES: usize = 16 * 1024 * 1024;

/// Named filters a filter may not call: they reach outside the answer (the environment, other
/// inputs, the log), or end the process.
const NOT_DEFINED: &[&str] = &[
    "env",
    "input",
    "inputs",
    "halt",
    "halt_error",
    "debug",
    "debug_empty",
    "stderr",
    "stderr_empty",
    "input_filename",
];

static RUNNING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(MAX_RUNNING)));

/// Runs `filter` on `input`. One output is the answer; none or several are an array of them.
/// Every failure is a message in jq's terms, for the model to correct its filter.
pub async fn run(filter: &str, input: Value) -> Result<Value, String> {
    check(filter)?;
    let deadline = Instant::now() + DEADLINE;
    let permit = tokio::time::timeout(DEADLINE, Arc::clone(&RUNNING).acquire_owned())
        .await
        .map_err(|_| "the server is busy running other jq filters; try again".to_string())?
        .map_err(|_| "jq filters are not available".to_string())?;
    let filter = filter.to_string();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        run_blocking(&filter, &input, deadline)
    });
    match tokio::time::timeout_at(deadline.into(), task).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("the jq filter failed unexpectedly".to_string()),
        Err(_) => Err(too_slow()),
    }
}

fn too_slow() -> String {
    format!("the jq filter ran longer than {} s; make it simpler", DEADLINE.as_secs())
}

/// Refuses what is never run: an empty or overlong filter, and definitions.
fn check(filter: &str) -> Result<(), String> {
    if filter.trim().is_empty() {
        return Err("the jq filter is empty".to_string());
    }
    if filter.len() > MAX_FILTER_LEN {
        return Err(format!("the jq filter is {} bytes long; at most {MAX_FILTER_LEN} are accepted", filter.len()));
    }
    let tokens = Lexer::new(filter).lex().map_err(|errors| {
        let (expected, at) = &errors[0];
        let what = match expected {
            jaq_core::load::lex::Expect::Delim(d) => format!("a closing `{}`", closing(d)),
            other => other.as_str().to_string(),
        };
        format!("jq syntax error: expected {what} at {}", position(filter, at))
    })?;
    if has_definition(&tokens) {
        return Err("the jq filter defines a function (`def`); use the built-in ones".to_string());
    }
    Ok(())
}

fn has_definition(tokens: &[Token<&str>]) -> bool {
    tokens.iter().any(|Token(text, tok)| match tok {
        Tok::Word => *text == "def",
        Tok::Block(inner) => has_definition(inner),
        Tok::Str(parts) => parts.iter().any(|part| match part {
            StrPart::Term(term) => has_definition(std::slice::from_ref(term)),
            _ => false,
        }),
        _ => false,
    })
}

fn closing(open: &str) -> &'static str {
    match open {
        "(" => ")",
        "[" => "]",
        "{" => "}",
        _ => "\"",
    }
}

/// `column N` (1-based, in characters) of `rest`, a suffix of `filter` that an error points at.
fn position(filter: &str, rest: &str) -> String {
    let offset = (rest.as_ptr() as usize).wrapping_sub(filter.as_ptr() as usize).min(filter.len());
    let column = filter.get(..offset).map_or(offset, |s| s.chars().count()) + 1;
    format!("column {column}")
}

fn run_blocking(filter: &str, input: &Value, deadline: Instant) -> Result<Value, String> {
    let defs =
        jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs()).filter(|def| !NOT_DEFINED.contains(&def.name));
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs())
        .filter(|(name, _, _)| !NOT_DEFINED.contains(name));
    let arena = Arena::default();
    let modules = Loader::new(defs).load(&arena, File { code: filter, path: () }).map_err(|errors| {
        let described: Vec<String> = errors
            .into_iter()
            .flat_map(|(_, e)| match e {
                jaq_core::load::Error::Io(io) => io.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
                jaq_core::load::Error::Lex(lex) => lex
                    .iter()
                    .map(|(expected, at)| format!("expected {:?} at {}", expected, position(filter, at)))
                    .collect(),
                jaq_core::load::Error::Parse(parse) => parse
                    .iter()
                    .map(|(expected, at)| format!("expected {} at {}", expected.as_str(), position(filter, at)))
                    .collect(),
            })
            .collect();
        format!("jq syntax error: {}", described.join("; "))
    })?;
    let compiled = Compiler::default().with_funs(funs).compile(modules).map_err(|errors| {
        let described: Vec<String> = errors
            .into_iter()
            .flat_map(|(_, undefined)| undefined)
            .map(|(name, what)| match what {
                jaq_core::compile::Undefined::Filter(arity) => format!("`{name}/{arity}` is not defined"),
                other => format!("{} `{name}` is not defined", other.as_str()),
            })
            .collect();
        format!("jq error: {}", described.join("; "))
    })?;
    let input = Val::deserialize(input).map_err(|e| format!("the answer cannot be read by jq: {e}"))?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&compiled.lut, Vars::new([]));
    let mut outputs = Vec::new();
    let mut bytes = 0;
    for output in compiled.id.run((ctx, input)) {
        if Instant::now() > deadline {
            return Err(too_slow());
        }
        let value = match output {
            Ok(value) => value,
            Err(exception) => {
                return Err(match exception.get_err() {
                    Ok(error) => format!("jq error: {error}"),
                    Err(_) => "jq error: the filter stopped without an answer".to_string(),
                });
            }
        };
        let text = value.to_string();
        bytes += text.len();
        if outputs.len() == MAX_OUTPUTS || bytes > MAX_OUTPUT_BYTES {
            return Err(format!(
                "the jq filter gave more than {MAX_OUTPUTS} values or {} MiB; select less",
                MAX_OUTPUT_BYTES >> 20
            ));
        }
        // jq's text for values JSON has no form for (NaN, infinities, byte strings) is not JSON.
        let json = serde_json::from_str::<Value>(&text)
            .map_err(|_| format!("the jq filter gave `{}`, which is not JSON", shorten(&text)))?;
        outputs.push(json);
    }
    Ok(if outputs.len() == 1 { outputs.pop().unwrap_or(Value::Null) } else { Value::Array(outputs) })
}

fn shorten(text: &str) -> &str {
    match text.char_indices().nth(60) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jq(filter: &str, input: Value) -> Result<Value, String> {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run(filter, input))
    }

    #[test]
    fn filters_select_with_jqs_own_language() {
        let input = json!([{"id": 1, "name": "a", "tags": ["x"]}, {"id": 2, "name": "b", "tags": []}]);
        assert_eq!(jq(".[] | {id, name}", input.clone()), Ok(json!([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])));
        assert_eq!(jq("map(select(.tags | length > 0)) | .[0].name", input.clone()), Ok(json!("a")));
        assert_eq!(jq("length", input.clone()), Ok(json!(2)));
        assert_eq!(jq(".[] | select(.id > 5)", input.clone()), Ok(json!([])), "no output: an empty array");
        assert_eq!(jq("[.[].name] | join(\",\")", input), Ok(json!("a,b")));
    }

    #[test]
    fn a_bad_filter_says_what_jq_says() {
        let e = jq(".[] | {id", json!([])).unwrap_err();
        assert!(e.starts_with("jq syntax error") && e.contains("column"), "{e}");
        let e = jq("nosuchthing", json!([])).unwrap_err();
        assert!(e.contains("`nosuchthing/0` is not defined"), "{e}");
        let e = jq(".a.b", json!({"a": [1]})).unwrap_err();
        assert!(e.starts_with("jq error:"), "{e}");
        let e = jq("error(\"mine\")", json!(null)).unwrap_err();
        assert!(e.contains("mine"), "{e}");
        assert_eq!(jq("  ", json!(1)).unwrap_err(), "the jq filter is empty");
    }

    #[test]
    fn nothing_outside_the_answer_is_reachable() {
        for filter in
            ["env", "$ENV", "input", "[inputs]", "halt", "halt_error", "debug", "stderr", "import \"a\" as a; ."]
        {
            let e = jq(filter, json!({"a": 1})).unwrap_err();
            assert!(e.starts_with("jq"), "{filter}: {e}");
        }
        let e = jq("def f: [f]; f", json!(1)).unwrap_err();
        assert!(e.contains("`def`"), "{e}");
        for hidden in ["[.[] | (def f: .; f)]", "\"\\(def f: .; f)\""] {
            let e = jq(hidden, json!([1])).unwrap_err();
            assert!(e.contains("`def`"), "{hidden}: {e}");
        }
        assert!(jq(&".".repeat(MAX_FILTER_LEN + 1), json!(1)).unwrap_err().contains("at most"));
    }

    #[test]
    fn endless_filters_end() {
        let e = jq("repeat(1)", json!(null)).unwrap_err();
        assert!(e.contains("more than"), "{e}");
        let e = jq("[limit(200000; repeat(.))] | length", json!(1));
        assert_eq!(e, Ok(json!(200000)), "one large output is fine when it is small enough");
        let e = jq("nan", json!(null)).unwrap_err();
        assert!(e.contains("not JSON"), "{e}");
    }
}
