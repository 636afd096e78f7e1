//! `multipart/form-data` uploads: the [`FilePart`] callers hand in, the parts a
//! [`Request`](super::Request) records, and the encoder that turns them into the request body.
//!
//! # What goes on the wire
//!
//! A form is encoded exactly as Losant's official JavaScript client (`losant-rest` 4.2.0, which
//! builds its forms with the `form-data` package) encodes it, so that the API sees the same
//! request whichever client sent it; only the random boundary differs. The reference captures
//! of that client are in `tests/fixtures/multipart/` (with the script that made them), and the
//! tests below compare the encoder with them byte for byte. For each part, in the order the
//! parts were added:
//!
//! ```text
//! --{boundary}\r\n
//! Content-Disposition: form-data; name="{name}"\r\n                      (a text part)
//! Content-Disposition: form-data; name="{name}"; filename="{file}"\r\n   (a file part)
//! Content-Type: {content type}\r\n                                       (file parts only)
//! \r\n
//! {the value or the file's bytes, unchanged}\r\n
//! ```
//!
//! then `--{boundary}--\r\n`. Text parts have no `Content-Type`. A file part's content type is
//! the one set on the [`FilePart`], else the one its name's extension suggests (as the JS
//! client's `mime-types` table has it, for common types), else `application/octet-stream`. Only the last `/`-separated component of a file name is sent,
//! and `"`, CR and LF in names are written as `%22`, `%0D` and `%0A` (the WHATWG form encoding,
//! which `form-data` follows); other characters, non-ASCII ones included, are written as UTF-8.
//! The boundary has the same form as `form-data`'s: 26 dashes and 24 random hex digits.
//!
//! # Why the SDK encodes forms itself
//!
//! `reqwest`'s `Form` decides the part headers on its own (no `Content-Type` for a file without
//! one, its own quoting of file names), cannot be cloned or inspected, and streams files only
//! with a length the caller must supply. Encoding the body here gives
//! - control of every part header, hence an exact match with the official client;
//! - a body the SDK's test transport can read back and split with [`parse_multipart`], so
//!   tests can assert what an upload sent;
//! - files streamed from disk in 64 KiB chunks, with a `Content-Length` known up front, and
//!   opened anew for each attempt, so that an upload of any size uses bounded memory and can
//!   be retried.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

/// How many bytes of a file are read at a time while it is sent.
const CHUNK_SIZE: usize = 64 * 1024;

/// The content type of a file part that has none and whose name suggests none.
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// Extensions for which `mime_guess` suggests another type than the `mime-db` table the JS
/// client looks names up in (through `mime-types`), among file types likely to be uploaded;
/// sorted, for a binary search. The other differences are rare types (CAD, troff, XCAP, …).
const JS_CLIENT_TYPES: &[(&str, &str)] = &[
    ("cjs", "application/node"),
    ("exe", "application/x-msdos-program"),
    ("flac", "audio/x-flac"),
    ("h", "text/x-c"),
    ("ico", "image/vnd.microsoft.icon"),
    ("iso", "application/x-iso9660-image"),
    ("java", "text/x-java-source"),
    ("js", "application/javascript"),
    ("jsx", "text/jsx"),
    ("m4a", "audio/mp4"),
    ("map", "application/json"),
    ("mid", "audio/midi"),
    ("midi", "audio/midi"),
    ("msi", "application/x-msdownload"),
    ("otf", "font/otf"),
    ("rar", "application/vnd.rar"),
    ("toml", "application/toml"),
    ("wav", "audio/wave"),
    ("woff", "font/woff"),
    ("xml", "application/xml"),
    ("xsd", "application/xml"),
    ("xsl", "application/xml"),
    ("xslt", "application/xslt+xml"),
    ("yaml", "text/yaml"),
    ("yml", "text/yaml"),
];

/// The content type a file name's extension suggests, as the JS client would guess it: its
/// own table for the extensions in [`JS_CLIENT_TYPES`], `mime_guess`'s for the others.
fn guess_content_type(file_name: &str) -> Option<String> {
    let extension = Path::new(file_name)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    match JS_CLIENT_TYPES.binary_search_by(|(ext, _)| (*ext).cmp(extension.as_str())) {
        Ok(index) => JS_CLIENT_TYPES
            .get(index)
            .map(|(_, mime)| (*mime).to_owned()),
        Err(_) => mime_guess::from_ext(&extension)
            .first()
            .map(|mime| mime.essence_str().to_owned()),
    }
}

/// A reader handed to [`FilePart::from_reader`].
type BoxedReader = Box<dyn AsyncRead + Send + Unpin + 'static>;

/// Where a reader part's reader waits until a request takes it.
type ReaderSlot = Arc<Mutex<Option<BoxedReader>>>;

/// A file to upload in a `multipart/form-data` request: a file name, an optional content type
/// and contents held in memory, read from a path when sent, or streamed from a reader.
///
/// Files from [`from_path`](FilePart::from_path) are never read into memory: they are opened
/// for each attempt and sent in 64 KiB chunks, so a request that fails can be retried and a
/// 1 GiB upload takes no more memory than a small one. A part from
/// [`from_reader`](FilePart::from_reader) can be sent once.
///
/// When the part is sent, only the last `/`-separated component of the file name is used (as
/// the official clients and browsers do); without a [content type](FilePart::content_type), the
/// one the name's extension suggests is sent, or `application/octet-stream`.
///
/// Cloning is cheap: in-memory contents are shared ([`Bytes`]), a path is copied, and clones of a
/// reader part share the one reader (whichever request is sent first takes it).
///
/// Its `Debug` output shows the file name, content type, size and source, never the contents.
///
/// ```
/// use losant::FilePart;
///
/// // In memory, with an explicit content type.
/// let csv = FilePart::new("readings.csv", "time,value\n1,2.5\n").content_type("text/csv");
/// assert_eq!(csv.file_name(), "readings.csv");
/// assert_eq!(csv.mime_type(), Some("text/csv"));
/// assert_eq!(csv.size(), Some(17));
///
/// // From any `tokio::io::AsyncRead`, sent once; the length, when known, lets the request
/// // carry a `Content-Length`.
/// let data: &'static [u8] = b"\x00\x01\x02";
/// let streamed = FilePart::from_reader("blob.bin", data, Some(3));
/// assert_eq!(streamed.size(), Some(3));
///
/// // From disk: streamed when sent, re-read for each attempt.
/// async fn firmware() -> std::io::Result<FilePart> {
///     let file = FilePart::from_path("build/firmware.bin").await?;
///     assert_eq!(file.file_name(), "firmware.bin");
///     Ok(file)
/// }
/// # drop(firmware());
/// ```
#[derive(Clone)]
pub struct FilePart {
    file_name: String,
    content_type: Option<String>,
    source: Source,
}

