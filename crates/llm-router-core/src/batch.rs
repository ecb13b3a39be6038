//! Provider batch APIs: submit many chat requests at once, poll, fetch the results later.
//!
//! OpenAI's Batch API and Anthropic's Message Batches take a file or list of requests, each
//! tagged with a caller-chosen `custom_id`, run them within a day at a discount, and hand back
//! one result per request, in no particular order. [`BatchProvider`] is the one shape both
//! fit: [`submit`](BatchProvider::submit) → a [`BatchJob`], [`status`](BatchProvider::status)
//! to poll it, [`results`](BatchProvider::results) once it has ended,
//! [`cancel`](BatchProvider::cancel) to stop it.
//!
//! Results carry `Result<ChatResponse, Error>` per item. [`Error`] has no serde form (it holds
//! a source chain), so [`BatchItemResult`] is not serializable itself; [`BatchResultRecord`]
//! is its serializable twin (the error flattened to kind, message, status, code, provider),
//! the form results are written to disk in.
//!
//! Items that never ran — the batch was cancelled or expired first — come back as errors of
//! kind [`ErrorKind::Timeout`] with the code [`CANCELLED_CODE`] or [`EXPIRED_CODE`]:
//! the request itself was fine and may be submitted again. [`is_cancelled`] and
//! [`is_expired`] tell them apart from real failures.
//!
//! ```
//! use llm_router_core::{
//!     BatchItem, BatchItemResult, BatchJob, BatchStatus, ChatRequest, ChatResponse, Error,
//!     ErrorKind, Message,
//! };
//!
//! let items = vec![
//!     BatchItem::new("q-1", ChatRequest::new("gpt-4o-mini", vec![Message::user("2+2?")])),
//!     BatchItem::new("q-2", ChatRequest::new("gpt-4o-mini", vec![Message::user("3+3?")])),
//! ];
//! llm_router_core::check_custom_ids(&items)?;
//!
//! let job: BatchJob = serde_json::from_value(serde_json::json!({
//!     "id": "batch_1", "provider": "openai", "status": "in_progress",
//!     "counts": {"total": 2, "completed": 1, "failed": 0}, "created_at": 1711471533
//! }))?;
//! assert_eq!(job.status, BatchStatus::InProgress);
//! assert!(!job.status.is_terminal());
//!
//! let done = BatchItemResult::new("q-2", Err(Error::new(ErrorKind::RateLimited, "slow down")));
//! let record = done.to_record();
//! assert_eq!(serde_json::to_value(&record)?["error"]["kind"], "rate_limited");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chat::{ChatRequest, ChatResponse};
use crate::{Error, ErrorKind};

/// The error code of an item that did not run because its batch was cancelled.
pub const CANCELLED_CODE: &str = "cancelled";

/// The error code of an item that did not run because its batch expired first.
pub const EXPIRED_CODE: &str = "expired";

/// One request of a batch, tagged with the caller's id (unique within the batch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchItem {
    /// The caller's id; results are matched back to requests by it.
    pub custom_id: String,
    /// The chat request.
    pub request: ChatRequest,
}

impl BatchItem {
    /// An item.
    pub fn new(custom_id: impl Into<String>, request: ChatRequest) -> Self {
        Self {
            custom_id: custom_id.into(),
            request,
        }
    }
}

crate::open_enum! {
    /// Where a batch is in its life (OpenAI's names; other providers are mapped onto them).
    pub enum BatchStatus {
        /// The input is being checked.
        Validating = "validating",
        /// Requests are running.
        InProgress = "in_progress",
        /// All requests ran; the results are being prepared.
        Finalizing = "finalizing",
        /// Done; results are available.
        Completed = "completed",
        /// The batch as a whole failed (invalid input file).
        Failed = "failed",
        /// The completion window passed; finished requests have results.
        Expired = "expired",
        /// A cancel was asked for and is under way.
        Cancelling = "cancelling",
        /// Cancelled; finished requests have results.
        Cancelled = "cancelled",
    }
}

impl BatchStatus {
    /// The batch will not change any more: completed, failed, expired or cancelled.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Expired | Self::Cancelled
        )
    }
}

