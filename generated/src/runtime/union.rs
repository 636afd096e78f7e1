//! Decoding of `oneOf`/`anyOf` values into the generated union enums.

use serde::{Serialize, Serializer};
use serde_json::Value;

/// How to decode a value as one variant of a union.
pub type UnionVariant<T> = fn(Value) -> Result<T, serde_json::Error>;

/// Decodes `value` as the variant that keeps the most of it: each variant that accepts the
/// value is encoded back and compared with it, member by member; the first one that keeps all
/// of it wins at once, otherwise the one that keeps most (the first on a tie).
///
/// serde's `untagged` takes the first variant that accepts the value, but objects accept
/// members they do not declare, so an early, loosely fitting variant would win and drop what
/// only a later one declares (and a string enum's catch-all accepts any value, so a
/// discriminating `type` member does not stop it either).
pub fn decode_union<T: Serialize, E: serde::de::Error>(
    value: Value,
    type_name: &str,
    variants: &[UnionVariant<T>],
) -> Result<T, E> {
    let whole = size(&value);
    let mut best: Option<(usize, T)> = None;
    for decode in variants {
        let Ok(decoded) = decode(value.clone()) else {
            continue;
        };
        let score = serde_json::to_value(&decoded).map_or(0, |encoded| kept(&value, &encoded));
        if score >= whole {
            return Ok(decoded);
        }
        if best.as_ref().is_none_or(|(best, _)| score > *best) {
            best = Some((score, decoded));
        }
    }
    best.map(|(_, decoded)| decoded)
        .ok_or_else(|| E::custom(format!("data did not match any variant of {type_name}")))
}

/// Decodes `value` as the string enumeration `T` only when it is one of `values` (the
/// enumeration's listed values): in a union beside a plain string, a string the enumeration
/// does not list is the plain string's, not the enumeration's `Unknown`.
pub fn decode_listed<T: serde::de::DeserializeOwned>(
    value: Value,
    values: &[&str],
) -> Result<T, serde_json::Error> {
    match &value {
        Value::String(text) if !values.contains(&text.as_str()) => Err(serde::de::Error::custom(
            format_args!("`{text}` is not one of the listed values"),
        )),
        _ => serde_json::from_value(value),
    }
}

/// How many members, items and scalars `value` holds (itself included).
fn size(value: &Value) -> usize {
    1 + match value {
        Value::Object(members) => members.values().map(size).sum(),
        Value::Array(items) => items.iter().map(size).sum(),
        _ => 0,
    }
}

/// Writes a variant of a tagged union: its tag properties first, then the members of
/// `value` (an object), or the tags alone for a variant with nothing else.
pub fn serialize_tagged<S: Serializer, T: Serialize>(
    tags: &[(&str, &str)],
    value: Option<&T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error as _;
    let mut out: serde_json::Map<String, Value> = tags
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    if let Some(value) = value {
        match serde_json::to_value(value).map_err(S::Error::custom)? {
            Value::Object(members) => out.extend(members),
            other => {
                return Err(S::Error::custom(format!(
                    "a tagged variant must hold an object, not {other}"
                )));
            }
        }
    }
    out.serialize(serializer)
}

/// How much of `original` `encoded` still holds: [`size`] counted where they agree (numbers
/// by value). A `null` member that comes back absent is not kept: a variant that sends the
/// `null` back wins over one that drops it, though one that drops it still decodes the value
/// when no variant keeps it.
fn kept(original: &Value, encoded: &Value) -> usize {
    match (original, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            1 + a
                .iter()
                .map(|(key, value)| match b.get(key) {
                    Some(other) => kept(value, other),
                    None => 0,
                })
                .sum::<usize>()
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            1 + a.iter().zip(b).map(|(a, b)| kept(a, b)).sum::<usize>()
        }
        (Value::Number(a), Value::Number(b)) => usize::from(a.as_f64() == b.as_f64()),
        (a, b) => usize::from(a == b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Loose {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Rich {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize)]
    #[serde(untagged)]
    enum Either {
        Loose(Loose),
        Rich(Rich),
        Text(String),
    }

    fn decode(value: Value) -> Result<Either, serde_json::Error> {
        decode_union(
            value,
            "Either",
            &[
                |v| serde_json::from_value(v).map(Either::Loose),
                |v| serde_json::from_value(v).map(Either::Rich),
                |v| serde_json::from_value(v).map(Either::Text),
            ],
        )
    }

    #[test]
    fn a_listed_decode_takes_only_the_listed_strings() {
        let listed = |v: Value| decode_listed::<String>(v, &["asc", "desc"]);
        assert_eq!(listed(Value::from("asc")).unwrap(), "asc");
        let error = listed(Value::from("{{template}}")).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`{{template}}` is not one of the listed values")
        );
        // What is not a string is decoded as usual (and fails as usual for a string type).
        assert!(listed(Value::from(1)).is_err());
        assert_eq!(
            decode_listed::<Option<String>>(Value::Null, &["asc"]).unwrap(),
            None
        );
    }

    #[test]
    fn the_variant_keeping_most_of_the_value_wins() {
        let rich = decode(serde_json::json!({"id": "a", "description": "d"})).unwrap();
        assert_eq!(
            rich,
            Either::Rich(Rich {
                id: Some("a".into()),
                description: Some("d".into())
            })
        );
        // Both keep all of it: the first wins.
        let loose = decode(serde_json::json!({"id": "a"})).unwrap();
        assert_eq!(
            loose,
            Either::Loose(Loose {
                id: Some("a".into())
            })
        );
        // Neither keeps `other`: the one keeping most of the rest wins.
        let partial = decode(serde_json::json!({"id": "a", "description": "d", "other": 1}));
        assert!(matches!(partial, Ok(Either::Rich(_))));
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct KeepsNull {
        description: Option<String>,
    }

    #[test]
    fn a_null_member_goes_to_the_variant_that_sends_it_back() {
        fn decode(value: Value) -> Result<Result<Loose, KeepsNull>, serde_json::Error> {
            #[derive(Debug, PartialEq)]
            struct Wrapper(Result<Loose, KeepsNull>);
            impl Serialize for Wrapper {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    match &self.0 {
                        Ok(loose) => loose.serialize(s),
                        Err(keeps) => keeps.serialize(s),
                    }
                }
            }
            decode_union(
                value,
                "Wrapper",
                &[
                    |v| serde_json::from_value(v).map(|l| Wrapper(Ok(l))),
                    |v| serde_json::from_value(v).map(|k| Wrapper(Err(k))),
                ],
            )
            .map(|w: Wrapper| w.0)
        }
        // `Loose` accepts `{"description": null}` but would drop it; `KeepsNull` sends it back.
        let decoded = decode(serde_json::json!({"description": null})).unwrap();
        assert_eq!(decoded, Err(KeepsNull { description: None }));
        // With nothing null, the first variant keeping everything still wins.
        assert_eq!(
            decode(serde_json::json!({})).unwrap(),
            Ok(Loose { id: None })
        );
    }

    #[test]
    fn non_objects_and_mismatches() {
        assert_eq!(
            decode(serde_json::json!("text")).unwrap(),
            Either::Text("text".into())
        );
        let err = decode(serde_json::json!(12)).unwrap_err();
        assert_eq!(err.to_string(), "data did not match any variant of Either");
    }
}
