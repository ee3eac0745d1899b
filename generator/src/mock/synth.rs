//! Data made up from a schema when the spec gives no example. Deterministic: the same schema
//! always gives the same value. Schema examples, `default`, `const` and the first `enum` value
//! win; then the type decides: minimums, format-aware strings, required properties, arrays of
//! one item. Depth and size are bounded, so recursive schemas and huge ones end. A `oneOf`
//! gets a value valid under exactly one of its branches where one can be found (see
//! [`Synth::one_of`]).

use crate::load::Document;
use crate::tools::schema::Defs;
use crate::value_type::json_type;
use serde_json::{Map, Value, json};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Objects and arrays nest at most this deep; below it they are empty.
pub const MAX_DEPTH: usize = 8;
/// Values made for one response at most; past it, containers stay empty.
const MAX_NODES: usize = 2_000;
/// Optional properties are filled in only this close to the top, and only when an object has
/// no required ones.
const OPTIONAL_DEPTH: usize = 2;

/// `oneOf`s with more branches than this take the first branch's value unchecked.
const MAX_ONE_OF_BRANCHES: usize = 64;

/// A value for `schema` (references resolved in `doc`).
pub fn synthesize(doc: &Document, schema: &Value) -> Value {
    let s = Synth {
        doc,
        defs: Defs::new(doc),
        nodes: Cell::new(0),
        fill_next: Cell::new(false),
        validators: RefCell::new(HashMap::new()),
    };
    s.value(schema, 0)
}

/// Arguments for a tool: a value for its input schema (whose `$defs` resolve against the schema
/// itself), always an object. What the corpus runner and the tests call tools with.
pub fn arguments(schema: &Value) -> Value {
    // Values are made for responses, where `writeOnly` properties are left out; arguments are
    // requests, where they belong.
    let schema = without_write_only(schema.clone());
    let doc = Document {
        root: schema.clone(),
        version: crate::load::SpecVersion::OpenApi31,
        name: "tool input schema".into(),
        sha256: String::new(),
        overlay_origins: Vec::new(),
        files: Vec::new(),
        broken_refs: Vec::new(),
        warnings: Vec::new(),
    };
    match synthesize(&doc, &schema) {
        v @ Value::Object(_) => v,
        _ => json!({}),
    }
}

fn without_write_only(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            m.remove("writeOnly");
            for c in m.values_mut() {
                *c = without_write_only(c.take());
            }
        }
        Value::Array(a) => {
            for c in a.iter_mut() {
                *c = without_write_only(c.take());
            }
        }
        _ => {}
    }
    v
}

struct Synth<'a> {
    doc: &'a Document,
    defs: Defs<'a>,
    nodes: Cell<usize>,
    /// The next object made gets its optional properties too (a `oneOf` branch made distinct).
    fill_next: Cell<bool>,
    /// `oneOf` branches compiled, by their JSON text; `None` when a branch does not compile.
    validators: RefCell<HashMap<String, Option<jsonschema::Validator>>>,
}

