//! An answer cut to a size at a clean boundary: whole array elements and object members for
//! JSON (so what is left is valid JSON that means what it says, only less of it), a character
//! boundary for text. What was left out is described, for the note the model reads.

use serde_json::{Map, Value};
use std::io::Write;

/// A member this small or smaller is not worth descending into: it is left out whole.
const MIN_DESCENT: usize = 64;

/// The length of `value`'s compact JSON text.
pub fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `Value` to a sink that cannot fail cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// `value` cut so that its compact JSON text fits in `limit` bytes, and what was left out (the
/// outermost cut first), e.g. `items: the first 120 of 5000 elements`.
pub fn cut_json(value: &Value, limit: usize) -> (Value, Vec<String>) {
    let mut left_out = Vec::new();
    let cut = cut_value(value, limit, "", &mut left_out).unwrap_or(Value::Null);
    (cut, left_out)
}

fn cut_value(value: &Value, room: usize, at: &str, left_out: &mut Vec<String>) -> Option<Value> {
    if json_len(value) <= room {
        return Some(value.clone());
    }
    match value {
        Value::Array(items) => Some(Value::Array(cut_array(items, room, at, left_out))),
        Value::Object(members) => Some(Value::Object(cut_object(members, room, at, left_out))),
        Value::String(text) => {
            let kept = cut_string(text, room);
            let total = text.chars().count();
            left_out.push(format!("{}: the first {} of {total} characters", place(at), kept.chars().count()));
            Some(Value::String(kept.to_string()))
        }
        _ => None,
    }
}

/// Elements from the first while they fit; when not even the first fits whole, a cut of it.
fn cut_array(items: &[Value], room: usize, at: &str, left_out: &mut Vec<String>) -> Vec<Value> {
    let mut kept = Vec::new();
    let mut used = 2;
    for (i, item) in items.iter().enumerate() {
        let len = json_len(item) + usize::from(i > 0);
        if used + len <= room {
            kept.push(item.clone());
            used += len;
            continue;
        }
        if kept.is_empty() && room > used + MIN_DESCENT {
            kept.extend(cut_value(item, room - used, &format!("{at}[{i}]"), left_out));
        }
        break;
    }
    left_out.insert(0, format!("{}: the first {} of {} elements", place(at), kept.len(), items.len()));
    kept
}

/// Members in their order while they fit, the largest set aside; then the largest, cut to the
/// room left (a page's `items` beside its `total_count` and `next` keeps both of those).
fn cut_object(members: &Map<String, Value>, room: usize, at: &str, left_out: &mut Vec<String>) -> Map<String, Value> {
    // A member's text: its quoted key, `:`, its value and a `,` (braces, less the one comma the
    // first member goes without, make 1).
    let key_len = |key: &String| json_len(&Value::String(key.clone())) + 2;
    let sizes: Vec<usize> = members.iter().map(|(k, v)| key_len(k) + json_len(v)).collect();
    let largest = sizes.iter().enumerate().max_by_key(|(_, len)| **len).map(|(i, _)| i);
    let mut used = 1;
    let mut keep = vec![false; members.len()];
    for (i, len) in sizes.iter().enumerate() {
        if Some(i) != largest && used + len <= room {
            keep[i] = true;
            used += len;
        }
    }
    let mut cut_largest = None;
    let mut own_notes = Vec::new();
    if let Some(i) = largest
        && let Some((key, value)) = members.iter().nth(i)
    {
        let overhead = key_len(key);
        if room > used + overhead + MIN_DESCENT {
            let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
            cut_largest = cut_value(value, room - used - overhead, &path, &mut own_notes);
        }
    }
    let mut kept = Map::new();
    for (i, (key, value)) in members.iter().enumerate() {
        if keep[i] {
            kept.insert(key.clone(), value.clone());
        } else if Some(i) == largest
            && let Some(part) = cut_largest.take()
        {
            kept.insert(key.clone(), part);
        }
    }
    let dropped: Vec<&str> = members.keys().filter(|k| !kept.contains_key(*k)).map(String::as_str).collect();
    if !dropped.is_empty() {
        left_out.push(format!("{}: left out {}", place(at), quoted(&dropped)));
    }
    left_out.extend(own_notes);
    kept
}

fn place(at: &str) -> String {
    if at.is_empty() { "the answer".to_string() } else { format!("`{at}`") }
}

fn quoted(keys: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut text: Vec<String> = keys.iter().take(SHOWN).map(|k| format!("`{k}`")).collect();
    if keys.len() > SHOWN {
        text.push(format!("and {} more members", keys.len() - SHOWN));
    }
    text.join(", ")
}

/// A prefix of `text` whose JSON string (quotes and escapes counted) fits in `room` bytes.
fn cut_string(text: &str, room: usize) -> &str {
    let mut limit = room.saturating_sub(2);
    loop {
        let kept = cut_text(text, limit);
        let len = json_len(&Value::String(kept.to_string()));
        if len <= room || kept.is_empty() {
            return kept;
        }
        limit = limit.saturating_sub((len - room).max(1));
    }
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character boundary.
pub fn cut_text(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_fits_is_left_alone() {
        let v = json!({"a": [1, 2, 3]});
        assert_eq!(cut_json(&v, 100), (v, vec![]));
    }

    #[test]
    fn arrays_keep_whole_elements_from_the_first() {
        let items: Vec<Value> = (0..100).map(|i| json!({"id": i, "name": format!("item {i}")})).collect();
        let v = Value::Array(items);
        let (cut, notes) = cut_json(&v, 200);
        let kept = cut.as_array().unwrap();
        assert!(json_len(&cut) <= 200, "{}", json_len(&cut));
        assert!(!kept.is_empty() && kept.len() < 100);
        assert_eq!(kept[..], v.as_array().unwrap()[..kept.len()], "whole elements, in order");
        assert_eq!(notes, [format!("the answer: the first {} of 100 elements", kept.len())]);
    }

    #[test]
    fn a_page_keeps_its_small_members_and_cuts_its_items() {
        let items: Vec<Value> = (0..1000).map(|i| json!({"id": i})).collect();
        let v = json!({"total_count": 1000, "items": items, "next": "cursor-2"});
        let (cut, notes) = cut_json(&v, 500);
        assert!(json_len(&cut) <= 500);
        assert_eq!(cut["total_count"], 1000);
        assert_eq!(cut["next"], "cursor-2");
        let kept = cut["items"].as_array().unwrap().len();
        assert!(kept > 10 && kept < 1000, "{kept}");
        assert_eq!(notes, [format!("`items`: the first {kept} of 1000 elements")]);
    }

    #[test]
    fn strings_and_text_end_on_a_character_boundary() {
        assert_eq!(cut_text("héllo", 2), "h");
        assert_eq!(cut_text("héllo", 3), "hé");
        let v = json!(["é".repeat(1000)]);
        let (cut, notes) = cut_json(&v, 300);
        assert!(json_len(&cut) <= 300);
        assert!(cut[0].as_str().unwrap().chars().all(|c| c == 'é'));
        assert!(notes.iter().any(|n| n.contains("characters")), "{notes:?}");
    }

    #[test]
    fn a_cut_is_valid_json_within_the_limit_at_every_size() {
        let v = json!({"a": [{"b": "x".repeat(50), "c": [1, 2, 3]}, {"d": null}], "e": "\u{1}".repeat(200), "f": 1.5});
        for limit in 0..json_len(&v) + 2 {
            let (cut, _) = cut_json(&v, limit);
            assert!(json_len(&cut) <= limit.max(4), "limit {limit}: {cut}");
        }
    }
}
