//! Uploads a file to an application's files, in Losant's two steps (create the file record,
//! then send the content to the storage URL it names), streaming the file from disk.
//!
//! ```sh
//! LOSANT_API_TOKEN=... LOSANT_APPLICATION_ID=575ec8687ae143cd83dc4a97 \
//!     LOSANT_FILE=./readings.csv LOSANT_DIRECTORY=/readings \
//!     cargo run -p losant --example upload_file
//! ```
//!
//! `LOSANT_DIRECTORY` is optional (default: the root directory). Prints the new file's id and
//! the storage's answer.

use std::error::Error;
use std::time::Duration;

use losant::{Client, FilePart};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let application_id = required("LOSANT_APPLICATION_ID")?;
    let path = required("LOSANT_FILE")?;
    let directory = std::env::var("LOSANT_DIRECTORY").ok();
    println!(
        "{}",
        run(&client, &application_id, &path, directory.as_deref()).await?
    );
    Ok(())
}

/// Uploads the file at `path` into `directory` (the root if `None`); returns a line saying
/// what was stored.
pub async fn run(
    client: &Client,
    application_id: &str,
    path: &str,
    directory: Option<&str>,
) -> Result<String, Box<dyn Error>> {
    // Read in 64 KiB chunks as it is sent (and again if the upload is retried), never whole.
    let file = FilePart::from_path(path).await?;
    let size = file.size().unwrap_or(0);
    let mut upload = client
        .upload_file(application_id, file)
        // A large file over a slow link needs longer than the default 30 s an attempt.
        .timeout(Duration::from_secs(600));
    if let Some(directory) = directory {
        upload = upload.parent_directory(directory);
    }
    let uploaded = upload.await?;
    Ok(format!(
        "stored {} ({size} bytes) as file {} ({})",
        uploaded.file.name.as_deref().unwrap_or(path),
        uploaded.file.id.as_deref().unwrap_or("?"),
        uploaded.storage_status,
    ))
}

/// The value of environment variable `name`, or an error saying to set it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set the environment variable {name}"))
}
