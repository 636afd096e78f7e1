//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `cargo xtask codegen` regenerates `generated/src/api/`, the generated tests of
//!   `generated/tests/` (`conformance.rs`), the OpenAPI document of `generated/openapi/` and
//!   the `[features]` section of `generated/Cargo.toml` from `spec/` (see [`codegen`]);
//! - `cargo xtask codegen --check` changes nothing and fails, naming the stale files, when
//!   they are not what `spec/` generates;
//! - `cargo xtask openapi [--check]` writes (or checks) only `generated/openapi/`, the spec as
//!   an OpenAPI 3.0.3 document, which `codegen` also writes and checks (see [`openapi`]);
//! - `cargo xtask import [--from DIR] [--to DIR] [--check] [--force]` converts Losant's published
//!   API description (`third_party/losant-api`, or `--from DIR`) into `spec/resources/` and `spec/schemas/` (see
//!   [`import`] for what it overwrites and what it leaves alone);
//! - `cargo xtask bench [--runs N] [--baseline REV] [--skip-compile] [--skip-peer] [--skip-scaling]` runs the
//!   whole-process benchmarks (see [`bench`]) and writes `target/bench/report.md`;
//! - `cargo xtask bench-downstream [--runs N] [--baseline REV] [--only VARIANT,...]` times a
//!   downstream program's cold build against this tree and a baseline revision (see
//!   [`downstream`]) and writes `target/bench/downstream.md`;
//! - `cargo xtask check-features` checks the generated crate with each resource feature alone.

mod bench;
mod checkout;
mod codegen;
mod downstream;
mod features;
mod import;
mod openapi;

use std::path::Path;
use std::process::ExitCode;

use restgen::write::Mode;

/// The generated crate's name, as its doc examples write it.
const CRATE_NAME: &str = "losant";
const SPEC_DIR: &str = "spec";
const OUTPUT_DIR: &str = "generated/src/api";
/// Where the generated crate's generated tests go (beside hand-written ones, which stay).
const TESTS_DIR: &str = "generated/tests";
/// The spec folder as the generated tests find it: relative to the generated crate's manifest.
const SPEC_FROM_CRATE: &str = "../spec";
/// The generated crate's manifest, whose `[features]` section codegen writes.
const MANIFEST: &str = "generated/Cargo.toml";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The checkout is found at run time (see `checkout`), so that a binary shared by two
    // checkouts through one target folder works on the one it is run in.
    let in_checkout = |task: &dyn Fn(&Path) -> ExitCode| match checkout::root() {
        Ok(root) => task(&root),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    };
    match args.as_slice() {
        ["codegen"] => in_checkout(&|root| codegen::main(root, Mode::Write)),
        ["codegen", "--check"] => in_checkout(&|root| codegen::main(root, Mode::Check)),
        ["openapi", rest @ ..] => {
            in_checkout(&|root| openapi::main(rest, root, SPEC_DIR, &options()))
        }
        ["import", rest @ ..] => in_checkout(&|root| import::main(rest, root)),
        ["bench", rest @ ..] => in_checkout(&|root| bench::main(rest, root)),
        ["bench-downstream", rest @ ..] => in_checkout(&|root| downstream::main(rest, root)),
        ["check-features"] => in_checkout(&|root| features::check_each(root, MANIFEST)),
        _ => {
            eprintln!(
                "usage: cargo xtask codegen [--check]\n       \
                 cargo xtask openapi [--check]\n       \
                 cargo xtask import [--from DIR] [--to DIR] [--check] [--force]\n       \
                 cargo xtask bench [--runs N] [--baseline REV] [--skip-compile] [--skip-peer] [--skip-scaling]\n       \
                 cargo xtask bench-downstream [--runs N] [--baseline REV] [--only VARIANT,...]\n       \
                 cargo xtask check-features"
            );
            ExitCode::from(2)
        }
    }
}

/// A `cargo` command: the cargo that runs this task (`$CARGO`), else the one on the `PATH`.
fn cargo_command() -> std::process::Command {
    std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The settings of the generated code (and of the OpenAPI document's generated note).
fn options() -> restgen::Options {
    restgen::Options {
        crate_name: CRATE_NAME.into(),
        source: format!("{SPEC_DIR}/"),
        regenerate_with: "cargo xtask codegen".into(),
        resource_features: true,
        json_schema_feature: Some("schemars".into()),
        examples_feature: Some("test-util".into()),
    }
}
