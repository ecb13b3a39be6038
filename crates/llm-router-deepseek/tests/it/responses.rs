//! DeepSeek's responses and streams: reasoning, cache usage, keep-alives, its extra finish
//! reason; every stream transcript split at every byte offset parses the same.

use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, FinishReason, Message, collect_stream,
};
use llm_router_deepseek::{FINISH_INSUFFICIENT_SYSTEM_RESOURCE, is_cut_by_provider};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::{json_response, sse_response};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, fixtures};

async fn parse(bytes: llm_router_http::ByteStream) -> ChatResponse {
    collect_stream(chat_chunks(Arc::new(llm_router_deepseek::dialect()), bytes))
        .await
        .unwrap()
}

async fn same_everywhere(name: &str) -> ChatResponse {
    let body = fixtures().bytes(name);
    let whole = parse(chunked(&body, &[])).await;
    for (i, s) in every_split(&body) {
        assert_eq!(parse(s).await, whole, "{name} split at byte {i}");
    }
    assert_eq!(
        parse(byte_by_byte(&body)).await,
        whole,
        "{name} byte by byte"
    );
    whole
}

#[tokio::test]
async fn reasoning_stream_with_keep_alives_at_every_split() {
    let r = same_everywhere("stream_reasoning.sse").await;
    let m = r.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("Compare the tenths: 1 < 8, so 9.11 < 9.8 — 较小。")
    );
    assert_eq!(r.text(), "9.11 is smaller than 9.8.");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    let u = r.usage.unwrap();
    assert_eq!((u.prompt_tokens, u.completion_tokens), (17, 41));
    assert_eq!(u.reasoning_tokens(), 30);
    assert_eq!(u.extra["prompt_cache_miss_tokens"], 17);
}

#[tokio::test]
async fn streamed_tool_call_reassembles_at_every_split() {
    let r = same_everywhere("stream_tools.sse").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_0_8b1d7c4e-3f2a-4d59-9e1b-7a6c5d4e3f21");
    assert_eq!(calls[0].function.arguments, r#"{"location": "杭州"}"#);
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(r.usage.unwrap().cache_read_tokens(), 128);
}

/// `insufficient_system_resource` followed by `[DONE]` is a clean end: the partial answer is
/// returned, the reason kept verbatim.
#[tokio::test]
async fn insufficient_system_resource_ends_a_stream_cleanly() {
    let r = same_everywhere("stream_insufficient_resource.sse").await;
    assert_eq!(r.text(), "The first part of a long ans");
    let reason = r.finish_reason().unwrap();
    assert_eq!(
        reason,
        &FinishReason::Other(FINISH_INSUFFICIENT_SYSTEM_RESOURCE.into())
    );
    assert!(is_cut_by_provider(reason));
    assert_eq!(r.usage.unwrap().total_tokens, 19);

    // Through the client too.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(sse_response(
            &fixtures().text("stream_insufficient_resource.sse"),
        ))
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new("deepseek-chat", vec![Message::user("x")]))
        .await
        .unwrap();
    let r = collect_stream(stream).await.unwrap();
    assert!(is_cut_by_provider(r.finish_reason().unwrap()));
}

#[tokio::test]
async fn reasoning_and_cache_hits_in_a_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(json_response(200, &fixtures().json("chat_tool_call.json")))
        .mount(&server)
        .await;
    let r = client(&server.uri())
        .chat(ChatRequest::new(
            "deepseek-reasoner",
            vec![Message::user("x")],
        ))
        .await
        .unwrap();
    let m = r.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("The user wants the weather in Hangzhou; call get_weather.")
    );
    let u = r.usage.unwrap();
    assert_eq!(u.cache_read_tokens(), 192);
    assert_eq!(u.extra["prompt_cache_hit_tokens"], 192);
}

/// Queued non-streaming requests get blank lines before the JSON body (DeepSeek's rate-limit
/// page); they must not break decoding.
#[tokio::test]
async fn blank_keep_alive_lines_before_a_json_body_are_ignored() {
    let mut body = b"\n\n\n".to_vec();
    body.extend(fixtures().bytes("chat_reasoning.json"));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let r = client(&server.uri())
        .chat(ChatRequest::new(
            "deepseek-reasoner",
            vec![Message::user("x")],
        ))
        .await
        .unwrap();
    assert_eq!(r.text(), "9.11 is smaller than 9.8.");
}
