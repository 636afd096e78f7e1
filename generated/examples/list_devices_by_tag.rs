//! Lists the devices of an application that carry a tag, across every page of results.
//!
//! ```sh
//! LOSANT_API_TOKEN=... LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 LOSANT_TAG=floor=3 \
//!     cargo run -p losant --example list_devices_by_tag
//! ```
//!
//! `LOSANT_TAG` is `key=value`, or `key` for any value of that tag. Prints each device's id
//! and name, tab-separated, then how many there were. The pages are fetched as the stream is
//! read, 100 devices at a time; the stream ends at the total the API reports.

use std::error::Error;
use std::io::Write;
use std::pin::pin;

use futures_util::TryStreamExt;
use losant::Client;
use losant::models::TagMatch;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let application_id = required("LOSANT_APPLICATION_ID")?;
    let tag = required("LOSANT_TAG")?;
    let count = run(
        &client,
        &application_id,
        &tag,
        &mut std::io::stdout().lock(),
    )
    .await?;
    eprintln!("{count} device(s)");
    Ok(())
}

/// Writes `id<TAB>name` for every device of the application with `tag` (`key=value` or
/// `key`) to `out`; returns how many there were.
pub async fn run(
    client: &Client,
    application_id: &str,
    tag: &str,
    out: &mut impl Write,
) -> Result<usize, Box<dyn Error>> {
    let (key, value) = match tag.split_once('=') {
        Some((key, value)) => (key, Some(value.to_owned())),
        None => (tag, None),
    };
    let filter = TagMatch {
        key: Some(key.to_owned()),
        value,
    };
    let mut devices = pin!(
        client
            .devices()
            .get(application_id)
            .tag_filter(vec![filter])
            .per_page(100)
            .into_stream()
    );
    let mut count = 0;
    while let Some(device) = devices.try_next().await? {
        let id = device.id.as_deref().unwrap_or("-");
        let name = device.name.as_deref().unwrap_or("-");
        writeln!(out, "{id}\t{name}")?;
        count += 1;
    }
    Ok(count)
}

/// The value of environment variable `name`, or an error saying to set it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set the environment variable {name}"))
}
