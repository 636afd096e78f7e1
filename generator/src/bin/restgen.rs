//! `restgen SPEC_DIR [OUT_DIR] [--check] [--crate-name NAME] [--resource-features]`: generate (or, with `--check`,
//! verify) Rust code for a spec folder; without `OUT_DIR`, only check the spec and report its
//! problems.

use std::path::PathBuf;
use std::process::ExitCode;

use restgen::write::{Mode, sync};

fn main() -> ExitCode {
    let mut positional = Vec::new();
    let mut mode = Mode::Write;
    let mut crate_name = "api".to_owned();
    let mut resource_features = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--resource-features" => resource_features = true,
            "--crate-name" => crate_name = args.next().unwrap_or(crate_name),
            "-h" | "--help" => {
                println!(
                    "usage: restgen SPEC_DIR [OUT_DIR] [--check] [--crate-name NAME] [--resource-features]"
                );
                return ExitCode::SUCCESS;
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let Some(spec) = positional.first() else {
        eprintln!(
            "usage: restgen SPEC_DIR [OUT_DIR] [--check] [--crate-name NAME] [--resource-features]"
        );
        return ExitCode::from(2);
    };
    let options = restgen::Options {
        crate_name,
        source: spec.display().to_string(),
        regenerate_with: "restgen".into(),
        resource_features,
    };
    let files = match restgen::generate(spec, &options) {
        Ok(files) => files,
        Err(problems) => {
            eprint!("{problems}");
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