/// Where a file part's contents come from.
#[derive(Clone)]
enum Source {
    /// Held in memory.
    Memory(Bytes),
    /// Read from this path when sent; `len` is its size when the part was made.
    Path { path: PathBuf, len: u64 },
    /// Streamed from a reader, which the first request sent takes.
    Reader { slot: ReaderSlot, len: Option<u64> },
}

impl FilePart {
    /// A file named `file_name` holding `bytes` (a `Vec<u8>`, `String`, `&'static str`,
    /// [`Bytes`], …), without a content type of its own.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Memory(bytes.into()),
        }
    }

    /// Sets the content type (a MIME type such as `text/csv`), builder style. A value that is
    /// not a valid MIME type makes the request fail its checks before anything is sent.
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// The file at `path`, streamed from disk when the request is sent: it is opened anew for
    /// each attempt and read in chunks, never whole.
    ///
    /// The file name is the path's last component; the content type is guessed from its
    /// extension (none when the extension is unknown); the length is the file's size now. A
    /// file whose size has changed by the time it is sent fails that attempt with an error
    /// rather than sending a body that does not match its `Content-Length`.
    ///
    /// Fails with the error of reading the file's metadata, or with
    /// [`std::io::ErrorKind::InvalidInput`] when the path does not end in a file name (e.g.
    /// `..`) or is not a regular file.
    pub async fn from_path(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let Some(file_name) = path.file_name() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{}` does not end in a file name", path.display()),
            ));
        };
        let metadata = tokio::fs::metadata(path).await?;
        if !metadata.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{}` is not a regular file", path.display()),
            ));
        }
        Ok(FilePart {
            file_name: file_name.to_string_lossy().into_owned(),
            content_type: guess_content_type(&file_name.to_string_lossy()),
            source: Source::Path {
                path: path.to_owned(),
                len: metadata.len(),
            },
        })
    }

    /// A file named `file_name` streamed from `reader` when the request is sent.
    ///
    /// The reader can be read once: a request whose reader was already taken (by an earlier
    /// attempt, or by another request sharing a clone of this part) cannot be sent, so such a
    /// request is not retried. `len`, when known, gives the request a `Content-Length`; the
    /// reader must then yield exactly that many bytes, or the attempt fails. Without it the
    /// body is sent chunked.
    pub fn from_reader<R>(file_name: impl Into<String>, reader: R, len: Option<u64>) -> Self
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Reader {
                slot: Arc::new(Mutex::new(Some(Box::new(reader)))),
                len,
            },
        }
    }

    /// The file name, as given (only its last `/`-separated component is sent).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The content type set with [`content_type`](FilePart::content_type) or guessed by
    /// [`from_path`](FilePart::from_path). When it is `None`, the part is sent with the type
    /// the file name's extension suggests, or `application/octet-stream`.
    pub fn mime_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The content type the part is sent with: its own, else the one its file name's
    /// extension suggests, else `application/octet-stream`.
    pub fn effective_content_type(&self) -> String {
        self.wire_content_type()
    }

    /// The size of the contents in bytes, when known: always for in-memory contents and files
    /// from a path (their size when the part was made), for a reader only if its length was
    /// given.
    pub fn size(&self) -> Option<u64> {
        match &self.source {
            Source::Memory(bytes) => Some(bytes.len() as u64),
            Source::Path { len, .. } => Some(*len),
            Source::Reader { len, .. } => *len,
        }
    }

    /// The file name as sent: its last `/`-separated component, as the JS client's `form-data`
    /// writes it (Node's `path.basename`: trailing slashes are dropped first).
    fn wire_name(&self) -> &str {
        let trimmed = self.file_name.trim_end_matches('/');
        trimmed.rsplit('/').next().unwrap_or(trimmed)
    }

    /// The content type as sent.
    fn wire_content_type(&self) -> String {
        match &self.content_type {
            Some(mime) => mime.clone(),
            None => guess_content_type(self.wire_name())
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned()),
        }
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("size", &ByteCount(self.size()))
            .field("source", &self.source)
            .finish()
    }
}

/// Shows `<N bytes>`, or `<unknown size>`.
struct ByteCount(Option<u64>);

impl fmt::Debug for ByteCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "<{n} bytes>"),
            None => f.write_str("<unknown size>"),
        }
    }
}

impl fmt::Debug for Source {
    /// `Memory`, `Path("…")` or `Reader`: where the contents come from, not the contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Memory(_) => f.write_str("Memory"),
            Source::Path { path, .. } => f.debug_tuple("Path").field(path).finish(),
            Source::Reader { .. } => f.write_str("Reader"),
        }
    }
}

/// One part of a form, as recorded by the request.
#[derive(Clone, Debug)]
pub(crate) enum MultipartPart {
    Text { name: String, value: String },
    File { name: String, file: FilePart },
}

