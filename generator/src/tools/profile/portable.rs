//! The `portable` profile: a schema most MCP clients read well. Cursor and many agent
//! frameworks resolve neither `$ref` nor `oneOf`/`allOf`, and most ignore `format`, `pattern`
//! and the rarer validation keywords (or choke on them). So:
//!
//! - every `$ref` is inlined and `$defs` dropped. A definition met again inside itself is
//!   opened [`Limits::repeats`] more time(s), then cut: the cut node keeps its type
//!   (`{"type": "object", "description": "(a Foo; nested further than 2 levels, shape not shown)"}`).
//!   A reference past [`Limits::max_level`] levels of arguments, or met once the result holds
//!   [`Limits::max_nodes`] schema nodes, is cut the same way: a pathological schema cannot
//!   explode.
//! - `allOf` parts are merged into one schema (properties and `required` united, types
//!   intersected); a part that contradicts the rest is left out.
//! - `oneOf` becomes `anyOf` (the model is not asked to prove exclusivity; the API still checks).
//!   An `anyOf` of bare primitive types becomes a type array (`["string", "integer"]`), a union
//!   with `{"type": "null"}` and one other branch becomes that branch with `null` in its type,
//!   and a union with a branch that accepts anything goes away.
//! - `const` becomes a one-value `enum`; `format`, `multipleOf`, exclusive bounds,
//!   `uniqueItems`, property counts, examples, `deprecated`, content encodings and the
//!   discriminator are said in the `description` (in parentheses); conditionals, `not`,
//!   tuples, pattern properties and vendor extensions are dropped.
//!
//! What is kept: `type`, `description`, `title`, `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `anyOf`, `default`, `minimum`, `maximum`,
//! `minLength`, `maxLength`, `minItems`, `maxItems`, `pattern` ([`KEPT`]; `pattern` stays because
//! an API's identifiers often must match one, and clients pass it through; the generator has
//! already dropped the ones no ECMA 262 engine takes).

use super::{fold, shown, shown_enum, types};
use serde_json::{Map, Value, json};

/// The keywords a `portable` schema may use.
pub const KEPT: [&str; 17] = [
    "type",
    "description",
    "title",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "anyOf",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
];

/// How far inlining goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many times a definition is opened again inside itself before it is cut.
    pub repeats: usize,
    /// The deepest level of arguments (steps through `properties`, `items`, ...) a reference
    /// is opened at.
    pub max_level: usize,
    /// Past this many schema nodes in the result, references are cut.
    pub max_nodes: usize,
    /// Keywords kept as they are rather than said in words: the ones the profile built on
    /// `portable` decides about itself.
    pub keep: &'static [&'static str],
}

impl Limits {
    pub const PORTABLE: Limits = Limits { repeats: 1, max_level: 8, max_nodes: 4000, keep: &[] };
}

/// `schema` with its references inlined and its keywords simplified (see the module's doc).
pub fn transform(schema: &Value, limits: &Limits) -> Value {
    let mut inliner = Inliner { root: schema, limits: *limits, stack: Vec::new(), spent: 0 };
    simplify(inliner.inline(schema, 0), limits.keep)
}

struct Inliner<'a> {
    root: &'a Value,
    limits: Limits,
    /// The references being opened, outermost first.
    stack: Vec<String>,
    /// Schema nodes (and data values) made so far.
    spent: usize,
}

/// Keywords whose value is one subschema one level of arguments down.
const DOWN: [&str; 5] = ["items", "additionalProperties", "contains", "unevaluatedItems", "unevaluatedProperties"];
/// Keywords whose value is one subschema at the same level.
const SAME: [&str; 5] = ["not", "if", "then", "else", "propertyNames"];
/// Keywords whose value is an array of subschemas at the same level.
const UNIONS: [&str; 3] = ["allOf", "anyOf", "oneOf"];
/// Keywords whose value maps names to subschemas one level down.
const MAPS: [&str; 3] = ["properties", "patternProperties", "dependentSchemas"];
/// Keywords never copied: references live in `$defs` no more, ids would move the base URI.
const GONE: [&str; 8] =
    ["$defs", "definitions", "$id", "$schema", "$anchor", "$dynamicAnchor", "$dynamicRef", "$comment"];

