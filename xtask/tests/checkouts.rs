//! Two checkouts sharing one target folder share one `xtask` binary; each must still
//! regenerate itself. The binary cargo built for this test is run in two small checkouts made
//! in temporary folders, once as `cargo xtask` runs it (cargo names the package folder in
//! `CARGO_MANIFEST_DIR`) and once run directly from a folder inside the checkout; each must
//! write its own generated tree and leave the other alone.

mod common;

use std::path::Path;

use common::{assert_ok, checkout, xtask};

#[test]
fn each_checkout_regenerates_itself() {
    let widgets = checkout("widgets");
    let gadgets = checkout("gadgets");
    let (a, b) = (widgets.path(), gadgets.path());

    // As `cargo xtask` runs it in `a`: cargo names a's package folder; the current folder is
    // elsewhere (cargo runs the binary from wherever it was invoked).
    let run = xtask(b, Some(&a.join("xtask")), &["codegen"]);
    assert_ok(&run, "codegen in the first checkout");
    assert!(a.join("generated/src/api/widgets.rs").is_file());
    assert!(!a.join("generated/src/api/gadgets.rs").exists());
    assert!(
        !b.join("generated/src").exists(),
        "the other checkout is left alone"
    );

    // Run directly, without cargo, from a folder inside `b`.
    let run = xtask(&b.join("spec/resources"), None, &["codegen"]);
    assert_ok(&run, "codegen in the second checkout");
    assert!(b.join("generated/src/api/gadgets.rs").is_file());
    assert!(!b.join("generated/src/api/widgets.rs").exists());
    assert!(!a.join("generated/src/api/gadgets.rs").exists());

    // Each checkout's generated crate declares its own resource's feature.
    let manifest =
        |root: &Path| std::fs::read_to_string(root.join("generated/Cargo.toml")).expect("manifest");
    assert!(manifest(a).contains("\nwidgets = []\n"), "{}", manifest(a));
    assert!(manifest(b).contains("\ngadgets = []\n"), "{}", manifest(b));
    assert!(!manifest(a).contains("gadgets"));

    // Both are current, whichever way the binary finds them.
    assert_ok(
        &xtask(a, None, &["codegen", "--check"]),
        "check of the first",
    );
    assert_ok(
        &xtask(a, Some(&b.join("xtask")), &["codegen", "--check"]),
        "check of the second",
    );
    // A change in one is stale there only.
    std::fs::write(a.join("generated/src/api/widgets.rs"), "// @generated\n").expect("write");
    assert!(!xtask(a, None, &["codegen", "--check"]).status.success());
    assert_ok(
        &xtask(b, None, &["codegen", "--check"]),
        "the other is still current",
    );
}

#[test]
fn outside_a_checkout_the_task_says_so() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let run = xtask(dir.path(), None, &["codegen", "--check"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("cannot find the checkout"), "{stderr}");
}