impl MultipartPart {
    /// Why `file` cannot be sent as a part, if it cannot.
    pub(crate) fn check_file(file: &FilePart) -> Option<String> {
        if file.wire_name().is_empty() {
            // The JS client leaves `filename` out then, which makes the part a text field.
            return Some(format!(
                "the file name `{}` is empty or only slashes; the part needs a file name",
                file.file_name.escape_debug()
            ));
        }
        if file.file_name.chars().any(char::is_control) {
            // Line breaks would be sent escaped (`%0D%0A`), as the JS client does, but a name
            // with control characters is almost certainly a mistake.
            return Some(format!(
                "the file name `{}` must not contain control characters such as line breaks",
                file.file_name.escape_debug()
            ));
        }
        match &file.content_type {
            Some(mime)
                if mime.chars().any(char::is_control)
                    || mime.parse::<mime_guess::Mime>().is_err() =>
            {
                Some(format!(
                    "the content type `{}` of file `{}` is not a valid MIME type",
                    mime.escape_debug(),
                    file.file_name.escape_debug()
                ))
            }
            _ => None,
        }
    }
}

/// A streamed request body: chunks of the encoded form.
pub(crate) type BodyStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A `multipart/form-data` body: the parts and the boundary between them. It encodes the
/// parts anew for each attempt ([`stream`](MultipartBody::stream)).
#[derive(Debug)]
pub(crate) struct MultipartBody {
    boundary: String,
    parts: Vec<MultipartPart>,
}

impl MultipartBody {
    /// A body of `parts` with a random boundary of the form `form-data` uses: 26 dashes and 24
    /// random hex digits.
    pub(crate) fn new(parts: Vec<MultipartPart>) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut boundary = "-".repeat(26);
        boundary.extend((0..24).map(|_| char::from(HEX[fastrand::usize(..HEX.len())])));
        Self::with_boundary(parts, &boundary)
    }

    /// A body of `parts` with the given boundary (for tests).
    pub(crate) fn with_boundary(parts: Vec<MultipartPart>, boundary: &str) -> Self {
        MultipartBody {
            boundary: boundary.to_owned(),
            parts,
        }
    }

    /// The parts, in the order they are sent.
    pub(crate) fn parts(&self) -> &[MultipartPart] {
        &self.parts
    }

    /// The request's `Content-Type`: `multipart/form-data; boundary=…`.
    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The exact length of the encoded body, when the length of every file is known.
    pub(crate) fn content_length(&self) -> Option<u64> {
        let mut total = self.closing().len() as u64;
        for part in self.parts() {
            let content = match part {
                MultipartPart::Text { value, .. } => value.len() as u64,
                MultipartPart::File { file, .. } => file.size()?,
            };
            total += self.head(part).len() as u64 + content + 2;
        }
        Some(total)
    }

    /// Whether [`stream`](MultipartBody::stream) can still be called: false once the reader of
    /// a reader part was taken.
    pub(crate) fn is_replayable(&self) -> bool {
        self.parts().iter().all(|part| match part {
            MultipartPart::File {
                file:
                    FilePart {
                        source: Source::Reader { slot, .. },
                        ..
                    },
                ..
            } => lock(slot).is_some(),
            _ => true,
        })
    }

    /// A fresh stream of the encoded body, for one attempt: part headers and text values as
    /// they are, in-memory files as they are, files from a path opened when the stream reaches
    /// them and read in 64 KiB chunks, readers likewise.
    ///
    /// Fails when the reader of a reader part was already taken (the body was sent before);
    /// the readers of the other parts are then left in place.
    pub(crate) fn stream(&self) -> io::Result<BodyStream> {
        let mut segments = Vec::new();
        let mut pending = BytesMut::new();
        let mut missing = None;
        for part in self.parts() {
            pending.extend_from_slice(self.head(part).as_bytes());
            match part {
                MultipartPart::Text { value, .. } => pending.extend_from_slice(value.as_bytes()),
                MultipartPart::File { file, .. } => {
                    let segment = match &file.source {
                        Source::Memory(bytes) => Segment::Memory(bytes.clone()),
                        Source::Path { path, len } => Segment::Path {
                            path: path.clone(),
                            len: *len,
                        },
                        Source::Reader { slot, len } => match lock(slot).take() {
                            Some(reader) => Segment::Reader {
                                slot: Arc::clone(slot),
                                reader,
                                len: *len,
                                file_name: file.file_name.clone(),
                            },
                            None => {
                                missing.get_or_insert_with(|| file.file_name.clone());
                                continue;
                            }
                        },
                    };
                    segments.push(Segment::Memory(pending.split().freeze()));
                    segments.push(segment);
                }
            }
            pending.extend_from_slice(b"\r\n");
        }
        if let Some(file_name) = missing {
            for segment in segments {
                if let Segment::Reader { slot, reader, .. } = segment {
                    *lock(&slot) = Some(reader);
                }
            }
            return Err(io::Error::other(format!(
                "the reader of file `{file_name}` was already consumed by an earlier attempt \
                 or request; a part made with `FilePart::from_reader` can be sent once"
            )));
        }
        pending.extend_from_slice(self.closing().as_bytes());
        segments.push(Segment::Memory(pending.freeze()));
        let chunks = stream::iter(segments)
            .filter(|segment| {
                let empty = matches!(segment, Segment::Memory(bytes) if bytes.is_empty());
                std::future::ready(!empty)
            })
            .flat_map(Segment::into_stream);
        Ok(Box::pin(chunks))
    }

    /// The delimiter and headers of `part`, up to and including the blank line.
    fn head(&self, part: &MultipartPart) -> String {
        match part {
            MultipartPart::Text { name, .. } => format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                self.boundary,
                escape_param(name)
            ),
            MultipartPart::File { name, file } => format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n\
                 Content-Type: {}\r\n\r\n",
                self.boundary,
                escape_param(name),
                escape_param(file.wire_name()),
                file.wire_content_type()
            ),
        }
    }

    /// The close delimiter.
    fn closing(&self) -> String {
        format!("--{}--\r\n", self.boundary)
    }
}

