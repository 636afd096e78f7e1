//! House rules that no compiler checks, checked over the repository's own files.
//!
//! - The repository is self-contained: no test, benchmark, example, build step or task reads a
//!   file outside it (a plain clone has nothing beside it). Every string literal in the
//!   workspace's Rust sources and scripts that names a relative path climbing with `..` must,
//!   resolved from the folder its crate runs in (the crate's manifest folder, which is what
//!   `CARGO_MANIFEST_DIR` and `cargo test`'s working directory are), stay inside the
//!   repository.

use std::path::{Component, Path, PathBuf};

use losant_tests::root;

/// The workspace's crates, by folder: a path written in one of their files is resolved from
/// there.
const CRATES: &[&str] = &["generator", "generated", "tests", "xtask"];

/// Folders that hold no code of ours (build output, vendored data).
const SKIPPED: &[&str] = &["target", "third_party", ".git"];

/// Every file under `dir` (relative to the root) whose name ends in one of `extensions`.
fn files(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !SKIPPED.contains(&name.as_str()) {
                files(&path, extensions, out);
            }
        } else if extensions.iter().any(|ext| name.ends_with(ext)) {
            out.push(path);
        }
    }
}

/// The double-quoted string literals of a source text (escapes left as written; raw strings
/// are read as ordinary ones, which is enough to find paths).
fn string_literals(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            out.push((number + 1, after[..end].to_owned()));
            rest = &after[end + 1..];
        }
    }
    out
}

/// `relative` joined to `base` with `..` resolved lexically; `None` when it climbs above the
/// file system root.
fn resolve(base: &Path, relative: &str) -> Option<PathBuf> {
    let mut out = base.to_path_buf();
    for part in Path::new(relative).components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(name) => out.push(name),
            Component::CurDir => {}
            // An absolute path is another rule's business (and no literal here is one).
            Component::RootDir | Component::Prefix(_) => return Some(base.to_path_buf()),
        }
    }
    Some(out)
}

/// Paths written in the file at `path` that lead out of the repository, as `line: literal`.
fn escaping_paths(root: &Path, path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let relative = path.strip_prefix(root).unwrap_or(path);
    let crate_dir = CRATES
        .iter()
        .find(|c| relative.starts_with(c))
        .map_or_else(|| root.to_path_buf(), |c| root.join(c));
    let file_dir = path.parent().unwrap_or(root);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (line, literal) in string_literals(&text) {
        // Only literals that climb: `..` as a whole path component.
        let climbs = literal.split(['/', '\\']).any(|part| part == "..")
            && !literal.contains(char::is_whitespace);
        if !climbs {
            continue;
        }
        // `include_str!` and its kin resolve from the file's own folder.
        let written = lines.get(line - 1).copied().unwrap_or_default();
        let base = if written.contains("include_str!(") || written.contains("include_bytes!(") {
            file_dir
        } else {
            &crate_dir
        };
        let inside = resolve(base, &literal).is_some_and(|p| p.starts_with(root));
        if !inside {
            out.push(format!("{}:{line}: \"{literal}\"", relative.display()));
        }
    }
    out
}

#[test]
fn nothing_reads_outside_the_repository() {
    let root = root();
    let mut sources = Vec::new();
    files(&root, &[".rs", ".toml", ".sh"], &mut sources);
    files(&root.join(".ci"), &["run"], &mut sources);
    files(&root.join(".cargo"), &[".toml"], &mut sources);
    assert!(
        sources.len() > 50,
        "the scan found only {} files; is the root right?",
        sources.len()
    );
    // This file holds probe paths on purpose.
    let this_file = root.join("tests/tidy.rs");
    let escaping: Vec<String> = sources
        .iter()
        .filter(|path| **path != this_file)
        .flat_map(|path| escaping_paths(&root, path))
        .collect();
    assert!(
        escaping.is_empty(),
        "these paths lead outside the repository, which a plain clone does not have:\n{}",
        escaping.join("\n")
    );
}

#[test]
fn the_scan_catches_a_path_outside_the_repository() {
    let root = root();
    let dir = root.join("target/tidy-probe/generated/tests");
    std::fs::create_dir_all(&dir).expect("probe folder");
    // Resolved from `target/tidy-probe`'s crate folder, which is the root itself (not one of
    // the crates): `../x` leaves the repository, `../main/x`-style climbs back are fine only
    // when they land inside.
    let probe = dir.join("probe.rs");
    std::fs::write(
        &probe,
        "let a = \"../../shared/losant-api/apiExamples.json\";\nlet b = \"spec/schemas\";\n",
    )
    .expect("write probe");
    let found = escaping_paths(&root, &probe);
    assert_eq!(
        found.len(),
        1,
        "exactly the climbing literal is reported: {found:?}"
    );
    assert!(found[0].ends_with(":1: \"../../shared/losant-api/apiExamples.json\""));
    // The same literal in a file of the `generated` crate climbs from `generated/`.
    let crate_file = root.join("generated/tests/seed_actions.rs");
    assert!(
        escaping_paths(&root, &crate_file).is_empty(),
        "generated/tests/seed_actions.rs reads only inside the repository"
    );
    let _ = std::fs::remove_dir_all(root.join("target/tidy-probe"));
}

