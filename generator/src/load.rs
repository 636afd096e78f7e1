//! Stage 1, load: read a spec folder into the typed [`Spec`].

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{Api, NamedSchema, Resource, ResourceBody, Schema, Spec};

/// Reads `api.yaml`, `resources/*.yaml` and `schemas/*.yaml` under `dir`. Every file is read
/// even after a failure, so one run reports every load problem.
pub fn load_dir(dir: &Path) -> Result<Spec, Diagnostics> {
    let mut problems = Diagnostics::new();
    if !dir.is_dir() {
        return Err(
            Diagnostic::new(format!("spec folder `{}` does not exist", dir.display())).into(),
        );
    }
    let mut sources = BTreeMap::new();
    let api = load_file::<Api>(dir, Path::new("api.yaml"), &mut problems, &mut sources);
    // Resources and schemas are read and parsed on two threads (parsing YAML is most of the
    // time); their problems are kept in this order.
    let (resources, schemas) = std::thread::scope(|scope| {
        let schemas = scope.spawn(|| {
            let mut problems = Diagnostics::new();
            let mut sources = BTreeMap::new();
            let schema_files = yaml_files(dir, "schemas", &mut problems);
            let schemas: Vec<NamedSchema> =
                load_files::<Schema>(dir, schema_files, &mut problems, &mut sources)
                    .into_iter()
                    .map(|(file, schema)| NamedSchema {
                        id: stem(&file),
                        file,
                        schema,
                    })
                    .collect();
            (schemas, problems, sources)
        });
        let resource_files = yaml_files(dir, "resources", &mut problems);
        let resources =
            load_files::<ResourceBody>(dir, resource_files, &mut problems, &mut sources)
                .into_iter()
                .map(|(file, body)| Resource {
                    name: stem(&file),
                    file,
                    body,
                })
                .collect::<Vec<_>>();
        let schemas = match schemas.join() {
            Ok((schemas, more, more_sources)) => {
                problems.extend(more);
                sources.extend(more_sources);
                schemas
            }
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (resources, schemas)
    });
    let problems_so_far = problems.len();
    if resources.is_empty() && problems_so_far == 0 {
        problems.push(
            Diagnostic::new("the spec has no resources")
                .in_file("resources")
                .help("add a file `resources/NAME.yaml` describing one resource"),
        );
    }
    match api {
        Some(api) if problems.is_empty() => Ok(Spec {
            api,
            resources,
            schemas,
            sources,
        }),
        // `load_file` recorded why a file could not be loaded.
        _ => Err(problems.with_sources(&sources)),
    }
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `.yaml` files of a sub-folder, sorted by name, relative to the spec folder.
fn yaml_files(dir: &Path, sub: &str, problems: &mut Diagnostics) -> Vec<PathBuf> {
    let folder = dir.join(sub);
    let entries = match fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(err) => {
            problems.push(Diagnostic::new(format!("cannot read folder: {err}")).in_file(sub));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter_map(|p| p.file_name().map(|n| Path::new(sub).join(n)))
        .collect();
    files.sort();
    files
}

/// Reads and parses `files`, on every core (parsing is most of loading, and files are
/// independent); each file's problem and text are recorded as [`load_file`] records them.
/// Returns the files that parsed, in the order given.
fn load_files<T: DeserializeOwned + Send>(
    dir: &Path,
    files: Vec<PathBuf>,
    problems: &mut Diagnostics,
    sources: &mut BTreeMap<PathBuf, String>,
) -> Vec<(PathBuf, T)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(i) else {
                return done;
            };
            done.push((i, read_file::<T>(dir, file)));
        }
    };
    let mut read: Vec<_> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            // A parse that panics is the generator's bug: it goes on as it would on one thread.
            match helper.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    read.sort_by_key(|(i, _)| *i);
    let mut loaded = Vec::new();
    for ((_, (value, source, problem)), file) in read.into_iter().zip(files) {
        if let Some(problem) = problem {
            problems.push(problem);
        }
        if let Some(text) = source {
            sources.insert(file.clone(), text);
        }
        if let Some(value) = value {
            loaded.push((file, value));
        }
    }
    loaded
}

