//! Schema profiles: a tool's input schema rewritten for what a client's model can take
//! (`--schema-profile`). The input schema is what the model fills in, and the narrow clients
//! constrain exactly that: Gemini's function declarations and OpenAI's strict mode. Output
//! schemas are left as they are: the MCP SDKs check them with full JSON Schema validators.
//!
//! - `full`: the schema as the description implies it (JSON Schema 2020-12), the default.
//! - `portable` ([`portable`]): `$ref`s inlined (cycles cut, size bounded), no `$defs`,
//!   unions simplified, keywords clients ignore folded into `description`.
//! - `gemini` ([`gemini`]): `portable`, then the subset of Gemini's `Schema` object.
//! - `openai-strict` ([`openai`]): `portable`, then OpenAI's Structured Outputs rules.
//!
//! Each profile has a validator written from the client's documentation ([`check`]), apart
//! from the transforms, so that tests and the corpus runner can hold a transform to the rules.
//!
//! A transform may narrow what the schema allows (a value valid under the profiled schema is
//! then valid under the original, and reaches the API as it would have) or drop what a client
//! cannot take (described in words); the request is built from the tool's bindings unchanged.
//! The one widening that needs the runtime's help is `openai-strict`'s: every property is
//! required there, so an optional one becomes nullable, and a model sends `null` for "not
//! given". Those places are [`Profiled::null_absent`], and the runtime drops such a `null`
//! before building the request (`ToolSpec::null_absent`).

pub mod check;
pub mod gemini;
pub mod openai;
pub mod portable;

pub use check::{Violation, check};

use serde_json::{Map, Value};

/// Which clients a tool's input schema is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum SchemaProfile {
    /// JSON Schema 2020-12, as the description implies.
    #[default]
    Full,
    /// References inlined, no `$defs`, unions simplified, rarely-read keywords in words.
    Portable,
    /// Gemini function declarations.
    Gemini,
    /// OpenAI strict function calling (Structured Outputs).
    OpenAiStrict,
}

impl SchemaProfile {
    pub const ALL: [SchemaProfile; 4] =
        [SchemaProfile::Full, SchemaProfile::Portable, SchemaProfile::Gemini, SchemaProfile::OpenAiStrict];

    /// `full`, `portable`, `gemini` or `openai-strict`, as `--schema-profile` and mcpgen.toml write it.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaProfile::Full => "full",
            SchemaProfile::Portable => "portable",
            SchemaProfile::Gemini => "gemini",
            SchemaProfile::OpenAiStrict => "openai-strict",
        }
    }

    /// The inverse of [`SchemaProfile::as_str`].
    pub fn parse(s: &str) -> Option<SchemaProfile> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for SchemaProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tool's input schema under a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profiled {
    pub schema: Value,
    /// Where in the arguments a `null` means "not given" (JSON pointers, `~*` standing for every
    /// element of an array): optional properties the profile made nullable whose own schema did
    /// not allow `null`. Sorted, no duplicates.
    pub null_absent: Vec<String>,
    /// Top-level arguments renamed (old name, new name): names a client refuses (`gemini`).
    /// The tool's bindings take the new names; the wire names stay.
    pub renamed: Vec<(String, String)>,
}

/// `schema` (a derived tool input schema: an object, its references into its own `$defs`)
/// rewritten for `profile`. Bounded work whatever the schema; never panics.
pub fn apply(profile: SchemaProfile, schema: &Value) -> Profiled {
    let plain = |schema| Profiled { schema, null_absent: Vec::new(), renamed: Vec::new() };
    match profile {
        SchemaProfile::Full => plain(schema.clone()),
        SchemaProfile::Portable => plain(portable::transform(schema, &portable::Limits::PORTABLE)),
        SchemaProfile::Gemini => {
            let (schema, renamed) = gemini::transform(&portable::transform(schema, &gemini::LIMITS));
            Profiled { schema, null_absent: Vec::new(), renamed }
        }
        SchemaProfile::OpenAiStrict => openai::apply(schema),
    }
}

/// Appends `notes` to the schema's `description`, in parentheses: what a profile took out of the
/// keywords, said in words so the model still reads it.
pub(crate) fn fold(m: &mut Map<String, Value>, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    let joined = notes.join("; ");
    let text = match m.get("description").and_then(Value::as_str).map(str::trim) {
        Some(d) if !d.is_empty() => format!("{d} ({joined})"),
        _ => format!("({joined})"),
    };
    m.insert("description".into(), Value::String(text));
}

/// A value as it reads in a note: strings as they are, everything else as compact JSON, cut at
/// 200 characters.
pub(crate) fn shown(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        _ => v.to_string(),
    };
    cut(&s, 200)
}

/// `s` cut to at most `max` characters, with `…` when it was longer.
pub(crate) fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The values of an `enum` as they read in a note: the first 20, then how many more.
pub(crate) fn shown_enum(values: &[Value]) -> String {
    let mut parts: Vec<String> = values.iter().take(20).map(shown).collect();
    if values.len() > 20 {
        parts.push(format!("and {} more", values.len() - 20));
    }
    parts.join(", ")
}

/// The type names a schema's `type` gives (a string or an array of strings).
pub(crate) fn types(m: &Map<String, Value>) -> Vec<String> {
    match m.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The one type a schema that names none must have for a profile that needs one: an object
/// when it has `properties`, an array when it has `items`, else a string.
pub(crate) fn implied_type(m: &Map<String, Value>) -> &'static str {
    if m.contains_key("properties") {
        "object"
    } else if m.contains_key("items") {
        "array"
    } else {
        "string"
    }
}

/// One RFC 6901 reference token.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests;
