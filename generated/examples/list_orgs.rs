//! Lists the organizations the API token can see, one per line, following every page.
//!
//! ```sh
//! LOSANT_API_TOKEN=... cargo run -p losant --example list_orgs
//! # against another server (plain http only on loopback):
//! LOSANT_API_URL=http://localhost:8080 LOSANT_API_TOKEN=... cargo run -p losant --example list_orgs
//! ```
//!
//! Prints `id`, `name`, the number of members and the creation date, tab-separated, on
//! standard output; a summary and any error go to standard error. Exits non-zero on any error.

use std::io::Write;
use std::pin::pin;
use std::process::ExitCode;

use futures_util::TryStreamExt;
use losant::models::Organization;
use losant::orgs::OrgsGetSortField;
use losant::{Client, Error};

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Client::from_env() {
        Ok(client) => run(&client, &mut std::io::stdout().lock()).await,
        Err(err) => Err(err.into()),
    };
    match result {
        Ok(count) => {
            eprintln!("{count} organization{}", if count == 1 { "" } else { "s" });
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("list_orgs: error: {err}");
            if let Some(hint) = err.downcast_ref::<Error>().and_then(hint) {
                eprintln!("list_orgs: hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Writes a line per organization to `out`, following every page; returns how many there
/// were.
pub async fn run(
    client: &Client,
    out: &mut impl Write,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut orgs = pin!(
        client
            .orgs()
            .get()
            .sort_field(OrgsGetSortField::Name)
            .per_page(100)
            .into_stream()
    );
    let mut count = 0;
    while let Some(org) = orgs.try_next().await? {
        writeln!(out, "{}", line(&org))?;
        count += 1;
    }
    Ok(count)
}

/// `id<TAB>name<TAB>N members<TAB>created YYYY-MM-DD`, with `-` for what the API left out.
fn line(org: &Organization) -> String {
    let text = |value: Option<&str>| value.unwrap_or("-").to_owned();
    let members = org
        .members
        .as_ref()
        .map_or("-".to_owned(), |m| m.len().to_string());
    let created = org
        .creation_date
        .map_or("-".to_owned(), |date| date.format("%Y-%m-%d").to_string());
    format!(
        "{}\t{}\t{members} members\tcreated {created}",
        text(org.id.as_deref()),
        text(org.name.as_deref()),
    )
}

/// What to check for the errors a user can fix, beyond what the error says.
fn hint(err: &Error) -> Option<&'static str> {
    match err {
        Error::Config(why) if why.contains("LOSANT_API_TOKEN") => {
            Some("usage: LOSANT_API_TOKEN=<token> cargo run -p losant --example list_orgs")
        }
        Error::MissingScope { .. } => Some("use a token with the orgs.get scope"),
        Error::Transport { .. } | Error::Timeout { .. } => {
            Some("check the network connection, and LOSANT_API_URL if it is set")
        }
        _ => match err.status().map(|s| s.as_u16()) {
            Some(401) => Some("the API refused the token: check LOSANT_API_TOKEN"),
            Some(403) => Some("the token may not list organizations (it needs orgs.get)"),
            _ => None,
        },
    }
}
