//! The summary `cargo xtask import` prints: what was (or, with `--check`, would be) written,
//! updated and removed, the conflicts, and the repairs of Losant's data counted by kind.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_yaml::Value as Yaml;

use super::Options;
use super::convert::FileKind;
use super::overwrite::{Conflict, Outcome};
use super::repairs::NormKind;

impl Outcome {
    /// The command's report.
    pub fn report(&self, options: &Options) -> String {
        let mut out = String::new();
        let to = &options.to;
        let show = |p: &Path| to.join(p).display().to_string();
        let verb =
            |done: &'static str, would: &'static str| if options.check { would } else { done };
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for path in &self.created {
            let _ = writeln!(out, "{} {} (new)", verb("wrote", "would write"), show(path));
        }
        for path in &self.updated {
            let _ = writeln!(out, "{} {}", verb("updated", "would update"), show(path));
        }
        for path in &self.removed {
            let _ = writeln!(
                out,
                "{} {} (no longer imported)",
                verb("removed", "would remove"),
                show(path)
            );
        }
        for (path, conflict) in &self.conflicts {
            match conflict {
                Conflict::Edited { forced, stale } => {
                    let what = if *stale { "removed" } else { "overwritten" };
                    let how = if *forced {
                        format!("{what} because of --force")
                    } else {
                        format!("kept; --force to have it {what}")
                    };
                    let _ = writeln!(
                        out,
                        "conflict: {} is an imported file edited by hand (its hash no longer \
                         matches): {how}",
                        show(path)
                    );
                }
                Conflict::HandWritten { adds } => {
                    let _ = writeln!(
                        out,
                        "note: {} is hand-written (no import marker): kept",
                        show(path)
                    );
                    for add in adds {
                        let _ = writeln!(out, "    the import would add {add}");
                    }
                }
            }
        }

        let is_resource = |p: &PathBuf| p.starts_with("resources");
        let actions_of = |paths: &[PathBuf]| -> usize {
            self.files
                .iter()
                .filter(|f| paths.contains(&f.path))
                .map(|f| match &f.kind {
                    FileKind::Resource { actions, .. } => actions.len(),
                    FileKind::Schema => 0,
                })
                .sum()
        };
        let split = |paths: &[PathBuf]| -> (Vec<PathBuf>, Vec<PathBuf>) {
            paths.iter().cloned().partition(is_resource)
        };
        let written: Vec<PathBuf> = self.created.iter().chain(&self.updated).cloned().collect();
        let (res_written, schema_written) = split(&written);
        let (res_unchanged, schema_unchanged) = split(&self.unchanged);
        let conflicted: Vec<PathBuf> = self.conflicts.iter().map(|(p, _)| p.clone()).collect();
        let (res_conflicts, schema_conflicts) = split(&conflicted);
        let total_resources = self.files.iter().filter(|f| is_resource(&f.path)).count();
        let total_actions: usize = actions_of(
            &self
                .files
                .iter()
                .map(|f| f.path.clone())
                .collect::<Vec<_>>(),
        );
        let _ = writeln!(
            out,
            "import from {} into {}: {} resources ({} actions), {} schemas",
            options.from.display(),
            to.display(),
            total_resources,
            total_actions,
            self.files.len() - total_resources
        );
        let written_word = verb("written", "to write");
        let _ = writeln!(
            out,
            "  resources: {} {written_word} ({} actions), {} unchanged, {} conflicts",
            res_written.len(),
            actions_of(&res_written),
            res_unchanged.len(),
            res_conflicts.len()
        );
        let _ = writeln!(
            out,
            "  schemas:   {} {written_word}, {} unchanged, {} conflicts",
            schema_written.len(),
            schema_unchanged.len(),
            schema_conflicts.len()
        );
        let _ = writeln!(
            out,
            "  new: {}, updated: {}, removed: {}",
            self.created.len(),
            self.updated.len(),
            self.removed.len()
        );
        let paginated: usize = self
            .files
            .iter()
            .filter_map(|f| match &f.kind {
                FileKind::Resource { content, .. } => content.get("actions")?.as_mapping(),
                FileKind::Schema => None,
            })
            .flat_map(|actions| actions.values())
            .filter(|a| a.get("paginated").and_then(Yaml::as_bool) == Some(true))
            .count();
        let _ = writeln!(out, "  list actions marked paginated: {paginated}");
        let mut kinds: BTreeMap<NormKind, (usize, BTreeSet<&Path>)> = BTreeMap::new();
        for file in &self.files {
            for n in &file.normalizations {
                let entry = kinds.entry(n.kind).or_default();
                entry.0 += 1;
                entry.1.insert(&file.path);
            }
        }
        let total: usize = kinds.values().map(|(n, _)| n).sum();
        let files: BTreeSet<&Path> = kinds.values().flat_map(|(_, f)| f.clone()).collect();
        let _ = writeln!(
            out,
            "  normalizations of Losant's data: {total} in {} (each described at the top of \
             its file)",
            plural(files.len(), "file")
        );
        for (kind, (count, files)) in &kinds {
            let files = plural(files.len(), "file");
            let _ = writeln!(out, "    {count} {} (in {files})", kind.label());
        }
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::super::convert::OutFile;
    use super::super::overwrite::Conflict;
    use super::super::repairs::Normalization;
    use super::*;

    fn norm(kind: NormKind) -> Normalization {
        Normalization {
            kind,
            text: String::new(),
        }
    }

    fn outcome() -> Outcome {
        let content: serde_yaml::Mapping =
            serde_yaml::from_str("actions:\n  get:\n    paginated: true\n  post: {}\n").unwrap();
        let resource = OutFile {
            path: PathBuf::from("resources/a.yaml"),
            text: String::new(),
            kind: FileKind::Resource {
                actions: vec!["get".into(), "post".into()],
                content,
            },
            normalizations: vec![norm(NormKind::Idempotent)],
        };
        let schema = OutFile {
            path: PathBuf::from("schemas/x.yaml"),
            text: String::new(),
            kind: FileKind::Schema,
            normalizations: vec![
                norm(NormKind::MinMax),
                norm(NormKind::UnknownKeyword),
                norm(NormKind::MinMax),
            ],
        };
        Outcome {
            files: vec![resource, schema],
            created: vec![PathBuf::from("schemas/x.yaml")],
            removed: vec![PathBuf::from("schemas/old.yaml")],
            conflicts: vec![
                (
                    PathBuf::from("resources/a.yaml"),
                    Conflict::HandWritten {
                        adds: vec!["actions post".into()],
                    },
                ),
                (
                    PathBuf::from("schemas/y.yaml"),
                    Conflict::Edited {
                        forced: false,
                        stale: true,
                    },
                ),
            ],
            notes: vec!["a remark".into()],
            ..Outcome::default()
        }
    }

    #[test]
    fn the_report_lists_changes_conflicts_and_repairs_by_kind() {
        let options = Options {
            from: PathBuf::from("/src"),
            to: PathBuf::from("/spec"),
            check: true,
            force: false,
        };
        assert_eq!(
            outcome().report(&options),
            "note: a remark\n\
             would write /spec/schemas/x.yaml (new)\n\
             would remove /spec/schemas/old.yaml (no longer imported)\n\
             note: /spec/resources/a.yaml is hand-written (no import marker): kept\n    \
             the import would add actions post\n\
             conflict: /spec/schemas/y.yaml is an imported file edited by hand (its hash no \
             longer matches): kept; --force to have it removed\n\
             import from /src into /spec: 1 resources (2 actions), 1 schemas\n  \
             resources: 0 to write (0 actions), 0 unchanged, 1 conflicts\n  \
             schemas:   1 to write, 0 unchanged, 1 conflicts\n  \
             new: 1, updated: 0, removed: 1\n  \
             list actions marked paginated: 1\n  \
             normalizations of Losant's data: 4 in 2 files (each described at the top of its \
             file)\n    \
             1 unknown keywords dropped (in 1 file)\n    \
             2 min/max made minLength/maxLength/minimum/maximum (in 1 file)\n    \
             1 read-only POSTs marked idempotent (in 1 file)\n"
        );
        let write = Options {
            check: false,
            force: true,
            ..options
        };
        let mut forced = outcome();
        forced.conflicts[1].1 = Conflict::Edited {
            forced: true,
            stale: false,
        };
        let report = forced.report(&write);
        assert!(report.contains("wrote /spec/schemas/x.yaml (new)\n"));
        assert!(report.contains("removed /spec/schemas/old.yaml (no longer imported)\n"));
        assert!(report.contains("(its hash no longer matches): overwritten because of --force\n"));
        assert!(report.contains("  schemas:   1 written, 0 unchanged, 1 conflicts\n"));
    }

    #[test]
    fn counts_are_spelled_with_their_noun() {
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(0, "file"), "0 files");
        assert_eq!(plural(3, "file"), "3 files");
    }
}
