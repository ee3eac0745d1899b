//! JSON Schema to Rust types: structs for objects with properties (nested ones get their own,
//! named after where they sit: `SearchArgsFilter`), enums for string enums, `Vec`, `BTreeMap`,
//! `Option` for what may be missing or null. What the mapping cannot express (`oneOf`, `$ref`,
//! tuple arrays, ...) is `Value`, with a doc comment that says why.

use super::docs;
use super::idents::{Scope, ident, pascal, snake, source_name};
use crate::emit::literal::lit;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

/// Deeper schemas are `Value`: the generated code stays bounded whatever the input.
const MAX_DEPTH: usize = 24;

/// Keywords whose meaning a plain struct, enum or primitive cannot carry.
const UNMAPPED: &[&str] = &[
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "$ref",
    "$dynamicRef",
    "patternProperties",
    "prefixItems",
    "const",
    "dependentSchemas",
];

/// Names the generated module uses itself; a type never takes one.
const RESERVED: &[&str] = &[
    "Self",
    "Handlers",
    "Server",
    "Tool",
    "ToolError",
    "ToolResult",
    "RequestContext",
    "Prompt",
    "PromptResult",
    "PromptMessage",
    "Resource",
    "ResourceTemplate",
    "ResourceContents",
    "ErrorObject",
    "Content",
    "Value",
    "Serialize",
    "Deserialize",
    "Future",
    "Arc",
    "HashMap",
    "BTreeMap",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "App",
];

/// A Rust type for a schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    I64,
    F64,
    Bool,
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
    Named(String),
    /// Any JSON value, and why.
    Any(String),
}

impl Ty {
    pub fn tokens(&self) -> TokenStream {
        match self {
            Ty::String => quote!(String),
            Ty::I64 => quote!(i64),
            Ty::F64 => quote!(f64),
            Ty::Bool => quote!(bool),
            Ty::Vec(t) => {
                let t = t.tokens();
                quote!(Vec<#t>)
            }
            Ty::Map(t) => {
                let t = t.tokens();
                quote!(std::collections::BTreeMap<String, #t>)
            }
            Ty::Option(t) => {
                let t = t.tokens();
                quote!(Option<#t>)
            }
            Ty::Named(n) => ident(n),
            Ty::Any(_) => quote!(Value),
        }
    }

    /// Why a part of this type is `Value`, if it is.
    fn fallback(&self) -> Option<&str> {
        match self {
            Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) => t.fallback(),
            Ty::Any(why) => Some(why),
            _ => None,
        }
    }

    fn uses_value(&self) -> bool {
        self.fallback().is_some()
    }
}

/// One field of a struct.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    json: String,
    ty: Ty,
    /// Required but nullable fields are `Option`s that still serialize `null`.
    required: bool,
    doc: Vec<String>,
}

#[derive(Debug, Clone)]
enum Def {
    Struct {
        name: String,
        doc: Vec<String>,
        fields: Vec<Field>,
    },
    Enum {
        name: String,
        doc: Vec<String>,
        variants: Vec<(String, String)>,
    },
    /// `pub type Name = Value;` for a whole schema the mapping cannot express.
    Alias {
        name: String,
        doc: Vec<String>,
    },
}

/// Every type of the generated module, in the order they were made.
#[derive(Debug)]
pub struct Types {
    defs: Vec<Def>,
    scope: Scope,
}

impl Default for Types {
    fn default() -> Self {
        Types { defs: Vec::new(), scope: Scope::with(RESERVED) }
    }
}

impl Types {
    /// A type named (after) `name` for a tool's whole input or output schema: a struct when the
    /// schema is an object the mapping can express, else an alias of `Value`. An input without
    /// properties (`{"type": "object"}`: no arguments) is an empty struct; an output without
    /// properties, or either with only `additionalProperties`, is `Value`, so nothing is lost.
    /// Returns the type's name.
    pub fn root(&mut self, schema: &Value, name: &str, doc: Vec<String>, output: bool) -> String {
        let name = self.scope.claim(name, name);
        let empty = Map::new();
        let obj = schema.as_object().unwrap_or(&empty);
        let has_properties = obj.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
        let open = matches!(obj.get("additionalProperties"), Some(Value::Object(_)) | Some(Value::Bool(true)));
        let no_properties =
            (!has_properties && (output || open)).then(|| "an object without declared properties".to_string());
        match unmapped(obj).or_else(|| non_struct_object(obj)).or(no_properties) {
            Some(why) => {
                let mut doc = doc;
                doc.push(format!("Any JSON value: {why}."));
                self.defs.push(Def::Alias { name: name.clone(), doc });
            }
            None => self.object(obj, &name, doc, 0),
        }
        name
    }

