//! Anthropic's error bodies → [`ErrorKind`].
//!
//! Anthropic answers `{"type": "error", "error": {"type", "message"}, "request_id"?}`, over
//! HTTP (with a status) and as an `event: error` inside a 200 stream (without one). The
//! error `type` has a documented status (`invalid_request_error` 400, `authentication_error`
//! 401, `billing_error` 402, `permission_error` 403, `not_found_error` 404,
//! `request_too_large` 413, `rate_limit_error` 429, `api_error` 500, `timeout_error` 504,
//! `overloaded_error` 529), so an event is classified as if it had come with that status.
//!
//! The message gets the `request-id` header appended, and on a 429 the
//! `anthropic-ratelimit-*` headers (limits, remaining, reset times), so logs say which limit
//! was hit; `Retry-After` is read into [`Error::retry_after`]. A 429 or 529 without
//! `retry-after` gets its wait from the rate-limit reset headers instead (see
//! the `ratelimit` module).

use std::time::SystemTime;

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body, kind_for, kind_for_event};
use serde_json::Value;

use crate::NAME;
use crate::ratelimit::reset_wait;

/// The documented HTTP status of an error `type`.
fn documented_status(kind: &str) -> Option<u16> {
    Some(match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => return None,
    })
}

/// Status and body → kind: the error type wins where it is decisive (`overloaded_error`,
/// `billing_error`, `timeout_error`), 529 is always overload, otherwise the shared rules
/// (which also spot "prompt is too long" and credit-balance messages).
fn kind(status: u16, body: &ErrorBody) -> ErrorKind {
    match body.kind.as_deref() {
        Some("overloaded_error") => ErrorKind::ProviderUnavailable,
        Some("billing_error") => ErrorKind::QuotaExceeded,
        Some("timeout_error") => ErrorKind::Timeout,
        _ if status == 529 => ErrorKind::ProviderUnavailable,
        _ => kind_for(status, body),
    }
}

/// The error for a non-2xx HTTP response (the `classify` hook of every request).
pub(crate) fn http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    http_error_at(status, headers, body, SystemTime::now())
}

