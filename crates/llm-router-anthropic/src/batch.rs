//! Anthropic's Message Batches: many Messages requests in one call, run within 24 hours at
//! half price, results as JSONL.
//!
//! [`AnthropicClient`] implements [`BatchProvider`]:
//!
//! - **submit** — `POST /v1/messages/batches` `{"requests": [{"custom_id", "params"}]}`, each
//!   `params` the body [`AnthropicClient::request_body`] builds for a direct call (system
//!   hoisted, default `max_tokens`, tools, thinking…; never streaming). `custom_id`s must match
//!   `^[a-zA-Z0-9_-]{1,64}$` and be unique; anything else is refused before sending.
//!   Per-request `extra_headers` cannot travel in a batch and are not sent.
//! - **status** — `GET /v1/messages/batches/{id}`; **cancel** —
//!   `POST /v1/messages/batches/{id}/cancel`.
//! - **results** — once `processing_status` is `ended`, the batch's `results_url` is fetched
//!   (its path and query, on the client's own base URL, so the key never goes to another
//!   host): one `{"custom_id", "result": {"type", "message" | "error"}}` line per request.
//!   `succeeded` → the message through the same converter as [`chat`](llm_router_core::ChatProvider::chat);
//!   `errored` → its error classified like a stream's error event (`invalid_request_error` →
//!   `InvalidRequest`, `overloaded_error` → `ProviderUnavailable`, …); `canceled` →
//!   [`cancelled_error`]; `expired` → [`expired_error`].
//!
//! [`BatchJob`] mapping: `in_progress` → `in_progress`, `canceling` → `cancelling`, `ended` →
//! `cancelled` if a cancel was initiated, `expired` if every request expired, else
//! `completed`. Counts: `total` is the sum of `request_counts`, `completed` its `succeeded`,
//! `failed` its `errored + canceled + expired`. RFC 3339 times become Unix seconds. The rest
//! (`processing_status`, `request_counts`, `results_url`, `archived_at`,
//! `cancel_initiated_at`) stays in `extra`, raw.
//!
//! ```
//! use llm_router_core::{BatchItem, BatchProvider, ChatRequest, ErrorKind, Message};
//!
//! let client = llm_router_anthropic::builder().api_key("sk-ant-test").build()?;
//! let item = |id: &str| BatchItem::new(id, ChatRequest::new("claude-sonnet-4-5", vec![Message::user("Hi")]));
//! let rt = tokio::runtime::Builder::new_current_thread().build()?;
//! // Refused before anything is sent: Anthropic's custom_id rule.
//! let err = rt.block_on(client.submit(vec![item("not valid!")])).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidRequest);
//! assert!(err.message().contains("[a-zA-Z0-9_-]"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashSet};

use llm_router_core::{
    BatchCounts, BatchItem, BatchItemResult, BatchJob, BatchProvider, BatchStatus, ChatResponse,
    Error, ErrorKind, async_trait, cancelled_error, expired_error,
};
use llm_router_http::reqwest::{self, Method};
use llm_router_http::{Outgoing, decode_error};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::client::AnthropicClient;
use crate::convert::response;
use crate::error::{event_error, http_error};
use crate::wire::MessageResponse;

const BATCHES: &str = "/v1/messages/batches";

/// The longest `custom_id` Anthropic accepts.
pub const MAX_CUSTOM_ID_LEN: usize = 64;

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(NAME)
}

fn decode(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, msg).with_provider(NAME)
}

/// Checks Anthropic's rule for `custom_id`s (1–64 of `[a-zA-Z0-9_-]`, unique in the batch).
///
/// ```
/// use llm_router_anthropic::check_batch_custom_id;
/// assert!(check_batch_custom_id("my-first-request_1").is_ok());
/// assert!(check_batch_custom_id("request.1").is_err());
/// assert!(check_batch_custom_id(&"x".repeat(65)).is_err());
/// ```
pub fn check_batch_custom_id(id: &str) -> Result<(), Error> {
    let len_ok = (1..=MAX_CUSTOM_ID_LEN).contains(&id.len());
    let chars_ok = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if len_ok && chars_ok {
        return Ok(());
    }
    Err(invalid(format!(
        "custom_id {id:?} is not valid for an Anthropic batch: it must be 1-64 characters of \
         [a-zA-Z0-9_-]"
    )))
}

/// A batch id safe to put in a path (Anthropic's ids are `msgbatch_…`).
fn path_id(id: &str) -> Result<&str, Error> {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Ok(id);
    }
    Err(invalid(format!("not a valid Anthropic batch id: {id:?}")))
}

