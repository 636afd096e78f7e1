//! Decoding of `oneOf`/`anyOf` values into the generated union enums.

use serde_json::Value;

/// One variant of a union: the wire names of the members it declares (`None` when it is not
/// an object with a fixed set of members), and how to decode a value as it.
pub type UnionVariant<T> = (
    Option<&'static [&'static str]>,
    fn(Value) -> Result<T, serde_json::Error>,
);

/// Decodes `value` as the variant, among those that accept it, that declares the most of its
/// members (the first such variant on a tie). Objects accept members they do not declare, so
/// "the first variant that decodes" would keep choosing an early, loosely fitting variant and
/// lose the members only a later one declares.
pub fn decode_union<T, E: serde::de::Error>(
    value: Value,
    type_name: &str,
    variants: &[UnionVariant<T>],
) -> Result<T, E> {
    let keys: Vec<&str> = value
        .as_object()
        .map(|object| object.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut best: Option<(usize, T)> = None;
    for (declared, decode) in variants {
        let score = declared.map_or(0, |declared| {
            keys.iter().filter(|key| declared.contains(key)).count()
        });
        if best.as_ref().is_some_and(|(best, _)| *best >= score) {
            continue;
        }
        if let Ok(decoded) = decode(value.clone()) {
            best = Some((score, decoded));
        }
    }
    best.map(|(_, decoded)| decoded)
        .ok_or_else(|| E::custom(format!("data did not match any variant of {type_name}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Loose {
        id: Option<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Rich {
        id: Option<String>,
        description: Option<String>,
    }

    #[derive(Debug, PartialEq)]
    enum Either {
        Loose(Loose),
        Rich(Rich),
        Text(String),
    }

    fn variants() -> [UnionVariant<Either>; 3] {
        [
            (Some(&["id"]), |v| {
                serde_json::from_value(v).map(Either::Loose)
            }),
            (Some(&["id", "description"]), |v| {
                serde_json::from_value(v).map(Either::Rich)
            }),
            (None, |v| serde_json::from_value(v).map(Either::Text)),
        ]
    }

    fn decode(value: Value) -> Result<Either, serde_json::Error> {
        decode_union(value, "Either", &variants())
    }

    #[test]
    fn the_variant_declaring_most_members_wins() {
        let rich = decode(serde_json::json!({"id": "a", "description": "d"})).unwrap();
        assert_eq!(
            rich,
            Either::Rich(Rich {
                id: Some("a".into()),
                description: Some("d".into())
            })
        );
        // A tie goes to the first variant.
        let loose = decode(serde_json::json!({"id": "a"})).unwrap();
        assert_eq!(
            loose,
            Either::Loose(Loose {
                id: Some("a".into())
            })
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
