//! Stage 1, load: read a spec folder into the typed [`Spec`](crate::spec::Spec).

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
    let api = load_file::<Api>(dir, Path::new("api.yaml"), &mut problems);
    let mut resources = Vec::new();
    for file in yaml_files(dir, "resources", &mut problems) {
        if let Some(body) = load_file::<ResourceBody>(dir, &file, &mut problems) {
            resources.push(Resource {
                name: stem(&file),
                file,
                body,
            });
        }
    }
    let mut schemas = Vec::new();
    for file in yaml_files(dir, "schemas", &mut problems) {
        if let Some(schema) = load_file::<Schema>(dir, &file, &mut problems) {
            schemas.push(NamedSchema {
                id: stem(&file),
                file,
                schema,
            });
        }
    }
    if resources.is_empty() && problems.is_empty() {
        problems.push(
            Diagnostic::new("the spec has no resources")
                .in_file("resources")
                .help("add a file `resources/NAME.yaml` describing one resource"),
        );
    }
    match api {
        Some(api) => problems.into_result(Spec {
            api,
            resources,
            schemas,
        }),
        // `load_file` recorded why `api.yaml` could not be loaded.
        None => Err(problems.sorted()),
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
    match parse_yaml::<T>(&text) {
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
        let mut diagnostic = Diagnostic::new(message);
        if path != "." {
            diagnostic = diagnostic.at(path);
        }
        if let Some(location) = inner.location() {
            diagnostic = diagnostic.at_position(location.line(), location.column());
        }
        diagnostic
    })
}
