//! The `schemars` feature: the models' JSON Schemas say what the spec says, checked against
//! `spec/schemas/` itself (property wire names, required properties, validation keywords,
//! `null`, tagged unions), not against copied literals.
//!
//! Runs with the feature: `cargo test -p losant --no-default-features --features
//! devices,device,rustls,schemars --test json_schema`.
#![cfg(feature = "schemars")]

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// A schema file of `spec/schemas/`, as JSON.
fn spec_schema(id: &str) -> Value {
    let path = format!("{}/../spec/schemas/{id}.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows a `$ref` of a root schema into its `$defs`.
fn deref<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => schema,
    }
}

/// The model's schema has the spec's properties, required list and per-property validation
/// keywords.
fn assert_follows_spec(ours: &Value, id: &str) {
    let spec = spec_schema(id);
    assert_eq!(
        keys(&ours["properties"]),
        keys(&spec["properties"]),
        "{id}: properties"
    );
    assert_eq!(
        ours.get("required").cloned().unwrap_or(json!([])),
        spec.get("required").cloned().unwrap_or(json!([])),
        "{id}: required"
    );
    let mut compared = 0;
    for (name, property) in spec["properties"].as_object().expect("properties") {
        for keyword in [
            "maxLength",
            "minLength",
            "pattern",
            "maxItems",
            "minItems",
            "minimum",
            "maximum",
        ] {
            if let Some(expected) = property.get(keyword) {
                let actual = &ours["properties"][name][keyword];
                assert_eq!(actual, expected, "{id}.{name}: {keyword}");
                compared += 1;
            }
        }
    }
    assert!(compared > 0, "{id}: no validation keyword was compared");
}

#[test]
fn a_request_body_has_the_spec_s_properties_required_list_and_bounds() {
    let schema = schemars::schema_for!(losant::models::DevicePost).to_value();
    assert_follows_spec(&schema, "devicePost");
    assert_eq!(schema["required"], json!(["name"]));
    assert_eq!(schema["properties"]["name"]["minLength"], 1);
}

#[test]
fn a_response_keeps_wire_names_and_allows_null_where_the_spec_does() {
    let schema = schemars::schema_for!(losant::models::Device).to_value();
    assert_follows_spec(&schema, "device");
    // `parentId` may be null in the spec: the model says so as schemars says `Option<T>`.
    let spec = spec_schema("device");
    assert!(spec["properties"]["parentId"].to_string().contains("null"));
    let parent = &schema["properties"]["parentId"];
    assert_eq!(parent["type"], json!(["string", "null"]), "{parent}");
    // Named types become definitions, referred to by `$ref`.
    let tags = &schema["properties"]["tags"];
    assert_eq!(tags["type"], "array");
    let tag = deref(&schema, &tags["items"]);
    assert_eq!(
        keys(&tag["properties"]),
        keys(&spec["properties"]["tags"]["items"]["properties"])
    );
}

#[test]
fn a_tagged_union_fixes_each_branch_s_tag_values() {
    let schema = schemars::schema_for!(losant::models::DevicesPatch).to_value();
    assert_follows_spec(&schema, "devicesPatch");
    let operation = deref(&schema, &schema["properties"]["updateOperations"]["items"]);
    let branches = operation["anyOf"].as_array().expect("a union");
    let tags: Vec<(String, String)> = branches
        .iter()
        .filter_map(|branch| {
            let tagged = branch["allOf"].get(1).unwrap_or(branch);
            let properties = &tagged["properties"];
            Some((
                properties["operation"]["const"].as_str()?.to_owned(),
                properties["target"]["const"].as_str()?.to_owned(),
            ))
        })
        .collect();
    // The spec's branches list their tag values in enums (a branch with two targets is two
    // variants): the same pairs, in the same order.
    let spec = spec_schema("devicesPatch");
    let spec_branches = spec["properties"]["updateOperations"]["items"]["oneOf"]
        .as_array()
        .expect("the spec's union");
    let values = |schema: &Value| -> Vec<String> {
        let list = schema
            .get("enum")
            .cloned()
            .unwrap_or_else(|| json!([schema["const"]]));
        serde_json::from_value(list).expect("string tag values")
    };
    let spec_tags: Vec<(String, String)> = spec_branches
        .iter()
        .flat_map(|branch| {
            let properties = &branch["properties"];
            let targets = values(&properties["target"]);
            values(&properties["operation"])
                .into_iter()
                .flat_map(move |op| targets.clone().into_iter().map(move |t| (op.clone(), t)))
        })
        .collect();
    assert_eq!(tags, spec_tags);
    // A value whose tags match no branch is kept as it is: the last branch accepts anything.
    assert_eq!(branches.last(), Some(&json!({})));
}
