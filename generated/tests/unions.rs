//! Untagged unions decode a value into the most specific variant that keeps it: a string
//! enumeration beside a plain string takes the values it lists, the plain string the rest
//! (before, the plain string was tried first and took every string, so the enumeration's
//! variant was never seen).

use losant::models::{CallbackUrl, CallbackUrlEmpty, DefaultSortDirection, SortDirection};
use serde_json::{Value, json};

/// Decodes `value` as `T` and checks it encodes back to the same JSON.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), value);
    decoded
}

#[test]
fn a_listed_value_is_the_enumerations_and_any_other_string_the_plain_strings() {
    assert_eq!(
        round_trip::<DefaultSortDirection>(json!("asc")),
        DefaultSortDirection::SortDirection(SortDirection::Asc)
    );
    assert_eq!(
        round_trip::<DefaultSortDirection>(json!("DESC")),
        DefaultSortDirection::SortDirection(SortDirection::DescUpper)
    );
    // A template the enumeration does not list is the plain string, not `Unknown`.
    assert_eq!(
        round_trip::<DefaultSortDirection>(json!("{{ctx.direction}}")),
        DefaultSortDirection::Value("{{ctx.direction}}".into())
    );
}

#[test]
fn an_empty_string_enumeration_beside_a_url() {
    assert_eq!(
        round_trip::<CallbackUrl>(json!("")),
        CallbackUrl::Empty(CallbackUrlEmpty::Empty)
    );
    assert_eq!(
        round_trip::<CallbackUrl>(json!("https://example.com/hook")),
        CallbackUrl::String("https://example.com/hook".into())
    );
    assert_eq!(round_trip::<CallbackUrl>(Value::Null), CallbackUrl::Null);
}
