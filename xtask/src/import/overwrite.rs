//! The hand-edit policy (see the module docs of [`super`]): every imported file starts with a
//! marker line carrying the SHA-256 of the rest ([`render`], [`provenance`]), and [`sync`]
//! writes a produced file only where the file there is missing or an untouched import,
//! never over a hand-written file, and over an edited import only with `--force`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value as Yaml};
use sha2::{Digest, Sha256};

use super::Options;
use super::convert::{FileKind, Import, OutFile};

/// The first line of every imported file starts with this.
pub const MARKER: &str = "# @imported by cargo xtask import";
/// The second line of every imported file.
const HAND_EDIT_NOTE: &str = "# Hand edits are kept only if you delete the line above; \
    until then `cargo xtask import` may overwrite or remove this file.";

/// Makes a file's text: marker line (with the hash of the rest), hand-edit note, `# import:`
/// notes, then the YAML.
pub fn render(sources: &[String], notes: &[String], yaml: &Yaml) -> Result<String, String> {
    let mut rest = String::new();
    rest.push_str(HAND_EDIT_NOTE);
    rest.push('\n');
    for note in notes {
        let _ = writeln!(rest, "# import: {}", note.replace(['\n', '\r'], " "));
    }
    rest.push_str(&serde_yaml::to_string(yaml).map_err(|e| e.to_string())?);
    Ok(format!(
        "{MARKER} from losant-api ({}); sha256:{}\n{rest}",
        sources.join(", "),
        sha256_hex(&rest)
    ))
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Whether `text` is an imported file (marker line), and if so whether it still matches its
/// hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// No marker: written by hand.
    HandWritten,
    /// Marker, hash matches.
    Imported,
    /// Marker, hash does not match: edited by hand.
    EditedImport,
}

/// Classifies a file's text.
pub fn provenance(text: &str) -> Provenance {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if !first.starts_with(MARKER) {
        return Provenance::HandWritten;
    }
    match first.rsplit_once("sha256:") {
        Some((_, hash)) if hash.trim() == sha256_hex(rest) => Provenance::Imported,
        _ => Provenance::EditedImport,
    }
}

/// Why a file was not written (or removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// An imported file edited by hand (hash mismatch); `forced` when `--force` overwrote it
    /// (or removed it, when no longer produced).
    Edited {
        /// Whether `--force` overwrote (or removed) it anyway.
        forced: bool,
        /// Whether the import no longer produces it (it would be removed).
        stale: bool,
    },
    /// A hand-written file (no marker); `adds` lists what the import would add to it.
    HandWritten {
        /// Facts the import has that the file lacks.
        adds: Vec<String>,
    },
}

/// What the import changed (or, with `--check`, would change).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Produced files.
    pub files: Vec<OutFile>,
    /// Files written that did not exist.
    pub created: Vec<PathBuf>,
    /// Files overwritten (untouched imports with new content, or forced edited ones).
    pub updated: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: Vec<PathBuf>,
    /// Imported files removed because no longer produced.
    pub removed: Vec<PathBuf>,
    /// Files not written or not removed, and why.
    pub conflicts: Vec<(PathBuf, Conflict)>,
    /// Remarks printed first.
    pub notes: Vec<String>,
}