impl Synth<'_> {
    fn value(&self, schema: &Value, depth: usize) -> Value {
        self.nodes.set(self.nodes.get() + 1);
        let Ok(Value::Object(m)) = self.defs.deref_top(schema) else { return Value::Null };
        let m = self.flatten_all_of(m, 0);
        // A spec's example of the wrong type (a number for a string) is its mistake: skipped.
        if let Some(e) = m.get("examples").and_then(Value::as_array).and_then(|a| a.first()).filter(|e| fits(e, &m)) {
            return e.clone();
        }
        for k in ["default", "const"] {
            if let Some(v) = m.get(k).filter(|v| k == "const" || fits(v, &m)) {
                return v.clone();
            }
        }
        if let Some(e) = m.get("enum").and_then(Value::as_array).and_then(|a| a.first()) {
            return e.clone();
        }
        let own = self.typed(&m, depth);
        if let Some(all) = m.get("allOf").and_then(Value::as_array) {
            let mut merged = own;
            for part in all {
                merged = merge(merged, self.value(part, depth + 1));
            }
            return merged;
        }
        if let Some(branches) = m.get("oneOf").and_then(Value::as_array).filter(|b| b.len() > 1)
            && let Some(v) = self.one_of(&own, branches, depth)
        {
            return v;
        }
        for k in ["oneOf", "anyOf"] {
            if let Some(first) = m.get(k).and_then(Value::as_array).and_then(|a| a.first()) {
                return merge(own, self.value(first, depth + 1));
            }
        }
        own
    }

    /// A value valid under exactly one of `branches` (merged into `own`), as `oneOf` demands:
    /// for each branch in turn its plain value, then its value with every optional property
    /// filled (a property only one branch has, or a branch-specific `enum`, tells them apart).
    /// `None` when no such value is found (branches that overlap whatever the value, which is the
    /// spec's mistake) or a branch does not compile; the caller then takes the first branch.
    fn one_of(&self, own: &Value, branches: &[Value], depth: usize) -> Option<Value> {
        if branches.len() > MAX_ONE_OF_BRANCHES || depth >= MAX_DEPTH || self.nodes.get() >= MAX_NODES {
            return None;
        }
        for branch in branches {
            for fill in [false, true] {
                self.fill_next.set(fill);
                let candidate = merge(own.clone(), self.value(branch, depth + 1));
                self.fill_next.set(false);
                match self.matching_branches(branches, &candidate)? {
                    1 => return Some(candidate),
                    _ => continue,
                }
            }
        }
        None
    }

    /// How many of `branches` accept `value`; `None` if one does not compile.
    fn matching_branches(&self, branches: &[Value], value: &Value) -> Option<usize> {
        let mut count = 0;
        for branch in branches {
            let key = branch.to_string();
            let mut validators = self.validators.borrow_mut();
            let compiled = validators.entry(key).or_insert_with(|| compile(self.doc, branch));
            if compiled.as_ref()?.is_valid(value) {
                count += 1;
            }
        }
        Some(count)
    }

    /// `m` with the parts of its `allOf` folded in: properties and `required` united, other
    /// keywords taken where `m` has none. `{allOf: [Base, {required: [id]}]}` then gets an `id`
    /// of Base's type, which synthesizing the parts one by one could not know.
    fn flatten_all_of(&self, mut m: Map<String, Value>, level: usize) -> Map<String, Value> {
        let Some(Value::Array(parts)) = m.remove("allOf") else { return m };
        if level > 8 {
            return m;
        }
        for part in &parts {
            let Ok(Value::Object(part)) = self.defs.deref_top(part) else { continue };
            for (k, v) in self.flatten_all_of(part, level + 1) {
                match (k.as_str(), m.get_mut(&k), v) {
                    ("properties", Some(Value::Object(own)), Value::Object(theirs)) => {
                        for (name, schema) in theirs {
                            own.entry(name).or_insert(schema);
                        }
                    }
                    ("required", Some(Value::Array(own)), Value::Array(theirs)) => {
                        for name in theirs {
                            if !own.contains(&name) {
                                own.push(name);
                            }
                        }
                    }
                    (_, Some(_), _) => {}
                    (_, None, v) => {
                        m.insert(k, v);
                    }
                }
            }
        }
        m
    }

    fn typed(&self, m: &Map<String, Value>, depth: usize) -> Value {
        let types: Vec<&str> = match m.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let t = types.iter().copied().find(|t| *t != "null").or_else(|| {
            if m.contains_key("properties") || m.contains_key("required") {
                Some("object")
            } else if m.contains_key("items") || m.contains_key("prefixItems") {
                Some("array")
            } else {
                None
            }
        });
        let exhausted = depth >= MAX_DEPTH || self.nodes.get() >= MAX_NODES;
        match t {
            Some("object") if exhausted => json!({}),
            Some("object") => self.object(m, depth),
            Some("array") if exhausted => json!([]),
            Some("array") => self.array(m, depth),
            Some("integer") => integer(m),
            Some("number") => number(m),
            Some("boolean") => Value::Bool(true),
            Some("string") => Value::String(string(m)),
            _ => Value::Null,
        }
    }

    fn object(&self, m: &Map<String, Value>, depth: usize) -> Value {
        let empty = Map::new();
        let props = m.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required: Vec<&str> = m
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if self.fill_next.replace(false) {
            for (k, s) in props {
                if required.contains(&k.as_str()) || s.get("writeOnly") != Some(&Value::Bool(true)) {
                    out.insert(k.clone(), self.value(s, depth + 1));
                }
            }
            for k in required {
                out.entry(k).or_insert(Value::Null);
            }
        } else if required.is_empty() {
            if depth < OPTIONAL_DEPTH {
                for (k, s) in props {
                    if s.get("writeOnly") != Some(&Value::Bool(true)) {
                        out.insert(k.clone(), self.value(s, depth + 1));
                    }
                }
            }
        } else {
            for k in required {
                let v = props.get(k).map(|s| self.value(s, depth + 1)).unwrap_or(Value::Null);
                out.insert(k.to_string(), v);
            }
        }
        // `minProperties` (webflow's PATCH bodies: at least one of the optional properties): the
        // optional properties in order until there are enough.
        let least = m.get("minProperties").and_then(Value::as_u64).unwrap_or(0).min(64) as usize;
        for (k, s) in props {
            if out.len() >= least {
                break;
            }
            if !out.contains_key(k) && s.get("writeOnly") != Some(&Value::Bool(true)) {
                out.insert(k.clone(), self.value(s, depth + 1));
            }
        }
        // Then entries of a map (AWS's `Tags`: `{additionalProperties: {type: string},
        // minProperties: 1}`), named like Swagger UI's `additionalProp1`.
        let extra = match m.get("additionalProperties") {
            Some(Value::Bool(false)) => None,
            Some(schema @ Value::Object(_)) => Some(schema.clone()),
            _ => Some(Value::Bool(true)),
        };
        if let Some(schema) = extra.filter(|_| !m.contains_key("propertyNames") && !m.contains_key("patternProperties"))
        {
            let mut n = 1;
            while out.len() < least {
                let v = match &schema {
                    Value::Object(_) => self.value(&schema, depth + 1),
                    _ => Value::String("string".into()),
                };
                out.insert(format!("additionalProp{n}"), v);
                n += 1;
            }
        }
        Value::Object(out)
    }

    fn array(&self, m: &Map<String, Value>, depth: usize) -> Value {
        let min = m.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
        let max = m.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
        let n = min.min(max).min(3);
        let mut out = Vec::new();
        let prefix = m.get("prefixItems").and_then(Value::as_array);
        for i in 0..n as usize {
            let s = prefix.and_then(|p| p.get(i)).or_else(|| m.get("items")).cloned().unwrap_or(Value::Bool(true));
            out.push(self.value(&s, depth + 1));
        }
        Value::Array(out)
    }
}

