//! Stage 1, load: read a spec folder into the typed [`Spec`](crate::spec::Spec).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{Api, NamedSchema, Resource, ResourceBody, Schema, Spec};

/// Reads `api.yaml`, `resources/*.yaml` and `schemas/*.yaml` under `dir`. Every file is read
/// even after a failure, so one run reports every load problem.
pub fn load_dir(dir: &Path) -> Result<Spec, Diagnostics> {
    let mut problems = Diagnostics::new();
    if !dir.is_dir() {
        return Err(
            Diagnostic::new(format!("spec folder `{}` does not exist", dir.display())).into(),
        );
    }
    let mut sources = BTreeMap::new();
    let api = load_file::<Api>(dir, Path::new("api.yaml"), &mut problems, &mut sources);
    let mut resources = Vec::new();
    for file in yaml_files(dir, "resources", &mut problems) {
        if let Some(body) = load_file::<ResourceBody>(dir, &file, &mut problems, &mut sources) {
            resources.push(Resource {
                name: stem(&file),
                file,
                body,
            });
        }
    }
    let mut schemas = Vec::new();
    for file in yaml_files(dir, "schemas", &mut problems) {
        if let Some(schema) = load_file::<Schema>(dir, &file, &mut problems, &mut sources) {
            schemas.push(NamedSchema {
                id: stem(&file),
                file,
                schema,
            });
        }
    }
    let problems_so_far = problems.len();
    if resources.is_empty() && problems_so_far == 0 {
        problems.push(
            Diagnostic::new("the spec has no resources")
                .in_file("resources")
                .help("add a file `resources/NAME.yaml` describing one resource"),
        );
    }
    match api {
        Some(api) if problems.is_empty() => Ok(Spec {
            api,
            resources,
            schemas,
            sources,
        }),
        // `load_file` recorded why a file could not be loaded.
        _ => Err(problems.with_sources(&sources)),
    }
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `.yaml` files of a sub-folder, sorted by name, relative to the spec folder.
fn yaml_files(dir: &Path, sub: &str, problems: &mut Diagnostics) -> Vec<PathBuf> {
    let folder = dir.join(sub);
    let entries = match fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(err) => {
            problems.push(Diagnostic::new(format!("cannot read folder: {err}")).in_file(sub));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter_map(|p| p.file_name().map(|n| Path::new(sub).join(n)))
        .collect();
    files.sort();
    files
}

/// Reads and parses one file; problems are recorded and `None` returned.
fn load_file<T: DeserializeOwned>(
    dir: &Path,
    file: &Path,
    problems: &mut Diagnostics,
    sources: &mut BTreeMap<PathBuf, String>,
) -> Option<T> {
    let bytes = match fs::read(dir.join(file)) {
        Ok(bytes) => bytes,
        Err(err) => {
            problems.push(Diagnostic::new(format!("cannot read file: {err}")).in_file(file));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            problems.push(
                Diagnostic::new("file is not valid UTF-8")
                    .in_file(file)
                    .at_position(line, column)
                    .help("save the file as UTF-8"),
            );
            return None;
        }
    };
    let parsed = parse_yaml::<T>(&text);
    sources.insert(file.to_path_buf(), text);
    match parsed {
        Ok(value) => Some(value),
        Err(diagnostic) => {
            problems.push(diagnostic.in_file(file));
            None
        }
    }
}

/// Parses YAML text into `T`, naming the key path and position of any error.
pub fn parse_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let mut message = inner.to_string();
        // serde_yaml appends " at line L column C"; the position is reported separately.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        // serde_yaml puts the path of the enclosing mapping first; it is reported separately.
        if let Some(rest) = message
            .split_once(": ")
            .filter(|(prefix, _)| path.starts_with(prefix))
            .map(|(_, rest)| rest.to_owned())
        {
            message = rest;
        }
        let hint = did_you_mean(&message);
        let mut diagnostic = Diagnostic::new(message);
        if let Some(hint) = hint {
            diagnostic = diagnostic.help(hint);
        }
        if path != "." {
            diagnostic = diagnostic.at(path);
        }
        if let Some(location) = inner.location() {
            let (line, column) = duplicate_key_position(text, &diagnostic.message, location.line())
                .unwrap_or((location.line(), location.column()));
            diagnostic = diagnostic.at_position(line, column);
        }
        diagnostic
    })
}

/// For "duplicate key `K`" (reported by the parser at the start of the map), the position of
/// the second `K:` at or after `from_line`, the one to remove.
fn duplicate_key_position(text: &str, message: &str, from_line: usize) -> Option<(usize, usize)> {
    let key = message.strip_prefix("duplicate key `")?.split('`').next()?;
    let mut seen = 0;
    for (i, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if unquoted
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).starts_with(':'))
        {
            seen += 1;
            if seen == 2 {
                return Some((i + 1, line.len() - trimmed.len() + 1));
            }
        }
    }
    None
}

/// For "unknown field `sumary`, expected one of `method`, `summary`, ..." (and unknown
/// variants), the closest expected name: "did you mean `summary`?".
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, expected) = rest.split_once('`')?;
    let candidates = expected.split('`').skip(1).step_by(2);
    let (score, best) = candidates
        .map(|c| {
            (
                strsim::jaro_winkler(&unknown.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (score >= 0.8).then(|| format!("did you mean `{best}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_the_closest_expected_name() {
        let message = "unknown field `sumary`, expected one of `method`, `summary`, `scopes`";
        assert_eq!(
            did_you_mean(message).as_deref(),
            Some("did you mean `summary`?")
        );
        let message = "unknown variant `strin`, expected one of `string`, `integer`";
        assert_eq!(
            did_you_mean(message).as_deref(),
            Some("did you mean `string`?")
        );
        assert_eq!(did_you_mean("unknown field `zzz`, expected `method`"), None);
        assert_eq!(did_you_mean("missing field `method`"), None);
    }
}