/// Brings `to` in line with `import` (see the module docs); in `check` mode writes nothing.
pub fn sync(to: &Path, import: &Import, check: bool, force: bool) -> std::io::Result<Outcome> {
    let mut outcome = Outcome {
        files: import.files.clone(),
        ..Outcome::default()
    };
    let write = |path: &Path, text: &str| -> std::io::Result<()> {
        if check {
            Ok(())
        } else {
            restgen::write::write_atomically(&to.join(path), text.as_bytes())
        }
    };
    for file in &import.files {
        let current = match fs::read_to_string(to.join(&file.path)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let Some(current) = current else {
            write(&file.path, &file.text)?;
            outcome.created.push(file.path.clone());
            continue;
        };
        if current == file.text {
            outcome.unchanged.push(file.path.clone());
            continue;
        }
        match provenance(&current) {
            Provenance::Imported => {
                write(&file.path, &file.text)?;
                outcome.updated.push(file.path.clone());
            }
            Provenance::EditedImport => {
                if force {
                    write(&file.path, &file.text)?;
                    outcome.updated.push(file.path.clone());
                }
                let conflict = Conflict::Edited {
                    forced: force,
                    stale: false,
                };
                outcome.conflicts.push((file.path.clone(), conflict));
            }
            Provenance::HandWritten => {
                let adds = match &file.kind {
                    FileKind::Resource { content, .. } => hand_written_gaps(&current, content),
                    FileKind::Schema => Vec::new(),
                };
                let conflict = Conflict::HandWritten { adds };
                outcome.conflicts.push((file.path.clone(), conflict));
            }
        }
    }
    let produced: BTreeSet<&PathBuf> = import.files.iter().map(|f| &f.path).collect();
    for dir in ["resources", "schemas"] {
        let Ok(entries) = fs::read_dir(to.join(dir)) else {
            continue;
        };
        let mut stale = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = PathBuf::from(dir).join(&name);
            if !name.ends_with(".yaml") || name.starts_with('.') || produced.contains(&path) {
                continue;
            }
            if !entry.file_type()?.is_file() {
                continue;
            }
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            match provenance(&text) {
                Provenance::HandWritten => {}
                Provenance::Imported => stale.push((path, false)),
                Provenance::EditedImport => stale.push((path, true)),
            }
        }
        stale.sort();
        for (path, edited) in stale {
            if edited {
                outcome.conflicts.push((
                    path.clone(),
                    Conflict::Edited {
                        forced: force,
                        stale: true,
                    },
                ));
                if !force {
                    continue;
                }
            }
            if !check {
                fs::remove_file(to.join(&path))?;
            }
            outcome.removed.push(path);
        }
    }
    Ok(outcome)
}

/// What an imported resource has that a hand-written resource file lacks: actions, and for the
/// actions it has, scopes, `paginated`/`idempotent` marks and parameters.
pub fn hand_written_gaps(hand_text: &str, imported: &Mapping) -> Vec<String> {
    let Ok(hand) = serde_yaml::from_str::<Yaml>(hand_text) else {
        return vec!["(the hand-written file is not valid YAML; not compared)".into()];
    };
    let empty = Mapping::new();
    let actions = |doc: &Yaml| -> Mapping {
        doc.get("actions")
            .and_then(Yaml::as_mapping)
            .cloned()
            .unwrap_or_default()
    };
    let hand_actions = actions(&hand);
    let ours = actions(&Yaml::Mapping(imported.clone()));
    let mut gaps = Vec::new();
    let missing: Vec<&str> = ours
        .keys()
        .filter_map(Yaml::as_str)
        .filter(|name| !hand_actions.contains_key(*name))
        .collect();
    if !missing.is_empty() {
        gaps.push(format!("actions {}", missing.join(", ")));
    }
    let strings = |v: Option<&Yaml>| -> Vec<String> {
        v.and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let names = |v: Option<&Yaml>| -> Vec<String> {
        v.and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("name").and_then(Yaml::as_str).map(str::to_string))
            .collect()
    };
    for (name, action) in &ours {
        let Some(name) = name.as_str() else { continue };
        let Some(theirs) = hand_actions.get(name) else {
            continue;
        };
        let theirs = theirs.as_mapping().unwrap_or(&empty);
        let scopes: Vec<String> = strings(action.get("scopes"))
            .into_iter()
            .filter(|s| !strings(theirs.get("scopes")).contains(s))
            .collect();
        if !scopes.is_empty() {
            gaps.push(format!("{name}: scopes {}", scopes.join(", ")));
        }
        for flag in ["paginated", "idempotent"] {
            let set = |a: &Mapping| a.get(flag).and_then(Yaml::as_bool) == Some(true);
            if action.as_mapping().is_some_and(set) && !set(theirs) {
                gaps.push(format!("{name}: {flag}: true"));
            }
        }
        for key in ["path_params", "query", "headers", "multipart"] {
            let params: Vec<String> = names(action.get(key))
                .into_iter()
                .filter(|p| !names(theirs.get(key)).contains(p))
                .collect();
            if !params.is_empty() {
                gaps.push(format!("{name}: {key} {}", params.join(", ")));
            }
        }
    }
    gaps
}

