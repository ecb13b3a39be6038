//! Cohere's error bodies → [`ErrorKind`].
//!
//! Cohere answers `{"id"?, "message": "..."}` with a status from its errors page
//! (docs.cohere.com/reference/errors): 400 (a message starting `too many tokens` is a context
//! overflow), 401, 402 (billing limit reached), 404, 422, 429, 498 (invalid token), 499
//! (request cancelled; retryable), 500, 501, 503, 504. A 429 about a trial key's monthly call
//! limit is a quota, not a rate limit.

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body, kind_for, kind_for_event};
use serde_json::json;

use crate::NAME;

fn kind(status: u16, body: &ErrorBody) -> ErrorKind {
    match status {
        498 => ErrorKind::Authentication,
        499 => ErrorKind::ProviderUnavailable,
        429 if body.message.as_deref().is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            ["trial key", "/ month", "per month"]
                .iter()
                .any(|n| m.contains(n))
        }) =>
        {
            ErrorKind::QuotaExceeded
        }
        _ => kind_for(status, body),
    }
}

/// The error for a non-2xx HTTP response.
pub(crate) fn http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let parsed = ErrorBody::parse(body);
    error_from_body(NAME, kind(status, &parsed), &parsed, status, headers)
}

/// The error reported inside a stream (`message-end` with `delta.error`, or an error event).
pub(crate) fn stream_error(message: &str) -> Error {
    let body = ErrorBody::from_value(&json!({"message": message}));
    Error::new(kind_for_event(&body), message.to_owned()).with_provider(NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(status: u16, msg: &str) -> ErrorKind {
        let body = json!({"id": "e1", "message": msg}).to_string();
        http_error(status, &HeaderMap::new(), body.as_bytes()).kind()
    }

    #[test]
    fn documented_statuses() {
        assert_eq!(
            k(
                400,
                "invalid request: prompt must be at least 1 token long."
            ),
            ErrorKind::InvalidRequest
        );
        assert_eq!(
            k(
                400,
                "too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292."
            ),
            ErrorKind::ContextLengthExceeded
        );
        assert_eq!(k(401, "invalid api token"), ErrorKind::Authentication);
        assert_eq!(
            k(402, "Please add or update your payment method"),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(k(404, "model 'x' not found"), ErrorKind::ModelNotFound);
        assert_eq!(k(422, "unprocessable"), ErrorKind::InvalidRequest);
        assert_eq!(
            k(429, "You are past the per minute request limit"),
            ErrorKind::RateLimited
        );
        assert_eq!(
            k(
                429,
                "You are using a Trial key, which is limited to 1000 API calls / month."
            ),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(k(498, "invalid token"), ErrorKind::Authentication);
        assert_eq!(k(499, "request cancelled"), ErrorKind::ProviderUnavailable);
        assert_eq!(
            k(500, "internal server error"),
            ErrorKind::ProviderUnavailable
        );
        assert_eq!(k(503, "unavailable"), ErrorKind::ProviderUnavailable);
        assert_eq!(k(504, "timeout"), ErrorKind::Timeout);
        let e = http_error(
            400,
            &HeaderMap::new(),
            br#"{"id":"x","message":"bad field"}"#,
        );
        assert_eq!(e.message(), "bad field");
    }
}
