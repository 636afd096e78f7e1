//! An incremental, bounded parser for `text/event-stream` bodies (server-sent events).
//!
//! # What it implements
//!
//! [`SseParser`] follows WHATWG HTML, "9.2.6 Interpreting an event stream", on a body that
//! arrives as byte chunks split anywhere (inside a CRLF pair, inside a UTF-8 character):
//!
//! - Lines end with CRLF, LF or CR. A UTF-8 byte order mark at the very start of the stream is
//!   skipped once; one anywhere else is ordinary text.
//! - Each complete line is decoded as UTF-8 lossily: an invalid sequence becomes U+FFFD. A line
//!   is only decoded once it is complete, so a character split between chunks is decoded whole
//!   (terminators are ASCII and never fall inside a character).
//! - An empty line dispatches the event: when the data buffer is empty nothing is dispatched
//!   (the event type is reset all the same); otherwise one trailing `\n` is removed from the data
//!   and an event of the buffered type (`message` when none) is queued with the last event ID.
//!   The data and type buffers are then reset; the last event ID persists across events.
//! - A line starting with `:` is a comment and is ignored.
//! - Any other line is split at its first `:` into a field name and a value (a line without
//!   `:` is all field name, with an empty value), and one leading space is removed from the
//!   value. `event` sets the event type, `data` appends the value and a `\n` to the data,
//!   `id` sets the last event ID unless the value contains U+0000, and `retry` sets the
//!   reconnection time when the value is all ASCII digits. Other fields are ignored.
//! - As in the specification, the last event ID that [`SseParser::last_event_id`] reports (the
//!   one to send as `Last-Event-ID` on reconnecting) is committed by each empty line; an `id:`
//!   line whose event never completed does not change it.
//! - At the end of the input, an event without its closing empty line, and a last line without
//!   its terminator, are discarded: the caller simply stops pushing.
//!
//! # Limits
//!
//! A hostile or broken server must not be able to make the client buffer without bound, so
//! [`SseLimits`] caps two sizes, and [`SseParser::push`] fails with an [`SseError`] naming the
//! cap as soon as one is exceeded:
//!
//! - `max_line` ([`DEFAULT_MAX_LINE`], 1 MiB): the bytes of one line, terminator excluded (a
//!   leading byte order mark does not count). The parser never scans or buffers more than
//!   `max_line + 1` bytes of a line: the error comes with the first byte over the cap, whether
//!   the line arrives in one chunk or in many.
//! - `max_event` ([`DEFAULT_MAX_EVENT`], 8 MiB): the bytes of one event's data as it would be
//!   dispatched (the decoded `data:` values joined with `\n`).
//!
//! The event type and the last event ID are single lines, so `max_line` bounds them too. After
//! an error the parser is spent: every later [`SseParser::push`] returns the same error. Events
//! completed before the failing line stay queued for [`SseParser::next_event`].
//!
//! Events completed by one [`SseParser::push`] are queued until taken. Their data and type come
//! from distinct input bytes, and queued events share the last event ID rather than each
//! holding a copy (it is copied when [`SseParser::next_event`] hands the event out), so the
//! queue takes memory proportional to the chunk pushed, not to the chunk times the ID's length.
//! Callers should drain the queue after each push.
//!
//! # Linear time
//!
//! Every input byte is examined a constant number of times: a chunk is scanned once for line
//! terminators, starting where the previous chunk ended (the pending partial line is never
//! rescanned), a partial line is copied once into the line buffer, and each complete line is
//! parsed and decoded once. An 8 MiB line fed in 4 KiB chunks costs the same as fed whole; the
//! tests check this with a count of the bytes the parser touches.
//!
//! # Why not a crate
//!
//! These crates were checked, and none is both linear and bounded:
//!
//! - `eventsource-stream` 0.2.3 (the latest release, which the SDK used before): after every
//!   chunk its parser re-runs from the start of the buffered text, so a long line costs
//!   quadratic time, and it copies the rest of the buffer after every line; it has no caps,
//!   and it works on already-decoded text, not bytes.
//! - `sse-stream` 0.3.0: linear (it scans only new bytes), but it has no caps (a partial line
//!   grows without bound), it fails on invalid UTF-8 instead of replacing it, it gives each
//!   event only the ID set within it and dispatches events that have no data, and its parser
//!   is private, reachable only through its `http-body` stream adapter.
//! - `async-sse` 5.1.0: reads lines linearly but has no caps, treats a CRLF split between two
//!   reads as two line ends (dispatching an event early), fails on invalid UTF-8, reads from an
//!   `AsyncBufRead` rather than byte chunks, and depends on `http-types`.
//! - `sse-codec` 0.3.3: a `futures_codec` decoder that searches the whole buffered input for a
//!   terminator on every call, so a long line costs quadratic time; no caps; fails on invalid
//!   UTF-8; MPL-2.0.
//! - `eventsource-client` 0.18: its parser scans only new bytes, but it has no caps, fails on
//!   invalid UTF-8, is private to the crate's own hyper-based client, and the crate needs Rust
//!   1.95 (this crate supports 1.85).
//!
//! The parser needs nothing beyond `std`.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The default [`SseLimits::max_line`]: 1 MiB per line, terminator excluded.
pub(crate) const DEFAULT_MAX_LINE: usize = 1024 * 1024;