impl Inliner<'_> {
    fn inline(&mut self, v: &Value, level: usize) -> Value {
        self.spent += 1;
        let Value::Object(m) = v else { return v.clone() };
        let mut out = match m.get("$ref") {
            Some(Value::String(r)) => match self.open(r, level) {
                Value::Object(t) => t,
                // `true`: anything; `false` (nothing) is kept as it is.
                Value::Bool(true) => Map::new(),
                other => return other,
            },
            _ => Map::new(),
        };
        // The reference's siblings (its `description` above all) win over the target's.
        for (k, x) in m {
            if k == "$ref" || GONE.contains(&k.as_str()) {
                continue;
            }
            let new = self.keyword(k, x, level);
            out.insert(k.clone(), new);
        }
        Value::Object(out)
    }

    fn keyword(&mut self, k: &str, x: &Value, level: usize) -> Value {
        if DOWN.contains(&k) {
            self.inline(x, level + 1)
        } else if SAME.contains(&k) {
            self.inline(x, level)
        } else if UNIONS.contains(&k) || k == "prefixItems" {
            let next = if k == "prefixItems" { level + 1 } else { level };
            match x {
                Value::Array(items) => Value::Array(items.iter().map(|i| self.inline(i, next)).collect()),
                _ => x.clone(),
            }
        } else if MAPS.contains(&k) {
            match x {
                Value::Object(m) => {
                    Value::Object(m.iter().map(|(n, s)| (n.clone(), self.inline(s, level + 1))).collect())
                }
                _ => x.clone(),
            }
        } else {
            // Data (`enum`, `default`, `examples`, ...): copied, and counted.
            self.spent += weight(x, 0);
            x.clone()
        }
    }

    /// The target of `r`, inlined, or the node that stands for it when it is cut.
    fn open(&mut self, r: &str, level: usize) -> Value {
        let name = r.rsplit('/').next().unwrap_or(r).replace("~1", "/").replace("~0", "~");
        let target =
            r.strip_prefix('#').and_then(|p| if p.is_empty() { Some(self.root) } else { self.root.pointer(p) });
        let Some(target) = target else {
            return json!({"description": format!("(a {name}; shape not shown)")});
        };
        let seen = self.stack.iter().filter(|s| *s == r).count();
        let reason = if seen > self.limits.repeats {
            Some(format!("nested further than {} levels, shape not shown", self.limits.repeats + 1))
        } else if level > self.limits.max_level {
            Some(format!("more than {} levels down, shape not shown", self.limits.max_level))
        } else if self.spent >= self.limits.max_nodes {
            Some("shape not shown, to keep this schema small".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            return cut(target, &name, &reason);
        }
        self.stack.push(r.to_string());
        let out = self.inline(target, level);
        self.stack.pop();
        out
    }
}

/// How many JSON values `v` holds, counted no deeper than needed to bound a copy's cost.
fn weight(v: &Value, depth: usize) -> usize {
    if depth > 64 {
        return 1;
    }
    match v {
        Value::Array(a) => 1 + a.iter().map(|x| weight(x, depth + 1)).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(|x| weight(x, depth + 1)).sum::<usize>(),
        _ => 1,
    }
}

/// The node standing for a definition that is not opened: its kind, and why in words.
fn cut(target: &Value, name: &str, reason: &str) -> Value {
    let mut m = Map::new();
    if let Value::Object(t) = target {
        let ts = types(t);
        if ts.iter().any(|t| t == "object") || t.contains_key("properties") || t.contains_key("allOf") {
            m.insert("type".into(), json!("object"));
        } else if ts.iter().any(|t| t == "array") || t.contains_key("items") {
            m.insert("type".into(), json!("array"));
        } else if ts.len() == 1 {
            m.insert("type".into(), json!(ts[0]));
        }
    }
    m.insert("description".into(), json!(format!("(a {name}; {reason})")));
    Value::Object(m)
}

