//! What every generated request builder has in common, written once: the per-call settings.
//!
//! A generated builder is a struct with a `client_: Client` field, a `call_: CallOptions`
//! field and a `fn request_(&self) -> Request` method, and its own `send`, `send_with_response`
//! and `send_raw` (which name its answer's type); [`call_option_setters!`] adds the settings of
//! one call, [`event_option_setters!`] those of an event stream.

/// The per-call settings every builder has (see [`CallOptions`](super::CallOptions)).
macro_rules! call_option_setters {
    ($builder:ident) => {
        impl $builder {
            /// The time limit of each attempt of this call, overriding the client's
            /// [`timeout`](crate::ClientBuilder::timeout).
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.call_.set_timeout(timeout);
                self
            }

            /// The time limit of this whole call, every attempt and wait included, overriding
            /// the client's [`deadline`](crate::ClientBuilder::deadline).
            pub fn deadline(mut self, deadline: ::std::time::Duration) -> Self {
                self.call_.set_deadline(deadline);
                self
            }

            /// How this call is retried, overriding the client's
            /// [`RetryPolicy`](crate::RetryPolicy) (the client's retry budget still applies).
            pub fn retry(mut self, policy: $crate::runtime::RetryPolicy) -> Self {
                self.call_.set_retry(policy);
                self
            }

            /// Adds a header to this call, replacing one of the same name the client would
            /// send. An invalid name or value makes the call fail before anything is sent.
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.call_.set_header(name, value);
                self
            }
        }
    };
}

/// The settings of an event stream: its idle limit and reconnection.
// Unused when no enabled resource has an event stream (e.g. `--features orgs` alone).
#[allow(unused_macros)]
macro_rules! event_option_setters {
    ($builder:ident) => {
        impl $builder {
            /// How long the stream may stay silent, not even a keep-alive, before it fails
            /// with a [`Timeout`](crate::Error::Timeout) (default: three keep-alive intervals
            /// plus 5 s).
            pub fn idle_timeout(mut self, idle: ::std::time::Duration) -> Self {
                self.call_.set_idle_timeout(idle);
                self
            }

            /// Reconnects when the stream ends, breaks or stays silent too long, sending the
            /// last event id as `Last-Event-ID` and waiting between attempts as `policy` says
            /// (giving up after its retries in a row without an event). Off by default.
            pub fn reconnect(mut self, policy: $crate::runtime::RetryPolicy) -> Self {
                self.call_.set_reconnect(policy);
                self
            }
        }
    };
}

pub(crate) use {call_option_setters, event_option_setters};
