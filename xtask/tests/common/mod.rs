//! Helpers of the tests that run the built `xtask` binary in small checkouts.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace this test belongs to (for the fixtures only; the runs below must not touch
/// it).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace folder")
        .to_path_buf()
}

/// A checkout with one resource, `resource`, in a temporary folder: a workspace manifest, the
/// spec, the generated crate's manifest, and an `xtask/` package folder.
pub fn checkout(resource: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    for folder in ["spec/resources", "spec/schemas", "generated", "xtask"] {
        std::fs::create_dir_all(root.join(folder)).expect("folder");
    }
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"generated\", \"xtask\"]\n",
    )
    .expect("write");
    std::fs::write(
        root.join("generated/Cargo.toml"),
        "[package]\nname = \"losant\"\n",
    )
    .expect("write");
    let common = workspace().join("tests/fixtures/common");
    std::fs::copy(common.join("api.yaml"), root.join("spec/api.yaml")).expect("copy");
    std::fs::copy(
        common.join("error.yaml"),
        root.join("spec/schemas/error.yaml"),
    )
    .expect("copy");
    std::fs::write(
        root.join(format!("spec/resources/{resource}.yaml")),
        format!(
            "path: /{resource}\nactions:\n  get:\n    method: GET\n    summary: Get the {resource}\n    \
             scopes: [{resource}.get]\n    responses:\n      200: {{ schema: error, description: The {resource} }}\n"
        ),
    )
    .expect("write");
    dir
}

/// Runs the `xtask` binary with `args` in `cwd`, with `CARGO_MANIFEST_DIR` set to
/// `manifest_dir` or, when `None`, unset (cargo sets it for this test, and a child would
/// inherit it).
pub fn xtask(cwd: &Path, manifest_dir: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(cwd).args(args);
    match manifest_dir {
        Some(dir) => command.env("CARGO_MANIFEST_DIR", dir),
        None => command.env_remove("CARGO_MANIFEST_DIR"),
    };
    command.output().expect("run xtask")
}

pub fn assert_ok(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A checkout whose spec is the workspace's test fixture `name` (`tests/fixtures/NAME`, with
/// the shared `api.yaml` and error schema).
pub fn fixture_checkout(name: &str) -> tempfile::TempDir {
    let dir = checkout("widgets");
    let spec = dir.path().join("spec");
    std::fs::remove_file(spec.join("resources/widgets.yaml")).expect("remove");
    copy(&workspace().join("tests/fixtures").join(name), &spec);
    dir
}

/// Copies a folder tree.
pub fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Every file under `dir` with its contents, by path relative to it.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, base: &Path, out: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                let rel = path.strip_prefix(base).expect("inside").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The standard output of a run.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
