//! The `schemars::JsonSchema` impls of the models, built from the JSON Schema text the
//! generator writes for each type (the `schemars` feature).
//!
//! The generator knows each model's wire format (names, required properties, `null`, tags,
//! validation keywords) and writes it out as one JSON document per type; deriving the impls
//! instead cost about a quarter of the crate's compile time and knew less (no patterns or
//! bounds). A reference to another model is written `{"$rust": N}` and is replaced here by the
//! schema the [`SchemaGenerator`] gives for the `N`th type of the impl's list: a `$ref` to its
//! definition, as derived impls make.

use schemars::{Schema, SchemaGenerator};
use serde_json::Value;

/// How an impl asks for the schema of a model it refers to:
/// `SchemaGenerator::subschema_for::<T>`.
pub type SubschemaFor = fn(&mut SchemaGenerator) -> Schema;

/// The schema written as `text`, with each `{"$rust": N}` replaced by `refs[N]`'s schema
/// (keeping what the placeholder's object adds, such as a field's description).
///
/// `text` is the generator's output, written with `serde_json`; a text that does not parse,
/// or a placeholder without its entry, is a bug of the generator, reported by a panic that
/// names the text (the generator's tests parse every schema it writes).
pub fn json_schema(generator: &mut SchemaGenerator, text: &str, refs: &[SubschemaFor]) -> Schema {
    let mut value: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("the generated JSON Schema does not parse ({e}): {text}"));
    resolve(&mut value, generator, refs);
    Schema::try_from(value)
        .unwrap_or_else(|e| panic!("the generated JSON Schema is not a schema ({e}): {text}"))
}

/// Replaces the placeholders in `value`, depth first.
fn resolve(value: &mut Value, generator: &mut SchemaGenerator, refs: &[SubschemaFor]) {
    match value {
        Value::Object(map) => {
            if let Some(index) = map.get("$rust").and_then(Value::as_u64) {
                let subschema = usize::try_from(index)
                    .ok()
                    .and_then(|i| refs.get(i))
                    .unwrap_or_else(|| {
                        panic!("no type for placeholder {index} in a generated schema")
                    });
                // What the use adds (a field's description) stays beside the reference.
                let mut resolved = match subschema(generator).to_value() {
                    Value::Object(schema) => schema,
                    // `true` (any value; no model's schema is `false`) is `{}`.
                    _ => serde_json::Map::new(),
                };
                map.remove("$rust");
                for (key, item) in std::mem::take(map) {
                    resolved.entry(key).or_insert(item);
                }
                *map = resolved;
                return;
            }
            for item in map.values_mut() {
                resolve(item, generator, refs);
            }
        }
        Value::Array(items) => {
            for item in items {
                resolve(item, generator, refs);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model that refers to itself and to another, as the generated impls are written.
    struct Node;

    /// A model without references.
    struct Leaf;

    impl schemars::JsonSchema for Node {
        fn schema_name() -> std::borrow::Cow<'static, str> {
            "Node".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema(
                generator,
                r#"{"type":"object","properties":{"name":{"type":"string","maxLength":3},"children":{"type":"array","items":{"$rust":0}},"leaf":{"$rust":1,"description":"The leaf."},"parent":{"anyOf":[{"$rust":0},{"type":"null"}]}},"required":["name"]}"#,
                &[
                    SchemaGenerator::subschema_for::<Node>,
                    SchemaGenerator::subschema_for::<Leaf>,
                ],
            )
        }
    }

    impl schemars::JsonSchema for Leaf {
        fn schema_name() -> std::borrow::Cow<'static, str> {
            "Leaf".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema(generator, r#"{"type":"integer","minimum":1}"#, &[])
        }
    }

    #[test]
    fn placeholders_become_references_to_definitions() {
        let schema = schemars::schema_for!(Node).to_value();
        assert_eq!(schema["type"], "object", "{schema}");
        assert_eq!(schema["required"], serde_json::json!(["name"]));
        assert_eq!(schema["properties"]["name"]["maxLength"], 3);
        // The root refers to itself as `#`, to others through their definitions.
        assert_eq!(schema["properties"]["children"]["items"]["$ref"], "#");
        assert_eq!(schema["properties"]["parent"]["anyOf"][0]["$ref"], "#");
        let leaf = &schema["properties"]["leaf"];
        assert_eq!(leaf["$ref"], "#/$defs/Leaf", "{schema}");
        assert_eq!(leaf["description"], "The leaf.");
        assert_eq!(schema["$defs"]["Leaf"]["minimum"], 1);
        assert!(!schema.to_string().contains("$rust"), "{schema}");
    }

    #[test]
    #[should_panic(expected = "no type for placeholder 1")]
    fn a_placeholder_without_its_type_is_a_generator_bug() {
        let mut generator = SchemaGenerator::default();
        json_schema(
            &mut generator,
            r#"{"items":{"$rust":1}}"#,
            &[SchemaGenerator::subschema_for::<Node>],
        );
    }
}