/// Writes `"`, CR and LF as `%22`, `%0D` and `%0A`, as `form-data` (and the WHATWG form
/// encoding) does in `name` and `filename`.
fn escape_param(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Locks a reader slot; a panic elsewhere while it was locked leaves nothing half-done in it.
fn lock(slot: &ReaderSlot) -> std::sync::MutexGuard<'_, Option<BoxedReader>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A piece of the body of one attempt.
enum Segment {
    Memory(Bytes),
    Path {
        path: PathBuf,
        len: u64,
    },
    Reader {
        slot: ReaderSlot,
        reader: BoxedReader,
        len: Option<u64>,
        file_name: String,
    },
}

impl Segment {
    fn into_stream(self) -> BodyStream {
        match self {
            Segment::Memory(bytes) => Box::pin(stream::once(std::future::ready(Ok(bytes)))),
            Segment::Path { path, len } => {
                let open = async move {
                    let shown = path.display().to_string();
                    let file = tokio::fs::File::open(&path).await.map_err(|err| {
                        io::Error::new(err.kind(), format!("cannot open `{shown}`: {err}"))
                    })?;
                    let now = file.metadata().await?.len();
                    if now != len {
                        return Err(io::Error::other(format!(
                            "`{shown}` is {now} bytes long but was {len} bytes when the \
                             upload was prepared"
                        )));
                    }
                    let chunks = ReaderStream::with_capacity(file, CHUNK_SIZE);
                    Ok(Checked::new(
                        Box::pin(chunks),
                        Some(len),
                        format!("`{shown}`"),
                    ))
                };
                Box::pin(stream::once(open).try_flatten())
            }
            Segment::Reader {
                reader,
                len,
                file_name,
                ..
            } => {
                let chunks = ReaderStream::with_capacity(reader, CHUNK_SIZE);
                Box::pin(Checked::new(
                    Box::pin(chunks),
                    len,
                    format!("the reader of file `{file_name}`"),
                ))
            }
        }
    }
}

/// Passes a file's chunks on, failing when there are more or fewer bytes than the length the
/// body's `Content-Length` was computed from.
struct Checked {
    inner: BodyStream,
    expected: Option<u64>,
    seen: u64,
    what: String,
    done: bool,
}

impl Checked {
    fn new(inner: BodyStream, expected: Option<u64>, what: String) -> Self {
        Checked {
            inner,
            expected,
            seen: 0,
            what,
            done: false,
        }
    }
}

impl Stream for Checked {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let item = match this.inner.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        match item {
            Some(Ok(chunk)) => {
                this.seen += chunk.len() as u64;
                match this.expected {
                    Some(expected) if this.seen > expected => {
                        this.done = true;
                        Poll::Ready(Some(Err(io::Error::other(format!(
                            "{} yielded more than the {expected} bytes announced",
                            this.what
                        )))))
                    }
                    _ => Poll::Ready(Some(Ok(chunk))),
                }
            }
            Some(Err(err)) => {
                this.done = true;
                Poll::Ready(Some(Err(err)))
            }
            None => {
                this.done = true;
                match this.expected {
                    Some(expected) if this.seen < expected => {
                        Poll::Ready(Some(Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!(
                                "{} ended after {} of the {expected} bytes announced",
                                this.what, this.seen
                            ),
                        ))))
                    }
                    _ => Poll::Ready(None),
                }
            }
        }
    }
}

/// One part of a multipart body, as [`parse_multipart`] splits it: its headers, in order and as
/// written, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPart {
    /// The part's headers as `(name, value)` pairs, in the order they were written, e.g.
    /// `("Content-Disposition", "form-data; name=\"file\"; filename=\"a.txt\"")`.
    pub headers: Vec<(String, String)>,
    /// The part's contents: the bytes between its headers and the next delimiter.
    pub body: Bytes,
}

impl ParsedPart {
    /// The value of the first header called `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The form field's name: the `name` parameter of `Content-Disposition`, as written.
    pub fn name(&self) -> Option<&str> {
        disposition_param(self.header("Content-Disposition")?, "name")
    }

    /// The `filename` parameter of `Content-Disposition`, as written (with `"` as `%22`), for
    /// a file part.
    pub fn file_name(&self) -> Option<&str> {
        disposition_param(self.header("Content-Disposition")?, "filename")
    }

    /// The part's `Content-Type` (text parts have none).
    pub fn content_type(&self) -> Option<&str> {
        self.header("Content-Type")
    }
}

/// The value of parameter `param` in a `Content-Disposition` value written by a form encoder
/// (`form-data; name="a"; filename="b"`), without its quotes.
fn disposition_param<'a>(disposition: &'a str, param: &str) -> Option<&'a str> {
    disposition.split(';').skip(1).find_map(|item| {
        let (key, value) = item.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case(param).then(|| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
        })
    })
}

/// Splits an encoded `multipart/form-data` body into its parts, using the boundary given in
/// `content_type` (the request's `Content-Type` header value).
///
/// This is for tests: the SDK's test transport records the body a request sent, and this
/// function lets a test assert what each part held. It reads what this SDK (and the official
/// JS client) writes, and is strict about it: the body must start with the first delimiter
/// (no preamble), each part's headers are `Name: value` lines ending with a blank line, and
/// the body ends with the close delimiter and a CRLF.
///
/// # Errors
///
/// A message saying what is wrong: no boundary in `content_type`, a body that does not start
/// with that boundary (the wrong one, or not a multipart body), a part cut short (truncated
/// body), headers that are not `Name: value` lines, or bytes after the close delimiter.
///
/// ```
/// use losant::runtime::parse_multipart;
///
/// let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--\r\n";
/// let parts = parse_multipart(body, "multipart/form-data; boundary=XyZ").unwrap();
/// assert_eq!(parts.len(), 1);
/// assert_eq!(parts[0].name(), Some("a"));
/// assert_eq!(&parts[0].body[..], b"1");
/// ```
pub fn parse_multipart(body: &[u8], content_type: &str) -> Result<Vec<ParsedPart>, String> {
    let boundary = boundary_of(content_type)?;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let Some(mut rest) = body.strip_prefix(delimiter) else {
        return Err(format!(
            "the body does not start with the boundary `--{boundary}` (is the boundary right?)"
        ));
    };
    let mut parts = Vec::new();
    // After a delimiter: `\r\n` and another part, or `--\r\n` and the end.
    loop {
        if let Some(after) = rest.strip_prefix(b"--") {
            return match after.strip_prefix(b"\r\n") {
                Some([]) => Ok(parts),
                Some(extra) => Err(format!(
                    "{} bytes follow the close delimiter `--{boundary}--`",
                    extra.len()
                )),
                None => Err(format!(
                    "the close delimiter `--{boundary}--` is not followed by CRLF (truncated body?)"
                )),
            };
        }
        let number = parts.len() + 1;
        let Some(after) = rest.strip_prefix(b"\r\n") else {
            return Err(if rest.is_empty() {
                format!("the body ends after the delimiter of part {number} (truncated body?)")
            } else {
                format!(
                    "the delimiter of part {number} is not followed by CRLF (is the boundary right?)"
                )
            });
        };
        let Some(end_of_headers) = find(after, b"\r\n\r\n") else {
            return Err(format!(
                "part {number} has no blank line ending its headers (truncated body?)"
            ));
        };
        let headers = parse_headers(&after[..end_of_headers])
            .map_err(|why| format!("part {number}: {why}"))?;
        let content_and_rest = &after[end_of_headers + 4..];
        let mut next = Vec::with_capacity(delimiter.len() + 2);
        next.extend_from_slice(b"\r\n");
        next.extend_from_slice(delimiter);
        let Some(end) = find(content_and_rest, &next) else {
            return Err(format!(
                "part {number} is not followed by a delimiter `--{boundary}` \
                 (truncated body, or the wrong boundary?)"
            ));
        };
        parts.push(ParsedPart {
            headers,
            body: Bytes::copy_from_slice(&content_and_rest[..end]),
        });
        rest = &content_and_rest[end + next.len()..];
    }
}

