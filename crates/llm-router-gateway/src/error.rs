//! Failures as HTTP responses: the status for every [`ErrorKind`] and OpenAI's error body.
//!
//! One [`Failure`] carries a core [`Error`] plus what only the gateway knows (a status that no
//! kind names, such as 413, and the body field at fault). The wire shape is chosen by the
//! route's [`Flavor`], so a second API (Anthropic's Messages) reuses the whole request path.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use llm_router_core::{Error, ErrorKind};
use serde::Serialize;

use crate::request_id::REQUEST_ID;

/// The wire format of a route: which error body and which stream framing it speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// OpenAI's `{"error": {"message", "type", "param", "code"}}`.
    OpenAi,
    /// Anthropic's `{"type": "error", "error": {"type", "message"}}`.
    Anthropic,
}

/// A failed request: the error, and the gateway's own status and parameter when it has them.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Boxed: the core error is large and `Result<_, Failure>` is on every path.
    pub(crate) error: Box<Error>,
    status: Option<StatusCode>,
    param: Option<String>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self {
            error: Box::new(error),
            status: None,
            param: None,
        }
    }
}

impl Failure {
    /// A gateway-made error of `kind` with `code`.
    pub(crate) fn new(kind: ErrorKind, code: &str, message: impl Into<String>) -> Self {
        Error::new(kind, message).with_code(code).into()
    }

    /// Answers with `status` instead of the kind's.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// Names the body field at fault (OpenAI's `param`).
    pub(crate) fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// The HTTP status for OpenAI-flavoured routes.
    pub(crate) fn status(&self) -> StatusCode {
        self.status.unwrap_or_else(|| status_for(&self.error))
    }

    /// The full response for `flavor`, with the request id and `Retry-After` headers.
    pub(crate) fn into_response(self, flavor: Flavor, request_id: &HeaderValue) -> Response {
        let (status, body) = match flavor {
            Flavor::OpenAi => (
                self.status(),
                openai_body(&self.error, self.param.as_deref()),
            ),
            Flavor::Anthropic => anthropic(&self),
        };
        let mut resp = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        let headers = resp.headers_mut();
        headers.insert(REQUEST_ID, request_id.clone());
        if status == StatusCode::TOO_MANY_REQUESTS
            && let Some(wait) = self.error.retry_after()
        {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs(wait)),
            );
            let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            headers.insert("retry-after-ms", HeaderValue::from(ms));
        }
        resp
    }
}

/// Whole seconds to wait, rounded up, at least 1 (`Retry-After: 0` invites a hot loop).
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The HTTP status the gateway answers with for `err`.
///
/// Caller-side problems keep their 4xx; problems with the upstream become 502 (bad answer,
/// 5xx, broken connection, a key the gateway holds that the provider refused), 504 (timeout).
pub(crate) fn status_for(err: &Error) -> StatusCode {
    let upstream = err.provider().is_some();
    match err.kind() {
        ErrorKind::InvalidRequest
        | ErrorKind::ContextLengthExceeded
        | ErrorKind::ContentFiltered
        | ErrorKind::Unsupported => StatusCode::BAD_REQUEST,
        // The provider refused the gateway's own credentials: the caller cannot fix that.
        ErrorKind::Authentication | ErrorKind::PermissionDenied if upstream => {
            StatusCode::BAD_GATEWAY
        }
        ErrorKind::Authentication => StatusCode::UNAUTHORIZED,
        ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
        ErrorKind::ModelNotFound => StatusCode::NOT_FOUND,
        ErrorKind::RateLimited | ErrorKind::QuotaExceeded => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
        ErrorKind::Connection
        | ErrorKind::ProviderUnavailable
        | ErrorKind::StreamInterrupted
        | ErrorKind::Decode => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// OpenAI's error `type` for a kind (the categories OpenAI's own API uses, so clients that
/// switch on `type` keep working).
fn openai_type(err: &Error) -> &'static str {
    match err.kind() {
        ErrorKind::InvalidRequest
        | ErrorKind::ContextLengthExceeded
        | ErrorKind::ContentFiltered
        | ErrorKind::Unsupported
        | ErrorKind::ModelNotFound => "invalid_request_error",
        ErrorKind::Authentication if err.provider().is_none() => "authentication_error",
        ErrorKind::PermissionDenied if err.provider().is_none() => "permission_error",
        ErrorKind::RateLimited => "rate_limit_error",
        ErrorKind::QuotaExceeded => "insufficient_quota",
        ErrorKind::Timeout => "timeout_error",
        _ => "server_error",
    }
}

#[derive(Serialize)]
struct OpenAiError<'a> {
    error: OpenAiErrorInner<'a>,
}

#[derive(Serialize)]
struct OpenAiErrorInner<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    param: Option<&'a str>,
    code: &'a str,
}

/// `{"error": {"message", "type", "param", "code"}}`; `code` is the provider's own code when
/// it sent one (OpenAI's codes pass through), else the kind's name.
pub(crate) fn openai_body(err: &Error, param: Option<&str>) -> Vec<u8> {
    let body = OpenAiError {
        error: OpenAiErrorInner {
            message: err.message(),
            kind: openai_type(err),
            param,
            code: err.code().unwrap_or(err.kind().as_str()),
        },
    };
    serde_json::to_vec(&body).unwrap_or_else(|_| br#"{"error":{"message":"internal error","type":"server_error","param":null,"code":"internal"}}"#.to_vec())
}

/// Anthropic's status and body: the messages-api crate's mapping for kinds, the gateway's
/// status where it chose one (413, an unknown model).
fn anthropic(failure: &Failure) -> (StatusCode, Vec<u8>) {
    let (status, body) = llm_router_messages_api::error_body(&failure.error);
    let status = failure
        .status
        .or_else(|| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, serde_json::to_vec(&body).unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let local = |k| status_for(&Error::new(k, "x"));
        let upstream = |k| status_for(&Error::new(k, "x").with_provider("p"));
        assert_eq!(local(ErrorKind::InvalidRequest), 400);
        assert_eq!(local(ErrorKind::Authentication), 401);
        assert_eq!(upstream(ErrorKind::Authentication), 502);
        assert_eq!(local(ErrorKind::PermissionDenied), 403);
        assert_eq!(local(ErrorKind::ModelNotFound), 404);
        assert_eq!(upstream(ErrorKind::ModelNotFound), 404);
        assert_eq!(upstream(ErrorKind::ContextLengthExceeded), 400);
        assert_eq!(upstream(ErrorKind::RateLimited), 429);
        assert_eq!(upstream(ErrorKind::QuotaExceeded), 429);
        assert_eq!(upstream(ErrorKind::Timeout), 504);
        assert_eq!(upstream(ErrorKind::ProviderUnavailable), 502);
        assert_eq!(upstream(ErrorKind::Connection), 502);
        assert_eq!(upstream(ErrorKind::Decode), 502);
        assert_eq!(local(ErrorKind::Config), 500);
    }

    #[test]
    fn openai_shape() {
        let err = Error::new(ErrorKind::ModelNotFound, "no such model");
        let v: serde_json::Value = serde_json::from_slice(&openai_body(&err, None)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": {"message": "no such model", "type": "invalid_request_error", "param": null, "code": "model_not_found"}})
        );
        let err = err.with_code("custom");
        let v: serde_json::Value =
            serde_json::from_slice(&openai_body(&err, Some("model"))).unwrap();
        assert_eq!(v["error"]["code"], "custom");
        assert_eq!(v["error"]["param"], "model");
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
        assert_eq!(retry_after_secs(Duration::from_secs(30)), 30);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
