//! `cargo xtask openapi [--check]`: writes (or checks) `generated/openapi/openapi.json` and
//! `openapi.yaml`, the spec as one OpenAPI 3.0.3 document (see `restgen::openapi`).
//! `cargo xtask codegen [--check]` writes (or checks) them too, with the Rust code, from the
//! same load of the spec.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use restgen::write::{self, Mode};

/// Where the documents go, relative to the workspace root.
pub const OUTPUT_DIR: &str = "generated/openapi";

/// `cargo xtask openapi [--check]`.
pub fn main(args: &[&str], root: &Path, spec_dir: &str, options: &restgen::Options) -> ExitCode {
    let mode = match args {
        [] => Mode::Write,
        ["--check"] => Mode::Check,
        _ => {
            eprintln!("usage: cargo xtask openapi [--check]");
            return ExitCode::from(2);
        }
    };
    if sync(root, spec_dir, options, mode) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Brings `generated/openapi/` in line with the spec in `spec_dir` (relative to `root`), or,
/// in [`Mode::Check`], reports where it is not, printing what it did and the spec's problems.
/// Returns whether it succeeded.
pub fn sync(root: &Path, spec_dir: &str, options: &restgen::Options, mode: Mode) -> bool {
    let files = restgen::load::load_dir(&root.join(spec_dir))
        .and_then(|spec| restgen::openapi::files(&spec, options));
    let files = match files {
        Ok(files) => files,
        Err(problems) => {
            let report = problems.to_string();
            eprintln!("{report}");
            eprintln!("nothing was written to {OUTPUT_DIR}/");
            return false;
        }
    };
    let outcome = match write::sync(&root.join(OUTPUT_DIR), &files, mode) {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("error: cannot update {OUTPUT_DIR}/: {err}");
            return false;
        }
    };
    let shown = |paths: &[PathBuf]| -> Vec<String> {
        paths
            .iter()
            .map(|p| format!("{OUTPUT_DIR}/{}", p.display()))
            .collect()
    };
    let written = shown(&outcome.written);
    match mode {
        Mode::Check if written.is_empty() => {
            println!(
                "{OUTPUT_DIR}/ is up to date with {spec_dir}/ ({} files)",
                files.len()
            );
            true
        }
        Mode::Check => {
            eprintln!("error: {OUTPUT_DIR}/ is stale; run `cargo xtask codegen`");
            for path in &written {
                eprintln!("  differs: {path}");
            }
            false
        }
        Mode::Write => {
            for path in &written {
                println!("wrote {path}");
            }
            println!(
                "{} OpenAPI files generated from {spec_dir}/, {} written",
                files.len(),
                written.len()
            );
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_then_checks_clean_then_detects_tampering() {
        let root = tempfile::tempdir().expect("temporary folder");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace");
        copy(&workspace.join("spec"), &root.path().join("spec"));
        let run = |mode| sync(root.path(), "spec", &crate::options(), mode);
        assert!(!run(Mode::Check), "nothing written yet");
        assert!(run(Mode::Write));
        assert!(run(Mode::Check), "current after writing");
        let json = root.path().join(OUTPUT_DIR).join("openapi.json");
        std::fs::write(&json, "{}\n").expect("write");
        assert!(!run(Mode::Check), "an edited document is stale");
    }

    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("folder");
        for entry in std::fs::read_dir(from).expect("read folder") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
}
