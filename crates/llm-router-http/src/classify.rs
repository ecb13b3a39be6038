//! HTTP status and error body → [`ErrorKind`].
//!
//! Providers disagree on the error body but agree on the shape's spirit: a message, a type,
//! a code. [`ErrorBody::parse`] reads the common forms (OpenAI, Anthropic, Gemini, Mistral,
//! Ollama, plain text) and [`classify`] turns status + body + headers into one [`Error`].
//! A provider with its own codes refines the result in its dialect hook or error module.

use llm_router_core::{Error, ErrorKind};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::retry_after::retry_after;

/// The parts of a provider error body that matter for classification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// Human-readable text.
    pub message: Option<String>,
    /// `type` (OpenAI `invalid_request_error`, Anthropic `overloaded_error`).
    pub kind: Option<String>,
    /// `code` (OpenAI `insufficient_quota`, Gemini `429`), as text.
    pub code: Option<String>,
    /// `status` (Gemini `RESOURCE_EXHAUSTED`).
    pub status: Option<String>,
    /// `param` (OpenAI).
    pub param: Option<String>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ErrorBody {
    /// Reads the error fields from a JSON value:
    /// `{"error": {"message", "type", "code", "param", "status"}}`, `{"error": "text"}`,
    /// `{"message": …}`, `{"detail": …}`, or a top-level object with those fields.
    pub fn from_value(v: &Value) -> Self {
        let inner = match v.get("error") {
            Some(e @ Value::Object(_)) => e,
            Some(Value::String(s)) => {
                return Self {
                    message: Some(s.clone()),
                    kind: text(v.get("type")),
                    code: text(v.get("code")),
                    ..Self::default()
                };
            }
            _ => v,
        };
        let message = text(inner.get("message"))
            .or_else(|| text(inner.get("msg")))
            .or_else(|| match inner.get("detail") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(d @ (Value::Array(_) | Value::Object(_))) => Some(d.to_string()),
                _ => None,
            });
        Self {
            message,
            kind: text(inner.get("type")),
            code: text(inner.get("code")),
            status: text(inner.get("status")),
            param: text(inner.get("param")),
        }
    }

    /// Parses a body; a body that is not JSON becomes the message (trimmed).
    pub fn parse(body: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => Self::from_value(&v),
            Err(_) => {
                let t = String::from_utf8_lossy(body).trim().to_owned();
                Self {
                    message: (!t.is_empty()).then_some(t),
                    ..Self::default()
                }
            }
        }
    }

    fn mentions(&self, needles: &[&str]) -> bool {
        [&self.kind, &self.code, &self.status, &self.message]
            .into_iter()
            .flatten()
            .any(|f| {
                let f = f.to_ascii_lowercase();
                needles.iter().any(|n| f.contains(n))
            })
    }
}

/// The kind for an HTTP error status, refined by the body's type, code and message.
pub fn kind_for(status: u16, body: &ErrorBody) -> ErrorKind {
    let quota = || {
        body.mentions(&[
            "insufficient_quota",
            "exceeded your current quota",
            "billing",
            "credit",
            "payment",
        ])
    };
    match status {
        400 | 413 | 422 => {
            if body.mentions(&[
                "context_length_exceeded",
                "context length",
                "context window",
                "maximum context",
                "too many tokens",
                "prompt is too long",
                "string_above_max_length",
            ]) {
                ErrorKind::ContextLengthExceeded
            } else if body.mentions(&[
                "content_filter",
                "content_policy",
                "content management policy",
            ]) {
                ErrorKind::ContentFiltered
            } else if quota() {
                ErrorKind::QuotaExceeded
            } else {
                ErrorKind::InvalidRequest
            }
        }
        401 => ErrorKind::Authentication,
        402 => ErrorKind::QuotaExceeded,
        403 => {
            if quota() {
                ErrorKind::QuotaExceeded
            } else {
                ErrorKind::PermissionDenied
            }
        }
        404 => ErrorKind::ModelNotFound,
        408 | 504 => ErrorKind::Timeout,
        409 => ErrorKind::ProviderUnavailable,
        429 => {
            if quota() {
                ErrorKind::QuotaExceeded
            } else {
                ErrorKind::RateLimited
            }
        }
        500..=599 => ErrorKind::ProviderUnavailable,
        _ => ErrorKind::InvalidRequest,
    }
}

/// One [`Error`] from an HTTP error response: kind, message, code, status, provider and the
/// `Retry-After` wait.
pub fn classify(provider: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let parsed = ErrorBody::parse(body);
    let kind = kind_for(status, &parsed);
    error_from_body(provider, kind, &parsed, status, headers)
}

/// Builds the error for an already chosen kind (used by providers that classify themselves).
pub fn error_from_body(
    provider: &str,
    kind: ErrorKind,
    body: &ErrorBody,
    status: u16,
    headers: &HeaderMap,
) -> Error {
    let message = body
        .message
        .clone()
        .unwrap_or_else(|| format!("HTTP {status} with no error message"));
    let mut err = Error::new(kind, message)
        .with_provider(provider)
        .with_status(status);
    if let Some(code) = body
        .code
        .clone()
        .or_else(|| body.kind.clone())
        .or_else(|| body.status.clone())
    {
        err = err.with_code(code);
    }
    if let Some(wait) = retry_after(headers) {
        err = err.with_retry_after(wait);
    }
    err
}

