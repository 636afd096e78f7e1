//! Generates the code of the fixture specs that `compiled/` compiles, so that the generator's
//! output for each construct is type-checked by rustc and used as a user would, not only
//! snapshotted.
//!
//! For each fixture in [`COMPILED`], `OUT_DIR/NAME/` gets the assembled spec (`spec/`), the
//! generated API module exactly as the snapshot test sees it (`api/`: same folder, same
//! options as `cargo xtask codegen`), and `crate.rs`: what `generated/src/lib.rs` is to the
//! real crate, the generated module and the hand-written runtime combined, for a test binary
//! to `include!` at its root (the generated code names `crate::runtime`, `crate::models` and
//! `crate::api`, so each fixture needs a crate of its own). A fixture that does not generate
//! gets a `crate.rs` that is a `compile_error!` with the problems, so that only its test fails.
//!
//! The runtime (`generated/src/runtime/`) is compiled as a user's build compiles it, without
//! its unit tests: `OUT_DIR/runtime/` is a copy in which `#[cfg(test)]` is never true (a test
//! binary has `cfg(test)` set for everything in it, and the runtime's own tests run once, in
//! the `losant` crate, not once per fixture). Any other use of `cfg(test)` stops the build, so
//! the copy never differs from the runtime in any other way.
//!
//! The generated code puts each resource behind a Cargo feature named like its module (and
//! `full`, for all of them); this script turns those on as cfgs for this package (they are not
//! features of this package, so `cargo test` needs no flags), and declares the runtime's own
//! features (`schemars`, `tracing`, the TLS backends: every feature of `generated/Cargo.toml`)
//! as expected cfgs. `schemars` is a real feature of this package: with `--features schemars`
//! the fixtures' `JsonSchema` impls are compiled too.

use std::collections::BTreeSet;
use std::path::Path;
use std::path::PathBuf;

#[path = "fixture_specs.rs"]
mod fixture_specs;

/// The fixtures whose output a test in `compiled/` compiles, each in a test binary of its own.
const COMPILED: &[&str] = &[
    "one_of_any_of",
    "tagged_union",
    "all_of",
    "recursion",
    "shared_shapes",
    "title_collision",
    "nullable",
    "sse",
    "multipart",
    "pagination",
    "keywords",
];

