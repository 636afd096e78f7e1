//! What every generated string enum has in common. A generated enum defines its variants,
//! `VALUES`, `as_str` and `From<&str>`; [`string_enum!`] adds the rest from those, so that
//! hundreds of enums share one definition of it.

/// Implements `FromStr`, `Display`, `Serialize`, `Deserialize`, [`Validate`](super::Validate)
/// and [`QueryValue`](super::QueryValue) (sent as its wire value) for a string enum that has
/// `VALUES`, `as_str` and `From<&str>`.
///
/// An `Unknown(value)` passes validation and is sent as is: a caller who constructs one means
/// to send a value the spec does not list (the spec may lag the API, or be wrong, as Losant's
/// own examples show), and the server decides whether it accepts it.
macro_rules! string_enum {
    ($name:ident) => {
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl $crate::runtime::Validate for $name {
            fn validate_into(&self, _: &mut $crate::runtime::Validator) {}
        }

        impl $crate::runtime::QueryValue for $name {
            fn append_query(&self, name: &str, out: &mut Vec<(String, String)>) {
                out.push((name.to_owned(), self.as_str().to_owned()));
            }
        }
    };
}

pub(crate) use string_enum;

/// The JSON Schema of a string enum: a string, one of `values`.
#[cfg(feature = "schemars")]
pub fn string_enum_schema(values: &[&str]) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": values })
}
