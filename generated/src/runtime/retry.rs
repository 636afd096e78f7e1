//! When and how long to wait before trying a failed call again, and how many retries one
//! client may spend.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

/// How the client retries calls that failed in a way that may pass on a second try.
///
/// What is retried:
///
/// | failure | methods retried |
/// | --- | --- |
/// | the connection could not be made (nothing was sent) | every method |
/// | `429 Too Many Requests` (the API rejected the request unprocessed) | every method |
/// | `502`, `503`, `504`, a timeout of one attempt, a connection broken before or during the response | idempotent actions only |
///
/// Idempotent actions are those with an idempotent method (`GET`, `HEAD`, `PUT`, `DELETE`,
/// `OPTIONS`) and those the spec marks idempotent (read-only `POST`s such as data queries; see
/// [`Operation::idempotent`](super::Operation::idempotent)). A `POST` or `PATCH` that may have
/// had an effect is never retried after it was sent: its answer may have been lost after the
/// change was made.
///
/// The wait before retry *n* (from 0) is `initial_backoff × multiplierⁿ`, at most
/// `max_backoff`, and with jitter a random value between half of that and all of it. When the
/// answer carries a `Retry-After` header (seconds, or an HTTP date in any of the three forms of
/// RFC 9110), the client waits at least that long, plus a random extra of up to a quarter of
/// it (at least 100 ms, at most `max_backoff`) so that many clients told the same time do not
/// come back together; if the header asks for longer than `max_retry_after`, the client does
/// not retry and returns the error at once.
///
/// Retries also stop when the client's [`RetryBudget`] is spent, and no wait runs past the
/// operation's deadline ([`ClientBuilder::deadline`](super::ClientBuilder::deadline)).
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

    /// Whether to randomise each wait (default true), so that many clients failing together
    /// do not retry together.
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

    /// How many retries this policy allows after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (from 0), or `None` when the server's
    /// `Retry-After` asks for longer than the policy allows.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            if wait > self.max_retry_after {
                return None;
            }
            if !self.jitter {
                return Some(wait);
            }
            let spread = (wait / 4)
                .max(Duration::from_millis(100))
                .min(self.max_backoff);
            return Some(wait + spread.mul_f64(fastrand::f64()));
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

/// A budget of retries shared by every call of one client (a token bucket, in the style of the
/// AWS SDKs' standard retry quota), so that an outage does not multiply the load on the API.
///
/// Each retry takes tokens from the bucket (5, or 10 after a timeout); a call that succeeds on
/// its first attempt puts 1 token back, and one that succeeds after retries puts back what its
/// last retry took, up to the capacity (500 by default). When the bucket cannot pay for a
/// retry, the call fails with the error it has instead of retrying. With the defaults, when
/// every request fails, 1,000 concurrent calls send about 1,100 requests rather than 4,000.
///
/// ```
/// use losant::RetryBudget;
///
/// let generous = RetryBudget::new(2_000);
/// let unlimited = RetryBudget::unlimited();
/// # let _ = (generous, unlimited);
/// ```
#[derive(Debug, Clone)]
pub struct RetryBudget {
    inner: Option<Arc<Bucket>>,
    retry_cost: u32,
    timeout_retry_cost: u32,
}

#[derive(Debug)]
struct Bucket {
    capacity: u32,
    tokens: AtomicU32,
}

impl Default for RetryBudget {
    /// 500 tokens; a retry costs 5, a retry after a timeout 10.
    fn default() -> Self {
        RetryBudget::new(500)
    }
}