/// Reads and parses one file; problems are recorded and `None` returned.
fn load_file<T: DeserializeOwned>(
    dir: &Path,
    file: &Path,
    problems: &mut Diagnostics,
    sources: &mut BTreeMap<PathBuf, String>,
) -> Option<T> {
    let (value, source, problem) = read_file(dir, file);
    if let Some(problem) = problem {
        problems.push(problem);
    }
    if let Some(text) = source {
        sources.insert(file.to_path_buf(), text);
    }
    value
}

/// Reads and parses one file: its value, its text (when it is text) and its problem.
fn read_file<T: DeserializeOwned>(
    dir: &Path,
    file: &Path,
) -> (Option<T>, Option<String>, Option<Diagnostic>) {
    let bytes = match fs::read(dir.join(file)) {
        Ok(bytes) => bytes,
        Err(err) => {
            let problem = Diagnostic::new(format!("cannot read file: {err}")).in_file(file);
            return (None, None, Some(problem));
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            let problem = Diagnostic::new("file is not valid UTF-8")
                .in_file(file)
                .at_position(line, column)
                .help("save the file as UTF-8");
            return (None, None, Some(problem));
        }
    };
    match parse_yaml::<T>(&text) {
        Ok(value) => (Some(value), Some(text), None),
        Err(diagnostic) => (None, Some(text), Some(diagnostic.in_file(file))),
    }
}

/// How deep lists and maps may nest in a spec file, the file's top-level map counting as one:
/// serde_yaml's own limit.
pub const MAX_DEPTH: usize = 128;

/// The problem reported for a file nested deeper than [`MAX_DEPTH`].
const TOO_DEEP: &str = "lists and maps nested more than 128 levels deep";
/// serde_yaml's words for it.
const SERDE_TOO_DEEP: &str = "recursion limit exceeded";

/// Parses YAML text into `T`, naming the key path and position of any error.
///
/// A text nested deeper than [`MAX_DEPTH`] is refused before it is parsed (see
/// `first_too_deep`): serde_yaml would refuse it too, but only after its parser had read the
/// whole text, which for `[[[[...` takes time quadratic in the depth (minutes for 200,000
/// levels).
pub fn parse_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    if let Some((line, column, key_path)) = first_too_deep(text) {
        return Err(too_deep(
            Diagnostic::new(TOO_DEEP)
                .at(key_path)
                .at_position(line, column),
        ));
    }
    // Parsed first without tracking the key path (a fifth of the time on the full spec); only
    // a text that fails is parsed again, the same way, to say where.
    if let Ok(value) = T::deserialize(serde_yaml::Deserializer::from_str(text)) {
        return Ok(value);
    }
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let mut message = inner.to_string();
        // serde_yaml appends " at line L column C"; the position is reported separately.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        if message == SERDE_TOO_DEEP {
            message = TOO_DEEP.to_owned();
        }
        // serde_yaml puts the path of the enclosing mapping first; it is reported separately.
        if let Some(rest) = message
            .split_once(": ")
            .filter(|(prefix, _)| path.starts_with(prefix))
            .map(|(_, rest)| rest.to_owned())
        {
            message = rest;
        }
        let hint = did_you_mean(&message);
        let mut diagnostic = Diagnostic::new(message);
        if let Some(hint) = hint {
            diagnostic = diagnostic.help(hint);
        }
        if diagnostic.message == TOO_DEEP {
            diagnostic = too_deep(diagnostic);
        }
        if path != "." {
            diagnostic = diagnostic.at(path);
        }
        if let Some(location) = inner.location() {
            let (line, column) = duplicate_key_position(text, &diagnostic.message, location.line())
                .unwrap_or((location.line(), location.column()));
            diagnostic = diagnostic.at_position(line, column);
        }
        diagnostic
    })
}