    /// A struct with `String` fields (prompt arguments, URI template variables); `(json name,
    /// required, description)` each. Returns its name and its field names, in order.
    pub fn strings(
        &mut self,
        name: &str,
        doc: Vec<String>,
        fields: &[(&str, bool, Option<&str>)],
    ) -> (String, Vec<String>) {
        let name = self.scope.claim(name, name);
        let mut scope = Scope::default();
        let fields: Vec<Field> = fields
            .iter()
            .map(|(json, required, description)| Field {
                name: scope.claim(&snake(json, "field"), json),
                json: json.to_string(),
                ty: if *required { Ty::String } else { Ty::Option(Box::new(Ty::String)) },
                required: *required,
                doc: description.map(docs::paragraphs).unwrap_or_default(),
            })
            .collect();
        let names = fields.iter().map(|f| f.name.clone()).collect();
        self.defs.push(Def::Struct { name: name.clone(), doc, fields });
        (name, names)
    }

    /// A struct for an object schema's properties.
    fn object(&mut self, obj: &Map<String, Value>, name: &str, mut doc: Vec<String>, depth: usize) {
        if matches!(obj.get("additionalProperties"), Some(Value::Object(_)) | Some(Value::Bool(true)))
            && obj.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
        {
            doc.push("Properties other than these are allowed but not kept.".into());
        }
        let required: Vec<&str> =
            obj.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        // Claim the struct's name before its nested types so names read outside-in.
        let index = self.defs.len();
        self.defs.push(Def::Struct { name: name.to_string(), doc: Vec::new(), fields: Vec::new() });
        for (json, schema) in obj.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let field = scope.claim(&snake(json, "field"), json);
            let hint = format!("{name}{}", pascal(json, "Field"));
            let ty = self.ty(schema, &hint, depth + 1);
            let is_required = required.contains(&json.as_str());
            let ty = match ty {
                Ty::Option(_) => ty,
                _ if is_required => ty,
                _ => Ty::Option(Box::new(ty)),
            };
            let mut field_doc = description(schema);
            if let Some(why) = ty.fallback() {
                field_doc.push(format!("Any JSON value: {why}."));
            }
            fields.push(Field { name: field, json: json.clone(), ty, required: is_required, doc: field_doc });
        }
        self.defs[index] = Def::Struct { name: name.to_string(), doc, fields };
    }

    /// The type of a schema in a given place; `hint` names it if it needs a definition.
    fn ty(&mut self, schema: &Value, hint: &str, depth: usize) -> Ty {
        let obj = match schema {
            Value::Object(o) => o,
            _ => return Ty::Any("the schema accepts anything".into()),
        };
        if depth > MAX_DEPTH {
            return Ty::Any(format!("the schema is nested deeper than {MAX_DEPTH} levels"));
        }
        if let Some(why) = unmapped(obj) {
            return Ty::Any(why);
        }
        let types: Vec<&str> = match obj.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable = types.contains(&"null");
        let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        let ty = match types.as_slice() {
            [] if obj.contains_key("properties") => self.object_ty(obj, hint, depth),
            [] if obj.contains_key("enum") => self.enum_ty(obj, hint),
            [] => Ty::Any("the schema gives no type".into()),
            [one] => match *one {
                "string" if obj.contains_key("enum") => self.enum_ty(obj, hint),
                "string" => Ty::String,
                "integer" => Ty::I64,
                "number" => Ty::F64,
                "boolean" => Ty::Bool,
                "array" => self.array_ty(obj, hint, depth),
                "object" => self.object_ty(obj, hint, depth),
                other => Ty::Any(format!("type `{other}` has no Rust mapping")),
            },
            _ => Ty::Any("the schema allows several types".into()),
        };
        if nullable && !matches!(ty, Ty::Any(_)) { Ty::Option(Box::new(ty)) } else { ty }
    }

    fn array_ty(&mut self, obj: &Map<String, Value>, hint: &str, depth: usize) -> Ty {
        match obj.get("items") {
            None | Some(Value::Bool(true)) => Ty::Vec(Box::new(Ty::Any("the items have no schema".into()))),
            Some(items @ Value::Object(_)) => Ty::Vec(Box::new(self.ty(items, &format!("{hint}Item"), depth + 1))),
            Some(_) => Ty::Any("a tuple array (`items` as a list)".into()),
        }
    }

