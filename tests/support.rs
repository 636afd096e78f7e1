//! Helpers shared by the workspace tests.

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
    }
}

/// Generates the output for the fixture spec `tests/fixtures/NAME` (its resources and
/// schemas, plus the shared `fixtures/common` api.yaml and error schema), rendered as one
/// text with a line naming each file.
pub fn generate_fixture(name: &str) -> Result<String, restgen::Diagnostics> {
    let dir = fixture_dir(name);
    let files = restgen::generate(dir.path(), &options())?;
    Ok(render(&files))
}

/// A temporary spec folder holding the fixture `name` and the shared files.
pub fn fixture_dir(name: &str) -> tempfile::TempDir {
    let fixtures = root().join("tests/fixtures");
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_tree(&fixtures.join(name), dir.path());
    let api = dir.path().join("api.yaml");
    if !api.exists() {
        std::fs::copy(fixtures.join("common/api.yaml"), api).expect("copy api.yaml");
    }
    let error = dir.path().join("schemas/error.yaml");
    if !error.exists() {
        std::fs::create_dir_all(dir.path().join("schemas")).expect("schemas folder");
        std::fs::copy(fixtures.join("common/error.yaml"), error).expect("copy error.yaml");
    }
    dir
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

/// All generated files as one text, each under a line naming it.
pub fn render(files: &[restgen::GeneratedFile]) -> String {
    files
        .iter()
        .map(|f| format!("// ===== {} =====\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}
