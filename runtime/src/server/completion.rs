//! `completion/complete`: suggestions for prompt arguments and template variables.

use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Suggests values for one argument, given the partial `value` and the other arguments so far.
pub type Completer = Arc<dyn Fn(&str, &Map<String, Value>) -> Vec<String> + Send + Sync>;

/// The spec caps one answer at 100 values.
const MAX_VALUES: usize = 100;

/// The `CompleteResult` for `completer` (or an empty one when there is none).
pub(crate) fn complete(completer: Option<&Completer>, value: &str, context: &Map<String, Value>) -> Value {
    let values = completer.map(|c| c(value, context)).unwrap_or_default();
    let total = values.len();
    let shown: Vec<String> = values.into_iter().take(MAX_VALUES).collect();
    json!({"completion": {"values": shown, "total": total, "hasMore": total > MAX_VALUES}})
}

/// A completer that offers the `candidates` starting with what the user typed.
pub fn prefix_completer<I, S>(candidates: I) -> Completer
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let candidates: Vec<String> = candidates.into_iter().map(Into::into).collect();
    Arc::new(move |value, _| candidates.iter().filter(|c| c.starts_with(value)).cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_values_and_reports_more() {
        let many = prefix_completer((0..150).map(|i| format!("v{i}")));
        let r = complete(Some(&many), "v", &Map::new());
        assert_eq!(r["completion"]["values"].as_array().unwrap().len(), 100);
        assert_eq!(r["completion"]["total"], 150);
        assert_eq!(r["completion"]["hasMore"], true);
        let none = complete(None, "x", &Map::new());
        assert_eq!(none, json!({"completion": {"values": [], "total": 0, "hasMore": false}}));
        let few = prefix_completer(["paris", "park", "rome"]);
        assert_eq!(complete(Some(&few), "par", &Map::new())["completion"]["values"], json!(["paris", "park"]));
    }
}
