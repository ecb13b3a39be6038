//! Errors in Anthropic's shape: `{"type": "error", "error": {"type", "message"}}` with the
//! documented HTTP status of the error type.

use llm_router_core::{Error, ErrorKind};
use serde_json::{Value, json};

/// Anthropic's error `type` and HTTP status for an error.
///
/// | kind | type | status |
/// |---|---|---|
/// | `InvalidRequest`, `ContextLengthExceeded`, `ContentFiltered`, `Unsupported` | `invalid_request_error` | 400 |
/// | any kind with HTTP status 413 | `request_too_large` | 413 |
/// | `Authentication` | `authentication_error` | 401 |
/// | `QuotaExceeded` | `billing_error` | 402 |
/// | `PermissionDenied` | `permission_error` | 403 |
/// | `ModelNotFound` | `not_found_error` | 404 |
/// | `RateLimited` | `rate_limit_error` | 429 |
/// | `Timeout` | `timeout_error` | 504 |
/// | `ProviderUnavailable` | `overloaded_error` | 529 |
/// | `Connection`, `StreamInterrupted`, `Decode`, `Config`, `Cache`, anything newer | `api_error` | 500 |
pub fn error_type(err: &Error) -> (u16, &'static str) {
    if err.status() == Some(413) {
        return (413, "request_too_large");
    }
    match err.kind() {
        ErrorKind::InvalidRequest
        | ErrorKind::ContextLengthExceeded
        | ErrorKind::ContentFiltered
        | ErrorKind::Unsupported => (400, "invalid_request_error"),
        ErrorKind::Authentication => (401, "authentication_error"),
        ErrorKind::QuotaExceeded => (402, "billing_error"),
        ErrorKind::PermissionDenied => (403, "permission_error"),
        ErrorKind::ModelNotFound => (404, "not_found_error"),
        ErrorKind::RateLimited => (429, "rate_limit_error"),
        ErrorKind::Timeout => (504, "timeout_error"),
        ErrorKind::ProviderUnavailable => (529, "overloaded_error"),
        _ => (500, "api_error"),
    }
}

/// The HTTP status and Anthropic error body for `err`.
///
/// ```
/// use llm_router_core::{Error, ErrorKind};
/// let (status, body) = llm_router_messages_api::error_body(
///     &Error::new(ErrorKind::ModelNotFound, "no model named x"),
/// );
/// assert_eq!(status, 404);
/// assert_eq!(body["type"], "error");
/// assert_eq!(body["error"]["type"], "not_found_error");
/// assert_eq!(body["error"]["message"], "no model named x");
/// ```
pub fn error_body(err: &Error) -> (u16, Value) {
    let (status, kind) = error_type(err);
    (
        status,
        json!({"type": "error", "error": {"type": kind, "message": err.message()}}),
    )
}