impl PartialEq for RetryBudget {
    fn eq(&self, other: &Self) -> bool {
        self.capacity() == other.capacity()
            && self.retry_cost == other.retry_cost
            && self.timeout_retry_cost == other.timeout_retry_cost
    }
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens (a retry costs 5, a retry after a timeout 10).
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            inner: Some(Arc::new(Bucket {
                capacity,
                tokens: AtomicU32::new(capacity),
            })),
            retry_cost: 5,
            timeout_retry_cost: 10,
        }
    }

    /// No budget: every retry the [`RetryPolicy`] allows is made.
    pub fn unlimited() -> Self {
        RetryBudget {
            inner: None,
            retry_cost: 5,
            timeout_retry_cost: 10,
        }
    }

    /// The tokens a retry takes (default 5) and a retry after a timeout takes (default 10).
    pub fn costs(mut self, retry: u32, after_timeout: u32) -> Self {
        self.retry_cost = retry;
        self.timeout_retry_cost = after_timeout;
        self
    }

    /// The bucket's capacity, `None` when unlimited.
    pub fn capacity(&self) -> Option<u32> {
        self.inner.as_ref().map(|b| b.capacity)
    }

    /// The tokens left, `None` when unlimited.
    pub fn available(&self) -> Option<u32> {
        self.inner
            .as_ref()
            .map(|b| b.tokens.load(Ordering::Relaxed))
    }

    /// Takes the cost of one retry, if the bucket can pay it; returns what was taken.
    pub(crate) fn try_acquire(&self, after_timeout: bool) -> Option<u32> {
        let cost = if after_timeout {
            self.timeout_retry_cost
        } else {
            self.retry_cost
        };
        let Some(bucket) = &self.inner else {
            return Some(0);
        };
        bucket
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                tokens.checked_sub(cost)
            })
            .ok()
            .map(|_| cost)
    }

    /// Records a call that succeeded; `last_retry_cost` is what its last retry took (`None`
    /// when it needed no retry).
    pub(crate) fn succeeded(&self, last_retry_cost: Option<u32>) {
        let Some(bucket) = &self.inner else { return };
        // The usual case, a first attempt that succeeded with the bucket full, writes nothing
        // (no contended cache line between the client's concurrent calls).
        if last_retry_cost.is_none() && bucket.tokens.load(Ordering::Relaxed) >= bucket.capacity {
            return;
        }
        let refund = last_retry_cost.unwrap_or(1);
        let _ = bucket
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                Some(tokens.saturating_add(refund).min(bucket.capacity))
            });
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date in any of RFC 9110's three
/// forms (IMF-fixdate, RFC 850, asctime); a date in the past means no wait.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to fit is simply "very long".
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
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
    fn the_multiplier_grows_each_wait_and_counts_below_one_as_one() {
        let ms = |n| Some(Duration::from_millis(n));
        let triple = RetryPolicy::default().jitter(false).multiplier(3.0);
        let waits: Vec<_> = (0..3).map(|n| triple.delay(n, None)).collect();
        assert_eq!(waits, [ms(200), ms(600), ms(1800)]);
        for flat in [1.0, 0.5, f64::NAN] {
            let p = RetryPolicy::default().jitter(false).multiplier(flat);
            let waits: Vec<_> = (0..3).map(|n| p.delay(n, None)).collect();
            assert_eq!(waits, [ms(200), ms(200), ms(200)], "multiplier {flat}");
        }
    }

    #[test]
    fn jitter_spreads_the_waits_below_the_base() {
        let p = RetryPolicy::default();
        let waits: Vec<Duration> = (0..200)
            .map(|_| p.delay(0, None).expect("a wait"))
            .collect();
        // Base 200 ms, each wait drawn from [100, 200] ms: 200 draws do not all land in the
        // top tenth (a chance of 0.1^200).
        assert!(
            waits
                .iter()
                .all(|w| *w >= Duration::from_millis(100) && *w <= Duration::from_millis(200))
        );
        assert!(
            waits.iter().any(|w| *w < Duration::from_millis(180)),
            "{waits:?}"
        );
    }

    #[test]
    fn the_longest_retry_after_is_configurable_and_inclusive() {
        let p = RetryPolicy::default()
            .jitter(false)
            .max_retry_after(Duration::from_secs(5));
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(p.delay(0, Some(Duration::from_secs(6))), None);
    }

    #[test]
    fn budgets_are_equal_by_capacity_and_costs() {
        assert_eq!(RetryBudget::new(10), RetryBudget::new(10));
        assert_ne!(RetryBudget::new(10), RetryBudget::new(11));
        assert_ne!(RetryBudget::new(10), RetryBudget::unlimited());
        assert_ne!(RetryBudget::new(10), RetryBudget::new(10).costs(1, 10));
        assert_ne!(RetryBudget::new(10), RetryBudget::new(10).costs(5, 1));
        assert_eq!(
            RetryBudget::new(10).costs(1, 2),
            RetryBudget::new(10).costs(1, 2)
        );
    }

    #[test]
    fn a_budget_reports_its_capacity() {
        assert_eq!(RetryBudget::new(7).capacity(), Some(7));
        assert_eq!(RetryBudget::default().capacity(), Some(500));
        assert_eq!(RetryBudget::unlimited().capacity(), None);
    }

    #[test]
    fn custom_costs_are_what_a_retry_takes() {
        let budget = RetryBudget::new(100).costs(1, 2);
        assert_eq!(budget.try_acquire(false), Some(1));
        assert_eq!(budget.try_acquire(true), Some(2));
        assert_eq!(budget.available(), Some(97));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap_and_spread_after_it() {
        let exact = RetryPolicy::default().jitter(false);
        assert_eq!(
            exact.delay(0, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(exact.delay(0, Some(Duration::from_secs(61))), None);
        let p = RetryPolicy::default();
        let waits: Vec<Duration> = (0..200)
            .map(|_| p.delay(0, Some(Duration::from_secs(1))).expect("allowed"))
            .collect();
        // Never before the server's time, at most a quarter later (1 s -> up to 250 ms).
        assert!(waits.iter().all(|w| *w >= Duration::from_secs(1)));
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(1250)));
        // Spread out: 200 draws do not all land within 100 ms of each other.
        let (min, max) = (waits.iter().min(), waits.iter().max());
        assert!(
            max.zip(min)
                .is_some_and(|(a, b)| *a - *b > Duration::from_millis(100))
        );
    }

    #[test]
    fn parses_seconds_and_all_three_http_date_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_767); // 06 Nov 1994 08:49:27 GMT
        let ten = Some(Duration::from_secs(10));
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::MAX)
        );
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), ten);
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
            ten
        );
        assert_eq!(parse_retry_after("Sun Nov  6 08:49:37 1994", now), ten);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn a_budget_pays_for_retries_until_spent_and_refills_on_success() {
        let budget = RetryBudget::new(12);
        assert_eq!(budget.try_acquire(false), Some(5));
        assert_eq!(budget.try_acquire(false), Some(5));
        assert_eq!(budget.try_acquire(false), None, "2 tokens left");
        assert_eq!(budget.try_acquire(true), None);
        budget.succeeded(Some(5));
        assert_eq!(budget.available(), Some(7));
        budget.succeeded(None);
        assert_eq!(budget.available(), Some(8));
        for _ in 0..100 {
            budget.succeeded(Some(10));
        }
        assert_eq!(budget.available(), Some(12), "capped at the capacity");
        let clone = budget.clone();
        assert_eq!(clone.try_acquire(true), Some(10));
        assert_eq!(budget.available(), Some(2), "clones share one bucket");
        assert_eq!(RetryBudget::unlimited().try_acquire(true), Some(0));
    }
}