fn too_deep(diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.help(format!(
        "a list or map may sit inside at most {} others (the file's top level is one)",
        MAX_DEPTH - 1
    ))
}

/// The 1-based line and column and the key path of the first list or map of `text` nested more
/// than [`MAX_DEPTH`] deep, if any, found in time linear in the text, however deep it goes.
///
/// Only flow nesting (`[` and `{`) is costly to parse, and a text nests no deeper in it than
/// it has `[` and `{`: a text with at most [`MAX_DEPTH`] of them goes straight to serde_yaml
/// (which reports deep block nesting itself, and cheaply). Any other text is read event by
/// event by libyaml, the very parser under serde_yaml, which stops at the first list or map
/// too deep; libyaml reads at most 1,024 characters ahead, so it never goes much deeper than
/// the limit. A syntax error before that ends the search: serde_yaml reports it, and its
/// parser stops there too.
fn first_too_deep(text: &str) -> Option<(usize, usize, String)> {
    let brackets = text.bytes().filter(|b| matches!(b, b'[' | b'{'));
    if brackets.take(MAX_DEPTH + 1).count() <= MAX_DEPTH {
        return None;
    }
    libyaml::first_deeper_than(text, MAX_DEPTH)
}

/// libyaml (through `unsafe_libyaml`, as serde_yaml drives it), event by event.
#[allow(unsafe_code)]
mod libyaml {
    use std::mem::MaybeUninit;

    /// What [`Parser::next`] hands over of an event.
    struct Event {
        kind: unsafe_libyaml::yaml_event_type_t,
        /// 0-based line and column of its start.
        line: u64,
        column: u64,
        /// A scalar's value.
        scalar: Option<String>,
    }