/// The `boundary` parameter of a `multipart/…` content type.
fn boundary_of(content_type: &str) -> Result<&str, String> {
    let mut items = content_type.split(';');
    let essence = items.next().unwrap_or_default().trim();
    if !essence
        .get(..10)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("multipart/"))
    {
        return Err(format!("`{content_type}` is not a multipart content type"));
    }
    let boundary = items.find_map(|item| {
        let (key, value) = item.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case("boundary").then(|| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
        })
    });
    match boundary {
        Some(boundary) if !boundary.is_empty() => Ok(boundary),
        _ => Err(format!("`{content_type}` has no boundary parameter")),
    }
}

/// `Name: value` lines separated by CRLF.
fn parse_headers(block: &[u8]) -> Result<Vec<(String, String)>, String> {
    let text = std::str::from_utf8(block).map_err(|_| "its headers are not UTF-8".to_owned())?;
    text.split("\r\n")
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("the header line `{}` has no `:`", line.escape_debug()))?;
            if name.is_empty() || name.trim() != name {
                return Err(format!(
                    "the header line `{}` has no name",
                    line.escape_debug()
                ));
            }
            Ok((name.to_owned(), value.trim_start().to_owned()))
        })
        .collect()
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if haystack.get(at..at + needle.len()) == Some(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use futures_util::TryStreamExt;
    use tokio::io::AsyncReadExt;

    /// The bytes of the sample zip in `tests/fixtures/multipart/args.json`.
    const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\xff\xfe\r\n\n\x00not really a zip\r\n";

    fn text(name: &str, value: &str) -> MultipartPart {
        MultipartPart::Text {
            name: name.to_owned(),
            value: value.to_owned(),
        }
    }

    fn file(name: &str, file: FilePart) -> MultipartPart {
        MultipartPart::File {
            name: name.to_owned(),
            file,
        }
    }

    async fn encode(body: &MultipartBody) -> io::Result<Vec<u8>> {
        let chunks: Vec<Bytes> = body.stream()?.try_collect().await?;
        Ok(chunks.concat())
    }

    /// Splits a fixture into its `Content-Type` value and its body (boundary `BOUNDARY`).
    fn fixture(bytes: &'static [u8]) -> (&'static str, &'static [u8]) {
        let at = find(bytes, b"\r\n\r\n").expect("a blank line after the Content-Type line");
        let line = std::str::from_utf8(&bytes[..at]).expect("ASCII");
        let value = line
            .strip_prefix("Content-Type: ")
            .expect("a Content-Type line");
        (value, &bytes[at + 4..])
    }

    /// Encodes `parts` with the boundary `BOUNDARY` and compares the result with a capture
    /// of the JS client.
    async fn assert_matches_js_client(parts: Vec<MultipartPart>, capture: &'static [u8]) {
        let (content_type, expected) = fixture(capture);
        let body = MultipartBody::with_boundary(parts, "BOUNDARY");
        assert_eq!(body.content_type(), content_type);
        let encoded = encode(&body).await.expect("encoded");
        assert_eq!(
            String::from_utf8_lossy(&encoded),
            String::from_utf8_lossy(expected)
        );
        assert_eq!(encoded, expected);
        assert_eq!(body.content_length(), Some(expected.len() as u64));
    }

    #[tokio::test]
    async fn application_import_matches_the_js_client() {
        assert_matches_js_client(
            vec![
                file("importBundle", FilePart::new("bundle.zip", ZIP)),
                text("email", "email@example.com"),
                text(
                    "options",
                    r#"{"importUrl":"https://storage.example.com/myZipFile.zip","conflictBehavior":"replace","dryRun":true,"include":["Flow","Device"],"repo":{"branch":"main","directory":"exports/été"}}"#,
                ),
            ],
            include_bytes!("../../tests/fixtures/multipart/application.import.txt"),
        )
        .await;
    }

    #[tokio::test]
    async fn applications_import_matches_the_js_client() {
        assert_matches_js_client(
            vec![
                file("importBundle", FilePart::new("app-export.zip", ZIP)),
                text("ownerId", "575ed6e87ae143cd83dc4aa8"),
                text("ownerType", "organization"),
                text("includeDevices", "true"),
                text("includeDataTableRows", "false"),
                text("includeFiles", "true"),
                text("email", "email@example.com"),
                text(
                    "options",
                    r#"{"importUrl":"https://storage.example.com/myZipFile.zip","include":["Flow","Device"],"forceJob":true}"#,
                ),
            ],
            include_bytes!("../../tests/fixtures/multipart/applications.import.txt"),
        )
        .await;
    }

    #[tokio::test]
    async fn uploads_match_the_js_client_with_guessed_content_types() {
        // No content type is set: text/plain, application/octet-stream (no known type for
        // .ipynb) and text/csv are guessed from the names, as the JS client guesses them.
        assert_matches_js_client(
            vec![file(
                "file",
                FilePart::new("hello.txt", "Hello, wörld!\r\nsecond line\n"),
            )],
            include_bytes!("../../tests/fixtures/multipart/file.upload.txt"),
        )
        .await;
        assert_matches_js_client(
            vec![file(
                "jupyterFile",
                FilePart::new(
                    "analysis.ipynb",
                    "{\"cells\":[],\"metadata\":{},\"nbformat\":4,\"nbformat_minor\":5}\n",
                ),
            )],
            include_bytes!("../../tests/fixtures/multipart/notebook.upload.txt"),
        )
        .await;
        assert_matches_js_client(
            vec![file(
                "privateFile",
                FilePart::new("readings.csv", "time,value\r\n1,2.5\r\n"),
            )],
            include_bytes!("../../tests/fixtures/multipart/privateFile.upload.txt"),
        )
        .await;
    }

    #[tokio::test]
    async fn part_headers_follow_the_js_client() {
        let body = MultipartBody::with_boundary(
            vec![
                file(
                    "a",
                    FilePart::new("dir/sub/we\"ird é.txt", "x").content_type("image/png"),
                ),
                file("b", FilePart::new("trailing/", "")),
                file("c", FilePart::new("app.js", "1")),
                file("d", FilePart::new("no-extension", "2")),
                text("e", "line\r\nbreaks \"kept\""),
            ],
            "B",
        );
        let encoded = encode(&body).await.expect("encoded");
        let expected = concat!(
            "--B\r\n",
            "Content-Disposition: form-data; name=\"a\"; filename=\"we%22ird é.txt\"\r\n",
            "Content-Type: image/png\r\n\r\nx\r\n",
            "--B\r\n",
            "Content-Disposition: form-data; name=\"b\"; filename=\"trailing\"\r\n",
            "Content-Type: application/octet-stream\r\n\r\n\r\n",
            "--B\r\n",
            "Content-Disposition: form-data; name=\"c\"; filename=\"app.js\"\r\n",
            "Content-Type: application/javascript\r\n\r\n1\r\n",
            "--B\r\n",
            "Content-Disposition: form-data; name=\"d\"; filename=\"no-extension\"\r\n",
            "Content-Type: application/octet-stream\r\n\r\n2\r\n",
            "--B\r\n",
            "Content-Disposition: form-data; name=\"e\"\r\n\r\n",
            "line\r\nbreaks \"kept\"\r\n",
            "--B--\r\n",
        );
        assert_eq!(String::from_utf8_lossy(&encoded), expected);
        assert_eq!(body.content_length(), Some(expected.len() as u64));
    }

    #[test]
    fn content_types_are_guessed_as_the_js_client_guesses_them() {
        for (name, expected) in [
            ("a.zip", Some("application/zip")),
            ("A.CSV", Some("text/csv")),
            ("a.json", Some("application/json")),
            ("a.png", Some("image/png")),
            ("a.xml", Some("application/xml")),
            ("a.yml", Some("text/yaml")),
            ("a.tar.gz", Some("application/gzip")),
            ("a.ipynb", None),
            (".bashrc", None),
            ("a.", None),
        ] {
            assert_eq!(guess_content_type(name).as_deref(), expected, "{name}");
        }
        assert!(
            JS_CLIENT_TYPES.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted for the binary search"
        );
    }

    #[test]
    fn parts_and_bodies_can_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<FilePart>();
        send_sync::<MultipartPart>();
        send_sync::<MultipartBody>();
    }

    #[test]
    fn new_boundaries_are_random_and_shaped_like_form_data_ones() {
        let a = MultipartBody::new(vec![text("a", "1")]);
        let b = MultipartBody::new(vec![text("a", "1")]);
        let boundary = a
            .content_type()
            .strip_prefix("multipart/form-data; boundary=")
            .map(str::to_owned)
            .expect("a boundary");
        assert_eq!(boundary.len(), 50);
        assert!(boundary.starts_with(&"-".repeat(26)));
        assert!(
            boundary[26..]
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{boundary}"
        );
        assert_ne!(a.content_type(), b.content_type());
    }

    #[tokio::test]
    async fn content_length_is_the_encoded_length_when_every_size_is_known() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data.bin");
        std::fs::write(&path, vec![9u8; 1000]).expect("written");
        let known: &'static [u8] = b"twelve bytes";
        let body = MultipartBody::new(vec![
            text("note", "héllo"),
            file("memory", FilePart::new("m.bin", vec![1u8; 300])),
            file("disk", FilePart::from_path(&path).await.expect("metadata")),
            file("reader", FilePart::from_reader("r.bin", known, Some(12))),
            file("empty", FilePart::new("e.txt", "")),
        ]);
        let length = body.content_length().expect("known");
        let encoded = encode(&body).await.expect("encoded");
        assert_eq!(length, encoded.len() as u64);

        let unknown: &'static [u8] = b"no length";
        let body = MultipartBody::new(vec![
            text("note", "x"),
            file("reader", FilePart::from_reader("r.bin", unknown, None)),
        ]);
        assert_eq!(body.content_length(), None);
        assert!(encode(&body).await.is_ok());
    }

    #[tokio::test]
    async fn path_parts_stream_in_chunks_and_are_read_again_for_each_attempt() {
        const SIZE: usize = 3 * 1024 * 1024 + 5;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("firmware.bin");
        let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).expect("written");

        let part = FilePart::from_path(&path).await.expect("metadata");
        assert_eq!(part.file_name(), "firmware.bin");
        assert_eq!(part.mime_type(), Some("application/octet-stream"));
        assert_eq!(part.size(), Some(SIZE as u64));
        let body = MultipartBody::new(vec![text("kind", "fw"), file("file", part)]);

        let chunks: Vec<Bytes> = body
            .stream()
            .expect("stream")
            .try_collect()
            .await
            .expect("read");
        let largest = chunks.iter().map(Bytes::len).max().unwrap_or(0);
        assert!(largest <= CHUNK_SIZE, "largest chunk: {largest} bytes");
        assert!(
            chunks.len() >= SIZE / CHUNK_SIZE,
            "{} chunks for {SIZE} bytes",
            chunks.len()
        );
        let encoded = chunks.concat();
        assert_eq!(body.content_length(), Some(encoded.len() as u64));
        let parts = parse_multipart(&encoded, &body.content_type()).expect("parsed");
        assert_eq!(parts.len(), 2);
        assert!(parts[1].body == data, "the file's bytes, unchanged");

        // A second attempt opens the file again: it sees what the file holds now.
        assert!(body.is_replayable());
        let changed: Vec<u8> = data.iter().map(|b| b ^ 0xff).collect();
        std::fs::write(&path, &changed).expect("rewritten");
        let again = encode(&body).await.expect("second attempt");
        let parts = parse_multipart(&again, &body.content_type()).expect("parsed");
        assert!(parts[1].body == changed, "read anew");

        // A file whose size changed fails the attempt instead of breaking Content-Length.
        std::fs::write(&path, b"short").expect("truncated");
        let err = encode(&body).await.expect_err("size changed");
        assert!(err.to_string().contains("was 3145733 bytes"), "{err}");
        std::fs::remove_file(&path).expect("removed");
        let err = encode(&body).await.expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
    }

    #[tokio::test]
    async fn from_path_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = FilePart::from_path(dir.path().join("missing.bin")).await;
        assert_eq!(
            missing.err().map(|e| e.kind()),
            Some(io::ErrorKind::NotFound)
        );
        let no_name = FilePart::from_path(dir.path().join("..")).await;
        assert_eq!(
            no_name.err().map(|e| e.kind()),
            Some(io::ErrorKind::InvalidInput)
        );
        let directory = FilePart::from_path(dir.path()).await;
        assert_eq!(
            directory.err().map(|e| e.kind()),
            Some(io::ErrorKind::InvalidInput)
        );
        let unknown = dir.path().join("blob.unknownext");
        std::fs::write(&unknown, [0u8, 1, 2]).expect("written");
        let part = FilePart::from_path(&unknown).await.expect("metadata");
        assert_eq!(part.mime_type(), None);
    }

    #[tokio::test]
    async fn reader_parts_can_be_sent_once() {
        let (mut writer, reader) = tokio::io::duplex(64);
        let feeder = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            writer.write_all(&[5u8; 1000]).await.expect("written");
        });
        let part = FilePart::from_reader("stream.bin", reader, Some(1000));
        let shared = part.clone();
        let body = MultipartBody::new(vec![text("a", "1"), file("file", part)]);
        assert!(body.is_replayable());
        let encoded = encode(&body).await.expect("first attempt");
        feeder.await.expect("fed");
        assert_eq!(body.content_length(), Some(encoded.len() as u64));
        let parts = parse_multipart(&encoded, &body.content_type()).expect("parsed");
        assert_eq!(&parts[1].body[..], &[5u8; 1000][..]);

        assert!(!body.is_replayable());
        let err = body.stream().err().expect("already consumed");
        assert!(err.to_string().contains("`stream.bin`"), "{err}");
        // A clone shares the reader, so it is consumed too.
        let other = MultipartBody::new(vec![file("file", shared)]);
        assert!(!other.is_replayable());
        assert!(other.stream().is_err());
    }

    #[tokio::test]
    async fn a_failed_stream_call_leaves_the_other_readers_in_place() {
        let first: &'static [u8] = b"first";
        let second: &'static [u8] = b"second";
        let fresh = FilePart::from_reader("fresh.bin", first, None);
        let used = FilePart::from_reader("used.bin", second, None);
        drop(
            MultipartBody::new(vec![file("x", used.clone())])
                .stream()
                .expect("taken"),
        );
        let body = MultipartBody::new(vec![file("a", fresh.clone()), file("b", used)]);
        assert!(body.stream().is_err());
        let alone = MultipartBody::new(vec![file("a", fresh)]);
        assert!(alone.is_replayable(), "the fresh reader was put back");
        let encoded = encode(&alone).await.expect("sent");
        let parts = parse_multipart(&encoded, &alone.content_type()).expect("parsed");
        assert_eq!(&parts[0].body[..], b"first");
    }

    #[tokio::test]
    async fn readers_must_yield_the_length_they_announced() {
        let short: &'static [u8] = b"1234";
        let body = MultipartBody::new(vec![file("f", FilePart::from_reader("s", short, Some(5)))]);
        let err = encode(&body).await.expect_err("too short");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err}");
        assert!(err.to_string().contains("after 4 of the 5 bytes"), "{err}");

        let long: &'static [u8] = b"123456";
        let body = MultipartBody::new(vec![file("f", FilePart::from_reader("l", long, Some(5)))]);
        let err = encode(&body).await.expect_err("too long");
        assert!(err.to_string().contains("more than the 5 bytes"), "{err}");

        // Readers are streamed in chunks too, not read whole.
        let big = vec![7u8; 3 * CHUNK_SIZE];
        let len = big.len() as u64;
        let reader = std::io::Cursor::new(big).take(len);
        let body = MultipartBody::new(vec![file(
            "f",
            FilePart::from_reader("b", reader, Some(len)),
        )]);
        let chunks: Vec<Bytes> = body
            .stream()
            .expect("stream")
            .try_collect()
            .await
            .expect("read");
        assert!(chunks.iter().all(|c| c.len() <= CHUNK_SIZE));
    }

    #[tokio::test]
    async fn parse_multipart_round_trips_the_encoder() {
        let bytes: Vec<u8> = (0..=255u8).chain(*b"\r\n--\r\n").collect();
        let body = MultipartBody::new(vec![
            text("plain", "value"),
            text("empty", ""),
            file(
                "file",
                FilePart::new("a \"b\".bin", bytes.clone()).content_type("application/x-thing"),
            ),
        ]);
        let encoded = encode(&body).await.expect("encoded");
        let parts = parse_multipart(&encoded, &body.content_type()).expect("parsed");
        assert_eq!(
            parts,
            vec![
                ParsedPart {
                    headers: vec![(
                        "Content-Disposition".into(),
                        "form-data; name=\"plain\"".into()
                    )],
                    body: Bytes::from_static(b"value"),
                },
                ParsedPart {
                    headers: vec![(
                        "Content-Disposition".into(),
                        "form-data; name=\"empty\"".into()
                    )],
                    body: Bytes::new(),
                },
                ParsedPart {
                    headers: vec![
                        (
                            "Content-Disposition".into(),
                            "form-data; name=\"file\"; filename=\"a %22b%22.bin\"".into()
                        ),
                        ("Content-Type".into(), "application/x-thing".into()),
                    ],
                    body: Bytes::from(bytes),
                },
            ]
        );
        assert_eq!(parts[2].name(), Some("file"));
        assert_eq!(parts[2].file_name(), Some("a %22b%22.bin"));
        assert_eq!(parts[2].content_type(), Some("application/x-thing"));
        assert_eq!(parts[0].file_name(), None);
        assert_eq!(
            parts[0].header("content-disposition"),
            parts[0].header("Content-Disposition")
        );

        let quoted = body.content_type().replace("boundary=", "boundary=\"") + "\"";
        assert_eq!(parse_multipart(&encoded, &quoted), Ok(parts));
        let none = MultipartBody::with_boundary(Vec::new(), "B");
        assert_eq!(
            parse_multipart(b"--B--\r\n", &none.content_type()),
            Ok(Vec::new())
        );
        assert_eq!(encode(&none).await.expect("encoded"), b"--B--\r\n");
    }

    #[test]
    fn parse_multipart_rejects_wrong_boundaries_and_truncated_bodies() {
        let body: &[u8] =
            b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--XX--\r\n";
        let ok = "multipart/form-data; boundary=XX";
        assert!(parse_multipart(body, ok).is_ok());

        let err = parse_multipart(body, "multipart/form-data; boundary=YY").expect_err("wrong");
        assert!(
            err.contains("does not start with the boundary `--YY`"),
            "{err}"
        );
        let err = parse_multipart(body, "multipart/form-data; boundary=X").expect_err("prefix");
        assert!(err.contains("is the boundary right?"), "{err}");
        let err = parse_multipart(body, "multipart/form-data").expect_err("no boundary");
        assert!(err.contains("no boundary parameter"), "{err}");
        let err = parse_multipart(body, "application/json").expect_err("not multipart");
        assert!(err.contains("not a multipart content type"), "{err}");

        // Every proper prefix of a valid body is rejected, with a message.
        for cut in 0..body.len() {
            let err = parse_multipart(&body[..cut], ok).expect_err("truncated");
            assert!(!err.is_empty());
        }
        let err = parse_multipart(&body[..body.len() - 12], ok).expect_err("cut in a part");
        assert!(
            err.contains("part 1 is not followed by a delimiter"),
            "{err}"
        );
        let err = parse_multipart(&body[..20], ok).expect_err("cut in the headers");
        assert!(err.contains("part 1 has no blank line"), "{err}");
        let err = parse_multipart(&body[..body.len() - 2], ok).expect_err("no final CRLF");
        assert!(err.contains("not followed by CRLF"), "{err}");

        let mut extra = body.to_vec();
        extra.extend_from_slice(b"junk");
        let err = parse_multipart(&extra, ok).expect_err("epilogue");
        assert!(err.contains("4 bytes follow the close delimiter"), "{err}");
        let bad_header: &[u8] = b"--XX\r\nno colon here\r\n\r\nv\r\n--XX--\r\n";
        let err = parse_multipart(bad_header, ok).expect_err("bad header");
        assert!(
            err.contains("part 1: the header line `no colon here` has no `:`"),
            "{err}"
        );
    }

    #[test]
    fn checks_file_names_and_content_types() {
        let check = |file: FilePart| MultipartPart::check_file(&file);
        assert_eq!(check(FilePart::new("ok \"quoted\".txt", "x")), None);
        assert_eq!(
            check(FilePart::new("a.txt", "x").content_type("text/plain")),
            None
        );
        assert_eq!(
            check(FilePart::new("a.txt", "x").content_type("text/plain; charset=utf-8")),
            None
        );
        let bad_name = check(FilePart::new("a\r\nX-Evil: 1", "x"));
        assert!(bad_name.is_some_and(|why| why.contains("control characters")));
        let bad_mime = check(FilePart::new("a", "x").content_type("nope"));
        assert!(bad_mime.is_some_and(|why| why.contains("not a valid MIME type")));
        let injected = check(FilePart::new("a", "x").content_type("text/plain\r\nX-Evil: 1"));
        assert!(injected.is_some_and(|why| why.contains("not a valid MIME type")));
        for empty in ["", "/", "//"] {
            let why = check(FilePart::new(empty, "x"));
            assert!(
                why.is_some_and(|why| why.contains("needs a file name")),
                "{empty:?}"
            );
        }
    }

    #[tokio::test]
    async fn debug_shows_the_size_not_the_contents() {
        let inline = FilePart::new("a.bin", vec![7u8; 5000]).content_type("application/x-thing");
        assert_eq!(
            format!("{inline:?}"),
            r#"FilePart { file_name: "a.bin", content_type: Some("application/x-thing"), size: <5000 bytes>, source: Memory }"#
        );
        let reader: &'static [u8] = b"secret";
        let streamed = FilePart::from_reader("r.bin", reader, None);
        assert_eq!(
            format!("{streamed:?}"),
            r#"FilePart { file_name: "r.bin", content_type: None, size: <unknown size>, source: Reader }"#
        );
        let part = file("f", FilePart::new("s.txt", "secret"));
        assert!(!format!("{part:?}").contains("secret\""), "{part:?}");
        let body = MultipartBody::with_boundary(vec![part], "B");
        assert!(!format!("{body:?}").contains("secret\""));
    }
}
