//! Assembling the fixture specs under `tests/fixtures/`, shared by the tests (through the
//! `losant_tests` library) and by `build.rs`, which generates the code of the fixtures that
//! `tests/compiled/` compiles: both generate from the same folders with the same options.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The options `cargo xtask codegen` uses.
pub fn options() -> restgen::Options {
    restgen::Options {
        crate_name: "losant".into(),
        source: "spec/".into(),
        regenerate_with: "cargo xtask codegen".into(),
        resource_features: true,
        json_schema_feature: Some("schemars".into()),
        examples_feature: Some("test-util".into()),
    }
}

/// Writes the spec folder of the fixture `name` into `to`: its resources and schemas, plus
/// the shared `fixtures/common` api.yaml and error schema where it has none of its own.
pub fn assemble(name: &str, to: &Path) {
    let fixtures = root().join("tests/fixtures");
    copy_tree(&fixtures.join(name), to);
    let api = to.join("api.yaml");
    if !api.exists() {
        std::fs::copy(fixtures.join("common/api.yaml"), api).expect("copy api.yaml");
    }
    let error = to.join("schemas/error.yaml");
    if !error.exists() {
        std::fs::create_dir_all(to.join("schemas")).expect("schemas folder");
        std::fs::copy(fixtures.join("common/error.yaml"), error).expect("copy error.yaml");
    }
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read fixture folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}