/// The default [`SseLimits::max_event`]: 8 MiB of data per event.
pub(crate) const DEFAULT_MAX_EVENT: usize = 8 * 1024 * 1024;

/// The UTF-8 byte order mark, skipped once at the start of a stream.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The capacity the partial-line buffer keeps after a long line, so that a connection that
/// once received a long line does not hold a large buffer while idle.
const RETAINED_LINE_CAPACITY: usize = 64 * 1024;

/// One dispatched event, as the specification's `MessageEvent` would carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedEvent {
    /// The event type from the event's `event:` line; `"message"` when it had none.
    pub event: String,
    /// The `data:` values of the event joined with `\n` (without a trailing `\n`); may be empty
    /// when the event had only empty `data` lines.
    pub data: String,
    /// The last event ID when the event was dispatched (set by this event or an earlier one, or
    /// by [`SseParser::set_last_event_id`]); `None` when it is empty.
    pub id: Option<String>,
}

/// The size caps that keep a parser's memory bounded; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SseLimits {
    /// The most bytes one line may have, terminator excluded ([`DEFAULT_MAX_LINE`]). Also
    /// bounds comments, the event type and the last event ID.
    pub max_line: usize,
    /// The most bytes of data one event may have once its `data:` values are decoded and
    /// joined with `\n` ([`DEFAULT_MAX_EVENT`]).
    pub max_event: usize,
}

impl Default for SseLimits {
    /// [`DEFAULT_MAX_LINE`] (1 MiB) and [`DEFAULT_MAX_EVENT`] (8 MiB).
    fn default() -> Self {
        SseLimits {
            max_line: DEFAULT_MAX_LINE,
            max_event: DEFAULT_MAX_EVENT,
        }
    }
}

/// Why an event stream could not be parsed further: it exceeded one of the [`SseLimits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SseError {
    /// A line (of any kind, comments included) had more than `limit` bytes before its
    /// terminator.
    LineTooLong {
        /// The [`SseLimits::max_line`] in force.
        limit: usize,
    },
    /// The data of one event grew past `limit` bytes.
    EventTooLarge {
        /// The [`SseLimits::max_event`] in force.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::LineTooLong { limit } => {
                write!(f, "an event-stream line exceeded {limit} bytes")
            }
            SseError::EventTooLarge { limit } => {
                write!(f, "an event-stream event's data exceeded {limit} bytes")
            }
        }
    }
}

impl std::error::Error for SseError {}

/// A completed event waiting in the queue; it shares the last event ID instead of copying it.
#[derive(Debug)]
struct QueuedEvent {
    /// The event type buffer at dispatch; empty for `message`.
    event: String,
    data: String,
    id: Arc<str>,
}

/// How far the stream's leading byte order mark has been matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BomState {
    /// This many leading bytes of the stream (0 to 2) matched the BOM so far.
    Matching(usize),
    /// The BOM was skipped, or the stream did not start with one.
    Done,
}

/// An incremental `text/event-stream` parser: [`push`](Self::push) the body's chunks as they
/// arrive, then take the completed events with [`next_event`](Self::next_event).
///
/// It runs in time linear in its input and holds at most one line and one event's data at a
/// time, within its [`SseLimits`] (see the module docs). It does no I/O: reconnecting, with
/// [`last_event_id`](Self::last_event_id) and
/// [`reconnection_time`](Self::reconnection_time), is the caller's concern.
#[derive(Debug)]
pub(crate) struct SseParser {
    limits: SseLimits,
    bom: BomState,
    /// The bytes of the current line received so far, when it spans chunks; never longer than
    /// `limits.max_line`.
    line: Vec<u8>,
    /// The last chunk ended with a CR, so an LF at the start of the next one completes a CRLF
    /// rather than ending an empty line.
    after_cr: bool,
    /// The data buffer: each `data:` value followed by `\n`.
    data: String,
    /// The event type buffer; empty means `message`.
    event_type: String,
    /// The last event ID buffer, set by `id:` lines.
    id_buffer: Arc<str>,
    /// The last event ID string: the buffer as committed by the latest empty line.
    last_event_id: Arc<str>,
    reconnection_time: Option<Duration>,
    queue: VecDeque<QueuedEvent>,
    /// The error that spent the parser, returned again by every later push.
    error: Option<SseError>,
    /// The bytes touched so far (scanned, copied or parsed), for the linearity tests.
    #[cfg(test)]
    work: usize,
}

impl SseParser {
    /// A parser at the start of a stream, with no last event ID and no reconnection time,
    /// enforcing `limits`.
    pub(crate) fn new(limits: SseLimits) -> Self {
        SseParser {
            limits,
            bom: BomState::Matching(0),
            line: Vec::new(),
            after_cr: false,
            data: String::new(),
            event_type: String::new(),
            id_buffer: Arc::from(""),
            last_event_id: Arc::from(""),
            reconnection_time: None,
            queue: VecDeque::new(),
            error: None,
            #[cfg(test)]
            work: 0,
        }
    }