    /// A parser over a borrowed text, deleted when dropped. Boxed: libyaml keeps a pointer to
    /// the parser in the parser, so it must not move.
    struct Parser<'text> {
        sys: Box<MaybeUninit<unsafe_libyaml::yaml_parser_t>>,
        _text: &'text [u8],
    }

    impl<'text> Parser<'text> {
        fn new(text: &'text [u8]) -> Option<Self> {
            let mut sys = Box::new(MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit());
            // SAFETY: `yaml_parser_initialize` initialises the whole parser it is given (it
            // fails only when it cannot allocate, leaving nothing to delete). The input string
            // is `text`, which the parser borrows for its whole life; the parser is boxed, so
            // the pointer libyaml keeps to it stays valid.
            unsafe {
                if unsafe_libyaml::yaml_parser_initialize(sys.as_mut_ptr()).fail {
                    return None;
                }
                unsafe_libyaml::yaml_parser_set_encoding(
                    sys.as_mut_ptr(),
                    unsafe_libyaml::YAML_UTF8_ENCODING,
                );
                unsafe_libyaml::yaml_parser_set_input_string(
                    sys.as_mut_ptr(),
                    text.as_ptr(),
                    text.len() as u64,
                );
            }
            Some(Parser { sys, _text: text })
        }

        /// The next event (with a scalar's value only when `want_scalar`); `None` after a
        /// syntax error.
        fn next(&mut self, want_scalar: bool) -> Option<Event> {
            let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
            // SAFETY: the parser was initialised (`new`); a successful `yaml_parser_parse`
            // initialises `event`, whose scalar data (a value of `length` bytes) is read only
            // for a scalar event, then the event is deleted, once.
            unsafe {
                if unsafe_libyaml::yaml_parser_parse(self.sys.as_mut_ptr(), event.as_mut_ptr()).fail
                {
                    return None;
                }
                let read = {
                    let event = &*event.as_ptr();
                    let scalar = (want_scalar && event.type_ == unsafe_libyaml::YAML_SCALAR_EVENT)
                        .then(|| {
                            let scalar = event.data.scalar;
                            let bytes = std::slice::from_raw_parts(
                                scalar.value,
                                usize::try_from(scalar.length).unwrap_or(0),
                            );
                            String::from_utf8_lossy(bytes).into_owned()
                        });
                    Event {
                        kind: event.type_,
                        line: event.start_mark.line,
                        column: event.start_mark.column,
                        scalar,
                    }
                };
                unsafe_libyaml::yaml_event_delete(event.as_mut_ptr());
                Some(read)
            }
        }
    }

    impl Drop for Parser<'_> {
        fn drop(&mut self) {
            // SAFETY: the parser was initialised (`new` returns none otherwise) and is
            // deleted once.
            unsafe { unsafe_libyaml::yaml_parser_delete(self.sys.as_mut_ptr()) }
        }
    }

    /// An open list or map, for the key path.
    enum Frame {
        /// The key whose value comes next, once read.
        Map(Option<String>),
        /// The index of the item that comes next.
        Seq(usize),
    }

    /// A value is complete: its list moves to the next item, its map to the next key.
    fn advance(frames: &mut [Frame]) {
        match frames.last_mut() {
            Some(Frame::Map(key)) => *key = None,
            Some(Frame::Seq(index)) => *index += 1,
            None => {}
        }
    }

    /// `a.b[2]`, as serde_path_to_error writes paths.
    fn key_path(frames: &[Frame]) -> String {
        let mut path = String::new();
        for frame in frames {
            match frame {
                Frame::Map(Some(key)) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Frame::Map(None) => {}
                Frame::Seq(index) => path.push_str(&format!("[{index}]")),
            }
        }
        path
    }

    /// The 1-based line and column and the key path of the first list or map of `text`
    /// nested more than `max` deep; `None` when there is none, or when a syntax error comes
    /// first.
    pub(super) fn first_deeper_than(text: &str, max: usize) -> Option<(usize, usize, String)> {
        let mut parser = Parser::new(text.as_bytes())?;
        let mut frames: Vec<Frame> = Vec::new();
        loop {
            // Only a key's value is kept, for the key path.
            let key_next = matches!(frames.last(), Some(Frame::Map(None)));
            let event = parser.next(key_next)?;
            match event.kind {
                unsafe_libyaml::YAML_MAPPING_START_EVENT
                | unsafe_libyaml::YAML_SEQUENCE_START_EVENT => {
                    if frames.len() == max {
                        let at = |n: u64| usize::try_from(n).unwrap_or(usize::MAX - 1) + 1;
                        return Some((at(event.line), at(event.column), key_path(&frames)));
                    }
                    // A list or map as a key: name it so that nothing matches.
                    if let Some(Frame::Map(key @ None)) = frames.last_mut() {
                        *key = Some("?".into());
                    }
                    frames.push(if event.kind == unsafe_libyaml::YAML_MAPPING_START_EVENT {
                        Frame::Map(None)
                    } else {
                        Frame::Seq(0)
                    });
                }
                unsafe_libyaml::YAML_MAPPING_END_EVENT
                | unsafe_libyaml::YAML_SEQUENCE_END_EVENT => {
                    frames.pop();
                    advance(&mut frames);
                }
                unsafe_libyaml::YAML_SCALAR_EVENT => match frames.last_mut() {
                    Some(Frame::Map(key @ None)) => *key = event.scalar,
                    _ => advance(&mut frames),
                },
                unsafe_libyaml::YAML_ALIAS_EVENT => advance(&mut frames),
                unsafe_libyaml::YAML_STREAM_END_EVENT => return None,
                _ => {}
            }
        }
    }
}

/// For "duplicate key `K`" (reported by the parser at the start of the map), the position of
/// the second `K:` at or after `from_line`, the one to remove.
fn duplicate_key_position(text: &str, message: &str, from_line: usize) -> Option<(usize, usize)> {
    let key = message.strip_prefix("duplicate key `")?.split('`').next()?;
    let mut seen = 0;
    for (i, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if unquoted
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).starts_with(':'))
        {
            seen += 1;
            if seen == 2 {
                return Some((i + 1, line.len() - trimmed.len() + 1));
            }
        }
    }
    None
}

