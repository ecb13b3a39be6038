//! Gemini's error body → [`ErrorKind`].
//!
//! Google APIs answer errors with `{"error": {"code", "message", "status", "details": [...]}}`
//! (sometimes wrapped in a one-element array). The gRPC `status` decides the kind, not the
//! message: Gemini's per-minute rate limits say "You exceeded your current quota, please check
//! your plan and billing details" too, so the text alone does not mean the account is out of
//! credit. The rules:
//!
//! - `RESOURCE_EXHAUSTED` → [`ErrorKind::RateLimited`], except [`ErrorKind::QuotaExceeded`] when
//!   a `google.rpc.QuotaFailure` violation names a per-day quota (`quotaId` containing
//!   `PerDay`) or the message says prepaid credits are depleted: waiting seconds does not help
//!   there.
//! - `INVALID_ARGUMENT` → [`ErrorKind::InvalidRequest`]; [`ErrorKind::Authentication`] when
//!   `google.rpc.ErrorInfo.reason` is `API_KEY_INVALID` (Gemini answers a wrong key with 400,
//!   not 401); [`ErrorKind::ContextLengthExceeded`] when the message says the input token count
//!   exceeds the limit.
//! - `UNAUTHENTICATED` → Authentication, `PERMISSION_DENIED` → PermissionDenied,
//!   `NOT_FOUND` → ModelNotFound, `DEADLINE_EXCEEDED` → Timeout, `INTERNAL` / `UNAVAILABLE` /
//!   `CANCELLED` / `ABORTED` → ProviderUnavailable, `FAILED_PRECONDITION` → InvalidRequest.
//! - Anything else falls back to the HTTP status via [`llm_router_http::kind_for`].
//!
//! The wait: a `Retry-After` header wins; otherwise `google.rpc.RetryInfo.retryDelay` (`"30s"`,
//! `"1.5s"`) is used, clamped to [`llm_router_http::MAX_RETRY_AFTER`].

use std::time::Duration;

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, MAX_RETRY_AFTER, kind_for, retry_after};
use serde_json::Value;

use crate::PROVIDER;

/// The parts of a Google error body that matter.
#[derive(Debug, Default)]
struct GoogleError {
    code: Option<u16>,
    message: Option<String>,
    status: Option<String>,
    reason: Option<String>,
    retry_delay: Option<Duration>,
    daily_quota: bool,
}

/// The `error` object of a body: `{"error": {...}}` or `[{"error": {...}}]`.
fn error_object(v: &Value) -> Option<&Value> {
    let v = match v {
        Value::Array(items) => items.first()?,
        other => other,
    };
    match v.get("error")? {
        e @ Value::Object(_) => Some(e),
        _ => None,
    }
}

fn parse(e: &Value) -> GoogleError {
    let mut out = GoogleError {
        code: e
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok()),
        message: e
            .get("message")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        status: e
            .get("status")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        ..GoogleError::default()
    };
    for d in e
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ty = d.get("@type").and_then(Value::as_str).unwrap_or_default();
        if ty.ends_with("google.rpc.RetryInfo") {
            out.retry_delay = d
                .get("retryDelay")
                .and_then(Value::as_str)
                .and_then(parse_duration);
        } else if ty.ends_with("google.rpc.ErrorInfo") {
            out.reason = d.get("reason").and_then(Value::as_str).map(str::to_owned);
        } else if ty.ends_with("google.rpc.QuotaFailure") {
            let per_day = d
                .get("violations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.get("quotaId").and_then(Value::as_str))
                .any(|id| id.contains("PerDay"));
            out.daily_quota |= per_day;
        }
    }
    out
}

/// A protobuf JSON `Duration`: seconds with an `s` suffix (`"30s"`, `"0.5s"`).
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())))
}