/// The kind of an error that arrived inside a 200 body or a stream event, where there is no
/// HTTP status: a numeric code in the 4xx/5xx range is read as a status, otherwise the type,
/// code and message decide, and an unknown error is [`ErrorKind::ProviderUnavailable`].
pub fn kind_for_event(body: &ErrorBody) -> ErrorKind {
    if let Some(status) = body.code.as_deref().and_then(|c| c.parse::<u16>().ok())
        && (400..=599).contains(&status)
    {
        return kind_for(status, body);
    }
    let table: [(&[&str], ErrorKind); 7] = [
        (
            &["insufficient_quota", "quota", "billing", "credit"],
            ErrorKind::QuotaExceeded,
        ),
        (
            &[
                "rate_limit",
                "rate limit",
                "resource_exhausted",
                "throttl",
                "too many requests",
            ],
            ErrorKind::RateLimited,
        ),
        (
            &["context_length", "context window", "too long"],
            ErrorKind::ContextLengthExceeded,
        ),
        (
            &["content_filter", "content_policy", "safety", "moderation"],
            ErrorKind::ContentFiltered,
        ),
        (
            &["authentication", "invalid_api_key", "unauthorized"],
            ErrorKind::Authentication,
        ),
        (&["permission"], ErrorKind::PermissionDenied),
        (
            &["invalid_request", "bad_request", "invalid_argument"],
            ErrorKind::InvalidRequest,
        ),
    ];
    table
        .into_iter()
        .find(|(needles, _)| body.mentions(needles))
        .map_or(ErrorKind::ProviderUnavailable, |(_, k)| k)
}

/// The error carried by a JSON value with a non-null top-level `error` (OpenRouter's
/// mid-stream error chunk, an error object in a 200 body), if there is one.
pub fn error_in_body(provider: &str, v: &Value) -> Option<Error> {
    match v.get("error") {
        None | Some(Value::Null) => None,
        Some(_) => {
            let body = ErrorBody::from_value(v);
            let kind = kind_for_event(&body);
            let mut err = Error::new(
                kind,
                body.message
                    .clone()
                    .unwrap_or_else(|| "the provider reported an error".to_owned()),
            )
            .with_provider(provider);
            if let Some(code) = body.code.or(body.kind).or(body.status) {
                err = err.with_code(code);
            }
            Some(err)
        }
    }
}

/// Whether hyper failed under `e`: reqwest reports a body cut short ("end of file before
/// message length reached") as a decode error, but it is the connection that broke, and a
/// retry may well succeed.
fn from_the_connection(e: &reqwest::Error) -> bool {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<hyper::Error>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The error for a transport failure (connect, timeout, broken body).
pub fn transport_error(provider: &str, e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_connect() || from_the_connection(&e) {
        ErrorKind::Connection
    } else if e.is_decode() {
        ErrorKind::Decode
    } else if e.is_body() || e.is_request() {
        ErrorKind::Connection
    } else if e.is_builder() {
        ErrorKind::Config
    } else {
        ErrorKind::Connection
    };
    // reqwest's Display includes the URL; ours carry no secrets (keys travel in headers), but a
    // query-string key (Gemini `?key=`) could: strip the URL.
    let e = e.without_url();
    // reqwest's own text is generic ("error sending request"); the cause chain says what
    // happened ("tcp connect error: Connection refused").
    let message = crate::transport::describe(&e);
    Error::new(kind, message)
        .with_provider(provider)
        .with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, body: &str) -> ErrorKind {
        classify("p", status, &HeaderMap::new(), body.as_bytes()).kind()
    }

    #[test]
    fn statuses() {
        assert_eq!(kind(401, "{}"), ErrorKind::Authentication);
        assert_eq!(kind(403, ""), ErrorKind::PermissionDenied);
        assert_eq!(kind(404, ""), ErrorKind::ModelNotFound);
        assert_eq!(
            kind(
                429,
                r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#
            ),
            ErrorKind::RateLimited
        );
        assert_eq!(
            kind(
                429,
                r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#
            ),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            kind(
                402,
                r#"{"error":{"message":"Insufficient credits","code":402}}"#
            ),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(kind(500, "oops"), ErrorKind::ProviderUnavailable);
        assert_eq!(
            kind(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
            ),
            ErrorKind::ProviderUnavailable
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#
            ),
            ErrorKind::ContextLengthExceeded
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":{"message":"bad","code":"content_filter"}}"#
            ),
            ErrorKind::ContentFiltered
        );
        assert_eq!(
            kind(400, r#"{"error":{"message":"bad param"}}"#),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn errors_inside_events() {
        use serde_json::json;
        let e = error_in_body(
            "openrouter",
            &json!({"error": {"code": 502, "message": "upstream died"}, "choices": []}),
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert_eq!(e.message(), "upstream died");
        let e = error_in_body(
            "x",
            &json!({"error": {"type": "rate_limit_error", "message": "slow"}}),
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(error_in_body("x", &json!({"error": null, "choices": []})).is_none());
        assert!(error_in_body("x", &json!({"choices": []})).is_none());
    }

    #[test]
    fn message_and_code_are_read_from_common_shapes() {
        let e = classify("openai", 429, &HeaderMap::new(), br#"{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota","param":null}}"#);
        assert_eq!(e.message(), "quota");
        assert_eq!(e.code(), Some("insufficient_quota"));
        assert_eq!(e.status(), Some(429));
        assert!(!e.is_retryable());
        let b = ErrorBody::parse(br#"{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}"#);
        assert_eq!(b.status.as_deref(), Some("RESOURCE_EXHAUSTED"));
        assert_eq!(b.code.as_deref(), Some("429"));
        assert_eq!(
            ErrorBody::parse(br#"{"error":"model not found"}"#)
                .message
                .as_deref(),
            Some("model not found")
        );
        assert_eq!(
            ErrorBody::parse(b"  Bad Gateway \n").message.as_deref(),
            Some("Bad Gateway")
        );
        let e = classify("x", 503, &HeaderMap::new(), b"");
        assert_eq!(e.message(), "HTTP 503 with no error message");
    }
}
