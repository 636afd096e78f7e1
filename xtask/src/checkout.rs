//! Which checkout a task works on, found when it runs, never when it was compiled.
//!
//! `env!("CARGO_MANIFEST_DIR")` would name the checkout the binary was built in. Two checkouts
//! (or worktrees) that share a `CARGO_TARGET_DIR` share that binary, and cargo may run the one
//! built for the other checkout, whose tasks would then read and write the other checkout's
//! files. So the checkout is looked for at run time: from the `CARGO_MANIFEST_DIR` that
//! `cargo run` (and so `cargo xtask`) sets for the process, else from the current folder,
//! going up to the first folder that is the workspace root.

use std::path::{Path, PathBuf};

/// The checkout this process works on: the workspace root above `$CARGO_MANIFEST_DIR` when
/// cargo set it for this run, else above the current folder.
pub fn root() -> Result<PathBuf, String> {
    let cwd =
        std::env::current_dir().map_err(|err| format!("cannot read the current folder: {err}"))?;
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    find(manifest_dir.as_deref(), &cwd)
}

/// The workspace root at or above `manifest_dir` (the running package's folder, when cargo
/// gave one), else at or above `cwd`.
pub fn find(manifest_dir: Option<&Path>, cwd: &Path) -> Result<PathBuf, String> {
    // A relative `CARGO_MANIFEST_DIR` (cargo never sets one) is read from the current folder.
    let start = manifest_dir.map_or_else(|| cwd.to_path_buf(), |dir| cwd.join(dir));
    start
        .ancestors()
        .find(|dir| is_root(dir))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "cannot find the checkout: no folder at or above {} has a Cargo.toml with a \
                 [workspace] table beside a spec/ folder; run the task from inside the checkout",
                start.display()
            )
        })
}

/// Whether `dir` is the workspace root: its `Cargo.toml` has a `[workspace]` table and the
/// spec folder sits beside it. (A member crate's manifest has no `[workspace]` table, and
/// another workspace that happens to contain this one has no `spec/`.)
pub fn is_root(dir: &Path) -> bool {
    dir.join(crate::SPEC_DIR).is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder tree: a checkout at `outer/repo` (with a member crate `xtask`), inside a
    /// folder `outer` that is a workspace of its own without a spec.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        let outer = dir.path().join("outer");
        let repo = outer.join("repo");
        for folder in ["spec/resources", "xtask/src"] {
            std::fs::create_dir_all(repo.join(folder)).expect("folder");
        }
        std::fs::write(outer.join("Cargo.toml"), "[workspace]\nmembers = []\n").expect("write");
        std::fs::write(
            repo.join("Cargo.toml"),
            "[workspace]\nmembers = [\"xtask\"]\n",
        )
        .expect("write");
        std::fs::write(
            repo.join("xtask/Cargo.toml"),
            "[package]\nname = \"xtask\"\n",
        )
        .expect("write");
        dir
    }

    #[test]
    fn the_manifest_dir_cargo_gives_leads_to_its_workspace() {
        let dir = tree();
        let repo = dir.path().join("outer/repo");
        // The current folder does not matter when cargo names the package.
        let found = find(Some(&repo.join("xtask")), dir.path()).expect("found");
        assert_eq!(found, repo);
    }

    #[test]
    fn without_cargo_the_current_folder_is_walked_up() {
        let dir = tree();
        let repo = dir.path().join("outer/repo");
        assert_eq!(find(None, &repo).expect("found"), repo);
        assert_eq!(
            find(None, &repo.join("spec/resources")).expect("found"),
            repo
        );
        assert_eq!(find(None, &repo.join("xtask/src")).expect("found"), repo);
    }

    #[test]
    fn a_workspace_without_a_spec_is_not_the_checkout() {
        let dir = tree();
        assert!(!is_root(&dir.path().join("outer")));
        assert!(!is_root(&dir.path().join("outer/repo/xtask")));
        assert!(is_root(&dir.path().join("outer/repo")));
        let outside = find(None, &dir.path().join("outer")).expect_err("not inside a checkout");
        assert!(outside.contains("cannot find the checkout"), "{outside}");
    }

    #[test]
    fn this_checkout_is_found_from_its_own_manifest_dir() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let found = find(Some(here), Path::new("/")).expect("found");
        assert_eq!(found, here.parent().expect("the workspace"));
    }
}
