//! Handles each kind of error a call can end with, saying what to do about it.
//!
//! ```sh
//! LOSANT_API_TOKEN=... LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 \
//!     cargo run -p losant --example handle_errors
//! ```
//!
//! Makes three calls that fail in different ways (a request the client refuses to send, a
//! device that does not exist, a call given too little time) and prints, for each,
//! what [`explain`] makes of its error. `explain` is the part to copy: one arm per kind of
//! [`losant::Error`].

use std::time::Duration;

use losant::{Client, Error, TimeoutKind};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    let application_id = std::env::var("LOSANT_APPLICATION_ID").unwrap_or_default();
    for line in run(&client, &application_id).await {
        println!("{line}");
    }
    Ok(())
}

/// Makes three calls that fail, and explains each failure.
pub async fn run(client: &Client, application_id: &str) -> Vec<String> {
    let mut lines = Vec::new();

    // Refused by the client before sending: the id does not match the pattern the spec gives.
    let invalid = client.device().get(application_id, "not a device id").await;
    lines.push(outcome("an invalid id", invalid.map(|_| ())));

    // Sent, and answered with an error status (a device id no device has).
    let missing = client
        .device()
        .get(application_id, "000000000000000000000000")
        .await;
    lines.push(outcome("a device that does not exist", missing.map(|_| ())));

    // A call given far too little time (1 ms) for an answer.
    let hurried = client
        .devices()
        .get(application_id)
        .deadline(Duration::from_millis(1))
        .await;
    lines.push(outcome("a call given 1 ms", hurried.map(|_| ())));
    lines
}

/// `what: ` and what became of the call.
fn outcome(what: &str, result: Result<(), Error>) -> String {
    match result {
        Ok(()) => format!("{what}: succeeded"),
        Err(err) => format!("{what}: {}", explain(&err)),
    }
}

/// What an error means and what to do about it.
pub fn explain(err: &Error) -> String {
    match err {
        // The API answered 4xx/5xx: its status, Losant's error type and message, and headers.
        Error::Api(api) => match api.status.as_u16() {
            401 => "the API refused the token: check LOSANT_API_TOKEN".to_owned(),
            403 => format!(
                "the token may not do this: {}",
                api.message.as_deref().unwrap_or("")
            ),
            404 => format!(
                "not found ({}): check the ids",
                api.message.as_deref().unwrap_or("no message")
            ),
            429 => format!("throttled; retry after {:?}", api.retry_after()),
            _ if err.is_retryable() => {
                format!("the API is struggling ({}); try again later", api.status)
            }
            _ => format!("the API said no: {api}"),
        },
        // Checked before sending: every problem of the request, nothing sent.
        Error::InvalidRequest { errors, .. } => {
            format!("fix the request, nothing was sent: {errors}")
        }
        // The token's scopes (known from the token or the builder) do not allow the call.
        Error::MissingScope { accepted, .. } => {
            format!("use a token with one of: {}", accepted.join(", "))
        }
        // No answer: DNS, refused connection, TLS, a connection broken mid-answer.
        Error::Transport { .. } => format!("check the network and LOSANT_API_URL: {err}"),
        Error::Timeout {
            kind: TimeoutKind::Idle,
            ..
        } => "the stream went silent; reconnect with `.reconnect(..)`".to_owned(),
        Error::Timeout { .. } => {
            format!("too slow, give it longer (`.timeout`/`.deadline`): {err}")
        }
        Error::Redirect { location, .. } => {
            format!("the base URL is wrong; the API points to {location:?}")
        }
        // A 2xx answer that is not what the action documents.
        Error::Decode { .. } | Error::EmptyBody { .. } => format!("unexpected answer: {err}"),
        Error::ResponseTooLarge { limit, .. } => format!("answer larger than {limit} bytes"),
        Error::EventStream { reason, .. } => format!("not an event stream: {reason}"),
        Error::Pagination { reason, .. } => format!("the list could not be read whole: {reason}"),
        Error::Login { reason, .. } => format!("check the credentials: {reason}"),
        Error::Config(why) => format!("fix the configuration: {why}"),
        // `Error` may gain kinds in later versions.
        _ => err.to_string(),
    }
}
