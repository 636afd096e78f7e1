//! Follows a device's state stream: prints each state the device reports, as it arrives,
//! reconnecting (and resuming where it left off) when the connection drops.
//!
//! ```sh
//! LOSANT_API_TOKEN=... LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 \
//!     LOSANT_DEVICE_ID=575ecf887ae143cd83dc4aa2 cargo run -p losant --example follow_device_state
//! ```
//!
//! Runs until interrupted, or until `LOSANT_MAX_EVENTS` states have arrived when it is set.
//! Each line is the state's time and its attributes as JSON.

use std::error::Error;
use std::io::Write;

use futures_util::StreamExt;
use losant::device::DeviceStateStreamRequestEvent;
use losant::{Client, RetryPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let application_id = required("LOSANT_APPLICATION_ID")?;
    let device_id = required("LOSANT_DEVICE_ID")?;
    let max = match std::env::var("LOSANT_MAX_EVENTS") {
        Ok(n) => Some(
            n.parse()
                .map_err(|_| "LOSANT_MAX_EVENTS must be a number")?,
        ),
        Err(_) => None,
    };
    let mut out = std::io::stdout().lock();
    run(&client, &application_id, &device_id, max, &mut out).await?;
    Ok(())
}

/// Writes each state of the device to `out` as it arrives, stopping after `max` states when
/// given, or when the stream ends; returns how many states were written.
pub async fn run(
    client: &Client,
    application_id: &str,
    device_id: &str,
    max: Option<usize>,
    out: &mut impl Write,
) -> Result<usize, Box<dyn Error>> {
    let mut events = client
        .device()
        .state_stream(application_id, device_id)
        // Resume with Last-Event-ID when the connection drops, backing off between tries.
        .reconnect(RetryPolicy::default())
        .await?;
    let mut count = 0;
    while max.is_none_or(|max| count < max) {
        let Some(event) = events.next().await else {
            break;
        };
        match event? {
            DeviceStateStreamRequestEvent::DeviceState(state) => {
                // Losant sends the time as an ISO 8601 string (or milliseconds since 1970).
                let time = match state.time.map(serde_json::to_value).transpose()? {
                    Some(serde_json::Value::String(text)) => text,
                    Some(other) => other.to_string(),
                    None => "-".to_owned(),
                };
                let data = serde_json::to_string(&state.data)?;
                writeln!(out, "{time}\t{data}")?;
                out.flush()?;
                count += 1;
            }
            // Events this version does not know, and keep-alives.
            DeviceStateStreamRequestEvent::Other(_) => {}
        }
    }
    Ok(count)
}

/// The value of environment variable `name`, or an error saying to set it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set the environment variable {name}"))
}
