//! OpenAI's Batch API: chat requests uploaded as a JSONL file, run within 24 hours at half
//! price, results downloaded as JSONL.
//!
//! [`OpenAiBatchClient`] implements [`BatchProvider`]:
//!
//! - **submit** — the items become the batch input file, one line per item:
//!   `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`, where `body` is
//!   exactly what the chat endpoint would get (the dialect's quirks applied, `stream: false`).
//!   The file is uploaded to `POST /files` (`multipart/form-data`, `purpose=batch`), then
//!   `POST /batches` `{input_file_id, endpoint: "/v1/chat/completions", completion_window:
//!   "24h", metadata?}` starts the batch.
//! - **status** — `GET /batches/{id}`; **cancel** — `POST /batches/{id}/cancel`.
//! - **results** — the output file and the error file (`GET /files/{id}/content`), one
//!   `{id, custom_id, response: {status_code, request_id, body}, error}` line per request:
//!   a 200 body decodes as a chat completion, any other status is classified like a direct
//!   call's HTTP error (a 400 `context_length_exceeded` body → `ContextLengthExceeded`, …), and
//!   a line with only `error: {code, message}` (a request that never ran) becomes an error of
//!   its code — codes mentioning `expired`/`cancel` become
//!   [`expired_error`](llm_router_core::expired_error) /
//!   [`cancelled_error`](llm_router_core::cancelled_error).
//!
//! [`BatchJob`] fields: `status` is OpenAI's, `counts` its `request_counts`, `ended_at` the
//! first of `completed_at`/`failed_at`/`expired_at`/`cancelled_at`; every other field of the
//! batch object (`output_file_id`, `error_file_id`, `errors`, `metadata`, the other
//! timestamps, …) is kept in `extra`.
//!
//! ```
//! use llm_router_core::{BatchItem, ChatRequest, Message};
//!
//! let client = llm_router_openai::batch_builder()
//!     .api_key("sk-test")
//!     .base_url("http://127.0.0.1:9/v1")
//!     .metadata("job", "nightly")
//!     .build()?;
//! let jsonl = client.input_jsonl(&[BatchItem::new(
//!     "q-1",
//!     ChatRequest::new("gpt-4o-mini", vec![Message::user("2+2?")]).with_max_tokens(5),
//! )])?;
//! let line: serde_json::Value = serde_json::from_str(jsonl.trim_end())?;
//! assert_eq!(line["url"], "/v1/chat/completions");
//! assert_eq!(line["body"]["max_completion_tokens"], 5); // OpenAI's quirk applied
//! assert_eq!(line["body"]["stream"], false);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use llm_router_core::{
    ApiKey, BatchCounts, BatchItem, BatchItemResult, BatchJob, BatchProvider, BatchStatus,
    ChatResponse, Error, ErrorKind, async_trait, cancelled_error, check_custom_ids, expired_error,
};
use llm_router_http::Outgoing;
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::reqwest::{self, Method};
use llm_router_http::{
    AuthScheme, Connection, ErrorBody, StreamTimeouts, classify, kind_for_event,
};
use llm_router_openai_compat::{Dialect, chat_body, decode_chat};
use serde_json::{Map, Value, json};

use crate::{API_KEY_ENV, DEFAULT_BASE_URL};

const NAME: &str = "openai";

/// The `endpoint` of every batch this client creates, and the `url` of every input line.
pub const BATCH_ENDPOINT: &str = "/v1/chat/completions";

/// The only completion window OpenAI offers.
pub const COMPLETION_WINDOW: &str = "24h";

/// The file name the input file is uploaded under.
pub const INPUT_FILE_NAME: &str = "llm-router-batch.jsonl";

/// A client for OpenAI's Batch API (and the Files API calls it needs).
///
/// Cheap to clone. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct OpenAiBatchClient {
    conn: Connection,
    dialect: Arc<Dialect>,
    metadata: BTreeMap<String, String>,
}

impl fmt::Debug for OpenAiBatchClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiBatchClient")
            .field("connection", &self.conn)
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// Builds an [`OpenAiBatchClient`]; start from [`batch_builder`].
#[derive(Debug)]
pub struct OpenAiBatchBuilder {
    key: Option<ApiKey>,
    base_url: String,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
    request_timeout: Option<Duration>,
    dialect: Dialect,
    metadata: BTreeMap<String, String>,
}

/// A batch client builder with OpenAI's dialect and base URL; set the key with `.api_key(…)`.
pub fn batch_builder() -> OpenAiBatchBuilder {
    OpenAiBatchBuilder {
        key: None,
        base_url: DEFAULT_BASE_URL.to_owned(),
        headers: Vec::new(),
        http: None,
        request_timeout: Some(Duration::from_secs(600)),
        dialect: crate::dialect(),
        metadata: BTreeMap::new(),
    }
}