/// How many requests a batch has and how many have finished.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCounts {
    /// Requests in the batch.
    #[serde(default)]
    pub total: u64,
    /// Requests that succeeded.
    #[serde(default)]
    pub completed: u64,
    /// Requests that failed (errored, and at Anthropic also cancelled or expired).
    #[serde(default)]
    pub failed: u64,
}

/// A provider batch as last seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchJob {
    /// The provider's batch id.
    pub id: String,
    /// The provider's short name (`"openai"`, `"anthropic"`).
    #[serde(default)]
    pub provider: String,
    /// Where the batch is.
    pub status: BatchStatus,
    /// Request counts.
    #[serde(default)]
    pub counts: BatchCounts,
    /// Creation time, Unix seconds.
    #[serde(default)]
    pub created_at: u64,
    /// When processing ended (completed, failed, expired or cancelled), Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<u64>,
    /// When the batch expires if not done, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The provider's own fields, raw (file ids, the provider's status name, its counts…).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// The outcome of one batch item.
///
/// Not serializable ([`Error`] is not); see [`BatchItemResult::to_record`].
#[derive(Debug)]
pub struct BatchItemResult {
    /// The item's `custom_id`.
    pub custom_id: String,
    /// The response, or why there is none.
    pub result: Result<ChatResponse, Error>,
}

impl BatchItemResult {
    /// A result.
    pub fn new(custom_id: impl Into<String>, result: Result<ChatResponse, Error>) -> Self {
        Self {
            custom_id: custom_id.into(),
            result,
        }
    }

    /// The serializable form.
    pub fn to_record(&self) -> BatchResultRecord {
        let (response, error) = match &self.result {
            Ok(r) => (Some(r.clone()), None),
            Err(e) => (None, Some(BatchErrorRecord::from(e))),
        };
        BatchResultRecord {
            custom_id: self.custom_id.clone(),
            response,
            error,
        }
    }
}

/// The serializable form of a [`BatchItemResult`]: exactly one of `response` and `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchResultRecord {
    /// The item's `custom_id`.
    pub custom_id: String,
    /// The response, when the item succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ChatResponse>,
    /// The error, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<BatchErrorRecord>,
}

/// An [`Error`] flattened to data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchErrorRecord {
    /// [`ErrorKind::as_str`] of the error's kind.
    pub kind: String,
    /// The message.
    pub message: String,
    /// The provider that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The provider's own code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl From<&Error> for BatchErrorRecord {
    fn from(e: &Error) -> Self {
        Self {
            kind: e.kind().as_str().to_owned(),
            message: e.message().to_owned(),
            provider: e.provider().map(str::to_owned),
            status: e.status(),
            code: e.code().map(str::to_owned),
        }
    }
}

/// A provider's batch API.
///
/// Object-safe, like [`ChatProvider`](crate::ChatProvider): a CLI holds any provider's batch
/// API as a [`SharedBatch`].
#[async_trait]
pub trait BatchProvider: Send + Sync {
    /// A short name: `"openai"`, `"anthropic"`.
    fn name(&self) -> &str;

    /// Creates a batch of `items` (`custom_id`s unique, see [`check_custom_ids`]).
    async fn submit(&self, items: Vec<BatchItem>) -> Result<BatchJob, Error>;

    /// The batch's current state.
    async fn status(&self, id: &str) -> Result<BatchJob, Error>;

    /// One result per finished item, in the provider's order (match them by `custom_id`).
    /// Items cancelled or expired before running are errors with [`CANCELLED_CODE`] or
    /// [`EXPIRED_CODE`] where the provider reports them.
    async fn results(&self, id: &str) -> Result<Vec<BatchItemResult>, Error>;

    /// Asks the provider to cancel the batch; returns its state (usually `cancelling`).
    async fn cancel(&self, id: &str) -> Result<BatchJob, Error>;
}

/// A shared batch provider.
pub type SharedBatch = Arc<dyn BatchProvider>;

#[async_trait]
impl<T: BatchProvider + ?Sized> BatchProvider for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    async fn submit(&self, items: Vec<BatchItem>) -> Result<BatchJob, Error> {
        (**self).submit(items).await
    }
    async fn status(&self, id: &str) -> Result<BatchJob, Error> {
        (**self).status(id).await
    }
    async fn results(&self, id: &str) -> Result<Vec<BatchItemResult>, Error> {
        (**self).results(id).await
    }
    async fn cancel(&self, id: &str) -> Result<BatchJob, Error> {
        (**self).cancel(id).await
    }
}

