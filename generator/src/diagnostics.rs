//! Problems found in a spec, with where and why.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{Error as FilesError, Files, Location};
use codespan_reporting::term::{self, Chars, Config};

/// The most characters of a source line that a rendered problem shows: a longer line is cut
/// around the problem's column, with `…` where it was cut, the caret still under the problem.
pub const MAX_LINE_WIDTH: usize = 120;

/// How many characters of a cut line are shown before the problem's column.
const BEFORE_COLUMN: usize = 40;

/// The most problems shown; the others are counted. A spec with more problems than this has
/// a few kinds of mistake repeated, and tens of megabytes of them would help no one (compilers
/// stop likewise: clang after 20 errors). Every problem is still found, and kept in
/// [`Diagnostics`].
pub const MAX_SHOWN: usize = 200;

/// The most characters of a message or hint shown: a longer one keeps its start and its end,
/// with `…` between. No message of the generator's own comes near it, but a value a message
/// quotes (`invalid type: string "..."`) may be megabytes long.
pub const MAX_MESSAGE: usize = 1000;

/// The most characters of a key path shown, cut like a message (a path 128 levels deep is
/// ~800 characters of `items.items...`).
pub const MAX_KEY_PATH: usize = 160;

/// One problem in a spec: where it is (file, line, column, key path), what is wrong, and how
/// to fix it when a fix is known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, relative to the spec folder.
    pub file: Option<PathBuf>,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column of the problem, when known.
    pub column: Option<usize>,
    /// Path of the offending key inside the file (`actions.get.query[2].type`).
    pub key_path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with this message, not yet placed.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            line: None,
            column: None,
            key_path: None,
            message: message.into(),
            help: None,
        }
    }

    /// Places the problem in a file.
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Places the problem at a key path inside its file.
    pub fn at(mut self, key_path: impl Into<String>) -> Self {
        let key_path = key_path.into();
        self.key_path = (!key_path.is_empty()).then_some(key_path);
        self
    }

    /// Places the problem at a line and column.
    pub fn at_position(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Adds a hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", shorten(&self.message, MAX_MESSAGE))?;
        if let Some(file) = &self.file {
            write!(
                f,
                "\n  --> {}",
                file.display().to_string().replace('\\', "/")
            )?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
        }
        if let Some(path) = &self.key_path {
            write!(f, "\n   = at `{}`", shorten(path, MAX_KEY_PATH))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {}", shorten(help, MAX_MESSAGE))?;
        }
        Ok(())
    }
}

/// Every problem one run found, sorted by place and without duplicates, with the text of the
/// files they are in so each can be shown with its source line, as rustc and cargo do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>, BTreeMap<PathBuf, String>);

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Diagnostics(Vec::new(), BTreeMap::new())
    }

    /// Keeps the text of a file, to show the source lines of its problems.
    pub fn add_source(&mut self, file: impl Into<PathBuf>, text: impl Into<String>) {
        self.1.insert(file.into(), text.into());
    }

    /// Keeps the texts of the files and places each problem known only by key path at its
    /// line and column (each file is walked once, however many problems it has).
    pub fn with_sources(mut self, sources: &BTreeMap<PathBuf, String>) -> Self {
        // The problems of each file, and those of them still to place.
        let mut by_file: BTreeMap<&Path, Vec<usize>> = BTreeMap::new();
        for (i, d) in self.0.iter().enumerate() {
            if let Some(file) = d.file.as_deref().filter(|f| sources.contains_key(*f)) {
                let unplaced = by_file.entry(file).or_default();
                if d.line.is_none() && d.key_path.is_some() {
                    unplaced.push(i);
                }
            }
        }
        let mut placed = Vec::new();
        let mut kept = Vec::new();
        for (file, unplaced) in by_file {
            let text = &sources[file];
            let paths: Vec<&str> = unplaced
                .iter()
                .filter_map(|&i| self.0[i].key_path.as_deref())
                .collect();
            let found = crate::locate::locate_all(text, &paths);
            placed.extend(unplaced.into_iter().zip(found));
            kept.push((file.to_path_buf(), text.clone()));
        }
        for (i, position) in placed {
            if let Some((line, column)) = position {
                self.0[i].line = Some(line);
                self.0[i].column = Some(column);
            }
        }
        self.1.extend(kept);
        self.sorted()
    }

    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Records every problem of another collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
        self.1.extend(other.1);
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems were found.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Ok(value)` when no problem was found, the sorted problems otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.sorted())
        }
    }

    /// The problems sorted by place, duplicates removed.
    pub fn sorted(mut self) -> Self {
        self.0.sort();
        self.0.dedup();
        self
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic], BTreeMap::new())
    }
}

/// `text` whole when it has at most `max` characters; else its start and end, with `…[N
/// characters]…` between.
fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return Cow::Borrowed(text);
    };
    let keep = max / 2;
    let head_end = text.char_indices().nth(keep).map_or(cut, |(i, _)| i);
    let tail_start = text
        .char_indices()
        .rev()
        .nth(keep - 1)
        .map_or(head_end, |(i, _)| i);
    let omitted = text[head_end..tail_start].chars().count();
    Cow::Owned(format!(
        "{}…[{omitted} characters]…{}",
        &text[..head_end],
        &text[tail_start..]
    ))
}

