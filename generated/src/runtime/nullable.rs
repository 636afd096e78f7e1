//! [`Nullable`]: a value or an explicit JSON `null`, for fields where `null` means something
//! other than leaving the field out (typically "clear this field" in a PATCH body).
//!
//! Such fields are `Option<Nullable<T>>`:
//!
//! | Rust | JSON |
//! | --- | --- |
//! | `None` | field absent (left unchanged) |
//! | `Some(Nullable::Null)` | `"field": null` (cleared) |
//! | `Some(Nullable::Value(v))` | `"field": v` |
//!
//! ```
//! use losant::Nullable;
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Patch {
//!     #[serde(
//!         default,
//!         skip_serializing_if = "Option::is_none",
//!         deserialize_with = "losant::runtime::nullable::deserialize"
//!     )]
//!     description: Option<Nullable<String>>,
//! }
//!
//! let clear = Patch { description: Some(Nullable::Null) };
//! assert_eq!(serde_json::to_string(&clear).unwrap(), r#"{"description":null}"#);
//! let back: Patch = serde_json::from_str(r#"{"description":null}"#).unwrap();
//! assert_eq!(back.description, Some(Nullable::Null));
//! let absent: Patch = serde_json::from_str("{}").unwrap();
//! assert_eq!(absent.description, None);
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value, or an explicit JSON `null`. See the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// JSON `null`.
    Null,
    /// A value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether this is [`Nullable::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Borrows the value, if any.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(v),
        }
    }

    /// Mutably borrows the value, if any.
    pub fn as_mut(&mut self) -> Nullable<&mut T> {
        match self {
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(v),
        }
    }

    /// The value, or `None` for `Null`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Null => None,
            Nullable::Value(v) => Some(v),
        }
    }

    /// Maps the value, keeping `Null`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(f(v)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T> From<Nullable<T>> for Option<T> {
    fn from(value: Nullable<T>) -> Self {
        value.into_option()
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Null => serializer.serialize_none(),
            Nullable::Value(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Nullable::Value(v),
            None => Nullable::Null,
        })
    }
}

/// `deserialize_with` for `Option<Nullable<T>>` fields: a JSON `null` becomes
/// `Some(Nullable::Null)` rather than `None` (pair it with `#[serde(default)]` so that an absent
/// field stays `None`).
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Nullable<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Nullable::deserialize(deserializer).map(Some)
}

/// `deserialize_with` for optional fields whose type has its own value for `null`
/// (`serde_json::Value`, a union with a `Null` variant): a JSON `null` becomes `Some` of that
/// value rather than `None`, so that it is sent back as `null`, while an absent field (with
/// `#[serde(default)]`) stays `None` and is left out.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Event {
///     #[serde(
///         default,
///         skip_serializing_if = "Option::is_none",
///         deserialize_with = "losant::runtime::nullable::deserialize_some"
///     )]
///     data: Option<serde_json::Value>,
/// }
///
/// let null: Event = serde_json::from_str(r#"{"data":null}"#).unwrap();
/// assert_eq!(null.data, Some(serde_json::Value::Null));
/// assert_eq!(serde_json::to_string(&null).unwrap(), r#"{"data":null}"#);
/// let absent: Event = serde_json::from_str("{}").unwrap();
/// assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
/// ```
pub fn deserialize_some<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The schema of `T`, made to accept `null` too (as schemars does for `Option<T>`).
#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Nullable_{}", T::schema_name()).into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        format!("losant::Nullable<{}>", T::schema_id()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
    }
}