/// [`http_error`] with an explicit clock (for the reset headers when there is no `date`).
fn http_error_at(status: u16, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Error {
    let mut parsed = ErrorBody::parse(body);
    let kind = kind(status, &parsed);
    if let Some(notes) = header_notes(headers, kind == ErrorKind::RateLimited) {
        let message = parsed
            .message
            .take()
            .unwrap_or_else(|| format!("HTTP {status} with no error message"));
        parsed.message = Some(format!("{message} ({notes})"));
    }
    let err = error_from_body(NAME, kind, &parsed, status, headers);
    match reset_wait(headers, now) {
        Some(wait) if err.retry_after().is_none() && matches!(status, 429 | 529) => {
            err.with_retry_after(wait)
        }
        _ => err,
    }
}

/// The error carried by an `error` stream event (or an error object in a 200 body).
pub(crate) fn event_error(v: &Value) -> Error {
    let body = ErrorBody::from_value(v);
    let kind = match body.kind.as_deref().and_then(documented_status) {
        Some(status) => kind(status, &body),
        None => kind_for_event(&body),
    };
    let mut err = Error::new(
        kind,
        body.message
            .clone()
            .unwrap_or_else(|| "the stream reported an error".to_owned()),
    )
    .with_provider(NAME);
    if let Some(code) = body.kind.or(body.code) {
        err = err.with_code(code);
    }
    err
}

/// `request-id …` and, for rate limits, every `anthropic-ratelimit-*` header.
fn header_notes(headers: &HeaderMap, rate_limited: bool) -> Option<String> {
    let mut notes = Vec::new();
    if let Some(id) = headers.get("request-id").and_then(|v| v.to_str().ok()) {
        notes.push(format!("request-id {id}"));
    }
    if rate_limited {
        let mut limits: Vec<String> = headers
            .iter()
            .filter(|(k, _)| k.as_str().starts_with("anthropic-ratelimit-"))
            .filter_map(|(k, v)| Some(format!("{}={}", k.as_str(), v.to_str().ok()?)))
            .collect();
        limits.sort();
        notes.extend(limits);
    }
    (!notes.is_empty()).then(|| notes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_http::reqwest::header::HeaderValue;
    use serde_json::json;

    fn http(status: u16, kind: &str, msg: &str) -> ErrorKind {
        let body = json!({"type": "error", "error": {"type": kind, "message": msg}}).to_string();
        http_error(status, &HeaderMap::new(), body.as_bytes()).kind()
    }

    #[test]
    fn statuses_and_types() {
        assert_eq!(
            http(400, "invalid_request_error", "max_tokens: Field required"),
            ErrorKind::InvalidRequest
        );
        assert_eq!(
            http(
                400,
                "invalid_request_error",
                "prompt is too long: 210000 tokens > 200000 maximum"
            ),
            ErrorKind::ContextLengthExceeded
        );
        assert_eq!(
            http(
                400,
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."
            ),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            http(401, "authentication_error", "invalid x-api-key"),
            ErrorKind::Authentication
        );
        assert_eq!(
            http(402, "billing_error", "billing issue"),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            http(403, "permission_error", "no"),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            http(404, "not_found_error", "model: x"),
            ErrorKind::ModelNotFound
        );
        assert_eq!(
            http(413, "request_too_large", "too big"),
            ErrorKind::InvalidRequest
        );
        assert_eq!(
            http(429, "rate_limit_error", "slow down"),
            ErrorKind::RateLimited
        );
        assert_eq!(
            http(500, "api_error", "Internal server error"),
            ErrorKind::ProviderUnavailable
        );
        assert_eq!(http(504, "timeout_error", "timed out"), ErrorKind::Timeout);
        assert_eq!(
            http(529, "overloaded_error", "Overloaded"),
            ErrorKind::ProviderUnavailable
        );
        let e = http_error(529, &HeaderMap::new(), b"<html>overloaded</html>");
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }

    #[test]
    fn events_are_classified_by_their_documented_status() {
        let ev = |kind: &str| {
            event_error(&json!({"type": "error", "error": {"type": kind, "message": "m"}}))
        };
        assert_eq!(
            ev("overloaded_error").kind(),
            ErrorKind::ProviderUnavailable
        );
        assert_eq!(ev("overloaded_error").code(), Some("overloaded_error"));
        assert_eq!(ev("rate_limit_error").kind(), ErrorKind::RateLimited);
        assert_eq!(ev("api_error").kind(), ErrorKind::ProviderUnavailable);
        assert_eq!(
            ev("invalid_request_error").kind(),
            ErrorKind::InvalidRequest
        );
        assert_eq!(ev("billing_error").kind(), ErrorKind::QuotaExceeded);
        assert_eq!(ev("timeout_error").kind(), ErrorKind::Timeout);
        assert_eq!(ev("something_new").kind(), ErrorKind::ProviderUnavailable);
    }

    #[test]
    fn rate_limit_headers_and_request_id_reach_the_message() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("12"));
        h.insert("request-id", HeaderValue::from_static("req_011"));
        h.insert(
            "anthropic-ratelimit-requests-remaining",
            HeaderValue::from_static("0"),
        );
        h.insert(
            "anthropic-ratelimit-requests-reset",
            HeaderValue::from_static("2025-08-21T12:41:00Z"),
        );
        let body = json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your per-minute rate limit"}});
        let e = http_error(429, &h, body.to_string().as_bytes());
        assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(12)));
        assert_eq!(
            e.message(),
            "Number of requests has exceeded your per-minute rate limit (request-id req_011, \
             anthropic-ratelimit-requests-remaining=0, \
             anthropic-ratelimit-requests-reset=2025-08-21T12:41:00Z)"
        );
        // Other errors carry only the request id.
        let e = http_error(500, &h, b"{}");
        assert!(e.message().ends_with("(request-id req_011)"), "{e}");
    }
}
