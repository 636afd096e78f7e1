//! # restgen
//!
//! Generates a typed, async Rust client from a YAML description of a REST API: resources with
//! actions (method, path, parameters, accepted token scopes, body, responses) and named JSON
//! Schemas for the data. It knows nothing about any particular API: everything specific comes
//! from the spec folder.
//!
//! The pipeline has one module per stage:
//!
//! | stage | module | job |
//! |---|---|---|
//! | load | [`load`] | read `api.yaml`, `resources/*.yaml`, `schemas/*.yaml` into [`spec::Spec`] |
//! | check | [`check`] | find every semantic problem, each with file and key path |
//! | lower | [`lower`] | resolve references, name types, share identical shapes: [`ir::Ir`] |
//! | emit | [`emit`] | turn the IR into token streams with `quote` |
//! | format | [`format`] | print them with `prettyplease` under a generated-file header |
//! | write | [`write`] | update an output folder atomically, only where it changed |
//!
//! ```no_run
//! use std::path::Path;
//! let options = restgen::Options {
//!     crate_name: "my_api".into(),
//!     source: "spec/".into(),
//!     regenerate_with: "cargo xtask codegen".into(),
//!     resource_features: false,
//! };
//! match restgen::generate(Path::new("spec"), &options) {
//!     Ok(files) => {
//!         restgen::write::sync(Path::new("src/api"), &files, restgen::write::Mode::Write)?;
//!     }
//!     Err(problems) => eprintln!("{problems}"),
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]
// Diagnostics are the error path of a code generator, never a hot one: their size is no cost.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod diagnostics;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod locate;
pub mod lower;
pub mod names;
pub mod spec;
pub mod write;

use std::path::Path;

pub use diagnostics::{Diagnostic, Diagnostics};

/// Settings of the generated code that are not part of the API spec.
#[derive(Debug, Clone)]
pub struct Options {
    /// Name of the crate the code goes into, as written in doc examples.
    pub crate_name: String,
    /// Where the spec lives, as named in the generated files' header (`spec/`).
    pub source: String,
    /// The command that regenerates the files, as named in their header.
    pub regenerate_with: String,
    /// Whether each resource sits behind a Cargo feature named like its module (plus `full`
    /// for all), so that a crate using a few resources compiles only what they need.
    pub resource_features: bool,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// Its full text.
    pub contents: String,
}

/// Runs load, check, lower, emit and format on the spec in `spec_dir`, in memory. Returns
/// every problem found when the spec is not valid; nothing is written either way.
pub fn generate(spec_dir: &Path, options: &Options) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let spec = load::load_dir(spec_dir)?;
    generate_from_spec(&spec, options)
}

/// Runs check, lower, emit and format on a loaded spec.
pub fn generate_from_spec(
    spec: &spec::Spec,
    options: &Options,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    check::check(spec).map_err(|problems| problems.with_sources(&spec.sources))?;
    let ir = lower::lower(spec).map_err(|problems| problems.with_sources(&spec.sources))?;

    let header = format::header(&options.source, &options.regenerate_with);
    let mut problems = Diagnostics::new();
    let mut files = Vec::new();
    for file in emit::emit(&ir, options) {
        match format::format_file(&file.path, file.tokens, &header) {
            Ok(contents) => files.push(GeneratedFile {
                path: file.path,
                contents,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    problems.into_result(files)
}
