//! The `[features]` section of the generated crate's `Cargo.toml`: one feature per resource
//! (named like the resource's module), `full` enabling them all, and `full` on by default.
//! It sits between two marker lines and is rewritten by `cargo xtask codegen` like any
//! generated file; the rest of the manifest is hand-written.

/// First line of the generated section.
pub const BEGIN: &str =
    "# @generated features: written by `cargo xtask codegen`, one per resource; do not edit.";
/// Last line of the generated section.
pub const END: &str = "# @generated features end";

/// The section for these resource modules (sorted, as given).
pub fn section(modules: &[String]) -> String {
    let mut out = format!("{BEGIN}\n[features]\ndefault = [\"full\"]\n");
    let quoted: Vec<String> = modules.iter().map(|m| format!("\"{m}\"")).collect();
    out.push_str(&format!("full = [{}]\n", quoted.join(", ")));
    for module in modules {
        out.push_str(&format!("{module} = []\n"));
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// `manifest` with its generated section replaced by `section` (appended when it has none).
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
            format!("{manifest}{separator}{section}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_lists_every_resource() {
        let text = section(&["devices".into(), "orgs".into()]);
        assert!(text.contains("full = [\"devices\", \"orgs\"]\ndevices = []\norgs = []\n"));
        assert!(text.starts_with(BEGIN) && text.ends_with(&format!("{END}\n")));
    }

    #[test]
    fn update_appends_then_replaces_in_place() {
        let manifest = "[package]\nname = \"x\"\n";
        let first = update(manifest, &section(&["a".into()]));
        assert!(first.starts_with(manifest));
        let with_tail = format!("{first}\n[dev-dependencies]\ny = \"1\"\n");
        let second = update(&with_tail, &section(&["a".into(), "b".into()]));
        assert!(second.contains("full = [\"a\", \"b\"]"));
        assert!(second.ends_with("[dev-dependencies]\ny = \"1\"\n"));
        assert_eq!(update(&second, &section(&["a".into(), "b".into()])), second);
    }
}
