//! Finds where a key path (`actions.get.query[2].type`) sits in a YAML text, so problems found
//! after parsing (by `check` and `lower`) can point at the line, as parse errors do. One walk
//! of a text's YAML events finds any number of paths: a file with many problems is parsed
//! once, not once per problem.

use std::collections::HashMap;

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

/// The target paths as a tree: node 0 is the empty path, each node has its children by key and
/// by index, and the position of the first node of the text at its path, once seen. Nodes come
/// in document order, so the first node seen at a path is the one a walk for a single target
/// would keep.
#[derive(Default)]
struct Tree {
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    keys: HashMap<String, usize>,
    indices: HashMap<usize, usize>,
    mark: Option<Marker>,
}

impl Tree {
    fn new<'a>(targets: impl IntoIterator<Item = &'a [Segment]>) -> Self {
        let mut tree = Tree {
            nodes: vec![Node::default()],
        };
        for target in targets {
            let mut node = 0;
            for segment in target {
                let next = tree.nodes.len();
                let children = &mut tree.nodes[node];
                let child = match segment {
                    Segment::Key(key) => *children.keys.entry(key.clone()).or_insert(next),
                    Segment::Index(i) => *children.indices.entry(*i).or_insert(next),
                };
                if child == next {
                    tree.nodes.push(Node::default());
                }
                node = child;
            }
        }
        tree
    }

    fn key(&self, node: Option<usize>, key: &str) -> Option<usize> {
        self.nodes[node?].keys.get(key).copied()
    }

    fn index(&self, node: Option<usize>, index: usize) -> Option<usize> {
        self.nodes[node?].indices.get(&index).copied()
    }

    fn note(&mut self, node: Option<usize>, mark: Marker) {
        if let Some(node) = node {
            self.nodes[node].mark.get_or_insert(mark);
        }
    }

    /// Where the deepest prefix of `target` (but the empty one) that was seen sits.
    fn best(&self, target: &[Segment]) -> Option<Marker> {
        let mut node = Some(0);
        let mut best = None;
        for segment in target {
            node = match segment {
                Segment::Key(key) => self.key(node, key),
                Segment::Index(i) => self.index(node, *i),
            };
            let Some(found) = node else { break };
            best = self.nodes[found].mark.or(best);
        }
        best
    }
}

/// An open collection, with the tree node of its path (`None` once off every target's path).
enum Frame {
    /// `started`: whether a key was seen (a mapping is located at its first key). `key`: the
    /// node of the current key's value, once a key is read (`None` inside: off the paths).
    Map {
        node: Option<usize>,
        key: Option<Option<usize>>,
        started: bool,
    },
    Seq {
        node: Option<usize>,
        index: usize,
    },
}

struct Walker {
    frames: Vec<Frame>,
    tree: Tree,
}

impl Walker {
    /// The node of the place the next value goes.
    fn current(&self) -> Option<usize> {
        match self.frames.last() {
            None => Some(0),
            Some(Frame::Map { key, .. }) => key.flatten(),
            Some(Frame::Seq { node, index }) => self.tree.index(*node, *index),
        }
    }

    /// A value (scalar, alias or the end of a collection) is complete: move the parent on.
    fn advance(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let expecting_key = matches!(self.frames.last(), Some(Frame::Map { key: None, .. }));
        match event {
            Event::Scalar(value, ..) if expecting_key => {
                if let Some(Frame::Map { node, key, started }) = self.frames.last_mut() {
                    let node = *node;
                    let first = !std::mem::replace(started, true);
                    let child = self.tree.key(node, &value);
                    *key = Some(child);
                    if first {
                        self.tree.note(node, mark);
                    }
                    self.tree.note(child, mark);
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                self.tree.note(self.current(), mark);
                self.advance();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if expecting_key {
                    // A complex key: a name nothing matches.
                    if let Some(Frame::Map { key, .. }) = self.frames.last_mut() {
                        *key = Some(None);
                    }
                }
                let node = self.current();
                if matches!(event, Event::SequenceStart(..)) {
                    // Mappings are located at their first key, see above.
                    self.tree.note(node, mark);
                    self.frames.push(Frame::Seq { node, index: 0 });
                } else {
                    self.frames.push(Frame::Map {
                        node,
                        key: None,
                        started: false,
                    });
                }
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
    locate_all(text, &[key_path]).pop().flatten()
}

/// [`locate`] for each of `key_paths`, in one walk of `text`.
pub fn locate_all(text: &str, key_paths: &[&str]) -> Vec<Option<(usize, usize)>> {
    let targets: Vec<Vec<Segment>> = key_paths.iter().map(|p| segments(p)).collect();
    let mut walker = Walker {
        frames: Vec::new(),
        tree: Tree::new(targets.iter().map(Vec::as_slice)),
    };
    let mut parser = Parser::new_from_str(text);
    // A parse error leaves what was found so far.
    let _ = parser.load(&mut walker, false);
    targets
        .iter()
        .map(|target| {
            walker
                .tree
                .best(target)
                .map(|mark| (mark.line(), mark.col() + 1))
        })
        .collect()
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
    fn locates_many_paths_in_one_walk_as_one_at_a_time() {
        let paths = [
            "path",
            "actions.get.query[1].type",
            "actions.get.responses",
            "nothing.here",
            "actions.get.query[0]",
            "",
        ];
        let one_by_one: Vec<_> = paths.iter().map(|p| locate(TEXT, p)).collect();
        assert_eq!(locate_all(TEXT, &paths), one_by_one);
        assert_eq!(
            one_by_one,
            [
                Some((1, 1)),
                Some((8, 9)),
                Some((3, 3)),
                None,
                Some((6, 9)),
                None
            ]
        );
        // A duplicate key: the first one, as a single walk finds it.
        assert_eq!(locate("a: 1\na: 2\n", "a"), Some((1, 1)));
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
