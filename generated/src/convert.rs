//! Conversions the spec cannot say: Losant-specific conveniences on generated models, written
//! by hand.
//!
//! A device state's `time` (`models::Time`) is, in Losant's schema, a string, a number of
//! milliseconds since the epoch, or `{"$date": ...}`; the string is an RFC 3339 date-time in
//! practice, but the schema does not say `format: date-time`, so the generated union cannot
//! take a `chrono` value by itself. The `From` impls here write the date-time as Losant's own
//! clients do (`2016-06-13T04:00:00.000Z`).

/// A date-time in any time zone, sent as RFC 3339 text with milliseconds.
///
/// ```
/// use losant::chrono::{TimeZone, Utc};
/// use losant::models::Time;
///
/// let time = Time::from(Utc.with_ymd_and_hms(2016, 6, 13, 4, 0, 0).unwrap());
/// assert_eq!(time, Time::String("2016-06-13T04:00:00.000Z".into()));
/// ```
// The models file holding `Time` is compiled for these resources (see `models/mod.rs`).
#[cfg(any(feature = "device", feature = "devices"))]
impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for crate::models::Time {
    fn from(time: chrono::DateTime<Tz>) -> Self {
        crate::models::Time::String(crate::runtime::datetime::format(&time.fixed_offset()))
    }
}