#[test]
fn literals_and_paths_are_read_as_written() {
    assert_eq!(
        string_literals(r#"a("x/../y", "q\"r") "unterminated"#),
        vec![(1, "x/../y".to_owned()), (1, r#"q\"r"#.to_owned())]
    );
    let base = Path::new("/repo/generated");
    assert_eq!(resolve(base, "../spec"), Some(PathBuf::from("/repo/spec")));
    assert_eq!(
        resolve(base, "../../shared"),
        Some(PathBuf::from("/shared"))
    );
}

/// Words that are facts of the API the spec describes, not of any API: the name of the API's
/// maker (the first word of `spec/api.yaml`'s title), the host of its base URL, and the
/// environment variable names (of the token, base URL and logins) and fixed header values it
/// sets.
fn api_facts(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("spec/api.yaml")).expect("spec/api.yaml");
    let api: serde_yaml::Value = serde_yaml::from_str(&text).expect("spec/api.yaml parses");
    let mut facts = Vec::new();
    let title = api["title"].as_str().expect("title");
    facts.push(
        title
            .split_whitespace()
            .next()
            .expect("a title word")
            .to_owned(),
    );
    let base = api["base_url"].as_str().expect("base_url");
    facts.push(
        base.split("://")
            .nth(1)
            .unwrap_or(base)
            .trim_end_matches('/')
            .to_owned(),
    );
    if let Some(env) = api["env"].as_mapping() {
        facts.extend(env.values().filter_map(|v| v.as_str()).map(str::to_owned));
    }
    // The variables each login reads its credentials from.
    if let Some(logins) = api["auth"]["logins"].as_sequence() {
        for login in logins {
            for key in ["env", "optional_env"] {
                if let Some(vars) = login[key].as_mapping() {
                    facts.extend(vars.values().filter_map(|v| v.as_str()).map(str::to_owned));
                }
            }
        }
    }
    if let Some(headers) = api["headers"].as_sequence() {
        facts.extend(
            headers
                .iter()
                .filter_map(|h| h["value"].as_str())
                .map(str::to_owned),
        );
    }
    facts
}

/// Lines of the files under `dir` that name one of `facts` (case-insensitively), as
/// `path:line: fact`.
fn lines_naming(root: &Path, dir: &str, facts: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let mut paths = Vec::new();
    files(
        &root.join(dir),
        &[".rs", ".toml", ".md", ".yaml"],
        &mut paths,
    );
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            for fact in facts {
                if lower.contains(&fact.to_lowercase()) {
                    let relative = path.strip_prefix(root).unwrap_or(&path);
                    found.push(format!("{}:{}: {fact}", relative.display(), number + 1));
                }
            }
        }
    }
    found
}

/// The generator serves any API: nothing in `generator/`, code or comment, names a fact of the
/// one this repository generates (those live in `spec/` and reach the code as data).
#[test]
fn the_generator_names_no_fact_of_the_api() {
    let root = root();
    let facts = api_facts(&root);
    assert!(
        facts.len() >= 4,
        "too few facts read from spec/api.yaml: {facts:?}"
    );
    let found = lines_naming(&root, "generator", &facts);
    assert!(
        found.is_empty(),
        "generator/ names facts of the API it generates (move them to spec/):\n{}",
        found.join("\n")
    );
    // The scan sees such a fact where there is one.
    assert!(
        !lines_naming(&root, "spec", &facts).is_empty(),
        "the scan finds the facts in spec/ itself"
    );
}

/// Public names of the generated crate (types, functions, modules) that end in digits.
fn names_ending_in_digits(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    files(&root.join("generated/src/api"), &[".rs"], &mut paths);
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            let line = line.trim_start();
            for keyword in [
                "pub struct ",
                "pub enum ",
                "pub type ",
                "pub fn ",
                "pub mod ",
            ] {
                if let Some(rest) = line.strip_prefix(keyword) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if name.ends_with(|c: char| c.is_ascii_digit()) {
                        let relative = path.strip_prefix(root).unwrap_or(&path);
                        out.push((name, relative.display().to_string()));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The last word of a name with its digits (`S3` of `AwsS3`, `y1` of `set_y1`), lower-cased.
fn last_word_with_digits(name: &str) -> String {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &name[trimmed.len()..];
    let start = trimmed
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_uppercase() || *c == '_')
        .map_or(0, |(i, c)| if c == '_' { i + 1 } else { i });
    format!("{}{digits}", &trimmed[start..]).to_lowercase()
}

/// Whether `word` stands in `text` as a whole word (not inside a longer one), case-insensitively.
fn names_word(text: &str, word: &str) -> bool {
    let lower = text.to_lowercase();
    lower.match_indices(word).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// No public name ends in a counter added to tell two names apart (`Workflow2`). Digits are
/// allowed by rule, not by count: a name may end in digits only when its last word, digits
/// included, is a word of the spec (`S3` for Losant's `s3` settings, `Y1` for a `y1` axis).
#[test]
fn no_public_name_ends_in_a_collision_counter() {
    let root = root();
    let mut spec = String::new();
    let mut paths = Vec::new();
    files(&root.join("spec"), &[".yaml"], &mut paths);
    for path in paths {
        spec.push_str(&std::fs::read_to_string(path).unwrap_or_default());
        spec.push('\n');
    }
    let names = names_ending_in_digits(&root);
    let counters: Vec<String> = names
        .iter()
        .filter(|(name, _)| !names_word(&spec, &last_word_with_digits(name)))
        .map(|(name, file)| format!("{name} ({file})"))
        .collect();
    assert!(
        counters.is_empty(),
        "public names end in a collision counter:\n{}",
        counters.join("\n")
    );
    // The rule tells the two apart.
    assert_eq!(last_word_with_digits("AwsS3"), "s3");
    assert_eq!(last_word_with_digits("set_y1"), "y1");
    assert_eq!(last_word_with_digits("Workflow2"), "workflow2");
    assert!(names_word("bucket: s3\n", "s3"));
    assert!(!names_word("type: workflows2x", "workflow2"));
}