    fn object_ty(&mut self, obj: &Map<String, Value>, hint: &str, depth: usize) -> Ty {
        if let Some(why) = non_struct_object(obj) {
            return Ty::Any(why);
        }
        let has_properties = obj.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
        match obj.get("additionalProperties") {
            Some(values @ Value::Object(_)) if !has_properties => {
                Ty::Map(Box::new(self.ty(values, &format!("{hint}Value"), depth + 1)))
            }
            _ if !has_properties => Ty::Any("an object without declared properties".into()),
            _ => {
                let name = self.scope.claim(hint, hint);
                self.object(obj, &name, description(&Value::Object(obj.clone())), depth);
                Ty::Named(name)
            }
        }
    }

    fn enum_ty(&mut self, obj: &Map<String, Value>, hint: &str) -> Ty {
        let values: Vec<&str> = match obj.get("enum") {
            Some(Value::Array(vs)) if !vs.is_empty() && vs.iter().all(Value::is_string) => {
                vs.iter().filter_map(Value::as_str).collect()
            }
            _ => return Ty::Any("an enum whose values are not all strings".into()),
        };
        let name = self.scope.claim(hint, hint);
        let mut scope = Scope::with(&["Self"]);
        let mut variants = Vec::new();
        for v in values {
            if variants.iter().any(|(_, json)| json == v) {
                continue;
            }
            variants.push((scope.claim(&pascal(v, "V"), v), v.to_string()));
        }
        self.defs.push(Def::Enum { name: name.clone(), doc: description(&Value::Object(obj.clone())), variants });
        Ty::Named(name)
    }

    /// Whether any type refers to `Value`.
    fn uses_value(&self) -> bool {
        self.defs.iter().any(|d| match d {
            Def::Alias { .. } => true,
            Def::Struct { fields, .. } => fields.iter().any(|f| f.ty.uses_value()),
            Def::Enum { .. } => false,
        })
    }

    /// The `types.rs` file: every definition, in order.
    pub fn tokens(&self) -> TokenStream {
        let value = self.uses_value().then(|| {
            quote!(
                use mcpgen_runtime::serde_json::Value;
            )
        });
        let serde = self.defs.iter().any(|d| !matches!(d, Def::Alias { .. })).then(|| {
            quote!(
                use serde::{Deserialize, Serialize};
            )
        });
        let defs = self.defs.iter().map(def_tokens);
        quote! {
            //! Typed arguments and results of the manifest's tools, prompts and resource templates.
            //! Handlers may leave fields and types unused, hence `dead_code` is allowed here.
            #![allow(dead_code)]

            #serde
            #value

            #(#defs)*
        }
    }
}

