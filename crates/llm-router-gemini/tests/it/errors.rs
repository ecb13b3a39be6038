//! Error mapping (gRPC status, RetryInfo, API_KEY_INVALID, per-day quota) and key secrecy.

use std::time::Duration;

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::json_response;
use serde_json::json;

use crate::{KEY, answer, client, fixtures, ok};

const PATH: &str = "/v1beta/models/gemini-2.5-flash:generateContent";

fn req() -> ChatRequest {
    ChatRequest::new("gemini-2.5-flash", vec![Message::user("hi")])
}

#[tokio::test]
async fn retry_info_gives_retry_after_when_there_is_no_header() {
    let body = fixtures().json("error_429_retry_info.json");
    let s = answer(PATH, json_response(429, &body)).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    // Per-minute quota text mentions billing, but it is a rate limit: retryable.
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(37)));
    assert_eq!(e.code(), Some("RESOURCE_EXHAUSTED"));
    assert_eq!(e.status(), Some(429));
    // A Retry-After header wins over the body.
    let s = answer(
        PATH,
        json_response(429, &body).insert_header("retry-after", "3"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn depleted_credits_are_quota_exceeded() {
    let body = json!({"error": {"code": 429, "message": "Your prepayment credits are depleted. Please go to AI Studio to manage your project and billing.", "status": "RESOURCE_EXHAUSTED"}});
    let s = answer(PATH, json_response(429, &body)).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn an_invalid_key_is_authentication_though_gemini_says_400() {
    let s = answer(
        PATH,
        json_response(400, &fixtures().json("error_400_api_key_invalid.json")),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.code(), Some("API_KEY_INVALID"));
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn statuses_map_to_kinds() {
    let cases = [
        (
            400,
            "INVALID_ARGUMENT",
            "Invalid JSON payload received. Unknown name \"max_tokens\"",
            ErrorKind::InvalidRequest,
        ),
        (
            400,
            "FAILED_PRECONDITION",
            "User location is not supported for the API use.",
            ErrorKind::InvalidRequest,
        ),
        (
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers.",
            ErrorKind::PermissionDenied,
        ),
        (
            404,
            "NOT_FOUND",
            "models/gemini-0 is not found for API version v1beta",
            ErrorKind::ModelNotFound,
        ),
        (
            500,
            "INTERNAL",
            "An internal error has occurred.",
            ErrorKind::ProviderUnavailable,
        ),
        (
            503,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
            ErrorKind::ProviderUnavailable,
        ),
        (
            504,
            "DEADLINE_EXCEEDED",
            "Deadline expired before operation could complete.",
            ErrorKind::Timeout,
        ),
    ];
    // Servers stay alive for the whole loop: a dropped wiremock server returns to its pool and
    // may be handed out again while the shared client still holds a connection to it.
    let mut servers = Vec::new();
    for (status, name, message, kind) in cases {
        let body = json!({"error": {"code": status, "message": message, "status": name}});
        let s = answer(PATH, json_response(status, &body)).await;
        let e = client(&s.uri()).chat(req()).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{name}: {e}");
        assert_eq!(e.message(), message);
        assert_eq!(e.provider(), Some("gemini"));
        servers.push(s);
    }
}

#[tokio::test]
async fn an_error_inside_a_200_body_is_an_error() {
    let body = json!([{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}]);
    let s = answer(PATH, ok(&body)).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    let body = json!({"error": {"code": 400, "message": format!("API key not valid: {KEY}"), "status": "INVALID_ARGUMENT",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]}});
    let s = answer(PATH, json_response(400, &body)).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
    // Streams and 200-body errors are redacted too.
    let s = answer(
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
        json_response(400, &body),
    )
    .await;
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert!(!e.to_string().contains(KEY), "{e}");
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_naming_both_variables() {
    let e = llm_router_gemini::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("GEMINI_API_KEY"), "{e}");
    assert!(e.message().contains("GOOGLE_API_KEY"), "{e}");
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let e = client("http://127.0.0.1:9").chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
}
