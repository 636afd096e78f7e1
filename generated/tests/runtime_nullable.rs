//! `Option<Nullable<T>>` fields: absent, explicit null and a value all survive a round trip.

use losant::Nullable;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct Patch {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "losant::runtime::nullable::deserialize"
    )]
    description: Option<Nullable<String>>,
}

#[test]
fn absent_null_and_value_round_trip() {
    let cases = [
        (None, json!({})),
        (Some(Nullable::Null), json!({"description": null})),
        (
            Some(Nullable::Value("hi".to_owned())),
            json!({"description": "hi"}),
        ),
    ];
    for (description, wire) in cases {
        let patch = Patch { description };
        assert_eq!(serde_json::to_value(&patch).expect("serializes"), wire);
        let back: Patch = serde_json::from_value(wire).expect("deserializes");
        assert_eq!(back, patch);
    }
}

#[test]
fn helpers() {
    let value: Nullable<u8> = 3.into();
    assert_eq!(value.as_ref().into_option(), Some(&3));
    assert_eq!(Nullable::<u8>::Null.into_option(), None);
}

/// Runs with the `schemars` feature: `cargo test -p losant --features schemars --test runtime_nullable`.
#[cfg(feature = "schemars")]
#[test]
fn schema_is_nullable_and_optional() {
    let schema = serde_json::to_value(schemars::schema_for!(Patch)).expect("json");
    assert_eq!(
        schema["properties"]["description"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(schema.get("required"), None);
}
