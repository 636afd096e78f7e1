//! [`Hook`]: code of yours that runs around every attempt the client makes.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::error::Error;
use super::request::Operation;
use super::transport::HttpRequest;

/// Code that runs before each attempt is sent and after its outcome is known, configured on
/// the client with [`ClientBuilder::hook`](super::ClientBuilder::hook): add headers, measure,
/// record, count. Both methods do nothing by default; hooks run in the order they were added.
/// A client without hooks does no work for them.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use losant::runtime::{AttemptOutcome, Hook, HttpRequest};
///
/// #[derive(Default)]
/// struct Metrics {
///     attempts: AtomicU64,
/// }
///
/// impl Hook for Metrics {
///     fn before_attempt(&self, request: &mut HttpRequest) {
///         request.headers.insert("x-client", "inventory-sync".parse().unwrap());
///     }
///     fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
///         self.attempts.fetch_add(1, Ordering::Relaxed);
///         println!("{} attempt {}: {:?} in {:?}", outcome.operation.id, outcome.attempt, outcome.status, outcome.elapsed);
///     }
/// }
///
/// let client = losant::Client::builder("my-api-token").hook(Metrics::default()).build();
/// # let _ = client;
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Runs just before an attempt is handed to the transport: the request may be changed
    /// (headers added, say). It carries the token in its `Authorization` header: do not log
    /// header values.
    fn before_attempt(&self, request: &mut HttpRequest) {
        let _ = request;
    }

    /// Runs once the attempt's outcome is known: the status and headers (or the error), and
    /// how long it took, before the client decides whether to retry.
    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        let _ = outcome;
    }
}

/// What one attempt came to, as a [`Hook`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct AttemptOutcome<'a> {
    /// The operation.
    pub operation: &'static Operation,
    /// Which attempt, from 1.
    pub attempt: u32,
    /// The response status, when a response arrived.
    pub status: Option<StatusCode>,
    /// The response headers, when a response arrived.
    pub headers: Option<&'a HeaderMap>,
    /// The error the attempt ended with, if it failed (it may still be retried).
    pub error: Option<&'a Error>,
    /// From handing the request to the transport to the outcome.
    pub elapsed: Duration,
}
