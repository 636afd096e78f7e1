//! The generator's answer to malformed specs, one snapshot per mistake.
//!
//! Every folder under `tests/malformed/` is one case: a spec folder holding only what differs
//! from the shared valid base (`tests/fixtures/common/api.yaml` and `error.yaml` are copied in
//! when the case does not provide its own). A case folder holding `.no-base` gets nothing
//! copied in. Files whose names start with a dot are not part of the spec (the loader reads
//! only `*.yaml`): `.expect` lists, one a line, texts the case's diagnostics must contain.
//!
//! - `err_<what>` cases hold one mistake each: generation must fail, and the full text of the
//!   diagnostics is snapshot (`tests/snapshots/malformed__err_<what>.snap`), so the exact
//!   message of each mistake is reviewed.
//! - `ok_<what>` cases are valid but tricky: generation must succeed, every file must parse as
//!   Rust, and the snapshot lists the generated files and the types in each.
//!
//! No case may panic, hang or overflow the stack. Each runs in a child process (this test
//! binary, run again for one spec), on a thread with the main thread's stack size (8 MiB),
//! under a generous hang guard: a panic, an abort (a stack overflow cannot be caught) or a
//! hang of one case is reported with the others, at the end, rather than ending the run.
//! The hostile inputs too large to commit (very deep nesting, 10 MB files and lines, tens of
//! thousands of problems) are written by the tests below into temporary folders; their
//! snapshots show that long source lines are cut around the problem. Their times are measured
//! by `cargo xtask bench` (docs/BENCHMARKS.md), never asserted here.
//!
//! Write or update the snapshots with
//! `INSTA_UPDATE=always cargo test -p losant-tests --test malformed`, then review them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use losant_tests::{copy_tree, options, root};
use restgen::GeneratedFile;

/// The stack of every run: the main thread's usual size, not the 2 MiB of test threads.
const STACK: usize = 8 * 1024 * 1024;

/// Only a guard against hangs: a case normally takes milliseconds.
const HANG_GUARD: Duration = Duration::from_secs(10);

/// The hang guard of the 20,000-parameter file: generating its 9 MB of Rust takes about 5 s
/// in a debug build on a quiet 2-core machine (linear in the number of parameters), so 10 s
/// would fail on a busy one.
const LARGE_HANG_GUARD: Duration = Duration::from_secs(30);

/// Set for the child process: the spec folder to generate, and where to write the outcome.
const CHILD_SPEC: &str = "MALFORMED_CHILD_SPEC";
const CHILD_OUT: &str = "MALFORMED_CHILD_OUT";

/// What one guarded run of the generator did.
enum Outcome {
    /// Files were generated; the summary of the files, or why one is not valid Rust.
    Generated(Result<String, String>),
    /// The full text of the diagnostics.
    Rejected(String),
    Panicked(String),
    /// The child process died (a stack overflow aborts), with the end of what it printed.
    Crashed(String),
    Hung,
}

/// Not a test of its own: the entry point of the child process that [`generate_guarded`]
/// starts. Without its environment variables it does nothing.
#[test]
fn child_process_generates_one_spec() {
    let (Some(spec), Some(out)) = (std::env::var_os(CHILD_SPEC), std::env::var_os(CHILD_OUT))
    else {
        return;
    };
    let spec = PathBuf::from(spec);
    let outcome = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || std::panic::catch_unwind(|| restgen::generate(&spec, &options())))
        .expect("spawn a generator thread")
        .join()
        .expect("the generator thread catches its panics");
    let text = match outcome {
        Ok(Ok(files)) => match summary(&files) {
            Ok(summary) => format!("generated\n{summary}"),
            Err(why) => format!("invalid\n{why}"),
        },
        Ok(Err(problems)) => format!("rejected\n{problems}"),
        Err(payload) => format!("panicked\n{}", panic_message(payload.as_ref())),
    };
    std::fs::write(out, text).expect("write the outcome");
}

