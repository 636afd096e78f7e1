//! Reports a device state (one attribute's value), then reads back the device's last value of
//! that attribute.
//!
//! ```sh
//! LOSANT_API_TOKEN=... LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 \
//!     LOSANT_DEVICE_ID=575ecf887ae143cd83dc4aa2 LOSANT_ATTRIBUTE=temperature LOSANT_VALUE=21.5 \
//!     cargo run -p losant --example report_state
//! ```
//!
//! `LOSANT_VALUE` is sent as a number when it reads as one, as a boolean for `true`/`false`,
//! else as text. Prints the value read back and its time.

use std::collections::BTreeMap;
use std::error::Error;

use losant::Client;
use losant::models::{DeviceState, DeviceStateDataValue, DeviceStateOrStates, LastValueQuery};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let application_id = required("LOSANT_APPLICATION_ID")?;
    let device_id = required("LOSANT_DEVICE_ID")?;
    let attribute = required("LOSANT_ATTRIBUTE")?;
    let value = required("LOSANT_VALUE")?;
    let last = run(&client, &application_id, &device_id, &attribute, &value).await?;
    println!("{last}");
    Ok(())
}

/// Sends `attribute: value` as the device's state, then returns the last value Losant holds
/// for that attribute, as `attribute = value at time` (or a line saying there is none yet).
pub async fn run(
    client: &Client,
    application_id: &str,
    device_id: &str,
    attribute: &str,
    value: &str,
) -> Result<String, Box<dyn Error>> {
    let value = if let Ok(number) = value.parse::<f64>() {
        DeviceStateDataValue::Number(number)
    } else if let Ok(flag) = value.parse::<bool>() {
        DeviceStateDataValue::Boolean(flag)
    } else {
        DeviceStateDataValue::String(value.to_owned())
    };
    let state = DeviceState::new(BTreeMap::from([(attribute.to_owned(), value)]));
    client
        .device()
        .send_state(
            application_id,
            device_id,
            DeviceStateOrStates::DeviceState(state),
        )
        .await?;

    let query = LastValueQuery {
        device_ids: Some(vec![device_id.to_owned()]),
        attribute: Some(attribute.to_owned()),
        ..LastValueQuery::default()
    };
    let last = client
        .data()
        .last_value_query(application_id, query)
        .await?;
    let line = match last
        .get(device_id)
        .and_then(|point| Some((point, point.data.get(attribute)?)))
    {
        Some((point, value)) => format!(
            "{attribute} = {} at {}",
            serde_json::to_string(value)?,
            point.time
        ),
        None => format!("no value of {attribute} yet"),
    };
    Ok(line)
}

/// The value of environment variable `name`, or an error saying to set it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set the environment variable {name}"))
}
