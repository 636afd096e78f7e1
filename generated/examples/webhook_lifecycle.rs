//! Creates a webhook, renames it, and deletes it.
//!
//! ```sh
//! LOSANT_API_TOKEN=... LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 \
//!     cargo run -p losant --example webhook_lifecycle
//! ```
//!
//! Prints each step. The token needs the `webhooks.post`, `webhook.patch` and
//! `webhook.delete` scopes (or `all.Application`).

use std::error::Error;

use losant::Client;
use losant::models::{WebhookPatch, WebhookPost};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let application_id = std::env::var("LOSANT_APPLICATION_ID")
        .map_err(|_| "set the environment variable LOSANT_APPLICATION_ID")?;
    for step in run(&client, &application_id, "losant-rs example").await? {
        println!("{step}");
    }
    Ok(())
}

/// Creates a webhook called `name`, renames it, then deletes it; returns a line per step.
pub async fn run(
    client: &Client,
    application_id: &str,
    name: &str,
) -> Result<Vec<String>, Box<dyn Error>> {
    let mut steps = Vec::new();

    let created = client
        .webhooks()
        .post(application_id, WebhookPost::new(name.to_owned()))
        .await?;
    let id = created.id.ok_or("the created webhook has no id")?;
    steps.push(format!("created {id} ({name})"));

    let renamed = format!("{name} (renamed)");
    let patch = WebhookPatch {
        name: Some(renamed.clone()),
        ..WebhookPatch::default()
    };
    let updated = client.webhook().patch(application_id, &id, patch).await?;
    steps.push(format!(
        "renamed {id} to {}",
        updated.name.as_deref().unwrap_or("?")
    ));

    let deleted = client.webhook().delete(application_id, &id).await?;
    steps.push(format!("deleted {id}: {}", deleted.success == Some(true)));
    Ok(steps)
}