impl Outcome {
    /// Whether the command succeeds (see the module docs).
    pub fn succeeded(&self, options: &Options) -> bool {
        let edited = self
            .conflicts
            .iter()
            .any(|(_, c)| matches!(c, Conflict::Edited { forced: false, .. }));
        if options.check {
            !edited && self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty()
        } else {
            // Hand-written files are kept by design: a note, not a failure.
            !edited
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::super::test_support::{fixture, options, tree};
    use super::*;

    #[test]
    fn hand_written_gaps_name_what_the_import_would_add() {
        let imported: Mapping = serde_yaml::from_str(
            "actions:\n  get:\n    scopes: [a, b]\n    paginated: true\n    \
             query:\n    - name: page\n    - name: q\n  post:\n    scopes: []\n",
        )
        .unwrap();
        let hand = "actions:\n  get:\n    scopes: [a]\n    query:\n    - name: q\n";
        assert_eq!(
            hand_written_gaps(hand, &imported),
            [
                "actions post",
                "get: scopes b",
                "get: paginated: true",
                "get: query page"
            ]
        );
        assert_eq!(
            hand_written_gaps("actions: [", &imported),
            ["(the hand-written file is not valid YAML; not compared)"]
        );
    }

    #[test]
    fn check_mode_reports_without_writing() {
        let to = tempfile::tempdir().unwrap();
        let text = render(&["schemas/a.json".into()], &[], &Yaml::Null).unwrap();
        let import = Import {
            files: vec![OutFile {
                path: PathBuf::from("schemas/a.yaml"),
                text: text.clone(),
                kind: FileKind::Schema,
                normalizations: Vec::new(),
            }],
        };
        let outcome = sync(to.path(), &import, true, false).unwrap();
        assert_eq!(outcome.created, [PathBuf::from("schemas/a.yaml")]);
        assert!(!to.path().join("schemas/a.yaml").exists());
        let outcome = sync(to.path(), &import, false, false).unwrap();
        assert_eq!(outcome.created, [PathBuf::from("schemas/a.yaml")]);
        assert_eq!(
            fs::read_to_string(to.path().join("schemas/a.yaml")).unwrap(),
            text
        );
        let outcome = sync(to.path(), &import, false, false).unwrap();
        assert_eq!(outcome.unchanged, [PathBuf::from("schemas/a.yaml")]);
    }

    #[test]
    fn marker_hash_detects_edits() {
        let text = render(&["apiInfo.json".into()], &["a note".into()], &Yaml::Null).unwrap();
        assert!(text.starts_with(MARKER));
        assert!(text.contains("\n# import: a note\n"));
        assert_eq!(provenance(&text), Provenance::Imported);
        assert_eq!(
            provenance(&text.replace("null", "~")),
            Provenance::EditedImport
        );
        assert_eq!(provenance("path: /x\n"), Provenance::HandWritten);
    }

    #[test]
    fn updates_untouched_imports_and_keeps_edited_ones() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        run(&opts).unwrap();
        // The source changes: an untouched import is overwritten.
        let info = src.path().join("apiInfo.json");
        let text = fs::read_to_string(&info).unwrap();
        fs::write(&info, text.replace("\"One\"", "\"Get one\"")).unwrap();
        let check = Options {
            check: true,
            ..opts.clone()
        };
        let would = run(&check).unwrap();
        assert_eq!(would.updated, [PathBuf::from("resources/org.yaml")]);
        assert!(!would.succeeded(&check));
        let outcome = run(&opts).unwrap();
        assert_eq!(outcome.updated, [PathBuf::from("resources/org.yaml")]);
        assert!(tree(to.path())["resources/org.yaml"].contains("summary: Get one"));

        // Someone edits an imported file: kept, reported, non-zero exit.
        let path = to.path().join("resources/org.yaml");
        let edited = fs::read_to_string(&path)
            .unwrap()
            .replace("Get one", "Mine");
        fs::write(&path, &edited).unwrap();
        fs::write(&info, text.replace("\"One\"", "\"Fetch\"")).unwrap();
        let outcome = run(&opts).unwrap();
        assert_eq!(
            outcome.conflicts,
            [(
                PathBuf::from("resources/org.yaml"),
                Conflict::Edited {
                    forced: false,
                    stale: false
                }
            )]
        );
        assert!(!outcome.succeeded(&opts));
        assert_eq!(fs::read_to_string(&path).unwrap(), edited);
        assert!(!run(&check).unwrap().succeeded(&check));
        // --force overwrites it.
        let force = Options {
            force: true,
            ..opts.clone()
        };
        let outcome = run(&force).unwrap();
        assert!(outcome.succeeded(&force));
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("summary: Fetch")
        );
    }

