//! `restgen SPEC_DIR [OUT_DIR] [--check] [--crate-name NAME] [--resource-features]
//! [--json-schema-feature NAME] [--examples-feature NAME] [--stats]`: generate (or, with
//! `--check`, verify) Rust code for a spec folder; without `OUT_DIR`, only check the spec and
//! report its problems. `--stats` prints, on standard error, the run's wall time and (on Linux)
//! its peak resident memory.

use std::path::PathBuf;
use std::process::ExitCode;

use restgen::write::{Mode, sync};

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let code = run();
    if std::env::args().any(|arg| arg == "--stats") {
        let peak = peak_rss_kib().map_or_else(|| "unknown".to_owned(), |kib| kib.to_string());
        eprintln!(
            "restgen stats: elapsed_ms={} peak_rss_kib={peak}",
            started.elapsed().as_millis()
        );
    }
    code
}

/// The process's peak resident set size in KiB (`VmHWM` of `/proc/self/status`), where the
/// system reports it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run() -> ExitCode {
    let mut positional = Vec::new();
    let mut mode = Mode::Write;
    let mut crate_name = "api".to_owned();
    let mut resource_features = false;
    let mut json_schema_feature = None;
    let mut examples_feature = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--resource-features" => resource_features = true,
            "--crate-name" => crate_name = args.next().unwrap_or(crate_name),
            "--json-schema-feature" => json_schema_feature = args.next(),
            "--examples-feature" => examples_feature = args.next(),
            "--stats" => {}
            "-h" | "--help" => {
                println!(
                    "usage: restgen SPEC_DIR [OUT_DIR] [--check] [--crate-name NAME] [--resource-features] [--json-schema-feature NAME] [--examples-feature NAME] [--stats]"
                );
                return ExitCode::SUCCESS;
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let Some(spec) = positional.first() else {
        eprintln!(
            "usage: restgen SPEC_DIR [OUT_DIR] [--check] [--crate-name NAME] [--resource-features] [--json-schema-feature NAME] [--examples-feature NAME] [--stats]"
        );
        return ExitCode::from(2);
    };
    let options = restgen::Options {
        crate_name,
        source: spec.display().to_string(),
        regenerate_with: "restgen".into(),
        resource_features,
        json_schema_feature,
        examples_feature,
    };
    let files = match restgen::generate(spec, &options) {
        Ok(files) => files,
        Err(problems) => {
            // Rendered whole first: standard error is unbuffered.
            let report = problems.to_string();
            eprint!("{report}");
            eprintln!();
            return ExitCode::FAILURE;
        }
    };
    let Some(out) = positional.get(1) else {
        println!(
            "{}: no problems; {} files would be generated",
            spec.display(),
            files.len()
        );
        return ExitCode::SUCCESS;
    };
    match sync(out, &files, mode) {
        Ok(outcome) if mode == Mode::Check && !outcome.is_unchanged() => {
            eprintln!("{} is stale: {outcome:?}", out.display());
            ExitCode::FAILURE
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot update {}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}