/// Bottom-up: unions simplified, `allOf` merged, keywords kept, folded or dropped.
fn simplify(v: Value, keep: &[&str]) -> Value {
    let Value::Object(mut m) = v else { return v };
    // Children first.
    if let Some(Value::Object(props)) = m.remove("properties") {
        let kept: Map<String, Value> = props
            .into_iter()
            .filter(|(_, s)| *s != Value::Bool(false))
            .map(|(n, s)| (n, if s == Value::Bool(true) { json!({}) } else { simplify(s, keep) }))
            .collect();
        m.insert("properties".into(), Value::Object(kept));
    }
    for k in ["items", "additionalProperties"] {
        match m.remove(k) {
            Some(Value::Object(s)) => {
                m.insert(k.into(), simplify(Value::Object(s), keep));
            }
            Some(Value::Bool(b)) => {
                m.insert(k.into(), Value::Bool(b));
            }
            // An `items` array (a tuple, before 2020-12) says nothing a client reads.
            _ => {}
        }
    }
    for k in UNIONS {
        if let Some(Value::Array(parts)) = m.remove(k) {
            let parts: Vec<Value> = parts
                .into_iter()
                .map(|p| if p == Value::Bool(true) { json!({}) } else { simplify(p, keep) })
                .filter(Value::is_object)
                .collect();
            m.insert(k.into(), Value::Array(parts));
        }
    }
    if let Some(c) = m.remove("const")
        && !m.contains_key("enum")
    {
        m.insert("enum".into(), json!([c]));
    }
    // `oneOf` → `anyOf` (both present: the `oneOf` joins the parts to merge).
    if let Some(one) = m.remove("oneOf") {
        if m.contains_key("anyOf") {
            let mut parts = match m.remove("allOf") {
                Some(Value::Array(p)) => p,
                _ => Vec::new(),
            };
            parts.push(simplify(json!({ "anyOf": one }), keep));
            m.insert("allOf".into(), Value::Array(parts));
        } else {
            m.insert("anyOf".into(), one);
        }
    }
    if let Some(Value::Array(parts)) = m.remove("allOf") {
        for part in parts {
            if let Value::Object(p) = part {
                let before = m.clone();
                if merge(&mut m, p, 0).is_err() {
                    m = before;
                }
            }
        }
    }
    if let Some(Value::Array(branches)) = m.remove("anyOf") {
        union(&mut m, branches);
    }
    keywords(&mut m, keep);
    Value::Object(m)
}

/// Sets the simplified form of `anyOf: branches` into `m`.
fn union(m: &mut Map<String, Value>, branches: Vec<Value>) {
    // Nested unions flattened.
    let mut flat: Vec<Value> = Vec::new();
    for b in branches {
        match b {
            Value::Object(mut bm)
                if bm.len() <= 2
                    && bm.contains_key("anyOf")
                    && bm.keys().all(|k| k == "anyOf" || k == "description") =>
            {
                if let Some(Value::Array(inner)) = bm.remove("anyOf") {
                    flat.extend(inner);
                }
            }
            other => {
                if !flat.contains(&other) {
                    flat.push(other);
                }
            }
        }
    }
    if flat.is_empty() || flat.iter().any(accepts_anything) {
        return;
    }
    let nullable = flat.iter().any(is_null);
    let rest: Vec<Value> = flat.into_iter().filter(|b| !is_null(b)).collect();
    if rest.is_empty() {
        m.insert("type".into(), json!("null"));
        return;
    }
    if rest.iter().all(is_bare_primitive) {
        let mut ts: Vec<String> = Vec::new();
        for t in rest.iter().filter_map(Value::as_object).flat_map(types) {
            if !ts.contains(&t) {
                ts.push(t);
            }
        }
        if nullable && !ts.iter().any(|t| t == "null") {
            ts.push("null".into());
        }
        let own = types(m);
        let ts: Vec<String> = if own.is_empty() { ts } else { own.into_iter().filter(|t| ts.contains(t)).collect() };
        if !ts.is_empty() {
            m.insert("type".into(), type_value(&ts));
        }
        return;
    }
    if rest.len() == 1 {
        let Some(Value::Object(mut only)) = rest.into_iter().next() else { return };
        if nullable && !add_null(&mut only) {
            m.insert("anyOf".into(), json!([Value::Object(only), {"type": "null"}]));
            return;
        }
        if merge(m, only.clone(), 0).is_err() {
            m.insert("anyOf".into(), json!([Value::Object(only)]));
        }
        return;
    }
    let mut rest = rest;
    if nullable {
        rest.push(json!({"type": "null"}));
    }
    m.insert("anyOf".into(), Value::Array(rest));
}

