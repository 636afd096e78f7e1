//! How `date-time` values are written: RFC 3339 with milliseconds and `Z` for UTC
//! (`2017-06-13T04:00:00.000Z`), as Losant's own clients and the query encoder write them,
//! keeping the offset the value has (`+01:00`) and any precision finer than a millisecond.
//!
//! Models hold `date-time` values as `chrono::DateTime<FixedOffset>`, so the offset a server
//! or a caller gave is kept; the generated fields name these functions with
//! `#[serde(serialize_with = "...")]` (and `with` for the fields that tell `null` from
//! absent). A `DateTime<Utc>` converts with `.fixed_offset()` or `.into()`.

use chrono::{DateTime, FixedOffset, SecondsFormat, Timelike};
use serde::{Deserialize, Deserializer, Serializer};

use super::nullable::Nullable;

/// The RFC 3339 text of `value`: milliseconds (or finer, when the value has finer), `Z` for a
/// zero offset.
pub fn format(value: &DateTime<FixedOffset>) -> String {
    let precision = if value.nanosecond() % 1_000_000 == 0 {
        SecondsFormat::Millis
    } else {
        SecondsFormat::AutoSi
    };
    value.to_rfc3339_opts(precision, true)
}

/// Writes a date-time (see the [module documentation](self)).
pub fn serialize<S: Serializer>(value: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(value))
}

/// Reads an RFC 3339 date-time, keeping its offset.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    DateTime::<FixedOffset>::deserialize(d)
}

/// [`serialize`] and [`deserialize`](fn@deserialize) for `Option<DateTime<FixedOffset>>`.
pub mod option {
    use super::*;

    /// Writes the date-time, or `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => s.serialize_some(&super::format(value)),
            None => s.serialize_none(),
        }
    }

    /// Reads a date-time or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        Option::<DateTime<FixedOffset>>::deserialize(d)
    }
}

/// [`serialize`] and [`deserialize`](fn@deserialize) for `Option<Nullable<DateTime<FixedOffset>>>`
/// fields (absent, `null`, or a date-time).
pub mod nullable {
    use super::*;

    /// Writes the date-time or `null` (an absent field is skipped by the field's
    /// `skip_serializing_if`).
    pub fn serialize<S: Serializer>(
        value: &Option<Nullable<DateTime<FixedOffset>>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(Nullable::Value(value)) => s.serialize_some(&super::format(value)),
            Some(Nullable::Null) | None => s.serialize_none(),
        }
    }

    /// Reads `null` as `Some(Nullable::Null)` (pair it with `#[serde(default)]` so that an
    /// absent field stays `None`).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Nullable<DateTime<FixedOffset>>>, D::Error> {
        Nullable::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).expect("RFC 3339")
    }

    #[test]
    fn writes_milliseconds_and_z_and_keeps_offsets_and_precision() {
        assert_eq!(
            format(&parse("2017-06-13T04:00:00Z")),
            "2017-06-13T04:00:00.000Z"
        );
        assert_eq!(
            format(&parse("2017-06-13T04:00:00.120+00:00")),
            "2017-06-13T04:00:00.120Z"
        );
        assert_eq!(
            format(&parse("2017-06-13T05:00:00+01:00")),
            "2017-06-13T05:00:00.000+01:00"
        );
        assert_eq!(
            format(&parse("2017-06-13T04:00:00.123456Z")),
            "2017-06-13T04:00:00.123456Z"
        );
        // Near the year limit, the offset kept means the text stays RFC 3339.
        assert_eq!(
            format(&parse("0000-01-01T00:30:00+01:00")),
            "0000-01-01T00:30:00.000+01:00"
        );
    }
}