/// `schema` as a validator, its references into `doc` made local first.
fn compile(doc: &Document, schema: &Value) -> Option<jsonschema::Validator> {
    let mut defs = Defs::new(doc);
    let local = defs.localize(schema).ok()?;
    let full = match (local, defs.finish()) {
        (Value::Object(mut m), Some(d)) => {
            m.insert("$defs".into(), d);
            Value::Object(m)
        }
        (other, Some(d)) => json!({"allOf": [other], "$defs": d}),
        (other, None) => other,
    };
    jsonschema::validator_for(&full).ok()
}

/// Whether `v` is of a type the schema allows (any, when it names none), and, an object, has the
/// properties it requires (vtex's `{default: {}, required: [customSessionKeys]}` does not).
fn fits(v: &Value, m: &Map<String, Value>) -> bool {
    if let (Value::Object(o), Some(Value::Array(required))) = (v, m.get("required"))
        && required.iter().filter_map(Value::as_str).any(|k| !o.contains_key(k))
    {
        return false;
    }
    let allowed: Vec<&str> = match m.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    let is = json_type(v);
    allowed.iter().any(|t| *t == is || (*t == "number" && is == "integer"))
}

/// Two made-up values as one: objects are merged, otherwise the first non-null wins.
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                a.entry(k).or_insert(v);
            }
            Value::Object(a)
        }
        (Value::Null, b) => b,
        (a, _) => a,
    }
}

fn integer(m: &Map<String, Value>) -> Value {
    let f = |k: &str| m.get(k).and_then(Value::as_f64);
    let v = if let Some(min) = f("minimum") {
        min.ceil()
    } else if let Some(min) = f("exclusiveMinimum") {
        min.floor() + 1.0
    } else if let Some(max) = f("maximum").filter(|m| *m < 0.0) {
        max.floor()
    } else if let Some(max) = f("exclusiveMaximum").filter(|m| *m <= 0.0) {
        max.ceil() - 1.0
    } else {
        0.0
    };
    let v = match f("multipleOf").filter(|m| *m >= 1.0) {
        Some(step) => (v / step).ceil() * step,
        None => v,
    };
    if v.abs() < 9.0e15 { Value::from(v as i64) } else { Value::from(0) }
}

fn number(m: &Map<String, Value>) -> Value {
    let f = |k: &str| m.get(k).and_then(Value::as_f64);
    let v = f("minimum")
        .or_else(|| f("exclusiveMinimum").map(|x| x + 1.0))
        .or_else(|| f("maximum").filter(|x| *x < 0.0))
        .or_else(|| f("exclusiveMaximum").filter(|x| *x <= 0.0).map(|x| x - 1.0))
        .unwrap_or(0.0);
    serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(json!(0))
}

