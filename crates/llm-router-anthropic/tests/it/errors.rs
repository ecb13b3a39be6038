//! Error mapping through the client (529, rate limits with their headers, errors in a 200
//! body, transport failures) and secrecy of the key.

use std::time::Duration;

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::json_response;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

use crate::{KEY, client, messages_post};

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    messages_post().respond_with(resp).mount(&server).await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("claude-sonnet-4-5", vec![Message::user("hi")])
}

fn error(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"})
}

#[tokio::test]
async fn status_529_overloaded_is_provider_unavailable_and_retryable() {
    let s = server(json_response(529, &error("overloaded_error", "Overloaded"))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert!(e.is_retryable());
    assert_eq!(e.status(), Some(529));
    assert_eq!(e.code(), Some("overloaded_error"));
    assert_eq!(e.message(), "Overloaded");
    // The same before a stream starts.
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
}

#[tokio::test]
async fn rate_limits_carry_retry_after_and_the_ratelimit_headers() {
    let s = server(
        json_response(429, &error("rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute."))
            .insert_header("retry-after", "17")
            .insert_header("request-id", "req_011CSLsW7mFqvHHnzrKdKjAE")
            .insert_header("anthropic-ratelimit-requests-limit", "50")
            .insert_header("anthropic-ratelimit-requests-remaining", "0")
            .insert_header("anthropic-ratelimit-requests-reset", "2025-08-21T12:41:00Z")
            .insert_header("anthropic-ratelimit-input-tokens-remaining", "30000"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(17)));
    assert_eq!(
        e.message(),
        "This request would exceed the rate limit for your organization of 50 requests per minute. \
         (request-id req_011CSLsW7mFqvHHnzrKdKjAE, anthropic-ratelimit-input-tokens-remaining=30000, \
         anthropic-ratelimit-requests-limit=50, anthropic-ratelimit-requests-remaining=0, \
         anthropic-ratelimit-requests-reset=2025-08-21T12:41:00Z)"
    );
}

/// The server's clock in the responses below (the derived wait is measured from it).
const DATE: &str = "Thu, 21 Aug 2025 12:40:00 GMT";

#[tokio::test]
async fn without_retry_after_the_wait_comes_from_the_exhausted_limits_reset() {
    // Requests and input tokens are exhausted: the later of their resets (12:40:35) counts;
    // output tokens have room, so their later reset does not.
    let s = server(
        json_response(
            429,
            &error(
                "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit",
            ),
        )
        .insert_header("date", DATE)
        .insert_header("anthropic-ratelimit-requests-remaining", "0")
        .insert_header("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:12Z")
        .insert_header("anthropic-ratelimit-input-tokens-remaining", "0")
        .insert_header(
            "anthropic-ratelimit-input-tokens-reset",
            "2025-08-21T12:40:35Z",
        )
        .insert_header("anthropic-ratelimit-output-tokens-remaining", "8000")
        .insert_header(
            "anthropic-ratelimit-output-tokens-reset",
            "2025-08-21T12:41:00Z",
        ),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(35)));
    // The same before a stream starts.
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(35)));
}

