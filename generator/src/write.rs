//! Stage 6, write: bring an output folder in line with the generated files, touching only
//! what changed, each file written atomically (to a temporary file, then renamed).

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::GeneratedFile;
use crate::format::MARKER;

/// What [`sync`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write changed files and remove generated files no longer produced.
    Write,
    /// Change nothing; report what `Write` would change.
    Check,
}

/// What changed (or, in [`Mode::Check`], would change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files written because they were missing or different (relative to the folder).
    pub written: Vec<PathBuf>,
    /// Generated files removed because the spec no longer produces them.
    pub removed: Vec<PathBuf>,
}

impl Outcome {
    /// Whether the folder was (or is) already up to date.
    pub fn is_unchanged(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

/// Makes `dir` hold exactly `files` (among generated files): in [`Mode::Write`] writes the
/// missing or different ones and removes stale generated ones (files that start with the
/// generated-file marker; hand-written files are never removed); in [`Mode::Check`] only
/// reports.
pub fn sync(dir: &Path, files: &[GeneratedFile], mode: Mode) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let produced: BTreeSet<PathBuf> = files.iter().map(|f| PathBuf::from(&f.path)).collect();
    for file in files {
        let target = dir.join(&file.path);
        let current = fs::read(&target).ok();
        if current.as_deref() != Some(file.contents.as_bytes()) {
            outcome.written.push(PathBuf::from(&file.path));
            if mode == Mode::Write {
                write_atomically(&target, file.contents.as_bytes())?;
            }
        }
    }
    for stale in generated_files(dir, &produced)? {
        if mode == Mode::Write {
            fs::remove_file(dir.join(&stale))?;
        }
        outcome.removed.push(stale);
    }
    if mode == Mode::Write {
        remove_empty_dirs(dir)?;
    }
    Ok(outcome)
}

/// Writes `contents` to a temporary file beside `target`, then renames it over `target`, so
/// an interrupted run leaves either the old file or the new one, never half of one.
pub fn write_atomically(target: &Path, contents: &[u8]) -> io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temp, contents)?;
    fs::rename(&temp, target).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Whether the file at `path` whose contents start with `start` is a generated file: a `.rs`
/// file starting with the generated-file [`MARKER`]. Only generated files are [`sync`]'s to
/// remove.
pub fn is_generated(path: &Path, start: &[u8]) -> bool {
    path.extension().is_some_and(|e| e == "rs") && start.starts_with(MARKER.as_bytes())
}

/// The generated `.rs` files under `dir` other than `produced`, relative to it, sorted.
fn generated_files(dir: &Path, produced: &BTreeSet<PathBuf>) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        collect(dir, Path::new(""), produced, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn collect(
    root: &Path,
    rel: &Path,
    produced: &BTreeSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> io::Result<()> {
    for entry in fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let rel_path = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            collect(root, &rel_path, produced, out)?;
        } else if rel_path.extension().is_some_and(|e| e == "rs") && !produced.contains(&rel_path) {
            // Only the start of a file says whether it is generated (one that does not read
            // is not shown to be).
            let mut start = Vec::new();
            let marker = MARKER.len() as u64;
            if let Ok(file) = fs::File::open(root.join(&rel_path)) {
                let _ = file.take(marker).read_to_end(&mut start);
            }
            if is_generated(&rel_path, &start) {
                out.push(rel_path);
            }
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) -> io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_empty_dirs(&path)?;
            if fs::read_dir(&path)?.next().is_none() {
                fs::remove_dir(&path)?;
            }
        }
    }
    Ok(())
}