/// A file's text and where its lines start, so that a problem finds its line at once, and a
/// cursor that remembers the last place found, so that many problems on one long line (which
/// come sorted by column) do not each count characters from the line's start.
struct Source<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The last place found: line, 1-based column, byte offset and characters before it on
    /// its line.
    cursor: Cell<(usize, usize, usize, usize)>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            text,
            line_starts,
            cursor: Cell::new((0, 0, 0, 0)),
        }
    }

    /// Byte range of 1-based line `line`, without its line break.
    fn line(&self, line: usize) -> Option<Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        Some(start..end)
    }

    /// Byte offset of 1-based `column` (counted in characters) on `line`, and the number of
    /// characters before it on the line; a column past the line's end is its end.
    fn place(&self, line: usize, column: usize, range: &Range<usize>) -> (usize, usize) {
        let (cursor_line, cursor_column, mut byte, mut before) = self.cursor.get();
        if cursor_line != line || cursor_column > column {
            byte = range.start;
            before = 0;
        }
        let wanted = column.saturating_sub(1);
        for c in self.text[byte..range.end].chars() {
            if before == wanted {
                break;
            }
            byte += c.len_utf8();
            before += 1;
        }
        self.cursor.set((line, before + 1, byte, before));
        (byte, before)
    }
}

/// One source line as a problem shows it (perhaps cut), for codespan: it stands for line
/// `line_number` of the file, and the problem is at `column_number`.
struct Snippet<'a> {
    name: &'a str,
    line: &'a str,
    line_number: usize,
    column_number: usize,
}

impl<'a> Files<'a> for Snippet<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(self.line)
    }

    fn line_index(&'a self, (): (), _byte_index: usize) -> Result<usize, FilesError> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, FilesError> {
        Ok(self.line_number + line_index)
    }

    fn location(&'a self, (): (), _byte_index: usize) -> Result<Location, FilesError> {
        Ok(Location {
            line_number: self.line_number,
            column_number: self.column_number,
        })
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, FilesError> {
        match line_index {
            0 => Ok(0..self.line.len()),
            given => Err(FilesError::LineTooLarge { given, max: 0 }),
        }
    }
}

/// Byte offset `from` moved by up to `n` characters (backwards when `back`), staying within
/// `range`; and how many characters it moved.
fn walk(text: &str, from: usize, n: usize, back: bool, range: &Range<usize>) -> (usize, usize) {
    let mut at = from;
    let mut moved = 0;
    if back {
        for c in text[range.start..from].chars().rev().take(n) {
            at -= c.len_utf8();
            moved += 1;
        }
    } else {
        for c in text[from..range.end].chars().take(n) {
            at += c.len_utf8();
            moved += 1;
        }
    }
    (at, moved)
}

