//! Logs in with a device's credentials instead of an API token, then reports a state as that
//! device. The client logs in when it first needs a token and renews it on its own.
//!
//! ```sh
//! LOSANT_DEVICE_ID=575ecf887ae143cd83dc4aa2 LOSANT_DEVICE_KEY=... LOSANT_DEVICE_SECRET=... \
//!     LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 cargo run -p losant --example device_login
//! ```
//!
//! `Client::from_env` logs in as the device because `LOSANT_API_TOKEN` is not set and the
//! three device variables are (a user logs in the same way with `LOSANT_EMAIL` and
//! `LOSANT_PASSWORD`). The key and secret are those of an application access key that may
//! authenticate the device. `LOSANT_APPLICATION_ID` names the device's application for the
//! call that follows.

use std::collections::BTreeMap;
use std::error::Error;

use losant::Client;
use losant::models::{DeviceState, DeviceStateDataValue, DeviceStateOrStates};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?; // logs in later, when the first call needs a token
    let application_id = required("LOSANT_APPLICATION_ID")?;
    let device_id = required("LOSANT_DEVICE_ID")?;
    println!("{}", run(&client, &application_id, &device_id).await?);
    Ok(())
}

/// Reports `{"online": true}` as the device's state; returns a line saying so.
pub async fn run(
    client: &Client,
    application_id: &str,
    device_id: &str,
) -> Result<String, Box<dyn Error>> {
    let state = DeviceState::new(BTreeMap::from([(
        "online".to_owned(),
        DeviceStateDataValue::Boolean(true),
    )]));
    let sent = client
        .device()
        .send_state(
            application_id,
            device_id,
            DeviceStateOrStates::DeviceState(state),
        )
        .await?;
    Ok(format!(
        "device {device_id} reported its state: {}",
        if sent.success == Some(true) {
            "accepted"
        } else {
            "not accepted"
        }
    ))
}

/// The value of environment variable `name`, or an error saying to set it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set the environment variable {name}"))
}
