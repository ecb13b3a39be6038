//! Errors → Anthropic error bodies and statuses, validated against the spec.

use std::time::Duration;

use llm_router_core::{Error, ErrorKind};
use llm_router_messages_api::{error_body, parse_request};
use serde_json::json;

use llm_router_testkit::anthropic_spec::assert_valid;

#[test]
fn every_kind_has_a_documented_type_and_status() {
    let cases = [
        (ErrorKind::InvalidRequest, 400, "invalid_request_error"),
        (
            ErrorKind::ContextLengthExceeded,
            400,
            "invalid_request_error",
        ),
        (ErrorKind::ContentFiltered, 400, "invalid_request_error"),
        (ErrorKind::Unsupported, 400, "invalid_request_error"),
        (ErrorKind::Authentication, 401, "authentication_error"),
        (ErrorKind::QuotaExceeded, 402, "billing_error"),
        (ErrorKind::PermissionDenied, 403, "permission_error"),
        (ErrorKind::ModelNotFound, 404, "not_found_error"),
        (ErrorKind::RateLimited, 429, "rate_limit_error"),
        (ErrorKind::Timeout, 504, "timeout_error"),
        (ErrorKind::ProviderUnavailable, 529, "overloaded_error"),
        (ErrorKind::Connection, 500, "api_error"),
        (ErrorKind::StreamInterrupted, 500, "api_error"),
        (ErrorKind::Decode, 500, "api_error"),
        (ErrorKind::Config, 500, "api_error"),
        (ErrorKind::Cache, 500, "api_error"),
    ];
    for (kind, status, ty) in cases {
        let err = Error::new(kind, format!("{kind} happened"))
            .with_provider("p")
            .with_retry_after(Duration::from_secs(1));
        let (s, body) = error_body(&err);
        assert_eq!(
            (s, body["error"]["type"].as_str()),
            (status, Some(ty)),
            "{kind}"
        );
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["message"], format!("{kind} happened"));
        assert_valid("ErrorResponse", &body);
    }
}

#[test]
fn a_413_is_request_too_large() {
    let err = Error::new(ErrorKind::InvalidRequest, "body over 32 MB").with_status(413);
    let (status, body) = error_body(&err);
    assert_eq!(status, 413);
    assert_eq!(
        body,
        json!({"type": "error", "error": {"type": "request_too_large", "message": "body over 32 MB"}})
    );
    assert_valid("ErrorResponse", &body);
}

#[test]
fn parse_errors_render_as_invalid_request_errors() {
    let err = parse_request(br#"{"model": "m", "messages": []}"#).unwrap_err();
    let (status, body) = error_body(&err);
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: field required"}})
    );
}