    /// Parses `chunk`, the next bytes of the stream (any length, split anywhere); the events
    /// it completes are queued for [`next_event`](Self::next_event).
    ///
    /// Fails as soon as a line or an event's data exceeds its [`SseLimits`], without scanning
    /// or buffering the rest of the chunk. Events completed before the failing line stay
    /// queued. After an error the parser is spent: further calls return the same error and
    /// parse nothing.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), SseError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let result = self.parse(chunk);
        if let Err(err) = &result {
            self.error = Some(err.clone());
            // Nothing more will be parsed: release the buffers now.
            self.line = Vec::new();
            self.data = String::new();
            self.event_type = String::new();
        }
        result
    }

    /// The next completed event, oldest first, or `None` when every event completed so far
    /// was taken.
    pub(crate) fn next_event(&mut self) -> Option<ParsedEvent> {
        let queued = self.queue.pop_front()?;
        Some(ParsedEvent {
            event: if queued.event.is_empty() {
                "message".to_owned()
            } else {
                queued.event
            },
            data: queued.data,
            id: (!queued.id.is_empty()).then(|| queued.id.to_string()),
        })
    }

    /// The last event ID of the stream, to send as `Last-Event-ID` when reconnecting; `""` if
    /// none was set. An `id:` line counts once an empty line has followed it (as in the
    /// specification), even when that empty line dispatched no event.
    pub(crate) fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Sets the last event ID, as if the stream had sent it, before parsing: a reconnect that
    /// resumes an earlier stream starts from that stream's ID, which the events then carry
    /// until the new stream sends its own. The ID is taken as given.
    pub(crate) fn set_last_event_id(&mut self, id: &str) {
        let id: Arc<str> = Arc::from(id);
        self.id_buffer = Arc::clone(&id);
        self.last_event_id = id;
    }

    /// The reconnection time the stream asked for with its latest valid `retry:` line, if any
    /// (in milliseconds on the wire; a value too large for a `u64` saturates). The caller
    /// should clamp it to a sensible range before sleeping on it.
    pub(crate) fn reconnection_time(&self) -> Option<Duration> {
        self.reconnection_time
    }

    /// Splits `chunk` into lines and processes each complete one; the last, partial line is
    /// kept in `self.line`.
    fn parse(&mut self, chunk: &[u8]) -> Result<(), SseError> {
        let mut rest = self.skip_bom(chunk)?;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if rest[0] == b'\n' {
                self.count(1);
                rest = &rest[1..];
            }
        }
        while !rest.is_empty() {
            // Invariant: `self.line.len() <= max_line`. Look no further than one byte past
            // the cap: a line without a terminator by then is too long.
            let budget = self.limits.max_line - self.line.len();
            let window = &rest[..rest.len().min(budget.saturating_add(1))];
            let Some(end) = find_line_end(window) else {
                self.count(window.len());
                if window.len() > budget {
                    return Err(SseError::LineTooLong {
                        limit: self.limits.max_line,
                    });
                }
                // The whole rest fits: keep it until its line ends in a later chunk.
                self.count(rest.len());
                self.line.extend_from_slice(rest);
                break;
            };
            self.count(end + 1);
            if self.line.is_empty() {
                self.process_line(&rest[..end])?;
            } else {
                let mut line = std::mem::take(&mut self.line);
                self.count(end);
                line.extend_from_slice(&rest[..end]);
                let processed = self.process_line(&line);
                line.clear();
                line.shrink_to(RETAINED_LINE_CAPACITY);
                self.line = line;
                processed?;
            }
            let terminator = rest[end];
            rest = &rest[end + 1..];
            if terminator == b'\r' {
                match rest.first() {
                    Some(b'\n') => {
                        self.count(1);
                        rest = &rest[1..];
                    }
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }

    /// Skips the stream's leading byte order mark, which may arrive split between chunks, and
    /// returns the rest of `chunk`. Bytes held back as a possible BOM that turn out not to be
    /// one go to the line buffer.
    fn skip_bom<'a>(&mut self, chunk: &'a [u8]) -> Result<&'a [u8], SseError> {
        let BomState::Matching(mut matched) = self.bom else {
            return Ok(chunk);
        };
        let mut rest = chunk;
        while matched < BOM.len() {
            let Some((&byte, after)) = rest.split_first() else {
                self.bom = BomState::Matching(matched);
                return Ok(rest);
            };
            self.count(1);
            if byte != BOM[matched] {
                // Not a BOM: the held bytes (no terminators among them) start the first line.
                self.bom = BomState::Done;
                if matched > self.limits.max_line {
                    return Err(SseError::LineTooLong {
                        limit: self.limits.max_line,
                    });
                }
                self.line.extend_from_slice(&BOM[..matched]);
                return Ok(rest);
            }
            matched += 1;
            rest = after;
        }
        self.bom = BomState::Done;
        Ok(rest)
    }

    /// Interprets one complete line, terminator excluded.
    fn process_line(&mut self, line: &[u8]) -> Result<(), SseError> {
        if line.is_empty() {
            self.dispatch();
            return Ok(());
        }
        let colon = line.iter().position(|&byte| byte == b':');
        self.count(colon.map_or(line.len(), |colon| colon + 1));
        let (field, value) = match colon {
            // A comment.
            Some(0) => return Ok(()),
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"event" => {
                self.count(value.len());
                self.event_type = decode(value).into_owned();
            }
            b"data" => {
                self.count(value.len());
                let value = decode(value);
                // The data as dispatched if this were its last line: the buffer (values each
                // followed by `\n`) plus this value.
                if self.data.len() + value.len() > self.limits.max_event {
                    return Err(SseError::EventTooLarge {
                        limit: self.limits.max_event,
                    });
                }
                self.data.push_str(&value);
                self.data.push('\n');
            }
            b"id" => {
                self.count(value.len());
                // U+0000 is the byte 0 in UTF-8, and lossy decoding never produces it.
                if !value.contains(&0) {
                    self.id_buffer = Arc::from(decode(value));
                }
            }
            b"retry" => {
                self.count(value.len());
                if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
                    let millis = value.iter().fold(0u64, |millis, digit| {
                        millis
                            .saturating_mul(10)
                            .saturating_add(u64::from(digit - b'0'))
                    });
                    self.reconnection_time = Some(Duration::from_millis(millis));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Handles an empty line: commits the last event ID and queues the buffered event, if it
    /// has data.
    fn dispatch(&mut self) {
        self.last_event_id = Arc::clone(&self.id_buffer);
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        if self.data.ends_with('\n') {
            self.data.pop();
        }
        self.queue.push_back(QueuedEvent {
            event: std::mem::take(&mut self.event_type),
            data: std::mem::take(&mut self.data),
            id: Arc::clone(&self.last_event_id),
        });
    }

    /// Adds `bytes` to the work count the linearity tests check; nothing outside tests.
    #[inline]
    fn count(&mut self, bytes: usize) {
        #[cfg(test)]
        {
            self.work += bytes;
        }
        #[cfg(not(test))]
        let _ = bytes;
    }
}

/// The index of the first CR or LF in `bytes`.
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&byte| byte == b'\n' || byte == b'\r')
}

