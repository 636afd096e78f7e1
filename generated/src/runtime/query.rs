//! How values are written into the query string.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

/// A value that can be sent as a query parameter.
///
/// Pairs are collected unencoded; the client percent-encodes them when it builds the URL.
///
/// | type | written as |
/// | --- | --- |
/// | `str`, `String` | the text |
/// | `bool` | `true` / `false` |
/// | integers, floats | their decimal form |
/// | `DateTime<Utc>`, `DateTime<FixedOffset>` | RFC 3339 with milliseconds, e.g. `2024-05-01T12:00:00.000Z` |
/// | `serde_json::Value` | strings raw, numbers and booleans as text, objects and arrays JSON-encoded as one value, `null` not at all |
/// | `Vec<T>`, `[T]` | bracket form: `name[0]=a&name[1]=b` |
/// | `Option<T>` | the value when set, nothing otherwise |
///
/// Generated enums implement it with their wire string.
pub trait QueryValue {
    /// Appends this value's `(name, value)` pairs to `out`.
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>);
}

impl QueryValue for str {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        out.push((name.to_owned(), self.to_owned()));
    }
}

impl QueryValue for String {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        self.as_str().append_query(name, out);
    }
}

macro_rules! display_query_value {
    ($($ty:ty),* $(,)?) => {$(
        impl QueryValue for $ty {
            fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
                out.push((name.to_owned(), self.to_string()));
            }
        }
    )*};
}

display_query_value!(
    bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl QueryValue for DateTime<FixedOffset> {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        out.push((name.to_owned(), super::datetime::format(self)));
    }
}

impl QueryValue for DateTime<Utc> {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        out.push((
            name.to_owned(),
            self.to_rfc3339_opts(SecondsFormat::Millis, true),
        ));
    }
}

impl QueryValue for serde_json::Value {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        use serde_json::Value;
        let text = match self {
            Value::Null => return,
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(_) | Value::Object(_) => self.to_string(),
        };
        out.push((name.to_owned(), text));
    }
}

/// Appends `value` under `name` in bracket form: objects as `name[key]`, arrays as
/// `name[index]`, recursively; scalars as text; `null` left out.
pub(crate) fn append_deep(name: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                append_deep(&format!("{name}[{key}]"), item, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                append_deep(&format!("{name}[{i}]"), item, out);
            }
        }
        scalar => scalar.append_query(name, out),
    }
}

impl<T: QueryValue> QueryValue for [T] {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        for (i, item) in self.iter().enumerate() {
            item.append_query(&format!("{name}[{i}]"), out);
        }
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        self.as_slice().append_query(name, out);
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        if let Some(value) = self {
            value.append_query(name, out);
        }
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        (**self).append_query(name, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs<V: QueryValue + ?Sized>(value: &V) -> Vec<(String, String)> {
        let mut out = Vec::new();
        value.append_query("q", &mut out);
        out
    }

    fn p(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn scalars() {
        assert_eq!(pairs("a b"), [p("q", "a b")]);
        assert_eq!(pairs(&false), [p("q", "false")]);
        assert_eq!(pairs(&-3i64), [p("q", "-3")]);
        assert_eq!(pairs(&1.5f64), [p("q", "1.5")]);
        let at = DateTime::from_timestamp_millis(1_714_564_800_007).expect("valid");
        assert_eq!(pairs(&at), [p("q", "2024-05-01T12:00:00.007Z")]);
        assert_eq!(pairs(&None::<u8>), []);
    }

    #[test]
    fn json_values() {
        let obj = serde_json::json!({"name": {"$ne": "x"}});
        assert_eq!(pairs(&obj), [p("q", r#"{"name":{"$ne":"x"}}"#)]);
        assert_eq!(pairs(&serde_json::json!("raw")), [p("q", "raw")]);
        assert_eq!(pairs(&serde_json::json!(7)), [p("q", "7")]);
        assert_eq!(pairs(&serde_json::Value::Null), []);
    }

    #[test]
    fn sequences_use_bracket_form() {
        assert_eq!(pairs(&vec!["a", "b"]), [p("q[0]", "a"), p("q[1]", "b")]);
        assert_eq!(
            pairs(&[vec![1u8], vec![2]][..]),
            [p("q[0][0]", "1"), p("q[1][0]", "2")]
        );
    }
}

#[cfg(test)]
mod deep_tests {
    use super::append_deep;
    use serde_json::json;

    #[test]
    fn nested_values_go_out_in_bracket_form() {
        let mut out = Vec::new();
        let value = json!([{"key": "floor", "value": "2"}, {"key": "kind"}]);
        append_deep("tagFilter", &value, &mut out);
        append_deep(
            "dataType",
            &json!({"$in": ["number", "gps"], "skip": null}),
            &mut out,
        );
        append_deep("plain", &json!(true), &mut out);
        let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("tagFilter[0][key]", "floor"),
                ("tagFilter[0][value]", "2"),
                ("tagFilter[1][key]", "kind"),
                ("dataType[$in][0]", "number"),
                ("dataType[$in][1]", "gps"),
                ("plain", "true"),
            ]
        );
    }
}
