//! [`CallOptions`]: settings of one call that override the client's.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::retry::RetryPolicy;

/// Settings for one call that override the [`Client`](super::Client)'s, set through the
/// request builder's methods of the same names (`.timeout(..)`, `.deadline(..)`, `.retry(..)`,
/// `.header(..)`, and the API's fixed headers such as `.accept_version(..)`), without a second
/// client:
///
/// ```no_run
/// # async fn run(client: losant::Client) -> Result<(), losant::Error> {
/// use std::time::Duration;
/// use losant::RetryPolicy;
///
/// let orgs = client
///     .orgs()
///     .get()
///     .timeout(Duration::from_secs(120))      // this call's attempts may take longer
///     .deadline(Duration::from_secs(300))     // and all of them together
///     .retry(RetryPolicy::none())             // no retry for this one
///     .header("X-Trace", "job-42")            // an extra header
///     .accept_version("^1.30.0")              // the API's version header, for this call
///     .await?;
/// # let _ = orgs;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// Headers that could not be set, reported as an invalid request when the call is sent.
    pub(crate) problems: Vec<(String, String)>,
    pub(crate) max_pages: Option<u64>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) reconnect: Option<RetryPolicy>,
}

impl CallOptions {
    /// No override: the client's settings apply.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// The time limit of each attempt of this call (default: the client's
    /// [`timeout`](super::ClientBuilder::timeout)).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// The time limit of the whole call, every attempt and wait included (default: the
    /// client's [`deadline`](super::ClientBuilder::deadline)).
    pub fn set_deadline(&mut self, deadline: Duration) {
        self.deadline = Some(deadline);
    }

    /// The retry policy of this call (default: the client's).
    pub fn set_retry(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// Adds a header to this call, replacing one of the same name that the client or the
    /// request would send (the API's fixed headers included). A name or value that cannot be
    /// sent in HTTP makes the call fail its checks, naming it, without sending anything.
    pub fn set_header(&mut self, name: &str, value: &str) {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.retain(|(n, _)| *n != name);
                self.headers.push((name, value));
            }
            (Err(_), _) => self.problems.push((
                name.to_owned(),
                "is not a valid HTTP header name".to_owned(),
            )),
            (Ok(_), Err(_)) => self.problems.push((
                name.to_owned(),
                "header values must be visible ASCII text without line breaks".to_owned(),
            )),
        }
    }

    /// The most pages a list's `into_stream()` fetches before failing with
    /// [`Error::Pagination`](super::Error::Pagination) (default 10,000).
    pub fn set_max_pages(&mut self, pages: u64) {
        self.max_pages = Some(pages);
    }

    /// The page limit set with [`set_max_pages`](CallOptions::set_max_pages), if any.
    pub fn max_pages(&self) -> Option<u64> {
        self.max_pages
    }

    /// For an event stream: how long it may stay silent (not even a keep-alive) before it
    /// fails with [`TimeoutKind::Idle`](super::TimeoutKind::Idle) (default: derived from the
    /// keep-alive interval the request asks for).
    pub fn set_idle_timeout(&mut self, idle: Duration) {
        self.idle_timeout = Some(idle);
    }

    /// For an event stream: reconnect when the connection ends or breaks, sending the last
    /// event id seen as `Last-Event-ID`, waiting between attempts as `policy` says (at most
    /// `policy`'s retries in a row without an event). Off by default.
    pub fn set_reconnect(&mut self, policy: RetryPolicy) {
        self.reconnect = Some(policy);
    }
}
