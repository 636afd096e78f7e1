//! Problems found in a spec, with where and why.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Chars, Config};

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
        write!(f, "error: {}", self.message)?;
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
            write!(f, "\n   = at `{path}`")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
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
    /// line and column.
    pub fn with_sources(mut self, sources: &BTreeMap<PathBuf, String>) -> Self {
        for d in &mut self.0 {
            let Some(file) = &d.file else { continue };
            let Some(text) = sources.get(file) else {
                continue;
            };
            if d.line.is_none() {
                if let Some((line, column)) = d
                    .key_path
                    .as_deref()
                    .and_then(|p| crate::locate::locate(text, p))
                {
                    d.line = Some(line);
                    d.column = Some(column);
                }
            }
            self.1.insert(file.clone(), text.clone());
        }
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

/// Byte offset of a 1-based line and column (counted in characters) in `text`.
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let line_text = &text[start..];
    let within = line_text
        .char_indices()
        .take_while(|(_, c)| *c != '\n')
        .nth(column.saturating_sub(1))
        .map_or(line_text.find('\n').unwrap_or(line_text.len()), |(i, _)| i);
    Some(start + within)
}

/// Renders one problem with its source line, rustc style.
fn render(d: &Diagnostic, file: &Path, text: &str) -> Option<String> {
    let start = offset(text, d.line?, d.column.unwrap_or(1))?;
    let token = text[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | ']' | '}'))
        .unwrap_or(text.len() - start);
    let end = (start + token.max(1)).min(text.len());
    let name = file.display().to_string().replace('\\', "/");
    let source = SimpleFile::new(name, text);
    let mut notes = Vec::new();
    if let Some(path) = &d.key_path {
        notes.push(format!("at `{path}`"));
    }
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    let report = Report::error()
        .with_message(&d.message)
        .with_labels(vec![Label::primary((), start..end)])
        .with_notes(notes);
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    term::emit_into_string(&config, &source, &report).ok()
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            let rendered = diagnostic
                .file
                .as_ref()
                .and_then(|file| render(diagnostic, file, self.1.get(file)?));
            match rendered {
                Some(text) => writeln!(f, "{}", text.trim_end())?,
                None => writeln!(f, "{diagnostic}")?,
            }
            writeln!(f)?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} problem{} found in the spec",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}
