//! Emit the `schemars::JsonSchema` impls of the named types from the IR, as JSON text.
//!
//! Deriving `JsonSchema` made the compiler expand and check ~200k lines (a quarter of
//! `cargo check` of a large generated crate) to rebuild, at compile time, a description the
//! generator already holds. Here each type's schema is written out as one JSON document at
//! generation time, and the impl hands it to a small runtime function
//! (`runtime::json_schema`) with the schemas of the named types it refers to. The schema is
//! the wire format's, from the same IR the serde code comes from: wire names, required
//! properties, `null` where it is allowed, tagged unions with their tag values, and the
//! validation keywords (lengths, patterns, bounds) the derive could not know.
//!
//! A reference to another named type is written as `{"$rust": N}`: the runtime replaces it by
//! the `N`th entry of the impl's list, `SchemaGenerator::subschema_for::<T>`, so named types
//! become definitions (`$defs`) exactly as derived impls made them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value, json};

use super::types::TypeIndex;
use crate::ir::{Field, Payload, Ty, TyKind, TypeDef, TypeKind, Variant};

/// The `JsonSchema` impl of a struct or union, under the feature that gates it; `None` for
/// the kinds that have their own (string enums) or need none (aliases).
pub fn emit_json_schema(index: &TypeIndex<'_>, def: &TypeDef) -> Option<TokenStream> {
    let mut writer = SchemaWriter {
        index,
        refs: Vec::new(),
    };
    let mut schema = match &def.kind {
        TypeKind::Struct { fields, additional } => writer.object(fields, additional.as_ref()),
        TypeKind::Union { variants, tags } => writer.union(variants, tags.as_deref()),
        TypeKind::StringEnum { .. } | TypeKind::Alias(_) => return None,
    };
    let description = def.doc.join("\n\n");
    if !description.trim().is_empty() {
        if let Value::Object(map) = &mut schema {
            map.insert("description".into(), Value::String(description));
        }
    }
    let name = format_ident!("{}", def.name);
    let name_str = &def.name;
    let text = raw_string(&serde_json::to_string(&schema).unwrap_or_default());
    let refs = writer
        .refs
        .iter()
        .map(|path| quote!(schemars::SchemaGenerator::subschema_for::<#path>));
    let cfg = index.json_schema_cfg();
    Some(quote! {
        #cfg
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #name_str.into()
            }
            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::runtime::json_schema(generator, #text, &[#(#refs),*])
            }
        }
    })
}

/// Builds one type's schema, collecting the named types it refers to.
struct SchemaWriter<'a, 'b> {
    index: &'b TypeIndex<'a>,
    /// The paths of the named types referred to, in placeholder order.
    refs: Vec<TokenStream>,
}

