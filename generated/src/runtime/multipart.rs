//! `multipart/form-data` uploads: the [`FilePart`] callers hand in, and the parts a
//! [`Request`](super::Request) records until it is sent.

use std::fmt;
use std::path::Path;

use bytes::Bytes;
use reqwest::multipart::{Form, Part};

/// A file to upload in a `multipart/form-data` request: its name, its content type and its
/// bytes.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use losant::FilePart;
///
/// let inline = FilePart::new("hello.txt", "hello").content_type("text/plain");
/// let from_disk = FilePart::from_path("firmware.bin").await?;
/// # let _ = (inline, from_disk);
/// # Ok(())
/// # }
/// ```
///
/// Its `Debug` output shows how many bytes it holds, not the bytes themselves.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    /// The file name sent in the part's `Content-Disposition` header.
    pub file_name: String,
    /// The part's `Content-Type`, e.g. `image/png`; without one the server usually assumes
    /// `application/octet-stream`.
    pub content_type: Option<String>,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

impl FilePart {
    /// A file named `file_name` holding `bytes`, without a content type.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the content type (a MIME type such as `text/csv`), builder style. A value that is
    /// not a valid MIME type makes the request fail its checks before anything is sent.
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// Reads the file at `path`. The file name is the path's last component; the content type
    /// is guessed from its extension (none when the extension is unknown).
    ///
    /// Fails with the error of reading the file, or with [`std::io::ErrorKind::InvalidInput`]
    /// when the path does not end in a file name (e.g. `..`).
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let Some(file_name) = path.file_name() else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("`{}` does not end in a file name", path.display()),
            ));
        };
        let bytes = tokio::fs::read(path).await?;
        Ok(FilePart {
            file_name: file_name.to_string_lossy().into_owned(),
            content_type: mime_guess::from_path(path)
                .first()
                .map(|mime| mime.essence_str().to_owned()),
            bytes,
        })
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &ByteCount(self.bytes.len()))
            .finish()
    }
}

/// Shows `<N bytes>`.
struct ByteCount(usize);

impl fmt::Debug for ByteCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

/// One part of a form, as recorded by the request. File contents are held as [`Bytes`] so that
/// rebuilding the form for each attempt does not copy them.
#[derive(Clone)]
pub(crate) enum MultipartPart {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        file_name: String,
        content_type: Option<String>,
        bytes: Bytes,
    },
}

impl fmt::Debug for MultipartPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MultipartPart::Text { name, value } => f
                .debug_struct("Text")
                .field("name", name)
                .field("value", value)
                .finish(),
            MultipartPart::File {
                name,
                file_name,
                content_type,
                bytes,
            } => f
                .debug_struct("File")
                .field("name", name)
                .field("file_name", file_name)
                .field("content_type", content_type)
                .field("bytes", &ByteCount(bytes.len()))
                .finish(),
        }
    }
}

impl MultipartPart {
    /// Why `file` cannot be sent as a part, if it cannot.
    pub(crate) fn check_file(file: &FilePart) -> Option<String> {
        if file.file_name.chars().any(char::is_control) {
            // reqwest escapes quotes in the file name but not line breaks, which would end the
            // part's headers early.
            return Some(format!(
                "the file name `{}` must not contain control characters such as line breaks",
                file.file_name.escape_debug()
            ));
        }
        match &file.content_type {
            Some(mime) if Part::text("").mime_str(mime).is_err() => Some(format!(
                "the content type `{}` of file `{}` is not a valid MIME type",
                mime.escape_debug(),
                file.file_name.escape_debug()
            )),
            _ => None,
        }
    }

    /// A new form holding `parts`, for one attempt (reqwest's `Form` cannot be cloned).
    pub(crate) fn form(parts: &[MultipartPart]) -> Form {
        parts.iter().fold(Form::new(), |form, part| match part {
            MultipartPart::Text { name, value } => form.text(name.clone(), value.clone()),
            MultipartPart::File {
                name,
                file_name,
                content_type,
                bytes,
            } => {
                let length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                let body =
                    || Part::stream_with_length(bytes.clone(), length).file_name(file_name.clone());
                let file = match content_type {
                    // Checked when the part was recorded, so this does not fail; if it did, the
                    // part would go without a content type rather than not at all.
                    Some(mime) => body().mime_str(mime).unwrap_or_else(|_| body()),
                    None => body(),
                };
                form.part(name.clone(), file)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_byte_count_only() {
        let file = FilePart::new("a.bin", vec![7u8; 5000]).content_type("application/x-thing");
        let text = format!("{file:?}");
        assert_eq!(
            text,
            r#"FilePart { file_name: "a.bin", content_type: Some("application/x-thing"), bytes: <5000 bytes> }"#
        );
    }

    #[test]
    fn checks_file_names_and_content_types() {
        assert_eq!(
            MultipartPart::check_file(&FilePart::new("ok \"quoted\".txt", "x")),
            None
        );
        assert_eq!(
            MultipartPart::check_file(&FilePart::new("a.txt", "x").content_type("text/plain")),
            None
        );
        let bad_name = MultipartPart::check_file(&FilePart::new("a\r\nX-Evil: 1", "x"));
        assert!(bad_name.is_some_and(|why| why.contains("control characters")));
        let bad_mime = MultipartPart::check_file(&FilePart::new("a", "x").content_type("nope"));
        assert!(bad_mime.is_some_and(|why| why.contains("not a valid MIME type")));
    }
}
