//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `cargo xtask codegen` regenerates `generated/src/api/` and the generated tests of
//!   `generated/tests/` (`conformance.rs`), and the OpenAPI document of `generated/openapi/`,
//!   from `spec/`;
//! - `cargo xtask codegen --check` changes nothing and fails, naming the stale files, when
//!   they are not what `spec/` generates;
//! - `cargo xtask openapi [--check]` writes (or checks) only `generated/openapi/`, the spec as
//!   an OpenAPI 3.0.3 document, which `codegen` also writes and checks (see [`openapi`]);
//! - `cargo xtask import [--from DIR] [--to DIR] [--check] [--force]` converts Losant's published
//!   API description (`third_party/losant-api`, or `--from DIR`) into `spec/resources/` and `spec/schemas/` (see
//!   [`import`] for what it overwrites and what it leaves alone);
//! - `cargo xtask bench [--runs N] [--skip-compile] [--skip-peer] [--skip-scaling]` runs the
//!   whole-process benchmarks (see [`bench`]) and writes `target/bench/report.md`;
//! - `cargo xtask check-features` checks the generated crate with each resource feature alone.

mod bench;
mod checkout;
mod features;
mod import;
mod openapi;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use restgen::write::{self, Mode};

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
        ["codegen"] => in_checkout(&|root| codegen(root, Mode::Write)),
        ["codegen", "--check"] => in_checkout(&|root| codegen(root, Mode::Check)),
        ["openapi", rest @ ..] => {
            in_checkout(&|root| openapi::main(rest, root, SPEC_DIR, &options()))
        }
        ["import", rest @ ..] => in_checkout(&|root| import::main(rest, root)),
        ["bench", rest @ ..] => in_checkout(&|root| bench::main(rest, root)),
        ["check-features"] => in_checkout(&|root| features::check_each(root, MANIFEST)),
        _ => {
            eprintln!(
                "usage: cargo xtask codegen [--check]\n       \
                 cargo xtask openapi [--check]\n       \
                 cargo xtask import [--from DIR] [--to DIR] [--check] [--force]\n       \
                 cargo xtask bench [--runs N] [--skip-compile] [--skip-peer] [--skip-scaling]\n       \
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
    }
}

/// The Rust code, then the OpenAPI document (whose spec problems the first step reports).
fn codegen(root: &Path, mode: Mode) -> ExitCode {
    let code = codegen_rust(root, mode);
    if openapi::sync(root, SPEC_DIR, &options(), mode, false) {
        code
    } else {
        ExitCode::FAILURE
    }
}

fn codegen_rust(root: &Path, mode: Mode) -> ExitCode {
    let options = options();
    let generated = restgen::load::load_dir(&root.join(SPEC_DIR)).and_then(|spec| {
        Ok((
            restgen::generate_with_tests(&spec, &options, SPEC_FROM_CRATE)?,
            spec,
        ))
    });
    let (outputs, spec) = match generated {
        Ok(generated) => generated,
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("nothing was written to {OUTPUT_DIR}/ or {TESTS_DIR}/");
            return ExitCode::FAILURE;
        }
    };
    let files = &outputs.api;
    let outcome = match write::sync(&root.join(OUTPUT_DIR), files, mode) {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("error: cannot update {OUTPUT_DIR}/: {err}");
            return ExitCode::FAILURE;
        }
    };
    // The generated tests; `sync` removes only generated files, so hand-written tests stay.
    let tests_outcome = match write::sync(&root.join(TESTS_DIR), &outputs.tests, mode) {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("error: cannot update {TESTS_DIR}/: {err}");
            return ExitCode::FAILURE;
        }
    };
    let shown = |dir: &str, paths: &[PathBuf]| -> Vec<String> {
        paths
            .iter()
            .map(|p| format!("{dir}/{}", p.display()))
            .collect()
    };
    let written = [
        shown(OUTPUT_DIR, &outcome.written),
        shown(TESTS_DIR, &tests_outcome.written),
    ]
    .concat();
    let removed = [
        shown(OUTPUT_DIR, &outcome.removed),
        shown(TESTS_DIR, &tests_outcome.removed),
    ]
    .concat();
    let total = files.len() + outputs.tests.len();
    // The manifest's generated `[features]` section, one feature per resource.
    let mut modules: Vec<String> = spec
        .resources
        .iter()
        .map(|r| restgen::names::module(&r.name))
        .collect();
    modules.sort();
    let manifest_path = root.join(MANIFEST);
    let manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {MANIFEST}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let updated = features::update(&manifest, &features::section(&modules));
    let manifest_stale = updated != manifest;
    if manifest_stale && mode == Mode::Write {
        if let Err(err) = write::write_atomically(&manifest_path, updated.as_bytes()) {
            eprintln!("error: cannot write {MANIFEST}: {err}");
            return ExitCode::FAILURE;
        }
    }
    match mode {
        Mode::Check if written.is_empty() && removed.is_empty() && !manifest_stale => {
            println!(
                "{OUTPUT_DIR}/ and {TESTS_DIR}/ are up to date with {SPEC_DIR}/ ({total} files)"
            );
            ExitCode::SUCCESS
        }
        Mode::Check => {
            eprintln!("error: {OUTPUT_DIR}/ or {TESTS_DIR}/ is stale; run `cargo xtask codegen`");
            for path in &written {
                eprintln!("  differs: {path}");
            }
            for path in &removed {
                eprintln!("  no longer generated: {path}");
            }
            if manifest_stale {
                eprintln!("  differs: the [features] section of {MANIFEST}");
            }
            ExitCode::FAILURE
        }
        Mode::Write => {
            for path in &written {
                println!("wrote {path}");
            }
            for path in &removed {
                println!("removed {path}");
            }
            if manifest_stale {
                println!("wrote the [features] section of {MANIFEST}");
            }
            println!(
                "{total} files generated from {SPEC_DIR}/, {} written, {} removed",
                written.len(),
                removed.len()
            );
            ExitCode::SUCCESS
        }
    }
}
