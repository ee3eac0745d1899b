//! Strict JSON parsing: like `serde_json::from_slice::<Value>`, but an object that names a key
//! twice is an error.
//!
//! RFC 8259 leaves duplicate keys' meaning open and parsers disagree (first wins, last wins,
//! error). A proxy that checks `{"method":"ping","method":"tools/call"}` as a `ping` while the
//! server acts on `tools/call` is a JSON interoperability attack, so every message the runtime
//! reads goes through [`parse`], which refuses such objects at any depth, naming the key.
//! serde_json's recursion limit (128 levels) still applies: deeper input is an error too.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::fmt;

/// Longest key quoted in an error message; longer ones are cut (they come from the client).
const KEY_IN_MESSAGE: usize = 64;

/// Parses one JSON document, refusing objects with duplicate keys.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    read_whole(bytes, Strict)
}

/// The top level of a JSON-RPC message, read by [`parse_members`].
pub(crate) enum TopLevel {
    Object(Members),
    Array,
    /// A string, number, boolean or null.
    Scalar,
}

/// The members of a message object that JSON-RPC gives meaning to; others are read (strictly)
/// and dropped.
#[derive(Default)]
pub(crate) struct Members {
    /// Present, and whether it is the string `"2.0"` (read without building a `String`).
    pub jsonrpc: Option<bool>,
    pub id: Option<Value>,
    pub method: Option<Value>,
    pub params: Option<Value>,
    pub result: Option<Value>,
    pub error: Option<Value>,
}

/// Parses one JSON-RPC message as strictly as [`parse`], in one pass and without building the
/// message object itself: only its members' values become trees, and its keys are matched where
/// they lie in `bytes` (no `String` per key, no map to insert them into and take them out of).
pub(crate) fn parse_members(bytes: &[u8]) -> Result<TopLevel, serde_json::Error> {
    read_whole(bytes, Top)
}

/// Reads one JSON document with `seed`, and nothing after it. Text that is valid UTF-8 (every
/// well-formed message) is checked once, whole, instead of string by string; other bytes go
/// through serde_json's byte reader, whose error says where the bad byte is.
fn read_whole<T>(bytes: &[u8], seed: impl for<'de> DeserializeSeed<'de, Value = T>) -> Result<T, serde_json::Error> {
    fn run<'de, R: serde_json::de::Read<'de>, T>(
        mut de: serde_json::Deserializer<R>,
        seed: impl DeserializeSeed<'de, Value = T>,
    ) -> Result<T, serde_json::Error> {
        let value = seed.deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => run(serde_json::Deserializer::from_str(text), seed),
        Err(_) => run(serde_json::Deserializer::from_slice(bytes), seed),
    }
}

struct Top;

impl<'de> DeserializeSeed<'de> for Top {
    type Value = TopLevel;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TopLevel, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC message")
    }

    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::Scalar)
    }

    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::Scalar)
    }

    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::Scalar)
    }

    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::Scalar)
    }

    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::Scalar)
    }

    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::Scalar)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        // Read to the end, strictly: a duplicate key inside is still a parse error.
        while seq.next_element_seed(Strict)?.is_some() {}
        Ok(TopLevel::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut members = Members::default();
        let mut others: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let slot = match &key {
                Key::Jsonrpc => {
                    if members.jsonrpc.is_some() {
                        return Err(duplicate(key.name()));
                    }
                    members.jsonrpc = Some(map.next_value_seed(IsVersion2)?);
                    continue;
                }
                Key::Id => &mut members.id,
                Key::Method => &mut members.method,
                Key::Params => &mut members.params,
                Key::Result => &mut members.result,
                Key::Error => &mut members.error,
                Key::Other(name) => {
                    if others.contains(name) {
                        return Err(duplicate(name));
                    }
                    map.next_value_seed(Strict)?;
                    others.push(name.clone());
                    continue;
                }
            };
            if slot.is_some() {
                return Err(duplicate(key.name()));
            }
            *slot = Some(map.next_value_seed(Strict)?);
        }
        Ok(TopLevel::Object(members))
    }
}

fn duplicate<E: de::Error>(key: &str) -> E {
    de::Error::custom(format_args!("duplicate key `{}` in a JSON object", shorten(key)))
}

/// A top-level key, matched without allocating unless it is one JSON-RPC does not define.
enum Key {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    Other(String),
}

impl Key {
    fn name(&self) -> &str {
        match self {
            Key::Jsonrpc => "jsonrpc",
            Key::Id => "id",
            Key::Method => "method",
            Key::Params => "params",
            Key::Result => "result",
            Key::Error => "error",
            Key::Other(name) => name,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "jsonrpc" => Key::Jsonrpc,
            "id" => Key::Id,
            "method" => Key::Method,
            "params" => Key::Params,
            "result" => Key::Result,
            "error" => Key::Error,
            other => Key::Other(other.to_owned()),
        })
    }
}

/// Reads a `jsonrpc` member: whether it is the string `"2.0"`. Any other value is read as
/// strictly as [`Strict`] reads it, and dropped.
struct IsVersion2;

impl<'de> DeserializeSeed<'de> for IsVersion2 {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for IsVersion2 {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(v == "2.0")
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        Strict.visit_seq(seq).map(|_| false)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        Strict.visit_map(map).map(|_| false)
    }
}

/// Builds a [`Value`] exactly as serde_json does, except for duplicate keys.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Strict.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search of the map per key: the slot found is where the value goes.
            match object.entry(key) {
                Entry::Occupied(taken) => return Err(duplicate(taken.key())),
                Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(Strict)?);
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// `key` for an error message: at most [`KEY_IN_MESSAGE`] characters, control characters escaped.
fn shorten(key: &str) -> String {
    let mut out: String = key.chars().take(KEY_IN_MESSAGE).flat_map(char::escape_default).collect();
    if key.chars().count() > KEY_IN_MESSAGE {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_serde_json_parses() {
        for text in [
            r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":18446744073709551615,"d":-9223372036854775808}"#,
            "[]",
            "\"\\u00e9\\ud83d\\ude00\"",
            "1e300",
            " 0 ",
        ] {
            let ours = parse(text.as_bytes()).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn refuses_duplicate_keys_at_any_depth_naming_them() {
        for (text, key) in [
            (r#"{"method":"a","method":"b"}"#, "method"),
            (r#"{"method":"a","\u006dethod":"b"}"#, "method"),
            (r#"{"p":{"x":1,"y":2,"x":3}}"#, "x"),
            (r#"[{"ok":1},{"n":[{"k":1,"k":1}]}]"#, "k"),
            (r#"{"\n":1,"\n":2}"#, "\\n"),
        ] {
            let err = parse(text.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(&format!("duplicate key `{key}`")), "{text}: {err}");
        }
        let long = "k".repeat(1000);
        let err = parse(format!(r#"{{"{long}":1,"{long}":2}}"#).as_bytes()).unwrap_err().to_string();
        assert!(err.len() < 200, "{err}");
        assert_eq!(parse(br#"{"a":1,"A":2}"#).unwrap(), json!({"a": 1, "A": 2}));
    }

    #[test]
    fn keeps_serde_jsons_limits() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(deep.as_bytes()).unwrap_err().to_string().contains("recursion limit"));
        assert!(parse(b"{} {}").is_err(), "trailing data");
        assert!(parse(b"\"\xff\"").is_err(), "invalid UTF-8");
        assert!(parse(b"1e400").is_err(), "out of range");
    }
}
