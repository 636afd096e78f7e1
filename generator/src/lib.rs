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
//! | format | [`format`](mod@format) | print them with `prettyplease` under a generated-file header |
//! | write | [`write`](mod@write) | update an output folder atomically, only where it changed |
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
//!     examples_feature: None,
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
// The one exception, `load`'s bounded look at nesting, says why.
#![deny(unsafe_code)]
// Diagnostics are the error path of a code generator, never a hot one: their size is no cost.
#![allow(clippy::result_large_err)]

pub mod cache;
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
    /// The Cargo feature under which the generated code hands the runtime's test kit
    /// (`runtime::testing`) the spec's published example answers of every action, and gives
    /// its mock API a constructor (see [`emit::examples`]); `None` emits neither, for a
    /// runtime without a test kit.
    pub examples_feature: Option<String>,
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

/// Everything generated from one spec: the API module, the generated crate's tests, the
/// OpenAPI document, and the Cargo features the code is compiled under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    /// The API module's files (`mod.rs`, `models/`, one per resource).
    pub api: Vec<GeneratedFile>,
    /// The crate's generated test files (`conformance.rs`), to sync into its `tests/` folder.
    pub tests: Vec<GeneratedFile>,
    /// The OpenAPI document's files ([`openapi::JSON_FILE`], [`openapi::YAML_FILE`]), when
    /// [`generate_all`] made them; empty otherwise.
    pub openapi: Vec<GeneratedFile>,
    /// The Cargo features the API module's `#[cfg]`s name, for the generated crate's manifest
    /// ([`emit::resource_features`]; empty without [`Options::resource_features`]).
    pub features: Vec<emit::Feature>,
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

/// Everything [`Outputs`] holds, from a spec loaded once and checked once: the Rust code (as
/// [`generate_with_tests`] makes it) and, on another thread meanwhile, the OpenAPI document
/// (as [`openapi::files`] makes it). Returns every problem either found.
///
/// With `formatted` (see [`cache`]), a file whose unformatted text the last run formatted is
/// not formatted again, and `formatted` keeps every file's formatted text for the next run.
pub fn generate_all(
    spec: &spec::Spec,
    options: &Options,
    spec_from_crate: &str,
    formatted: Option<&mut cache::Formatted>,
) -> Result<Outputs, Diagnostics> {
    check::check(spec).map_err(|problems| problems.with_sources(&spec.sources))?;
    std::thread::scope(|scope| {
        let openapi = scope.spawn(|| openapi_files(spec, options));
        let rust = rust_outputs(spec, options, Some(spec_from_crate), formatted);
        let openapi = openapi.join().unwrap_or_else(|_| {
            Err(Diagnostic::new(
                "internal error: the OpenAPI export panicked; please report it with the spec",
            )
            .into())
        });
        match (rust, openapi) {
            (Ok(outputs), Ok(openapi)) => Ok(Outputs { openapi, ..outputs }),
            (Err(mut problems), Err(more)) => {
                problems.extend(more);
                Err(problems.sorted())
            }
            (Err(problems), Ok(_)) | (Ok(_), Err(problems)) => Err(problems),
        }
    })
}

/// The OpenAPI document's files, from a checked spec.
fn openapi_files(spec: &spec::Spec, options: &Options) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let doc = openapi::document(spec, options)?;
    let yaml = openapi::to_yaml(&doc, options).map_err(Diagnostics::from)?;
    Ok(vec![
        GeneratedFile {
            path: openapi::JSON_FILE.into(),
            contents: openapi::to_json(&doc),
        },
        GeneratedFile {
            path: openapi::YAML_FILE.into(),
            contents: yaml,
        },
    ])
}

fn generate_outputs(
    spec: &spec::Spec,
    options: &Options,
    spec_from_crate: Option<&str>,
) -> Result<Outputs, Diagnostics> {
    check::check(spec).map_err(|problems| problems.with_sources(&spec.sources))?;
    rust_outputs(spec, options, spec_from_crate, None)
}