/// For "unknown field `sumary`, expected one of `method`, `summary`, ..." (and unknown
/// variants), the closest expected name: "did you mean `summary`?".
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, expected) = rest.split_once('`')?;
    let candidates = expected.split('`').skip(1).step_by(2);
    let (score, best) = candidates
        .map(|c| {
            (
                strsim::jaro_winkler(&unknown.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (score >= 0.8).then(|| format!("did you mean `{best}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_too_deep_is_found_where_serde_yaml_finds_it() {
        // The top-level map, then 200 lists: the 128th list is the 129th level, one too deep,
        // at the place serde_yaml names.
        let text = format!("deep: {}1{}\n", "[".repeat(200), "]".repeat(200));
        let path = format!("deep{}", "[0]".repeat(127));
        assert_eq!(first_too_deep(&text), Some((1, 7 + 127, path.clone())));
        let serde = serde_yaml::from_str::<serde_yaml::Value>(&text)
            .expect_err("serde_yaml refuses it")
            .to_string();
        assert!(
            serde.contains("recursion limit exceeded at line 1 column 134"),
            "{serde}"
        );
        // With no more `[` than the limit, the text is left to serde_yaml, which finds it.
        let text = format!("deep: {}1{}\n", "[".repeat(128), "]".repeat(128));
        assert_eq!(first_too_deep(&text), None);
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&text).is_err());
        // 128 levels are allowed.
        let text = format!("deep: {}1{}\n", "[".repeat(127), "]".repeat(127));
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&text).is_ok());
        // 200,000 levels on one line, found without reading the rest.
        let text = format!("deep: {}{}\n", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(first_too_deep(&text), Some((1, 134, path)));
        // Keys, list items and a list as a key on the way.
        let text = format!(
            "a:\n  - x\n  - b: 1\n    ? [k]\n    : c: {}\n",
            "[".repeat(200)
        );
        let (line, _, path) = first_too_deep(&text).expect("too deep");
        assert_eq!(line, 5);
        assert!(path.starts_with("a[1].?.c[0][0]"), "{path}");
        // Many brackets, little nesting.
        let text = format!("list: [{}]\n", "[1], ".repeat(1000));
        assert_eq!(first_too_deep(&text), None);
        // A syntax error first is serde_yaml's to report.
        let text = format!("a: ]\nb: {}\n", "[".repeat(1000));
        assert_eq!(first_too_deep(&text), None);
    }

    #[test]
    fn nesting_too_deep_gets_one_message_whoever_finds_it() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Anything(serde_yaml::Value);
        // Found first (many brackets) and found by serde_yaml (block nesting, no brackets).
        let flow = format!("a: {}1{}\n", "[".repeat(300), "]".repeat(300));
        let mut block = String::new();
        for level in 0..200 {
            block.push_str(&format!("{}k{level}:\n", "  ".repeat(level)));
        }
        block.push_str(&format!("{}end\n", "  ".repeat(200)));
        for text in [flow, block] {
            let problem = parse_yaml::<Anything>(&text).expect_err("too deep");
            assert_eq!(problem.message, TOO_DEEP);
            assert!(problem.help.is_some_and(|h| h.contains("at most 127")));
            assert!(problem.line.is_some() && problem.column.is_some());
        }
    }

    #[test]
    fn hints_the_closest_expected_name() {
        let message = "unknown field `sumary`, expected one of `method`, `summary`, `scopes`";
        assert_eq!(
            did_you_mean(message).as_deref(),
            Some("did you mean `summary`?")
        );
        let message = "unknown variant `strin`, expected one of `string`, `integer`";
        assert_eq!(
            did_you_mean(message).as_deref(),
            Some("did you mean `string`?")
        );
        assert_eq!(did_you_mean("unknown field `zzz`, expected `method`"), None);
        assert_eq!(did_you_mean("missing field `method`"), None);
    }
}