impl AnthropicClient {
    /// The `POST /v1/messages/batches` body for `items` (ids checked, each `params` built as
    /// for a direct call).
    pub fn batch_body(&self, items: &[BatchItem]) -> Result<Value, Error> {
        if items.is_empty() {
            return Err(invalid("a batch needs at least one request".to_owned()));
        }
        let mut seen = HashSet::with_capacity(items.len());
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            check_batch_custom_id(&item.custom_id)?;
            if !seen.insert(item.custom_id.as_str()) {
                return Err(invalid(format!(
                    "duplicate custom_id {:?} in batch",
                    item.custom_id
                )));
            }
            requests.push(json!({
                "custom_id": item.custom_id,
                "params": self.request_body(&item.request, false)?,
            }));
        }
        Ok(json!({ "requests": requests }))
    }

    fn batch_request(&self, method: Method, path: &str) -> Result<Outgoing, Error> {
        let conn = self.connection();
        Ok(conn
            .request(method, path, &BTreeMap::new())?
            .timeout(conn.request_timeout))
    }

    async fn batch_call(&self, rb: Outgoing) -> Result<Value, Error> {
        let conn = self.connection();
        let resp = conn
            .send(rb.header("accept", "application/json")?, http_error)
            .await?;
        conn.read_json(resp).await
    }

    async fn get_batch(&self, id: &str) -> Result<Value, Error> {
        let path = format!("{BATCHES}/{}", path_id(id)?);
        self.batch_call(self.batch_request(Method::GET, &path)?)
            .await
    }

    /// The path (and query) of `results_url` below the client's base URL.
    fn results_path(&self, results_url: &str) -> Result<String, Error> {
        if results_url.starts_with('/') {
            return Ok(results_url.to_owned());
        }
        let url = reqwest::Url::parse(results_url)
            .map_err(|e| decode(format!("invalid results_url {results_url:?}: {e}")))?;
        let mut path = url.path().to_owned();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        Ok(path)
    }
}

#[async_trait]
impl BatchProvider for AnthropicClient {
    fn name(&self) -> &str {
        NAME
    }

    async fn submit(&self, items: Vec<BatchItem>) -> Result<BatchJob, Error> {
        let body = self.batch_body(&items)?;
        let rb = self.batch_request(Method::POST, BATCHES)?.json(&body)?;
        job(self.batch_call(rb).await?)
    }

    async fn status(&self, id: &str) -> Result<BatchJob, Error> {
        job(self.get_batch(id).await?)
    }

    async fn results(&self, id: &str) -> Result<Vec<BatchItemResult>, Error> {
        let raw = self.get_batch(id).await?;
        let processing = raw
            .get("processing_status")
            .and_then(Value::as_str)
            .unwrap_or("");
        let url = raw.get("results_url").and_then(Value::as_str);
        let Some(url) = url.filter(|_| processing == "ended") else {
            return Err(invalid(format!(
                "batch {id} is {processing}; its results are ready once it has ended"
            )));
        };
        let created = raw
            .get("ended_at")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
            .unwrap_or_else(llm_router_http::unix_now);
        let path = self.results_path(url)?;
        let rb = self
            .batch_request(Method::GET, &path)?
            .header("accept", "application/binary")?;
        let conn = self.connection();
        let resp = conn.send(rb, http_error).await?;
        let bytes = conn.read_body(resp).await?;
        let text = String::from_utf8_lossy(&bytes);
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let item = result_line(line, created).map_err(|e| {
                conn.redact(decode(format!("results line {}: {}", i + 1, e.message())))
            })?;
            out.push(item);
        }
        Ok(out)
    }

    async fn cancel(&self, id: &str) -> Result<BatchJob, Error> {
        let path = format!("{BATCHES}/{}/cancel", path_id(id)?);
        job(self
            .batch_call(self.batch_request(Method::POST, &path)?)
            .await?)
    }
}

/// One results line → the item's result; `created` stamps successful responses.
fn result_line(line: &str, created: u64) -> Result<BatchItemResult, Error> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| decode_error(NAME, &e, line.as_bytes()))?;
    let Some(custom_id) = v.get("custom_id").and_then(Value::as_str) else {
        return Err(decode("no custom_id"));
    };
    let result = v.get("result").unwrap_or(&Value::Null);
    let outcome = match result.get("type").and_then(Value::as_str) {
        Some("succeeded") => Ok(succeeded(result, created)?),
        Some("errored") => Err(errored(result)),
        Some("canceled") => Err(
            cancelled_error("the batch was cancelled before this request ran").with_provider(NAME),
        ),
        Some("expired") => {
            Err(expired_error("the batch expired before this request ran").with_provider(NAME))
        }
        Some(other) => Err(Error::new(
            ErrorKind::Unsupported,
            format!("unknown batch result type {other:?}"),
        )
        .with_provider(NAME)),
        None => return Err(decode("result has no type")),
    };
    Ok(BatchItemResult::new(custom_id, outcome))
}

fn succeeded(result: &Value, created: u64) -> Result<ChatResponse, Error> {
    let message = result.get("message").cloned().unwrap_or(Value::Null);
    let m: MessageResponse = serde_json::from_value(message)
        .map_err(|e| decode(format!("succeeded result without a valid message: {e}")))?;
    let mut out = response(m);
    out.created = created;
    Ok(out)
}

