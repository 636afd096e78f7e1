//! Finds where a key path (`actions.get.query[2].type`) sits in a YAML text, so problems found
//! after parsing (by `check` and `lower`) can point at the line, as parse errors do.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Splits `a.b[2].c` into steps. Keys may not contain `.` or `[` (none of the spec's do,
/// except `patternProperties` patterns, which are then located at their parent).
fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(start) = rest.find('[') {
            if start > 0 {
                out.push(Segment::Key(rest[..start].to_owned()));
            }
            rest = &rest[start..];
            while let Some(end) = rest.find(']') {
                match rest[1..end].parse() {
                    Ok(i) => out.push(Segment::Index(i)),
                    Err(_) => out.push(Segment::Key(rest[1..end].to_owned())),
                }
                rest = &rest[end + 1..];
                if !rest.starts_with('[') {
                    break;
                }
            }
        } else {
            out.push(Segment::Key(rest.to_owned()));
        }
    }
    out
}

enum Frame {
    /// `started`: whether a key was seen (a mapping is located at its first key).
    Map {
        key: Option<String>,
        started: bool,
    },
    Seq {
        index: usize,
    },
}

struct Walker {
    frames: Vec<Frame>,
    target: Vec<Segment>,
    /// The deepest node on the way to the target seen so far: `(depth, marker)`.
    best: Option<(usize, Marker)>,
}

impl Walker {
    fn path(&self) -> Vec<Segment> {
        self.frames
            .iter()
            .filter_map(|f| match f {
                Frame::Map { key, .. } => key.clone().map(Segment::Key),
                Frame::Seq { index } => Some(Segment::Index(*index)),
            })
            .collect()
    }

    fn note(&mut self, path: &[Segment], mark: Marker) {
        let depth = path.len();
        if self.target.starts_with(path) && self.best.is_none_or(|(d, _)| depth > d) {
            self.best = Some((depth, mark));
        }
    }

    /// A value (scalar, alias or the end of a collection) is complete: move the parent on.
    fn advance(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index }) => *index += 1,
            None => {}
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let expecting_key = matches!(self.frames.last(), Some(Frame::Map { key: None, .. }));
        match event {
            Event::Scalar(value, ..) if expecting_key => {
                let mut path = self.path();
                if let Some(Frame::Map {
                    started: started @ false,
                    ..
                }) = self.frames.last_mut()
                {
                    *started = true;
                    self.note(&path, mark);
                }
                path.push(Segment::Key(value.clone()));
                self.note(&path, mark);
                if let Some(Frame::Map { key, .. }) = self.frames.last_mut() {
                    *key = Some(value);
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                let path = self.path();
                self.note(&path, mark);
                self.advance();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if expecting_key {
                    // A complex key: give it a name nothing matches.
                    if let Some(Frame::Map { key, .. }) = self.frames.last_mut() {
                        *key = Some("\u{0}".into());
                    }
                }
                if matches!(event, Event::SequenceStart(..)) {
                    // Mappings are located at their first key, see above.
                    let path = self.path();
                    self.note(&path, mark);
                }
                self.frames
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map {
                            key: None,
                            started: false,
                        }
                    } else {
                        Frame::Seq { index: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.frames.pop();
                self.advance();
            }
            _ => {}
        }
    }
}

/// The 1-based line and column of the key at `key_path` in `text`, or of its nearest ancestor
/// that exists; `None` when the text does not parse.
pub fn locate(text: &str, key_path: &str) -> Option<(usize, usize)> {
    let mut walker = Walker {
        frames: Vec::new(),
        target: segments(key_path),
        best: None,
    };
    let mut parser = Parser::new_from_str(text);
    // A parse error leaves what was found so far.
    let _ = parser.load(&mut walker, false);
    walker
        .best
        .filter(|(depth, _)| *depth > 0)
        .map(|(_, mark)| (mark.line(), mark.col() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "path: /orgs\nactions:\n  get:\n    method: GET\n    query:\n      - name: a\n      - name: b\n        type: text\n";

    #[test]
    fn finds_keys_and_list_items() {
        assert_eq!(locate(TEXT, "path"), Some((1, 1)));
        assert_eq!(locate(TEXT, "actions.get.method"), Some((4, 5)));
        assert_eq!(locate(TEXT, "actions.get.query[1].type"), Some((8, 9)));
        assert_eq!(locate(TEXT, "actions.get.query[1]"), Some((7, 9)));
    }

    #[test]
    fn falls_back_to_the_nearest_ancestor() {
        assert_eq!(locate(TEXT, "actions.get.responses"), Some((3, 3)));
        assert_eq!(locate(TEXT, "nothing.here"), None);
    }

    #[test]
    fn splits_paths() {
        assert_eq!(
            segments("a.b[2][0].c"),
            vec![
                Segment::Key("a".into()),
                Segment::Key("b".into()),
                Segment::Index(2),
                Segment::Index(0),
                Segment::Key("c".into())
            ]
        );
    }
}
