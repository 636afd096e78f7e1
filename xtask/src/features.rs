//! The generated part of the `[features]` table of the generated crate's `Cargo.toml`: one
//! feature per resource (named like the resource's module) and `full` enabling them all. It
//! sits between two marker lines at the end of the table and is rewritten by `cargo xtask
//! codegen` like any generated file; the rest of the manifest, the table's hand-written
//! features (`default`, which includes `full`, the TLS backends, `schemars`, `tracing`, ...)
//! included, is hand-written. Which features there are is restgen's to say
//! (`restgen::Outputs::features`, the features the generated code's `#[cfg]`s name); this
//! module only writes them in Cargo's syntax.

use restgen::emit::Feature;

/// First line of the generated section.
pub const BEGIN: &str =
    "# @generated features: written by `cargo xtask codegen`, one per resource; do not edit.";
/// Last line of the generated section.
pub const END: &str = "# @generated features end";

/// The section declaring `features` (as restgen lists them, in that order).
pub fn section(features: &[Feature]) -> String {
    let quoted = |names: &[String]| -> String {
        let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut out = format!("{BEGIN}\n");
    for feature in features {
        out.push_str(&format!(
            "{} = {}\n",
            feature.name,
            quoted(&feature.enables)
        ));
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// `manifest` with its generated section replaced by `section` (appended, in a `[features]`
/// table of its own if the manifest has none, when it has no section yet).
pub fn update(manifest: &str, section: &str) -> String {
    match (manifest.find(BEGIN), manifest.find(END)) {
        (Some(start), Some(end)) if end > start => {
            let after = manifest[end..]
                .find('\n')
                .map_or(manifest.len(), |i| end + i + 1);
            format!("{}{section}{}", &manifest[..start], &manifest[after..])
        }
        _ => {
            let separator = if manifest.ends_with("\n\n") || manifest.is_empty() {
                ""
            } else {
                "\n"
            };
            let table = if manifest.lines().any(|l| l.trim() == "[features]") {
                ""
            } else {
                "[features]\n"
            };
            format!("{manifest}{separator}{table}{section}")
        }
    }
}

/// The resource features declared in `manifest`'s generated section (not `default` or
/// `full`), in order.
pub fn resource_features(manifest: &str) -> Vec<String> {
    let Some(start) = manifest.find(BEGIN) else {
        return Vec::new();
    };
    manifest[start..]
        .lines()
        .take_while(|line| *line != END)
        .filter_map(|line| line.strip_suffix(" = []"))
        .map(str::to_owned)
        .collect()
}

/// `cargo xtask check-features`: `cargo check`s the generated crate once per resource feature
/// alone (`--no-default-features --features X`), so that no resource depends on code another
/// resource's feature enables. Reports each failure and the time of each check.
pub fn check_each(root: &std::path::Path, manifest_path: &str) -> std::process::ExitCode {
    use std::process::ExitCode;
    let manifest = match std::fs::read_to_string(root.join(manifest_path)) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {manifest_path}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let features = resource_features(&manifest);
    let mut failed = Vec::new();
    let started = std::time::Instant::now();
    for (i, feature) in features.iter().enumerate() {
        let one = std::time::Instant::now();
        let output = crate::cargo_command()
            .current_dir(root)
            .args([
                "check",
                "--quiet",
                "-p",
                "losant",
                "--lib",
                "--no-default-features",
            ])
            .args(["--features", feature])
            .output();
        let ok = match output {
            Ok(output) if output.status.success() => true,
            Ok(output) => {
                eprintln!("{}", String::from_utf8_lossy(&output.stderr));
                false
            }
            Err(err) => {
                eprintln!("error: cannot run cargo: {err}");
                false
            }
        };
        eprintln!(
            "[{}/{}] {feature}: {} in {:.1} s",
            i + 1,
            features.len(),
            if ok { "ok" } else { "FAILED" },
            one.elapsed().as_secs_f64()
        );
        if !ok {
            failed.push(feature.as_str());
        }
    }
    eprintln!(
        "{} of {} resource features build alone ({:.0} s in all)",
        features.len() - failed.len(),
        features.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The features restgen lists for these resource modules.
    fn resources(modules: &[&str]) -> Vec<Feature> {
        let modules: Vec<String> = modules.iter().map(|m| (*m).to_owned()).collect();
        let mut features = vec![Feature {
            name: restgen::emit::FULL_FEATURE.into(),
            enables: modules.clone(),
        }];
        features.extend(modules.into_iter().map(|name| Feature {
            name,
            enables: Vec::new(),
        }));
        features
    }

    #[test]
    fn the_section_lists_every_resource() {
        let text = section(&resources(&["devices", "orgs"]));
        assert!(text.contains("full = [\"devices\", \"orgs\"]\n"));
        assert!(
            !text.contains("[features]"),
            "the table header is hand-written"
        );
        assert!(text.contains("\ndevices = []\norgs = []\n"));
        assert!(text.starts_with(BEGIN) && text.ends_with(&format!("{END}\n")));
    }

    #[test]
    fn resource_features_are_read_back_from_the_section() {
        let manifest = update("[package]\n", &section(&resources(&["a", "b_c"])));
        assert_eq!(resource_features(&manifest), ["a", "b_c"]);
        assert!(resource_features("[package]\n").is_empty());
    }

    #[test]
    fn update_appends_then_replaces_in_place() {
        let manifest = "[package]\nname = \"x\"\n";
        let first = update(manifest, &section(&resources(&["a"])));
        assert!(first.starts_with(manifest));
        assert!(first.contains("\n[features]\n# @generated"), "{first}");
        let with_tail = format!("{first}\n[dev-dependencies]\ny = \"1\"\n");
        let second = update(&with_tail, &section(&resources(&["a", "b"])));
        assert!(second.contains("full = [\"a\", \"b\"]"));
        assert!(second.ends_with("[dev-dependencies]\ny = \"1\"\n"));
        assert_eq!(update(&second, &section(&resources(&["a", "b"]))), second);
    }
}
