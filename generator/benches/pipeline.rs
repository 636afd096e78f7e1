//! The generator's pipeline on the workspace's full spec (`spec/`), stage by stage.
//!
//! ```text
//! cargo bench -p restgen --bench pipeline
//! ```
//!
//! Each stage is timed on the output of the stage before it, prepared outside the timed
//! region (`format` on one thread); `generate` is check, lower, emit and format as the
//! library runs them, formatting on every core; `whole` runs every stage, writing into an
//! empty folder, as `cargo xtask codegen` does on a fresh checkout.

use std::path::{Path, PathBuf};

use restgen::{Options, check, emit, format, load, lower, write};

fn main() {
    divan::main();
}

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn options() -> Options {
    Options {
        // Any name: the benchmark never compiles what it generates.
        crate_name: "client".into(),
        source: "spec/".into(),
        regenerate_with: "cargo xtask codegen".into(),
        resource_features: true,
        json_schema_feature: Some("schemars".into()),
        examples_feature: Some("test-util".into()),
    }
}

const SAMPLES: u32 = 10;

#[divan::bench(sample_count = SAMPLES)]
fn load() -> restgen::spec::Spec {
    load::load_dir(&spec_dir()).expect("the spec loads")
}

#[divan::bench(sample_count = SAMPLES)]
fn check(bencher: divan::Bencher) {
    let spec = load::load_dir(&spec_dir()).expect("the spec loads");
    bencher.bench(|| check::check(&spec).expect("the spec is valid"));
}

#[divan::bench(sample_count = SAMPLES)]
fn lower(bencher: divan::Bencher) {
    let spec = load::load_dir(&spec_dir()).expect("the spec loads");
    bencher.bench(|| lower::lower(&spec).expect("the spec lowers"));
}

#[divan::bench(sample_count = SAMPLES)]
fn emit(bencher: divan::Bencher) {
    let spec = load::load_dir(&spec_dir()).expect("the spec loads");
    let ir = lower::lower(&spec).expect("the spec lowers");
    let options = options();
    bencher.bench(|| {
        let mut files = emit::emit(&ir, &options);
        files.extend(emit::emit_tests(&ir, &options, "../spec"));
        files
    });
}

#[divan::bench(sample_count = SAMPLES)]
fn format(bencher: divan::Bencher) {
    let spec = load::load_dir(&spec_dir()).expect("the spec loads");
    let ir = lower::lower(&spec).expect("the spec lowers");
    let options = options();
    let header = format::header(&options.source, &options.regenerate_with);
    bencher
        .with_inputs(|| emit::emit(&ir, &options))
        .bench_values(|files| {
            files
                .into_iter()
                .map(|file| format::format_file(&file.path, file.tokens, &header).expect("formats"))
                .map(|text| text.len())
                .sum::<usize>()
        });
}

/// Check, lower, emit and format as `generate` runs them: files are formatted on one thread
/// per core while the emitter goes on.
#[divan::bench(sample_count = SAMPLES)]
fn generate(bencher: divan::Bencher) {
    let spec = load::load_dir(&spec_dir()).expect("the spec loads");
    let options = options();
    bencher
        .bench(|| restgen::generate_with_tests(&spec, &options, "../spec").expect("it generates"));
}

#[divan::bench(sample_count = SAMPLES)]
fn write(bencher: divan::Bencher) {
    let spec = load::load_dir(&spec_dir()).expect("the spec loads");
    let files = restgen::generate_from_spec(&spec, &options()).expect("it generates");
    bencher
        .with_inputs(|| tempfile::tempdir().expect("a temporary folder"))
        .bench_refs(|dir| write::sync(dir.path(), &files, write::Mode::Write).expect("writes"));
}

#[divan::bench(sample_count = SAMPLES)]
fn whole(bencher: divan::Bencher) {
    let options = options();
    bencher
        .with_inputs(|| tempfile::tempdir().expect("a temporary folder"))
        .bench_refs(|dir| {
            let spec = load::load_dir(&spec_dir()).expect("the spec loads");
            let outputs =
                restgen::generate_with_tests(&spec, &options, "../spec").expect("it generates");
            write::sync(dir.path(), &outputs.api, write::Mode::Write).expect("writes");
            write::sync(
                &dir.path().join("tests"),
                &outputs.tests,
                write::Mode::Write,
            )
            .expect("writes")
        });
}