/// Decodes `bytes` as UTF-8, replacing each invalid sequence with U+FFFD.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parser with the default limits.
    fn parser() -> SseParser {
        SseParser::new(SseLimits::default())
    }

    /// Feeds `chunks` to `parser` and returns the events, panicking on an error.
    fn feed(parser: &mut SseParser, chunks: &[&[u8]]) -> Vec<ParsedEvent> {
        let mut events = Vec::new();
        for chunk in chunks {
            parser.push(chunk).expect("within the limits");
            events.extend(std::iter::from_fn(|| parser.next_event()));
        }
        events
    }

    /// The events of `stream` fed whole to a fresh parser.
    fn parse(stream: &[u8]) -> Vec<ParsedEvent> {
        feed(&mut parser(), &[stream])
    }

    fn event(event: &str, data: &str, id: Option<&str>) -> ParsedEvent {
        ParsedEvent {
            event: event.to_owned(),
            data: data.to_owned(),
            id: id.map(str::to_owned),
        }
    }

    fn message(data: &str) -> ParsedEvent {
        event("message", data, None)
    }

    fn limits(max_line: usize, max_event: usize) -> SseLimits {
        SseLimits {
            max_line,
            max_event,
        }
    }

    #[test]
    fn default_limits() {
        assert_eq!(SseLimits::default(), limits(1 << 20, 8 << 20));
    }

    #[test]
    fn spec_example_data_lines_are_joined() {
        let stream = b"data: YHOO\ndata: +2\ndata: 10\n\n";
        assert_eq!(parse(stream), [message("YHOO\n+2\n10")]);
    }

    #[test]
    fn spec_example_comments_and_ids() {
        let stream =
            b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n";
        assert_eq!(
            parse(stream),
            [
                event("message", "first event", Some("1")),
                message("second event"),
                message(" third event"),
            ]
        );
    }

    #[test]
    fn spec_example_empty_data_and_trailing_incomplete_event() {
        let stream = b"data\n\ndata\ndata\n\ndata:";
        assert_eq!(parse(stream), [message(""), message("\n")]);
    }

    #[test]
    fn spec_example_one_leading_space_is_optional() {
        assert_eq!(
            parse(b"data:test\n\ndata: test\n\n"),
            [message("test"), message("test")]
        );
    }

    #[test]
    fn only_one_leading_space_is_stripped() {
        assert_eq!(parse(b"data:   x \n\n"), [message("  x ")]);
        assert_eq!(parse(b"event:  t\ndata\n\n"), [event(" t", "", None)]);
        assert_eq!(parse(b"data:\tx\n\n"), [message("\tx")]);
    }

    #[test]
    fn value_splits_at_the_first_colon() {
        assert_eq!(parse(b"data: a: b:c\n\n"), [message("a: b:c")]);
        assert_eq!(parse(b"data::\n\n"), [message(":")]);
    }

    #[test]
    fn event_types() {
        let stream = b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n";
        assert_eq!(
            parse(stream),
            [
                event("add", "73857293", None),
                event("remove", "2153", None),
                event("add", "113411", None),
            ]
        );
    }

    #[test]
    fn event_type_resets_after_dispatch() {
        assert_eq!(
            parse(b"event: a\ndata: 1\n\ndata: 2\n\n"),
            [event("a", "1", None), message("2")]
        );
        // Also when the empty line dispatched nothing.
        assert_eq!(parse(b"event: a\n\ndata: 2\n\n"), [message("2")]);
        // The last `event:` line of an event wins; an empty one means `message`.
        assert_eq!(
            parse(b"event: a\nevent: b\ndata\n\nevent: a\nevent:\ndata\n\n"),
            [event("b", "", None), message("")]
        );
    }

    #[test]
    fn empty_data_is_not_dispatched() {
        assert_eq!(parse(b"\n\n\nevent: x\n\nid: 3\n\n: hi\n\n"), []);
        assert_eq!(parse(b"data:\n\n"), [message("")]);
    }

    #[test]
    fn comments_are_ignored() {
        assert_eq!(
            parse(b": one\ndata: a\n:two\ndata: b\n:\n\n"),
            [message("a\nb")]
        );
    }

    #[test]
    fn field_without_colon_has_an_empty_value() {
        assert_eq!(parse(b"data\ndata\n\n"), [message("\n")]);
        assert_eq!(parse(b"id: 1\ndata: a\n\nid\ndata: b\n\n")[1], message("b"));
        // `retry` without a value is not all digits.
        let mut p = parser();
        assert_eq!(feed(&mut p, &[b"retry\ndata\n\n"]), [message("")]);
        assert_eq!(p.reconnection_time(), None);
    }

    #[test]
    fn unknown_and_miscased_fields_are_ignored() {
        assert_eq!(
            parse(b"Data: x\nDATA: y\nfoo: z\ndata : w\n data: v\ndata: kept\n\n"),
            [message("kept")]
        );
    }

    #[test]
    fn id_persists_across_events() {
        let mut p = parser();
        let events = feed(
            &mut p,
            &[b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n"],
        );
        assert_eq!(
            events,
            [
                event("message", "a", Some("1")),
                event("message", "b", Some("1")),
                event("message", "c", Some("2")),
                message("d"),
            ]
        );
        assert_eq!(p.last_event_id(), "");
    }

    #[test]
    fn last_event_id_is_committed_by_the_empty_line() {
        let mut p = parser();
        feed(&mut p, &[b"id: 7\n"]);
        assert_eq!(p.last_event_id(), "");
        feed(&mut p, &[b"\n"]);
        // Committed even though no event was dispatched.
        assert_eq!(p.last_event_id(), "7");
        feed(&mut p, &[b"id: 8\ndata: x"]);
        assert_eq!(p.last_event_id(), "7");
        assert_eq!(feed(&mut p, &[b"\n\n"]), [event("message", "x", Some("8"))]);
        assert_eq!(p.last_event_id(), "8");
    }

    #[test]
    fn id_containing_nul_is_ignored() {
        let mut p = parser();
        let events = feed(&mut p, &[b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"]);
        assert_eq!(
            events,
            [
                event("message", "a", Some("1")),
                event("message", "b", Some("1")),
            ]
        );
        assert_eq!(p.last_event_id(), "1");
    }

    #[test]
    fn set_last_event_id_resumes_a_stream() {
        let mut p = parser();
        p.set_last_event_id("41");
        assert_eq!(p.last_event_id(), "41");
        let events = feed(&mut p, &[b"data: a\n\nid: 42\ndata: b\n\n"]);
        assert_eq!(
            events,
            [
                event("message", "a", Some("41")),
                event("message", "b", Some("42")),
            ]
        );
        assert_eq!(p.last_event_id(), "42");
    }

    #[test]
    fn retry_takes_digits_only() {
        let mut p = parser();
        assert_eq!(p.reconnection_time(), None);
        feed(&mut p, &[b"retry: 1500\n"]);
        assert_eq!(p.reconnection_time(), Some(Duration::from_millis(1500)));
        for ignored in [
            &b"retry: 15x\n"[..],
            b"retry: -1\n",
            b"retry: 1.5\n",
            b"retry:\n",
            b"retry:  20\n",
            b"retry: 20 \n",
            b"retry: +20\n",
            b"retry: \xD9\xA3\n", // ARABIC-INDIC DIGIT THREE is not an ASCII digit
        ] {
            feed(&mut p, &[ignored]);
            assert_eq!(p.reconnection_time(), Some(Duration::from_millis(1500)));
        }
        feed(&mut p, &[b"retry:0\n"]);
        assert_eq!(p.reconnection_time(), Some(Duration::ZERO));
        feed(&mut p, &[b"retry: 99999999999999999999999999\n"]);
        assert_eq!(p.reconnection_time(), Some(Duration::from_millis(u64::MAX)));
    }

    #[test]
    fn retry_alone_dispatches_nothing() {
        let mut p = parser();
        assert_eq!(feed(&mut p, &[b"retry: 10\n\n"]), []);
        assert_eq!(p.reconnection_time(), Some(Duration::from_millis(10)));
    }

    #[test]
    fn line_endings_cr_lf_crlf() {
        let expected = [message("a\nb"), message("c")];
        assert_eq!(parse(b"data: a\ndata: b\n\ndata: c\n\n"), expected);
        assert_eq!(parse(b"data: a\rdata: b\r\rdata: c\r\r"), expected);
        assert_eq!(
            parse(b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"),
            expected
        );
        assert_eq!(parse(b"data: a\rdata: b\r\n\ndata: c\n\r"), expected);
        // LF CR is two line ends, CR LF one.
        assert_eq!(
            parse(b"data: a\n\rdata: b\n\r"),
            [message("a"), message("b")]
        );
        assert_eq!(parse(b"data: a\r\ndata: b\r\n"), []);
    }

    #[test]
    fn crlf_split_across_chunks() {
        let mut p = parser();
        assert_eq!(
            feed(&mut p, &[b"data: a\r", b"\ndata: b\r\n\r", b"\n"]),
            [message("a\nb")]
        );
        // The CR alone already ends its line: the event is out before the LF arrives.
        let mut p = parser();
        assert_eq!(feed(&mut p, &[b"data: a\r\n\r"]), [message("a")]);
        // Only one LF is swallowed, and an empty chunk in between changes nothing.
        let mut p = parser();
        let events = feed(&mut p, &[b"data: a\r", b"", b"\n", b"\ndata: b\n\n"]);
        assert_eq!(events, [message("a"), message("b")]);
        // A CR at the end of one chunk does not swallow a later chunk's CR.
        let mut p = parser();
        assert_eq!(feed(&mut p, &[b"data: a\r", b"\r"]), [message("a")]);
    }

    #[test]
    fn bom_is_skipped_only_at_the_start() {
        assert_eq!(parse(b"\xEF\xBB\xBFdata: a\n\n"), [message("a")]);
        // A second BOM is part of the first line's field name, which is then unknown.
        assert_eq!(
            parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"),
            [message("b")]
        );
        // A BOM at the start of a later line is no BOM.
        assert_eq!(parse(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"), [message("a")]);
        // Inside a value it is kept.
        assert_eq!(parse(b"data: \xEF\xBB\xBFx\n\n"), [message("\u{FEFF}x")]);
        // Split between chunks.
        let mut p = parser();
        let events = feed(&mut p, &[b"\xEF", b"", b"\xBB", b"\xBFdata: a\n\n"]);
        assert_eq!(events, [message("a")]);
    }

    #[test]
    fn bytes_held_as_a_possible_bom_are_kept() {
        // `\xEF\xBB` then not `\xBF`: the bytes start the first line, so `data` is no longer
        // its field name.
        let mut p = parser();
        assert_eq!(
            feed(&mut p, &[b"\xEF\xBB", b"data: a\n\ndata: b\n\n"]),
            [message("b")]
        );
        let mut p = parser();
        assert_eq!(
            feed(&mut p, &[b"\xEF", b"\n", b"data: c\n\n"]),
            [message("c")]
        );
        // And an empty stream or one that is only a BOM yields nothing.
        assert_eq!(parse(b""), []);
        assert_eq!(parse(b"\xEF\xBB\xBF"), []);
    }

    #[test]
    fn bom_does_not_count_toward_max_line() {
        let mut p = SseParser::new(limits(4, 100));
        assert_eq!(feed(&mut p, &[b"\xEF\xBB\xBFdata\n\n"]), [message("")]);
        // Held bytes that were no BOM do count.
        let mut p = SseParser::new(limits(1, 100));
        assert_eq!(
            p.push(b"\xEF\xBBx"),
            Err(SseError::LineTooLong { limit: 1 })
        );
    }

    #[test]
    fn trailing_incomplete_event_and_line_are_discarded() {
        let mut p = parser();
        assert_eq!(feed(&mut p, &[b"data: a\n\ndata: b\n"]), [message("a")]);
        assert_eq!(p.next_event(), None);
        assert_eq!(parse(b"data: a\n\ndata: b"), [message("a")]);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(parse(b"data: a\xFFb\n\n"), [message("a\u{FFFD}b")]);
        // A truncated sequence is one replacement; an overlong encoding one per byte.
        assert_eq!(
            parse(b"data: \xE2\x82x\xC0\xAF\n\n"),
            [message("\u{FFFD}x\u{FFFD}\u{FFFD}")]
        );
        // A truncated sequence at the end of a line does not swallow the terminator.
        assert_eq!(
            parse(b"data: \xF0\x9F\x98\ndata: z\n\n"),
            [message("\u{FFFD}\nz")]
        );
        assert_eq!(
            parse(b"event: \xFFt\nid: \xFE\ndata\n\n"),
            [event("\u{FFFD}t", "", Some("\u{FFFD}"))]
        );
    }

    #[test]
    fn multibyte_character_split_across_chunks() {
        let stream = "data: é😀\n\n".as_bytes();
        for at in 0..=stream.len() {
            let (a, b) = stream.split_at(at);
            assert_eq!(
                feed(&mut parser(), &[a, b]),
                [message("é😀")],
                "split at {at}"
            );
        }
        // An invalid byte, then a character split between chunks.
        let events = feed(
            &mut parser(),
            &[b"data: \xFF\xF0\x9F", b"\x98", b"\x80!\r", b"\n\r\n"],
        );
        assert_eq!(events, [message("\u{FFFD}😀!")]);
    }

    /// A stream that uses every feature the parser has.
    const SAMPLE: &[u8] = b"\xEF\xBB\xBF: hello\r\n\
        retry: 3000\n\
        event: first\r\
        data: a\r\n\
        data:  b\xFF\n\
        id: 1\n\
        \r\n\
        data: \xC3\xA9\xF0\x9F\x98\x80\r\
        \r\
        id: 2\0\n\
        id\n\
        event: x\n\
        \n\
        data\r\n\
        data:\r\n\
        \r\n\
        id: 3\r\n\
        \r\n\
        : bye\n\
        data: tail\r\n";

    /// The events of `chunks` with the parser's final state, for comparing splits.
    fn outcome(chunks: &[&[u8]]) -> (Vec<ParsedEvent>, String, Option<Duration>) {
        let mut p = parser();
        let events = feed(&mut p, chunks);
        (events, p.last_event_id().to_owned(), p.reconnection_time())
    }

    #[test]
    fn sample_stream_events() {
        let (events, last_id, retry) = outcome(&[SAMPLE]);
        assert_eq!(
            events,
            [
                event("first", "a\n b\u{FFFD}", Some("1")),
                event("message", "é😀", Some("1")),
                message("\n"),
            ]
        );
        assert_eq!(last_id, "3");
        assert_eq!(retry, Some(Duration::from_secs(3)));
    }

    #[test]
    fn every_split_of_the_sample_gives_the_same_events() {
        let whole = outcome(&[SAMPLE]);
        let bytes: Vec<&[u8]> = SAMPLE.chunks(1).collect();
        assert_eq!(outcome(&bytes), whole, "byte by byte");
        for size in 2..8 {
            let chunks: Vec<&[u8]> = SAMPLE.chunks(size).collect();
            assert_eq!(outcome(&chunks), whole, "chunks of {size}");
        }
        for i in 0..=SAMPLE.len() {
            let (a, rest) = SAMPLE.split_at(i);
            assert_eq!(outcome(&[a, rest]), whole, "split at {i}");
            for j in 0..=rest.len() {
                let (b, c) = rest.split_at(j);
                assert_eq!(outcome(&[a, b, c]), whole, "split at {i} and {}", i + j);
            }
        }
    }

    #[test]
    fn line_at_max_line_passes() {
        let mut p = SseParser::new(limits(10, 100));
        assert_eq!(feed(&mut p, &[b"data: 1234\n\n"]), [message("1234")]);
        // Also byte by byte, with the CRLF split.
        let mut p = SseParser::new(limits(10, 100));
        let stream = b"data: 1234\r\n\r\n";
        let chunks: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(feed(&mut p, &chunks), [message("1234")]);
        // Comments are lines too.
        let mut p = SseParser::new(limits(10, 100));
        assert_eq!(feed(&mut p, &[b":234567890\rdata\r\r"]), [message("")]);
    }

    #[test]
    fn line_over_max_line_fails() {
        let too_long = Err(SseError::LineTooLong { limit: 10 });
        let mut p = SseParser::new(limits(10, 100));
        assert_eq!(p.push(b"data: 12345\n\n"), too_long);
        let mut p = SseParser::new(limits(10, 100));
        assert_eq!(p.push(b":2345678901\n"), too_long);
        // Also when the terminator has not arrived yet.
        let mut p = SseParser::new(limits(10, 100));
        assert_eq!(p.push(b"data: 12345"), too_long);
    }

    #[test]
    fn line_over_max_line_fails_in_small_chunks() {
        let mut p = SseParser::new(limits(10, 100));
        for byte in b"data: 1234" {
            p.push(&[*byte]).expect("within the limit");
        }
        assert_eq!(p.line.len(), 10);
        assert_eq!(p.push(b"5"), Err(SseError::LineTooLong { limit: 10 }));
        // In chunks that straddle the limit.
        let mut p = SseParser::new(limits(10, 100));
        p.push(b"data:").expect("within the limit");
        p.push(b" 123").expect("within the limit");
        assert_eq!(p.push(b"45\n"), Err(SseError::LineTooLong { limit: 10 }));
    }

    #[test]
    fn line_over_max_line_fails_without_buffering_the_rest() {
        let mut p = SseParser::new(limits(10, 100));
        let mut chunk = b"data: ok\n\ndata: ".to_vec();
        chunk.resize(1 << 20, b'x');
        assert_eq!(p.push(&chunk), Err(SseError::LineTooLong { limit: 10 }));
        // It looked at one byte past the limit, no further, and kept nothing.
        assert!(p.work < 64, "touched {} bytes", p.work);
        assert_eq!(p.line.capacity(), 0);
        // The event before the long line is still there.
        assert_eq!(p.next_event(), Some(message("ok")));
        assert_eq!(p.next_event(), None);
    }

    #[test]
    fn event_at_max_event_passes() {
        let mut p = SseParser::new(limits(100, 10));
        assert_eq!(
            feed(&mut p, &[b"data: 12345\ndata: 1234\n\n"]),
            [message("12345\n1234")]
        );
        // The limit is per event.
        assert_eq!(
            feed(&mut p, &[b"data: 1234567890\n\n"]),
            [message("1234567890")]
        );
        // Multi-byte characters count in bytes.
        assert_eq!(
            feed(
                &mut p,
                &[b"data: \xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n\n"]
            ),
            [message("ééééé")]
        );
    }

    #[test]
    fn event_over_max_event_fails() {
        let too_large = Err(SseError::EventTooLarge { limit: 10 });
        let mut p = SseParser::new(limits(100, 10));
        assert_eq!(p.push(b"data: 12345\ndata: 12345\n\n"), too_large);
        let mut p = SseParser::new(limits(100, 10));
        assert_eq!(p.push(b"data: 12345678901\n"), too_large);
        // Empty data lines add a `\n` each.
        let mut p = SseParser::new(limits(100, 10));
        assert_eq!(p.push(&b"data\n".repeat(12)), too_large);
        // Replacement characters count as the three bytes they decode to.
        let mut p = SseParser::new(limits(100, 10));
        assert_eq!(p.push(b"data: \xFF\xFF\xFF\xFF\n"), too_large);
    }

    #[test]
    fn errors_are_sticky() {
        let mut p = SseParser::new(limits(10, 100));
        let too_long = Err(SseError::LineTooLong { limit: 10 });
        assert_eq!(p.push(b"data: 12345\n"), too_long);
        assert_eq!(p.push(b"data: ok\n\n"), too_long);
        assert_eq!(p.push(b""), too_long);
        assert_eq!(p.next_event(), None);

        let mut p = SseParser::new(limits(100, 3));
        let too_large = Err(SseError::EventTooLarge { limit: 3 });
        assert_eq!(p.push(b"data: 1234\n"), too_large);
        assert_eq!(p.push(b"\ndata: ok\n\n"), too_large);
        assert_eq!(p.next_event(), None);
    }

    #[test]
    fn error_messages_name_the_limit() {
        assert_eq!(
            SseError::LineTooLong { limit: 1048576 }.to_string(),
            "an event-stream line exceeded 1048576 bytes"
        );
        assert_eq!(
            SseError::EventTooLarge { limit: 8 }.to_string(),
            "an event-stream event's data exceeded 8 bytes"
        );
        let err: Box<dyn std::error::Error> = Box::new(SseError::LineTooLong { limit: 1 });
        assert!(err.source().is_none());
    }

    #[test]
    fn long_line_in_small_chunks_is_linear() {
        const LINE: usize = 8 << 20;
        let mut stream = b"data: ".to_vec();
        stream.resize(6 + LINE, b'x');
        stream.extend_from_slice(b"\r\n\r\n");
        let mut p = SseParser::new(limits(16 << 20, 16 << 20));
        for chunk in stream.chunks(4096) {
            p.push(chunk).expect("within the limits");
        }
        let event = p.next_event().expect("one event");
        assert_eq!(event.data.len(), LINE);
        assert!(event.data.bytes().all(|byte| byte == b'x'));
        assert_eq!(p.next_event(), None);
        // Scanned once, copied into the line buffer once, parsed once (colon search, decoding).
        assert!(
            p.work <= 4 * stream.len(),
            "touched {} bytes for {}",
            p.work,
            stream.len()
        );
        // The line buffer did not keep the 8 MiB.
        assert!(p.line.capacity() <= RETAINED_LINE_CAPACITY);
    }

    #[test]
    fn many_lines_in_one_chunk_are_linear() {
        let stream = b"data: 1\nid: 2\n: c\nevent: e\n\n\r\n".repeat(100_000);
        let mut p = parser();
        p.push(&stream).expect("within the limits");
        assert_eq!(p.queue.len(), 100_000);
        assert!(
            p.work <= 2 * stream.len(),
            "touched {} bytes for {}",
            p.work,
            stream.len()
        );
    }

    #[test]
    fn queued_events_share_the_last_event_id() {
        let mut stream = b"id: ".to_vec();
        stream.resize(1000, b'7');
        stream.extend_from_slice(b"\n");
        stream.extend_from_slice(&b"data\n\n".repeat(1000));
        let mut p = parser();
        p.push(&stream).expect("within the limits");
        assert_eq!(p.queue.len(), 1000);
        assert!(p.queue.iter().all(|e| Arc::ptr_eq(&e.id, &p.last_event_id)));
        let first = p.next_event().expect("an event");
        assert_eq!(first.id.as_deref().map(str::len), Some(996));
    }
}
