//! One object input schema per operation: parameters and body properties side by side.
//!
//! Body properties keep their names; a parameter whose name clashes takes a location suffix
//! (`id_query`). Bodies that are not plain objects (arrays, unions, raw bytes, text) sit under one
//! `body` argument. The bindings record, for every argument, where it goes in the request.

use super::schema::{Defs, object_shape};
use crate::ir::{BodyKind, Operation, ParamLocation, Style};
use crate::load::Document;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A tool argument that becomes a path, query, header or cookie parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgBinding {
    /// The argument's name in the input schema.
    pub arg: String,
    /// The parameter's name on the wire.
    pub name: String,
    pub location: ParamLocation,
    pub style: Style,
    pub explode: bool,
    pub allow_reserved: bool,
    /// Serialize the value as JSON text (parameters described with `content: application/json`).
    pub json: bool,
    pub required: bool,
}

/// How the request body is assembled from arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyBinding {
    pub media_type: String,
    pub kind: BodyKind,
    pub args: BodyArgs,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyArgs {
    /// The whole body is one argument.
    Whole { arg: String },
    /// The body is an object whose properties are separate arguments.
    Fields(Vec<FieldBinding>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldBinding {
    pub arg: String,
    /// The property's name in the body.
    pub name: String,
    /// A file part: the argument is base64 (or plain text when it is not valid base64).
    pub binary: bool,
}

pub struct Input {
    pub schema: Value,
    pub params: Vec<ArgBinding>,
    pub body: Option<BodyBinding>,
}

pub fn build(doc: &Document, op: &Operation) -> Result<Input, String> {
    let mut defs = Defs::new(doc);
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();

    // The body first: its property names are the API's vocabulary and stay as they are.
    let mut body_binding = None;
    let mut body_props: Vec<(String, Value, bool)> = Vec::new();
    if let Some(body) = &op.body {
        let flattenable = matches!(body.kind, BodyKind::Json | BodyKind::Form | BodyKind::Multipart);
        let shape = if flattenable {
            object_shape(&defs, &body.schema, 0).map_err(|e| format!("requestBody: {e}"))?
        } else {
            None
        };
        let args = match shape {
            Some((mut props, req)) => {
                // A required name the schema gives no property for may hold any value; left out,
                // the tool (additionalProperties: false) could never send it.
                for name in &req {
                    if !props.contains_key(name) {
                        props.insert(
                            name.clone(),
                            json!({"description": "Required by the API, which gives it no schema."}),
                        );
                    }
                }
                let mut fields = Vec::new();
                for (name, schema) in props {
                    let top = defs.deref_top(&schema).map_err(|e| format!("requestBody property `{name}`: {e}"))?;
                    if top.get("readOnly").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let binary = body.kind != BodyKind::Json && is_binary(&top);
                    let schema = if binary { base64_schema(top.get("description")) } else { schema };
                    let is_required = body.required && req.contains(&name);
                    taken.insert(name.clone());
                    fields.push(FieldBinding { arg: name.clone(), name: name.clone(), binary });
                    body_props.push((name, schema, is_required));
                }
                BodyArgs::Fields(fields)
            }
            None => {
                let schema = match body.kind {
                    BodyKind::Binary => base64_schema(body.description.as_ref().map(|d| json!(d)).as_ref()),
                    BodyKind::Text => text_schema(&body.schema, body.description.as_deref()),
                    _ => with_description(body.schema.clone(), body.description.as_deref()),
                };
                taken.insert("body".into());
                body_props.push(("body".into(), schema, body.required));
                BodyArgs::Whole { arg: "body".into() }
            }
        };
        body_binding =
            Some(BodyBinding { media_type: body.media_type.clone(), kind: body.kind, args, required: body.required });
    }

    // Parameters: a name used twice (by the body or another location) gets a location suffix.
    let mut params = Vec::new();
    let mut param_props = Vec::new();
    for p in &op.parameters {
        let clashes = taken.contains(&p.name) || op.parameters.iter().filter(|q| q.name == p.name).count() > 1;
        let mut arg = if clashes { format!("{}_{}", p.name, p.location.as_str()) } else { p.name.clone() };
        let mut n = 2;
        while taken.contains(&arg) {
            arg = format!("{}_{}_{n}", p.name, p.location.as_str());
            n += 1;
        }
        taken.insert(arg.clone());
        let mut schema = with_description(p.schema.clone(), p.description.as_deref());
        if p.deprecated
            && let Value::Object(m) = &mut schema
        {
            m.insert("deprecated".into(), json!(true));
        }
        param_props.push((arg.clone(), schema, p.required));
        params.push(ArgBinding {
            arg,
            name: p.name.clone(),
            location: p.location,
            style: p.style,
            explode: p.explode,
            allow_reserved: p.allow_reserved,
            json: p.content_type.as_deref().is_some_and(crate::ir::is_json_media),
            required: p.required,
        });
    }

    let all: Vec<(String, Value, bool)> = param_props.into_iter().chain(body_props).collect();
    let named: Vec<(String, Value)> =
        all.iter().map(|(arg, schema, _)| (format!("argument `{arg}`"), schema.clone())).collect();
    let localized = defs.localize_all(&named)?;
    for ((arg, _, is_required), localized) in all.into_iter().zip(localized) {
        if is_required {
            required.push(json!(arg));
        }
        properties.insert(arg, localized);
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), json!(false));
    if let Some(d) = defs.finish() {
        schema.insert("$defs".into(), d);
    }
    Ok(Input { schema: Value::Object(schema), params, body: body_binding })
}

fn is_binary(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && (schema.get("format").and_then(Value::as_str) == Some("binary") || schema.get("contentMediaType").is_some())
}

fn base64_schema(description: Option<&Value>) -> Value {
    let note = "File content, base64-encoded (text that is not valid base64 is sent as is).";
    let text = match description.and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note.to_string(),
    };
    json!({"type": "string", "contentEncoding": "base64", "description": text})
}

fn text_schema(schema: &Value, description: Option<&str>) -> Value {
    let mut s = json!({"type": "string"});
    if let Some(d) = description.or_else(|| schema.get("description").and_then(Value::as_str)) {
        s["description"] = json!(d);
    }
    s
}

/// The parameter's own description wins over its schema's: it says what this argument is for.
fn with_description(mut schema: Value, description: Option<&str>) -> Value {
    if let (Some(d), Value::Object(m)) = (description, &mut schema) {
        m.insert("description".into(), json!(d));
    }
    schema
}
