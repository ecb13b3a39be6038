//! Bedrock's errors → [`ErrorKind`].
//!
//! HTTP errors follow the restJson1 protocol: the type in the `x-amzn-ErrorType` header
//! (possibly followed by `:<namespace>`), else `code` or `__type` in the body, and the text in
//! `{"message"}` (or `Message`). Inside a ConverseStream answered with HTTP 200, an exception
//! is a frame with `:message-type: exception` and `:exception-type` (the member name, e.g.
//! `throttlingException`) whose payload is `{"message"}`. Both go through [`kind_for_type`].

use llm_router_core::{Error, ErrorKind};
use llm_router_http::reqwest::header::HeaderMap;
use llm_router_http::{ErrorBody, error_from_body, kind_for};
use serde_json::Value;

use crate::NAME;

/// The kind for a Bedrock error type (any case, namespace suffix ignored); `None` for a type
/// this table does not know.
pub(crate) fn kind_for_type(error_type: &str, message: &str) -> Option<ErrorKind> {
    let t = error_type
        .split([':', ','])
        .next()
        .unwrap_or_default()
        .trim();
    let t = t.rsplit('#').next().unwrap_or(t).to_ascii_lowercase();
    let t = t.strip_suffix("exception").unwrap_or(&t);
    Some(match t {
        "throttling" => ErrorKind::RateLimited,
        // 429 too, but the model is still loading: retry soon, it is not a request quota.
        "modelnotready" | "internalserver" | "serviceunavailable" | "modelerror"
        | "modelstreamerror" => ErrorKind::ProviderUnavailable,
        "servicequotaexceeded" => ErrorKind::QuotaExceeded,
        "validation" => {
            if too_long(message) {
                ErrorKind::ContextLengthExceeded
            } else {
                ErrorKind::InvalidRequest
            }
        }
        "accessdenied" => ErrorKind::PermissionDenied,
        "unrecognizedclient"
        | "invalidsignature"
        | "incompletesignature"
        | "expiredtoken"
        | "missingauthenticationtoken"
        | "invalidclienttokenid" => ErrorKind::Authentication,
        "resourcenotfound" => ErrorKind::ModelNotFound,
        "modeltimeout" => ErrorKind::Timeout,
        _ => return None,
    })
}

fn too_long(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "too long",
        "too many input tokens",
        "context window",
        "context length",
        "input length",
    ]
    .iter()
    .any(|n| m.contains(n))
}

fn body_type(v: &Value) -> Option<String> {
    ["code", "__type", "Code"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
}

/// The error for a non-2xx HTTP response.
pub(crate) fn http_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut parsed = ErrorBody::parse(body);
    if parsed.message.is_none()
        && let Some(m) = json.get("Message").and_then(Value::as_str)
    {
        parsed.message = Some(m.to_owned());
    }
    let error_type = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(|t| t.split([':', ',']).next().unwrap_or_default().to_owned())
        .filter(|t| !t.is_empty())
        .or_else(|| body_type(&json));
    let message = parsed.message.clone().unwrap_or_default();
    let kind = error_type
        .as_deref()
        .and_then(|t| kind_for_type(t, &message))
        .unwrap_or_else(|| match status {
            400 if too_long(&message) => ErrorKind::ContextLengthExceeded,
            424 => ErrorKind::ProviderUnavailable,
            _ => kind_for(status, &parsed),
        });
    if let Some(t) = error_type {
        // The type names the error better than a generic body code.
        parsed.code = Some(t.rsplit('#').next().unwrap_or(&t).to_owned());
    }
    error_from_body(NAME, kind, &parsed, status, headers)
}

/// The error for an exception frame inside a stream (`:exception-type` and its `{"message"}`
/// payload) or an `error` frame (`:error-code`, `:error-message`).
pub(crate) fn stream_exception(error_type: &str, payload: &[u8]) -> Error {
    let parsed = ErrorBody::parse(payload);
    let message = parsed
        .message
        .unwrap_or_else(|| format!("the stream reported {error_type}"));
    let kind = kind_for_type(error_type, &message).unwrap_or(ErrorKind::ProviderUnavailable);
    Error::new(kind, message)
        .with_provider(NAME)
        .with_code(error_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_http::reqwest::header::HeaderValue;
    use serde_json::json;

    fn k(status: u16, error_type: &str, msg: &str) -> Error {
        let mut h = HeaderMap::new();
        h.insert(
            "x-amzn-errortype",
            HeaderValue::from_str(error_type).unwrap_or(HeaderValue::from_static("x")),
        );
        http_error(status, &h, json!({"message": msg}).to_string().as_bytes())
    }

    #[test]
    fn documented_error_types() {
        let cases = [
            (400, "ValidationException", ErrorKind::InvalidRequest),
            (
                400,
                "ServiceQuotaExceededException",
                ErrorKind::QuotaExceeded,
            ),
            (403, "AccessDeniedException", ErrorKind::PermissionDenied),
            (
                403,
                "UnrecognizedClientException",
                ErrorKind::Authentication,
            ),
            (404, "ResourceNotFoundException", ErrorKind::ModelNotFound),
            (408, "ModelTimeoutException", ErrorKind::Timeout),
            (424, "ModelErrorException", ErrorKind::ProviderUnavailable),
            (429, "ThrottlingException", ErrorKind::RateLimited),
            (
                429,
                "ModelNotReadyException",
                ErrorKind::ProviderUnavailable,
            ),
            (
                500,
                "InternalServerException",
                ErrorKind::ProviderUnavailable,
            ),
            (
                503,
                "ServiceUnavailableException",
                ErrorKind::ProviderUnavailable,
            ),
        ];
        for (status, t, kind) in cases {
            let e = k(
                status,
                &format!("{t}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
                "m",
            );
            assert_eq!(e.kind(), kind, "{t}");
            assert_eq!(e.code(), Some(t));
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.message(), "m");
        }
        assert!(k(429, "ModelNotReadyException", "loading").is_retryable());
        assert_eq!(
            k(
                400,
                "ValidationException",
                "Input is too long for requested model."
            )
            .kind(),
            ErrorKind::ContextLengthExceeded
        );
    }

    #[test]
    fn type_in_the_body_and_status_fallback() {
        let e = http_error(
            400,
            &HeaderMap::new(),
            br#"{"__type":"com.amazon.bedrock#ServiceQuotaExceededException","message":"quota"}"#,
        );
        assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
        assert_eq!(e.code(), Some("ServiceQuotaExceededException"));
        let e = http_error(401, &HeaderMap::new(), br#"{"Message":"bad key"}"#);
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.message(), "bad key");
    }

    #[test]
    fn stream_exceptions() {
        let e = stream_exception("throttlingException", br#"{"message":"slow down"}"#);
        assert_eq!(
            (e.kind(), e.message()),
            (ErrorKind::RateLimited, "slow down")
        );
        let e = stream_exception("validationException", br#"{"message":"bad"}"#);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        let e = stream_exception("modelStreamErrorException", b"{}");
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        let e = stream_exception("somethingNew", b"{}");
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }
}