/// A batch client configured from the environment like [`from_env`](crate::from_env):
/// `OPENAI_API_KEY` (required), `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`.
pub fn batch_from_env() -> Result<OpenAiBatchClient, Error> {
    let mut b = batch_builder();
    if let Some(k) = ApiKey::from_env(API_KEY_ENV) {
        b = b.api_key(k);
    }
    if let Some(url) = crate::env("OPENAI_BASE_URL") {
        b = b.base_url(url);
    }
    if let Some(org) = crate::env("OPENAI_ORG_ID") {
        b = b.header("OpenAI-Organization", org);
    }
    if let Some(project) = crate::env("OPENAI_PROJECT_ID") {
        b = b.header("OpenAI-Project", project);
    }
    b.build()
}

impl OpenAiBatchBuilder {
    /// Sets the API key.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Overrides the base URL (with `/v1`, as for chat).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Uses this HTTP client instead of the shared one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Deadline of each API call (default 600 s; `None` for none).
    pub fn request_timeout(mut self, t: Option<Duration>) -> Self {
        self.request_timeout = t;
        self
    }

    /// Changes the dialect the input lines' bodies are built with (its quirks and hooks).
    pub fn map_dialect(mut self, f: impl FnOnce(Dialect) -> Dialect) -> Self {
        self.dialect = f(self.dialect);
        self
    }

    /// Adds a `metadata` entry to every batch created (OpenAI allows 16, keys ≤ 64 chars,
    /// values ≤ 512).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Builds the client; [`ErrorKind::Config`] without a key or with a base URL that is not
    /// a URL.
    pub fn build(self) -> Result<OpenAiBatchClient, Error> {
        let config = |msg: String| Error::new(ErrorKind::Config, msg).with_provider(NAME);
        let Some(key) = self.key else {
            return Err(config(format!("no API key for openai (set {API_KEY_ENV})")));
        };
        if reqwest::Url::parse(&self.base_url).is_err() {
            return Err(config(format!(
                "invalid base URL for openai: {:?}",
                self.base_url
            )));
        }
        if self.http.is_none() {
            llm_router_http::shared_client()?;
        }
        let http = self.http;
        Ok(OpenAiBatchClient {
            conn: Connection {
                provider: NAME,
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                key: Some(key),
                auth: AuthScheme::Bearer,
                headers: self.headers,
                http,
                request_timeout: self.request_timeout,
                stream_timeouts: StreamTimeouts::default(),
            },
            dialect: Arc::new(self.dialect),
            metadata: self.metadata,
        })
    }
}