fn string(m: &Map<String, Value>) -> String {
    let base = match m.get("format").and_then(Value::as_str).unwrap_or("") {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "00:00:00Z",
        "duration" => "P1D",
        "email" | "idn-email" => "user@example.com",
        "uri" | "url" | "iri" => "https://example.com/",
        "uri-reference" | "iri-reference" => "/example",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" => "c3RyaW5n",
        "binary" => "",
        "password" => "********",
        _ => "string",
    };
    let len = |k: &str| m.get(k).and_then(Value::as_u64).map(|n| n.min(10_000) as usize);
    let pattern = m.get("pattern").and_then(Value::as_str);
    if let Some(s) = pattern.and_then(|p| matching(p, len("minLength").unwrap_or(0), len("maxLength"))) {
        return s;
    }
    let mut s: String = base.to_string();
    if let Some(min) = len("minLength") {
        while s.chars().count() < min {
            s.push('x');
        }
    }
    if let Some(max) = len("maxLength") {
        s = s.chars().take(max).collect();
    }
    s
}

/// A string matching `pattern` within the length bounds, from a generator with a fixed seed (so
/// the same schema always gets the same string); `None` when the pattern is beyond
/// `regex-syntax` (look-arounds, back-references) or no try fits the bounds.
fn matching(pattern: &str, min: usize, max: Option<usize>) -> Option<String> {
    use rand::{RngExt, SeedableRng};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    // Repetitions long enough to reach `minLength` (`^arn:.+` with `minLength: 32`).
    let generator = rand_regex::Regex::with_hir(generable(hir), (min as u32).saturating_add(8).min(1_000)).ok()?;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0x6d63_7067_656e);
    // Not empty where the bounds allow: an empty path segment or header cannot be sent. Not `.`
    // or `..` either (panorama's ARN pattern `^.+$` gave `.`): as a path segment they would move
    // the request to another path, and the runtime rightly refuses them.
    let least = if max == Some(0) { 0 } else { min.max(1) };
    // Enough tries for a length bound that few draws meet (`^[0-9]+$` with exactly 12 digits).
    (0..64).map(|_| rng.sample::<String, _>(&generator)).find(|s| {
        let n = s.chars().count();
        n >= least && max.is_none_or(|max| n <= max) && s != "." && s != ".."
    })
}

