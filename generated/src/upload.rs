//! Uploading a file to an application's file storage, as Losant does it: in two steps.
//!
//! 1. `files.post` (`POST /applications/{applicationId}/files`) creates the file's record,
//!    status `pending`, and answers with an upload URL (Losant's storage, an S3 bucket) and
//!    the form fields that authorize the upload (a signed policy, the object key, ...).
//! 2. A `multipart/form-data` `POST` to that URL sends those fields and then the file's
//!    content. It goes to the storage, not to the API, so it carries no API token. The
//!    storage answers `204 No Content` (or `201`), and Losant then marks the file
//!    `completed`.
//!
//! [`Client::upload_file`] does both; [`Client::send_file_to_storage`] does the second alone,
//! for a caller who made the record itself. The file is streamed (a [`FilePart`] from a path
//! is read in chunks, and re-read if the upload is retried), so its size does not bound
//! memory.
//!
//! ```no_run
//! # async fn run(client: losant::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use losant::FilePart;
//!
//! let file = FilePart::from_path("readings/2024-06.csv").await?;
//! let uploaded = client
//!     .upload_file("575ec8687ae143cd83dc4a97", file)
//!     .parent_directory("/readings")
//!     .await?;
//! println!("{:?} stored ({})", uploaded.file.id, uploaded.storage_status);
//! # Ok(())
//! # }
//! ```

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::LazyLock;

use regex::Regex;
use reqwest::StatusCode;

use crate::models::{FilePost, FileType, FileUploadPostResponse, Upload};
use crate::runtime::{
    CallOptions, Client, Error, FilePart, Method, Operation, Request, RetryPolicy,
};

/// The second step: a `POST` of the form to the storage URL. Sending it again stores the same
/// content under the same key, so it is retried like a `PUT`.
pub static STORAGE_UPLOAD: Operation = Operation {
    id: "fileStorage.upload",
    resource: "fileStorage",
    action: "upload",
    method: Method::Post,
    path: "",
    summary: "Sends a file's content to the storage URL that files.post handed out",
    scopes: &[],
    idempotent: true,
};

impl Client {
    /// Uploads `file` to the files of application `application_id`: creates its record with
    /// `files.post`, then sends its content to the storage URL the answer gives, with the
    /// answer's form fields (see the [module documentation](crate::upload)).
    ///
    /// The record is named after the part's file name (see
    /// [`UploadFileRequest::name`]), in the root directory unless
    /// [`parent_directory`](UploadFileRequest::parent_directory) says otherwise, with the
    /// part's size and content type. `.await` the request to send it.
    ///
    /// Errors: those of `files.post` (operation `files.post`), then those of the upload
    /// (operation `fileStorage.upload`), where the storage's XML error code and message
    /// (e.g. `EntityTooLarge`) are the [`ApiError`](crate::ApiError)'s `error_type` and
    /// `message`. When the upload fails, the record stays `pending`; to keep its id for a
    /// retry or a clean-up, run the two steps yourself with `files().post(..)` and
    /// [`send_file_to_storage`](Client::send_file_to_storage).
    pub fn upload_file(
        &self,
        application_id: impl Into<String>,
        file: FilePart,
    ) -> UploadFileRequest {
        UploadFileRequest {
            client: self.clone(),
            application_id: application_id.into(),
            file,
            name: None,
            parent_directory: None,
            options: CallOptions::default(),
        }
    }

    /// The second step of an upload alone: sends `file` to the storage URL of `upload` (the
    /// `upload` member of `files.post`'s answer) with its form fields, then the file, and
    /// returns the storage's status (`204` or `201`).
    ///
    /// The request goes through this client's transport with its retries, time limits and
    /// hooks, without its token and without the API's headers. A storage error (4xx/5xx)
    /// is [`Error::Api`] for operation `fileStorage.upload`, with the code and message of
    /// the storage's XML error document as its `error_type` and `message`.
    pub async fn send_file_to_storage(
        &self,
        upload: &Upload,
        file: &FilePart,
        options: &CallOptions,
    ) -> Result<StatusCode, Error> {
        let Some(url) = upload.url.as_deref() else {
            let given = serde_json::to_string(upload).unwrap_or_default();
            return Err(no_upload_url(StatusCode::OK, "`upload.url`", &given));
        };
        let mut request = Request::to_url(&STORAGE_UPLOAD, url);
        if let Some(fields) = &upload.fields {
            // The policy's fields come first and the file last: S3 ignores whatever follows
            // the file.
            let named = [("key", &fields.key), ("bucket", &fields.bucket)];
            for (name, value) in named {
                if let Some(value) = value {
                    request.multipart_text(name, value.as_str());
                }
            }
            for (name, value) in &fields.additional_properties {
                match value {
                    serde_json::Value::String(text) => request.multipart_text(name, text.as_str()),
                    other => request.multipart_text(name, other.to_string()),
                }
            }
        }
        request.multipart_file("file", file);
        let response = self
            .execute_raw(request, options)
            .await
            .map_err(storage_error)?;
        Ok(response.status())
    }
}

