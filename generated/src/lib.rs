//! # losant
//!
//! A typed, async client for the [Losant](https://www.losant.com) IoT platform's REST API.
//!
//! Everything API-specific in this crate (the models in [`models`], one module per resource
//! with its request builders, the operations' scopes) is generated from the YAML description in
//! the repository's `spec/` folder by `cargo xtask codegen`. The small runtime it calls (the
//! [`Client`], errors, retries, pagination, validation, tokens) is written by hand in
//! `src/runtime/`, and knows nothing of Losant. What is Losant's and cannot be generated is
//! written by hand beside it: logging in with a device's or a user's credentials
//! ([`login`]) and Losant's two-step file upload ([`upload`]).
//!
//! ```no_run
//! # async fn run() -> Result<(), losant::Error> {
//! use losant::Client;
//! use losant::orgs::OrgsGetSortField;
//!
//! let client = Client::new("my-api-token");
//! let page = client.orgs().get().sort_field(OrgsGetSortField::Name).per_page(10).await?;
//! for org in page.items.unwrap_or_default() {
//!     println!("{}", org.name.unwrap_or_default());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Cargo features
//!
//! - One feature per resource, named like its module (`devices`, `data`, `instance_org`, ...),
//!   and `full` for all of them; rustdoc marks each item with the feature it needs.
//! - TLS: `rustls` (rustls with the *ring* provider and the platform's trusted roots),
//!   `rustls-aws-lc` (rustls with *aws-lc-rs*) or `native-tls`; see
//!   [`ReqwestTransport`](runtime::ReqwestTransport).
//! - `schemars` (JSON Schema for every model). The models' `JsonSchema` impls are derived, so
//!   rustdoc lists them without the `schemars` badge the other gated items carry: they exist
//!   only with that feature.
//! - `tracing`: each call is a `tracing` span named `http.client`, with OpenTelemetry's HTTP
//!   client attributes (`http.request.method`, `url.template`, `url.full`, `server.address`,
//!   `server.port`, `http.request.resend_count`, `http.response.status_code`, `error.type`,
//!   and `otel.name`/`otel.kind`/`otel.status_code` for `tracing-opentelemetry`) and the
//!   operation's id (`operation`). Inside it, an event per outcome: `succeeded` (`debug`, with
//!   the attempt, its status, its time and the call's), `retrying` (`info`, with the attempt,
//!   its status or `error.type`, and `wait_ms`), `failed` (`debug` for a 4xx answer the caller
//!   handles, `warn` otherwise). Headers, and so the token, are never recorded; bodies only at
//!   `trace` level and only when asked ([`ClientBuilder::trace_bodies`]).
//! - `test-util`: `losant::testing`, a mock of the API in the test's process, for testing
//!   code that calls the API (see the README's "Testing your code").
//!
//! `default` is `full` and `rustls`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

mod api;
mod convert;
#[cfg(feature = "auth")]
pub mod login;
pub mod runtime;
#[cfg(feature = "files")]
pub mod upload;

pub use api::*;
#[cfg(feature = "auth")]
pub use login::{DeviceLogin, UserLogin};
#[cfg(feature = "test-util")]
pub use runtime::testing;
pub use runtime::{
    ApiError, CallOptions, Client, ClientBuilder, Error, FilePart, Hook, Login, Nullable,
    Operation, Response, RetryBudget, RetryPolicy, ServerSentEvent, TimeoutKind, Token,
    TokenSource,
};
#[cfg(feature = "files")]
pub use upload::{UploadFileRequest, UploadedFile};

// Types of other crates that appear in this crate's API, re-exported so that callers name the
// same versions without depending on those crates themselves.
/// Byte buffers: file parts and raw response bodies hold `bytes::Bytes`.
pub use bytes;
/// Date-times: models hold `date-time` values as `chrono::DateTime<chrono::FixedOffset>`.
pub use chrono;
/// The HTTP status of a [`Response`], an [`ApiError`] or a multi-status answer.
pub use reqwest::StatusCode;
/// The response headers of a [`Response`] or an [`ApiError`].
pub use reqwest::header::HeaderMap;
/// JSON values: untyped fields, raw bodies and error bodies are `serde_json::Value`s.
pub use serde_json;

/// The README's examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