fn kind(http_status: Option<u16>, e: &GoogleError) -> ErrorKind {
    let message = e
        .message
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match e.status.as_deref() {
        Some("RESOURCE_EXHAUSTED") => {
            if e.daily_quota || message.contains("credits are depleted") {
                ErrorKind::QuotaExceeded
            } else {
                ErrorKind::RateLimited
            }
        }
        Some("INVALID_ARGUMENT") => {
            if e.reason.as_deref() == Some("API_KEY_INVALID")
                || message.contains("api key not valid")
            {
                ErrorKind::Authentication
            } else if message.contains("token count")
                && (message.contains("exceeds") || message.contains("exceeded"))
            {
                ErrorKind::ContextLengthExceeded
            } else {
                ErrorKind::InvalidRequest
            }
        }
        Some("FAILED_PRECONDITION" | "OUT_OF_RANGE") => ErrorKind::InvalidRequest,
        Some("UNAUTHENTICATED") => ErrorKind::Authentication,
        Some("PERMISSION_DENIED") => ErrorKind::PermissionDenied,
        Some("NOT_FOUND") => ErrorKind::ModelNotFound,
        Some("DEADLINE_EXCEEDED") => ErrorKind::Timeout,
        Some("INTERNAL" | "UNAVAILABLE" | "CANCELLED" | "ABORTED" | "UNKNOWN") => {
            ErrorKind::ProviderUnavailable
        }
        _ => {
            let body = ErrorBody {
                message: e.message.clone(),
                status: e.status.clone(),
                ..ErrorBody::default()
            };
            match http_status.or(e.code) {
                Some(s) if (400..=599).contains(&s) => kind_for(s, &body),
                _ => llm_router_http::kind_for_event(&body),
            }
        }
    }
}

fn build(http_status: Option<u16>, e: &GoogleError, headers: Option<&HeaderMap>) -> Error {
    let kind = kind(http_status, e);
    let message = e.message.clone().unwrap_or_else(|| match http_status {
        Some(s) => format!("HTTP {s} with no error message"),
        None => "Gemini reported an error".to_owned(),
    });
    let mut err = Error::new(kind, message).with_provider(PROVIDER);
    if let Some(s) = http_status {
        err = err.with_status(s);
    }
    if let Some(code) = e.reason.clone().or_else(|| e.status.clone()) {
        err = err.with_code(code);
    }
    if let Some(wait) = headers.and_then(retry_after).or(e.retry_delay) {
        err = err.with_retry_after(wait);
    }
    err
}

/// The error for a non-2xx HTTP response.
pub(crate) fn from_response(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    match serde_json::from_slice::<Value>(body)
        .ok()
        .as_ref()
        .and_then(error_object)
    {
        Some(e) => build(Some(status), &parse(e), Some(headers)),
        // Not a Google error body (a proxy's HTML page, plain text): the shared classifier.
        None => llm_router_http::classify(PROVIDER, status, headers, body),
    }
}

/// The error carried by a 200 body or a stream event, if it is one.
pub(crate) fn from_value(v: &Value) -> Option<Error> {
    error_object(v).map(|e| build(None, &parse(e), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn classify(status: u16, body: Value) -> Error {
        from_response(status, &HeaderMap::new(), body.to_string().as_bytes())
    }

    #[test]
    fn retry_delay_forms() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("99999999s"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("-1s"), None);
    }

    #[test]
    fn statuses_decide() {
        let e = classify(
            400,
            json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}),
        );
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.code(), Some("API_KEY_INVALID"));
        let e = classify(
            400,
            json!({"error": {"code": 400, "message": "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).", "status": "INVALID_ARGUMENT"}}),
        );
        assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded);
        let e = classify(
            404,
            json!([{"error": {"code": 404, "message": "models/x is not found", "status": "NOT_FOUND"}}]),
        );
        assert_eq!(e.kind(), ErrorKind::ModelNotFound);
        let e = classify(502, json!({"error": {"code": 502, "message": "bad"}}));
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        let e = classify(
            504,
            json!({"error": {"code": 504, "message": "slow", "status": "DEADLINE_EXCEEDED"}}),
        );
        assert_eq!(e.kind(), ErrorKind::Timeout);
    }

    #[test]
    fn event_errors_without_status() {
        let e = from_value(&json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}})).unwrap();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert_eq!(e.status(), None);
        assert!(from_value(&json!({"candidates": []})).is_none());
    }
}
