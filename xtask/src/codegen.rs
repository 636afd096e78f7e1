//! `cargo xtask codegen [--check]`: everything `spec/` generates, from one load and one check of
//! the spec ([`restgen::generate_all`]):
//!
//! - `generated/src/api/`, the API module;
//! - `generated/tests/conformance.rs`, the generated test (hand-written tests beside it stay);
//! - `generated/openapi/`, the OpenAPI document (see [`crate::openapi`]);
//! - the generated `[features]` section of `generated/Cargo.toml`, from the features restgen
//!   says the code names (see [`crate::features`]).
//!
//! In [`Mode::Check`] nothing is written and every stale file is named.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use restgen::GeneratedFile;
use restgen::write::{self, Mode, Outcome};

use crate::{MANIFEST, OUTPUT_DIR, SPEC_DIR, SPEC_FROM_CRATE, TESTS_DIR, features, openapi};

/// One generated folder and the files generated for it.
struct Folder<'a> {
    /// Relative to the workspace root.
    dir: &'a str,
    files: &'a [GeneratedFile],
}

/// Runs `cargo xtask codegen` (or, with [`Mode::Check`], `--check`) on the checkout at `root`.
pub fn main(root: &Path, mode: Mode) -> ExitCode {
    let folders = [OUTPUT_DIR, TESTS_DIR, openapi::OUTPUT_DIR];
    let every_folder = shown_list(&folders);
    let outputs = restgen::load::load_dir(&root.join(SPEC_DIR))
        .and_then(|spec| restgen::generate_all(&spec, &crate::options(), SPEC_FROM_CRATE));
    let outputs = match outputs {
        Ok(outputs) => outputs,
        Err(problems) => {
            // Rendered whole first: standard error is unbuffered, and a report of thousands
            // of problems would otherwise be written piece by piece.
            let report = problems.to_string();
            eprintln!("{report}");
            eprintln!("nothing was written to {every_folder}");
            return ExitCode::FAILURE;
        }
    };
    let folders = [
        Folder {
            dir: OUTPUT_DIR,
            files: &outputs.api,
        },
        Folder {
            dir: TESTS_DIR,
            files: &outputs.tests,
        },
        Folder {
            dir: openapi::OUTPUT_DIR,
            files: &outputs.openapi,
        },
    ];
    let mut written = Vec::new();
    let mut removed = Vec::new();
    for folder in &folders {
        // `sync` removes only generated files, so hand-written tests stay.
        let outcome: Outcome = match write::sync(&root.join(folder.dir), folder.files, mode) {
            Ok(outcome) => outcome,
            Err(err) => {
                eprintln!("error: cannot update {}/: {err}", folder.dir);
                return ExitCode::FAILURE;
            }
        };
        written.extend(shown(folder.dir, &outcome.written));
        removed.extend(shown(folder.dir, &outcome.removed));
    }
    let total: usize = folders.iter().map(|f| f.files.len()).sum();
    // The manifest's generated `[features]` section.
    let manifest_path = root.join(MANIFEST);
    let manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {MANIFEST}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let updated = features::update(&manifest, &features::section(&outputs.features));
    let manifest_stale = updated != manifest;
    if manifest_stale && mode == Mode::Write {
        if let Err(err) = write::write_atomically(&manifest_path, updated.as_bytes()) {
            eprintln!("error: cannot write {MANIFEST}: {err}");
            return ExitCode::FAILURE;
        }
    }
    match mode {
        Mode::Check if written.is_empty() && removed.is_empty() && !manifest_stale => {
            println!("{every_folder} are up to date with {SPEC_DIR}/ ({total} files)");
            ExitCode::SUCCESS
        }
        Mode::Check => {
            eprintln!("error: generated files are stale; run `cargo xtask codegen`");
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

/// `dir/path` for each path, as the messages name files.
fn shown(dir: &str, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| format!("{dir}/{}", p.display()))
        .collect()
}

/// `a/, b/ and c/`.
fn shown_list(dirs: &[&str]) -> String {
    match dirs {
        [] => String::new(),
        [only] => format!("{only}/"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|d| format!("{d}/")).collect();
            format!("{} and {last}/", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_listed_as_a_sentence() {
        assert_eq!(shown_list(&["a"]), "a/");
        assert_eq!(shown_list(&["a", "b", "c"]), "a/, b/ and c/");
    }
}