impl OpenAiBatchClient {
    /// The batch input file for `items`: one OpenAI batch-input line each, `\n`-terminated.
    pub fn input_jsonl(&self, items: &[BatchItem]) -> Result<String, Error> {
        let mut out = String::new();
        for item in items {
            let line = json!({
                "custom_id": item.custom_id,
                "method": "POST",
                "url": BATCH_ENDPOINT,
                "body": chat_body(&self.dialect, &item.request, false)?,
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    /// Uploads `jsonl` as a batch input file (`POST /files`, `purpose=batch`); returns the
    /// file id.
    pub async fn upload_input_file(&self, jsonl: &str) -> Result<String, Error> {
        let boundary = boundary_for(jsonl.as_bytes());
        let body = multipart_body(&boundary, jsonl.as_bytes());
        let rb = self
            .request(Method::POST, "/files")?
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )?
            .body(body);
        let file: Value = self.send_json(rb).await?;
        match file.get("id").and_then(Value::as_str) {
            Some(id) => Ok(id.to_owned()),
            None => Err(decode("the uploaded file object has no id")),
        }
    }

    /// Starts a batch over an uploaded input file (`POST /batches`).
    pub async fn create_batch(&self, input_file_id: &str) -> Result<BatchJob, Error> {
        let mut body = json!({
            "input_file_id": input_file_id,
            "endpoint": BATCH_ENDPOINT,
            "completion_window": COMPLETION_WINDOW,
        });
        if !self.metadata.is_empty() {
            body["metadata"] = json!(self.metadata);
        }
        let rb = self.request(Method::POST, "/batches")?.json(&body)?;
        job(self.send_json(rb).await?)
    }

    /// A file's content (`GET /files/{id}/content`).
    pub async fn file_content(&self, file_id: &str) -> Result<Vec<u8>, Error> {
        let path = format!("/files/{}/content", path_id(file_id)?);
        let rb = self.request(Method::GET, &path)?;
        let resp = self.conn.send(rb, classify_openai).await?;
        let bytes = self.conn.read_body(resp).await?;
        Ok(bytes.to_vec())
    }

    fn request(&self, method: Method, path: &str) -> Result<Outgoing, Error> {
        Ok(self
            .conn
            .request(method, path, &BTreeMap::new())?
            .header("accept", "application/json")?
            .timeout(self.conn.request_timeout))
    }

    async fn send_json(&self, rb: Outgoing) -> Result<Value, Error> {
        let resp = self.conn.send(rb, classify_openai).await?;
        self.conn.read_json(resp).await
    }

    async fn get_batch(&self, id: &str) -> Result<Value, Error> {
        let path = format!("/batches/{}", path_id(id)?);
        self.send_json(self.request(Method::GET, &path)?).await
    }
}

#[async_trait]
impl BatchProvider for OpenAiBatchClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn submit(&self, items: Vec<BatchItem>) -> Result<BatchJob, Error> {
        check_custom_ids(&items).map_err(|e| e.with_provider(NAME))?;
        let jsonl = self.input_jsonl(&items)?;
        let file_id = self.upload_input_file(&jsonl).await?;
        self.create_batch(&file_id).await
    }

    async fn status(&self, id: &str) -> Result<BatchJob, Error> {
        job(self.get_batch(id).await?)
    }

    async fn results(&self, id: &str) -> Result<Vec<BatchItemResult>, Error> {
        let raw = self.get_batch(id).await?;
        let file = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_owned);
        let (output, errors) = (file("output_file_id"), file("error_file_id"));
        let status = BatchStatus::from(raw.get("status").and_then(Value::as_str).unwrap_or(""));
        if output.is_none() && errors.is_none() {
            if status == BatchStatus::Failed {
                return Err(batch_failed(id, &raw));
            }
            if !status.is_terminal() {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("batch {id} is {status}; its results are ready once it has ended"),
                )
                .with_provider(NAME));
            }
        }
        let mut out = Vec::new();
        for file_id in [output, errors].into_iter().flatten() {
            let bytes = self.file_content(&file_id).await?;
            let text = String::from_utf8_lossy(&bytes);
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                out.push(output_line(&self.dialect, line).map_err(|e| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("file {file_id}, line {}: {}", i + 1, e.message()),
                    )
                    .with_provider(NAME)
                })?);
            }
        }
        Ok(out)
    }

    async fn cancel(&self, id: &str) -> Result<BatchJob, Error> {
        let path = format!("/batches/{}/cancel", path_id(id)?);
        job(self.send_json(self.request(Method::POST, &path)?).await?)
    }
}

fn classify_openai(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    classify(NAME, status, headers, body)
}

fn decode(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, msg).with_provider(NAME)
}

/// An id safe to put in a path: OpenAI's ids are letters, digits, `_`, `-`.
fn path_id(id: &str) -> Result<&str, Error> {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && id != "."
        && id != ".."
    {
        return Ok(id);
    }
    Err(Error::new(
        ErrorKind::InvalidRequest,
        format!("not a valid OpenAI id: {id:?}"),
    )
    .with_provider(NAME))
}

/// OpenAI's batch object → [`BatchJob`].
fn job(v: Value) -> Result<BatchJob, Error> {
    let Value::Object(mut m) = v else {
        return Err(decode("the batch object is not a JSON object"));
    };
    let Some(Value::String(id)) = m.remove("id") else {
        return Err(decode("the batch object has no id"));
    };
    m.remove("object");
    let status = match m.remove("status") {
        Some(Value::String(s)) => BatchStatus::from(s),
        _ => return Err(decode(format!("batch {id} has no status"))),
    };
    let counts = match m.remove("request_counts") {
        Some(c @ Value::Object(_)) => serde_json::from_value(c).unwrap_or_default(),
        _ => BatchCounts::default(),
    };
    let int = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_u64);
    let created_at = m.remove("created_at").and_then(|v| v.as_u64()).unwrap_or(0);
    let expires_at = m.remove("expires_at").and_then(|v| v.as_u64());
    let ended_at = ["completed_at", "failed_at", "expired_at", "cancelled_at"]
        .iter()
        .find_map(|k| int(&m, k));
    Ok(BatchJob {
        id,
        provider: NAME.to_owned(),
        status,
        counts,
        created_at,
        ended_at,
        expires_at,
        extra: m,
    })
}