#[tokio::test]
async fn a_retry_after_header_wins_over_the_reset_headers() {
    let s = server(
        json_response(429, &error("rate_limit_error", "slow down"))
            .insert_header("date", DATE)
            .insert_header("retry-after", "3")
            .insert_header("anthropic-ratelimit-tokens-remaining", "0")
            .insert_header("anthropic-ratelimit-tokens-reset", "2025-08-21T12:40:50Z"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn overload_gets_a_reset_wait_only_from_an_exhausted_limit() {
    // 529 with every limit reporting room: the headers say nothing about the overload.
    let s = server(
        json_response(529, &error("overloaded_error", "Overloaded"))
            .insert_header("date", DATE)
            .insert_header("anthropic-ratelimit-requests-remaining", "49")
            .insert_header("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:01Z"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert_eq!(e.retry_after(), None);
    // 529 with an exhausted limit, remaining unknown for the other: the exhausted one counts.
    let s = server(
        json_response(529, &error("overloaded_error", "Overloaded"))
            .insert_header("date", DATE)
            .insert_header("anthropic-ratelimit-tokens-remaining", "0")
            .insert_header("anthropic-ratelimit-tokens-reset", "2025-08-21T12:40:09Z")
            .insert_header("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:30Z"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(9)));
    // Other statuses never derive a wait from these headers.
    let s = server(
        json_response(500, &error("api_error", "Internal server error"))
            .insert_header("date", DATE)
            .insert_header("anthropic-ratelimit-tokens-remaining", "0")
            .insert_header("anthropic-ratelimit-tokens-reset", "2025-08-21T12:40:09Z"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.retry_after(), None);
}

#[tokio::test]
async fn a_reset_far_away_is_clamped_to_an_hour() {
    let s = server(
        json_response(429, &error("rate_limit_error", "slow down"))
            .insert_header("date", DATE)
            .insert_header("anthropic-ratelimit-output-tokens-remaining", "0")
            .insert_header(
                "anthropic-ratelimit-output-tokens-reset",
                "2025-08-22T12:40:00Z",
            ),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(llm_router_http::MAX_RETRY_AFTER));
}

#[tokio::test]
async fn documented_error_types_map_to_kinds() {
    for (status, kind, message, expected) in [
        (
            400,
            "invalid_request_error",
            "messages: roles must alternate between \"user\" and \"assistant\"",
            ErrorKind::InvalidRequest,
        ),
        (
            400,
            "invalid_request_error",
            "prompt is too long: 215093 tokens > 200000 maximum",
            ErrorKind::ContextLengthExceeded,
        ),
        (
            402,
            "billing_error",
            "Your account has a billing issue.",
            ErrorKind::QuotaExceeded,
        ),
        (
            403,
            "permission_error",
            "Your API key does not have permission to use the specified resource.",
            ErrorKind::PermissionDenied,
        ),
        (
            404,
            "not_found_error",
            "model: claude-nonexistent",
            ErrorKind::ModelNotFound,
        ),
        (
            413,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
            ErrorKind::InvalidRequest,
        ),
        (
            500,
            "api_error",
            "Internal server error",
            ErrorKind::ProviderUnavailable,
        ),
        (
            504,
            "timeout_error",
            "Request timed out while processing",
            ErrorKind::Timeout,
        ),
    ] {
        let s = server(json_response(status, &error(kind, message))).await;
        let e = client(&s.uri()).chat(req()).await.unwrap_err();
        assert_eq!(e.kind(), expected, "{status} {kind}");
        assert_eq!(e.code(), Some(kind));
    }
}

#[tokio::test]
async fn an_error_object_in_a_200_body_is_an_error() {
    let s = server(json_response(200, &error("overloaded_error", "Overloaded"))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
}

#[tokio::test]
async fn html_from_a_proxy_is_a_decode_error_naming_the_body() {
    let s = server(ResponseTemplate::new(200).set_body_raw(
        b"<html><body>Bad gateway</body></html>".to_vec(),
        "text/html",
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("Bad gateway"), "{e}");
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let e = client("http://127.0.0.1:9").chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn invalid_requests_fail_before_sending() {
    let s = server(json_response(200, &json!({}))).await;
    let bad = ChatRequest::new(
        "m",
        vec![
            Message::user("x"),
            Message::assistant_tool_calls(vec![llm_router_core::ToolCall::function(
                "toolu_1", "f", "{oops",
            )]),
        ],
    );
    let e = client(&s.uri()).chat(bad).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(s.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    // A proxy that echoes the key back in its error message.
    let s = server(json_response(
        401,
        &error("authentication_error", &format!("invalid x-api-key: {KEY}")),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
    assert!(e.message().contains("invalid x-api-key"));
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_naming_the_variable() {
    let e = llm_router_anthropic::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("ANTHROPIC_API_KEY"), "{e}");
    let e = llm_router_anthropic::builder()
        .api_key("k")
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
}