/// Runs `restgen::generate` on `dir` in a child process (see
/// [`child_process_generates_one_spec`]), which is killed after `guard`.
fn generate_guarded(dir: &Path, guard: Duration) -> (Outcome, Duration) {
    let work = tempfile::tempdir().expect("a temporary folder");
    let out = work.path().join("outcome.txt");
    let err = work.path().join("stderr.txt");
    let start = Instant::now();
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "child_process_generates_one_spec",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_SPEC, dir)
        .env(CHILD_OUT, &out)
        // For the place of a panic in the generator, not in the crate that raised it.
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).expect("a stderr file"))
        .spawn()
        .expect("start the test binary again");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break Some(status);
        }
        if start.elapsed() > guard {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    let outcome = match (status, std::fs::read_to_string(&out)) {
        (None, _) => Outcome::Hung,
        (Some(_), Ok(text)) => {
            let (kind, rest) = text.split_once('\n').unwrap_or((&text, ""));
            match kind {
                "generated" => Outcome::Generated(Ok(rest.to_owned())),
                "invalid" => Outcome::Generated(Err(rest.to_owned())),
                "rejected" => Outcome::Rejected(rest.to_owned()),
                _ => {
                    // The child's panic hook printed the backtrace: name the generator's
                    // innermost frame.
                    let mut lines = stderr.lines().map(str::trim);
                    let place = lines
                        .by_ref()
                        .find(|l| l.contains("restgen::"))
                        .map(|frame| {
                            let at = lines.next().unwrap_or_default();
                            format!("{frame} {at}")
                        })
                        .unwrap_or_default();
                    Outcome::Panicked(format!("{rest} (in {place})"))
                }
            }
        }
        (Some(status), Err(_)) => {
            let lines: Vec<&str> = stderr.lines().collect();
            let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
            Outcome::Crashed(format!("{status}: {tail}"))
        }
    };
    (outcome, took)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// A temporary spec folder: the case's files, plus the shared base unless `.no-base`.
fn case_dir(case: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_tree(case, dir.path());
    if !case.join(".no-base").exists() {
        let common = root().join("tests/fixtures/common");
        let api = dir.path().join("api.yaml");
        if !api.exists() {
            std::fs::copy(common.join("api.yaml"), api).expect("copy api.yaml");
        }
        let error = dir.path().join("schemas/error.yaml");
        if !error.exists() {
            std::fs::create_dir_all(dir.path().join("schemas")).expect("schemas folder");
            std::fs::copy(common.join("error.yaml"), error).expect("copy error.yaml");
        }
    }
    dir
}

/// The generated files and the types each declares, or why they are not valid Rust (two
/// files with one path, a file that does not parse, a name declared twice in one scope).
fn summary(files: &[GeneratedFile]) -> Result<String, String> {
    fn collect(items: &[syn::Item], prefix: &str, out: &mut Vec<String>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => out.push(format!("{prefix}{} (struct)", s.ident)),
                syn::Item::Enum(e) => out.push(format!("{prefix}{} (enum)", e.ident)),
                syn::Item::Type(t) => out.push(format!("{prefix}{} (alias)", t.ident)),
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        collect(inner, &format!("{prefix}{}::", m.ident), out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    if let Some(pair) = paths.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(format!("two generated files are named {}", pair[0]));
    }
    let mut text = String::from("generated:\n");
    for file in files {
        let parsed = syn::parse_file(&file.contents)
            .map_err(|err| format!("{} is not valid Rust: {err}", file.path))?;
        if let Some(twice) = declared_twice(&parsed.items, "") {
            return Err(format!("{} declares `{twice}` twice", file.path));
        }
        let mut types = Vec::new();
        collect(&parsed.items, "", &mut types);
        let _ = writeln!(text, "{}", file.path);
        for ty in types {
            let _ = writeln!(text, "    {ty}");
        }
    }
    Ok(text)
}

/// The first name declared twice in one scope of a file (modules, structs, enums, unions,
/// traits and type aliases share Rust's type namespace), as `scope::Name`.
fn declared_twice(items: &[syn::Item], scope: &str) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let ident = match item {
            syn::Item::Struct(s) => &s.ident,
            syn::Item::Enum(e) => &e.ident,
            syn::Item::Union(u) => &u.ident,
            syn::Item::Trait(t) => &t.ident,
            syn::Item::Type(t) => &t.ident,
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let inner_scope = format!("{scope}{}::", m.ident);
                    if let Some(twice) = declared_twice(inner, &inner_scope) {
                        return Some(twice);
                    }
                }
                &m.ident
            }
            _ => continue,
        };
        if !seen.insert(ident.to_string()) {
            return Some(format!("{scope}{ident}"));
        }
    }
    None
}