/// Lowers, emits and formats a checked spec (formatting only what `formatted` lacks).
fn rust_outputs(
    spec: &spec::Spec,
    options: &Options,
    spec_from_crate: Option<&str>,
    formatted: Option<&mut cache::Formatted>,
) -> Result<Outputs, Diagnostics> {
    let ir = lower::lower(spec).map_err(|problems| problems.with_sources(&spec.sources))?;

    let header = format::header(&options.source, &options.regenerate_with);
    let stored = formatted.as_deref();
    // Each file is emitted, turned into text and formatted on one thread, one thread per core
    // (token trees cannot cross threads). With `stored`, a file whose inputs the last run had
    // is not emitted at all, and a file whose code the last run formatted is not formatted
    // again, the costliest stage.
    let each = |file: emit::Pending<'_, '_>| text_of(&header, stored, file);
    let emitted = |file: emit::EmittedFile| format_one(&header, stored, file);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (api, tests) = std::thread::scope(|scope| {
        let tests = scope.spawn(|| match spec_from_crate {
            Some(dir) => emit::emit_tests(&ir, options, dir)
                .into_iter()
                .map(emitted)
                .collect(),
            None => Vec::new(),
        });
        let api = emit::emit_in_parallel(&ir, options, threads, &each);
        match tests.join() {
            Ok(tests) => (api, tests),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let mut problems = Diagnostics::new();
    let mut done = |results: Vec<Result<Text, Diagnostic>>| {
        let mut files = Vec::new();
        for result in results {
            match result {
                Ok(file) => files.push(file),
                Err(problem) => problems.push(problem),
            }
        }
        files
    };
    let (api, tests) = (done(api), done(tests));
    if let Some(formatted) = formatted {
        for text in api.iter().chain(&tests) {
            if let Some(key) = text.key {
                formatted.keep(key, text.file.contents.clone());
                if let Some(inputs_key) = text.inputs_key {
                    formatted.keep_inputs(inputs_key, key);
                }
            }
        }
        formatted.note_unemitted(api.iter().filter(|text| !text.emitted).count());
    }
    let mut api: Vec<GeneratedFile> = api.into_iter().map(|text| text.file).collect();
    let mut tests: Vec<GeneratedFile> = tests.into_iter().map(|text| text.file).collect();
    api.sort_by(|a, b| a.path.cmp(&b.path));
    tests.sort_by(|a, b| a.path.cmp(&b.path));
    let features = emit::resource_features(&ir, options);
    problems.into_result(Outputs {
        api,
        tests,
        openapi: Vec::new(),
        features,
    })
}

/// A generated file, with what a cache keeps it under.
struct Text {
    file: GeneratedFile,
    /// Its key in the cache ([`cache::Formatted::key`]), when there is a cache.
    key: Option<cache::Hash>,
    /// Its inputs key ([`cache::Formatted::inputs_key`]), when there is a cache and the file
    /// has one.
    inputs_key: Option<cache::Hash>,
    /// Whether it was emitted (rather than taken from the cache by its inputs key).
    emitted: bool,
}

/// The text of a file about to be emitted: with `stored`, the text the last run kept for the
/// same inputs, if there is one; otherwise the file emitted and formatted by [`format_one`].
fn text_of(
    header: &str,
    stored: Option<&cache::Formatted>,
    file: emit::Pending<'_, '_>,
) -> Result<Text, Diagnostic> {
    let inputs_key = stored
        .and_then(|_| file.inputs())
        .map(|inputs| cache::Formatted::inputs_key(header, &inputs));
    if let Some((key, text)) = inputs_key.and_then(|k| stored?.get_by_inputs(&k)) {
        return Ok(Text {
            file: GeneratedFile {
                path: file.path(),
                contents: text.to_owned(),
            },
            key: Some(key),
            inputs_key,
            emitted: false,
        });
    }
    Ok(Text {
        inputs_key,
        ..format_one(header, stored, file.emit())?
    })
}

/// One emitted file as text, formatted under `header` (or, when `stored` holds its formatted
/// text, taken from there), with its key in `stored` when there is a `stored`.
fn format_one(
    header: &str,
    stored: Option<&cache::Formatted>,
    file: emit::EmittedFile,
) -> Result<Text, Diagnostic> {
    let path = file.path;
    let source = file.tokens.to_string();
    let key = stored.map(|_| cache::Formatted::key(header, &source));
    let contents = match key.and_then(|key| stored?.get(&key)) {
        Some(text) => text.to_owned(),
        None => std::panic::catch_unwind(|| format::format_source(&path, &source, header))
            .unwrap_or_else(|_| {
                Err(Diagnostic::new(format!(
                    "internal error: formatting `{path}` panicked; please report it with the spec"
                )))
            })?,
    };
    Ok(Text {
        file: GeneratedFile { path, contents },
        key,
        inputs_key: None,
        emitted: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec folder holding the fixture `name` of the workspace's tests and their shared files.
    fn fixture(name: &str) -> tempfile::TempDir {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).expect("folder");
            for entry in std::fs::read_dir(from).expect("fixture folder") {
                let entry = entry.expect("entry");
                if entry.path().is_dir() {
                    copy(&entry.path(), &to.join(entry.file_name()));
                } else {
                    std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
                }
            }
        }
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let dir = tempfile::tempdir().expect("temporary folder");
        copy(&fixtures.join(name), dir.path());
        std::fs::copy(
            fixtures.join("common/api.yaml"),
            dir.path().join("api.yaml"),
        )
        .expect("api.yaml");
        std::fs::copy(
            fixtures.join("common/error.yaml"),
            dir.path().join("schemas/error.yaml"),
        )
        .expect("error.yaml");
        dir
    }

    /// The options the crate's unit tests generate with: every optional feature on.
    pub(crate) fn options() -> Options {
        Options {
            crate_name: "api".into(),
            source: "spec/".into(),
            regenerate_with: "regenerate".into(),
            resource_features: true,
            json_schema_feature: Some("schemars".into()),
            examples_feature: Some("test-util".into()),
        }
    }

    #[test]
    fn one_load_gives_every_output_and_the_features_the_code_names() {
        let dir = fixture("path_params");
        let spec = load::load_dir(dir.path()).expect("the fixture loads");
        let all = generate_all(&spec, &options(), "../spec", None).expect("it generates");
        let rust = generate_with_tests(&spec, &options(), "../spec").expect("it generates");
        assert_eq!(all.api, rust.api);
        assert_eq!(all.tests, rust.tests);
        assert_eq!(
            all.openapi,
            openapi::files(&spec, &options()).expect("it exports")
        );
        assert!(rust.openapi.is_empty(), "only generate_all exports");
        let mut modules: Vec<String> = spec
            .resources
            .iter()
            .map(|r| names::module(&r.name))
            .collect();
        modules.sort();
        let names: Vec<&str> = all.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names[0], emit::FULL_FEATURE);
        assert_eq!(
            names[1..],
            modules.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(all.features[0].enables, modules);
        // Every feature a `#[cfg]` of the code names is among them.
        let listed: Vec<String> = all.features.iter().map(|f| f.name.clone()).collect();
        for file in &all.api {
            for cfg in file.contents.split("feature = \"").skip(1) {
                let name = cfg.split('"').next().unwrap_or_default();
                assert!(
                    listed.iter().any(|f| f == name)
                        || Some(name) == options().json_schema_feature.as_deref()
                        || Some(name) == options().examples_feature.as_deref(),
                    "{} names feature `{name}`, which is not listed",
                    file.path
                );
            }
        }
        let without = Options {
            resource_features: false,
            ..options()
        };
        assert!(
            generate_all(&spec, &without, "../spec", None)
                .expect("it generates")
                .features
                .is_empty()
        );
    }

    #[test]
    fn a_spec_that_fails_its_check_gives_no_output_at_all() {
        let dir = fixture("path_params");
        std::fs::write(
            dir.path().join("resources/broken.yaml"),
            "path: /broken/{id}\nactions:\n  get:\n    method: GET\n    summary: x\n    \
             scopes: [a]\n    responses:\n      200: { schema: missing, description: x }\n",
        )
        .expect("write");
        let spec = load::load_dir(dir.path()).expect("the folder loads");
        let problems =
            generate_all(&spec, &options(), "../spec", None).expect_err("it is rejected");
        assert!(problems.to_string().contains("`missing`"), "{problems}");
    }

    #[test]
    fn the_conformance_test_is_produced_and_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = load::load_dir(&dir).expect("the workspace spec loads");
        let options = options();
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