/// Lets `null` through a schema with a `type` (and its `enum`); false when it has no type.
pub(crate) fn add_null(m: &mut Map<String, Value>) -> bool {
    let mut ts = types(m);
    if ts.is_empty() {
        return false;
    }
    if !ts.iter().any(|t| t == "null") {
        ts.push("null".into());
    }
    m.insert("type".into(), type_value(&ts));
    if let Some(Value::Array(values)) = m.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    true
}

pub(crate) fn type_value(ts: &[String]) -> Value {
    if ts.len() == 1 { json!(ts[0]) } else { json!(ts) }
}

fn is_null(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| types(m) == ["null"] && m.keys().all(|k| k == "type" || k == "description" || k == "title"))
}

fn is_bare_primitive(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        let ts = types(m);
        !ts.is_empty()
            && ts.iter().all(|t| t != "object" && t != "array")
            && m.keys().all(|k| k == "type" || k == "description" || k == "title")
    })
}

/// A schema no value fails: only annotations.
fn accepts_anything(v: &Value) -> bool {
    const NOTES: [&str; 7] = ["description", "title", "default", "examples", "deprecated", "readOnly", "writeOnly"];
    match v {
        Value::Bool(b) => *b,
        Value::Object(m) => m.keys().all(|k| NOTES.contains(&k.as_str())),
        _ => false,
    }
}

/// Merges `part` into `into` as `allOf` would require both. `Err` when they contradict (the
/// caller keeps `into` as it was).
fn merge(into: &mut Map<String, Value>, part: Map<String, Value>, depth: usize) -> Result<(), ()> {
    if depth > 16 {
        return Err(());
    }
    for (k, v) in part {
        match k.as_str() {
            "properties" => {
                let Value::Object(theirs) = v else { continue };
                let mine = into.entry("properties").or_insert_with(|| json!({}));
                let Value::Object(mine) = mine else { return Err(()) };
                for (name, s) in theirs {
                    match (mine.get_mut(&name), s) {
                        (Some(Value::Object(a)), Value::Object(b)) => {
                            let before = a.clone();
                            if merge(a, b, depth + 1).is_err() {
                                *a = before;
                            }
                        }
                        (Some(_), _) => {}
                        (None, s) => {
                            mine.insert(name, s);
                        }
                    }
                }
            }
            "required" => {
                let Value::Array(theirs) = v else { continue };
                let mine = into.entry("required").or_insert_with(|| json!([]));
                let Value::Array(mine) = mine else { return Err(()) };
                for r in theirs {
                    if !mine.contains(&r) {
                        mine.push(r);
                    }
                }
            }
            "type" => {
                let theirs = types(&Map::from_iter([("type".to_string(), v)]));
                let mine = types(into);
                let both = if mine.is_empty() { theirs } else { intersect(&mine, &theirs) };
                if both.is_empty() {
                    return Err(());
                }
                into.insert("type".into(), type_value(&both));
            }
            "enum" => {
                let Value::Array(theirs) = v else { continue };
                match into.get_mut("enum") {
                    Some(Value::Array(mine)) => {
                        mine.retain(|x| theirs.contains(x));
                        if mine.is_empty() {
                            return Err(());
                        }
                    }
                    _ => {
                        into.insert("enum".into(), Value::Array(theirs));
                    }
                }
            }
            "additionalProperties" => {
                if v == Value::Bool(false) || !into.contains_key("additionalProperties") {
                    into.insert(k, v);
                }
            }
            "anyOf" => match into.get("anyOf") {
                Some(mine) if *mine != v => return Err(()),
                _ => {
                    into.insert(k, v);
                }
            },
            "items" => match (into.get_mut("items"), v) {
                (Some(Value::Object(a)), Value::Object(b)) => {
                    let before = a.clone();
                    if merge(a, b, depth + 1).is_err() {
                        *a = before;
                    }
                }
                (Some(_), _) => {}
                (None, v) => {
                    into.insert(k, v);
                }
            },
            _ => {
                into.entry(k).or_insert(v);
            }
        }
    }
    Ok(())
}