/// An upload of a file to an application's files, in both steps; made by
/// [`Client::upload_file`], sent by `.await` or [`send`](UploadFileRequest::send).
#[derive(Debug, Clone)]
#[must_use = "an upload does nothing until it is sent: `.await` it"]
pub struct UploadFileRequest {
    client: Client,
    application_id: String,
    file: FilePart,
    name: Option<String>,
    parent_directory: Option<String>,
    options: CallOptions,
}

impl UploadFileRequest {
    /// The file's name in Losant (default: the part's file name, its last `/`-separated
    /// component).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The directory to put the file in, e.g. `/firmware` (default: the root directory).
    pub fn parent_directory(mut self, directory: impl Into<String>) -> Self {
        self.parent_directory = Some(directory.into());
        self
    }

    /// The time limit of each attempt of each step, overriding the client's (a large file may
    /// need more than the default 30 s).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.options.set_timeout(timeout);
        self
    }

    /// The time limit of each step, every attempt and wait included, overriding the client's.
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.options.set_deadline(deadline);
        self
    }

    /// How each step is retried, overriding the client's policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.set_retry(policy);
        self
    }

    /// Creates the record, then uploads the content.
    pub async fn send(self) -> Result<UploadedFile, Error> {
        let name = match self.name {
            Some(name) => name,
            None => {
                let given = self.file.file_name().trim_end_matches('/');
                given.rsplit('/').next().unwrap_or(given).to_owned()
            }
        };
        let mut post = FilePost::new(name, FileType::File);
        post.parent_directory = self.parent_directory;
        post.file_size = self.file.size().map(|size| size as f64);
        post.content_type = Some(self.file.effective_content_type());
        let mut create = self.client.files().post(self.application_id, post);
        if let Some(timeout) = self.options.timeout {
            create = create.timeout(timeout);
        }
        if let Some(deadline) = self.options.deadline {
            create = create.deadline(deadline);
        }
        if let Some(retry) = &self.options.retry {
            create = create.retry(retry.clone());
        }
        let created = create.send_with_response().await?;
        let status = created.status();
        let file = created.into_body();
        let Some(upload) = &file.upload else {
            let given = serde_json::to_string(&file).unwrap_or_default();
            return Err(no_upload_url(status, "`upload` member", &given));
        };
        let storage_status = self
            .client
            .send_file_to_storage(upload, &self.file, &self.options)
            .await?;
        Ok(UploadedFile {
            file,
            storage_status,
        })
    }
}

impl IntoFuture for UploadFileRequest {
    type Output = Result<UploadedFile, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A file uploaded by [`Client::upload_file`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UploadedFile {
    /// The record `files.post` created (its `id`, `name`, `status`: `pending` until Losant
    /// has seen the upload, ...).
    pub file: FileUploadPostResponse,
    /// The storage's answer to the upload: `204 No Content` or `201 Created`.
    pub storage_status: StatusCode,
}

/// `files.post` answered without what the second step needs; `given` is what it did answer.
fn no_upload_url(status: StatusCode, what: &str, given: &str) -> Error {
    Error::Decode {
        operation: "files.post",
        status,
        excerpt: given.chars().take(200).collect(),
        source: <serde_json::Error as serde::de::Error>::custom(format!(
            "the answer has no {what} to send the file's content to"
        )),
    }
}

/// A storage error with its XML error document's `Code` and `Message` as the error's kind and
/// message (S3 answers errors in XML, not in the API's JSON).
fn storage_error(error: Error) -> Error {
    match error {
        Error::Api(mut api) if api.error_type.is_none() && api.message.is_none() => {
            api.error_type = xml_element(&api.body, "Code");
            api.message = xml_element(&api.body, "Message");
            Error::Api(api)
        }
        other => other,
    }
}

/// The text of the first `<name>` element of `xml`, entities decoded.
///
/// S3's error document is a flat `<Error><Code>..</Code><Message>..</Message>..</Error>`;
/// reading two of its elements does not warrant an XML parser as a dependency.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    static ELEMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"<(Code|Message)>([^<]*)</(?:Code|Message)>").expect("a valid pattern")
    });
    let text = ELEMENT
        .captures_iter(xml)
        .find(|c| &c[1] == name)
        .map(|c| c[2].trim().to_owned())?;
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    (!decoded.is_empty()).then_some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_s3_error_documents() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>EntityTooLarge</Code>\
                   <Message>Your proposed upload exceeds the maximum &amp; more</Message>\
                   <RequestId>X</RequestId></Error>";
        assert_eq!(xml_element(xml, "Code").as_deref(), Some("EntityTooLarge"));
        assert_eq!(
            xml_element(xml, "Message").as_deref(),
            Some("Your proposed upload exceeds the maximum & more")
        );
        assert_eq!(xml_element("not xml", "Code"), None);
        assert_eq!(xml_element("<Code></Code>", "Code"), None);
    }
}
