//! When and how long to wait before trying a failed call again.

use std::time::{Duration, SystemTime};

/// How the client retries calls that failed in a way that may pass on a second try: connection
/// errors, timeouts and the statuses 429, 502, 503 and 504.
///
/// Only idempotent methods are retried (never `POST`: the first attempt may have had an effect
/// even though its answer was lost). The wait before retry *n* (from 0) is
/// `initial_backoff × multiplierⁿ`, at most `max_backoff`, and with jitter a random value
/// between half of that and all of it. When the answer carries a `Retry-After` header (seconds
/// or an HTTP date), the client waits exactly that long instead; if it asks for longer than
/// `max_retry_after`, the client does not retry and returns the error at once.
///
/// ```
/// use std::time::Duration;
/// use losant::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .initial_backoff(Duration::from_millis(100));
/// let never = RetryPolicy::none();
/// # let _ = (policy, never);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
    jitter: bool,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries (4 attempts in all), backoff from 200 ms doubling up to 10 s with jitter,
    /// `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            multiplier: 2.0,
            jitter: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// How many times to retry after the first attempt (default 3).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry (default 200 ms).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts, `Retry-After` aside (default 10 s).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The factor by which the wait grows after each retry (default 2; values below 1, and
    /// NaN, count as 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier >= 1.0 { multiplier } else { 1.0 };
        self
    }

    /// Whether to randomise each wait between half and all of it (default true), so that
    /// many clients failing together do not retry together.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest `Retry-After` the client waits for (default 60 s); when the API asks for
    /// longer, the error is returned without retrying.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    pub(crate) fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (from 0), or `None` when the server's
    /// `Retry-After` asks for longer than the policy allows.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let exponent = i32::try_from(retry).unwrap_or(i32::MAX).min(1024);
        let secs = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent);
        let base = Duration::try_from_secs_f64(secs)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        if !self.jitter {
            return Some(base);
        }
        let factor = 0.5 + 0.5 * fastrand::f64();
        Some(Duration::try_from_secs_f64(base.as_secs_f64() * factor).map_or(base, |d| d.min(base)))
    }
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date (a date in the past means no
/// wait).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to fit is simply "very long".
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = chrono::DateTime::<chrono::Utc>::from(now);
    Some((date.to_utc() - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_is_capped() {
        let p = RetryPolicy::default()
            .jitter(false)
            .max_backoff(Duration::from_millis(500));
        let waits: Vec<_> = (0..4).map(|n| p.delay(n, None)).collect();
        let ms = |n| Some(Duration::from_millis(n));
        assert_eq!(waits, [ms(200), ms(400), ms(500), ms(500)]);
        assert_eq!(p.delay(u32::MAX, None), ms(500));
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let wait = p.delay(1, None).expect("no retry-after");
            assert!(wait >= Duration::from_millis(200) && wait <= Duration::from_millis(400));
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(p.delay(0, Some(Duration::from_secs(61))), None);
    }

    #[test]
    fn parses_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470); // 07:27:50 GMT
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
