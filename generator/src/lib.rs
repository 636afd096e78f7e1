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
//! | lower | [`lower`] | resolve references ([`resolve`]), name every type, share the types one name fits: [`ir::Ir`] |
//! | emit | [`emit`] | turn the IR into token streams with `quote` |
//! | format | [`format`] | print them with `prettyplease` under a generated-file header |
//! | write | [`write`] | update an output folder atomically, only where it changed |
//!
//! Beside the Rust pipeline, [`openapi`] exports the checked spec as one OpenAPI 3.0.3
//! document ([`openapi_document`]), for tools that read OpenAPI.
//!
//! ```no_run
//! use std::path::Path;
//! let options = restgen::Options {
//!     crate_name: "my_api".into(),
//!     source: "spec/".into(),
//!     regenerate_with: "cargo xtask codegen".into(),
//!     resource_features: false,
//!     json_schema_feature: None,
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
pub mod openapi;
pub mod resolve;
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
    /// The Cargo feature under which models implement `schemars::JsonSchema`; `None` makes
    /// them implement it always. (The impls are a large part of the crate's compile time, so
    /// a crate may leave them to the users who need them.)
    pub json_schema_feature: Option<String>,
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

/// Loads and checks the spec in `spec_dir` and exports it as an OpenAPI 3.0.3 document (see
/// [`openapi`]). Returns every problem found when the spec is not valid.
pub fn openapi_document(
    spec_dir: &Path,
    options: &Options,
) -> Result<serde_json::Value, Diagnostics> {
    let spec = load::load_dir(spec_dir)?;
    check::check(&spec).map_err(|problems| problems.with_sources(&spec.sources))?;
    openapi::document(&spec, options)
}

/// Runs check, lower, emit and format on a loaded spec.
pub fn generate_from_spec(
    spec: &spec::Spec,
    options: &Options,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    generate_outputs(spec, options, None).map(|outputs| outputs.api)
}

/// The files of both output folders: the API module and the generated crate's tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    /// The API module's files (`mod.rs`, `models/`, one per resource).
    pub api: Vec<GeneratedFile>,
    /// The crate's generated test files (`conformance.rs`), to sync into its `tests/` folder.
    pub tests: Vec<GeneratedFile>,
}

/// Like [`generate_from_spec`], and also emits the conformance test, which reads the spec's
/// examples at run time from `spec_from_crate`: the spec folder relative to the generated
/// crate's manifest folder (`../spec`).
pub fn generate_with_tests(
    spec: &spec::Spec,
    options: &Options,
    spec_from_crate: &str,
) -> Result<Outputs, Diagnostics> {
    generate_outputs(spec, options, Some(spec_from_crate))
}

fn generate_outputs(
    spec: &spec::Spec,
    options: &Options,
    spec_from_crate: Option<&str>,
) -> Result<Outputs, Diagnostics> {
    check::check(spec).map_err(|problems| problems.with_sources(&spec.sources))?;
    let ir = lower::lower(spec).map_err(|problems| problems.with_sources(&spec.sources))?;

    let header = format::header(&options.source, &options.regenerate_with);
    let mut problems = Diagnostics::new();
    // Files are formatted as they are emitted, on worker threads (token trees cannot cross
    // threads; their text can): only the files in the queue hold tokens or unformatted text,
    // and formatting, the costliest stage, runs on every core.
    let (mut api, api_problems) =
        format_in_parallel(&header, &mut |sink| emit::emit_each(&ir, options, sink));
    let (mut tests, test_problems) = format_in_parallel(&header, &mut |sink| {
        if let Some(dir) = spec_from_crate {
            for file in emit::emit_tests(&ir, options, dir) {
                sink(file);
            }
        }
    });
    for problem in api_problems.into_iter().chain(test_problems) {
        problems.push(problem);
    }
    api.sort_by(|a, b| a.path.cmp(&b.path));
    tests.sort_by(|a, b| a.path.cmp(&b.path));
    problems.into_result(Outputs { api, tests })
}

/// Where an emitter hands each file it emits.
type Sink<'a> = dyn FnMut(emit::EmittedFile) + 'a;

/// Runs `emit_all`, formatting each file it emits on one worker thread per core.
fn format_in_parallel(
    header: &str,
    emit_all: &mut dyn FnMut(&mut Sink<'_>),
) -> (Vec<GeneratedFile>, Vec<Diagnostic>) {
    use std::sync::{Mutex, mpsc};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (sender, receiver) = mpsc::channel::<(String, String)>();
    let queue = Mutex::new(receiver);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let next = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok((path, source)) = next else { break };
                        let formatted = format::format_source(&path, &source, header);
                        done.push(formatted.map(|contents| GeneratedFile { path, contents }));
                    }
                    done
                })
            })
            .collect();
        emit_all(&mut |file| {
            // A send fails only when every worker is gone; the join below reports that.
            let _ = sender.send((file.path, file.tokens.to_string()));
        });
        drop(sender);
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for result in done {
                        match result {
                            Ok(file) => files.push(file),
                            Err(problem) => problems.push(problem),
                        }
                    }
                }
                Err(_) => problems.push(Diagnostic::new(
                    "internal error: a formatting thread panicked; please report it with the spec",
                )),
            }
        }
        (files, problems)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conformance_test_is_produced_and_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = load::load_dir(&dir).expect("the workspace spec loads");
        let options = Options {
            crate_name: "api".into(),
            source: "spec/".into(),
            regenerate_with: "regenerate".into(),
            resource_features: true,
            json_schema_feature: Some("schemars".into()),
        };
        let outputs = generate_with_tests(&spec, &options, "../spec").expect("it generates");
        assert!(!outputs.api.is_empty());
        let [test] = outputs.tests.as_slice() else {
            panic!("one test file expected, got {}", outputs.tests.len());
        };
        assert_eq!(test.path, "conformance.rs");
        assert!(test.contents.starts_with(format::MARKER));
        let file = syn::parse_file(&test.contents).expect("the test file parses");
        let fns: Vec<String> = file
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect();
        for expected in ["examples_round_trip", "equivalent", "check"] {
            assert!(
                fns.iter().any(|f| f == expected),
                "no fn {expected}: {fns:?}"
            );
        }
        let every_action = file.items.iter().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "every_action" => m.content.as_ref(),
            _ => None,
        });
        let tests = every_action
            .expect("mod every_action")
            .1
            .iter()
            .filter(|item| matches!(item, syn::Item::Fn(f) if f.attrs.iter().any(|a| a.path().segments.iter().any(|s| s.ident == "tokio"))))
            .count();
        assert_eq!(tests, spec.resources.len(), "one test per resource");
    }
}