/// Renders one problem with its source line, rustc style; a line longer than
/// [`MAX_LINE_WIDTH`] is cut around the problem.
fn render(d: &Diagnostic, file: &Path, source: &Source<'_>) -> Option<String> {
    let text = source.text;
    let line_number = d.line?;
    let line = source.line(line_number)?;
    let (start, before) = source.place(line_number, d.column.unwrap_or(1), &line);
    // The shown part of the line: all of it, or a cut around the problem.
    // A line of no more bytes than the width has no more characters either.
    let short = line.len() <= MAX_LINE_WIDTH
        || walk(text, line.start, MAX_LINE_WIDTH + 1, false, &line).1 <= MAX_LINE_WIDTH;
    let (from, to) = if short {
        (line.start, line.end)
    } else {
        // Room for a `…` on either side.
        let width = MAX_LINE_WIDTH - 2;
        let (from, _) = walk(text, start, BEFORE_COLUMN, true, &line);
        let (to, ahead) = walk(text, from, width, false, &line);
        // Near the end of the line, what is left of the width shows more of what comes before.
        let (from, _) = walk(text, from, width - ahead, true, &line);
        (from, to)
    };
    let prefix = if from > line.start { "…" } else { "" };
    let suffix = if to < line.end { "…" } else { "" };
    let newline = if to == line.end && line.end < text.len() {
        "\n"
    } else {
        ""
    };
    let shown = format!("{prefix}{}{suffix}{newline}", &text[from..to]);
    // The label: the token at the problem (to a space or `:`, `,`, `]`, `}`), at least one
    // character (the line break, at a line's end), within what is shown.
    let token = text[start..to]
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | ']' | '}'))
        .unwrap_or(to - start);
    let end = if to == line.end {
        (start + token.max(1)).min(line.end + newline.len())
    } else {
        start + token
    };
    let offset = |byte: usize| prefix.len() + byte - from;
    let name = file.display().to_string().replace('\\', "/");
    let snippet = Snippet {
        name: &name,
        line: &shown,
        line_number,
        column_number: before + 1,
    };
    let mut notes = Vec::new();
    if let Some(path) = &d.key_path {
        notes.push(format!("at `{}`", shorten(path, MAX_KEY_PATH)));
    }
    if let Some(help) = &d.help {
        notes.push(format!("help: {}", shorten(help, MAX_MESSAGE)));
    }
    let report = Report::error()
        .with_message(shorten(&d.message, MAX_MESSAGE))
        .with_labels(vec![Label::primary((), offset(start)..offset(end))])
        .with_notes(notes);
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    term::emit_into_string(&config, &snippet, &report).ok()
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each file's lines are indexed once, for all its problems.
        let mut sources: HashMap<&Path, Source<'_>> = HashMap::new();
        for diagnostic in self.0.iter().take(MAX_SHOWN) {
            let rendered = diagnostic.file.as_deref().and_then(|file| {
                let text = self.1.get(file)?;
                let source = sources.entry(file).or_insert_with(|| Source::new(text));
                render(diagnostic, file, source)
            });
            match rendered {
                Some(text) => writeln!(f, "{}", text.trim_end())?,
                None => writeln!(f, "{diagnostic}")?,
            }
            writeln!(f)?;
        }
        let n = self.0.len();
        if n > MAX_SHOWN {
            writeln!(
                f,
                "... and {} more, not shown: fix the first {MAX_SHOWN} and run again\n",
                n - MAX_SHOWN
            )?;
        }
        write!(
            f,
            "{n} problem{} found in the spec",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problems rendered against `text` as file `f.yaml`.
    fn rendered(text: &str, problems: &[(usize, usize)]) -> String {
        let mut all = Diagnostics::new();
        for &(line, column) in problems {
            all.push(
                Diagnostic::new("bad")
                    .in_file("f.yaml")
                    .at_position(line, column),
            );
        }
        all.add_source("f.yaml", text);
        all.to_string()
    }

    /// For each rendered problem: its `--> f.yaml:L:C`, the shown source line, and what the
    /// caret points at in it (the shown characters from the first `^`).
    fn shown(rendered: &str) -> Vec<(String, String, String)> {
        let lines: Vec<&str> = rendered.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some(place) = line.trim_start().strip_prefix("--> ") else {
                continue;
            };
            let source = lines[i + 2].split_once("| ").map_or("", |(_, s)| s);
            let carets = lines[i + 3].split_once("| ").map_or("", |(_, s)| s);
            let at = carets.find('^').unwrap_or(0);
            let pointed: String = source.chars().skip(at).collect();
            out.push((place.to_owned(), source.to_owned(), pointed));
        }
        out
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let text = "a: 1\nkey: value\n";
        let out = rendered(text, &[(2, 6)]);
        assert_eq!(
            shown(&out),
            [("f.yaml:2:6".into(), "key: value".into(), "value".into())]
        );
    }

    #[test]
    fn a_long_line_is_cut_around_the_problem() {
        let line = format!("{}TARGET{}", "a".repeat(5_000), "b".repeat(5_000));
        let out = rendered(&format!("x: 1\n{line}\n"), &[(2, 5_001)]);
        let [(place, source, pointed)] = &shown(&out)[..] else {
            panic!("one problem: {out}")
        };
        assert_eq!(place, "f.yaml:2:5001", "the true column");
        assert!(source.starts_with('…') && source.ends_with('…'), "{source}");
        assert_eq!(source.chars().count(), MAX_LINE_WIDTH);
        assert!(pointed.starts_with("TARGET"), "{pointed}");
        // Near the start: no `…` before; near the end: none after, and the width is used.
        let out = rendered(&format!("{line}\n"), &[(1, 3)]);
        let (_, source, pointed) = &shown(&out)[0];
        assert!(
            !source.starts_with('…') && source.ends_with('…'),
            "{source}"
        );
        assert!(pointed.starts_with('a'));
        let out = rendered(&format!("{line}\n"), &[(1, 10_004)]);
        let (place, source, pointed) = &shown(&out)[0];
        assert_eq!(place, "f.yaml:1:10004");
        assert!(
            source.starts_with('…') && !source.ends_with('…'),
            "{source}"
        );
        assert_eq!(source.chars().count(), MAX_LINE_WIDTH - 1);
        assert_eq!(pointed, "bbb");
    }

    #[test]
    fn many_problems_on_one_long_line_each_point_at_their_own_place() {
        let line: String = (0..20_000).map(|i| format!("k{i}: v{i}, ")).collect();
        let text = format!("{{{line}}}\n");
        let column = |i: usize| text.find(&format!("k{i}:")).expect("key") + 1;
        // In order (as sorted problems come) and not.
        let wanted = [3, 700, 701, 19_999, 12];
        let problems: Vec<(usize, usize)> = wanted.iter().map(|&i| (1, column(i))).collect();
        let out = rendered(&text, &problems);
        let found = shown(&out);
        assert_eq!(found.len(), wanted.len());
        for ((place, source, pointed), i) in found.iter().zip(wanted) {
            assert_eq!(place, &format!("f.yaml:1:{}", column(i)));
            assert!(pointed.starts_with(&format!("k{i}: v{i}")), "{pointed}");
            assert!(source.chars().count() <= MAX_LINE_WIDTH);
        }
    }

    #[test]
    fn multibyte_characters_and_columns_past_the_end_are_placed() {
        let line = format!("{}é TARGET {}", "é".repeat(3_000), "ü".repeat(3_000));
        let out = rendered(&format!("{line}\n"), &[(1, 3_003)]);
        let (place, _, pointed) = &shown(&out)[0];
        assert_eq!(place, "f.yaml:1:3003");
        assert!(pointed.starts_with("TARGET"), "{pointed}");
        // A column past the end of its line is the line's end.
        let out = rendered("ab\ncd\n", &[(1, 50)]);
        assert!(out.contains("--> f.yaml:1:3"), "{out}");
        // A line past the end of the file is named without a source line.
        let out = rendered("ab\n", &[(9, 1)]);
        assert!(
            out.contains("--> f.yaml:9:1") && !out.contains(" | "),
            "{out}"
        );
    }

    #[test]
    fn past_the_most_shown_problems_are_counted() {
        let text: String = (0..MAX_SHOWN + 50).map(|i| format!("k{i}: 1\n")).collect();
        let problems: Vec<(usize, usize)> = (1..=MAX_SHOWN + 50).map(|line| (line, 1)).collect();
        let out = rendered(&text, &problems);
        assert_eq!(out.matches("error: bad").count(), MAX_SHOWN);
        assert!(out.contains(&format!("--> f.yaml:{MAX_SHOWN}:1")));
        assert!(!out.contains(&format!("--> f.yaml:{}:1", MAX_SHOWN + 1)));
        assert!(out.contains("... and 50 more, not shown"), "{out}");
        assert!(out.ends_with(&format!("{} problems found in the spec", MAX_SHOWN + 50)));
    }

    #[test]
    fn long_messages_and_key_paths_keep_their_start_and_end() {
        let path = format!("a{}.z", ".b".repeat(1_000));
        let message = format!("invalid value: \"{}\"", "y".repeat(100_000));
        let mut all = Diagnostics::from(Diagnostic::new(message).in_file("f.yaml").at(path));
        all.add_source("f.yaml", "a: 1\n");
        for text in [all.to_string(), all.iter().next().expect("one").to_string()] {
            let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            assert!(longest < MAX_MESSAGE + 40, "{longest}");
            assert!(text.contains("invalid value: \"yyy"), "{text}");
            assert!(text.contains("b.b.z`"), "the path's end is kept: {text}");
            assert!(text.contains("characters]…"), "{text}");
        }
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("0123456789abc", 10), "01234…[3 characters]…89abc");
    }
}
