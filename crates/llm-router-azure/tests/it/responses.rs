//! Content-filter annotations and errors, streams opening with empty `choices` (split at
//! every byte), retry hints, and secrets kept out of errors.

use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ErrorKind, FinishReason, Message, collect_stream,
};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

const CHAT: &str = "/openai/deployments/gpt-4o/chat/completions";

async fn answering(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CHAT))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("gpt-4o", vec![Message::user("Capital of France?")])
}

#[tokio::test]
async fn filter_results_survive_in_extra() {
    let server = answering(json_response(
        200,
        &fixtures().json("chat_content_filter_results.json"),
    ))
    .await;
    let r = client(&server.uri()).chat(req()).await.unwrap();
    assert_eq!(
        r.extra["prompt_filter_results"][0]["content_filter_results"]["violence"]["severity"],
        "safe"
    );
    assert_eq!(
        r.choices[0].extra["content_filter_results"]["protected_material_text"]["detected"],
        false
    );
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
}

#[tokio::test]
async fn filtered_completion_finishes_with_content_filter() {
    let server = answering(json_response(
        200,
        &fixtures().json("chat_filtered_completion.json"),
    ))
    .await;
    let r = client(&server.uri()).chat(req()).await.unwrap();
    assert_eq!(r.finish_reason(), Some(&FinishReason::ContentFilter));
    assert_eq!(r.text(), "The battle scene opens with");
    assert_eq!(
        r.choices[0].extra["content_filter_results"]["violence"]["filtered"],
        true
    );
}

#[tokio::test]
async fn filtered_prompt_is_content_filtered_naming_the_category() {
    let server = answering(json_response(
        400,
        &fixtures().json("error_content_filter.json"),
    ))
    .await;
    let e = client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered, "{e}");
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("content_filter"));
    assert_eq!(e.provider(), Some("azure"));
    assert!(e.message().contains("(filtered: violence)"), "{e}");
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn responsible_ai_inner_code_alone_is_content_filtered() {
    let body = json!({"error": {"message": "blocked", "code": "BadRequest",
        "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": {"hate": {"filtered": true, "severity": "high"}}}}});
    let server = answering(json_response(400, &body)).await;
    let e = client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered, "{e}");
    assert!(e.message().contains("hate"), "{e}");
}

#[tokio::test]
async fn rate_limit_reads_retry_after_ms() {
    let body = json!({"error": {"code": "429", "message": "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after 2 seconds."}});
    let server = answering(json_response(429, &body).insert_header("retry-after-ms", "1500")).await;
    let e = client(&server.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert_eq!(
        e.retry_after(),
        Some(std::time::Duration::from_millis(1500))
    );
}

#[tokio::test]
async fn key_never_appears_in_debug_or_errors() {
    let body = json!({"error": {"code": "401", "message": format!("Access denied due to invalid subscription key {KEY}.")}});
    let server = answering(json_response(401, &body)).await;
    let c = client(&server.uri());
    assert!(!format!("{c:?}").contains(KEY));
    let e = c.chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!format!("{e} {e:?}").contains(KEY), "{e:?}");
}

fn parser(bytes: llm_router_http::ByteStream) -> llm_router_core::ChatStream {
    chat_chunks(Arc::new(llm_router_azure::dialect()), bytes)
}

async fn same_everywhere(name: &str) -> ChatResponse {
    let body = fixtures().bytes(name);
    let whole = collect_stream(parser(chunked(&body, &[]))).await.unwrap();
    for (i, s) in every_split(&body) {
        assert_eq!(
            collect_stream(parser(s)).await.unwrap(),
            whole,
            "{name} split at byte {i}"
        );
    }
    assert_eq!(
        collect_stream(parser(byte_by_byte(&body))).await.unwrap(),
        whole,
        "{name} byte by byte"
    );
    whole
}

#[tokio::test]
async fn stream_opening_with_empty_choices_at_every_split() {
    let r = same_everywhere("stream_prompt_filter_first.sse").await;
    assert_eq!(r.text(), "Paris is the capital of France.");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.usage.unwrap().total_tokens, 22);
    assert_eq!(r.choices.len(), 1);
}

#[tokio::test]
async fn streamed_tool_call_at_every_split() {
    let r = same_everywhere("stream_tools.sse").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_Az9kQ1");
    assert_eq!(calls[0].function.arguments, r#"{"city": "Paris"}"#);
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
}

#[tokio::test]
async fn filtered_stream_ends_with_content_filter_at_every_split() {
    let r = same_everywhere("stream_filtered.sse").await;
    assert_eq!(r.text(), "The battle scene opens with");
    assert_eq!(r.finish_reason(), Some(&FinishReason::ContentFilter));
}
