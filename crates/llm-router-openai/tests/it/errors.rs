//! Error mapping details and secrecy of the key.

use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::{json_response, sse_response, sse_transcript};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client};

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("gpt-4o-mini", vec![Message::user("hi")])
}

#[tokio::test]
async fn insufficient_quota_is_not_retryable() {
    let s = server(json_response(429, &json!({"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
    assert!(!e.is_retryable());
    assert!(e.is_fallback_eligible());
    assert_eq!(e.code(), Some("insufficient_quota"));
}

#[tokio::test]
async fn retry_after_ms_wins_over_retry_after() {
    let s = server(
        json_response(429, &json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}))
            .insert_header("retry-after-ms", "1500")
            .insert_header("retry-after", "2"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
}

#[tokio::test]
async fn context_length_is_its_own_kind() {
    let s = server(json_response(400, &json!({"error": {"message": "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContextLengthExceeded);
}

#[tokio::test]
async fn an_error_chunk_after_content_interrupts_the_stream() {
    let events = vec![
        json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": null}]}),
        json!({"error": {"message": "The server had an error while processing your request.", "type": "server_error", "param": null, "code": null}}),
    ];
    let s = server(sse_response(&sse_transcript(&events, false))).await;
    let stream = client(&s.uri()).chat_stream(req()).await.unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().text(), Some("Hel"));
    let e = items[1].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert!(e.message().contains("server had an error"));
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
    // Port 9 (discard) on loopback: nothing listens there.
    let e = client("http://127.0.0.1:9").chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    // A provider that echoes the whole key back in its error message.
    let s = server(json_response(401, &json!({"error": {"message": format!("Incorrect API key provided: {KEY}."), "type": "invalid_request_error", "code": "invalid_api_key"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
    assert!(e.message().contains("Incorrect API key provided"));
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_naming_the_variable() {
    let e = llm_router_openai::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("OPENAI_API_KEY"), "{e}");
}