/// `hir` made ready for the generator: anchors and word boundaries dropped (it cannot place
/// them; a string made from the rest matches when they sit at its ends), and every class cut to
/// printable ASCII where it has any, so `.`, `\d` and `\w` give readable text that URLs, headers
/// and the ECMA dialect JSON Schema uses all accept.
fn generable(hir: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition};
    match hir.into_kind() {
        HirKind::Look(_) => Hir::empty(),
        HirKind::Concat(parts) => Hir::concat(parts.into_iter().map(generable).collect()),
        HirKind::Alternation(parts) => Hir::alternation(parts.into_iter().map(generable).collect()),
        HirKind::Repetition(r) => Hir::repetition(Repetition { sub: Box::new(generable(*r.sub)), ..r }),
        HirKind::Capture(c) => Hir::capture(Capture { sub: Box::new(generable(*c.sub)), ..c }),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(Class::Unicode(c)) => {
            let mut ascii = ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]);
            ascii.intersect(&c);
            Hir::class(Class::Unicode(if ascii.ranges().is_empty() { c } else { ascii }))
        }
        HirKind::Class(c) => Hir::class(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Source, load};

    #[test]
    fn arguments_follow_the_schema_and_its_defs() {
        let schema = json!({
            "type": "object",
            "required": ["pet"],
            "properties": {"pet": {"$ref": "#/$defs/Pet"}},
            "$defs": {"Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "enum": ["Rex"]}}}}
        });
        assert_eq!(arguments(&schema), json!({"pet": {"name": "Rex"}}));
        let login = json!({"type": "object", "properties": {
            "email": {"type": "string", "format": "email"},
            "password": {"type": "string", "writeOnly": true}
        }});
        assert_eq!(arguments(&login), json!({"email": "user@example.com", "password": "string"}));
    }

    fn doc(yaml: &str) -> Document {
        load(&Source::Text { name: "t.yaml".into(), text: yaml.into(), base_dir: None }).unwrap()
    }

    #[test]
    fn types_give_their_simplest_valid_value() {
        let d = doc("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        let s = |v: Value| synthesize(&d, &v);
        assert_eq!(s(json!({"type": "integer", "minimum": 5})), json!(5));
        assert_eq!(s(json!({"type": "integer", "exclusiveMinimum": 0})), json!(1));
        assert_eq!(s(json!({"type": "integer", "maximum": -3})), json!(-3));
        assert_eq!(s(json!({"type": "number"})), json!(0.0));
        assert_eq!(s(json!({"type": "string", "format": "date-time"})), json!("2024-01-01T00:00:00Z"));
        assert_eq!(s(json!({"type": "string", "minLength": 8})), json!("stringxx"));
        assert_eq!(s(json!({"type": "string", "maxLength": 3})), json!("str"));
        assert_eq!(s(json!({"type": ["null", "boolean"]})), json!(true));
        assert_eq!(s(json!({"enum": ["b", "a"]})), json!("b"));
        assert_eq!(s(json!({"type": "string", "default": "d"})), json!("d"));
        assert_eq!(
            s(
                json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "array", "items": {"type": "integer"}}, "b": {"type": "string"}}})
            ),
            json!({"a": [0]})
        );
        assert_eq!(s(json!({"type": "object", "properties": {"b": {"type": "string"}}})), json!({"b": "string"}));
        assert_eq!(s(json!({"type": "array", "minItems": 2, "items": {"const": 1}})), json!([1, 1]));
        assert_eq!(s(json!({"type": "array", "maxItems": 0})), json!([]));
    }

    #[test]
    fn all_of_parts_are_read_together_and_wrongly_typed_examples_are_skipped() {
        let d = doc(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Category:\n      type: object\n      properties:\n        title: {type: string}\n        rank: {type: integer, examples: ['first']}\n",
        );
        let s = |v: Value| synthesize(&d, &v);
        // Deeper than optional properties are filled: only what `required` names is there.
        let nested = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "object", "required": ["b"], "properties": {"b": {
            "allOf": [{"$ref": "#/components/schemas/Category"}, {"required": ["title", "rank"]}]
        }}}}});
        assert_eq!(s(nested), json!({"a": {"b": {"title": "string", "rank": 0}}}));
        assert_eq!(s(json!({"type": "string", "default": 5})), json!("string"));
        // A default that leaves out a required property is the spec's mistake too.
        let public =
            json!({"type": "object", "default": {}, "required": ["keys"], "properties": {"keys": {"type": "string"}}});
        assert_eq!(s(public), json!({"keys": "string"}));
        assert_eq!(s(json!({"type": "object", "default": {"keys": "k"}, "required": ["keys"]})), json!({"keys": "k"}));
        assert_eq!(s(json!({"type": "number", "examples": [3]})), json!(3));
    }

    #[test]
    fn strings_match_their_pattern_the_same_way_every_time() {
        let d = doc("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        let s = |v: Value| synthesize(&d, &v);
        let sid = s(json!({"type": "string", "pattern": "^DC[0-9a-fA-F]{32}$", "minLength": 34, "maxLength": 34}));
        let text = sid.as_str().unwrap();
        assert!(text.starts_with("DC") && text.len() == 34, "{text}");
        assert!(text[2..].chars().all(|c| c.is_ascii_hexdigit()), "{text}");
        assert_eq!(
            sid,
            s(json!({"type": "string", "pattern": "^DC[0-9a-fA-F]{32}$", "minLength": 34, "maxLength": 34}))
        );
        let digits = s(json!({"type": "string", "pattern": "^\\d{3}-\\w+$"}));
        let text = digits.as_str().unwrap();
        assert!(text[..3].chars().all(|c| c.is_ascii_digit()) && &text[3..4] == "-", "{text}");
        let any = s(json!({"type": "string", "pattern": "^arn:.+:[0-9]+$"}));
        let text = any.as_str().unwrap();
        assert!(text.starts_with("arn:") && text.chars().all(|c| (' '..='~').contains(&c)), "{text}");
        assert!(!s(json!({"type": "string", "pattern": "^[A-Z0-9]*$"})).as_str().unwrap().is_empty());
        // A minLength beyond the default repetition still gets a matching string.
        let arn = s(json!({"type": "string", "pattern": "^arn:.+", "minLength": 32, "maxLength": 64}));
        let text = arn.as_str().unwrap();
        assert!(text.starts_with("arn:") && (32..=64).contains(&text.len()), "{text}");
        let account = s(json!({"type": "string", "pattern": "^[0-9]+$", "minLength": 12, "maxLength": 12}));
        let text = account.as_str().unwrap();
        assert!(text.len() == 12 && text.chars().all(|c| c.is_ascii_digit()), "{text}");
        // Never a dot segment, whatever the seed draws first.
        for pattern in ["^.+$", "^.{1,2}$", "^[.]+$", "^\\.{1,2}$"] {
            let v = s(json!({"type": "string", "pattern": pattern}));
            assert!(v != json!(".") && v != json!(".."), "{pattern}: {v}");
        }
        // Beyond regex-syntax: the plain string stays.
        assert_eq!(s(json!({"type": "string", "pattern": "^(?!-)a"})), json!("string"));
    }

    #[test]
    fn one_of_gets_a_value_valid_under_exactly_one_branch() {
        // Like rudder's campaign schedules: `{}` (no property is required) is valid under every
        // branch; filling the optional properties tells them apart (`end` is an object in one,
        // a string in the other).
        let d = doc(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Weekly:\n      type: object\n      properties:\n        end: {type: object, properties: {day: {type: integer}}}\n    OneShot:\n      type: object\n      properties:\n        end: {type: string}\n        type: {type: string, enum: [one-shot]}\n",
        );
        let schema = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "object", "required": ["schedule"], "properties": {
            "schedule": {"oneOf": [{"$ref": "#/components/schemas/Weekly"}, {"$ref": "#/components/schemas/OneShot"}]}
        }}}});
        let value = synthesize(&d, &schema);
        let schedule = &value["a"]["schedule"];
        let valid = |branch: &str| {
            compile(&d, &json!({"$ref": format!("#/components/schemas/{branch}")})).unwrap().is_valid(schedule)
        };
        assert!(valid("Weekly") != valid("OneShot"), "{value}");
        assert_eq!(value, synthesize(&d, &schema));
        // A required distinguishing property: the plain value of the first branch already fits.
        let kinds = json!({"oneOf": [
            {"type": "object", "required": ["cat"], "properties": {"cat": {"type": "string"}}},
            {"type": "object", "required": ["dog"], "properties": {"dog": {"type": "string"}}}
        ]});
        assert_eq!(synthesize(&d, &kinds), json!({"cat": "string"}));
        // Branches no value tells apart keep the first branch's value, as before.
        let same = json!({"oneOf": [{"type": "object", "properties": {"v": {"type": "string"}}}, {"type": "object", "properties": {"v": {"type": "string"}, "w": {"type": "string"}}}]});
        let v = synthesize(&d, &same);
        assert!(v.is_object(), "{v}");
        // Distinct types: the first branch.
        assert_eq!(synthesize(&d, &json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})), json!(0));
    }

    #[test]
    fn min_properties_are_met_with_optional_properties() {
        // webflow's `PATCH /appClients/{appClientId}` body: nothing required, at least one property.
        let d = doc("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        let patch = json!({"type": "object", "additionalProperties": false, "minProperties": 1,
            "properties": {"name": {"type": "string"}, "description": {"type": "string"}}});
        let deep = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "object", "required": ["b"], "properties": {"b": patch}}}});
        let value = synthesize(&d, &deep);
        assert_eq!(value["a"]["b"].as_object().map(|b| b.len()), Some(1), "{value}");
        let two = json!({"type": "object", "minProperties": 2, "required": ["x"], "properties": {"x": {"const": 1}, "y": {"const": 2}, "z": {"const": 3}}});
        assert_eq!(synthesize(&d, &two), json!({"x": 1, "y": 2}));
        // AWS's `Tags`: a map that needs an entry.
        let tags =
            json!({"type": "object", "minProperties": 1, "additionalProperties": {"type": "string", "maxLength": 3}});
        assert_eq!(synthesize(&d, &tags), json!({"additionalProp1": "str"}));
        let closed = json!({"type": "object", "minProperties": 1, "additionalProperties": false});
        assert_eq!(synthesize(&d, &closed), json!({}));
    }

    #[test]
    fn recursion_ends_and_output_is_deterministic() {
        let d = doc(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      required: [name, children]\n      properties:\n        name: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n",
        );
        let schema = json!({"$ref": "#/components/schemas/Node"});
        let a = synthesize(&d, &schema);
        assert_eq!(a, synthesize(&d, &schema));
        let mut depth = 0;
        let mut at = &a;
        while let Some(child) = at["children"].get(0) {
            depth += 1;
            at = child;
        }
        assert!(depth > 1 && depth <= MAX_DEPTH, "{depth}: {a}");
    }
}
