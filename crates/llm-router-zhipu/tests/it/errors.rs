//! Zhipu's business codes over HTTP statuses, and errors inside 200 streams.

use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::{json_response, sse_response};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::client;

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/paas/v4/chat/completions"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("glm-4.5", vec![Message::user("你好")])
}

#[tokio::test]
async fn arrears_1113_is_quota_not_a_rate_limit() {
    let s = server(json_response(
        429,
        &json!({"error": {"code": "1113", "message": "您的账户已欠费，请充值后重试。"}}),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
    assert!(!e.is_retryable());
    assert!(e.is_fallback_eligible());
    assert_eq!((e.status(), e.code()), (Some(429), Some("1113")));
}

#[tokio::test]
async fn concurrency_1302_is_a_rate_limit_with_retry_after() {
    let s = server(
        json_response(429, &json!({"error": {"code": "1302", "message": "您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。"}}))
            .insert_header("retry-after", "3"),
    )
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn sensitive_input_1301_is_content_filtered() {
    let s = server(json_response(400, &json!({"error": {"code": "1301", "message": "系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered);
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn model_not_found_1211_and_prompt_too_long_1261() {
    let s = server(json_response(
        400,
        &json!({"error": {"code": "1211", "message": "模型不存在，请检查模型代码。"}}),
    ))
    .await;
    assert_eq!(
        client(&s.uri()).chat(req()).await.unwrap_err().kind(),
        ErrorKind::ModelNotFound
    );
    let s = server(json_response(
        400,
        &json!({"error": {"code": "1261", "message": "Prompt 超长"}}),
    ))
    .await;
    assert_eq!(
        client(&s.uri()).chat(req()).await.unwrap_err().kind(),
        ErrorKind::ContextLengthExceeded
    );
}

/// A business error in a 200 stream after content ends the stream as interrupted, keeping
/// the code; before content it is the `Err` of `chat_stream` with its own kind.
#[tokio::test]
async fn business_errors_inside_streams() {
    let body = "data: {\"id\":\"1\",\"created\":1,\"model\":\"glm-4.5\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"关于\"}}]}\n\n\
                data: {\"error\":{\"code\":\"1301\",\"message\":\"系统检测到输入或生成内容可能包含不安全或敏感内容\"}}\n\n";
    let s = server(sse_response(body)).await;
    let stream = client(&s.uri()).chat_stream(req()).await.unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items[0].as_ref().unwrap().text(), Some("关于"));
    let e = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(e.code(), Some("1301"));

    let s = server(sse_response(
        "data: {\"error\":{\"code\":\"1113\",\"message\":\"您的账户已欠费，请充值后重试。\"}}\n\n",
    ))
    .await;
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
}

#[tokio::test]
async fn network_error_finish_is_an_error() {
    // In a whole response: a retryable error, not a quiet finish.
    let s = server(json_response(200, &json!({"id": "1", "created": 1, "model": "glm-4.5",
        "choices": [{"index": 0, "finish_reason": "network_error", "message": {"role": "assistant", "content": ""}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 0, "total_tokens": 5}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert!(e.is_retryable());

    // After streamed content: the stream ends interrupted.
    let s = server(sse_response(
        &crate::fixtures().text("stream_network_error.sse"),
    ))
    .await;
    let stream = client(&s.uri()).chat_stream(req()).await.unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items[0].as_ref().unwrap().text(), Some("第一部分"));
    let e = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(e.code(), Some("network_error"));
}
