//! Helpers shared by the workspace tests.

mod fixture_specs;

pub use fixture_specs::{copy_tree, options, root};

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
    let dir = tempfile::tempdir().expect("a temporary folder");
    fixture_specs::assemble(name, dir.path());
    dir
}

/// All generated files as one text, each under a line naming it.
pub fn render(files: &[restgen::GeneratedFile]) -> String {
    files
        .iter()
        .map(|f| format!("// ===== {} =====\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}