/// Checks that a batch is not empty and every `custom_id` is non-empty and unique
/// ([`ErrorKind::InvalidRequest`] naming the offending id otherwise).
pub fn check_custom_ids(items: &[BatchItem]) -> Result<(), Error> {
    if items.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "a batch needs at least one request",
        ));
    }
    let mut seen = HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if item.custom_id.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("batch item {} has an empty custom_id", i + 1),
            ));
        }
        if !seen.insert(item.custom_id.as_str()) {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("duplicate custom_id {:?} in batch", item.custom_id),
            ));
        }
    }
    Ok(())
}

/// The error of an item that did not run because its batch was cancelled
/// ([`ErrorKind::Timeout`], code [`CANCELLED_CODE`]).
pub fn cancelled_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Timeout, message).with_code(CANCELLED_CODE)
}

/// The error of an item that did not run because its batch expired
/// ([`ErrorKind::Timeout`], code [`EXPIRED_CODE`]).
pub fn expired_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Timeout, message).with_code(EXPIRED_CODE)
}

/// Whether `err` is an item cancelled before it ran.
pub fn is_cancelled(err: &Error) -> bool {
    err.kind() == ErrorKind::Timeout && err.code() == Some(CANCELLED_CODE)
}

/// Whether `err` is an item whose batch expired before it ran.
pub fn is_expired(err: &Error) -> bool {
    err.kind() == ErrorKind::Timeout && err.code() == Some(EXPIRED_CODE)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Message;

    fn item(id: &str) -> BatchItem {
        BatchItem::new(id, ChatRequest::new("m", vec![Message::user("hi")]))
    }

    #[test]
    fn custom_ids_are_checked() {
        assert!(check_custom_ids(&[item("a"), item("b")]).is_ok());
        let e = check_custom_ids(&[item("a"), item("a")]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.message().contains("\"a\""), "{e}");
        assert!(check_custom_ids(&[]).is_err());
        assert!(check_custom_ids(&[item("")]).is_err());
    }

    #[test]
    fn statuses_round_trip_and_know_when_they_end() {
        for (s, terminal) in [
            ("validating", false),
            ("in_progress", false),
            ("finalizing", false),
            ("completed", true),
            ("failed", true),
            ("expired", true),
            ("cancelling", false),
            ("cancelled", true),
            ("paused", false),
        ] {
            let st = BatchStatus::from(s);
            assert_eq!(st.as_str(), s);
            assert_eq!(st.is_terminal(), terminal, "{s}");
        }
    }

    #[test]
    fn records_carry_the_error() {
        let r = BatchItemResult::new("x", Err(cancelled_error("batch cancelled")));
        assert!(is_cancelled(r.result.as_ref().unwrap_err()));
        let rec = r.to_record();
        assert_eq!(
            rec.error.as_ref().unwrap().code.as_deref(),
            Some("cancelled")
        );
        assert_eq!(rec.error.as_ref().unwrap().kind, "timeout");
        let back: BatchResultRecord =
            serde_json::from_value(serde_json::to_value(&rec).unwrap()).unwrap();
        assert_eq!(back, rec);
        assert!(is_expired(&expired_error("late")));
        assert!(!is_expired(&cancelled_error("c")));
    }

    #[test]
    fn jobs_keep_raw_fields() {
        let job = BatchJob {
            id: "b".into(),
            provider: "openai".into(),
            status: BatchStatus::Completed,
            counts: BatchCounts {
                total: 2,
                completed: 2,
                failed: 0,
            },
            created_at: 1,
            ended_at: Some(2),
            expires_at: None,
            extra: Map::from_iter([("output_file_id".to_owned(), Value::from("file-1"))]),
        };
        let v = serde_json::to_value(&job).unwrap();
        assert_eq!(v["extra"]["output_file_id"], "file-1");
        assert_eq!(serde_json::from_value::<BatchJob>(v).unwrap(), job);
    }
}