/// The error of a batch that failed as a whole (its `errors.data` messages).
fn batch_failed(id: &str, raw: &Value) -> Error {
    let messages: Vec<String> = raw
        .pointer("/errors/data")
        .and_then(Value::as_array)
        .map(|errs| {
            errs.iter()
                .map(|e| {
                    let msg = e.get("message").and_then(Value::as_str).unwrap_or("error");
                    match e.get("line").and_then(Value::as_u64) {
                        Some(l) => format!("line {l}: {msg}"),
                        None => msg.to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut err = Error::new(
        ErrorKind::InvalidRequest,
        format!("batch {id} failed: {}", messages.join("; ")),
    )
    .with_provider(NAME);
    if let Some(code) = raw.pointer("/errors/data/0/code").and_then(Value::as_str) {
        err = err.with_code(code);
    }
    err
}

/// One line of an output or error file → the item's result.
fn output_line(dialect: &Dialect, line: &str) -> Result<BatchItemResult, Error> {
    let v: Value = serde_json::from_str(line).map_err(|e| decode(format!("invalid JSON: {e}")))?;
    let Some(custom_id) = v.get("custom_id").and_then(Value::as_str) else {
        return Err(decode("no custom_id"));
    };
    let result = match (v.get("response"), v.get("error")) {
        (Some(resp @ Value::Object(_)), _) => response_result(dialect, resp),
        (_, Some(err @ Value::Object(_))) => Err(line_error(err)),
        _ => Err(decode("neither response nor error")),
    };
    Ok(BatchItemResult::new(custom_id, result))
}

fn response_result(dialect: &Dialect, resp: &Value) -> Result<ChatResponse, Error> {
    let status = resp
        .get("status_code")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(200);
    let body = resp.get("body").cloned().unwrap_or(Value::Null);
    let bytes = body.to_string();
    if (200..300).contains(&status) {
        return decode_chat(dialect, bytes.as_bytes());
    }
    let mut err = classify(NAME, status, &HeaderMap::new(), bytes.as_bytes());
    if let Some(req_id) = resp.get("request_id").and_then(Value::as_str) {
        err = rebuild_with_message(err, format!("(request {req_id})"));
    }
    Err(err)
}

/// `err` with ` <suffix>` appended to its message (kind, provider, status, code kept).
fn rebuild_with_message(err: Error, suffix: String) -> Error {
    let mut out = Error::new(err.kind(), format!("{} {suffix}", err.message())).with_provider(NAME);
    if let Some(s) = err.status() {
        out = out.with_status(s);
    }
    if let Some(c) = err.code() {
        out = out.with_code(c);
    }
    out
}

/// A line's `error` object (a request that never got a response).
fn line_error(err: &Value) -> Error {
    let body = ErrorBody::from_value(err);
    let message = body
        .message
        .clone()
        .unwrap_or_else(|| "the request failed without a message".to_owned());
    let code = body.code.clone().unwrap_or_default();
    let lower = code.to_ascii_lowercase();
    let e = if lower.contains("expired") {
        expired_error(message)
    } else if lower.contains("cancel") {
        cancelled_error(message)
    } else {
        let mut e = Error::new(kind_for_event(&body), message);
        if !code.is_empty() {
            e = e.with_code(code);
        }
        e
    };
    e.with_provider(NAME)
}

static BOUNDARY_SEQ: AtomicU64 = AtomicU64::new(0);

/// A multipart boundary that does not occur in `content`.
fn boundary_for(content: &[u8]) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let seq = BOUNDARY_SEQ.fetch_add(1, Ordering::Relaxed);
        let b = format!("llm-router-{nanos:08x}{seq:08x}");
        if !content.windows(b.len()).any(|w| w == b.as_bytes()) {
            return b;
        }
    }
}

/// The `multipart/form-data` body of a batch input upload: `purpose=batch` and the file.
fn multipart_body(boundary: &str, content: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(content.len() + 256);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{INPUT_FILE_NAME}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_avoid_the_content() {
        let b1 = boundary_for(b"x");
        let b2 = boundary_for(b1.as_bytes());
        assert_ne!(b1, b2);
        let body = String::from_utf8(multipart_body("BND", b"{\"a\":1}\n")).unwrap();
        assert_eq!(
            body,
            "--BND\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--BND\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"llm-router-batch.jsonl\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n{\"a\":1}\n\r\n--BND--\r\n"
        );
    }

    #[test]
    fn ids_are_checked_before_they_reach_a_path() {
        assert!(path_id("batch_abc123").is_ok());
        assert!(path_id("file-abc.jsonl").is_ok());
        for bad in ["", "..", "a/b", "a?b", "a b"] {
            assert_eq!(path_id(bad).unwrap_err().kind(), ErrorKind::InvalidRequest);
        }
    }

    #[test]
    fn never_ran_lines_are_cancelled_or_expired() {
        let e = line_error(&json!({"code": "batch_expired", "message": "too late"}));
        assert!(llm_router_core::is_expired(&e));
        let e = line_error(&json!({"code": "batch_cancelled", "message": "cancelled"}));
        assert!(llm_router_core::is_cancelled(&e));
        let e = line_error(&json!({"code": "server_error", "message": "boom"}));
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert_eq!(e.code(), Some("server_error"));
    }
}