/// `{"type": "errored", "error": {"type": "error", "error": {"type", "message"}}}` (the
/// error response object, as a direct call would get it).
fn errored(result: &Value) -> Error {
    match result.get("error") {
        Some(e @ Value::Object(_)) => event_error(e),
        _ => Error::new(
            ErrorKind::ProviderUnavailable,
            "the request errored without details",
        )
        .with_provider(NAME),
    }
}

/// Anthropic's `MessageBatch` → [`BatchJob`].
fn job(v: Value) -> Result<BatchJob, Error> {
    let Value::Object(mut m) = v else {
        return Err(decode("the message batch is not a JSON object"));
    };
    let Some(Value::String(id)) = m.remove("id") else {
        return Err(decode("the message batch has no id"));
    };
    m.remove("type");
    let time = |m: &mut Map<String, Value>, k: &str| {
        m.remove(k).and_then(|v| v.as_str().and_then(parse_rfc3339))
    };
    let created_at = time(&mut m, "created_at").unwrap_or(0);
    let expires_at = time(&mut m, "expires_at");
    let ended_at = time(&mut m, "ended_at");
    let count = |k: &str| {
        m.get("request_counts")
            .and_then(|c| c.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let (processing, succeeded, errored, canceled, expired) = (
        count("processing"),
        count("succeeded"),
        count("errored"),
        count("canceled"),
        count("expired"),
    );
    let counts = BatchCounts {
        total: processing + succeeded + errored + canceled + expired,
        completed: succeeded,
        failed: errored + canceled + expired,
    };
    let cancel_initiated = m.get("cancel_initiated_at").is_some_and(|v| !v.is_null());
    let status = match m.get("processing_status").and_then(Value::as_str) {
        Some("in_progress") => BatchStatus::InProgress,
        Some("canceling") => BatchStatus::Cancelling,
        Some("ended") if cancel_initiated => BatchStatus::Cancelled,
        Some("ended") if expired > 0 && succeeded + errored + canceled == 0 => BatchStatus::Expired,
        Some("ended") => BatchStatus::Completed,
        Some(other) => BatchStatus::from(other),
        None => return Err(decode(format!("batch {id} has no processing_status"))),
    };
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

/// An RFC 3339 date-time (`2024-08-20T18:37:24.100435Z`, `…+02:00`) → Unix seconds
/// (fractions dropped); `None` if it is not one or is before 1970.
pub(crate) fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| num_in(s, r);
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let tz = rest.get(1..)?;
            if tz.len() != 5 || tz.as_bytes()[2] != b':' {
                return None;
            }
            let (oh, om) = (num_in(tz, 0..2)?, num_in(tz, 3..5)?);
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(secs).ok()
}

fn num_in(s: &str, r: std::ops::Range<usize>) -> Option<i64> {
    let part = s.get(r)?;
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-08-20T18:37:24.100435Z"),
            Some(1_724_179_044)
        );
        assert_eq!(
            parse_rfc3339("2024-08-20T20:37:24+02:00"),
            Some(1_724_179_044)
        );
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(parse_rfc3339("2024-08-20"), None);
        assert_eq!(parse_rfc3339("2024-08-20T18:37:24"), None);
        assert_eq!(parse_rfc3339("2024-13-20T18:37:24Z"), None);
        assert_eq!(parse_rfc3339("2024-08-20T18:37:24.Z"), None);
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), None);
    }

    #[test]
    fn custom_ids() {
        assert!(check_batch_custom_id("a").is_ok());
        assert!(check_batch_custom_id(&"a".repeat(64)).is_ok());
        for bad in ["", "a b", "a.b", "é", &"a".repeat(65)] {
            let e = check_batch_custom_id(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        }
    }

    #[test]
    fn ended_batches_are_told_apart() {
        let batch = |counts: Value, cancel: Value| {
            json!({"id": "b", "type": "message_batch", "processing_status": "ended",
                   "request_counts": counts, "cancel_initiated_at": cancel,
                   "created_at": "2024-09-24T18:37:24.100435Z"})
        };
        let c = |s, e, x| json!({"processing": 0, "succeeded": s, "errored": e, "canceled": 0, "expired": x});
        assert_eq!(
            job(batch(c(2, 1, 0), Value::Null)).unwrap().status,
            BatchStatus::Completed
        );
        assert_eq!(
            job(batch(c(0, 0, 3), Value::Null)).unwrap().status,
            BatchStatus::Expired
        );
        let j = job(batch(c(1, 0, 0), json!("2024-09-24T19:00:00Z"))).unwrap();
        assert_eq!(j.status, BatchStatus::Cancelled);
        assert_eq!(
            (j.counts.total, j.counts.completed, j.counts.failed),
            (1, 1, 0)
        );
    }
}