impl SchemaWriter<'_, '_> {
    /// An object with these properties (and these further ones).
    fn object(&mut self, fields: &[Field], additional: Option<&Ty>) -> Value {
        let mut properties = Map::new();
        for field in fields {
            let mut schema = self.ty(&field.ty);
            if let (Some(doc), Value::Object(map)) = (&field.doc, &mut schema) {
                map.insert("description".into(), Value::String(doc.clone()));
            }
            properties.insert(field.wire.clone(), schema);
        }
        let required: Vec<&str> = fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.wire.as_str())
            .collect();
        let mut object = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            object["required"] = json!(required);
        }
        if let Some(ty) = additional {
            object["additionalProperties"] = self.ty(ty);
        }
        object
    }

    /// A union: any of its variants (untagged unions decode the one that keeps the most of a
    /// value, so `anyOf` is what the decoder accepts); a tagged variant is its payload with
    /// each tag property fixed to the variant's value.
    fn union(&mut self, variants: &[Variant], tags: Option<&[String]>) -> Value {
        let branches: Vec<Value> = variants
            .iter()
            .map(|variant| {
                let payload = match &variant.payload {
                    Payload::Type(ty) | Payload::CatchAll(ty) => Some(self.ty(ty)),
                    Payload::Null => return json!({ "type": "null" }),
                    // An untagged unit variant is written as `null`.
                    Payload::Unit if tags.is_none() => return json!({ "type": "null" }),
                    Payload::Unit => None,
                };
                if tags.is_none() || variant.tags.is_empty() {
                    return payload.unwrap_or(Value::Bool(true));
                }
                let mut properties = Map::new();
                for (key, value) in &variant.tags {
                    properties.insert(key.clone(), json!({ "const": value }));
                }
                let keys: Vec<&String> = variant.tags.iter().map(|(k, _)| k).collect();
                let tagged =
                    json!({ "type": "object", "properties": properties, "required": keys });
                match payload {
                    Some(payload) => json!({ "allOf": [payload, tagged] }),
                    None => tagged,
                }
            })
            .collect();
        json!({ "anyOf": branches })
    }

    /// The schema of one use of a type, with its constraints and `null` if allowed.
    fn ty(&mut self, ty: &Ty) -> Value {
        let c = &ty.checks;
        let mut schema = match &ty.kind {
            TyKind::String => json!({ "type": "string" }),
            TyKind::Integer => json!({ "type": "integer", "format": "int64" }),
            TyKind::Number => json!({ "type": "number", "format": "double" }),
            TyKind::Boolean => json!({ "type": "boolean" }),
            TyKind::DateTime => json!({ "type": "string", "format": "date-time" }),
            TyKind::Any => json!({}),
            TyKind::File => json!({ "type": "string", "format": "binary" }),
            TyKind::Named { name, .. } => {
                self.refs.push(self.index.path(name));
                json!({ "$rust": self.refs.len() - 1 })
            }
            TyKind::Array(item) => json!({ "type": "array", "items": self.ty(item) }),
            TyKind::Map(value) => {
                json!({ "type": "object", "additionalProperties": self.ty(value) })
            }
        };
        if let Value::Object(map) = &mut schema {
            let mut put = |key: &str, value: Value| {
                map.insert(key.into(), value);
            };
            if let Some(n) = c.min_length {
                put("minLength", json!(n));
            }
            if let Some(n) = c.max_length {
                put("maxLength", json!(n));
            }
            if let Some(pattern) = c.pattern.and_then(|i| self.index.pattern(i)) {
                put("pattern", json!(pattern));
            }
            if let Some((n, exclusive)) = c.minimum {
                put(
                    if exclusive {
                        "exclusiveMinimum"
                    } else {
                        "minimum"
                    },
                    number(n),
                );
            }
            if let Some((n, exclusive)) = c.maximum {
                put(
                    if exclusive {
                        "exclusiveMaximum"
                    } else {
                        "maximum"
                    },
                    number(n),
                );
            }
            if let Some(n) = c.multiple_of {
                put("multipleOf", number(n));
            }
            if let Some(n) = c.min_items {
                put("minItems", json!(n));
            }
            if let Some(n) = c.max_items {
                put("maxItems", json!(n));
            }
            if c.unique_items {
                put("uniqueItems", json!(true));
            }
            if let Some(n) = c.min_properties {
                put("minProperties", json!(n));
            }
            if let Some(n) = c.max_properties {
                put("maxProperties", json!(n));
            }
            if let Some(values) = &c.one_of_values {
                put("enum", json!(values));
            }
        }
        // Any value includes `null` already.
        if !ty.nullable || ty.kind == TyKind::Any {
            return schema;
        }
        // `null` too: a `type` list where the schema has one type (as schemars writes
        // `Option<String>`), otherwise a choice.
        match schema
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            Some(kind) if !schema.as_object().is_some_and(|m| m.contains_key("enum")) => {
                schema["type"] = json!([kind, "null"]);
                schema
            }
            _ => json!({ "anyOf": [schema, { "type": "null" }] }),
        }
    }
}

/// A bound as the spec writes it: `5`, not `5.0`, when it is a whole number.
fn number(n: f64) -> Value {
    // Whole numbers up to 2^53 convert exactly.
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// A raw string literal holding `text`, with as many `#` as it needs.
fn raw_string(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| quote!(#text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_bounds_are_written_as_integers() {
        assert_eq!(number(5.0).to_string(), "5");
        assert_eq!(number(-1.0).to_string(), "-1");
        assert_eq!(number(0.5).to_string(), "0.5");
        assert_eq!(number(1e300), json!(1e300));
    }

    #[test]
    fn raw_strings_take_enough_hashes() {
        assert_eq!(raw_string(r#"{"a":1}"#).to_string(), r##"r#"{"a":1}"#"##);
        let text = r##"{"pattern":"a"#"}"##;
        let literal = raw_string(text).to_string();
        assert!(literal.starts_with("r##\""), "{literal}");
        let parsed: syn::LitStr = syn::parse_str(&literal).expect("a string literal");
        assert_eq!(parsed.value(), text);
    }
}