fn main() {
    println!("cargo::rerun-if-changed=fixtures");
    println!("cargo::rerun-if-changed=fixture_specs.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!("cargo::rerun-if-changed=../generated/src/runtime");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let runtime = out.join("runtime");
    copy_runtime(
        &fixture_specs::root().join("generated/src/runtime"),
        &runtime,
    );
    let manifest = std::fs::read_to_string("Cargo.toml").expect("read tests/Cargo.toml");
    let mut features = BTreeSet::from(["full".to_owned()]);
    for name in COMPILED {
        // A fixture listed here is compiled by its own test, which Cargo.toml declares.
        let test = format!("path = \"compiled/{name}.rs\"");
        assert!(
            manifest.contains(&test) && Path::new(&format!("compiled/{name}.rs")).exists(),
            "fixture `{name}` is compiled by `compiled/{name}.rs`, declared in Cargo.toml as a \
             [[test]] with `{test}`"
        );
        let dir = out.join(name);
        let spec = dir.join("spec");
        // A file removed from the fixture must not linger in its copy.
        if spec.exists() {
            std::fs::remove_dir_all(&spec).expect("remove the old spec copy");
        }
        fixture_specs::assemble(name, &spec);
        let api = dir.join("api");
        let files = match restgen::generate(&spec, &fixture_specs::options()) {
            Ok(files) => files,
            Err(problems) => {
                let message = format!("fixture `{name}` does not generate:\n{problems}");
                write(
                    &dir.join("crate.rs"),
                    &format!("compile_error!({message:?});\n"),
                );
                continue;
            }
        };
        restgen::write::sync(&api, &files, restgen::write::Mode::Write)
            .unwrap_or_else(|err| panic!("write fixture `{name}`'s code: {err}"));
        // Each resource module is behind the feature of its name.
        features.extend(
            files
                .iter()
                .filter(|f| !f.path.contains('/') && f.path != "mod.rs")
                .filter_map(|f| f.path.strip_suffix(".rs").map(str::to_owned)),
        );
        let root = format!(
            "// The fixture `{name}`'s generated code with the runtime, as one crate (written by\n\
             // tests/build.rs). A test uses only part of either, so unused items are no news.\n\
             /// The hand-written runtime, as in the `losant` crate.\n\
             #[path = {runtime:?}]\n\
             #[allow(dead_code, unused_imports, unused_macros)]\n\
             pub mod runtime;\n\
             #[path = {api:?}]\n\
             #[allow(dead_code)]\n\
             mod api;\n\
             #[allow(unused_imports)]\n\
             pub use api::*;\n\
             // The root's re-exports of the runtime, as generated/src/lib.rs has them.\n\
             #[allow(unused_imports)]\n\
             pub use runtime::{{ApiError, CallOptions, Client, ClientBuilder, Error, FilePart, Hook, \
             Nullable, Operation, Response, RetryBudget, RetryPolicy, ServerSentEvent, TimeoutKind}};\n",
            runtime = runtime.join("mod.rs").display().to_string(),
            api = api.join("mod.rs").display().to_string(),
        );
        write(&dir.join("crate.rs"), &root);
    }
    let expected: Vec<String> = runtime_features()
        .into_iter()
        .chain(features.iter().cloned())
        .map(|f| format!("{f:?}"))
        .collect();
    println!(
        "cargo::rustc-check-cfg=cfg(feature, values({}))",
        expected.join(", ")
    );
    for feature in &features {
        println!("cargo::rustc-cfg=feature={feature:?}");
    }
}

/// The names of the generated crate's Cargo features (`generated/Cargo.toml`), which the
/// runtime's `cfg`s may name (`schemars`, `tracing`, the TLS backends, ...): expected cfgs
/// here, none of them on.
fn runtime_features() -> Vec<String> {
    let manifest = fixture_specs::root().join("generated/Cargo.toml");
    println!("cargo::rerun-if-changed={}", manifest.display());
    let text = std::fs::read_to_string(&manifest).expect("read generated/Cargo.toml");
    let mut in_features = false;
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features && let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Copies the runtime's files from `from` to `to` with `cfg(test)` false: `#[cfg(test)]`
/// becomes `#[cfg(any())]` (never), and `#[cfg(not(test))]` goes.
fn copy_runtime(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the runtime copy's folder");
    for entry in std::fs::read_dir(from).expect("read the runtime folder") {
        let path = entry.expect("a runtime file").path();
        let name = path.file_name().expect("a file name");
        assert!(
            path.extension().is_some_and(|e| e == "rs"),
            "the runtime holds only Rust files side by side; {} needs build.rs to copy it",
            path.display()
        );
        let text = std::fs::read_to_string(&path).expect("read a runtime file");
        let copy = text
            .replace("#[cfg(test)]", "#[cfg(any())]")
            .replace("#[cfg(not(test))]", "");
        if let Some((number, line)) = copy.lines().enumerate().find(|(_, line)| {
            let code = line.trim_start();
            let cfg = code.starts_with("#[cfg") || code.contains("cfg!(");
            // A feature's name (`feature = "test-util"`) is not the `test` cfg.
            cfg && unquoted(code).contains("test")
        }) {
            panic!(
                "{}:{}: build.rs turns off only `#[cfg(test)]` and `#[cfg(not(test))]` in its \
                 copy of the runtime; teach it this one: {line}",
                path.display(),
                number + 1
            );
        }
        write(&to.join(name), &copy);
    }
}

/// `code` without its string literals (the text between each pair of double quotes).
fn unquoted(code: &str) -> String {
    code.split('"').step_by(2).collect()
}

/// Writes `text` to `path` unless it holds that already.
fn write(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    restgen::write::write_atomically(path, text.as_bytes())
        .unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
}