/// The types both lists allow (`integer` is a `number`).
fn intersect(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let t = match (x.as_str(), y.as_str()) {
                (p, q) if p == q => p,
                ("integer", "number") | ("number", "integer") => "integer",
                _ => continue,
            };
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// Keeps [`KEPT`], says the keywords worth reading in the description, drops the rest.
fn keywords(m: &mut Map<String, Value>, keep: &[&str]) {
    let mut notes = Vec::new();
    let keys: Vec<String> =
        m.keys().filter(|k| !KEPT.contains(&k.as_str()) && !keep.contains(&k.as_str())).cloned().collect();
    for k in keys {
        let Some(v) = m.remove(&k) else { continue };
        if let Some(note) = note(&k, &v) {
            notes.push(note);
        }
    }
    fold(m, &notes);
}

/// How a keyword reads in words, for the ones a model can use.
pub(crate) fn note(k: &str, v: &Value) -> Option<String> {
    Some(match (k, v) {
        ("format", _) => format!("format: {}", shown(v)),
        ("pattern", _) => format!("pattern: `{}`", shown(v)),
        ("exclusiveMinimum", _) => format!("greater than {}", shown(v)),
        ("exclusiveMaximum", _) => format!("less than {}", shown(v)),
        ("minimum", _) => format!("at least {}", shown(v)),
        ("maximum", _) => format!("at most {}", shown(v)),
        ("minLength", _) => format!("at least {} characters", shown(v)),
        ("maxLength", _) => format!("at most {} characters", shown(v)),
        ("minItems", _) => format!("at least {} items", shown(v)),
        ("maxItems", _) => format!("at most {} items", shown(v)),
        ("multipleOf", _) => format!("a multiple of {}", shown(v)),
        ("uniqueItems", Value::Bool(true)) => "items unique".into(),
        ("minProperties", _) => format!("at least {} members", shown(v)),
        ("maxProperties", _) => format!("at most {} members", shown(v)),
        ("default", _) => format!("default: {}", shown(v)),
        ("examples", Value::Array(a)) if !a.is_empty() => format!("e.g. {}", shown(&a[0])),
        ("example", _) => format!("e.g. {}", shown(v)),
        ("deprecated", Value::Bool(true)) => "deprecated".into(),
        ("contentEncoding", _) => format!("{}-encoded", shown(v)),
        ("contentMediaType", _) => format!("media type {}", shown(v)),
        ("enum", Value::Array(a)) => format!("one of: {}", shown_enum(a)),
        ("title", Value::String(t)) => t.clone(),
        ("discriminator", Value::Object(d)) => match d.get("propertyName") {
            Some(p) => format!("the kind is told by `{}`", shown(p)),
            None => return None,
        },
        ("patternProperties", Value::Object(p)) if !p.is_empty() => {
            let names: Vec<String> = p.keys().take(5).map(|n| format!("`{}`", super::cut(n, 60))).collect();
            format!("member names matching {}", names.join(", "))
        }
        ("dependentRequired", Value::Object(d)) if !d.is_empty() => {
            let pairs: Vec<String> = d.iter().take(5).map(|(n, r)| format!("`{n}` needs {}", shown(r))).collect();
            pairs.join(", ")
        }
        _ => return None,
    })
}
