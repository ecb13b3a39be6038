//! Llama API error bodies → [`ErrorKind`](llm_router_core::ErrorKind).
//!
//! The SDK documents the statuses (400, 401, 403, 404, 422, 429, ≥500) but not the body; the
//! shared rules read every common shape (`{"error": {"message"}}`, `{"message"}`,
//! `{"detail"}`, `{"title", "detail", "status"}`). An SSE event named `error` carries the same
//! kind of payload; a numeric status in it is read as the HTTP status.

use llm_router_core::Error;
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, classify, kind_for, kind_for_event};
use serde_json::Value;

use crate::NAME;

/// The error for a non-2xx HTTP response.
pub(crate) fn http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    classify(NAME, status, headers, body)
}

/// The error carried by an `error` stream event.
pub(crate) fn event_error(v: &Value) -> Error {
    let body = ErrorBody::from_value(v);
    let status = ["status", "code", "status_code"]
        .iter()
        .find_map(|k| v.get(k).or_else(|| v.get("error").and_then(|e| e.get(k))))
        .and_then(|s| {
            s.as_u64()
                .or_else(|| s.as_str().and_then(|s| s.parse().ok()))
        })
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (400..=599).contains(s));
    let kind = match status {
        Some(s) => kind_for(s, &body),
        None => kind_for_event(&body),
    };
    let msg = body
        .message
        .clone()
        .unwrap_or_else(|| "the stream reported an error".to_owned());
    Error::new(kind, msg).with_provider(NAME)
}