    #[test]
    fn hand_written_files_are_never_touched() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let hand = "# Orgs, by hand.\npath: /orgs\nactions:\n  get:\n    method: GET\n    \
                    summary: List\n    scopes: [orgs.get]\n    responses: {}\n";
        let schema = "# by hand\ntitle: Error\ntype: object\n";
        fs::create_dir_all(to.path().join("resources")).unwrap();
        fs::create_dir_all(to.path().join("schemas")).unwrap();
        fs::write(to.path().join("resources/orgs.yaml"), hand).unwrap();
        fs::write(to.path().join("resources/legacy.yaml"), hand).unwrap();
        fs::write(to.path().join("schemas/error.yaml"), schema).unwrap();
        for force in [false, true] {
            let opts = Options {
                force,
                ..options(src.path(), to.path())
            };
            let outcome = run(&opts).unwrap();
            assert!(
                outcome.succeeded(&opts),
                "hand-written files are a note, not a failure"
            );
            assert_eq!(
                outcome.conflicts[0],
                (
                    PathBuf::from("resources/orgs.yaml"),
                    Conflict::HandWritten {
                        adds: vec![
                            "actions post".into(),
                            "get: scopes all.User, orgs.*".into(),
                            "get: paginated: true".into(),
                            "get: query page, perPage".into()
                        ]
                    }
                )
            );
            assert_eq!(
                outcome.conflicts[1],
                (
                    PathBuf::from("schemas/error.yaml"),
                    Conflict::HandWritten { adds: vec![] }
                )
            );
            let report = outcome.report(&opts);
            assert!(report.contains("is hand-written (no import marker): kept"));
            assert!(report.contains("    the import would add actions post\n"));
            let files = tree(to.path());
            assert_eq!(files["resources/orgs.yaml"], hand);
            assert_eq!(files["resources/legacy.yaml"], hand, "never removed");
            assert_eq!(files["schemas/error.yaml"], schema);
        }
        // --check: hand-written files are notes; nothing else would change.
        let check = Options {
            check: true,
            ..options(src.path(), to.path())
        };
        let outcome = run(&check).unwrap();
        assert!(outcome.succeeded(&check));
        assert!(outcome.report(&check).contains("note: "));
    }

    #[test]
    fn stale_imports_are_removed() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        run(&opts).unwrap();
        // An earlier import produced a schema that is gone now; another was edited since.
        let text = render(&["schemas/old.json".into()], &[], &Yaml::Null).unwrap();
        fs::write(to.path().join("schemas/old.yaml"), &text).unwrap();
        let edited = format!("{text}# mine\n");
        fs::write(to.path().join("schemas/older.yaml"), &edited).unwrap();
        let check = Options {
            check: true,
            ..opts.clone()
        };
        let would = run(&check).unwrap();
        assert_eq!(would.removed, [PathBuf::from("schemas/old.yaml")]);
        assert!(to.path().join("schemas/old.yaml").exists());
        let outcome = run(&opts).unwrap();
        assert_eq!(outcome.removed, [PathBuf::from("schemas/old.yaml")]);
        assert!(!to.path().join("schemas/old.yaml").exists());
        assert_eq!(
            outcome.conflicts,
            [(
                PathBuf::from("schemas/older.yaml"),
                Conflict::Edited {
                    forced: false,
                    stale: true
                }
            )]
        );
        assert!(to.path().join("schemas/older.yaml").exists());
        let force = Options {
            force: true,
            ..opts
        };
        assert_eq!(
            run(&force).unwrap().removed,
            [PathBuf::from("schemas/older.yaml")]
        );
        assert!(!to.path().join("schemas/older.yaml").exists());
    }
}