fn def_tokens(def: &Def) -> TokenStream {
    match def {
        Def::Alias { name, doc } => {
            let (name, doc) = (ident(name), docs::attrs(doc));
            quote!(#doc pub type #name = Value;)
        }
        Def::Struct { name, doc, fields } => {
            let (name, doc) = (ident(name), docs::attrs(doc));
            let fields = fields.iter().map(|f| {
                let doc = docs::attrs(&f.doc);
                let rename = (source_name(&f.name).trim_start_matches("r#") != f.json).then(|| {
                    let json = lit(&f.json);
                    quote!(#[serde(rename = #json)])
                });
                let optional = (matches!(f.ty, Ty::Option(_)) && !f.required)
                    .then(|| quote!(#[serde(default, skip_serializing_if = "Option::is_none")]));
                let (field, ty) = (ident(&f.name), f.ty.tokens());
                quote!(#doc #rename #optional pub #field: #ty,)
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
                pub struct #name { #(#fields)* }
            }
        }
        Def::Enum { name, doc, variants } => {
            let (name, doc) = (ident(name), docs::attrs(doc));
            let variants = variants.iter().map(|(v, json)| {
                let (v, json) = (ident(v), lit(json));
                quote!(#[serde(rename = #json)] #v,)
            });
            quote! {
                #doc
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
                #[allow(clippy::enum_variant_names)]
                pub enum #name { #(#variants)* }
            }
        }
    }
}

/// The schema's description as doc paragraphs.
fn description(schema: &Value) -> Vec<String> {
    schema.get("description").and_then(Value::as_str).map(docs::paragraphs).unwrap_or_default()
}

/// The first keyword present that the mapping cannot express, as the reason for `Value`.
fn unmapped(obj: &Map<String, Value>) -> Option<String> {
    UNMAPPED.iter().find(|k| obj.contains_key(**k)).map(|k| format!("`{k}` has no Rust type mapping here"))
}

/// Why an object schema cannot be a struct here, if it cannot.
fn non_struct_object(obj: &Map<String, Value>) -> Option<String> {
    match obj.get("type") {
        Some(Value::String(t)) if t != "object" => Some(format!("type `{t}` at the top level")),
        Some(Value::Array(_)) => Some("several types at the top level".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file(types: &Types) -> String {
        prettyplease::unparse(&syn::parse2(types.tokens()).expect("types parse"))
    }

    #[test]
    fn objects_become_structs_with_nested_types_enums_and_options() {
        let mut t = Types::default();
        let schema = json!({
            "type": "object",
            "required": ["city", "type"],
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "type": {"type": "string", "enum": ["current", "daily-forecast"]},
                "days": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "where": {"type": "object", "properties": {"lat": {"type": "number"}}, "required": ["lat"]},
                "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "note": {"type": ["string", "null"]},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}}
            }
        });
        assert_eq!(t.root(&schema, "WeatherArgs", vec![], false), "WeatherArgs");
        let f = file(&t);
        for expected in [
            "pub struct WeatherArgs {",
            "/// City name\n    pub city: String,",
            "pub r#type: WeatherArgsType,",
            "pub days: Option<i64>,",
            "pub tags: Option<Vec<String>>,",
            "pub r#where: Option<WeatherArgsWhere>,",
            "pub struct WeatherArgsWhere {\n    pub lat: f64,",
            "/// Any JSON value: `oneOf` has no Rust type mapping here.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub either: Option<Value>,",
            "pub note: Option<String>,",
            "pub counts: Option<std::collections::BTreeMap<String, i64>>,",
            "#[serde(rename = \"daily-forecast\")]\n    DailyForecast,",
            "use mcpgen_runtime::serde_json::Value;",
        ] {
            assert!(f.contains(expected), "missing {expected:?} in:\n{f}");
        }
    }

    #[test]
    fn inexpressible_roots_are_value_aliases_and_names_never_clash() {
        let mut t = Types::default();
        assert_eq!(t.root(&json!({"type": "object", "anyOf": []}), "XArgs", vec![], false), "XArgs");
        let second = t.root(&json!({"type": "object"}), "XArgs", vec![], false);
        // Without properties, an output or an open map keeps everything as `Value`.
        t.root(&json!({"type": "object"}), "XOutput", vec![], true);
        t.root(&json!({"type": "object", "additionalProperties": {"type": "string"}}), "YArgs", vec![], false);
        assert_ne!(second, "XArgs");
        let f = file(&t);
        assert!(
            f.contains("/// Any JSON value: `anyOf` has no Rust type mapping here.\npub type XArgs = Value;"),
            "{f}"
        );
        assert!(f.contains(&format!("pub struct {second} {{}}")), "{f}");
        assert!(
            f.contains("/// Any JSON value: an object without declared properties.\npub type XOutput = Value;"),
            "{f}"
        );
        assert!(
            f.contains("/// Any JSON value: an object without declared properties.\npub type YArgs = Value;"),
            "{f}"
        );
    }

    #[test]
    fn property_names_that_are_not_identifiers_are_renamed() {
        let mut t = Types::default();
        t.root(&json!({"type": "object", "properties": {"max-results": {"type": "integer"}, "self": {"type": "boolean"}, "日本": {"type": "string"}, "maybe": {"type": ["string", "null"]}}, "required": ["maybe"]}), "A", vec![], false);
        let f = file(&t);
        assert!(f.contains("#[serde(rename = \"max-results\")]"), "{f}");
        assert!(f.contains("pub max_results: Option<i64>,"), "{f}");
        assert!(f.contains("#[serde(rename = \"self\")]"), "{f}");
        assert!(f.contains("pub self_: Option<bool>,"), "{f}");
        // Required but nullable: `null` is written, never left out.
        assert!(
            f.contains("    pub maybe: Option<String>,")
                && !f.contains("skip_serializing_if = \"Option::is_none\")]\n    pub maybe"),
            "{f}"
        );
        assert!(f.contains("#[serde(rename = \"\\u{65e5}\\u{672c}\")]"), "{f}");
        assert!(f.is_ascii());
    }
}
