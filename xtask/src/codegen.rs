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
//!
//! Runs are incremental (see `restgen::cache`), through a cache in `target/restgen-cache/`:
//! when neither the spec nor the generator changed since the last run and every file that run
//! wrote still has its recorded hash, there is nothing to do and the spec is not even loaded;
//! otherwise the spec is loaded, checked and lowered again, but only the files whose inputs
//! changed are emitted again, only those whose code changed are formatted again, and only
//! files that differ are written. Deleting the folder makes the
//! next run do all the work.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use restgen::GeneratedFile;
use restgen::cache::{Cache, Record};
use restgen::write::{self, Mode, Outcome};

use crate::{MANIFEST, OUTPUT_DIR, SPEC_DIR, SPEC_FROM_CRATE, TESTS_DIR, features, openapi};

/// The cache folder, relative to the workspace root.
pub const CACHE_DIR: &str = "target/restgen-cache";

/// The name of codegen's record in the cache.
const RECORD: &str = "codegen";

/// What a run's output depends on besides the spec and the generator.
fn context() -> Vec<String> {
    vec![
        format!("{:?}", crate::options()),
        format!("tests read the spec from {SPEC_FROM_CRATE}"),
    ]
}

/// Whether the last run's record says the outputs are current: the fingerprint of the inputs
/// is unchanged, every file it wrote still has its hash, and the manifest still has the
/// `[features]` section it wrote.
fn unchanged(root: &Path, cache: &Cache, fingerprint: &str) -> bool {
    let Some(record) = cache.record(RECORD) else {
        return false;
    };
    let Some(section) = record.data.get("features_section").and_then(|s| s.as_str()) else {
        return false;
    };
    let manifest = std::fs::read_to_string(root.join(MANIFEST)).unwrap_or_default();
    record.is_current(root, fingerprint) && features::update(&manifest, section) == manifest
}

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
    let cache = Cache::new(root.join(CACHE_DIR));
    let spec_dir = root.join(SPEC_DIR);
    let context = context();
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    // `None` when the spec folder cannot be read: loading it will say why.
    let fingerprint = restgen::cache::fingerprint(&spec_dir, &context).ok();
    if let Some(fingerprint) = &fingerprint {
        if unchanged(root, &cache, fingerprint) {
            let files: usize = cache
                .record(RECORD)
                .map_or(0, |r| r.folders.values().map(|f| f.len()).sum());
            println!(
                "{every_folder} are up to date with {SPEC_DIR}/ ({files} files, unchanged since the last run)"
            );
            return ExitCode::SUCCESS;
        }
    }
    let mut formatted = cache.formatted();
    let generated = restgen::load::load_dir(&spec_dir).and_then(|spec| {
        let outputs = restgen::generate_all(
            &spec,
            &crate::options(),
            SPEC_FROM_CRATE,
            Some(&mut formatted),
        )?;
        Ok((outputs, spec.sources))
    });
    let (outputs, sources) = match generated {
        Ok(generated) => generated,
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
    let section = features::section(&outputs.features);
    // The files are brought in line on this thread while the cache's side is prepared on
    // another (the formatted texts written, the new record's hashes taken): both read or
    // write megabytes, and neither needs the other.
    let (synced, (formatted_kept, next_record)) = std::thread::scope(|scope| {
        let for_the_cache = scope.spawn(|| {
            let kept = cache.save_formatted(&formatted);
            (
                kept,
                next_record(
                    &spec_dir,
                    &context,
                    fingerprint.as_deref(),
                    &sources,
                    &section,
                    &folders,
                ),
            )
        });
        let synced = sync_folders(root, &folders, mode);
        match for_the_cache.join() {
            Ok(cache_side) => (synced, cache_side),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let (written, removed) = match synced {
        Ok(changed) => changed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
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
    let updated = features::update(&manifest, &section);
    let manifest_stale = updated != manifest;
    if manifest_stale && mode == Mode::Write {
        if let Err(err) = write::write_atomically(&manifest_path, updated.as_bytes()) {
            eprintln!("error: cannot write {MANIFEST}: {err}");
            return ExitCode::FAILURE;
        }
    }
    // The record is kept only when the outputs are now current. The cache only saves time: a
    // failure to keep it is reported, not fatal.
    let current =
        mode == Mode::Write || (written.is_empty() && removed.is_empty() && !manifest_stale);
    let mut kept = formatted_kept;
    if let (Some(record), true) = (next_record, current) {
        kept = kept.and_then(|()| cache.save_record(RECORD, &record));
    }
    if let Err(err) = kept {
        eprintln!("warning: cannot keep the cache in {CACHE_DIR}/: {err}");
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

/// Brings each folder in line with its files (see [`write::sync`]): what was (or, in
/// [`Mode::Check`], would be) written and removed, as the messages name them.
fn sync_folders(
    root: &Path,
    folders: &[Folder<'_>],
    mode: Mode,
) -> Result<(Vec<String>, Vec<String>), String> {
    let mut written = Vec::new();
    let mut removed = Vec::new();
    for folder in folders {
        // `sync` removes only generated files, so hand-written tests stay.
        let outcome: Outcome = write::sync(&root.join(folder.dir), folder.files, mode)
            .map_err(|err| format!("error: cannot update {}/: {err}", folder.dir))?;
        written.extend(shown(folder.dir, &outcome.written));
        removed.extend(shown(folder.dir, &outcome.removed));
    }
    Ok((written, removed))
}

/// The record of this run for the next (to keep if the outputs turn out current): only if the
/// inputs did not change while this run read them, so that its fingerprint (`before`, taken
/// before the spec was loaded, and the same after) is of what was generated from.
fn next_record(
    spec_dir: &Path,
    context: &[&str],
    before: Option<&str>,
    sources: &std::collections::BTreeMap<PathBuf, String>,
    section: &str,
    folders: &[Folder<'_>],
) -> Option<Record> {
    let before = before?;
    let after = restgen::cache::fingerprint(spec_dir, context).ok()?;
    if after != before || !restgen::cache::sources_on_disk(spec_dir, sources) {
        return None;
    }
    let mut record = Record::new(before, serde_json::json!({ "features_section": section }));
    for folder in folders {
        record.add_folder(folder.dir, folder.files);
    }
    Some(record)
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