/// The folders under `tests/malformed/`, sorted.
fn cases() -> Vec<PathBuf> {
    let corpus = root().join("tests/malformed");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("tests/malformed exists")
        .map(|entry| entry.expect("folder entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// The case's files, for the snapshot's description.
fn listing(case: &Path) -> String {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if name.starts_with('.') && name != ".no-base" {
                continue;
            }
            if path.is_dir() {
                walk(&path, base, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.display().to_string().replace('\\', "/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(case, case, &mut files);
    files.join(", ")
}

/// `text` with every line longer than 200 characters cut, saying how much was cut: the
/// hostile inputs have lines of tens of thousands of characters, which the report quotes.
fn cut_long_lines(text: &str) -> String {
    text.lines()
        .map(|line| match line.char_indices().nth(200) {
            Some((at, _)) => {
                let rest = line[at..].chars().count();
                format!("{}… [{rest} more characters]", &line[..at])
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Snapshots `text` under `name`; a mismatch is returned, not panicked on.
fn snapshot(name: &str, description: &str, text: &str) -> Result<(), String> {
    let result = std::panic::catch_unwind(|| {
        insta::with_settings!({ description => description, omit_expression => true }, {
            insta::assert_snapshot!(name, text);
        });
    });
    result.map_err(|payload| {
        let message = panic_message(payload.as_ref());
        let first = message.lines().next().unwrap_or_default().to_owned();
        format!("snapshot `{name}` does not match: {first}")
    })
}

#[test]
fn every_malformed_spec_is_reported_and_every_tricky_one_generates() {
    let cases = cases();
    assert!(
        cases.len() >= 45,
        "the corpus should hold at least 45 cases, not {}",
        cases.len()
    );
    let mut failures: Vec<String> = Vec::new();
    let mut timings: Vec<(Duration, String)> = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expect_ok = name.starts_with("ok_");
        if !expect_ok && !name.starts_with("err_") {
            failures.push(format!("{name}: a case's name starts with `err_` or `ok_`"));
            continue;
        }
        let dir = case_dir(case);
        let (outcome, took) = generate_guarded(dir.path(), HANG_GUARD);
        timings.push((took, name.clone()));
        let text = match outcome {
            Outcome::Panicked(message) => {
                failures.push(format!("{name}: PANIC: {message}"));
                continue;
            }
            Outcome::Crashed(why) => {
                failures.push(format!("{name}: CRASH: {why}"));
                continue;
            }
            Outcome::Hung => {
                failures.push(format!("{name}: no answer within {HANG_GUARD:?}"));
                continue;
            }
            Outcome::Generated(Err(why)) => {
                failures.push(format!("{name}: {why}"));
                continue;
            }
            Outcome::Generated(Ok(summary)) if expect_ok => summary,
            Outcome::Generated(Ok(_)) => {
                failures.push(format!("{name}: generated code from a malformed spec"));
                continue;
            }
            Outcome::Rejected(text) => {
                if expect_ok {
                    failures.push(format!("{name}: a valid spec was rejected:\n{text}"));
                }
                text
            }
        };
        if let Ok(expected) = std::fs::read_to_string(case.join(".expect")) {
            for wanted in expected.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !text.contains(wanted) {
                    failures.push(format!("{name}: the report does not mention `{wanted}`"));
                }
            }
        }
        let description = format!("tests/malformed/{name}: {}", listing(case));
        if let Err(why) = snapshot(&name, &description, &text) {
            failures.push(format!("{name}: {why}"));
        }
    }
    timings.sort();
    let slowest: Vec<String> = timings
        .iter()
        .rev()
        .take(3)
        .map(|(took, name)| format!("{name} {took:?}"))
        .collect();
    eprintln!("{} cases; slowest: {}", cases.len(), slowest.join(", "));
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Writes a spec (the shared base plus `files`) into a temporary folder and generates it,
/// asserting no panic, no hang; the outcome is snapshot as `name`.
fn hostile(name: &str, description: &str, files: &[(&str, String)], guard: Duration) {
    hostile_kept(name, description, files, guard, usize::MAX);
}

/// [`hostile`], snapshotting only the first `keep` lines of the outcome and its last three
/// (what was not shown, and the count of problems), for an outcome too long to review.
fn hostile_kept(
    name: &str,
    description: &str,
    files: &[(&str, String)],
    guard: Duration,
    keep: usize,
) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("folder");
        std::fs::write(path, contents).expect("write a spec file");
    }
    let common = root().join("tests/fixtures/common");
    std::fs::copy(common.join("api.yaml"), dir.path().join("api.yaml")).expect("api.yaml");
    std::fs::create_dir_all(dir.path().join("schemas")).expect("schemas folder");
    std::fs::copy(
        common.join("error.yaml"),
        dir.path().join("schemas/error.yaml"),
    )
    .expect("error.yaml");
    let (outcome, took) = generate_guarded(dir.path(), guard);
    eprintln!("{name}: {took:?}");
    let text = match outcome {
        Outcome::Panicked(message) => panic!("{name} panicked: {message}"),
        Outcome::Crashed(why) => panic!("{name} crashed: {why}"),
        Outcome::Hung => panic!("{name} gave no answer within {guard:?}"),
        Outcome::Generated(summary) => summary.unwrap_or_else(|why| panic!("{why}")),
        Outcome::Rejected(text) => text,
    };
    // The snapshot keeps the start of each line only; the full text's size is recorded.
    let lines: Vec<&str> = text.lines().collect();
    let kept = if lines.len() > keep.saturating_add(3) {
        format!(
            "{}\n[{} lines left out]\n{}",
            lines[..keep].join("\n"),
            lines.len() - keep - 3,
            lines[lines.len() - 3..].join("\n")
        )
    } else {
        text.clone()
    };
    let text = format!(
        "({} lines, {} characters in full; long lines cut at 200 characters)\n{}",
        lines.len(),
        text.chars().count(),
        cut_long_lines(&kept)
    );
    if let Err(why) = snapshot(name, description, &text) {
        panic!("{why}");
    }
}

/// A resource with one GET action answering with `schema`, plus `query` lines.
fn resource(schema: &str, query: &str) -> String {
    format!(
        "path: /widgets\nactions:\n  get:\n    method: GET\n    summary: Get a widget\n    \
         scopes: [widgets.get]\n{query}    responses:\n      200: {{ schema: {schema}, \
         description: The widget }}\n"
    )
}

/// A schema `items` nested `depth` levels deep (flow style, so the file stays small).
fn deep_items(depth: usize) -> String {
    let mut text = String::from("title: Deep\ntype: array\nitems: ");
    for _ in 0..depth {
        text.push_str("{type: array, items: ");
    }
    text.push_str("{type: string}");
    text.push_str(&"}".repeat(depth));
    text.push('\n');
    text
}

#[test]
fn hostile_schema_nested_5000_levels() {
    hostile(
        "hostile_deep_items_5000",
        "schemas/deep.yaml: an array of arrays, 5,000 `items` levels deep",
        &[
            ("schemas/deep.yaml", deep_items(5000)),
            ("resources/widgets.yaml", resource("deep", "")),
        ],
        HANG_GUARD,
    );
}

#[test]
fn hostile_schema_nested_100_levels() {
    // Deep, but within what a YAML parser should accept: the generator's own recursion
    // (check, lower, emit) must cope.
    hostile(
        "hostile_deep_items_100",
        "schemas/deep.yaml: an array of arrays, 100 `items` levels deep",
        &[
            ("schemas/deep.yaml", deep_items(100)),
            ("resources/widgets.yaml", resource("deep", "")),
        ],
        HANG_GUARD,
    );
}

#[test]
fn hostile_example_nested_5000_levels() {
    let value = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let query = format!("    query:\n      - {{ name: deep, type: array, example: {value} }}\n");
    hostile(
        "hostile_deep_example_5000",
        "resources/widgets.yaml: a query parameter's example nested 5,000 lists deep",
        &[("resources/widgets.yaml", resource("error", &query))],
        HANG_GUARD,
    );
}

#[test]
fn hostile_resource_with_20000_query_params() {
    let mut query = String::from("    query:\n");
    for i in 0..20_000 {
        let _ = writeln!(
            query,
            "      - {{ name: param{i}, type: string, description: Parameter {i} }}"
        );
    }
    hostile(
        "hostile_20000_query_params",
        "resources/widgets.yaml: one action with 20,000 query parameters",
        &[("resources/widgets.yaml", resource("error", &query))],
        LARGE_HANG_GUARD,
    );
}

/// The messages `generator/src/check.rs` can report, one per rule: each string literal it
/// makes a message or a help of (`format!(`, `Diagnostic::new(`, `.help(`, `"...".into()`),
/// cut to its longest fixed part (the text between placeholders).
fn check_rules() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("generator/src/check.rs")).expect("check.rs");
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    // Without comments, with `\`-continued literals joined.
    let mut joined = String::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        joined.push_str(line);
        joined.push('\n');
    }
    let joined = {
        let mut out = String::new();
        let mut rest = joined.as_str();
        while let Some(i) = rest.find("\\\n") {
            out.push_str(&rest[..i]);
            rest = rest[i + 2..].trim_start();
        }
        out.push_str(rest);
        out
    };
    let mut rules = Vec::new();
    let mut rest = joined.as_str();
    let mut before = String::new();
    while let Some(start) = rest.find('"') {
        before.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after
            .char_indices()
            .scan(false, |escaped, (i, c)| {
                let closes = c == '"' && !*escaped;
                *escaped = c == '\\' && !*escaped;
                Some((i, closes))
            })
            .find_map(|(i, closes)| closes.then_some(i))
        else {
            break;
        };
        let literal = &after[..end];
        rest = &after[end + 1..];
        let lead = before.trim_end();
        let is_message = lead.ends_with("format!(")
            || lead.ends_with("Diagnostic::new(")
            || lead.ends_with(".help(")
            || rest.starts_with(".into()");
        before.clear();
        if !is_message {
            continue;
        }
        // The longest fixed part, placeholders (`{name}`, `{}`) removed.
        let mut parts = Vec::new();
        let mut part = String::new();
        let mut depth = 0;
        for c in literal.chars() {
            match c {
                '{' => {
                    depth += 1;
                    parts.push(std::mem::take(&mut part));
                }
                '}' if depth > 0 => depth -= 1,
                _ if depth == 0 => part.push(c),
                _ => {}
            }
        }
        parts.push(part);
        if let Some(fixed) = parts
            .iter()
            .map(|p| p.trim().replace("\\\"", "\"").replace("\\\\", "\\"))
            // Key paths (`{at}.events.{name}`) are not messages: messages are sentences.
            .filter(|p| p.len() >= 8 && p.contains(' '))
            .max_by_key(String::len)
        {
            rules.push(fixed);
        }
    }
    rules.sort();
    rules.dedup();
    rules
}

/// Every rule of `check.rs` has a malformed case that reports it: a rule whose message no
/// `err_` snapshot shows is a rule nobody has seen fire.
#[test]
fn every_check_rule_has_a_malformed_case() {
    let rules = check_rules();
    assert!(
        rules.len() >= 25,
        "only {} rules found in check.rs: {rules:?}",
        rules.len()
    );
    let mut snapshots = String::new();
    for entry in std::fs::read_dir(root().join("tests/snapshots"))
        .expect("snapshots")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("malformed__err_") && name.ends_with(".snap") {
            snapshots.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    let unseen: Vec<&String> = rules
        .iter()
        .filter(|r| !snapshots.contains(r.as_str()))
        .collect();
    assert!(
        unseen.is_empty(),
        "{} of the {} rules of check.rs have no malformed case (add one under tests/malformed/):\n{}",
        unseen.len(),
        rules.len(),
        unseen
            .iter()
            .map(|r| format!("  {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The case: one 400 KB line of 200,000 nested lists, which took minutes to refuse
/// (the YAML parser's work grows with the square of the depth). It is refused at the 129th
/// level, and the diagnostic shows the line cut around the place.
#[test]
fn hostile_flow_nested_200000_levels_on_one_line() {
    let depth = 200_000;
    hostile(
        "hostile_deep_flow_200000",
        "resources/widgets.yaml: `deep: [[[...]]]`, 200,000 levels on one 400 KB line",
        &[(
            "resources/widgets.yaml",
            format!("deep: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        )],
        HANG_GUARD,
    );
}

/// 10 MB of nested lists: 5,000,000 levels.
#[test]
fn hostile_flow_nested_in_10_mb() {
    let depth = 5_000_000;
    hostile(
        "hostile_deep_flow_10mb",
        "schemas/deep.yaml: `items: [[[...]]]`, 5,000,000 levels on one 10 MB line",
        &[
            (
                "schemas/deep.yaml",
                format!(
                    "title: Deep\ntype: array\nitems: {}{}\n",
                    "[".repeat(depth),
                    "]".repeat(depth)
                ),
            ),
            ("resources/widgets.yaml", resource("deep", "")),
        ],
        HANG_GUARD,
    );
}

/// 9.6 MB of maps nested by indentation, 3,100 levels (no brackets at all), in a schema's
/// example (which may hold any value, so nothing stops the reading earlier).
#[test]
fn hostile_block_nested_in_10_mb() {
    let mut text = String::from("title: Deep\ntype: object\nexamples:\n  - ");
    for level in 0..3_100 {
        if level > 0 {
            text.push_str(&"  ".repeat(level + 1));
        }
        text.push_str("k:\n");
    }
    text.push_str(&"  ".repeat(3_102));
    text.push_str("end\n");
    hostile(
        "hostile_deep_block_10mb",
        "schemas/deep.yaml: an example of maps nested 3,100 levels deep by indentation (9.6 MB)",
        &[
            ("schemas/deep.yaml", text),
            ("resources/widgets.yaml", resource("deep", "")),
        ],
        HANG_GUARD,
    );
}

/// A resource on one 10 MB line, the mistake at its far end: the diagnostic shows the line
/// cut around the mistake, the caret under it and the true column.
#[test]
fn hostile_mistake_at_the_end_of_a_10_mb_line() {
    let padding = "x".repeat(10_000_000);
    hostile(
        "hostile_long_line_10mb",
        "resources/widgets.yaml: one 10 MB line, an unknown key at its end",
        &[(
            "resources/widgets.yaml",
            format!("{{path: /widgets, description: \"{padding}\", actions: {{}}, bogus: 1}}\n"),
        )],
        HANG_GUARD,
    );
}

/// A 10 MB value of the wrong type, which the message quotes: cut, start and end kept.
#[test]
fn hostile_10_mb_value_quoted_in_the_message() {
    hostile(
        "hostile_long_value_10mb",
        "resources/widgets.yaml: `path_params` is a 10 MB string instead of a list",
        &[(
            "resources/widgets.yaml",
            format!(
                "path: /widgets\npath_params: \"{}\"\nactions: {{}}\n",
                "y".repeat(10_000_000)
            ),
        )],
        HANG_GUARD,
    );
}

/// 50,000 problems in one 2.6 MB file: each is placed (one walk of the file for all of them)
/// and shown with its line (the file's lines indexed once), so the work grows with the file,
/// not with the file times the problems.
#[test]
fn hostile_50000_problems_in_one_file() {
    let mut query = String::from("    query:\n");
    for i in 0..50_000 {
        let _ = writeln!(
            query,
            "      - {{ name: p{i}, type: integer, default: abc }}"
        );
    }
    hostile_kept(
        "hostile_50000_problems",
        "resources/widgets.yaml: 50,000 query parameters whose default is not an integer",
        &[("resources/widgets.yaml", resource("error", &query))],
        LARGE_HANG_GUARD,
        16,
    );
}
