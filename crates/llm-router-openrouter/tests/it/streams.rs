//! OpenRouter's streams: processing comments, reasoning deltas and the error chunk inside a
//! 200 stream; transcripts split at every byte offset parse the same.

use std::sync::Arc;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, Error, ErrorKind, FinishReason, Message,
    ReasoningKind, collect_stream,
};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::sse_response;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{client, fixtures};

async fn parse(bytes: llm_router_http::ByteStream) -> Vec<Result<ChatChunk, Error>> {
    chat_chunks(Arc::new(llm_router_openrouter::dialect()), bytes)
        .collect()
        .await
}

async fn collect(bytes: llm_router_http::ByteStream) -> ChatResponse {
    collect_stream(chat_chunks(
        Arc::new(llm_router_openrouter::dialect()),
        bytes,
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn reasoning_stream_with_processing_comments_at_every_split() {
    let body = fixtures().bytes("stream_reasoning.sse");
    let whole = collect(chunked(&body, &[])).await;
    for (i, s) in every_split(&body) {
        assert_eq!(collect(s).await, whole, "split at byte {i}");
    }
    assert_eq!(collect(byte_by_byte(&body)).await, whole, "byte by byte");

    let m = whole.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("Comparing 9.9 and 9.11: 0.90 > 0.11 — größer.")
    );
    assert_eq!(m.reasoning_details.len(), 1);
    let block = &m.reasoning_details[0];
    assert_eq!(block.kind, ReasoningKind::Text);
    assert_eq!(
        block.text.as_deref(),
        Some("Comparing 9.9 and 9.11: 0.90 > 0.11 — größer.")
    );
    assert_eq!(block.signature.as_deref(), Some("ErUBCkYIBRgCIkDx"));
    assert_eq!(whole.text(), "9.9 is bigger.");
    assert_eq!(whole.finish_reason(), Some(&FinishReason::Stop));
    let u = whole.usage.unwrap();
    assert_eq!((u.total_tokens, u.reasoning_tokens()), (76, 41));
    assert_eq!(u.extra["cost"], 0.000912);
}

/// The documented mid-stream error chunk ends the stream with the provider's message, at
/// every split, after the content that came before it.
#[tokio::test]
async fn error_chunk_inside_a_200_stream_at_every_split() {
    let body = fixtures().bytes("stream_mid_error.sse");
    for (i, s) in every_split(&body).chain(std::iter::once((0, byte_by_byte(&body)))) {
        let items = parse(s).await;
        assert_eq!(items.len(), 2, "split {i}: {items:?}");
        assert_eq!(items[0].as_ref().unwrap().text(), Some("Half an ans"));
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable, "split {i}");
        assert_eq!(e.message(), "Provider disconnected unexpectedly");
        assert_eq!(e.code(), Some("server_error"));
    }
}

#[tokio::test]
async fn error_chunk_after_content_interrupts_the_client_stream() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(sse_response(&fixtures().text("stream_mid_error.sse")))
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new(
            "openai/gpt-3.5-turbo",
            vec![Message::user("x")],
        ))
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items[0].as_ref().unwrap().text(), Some("Half an ans"));
    let e = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert!(e.message().contains("Provider disconnected unexpectedly"));
    assert_eq!(e.provider(), Some("openrouter"));
}

/// A 200 stream whose only event is a rate-limit error chunk is the `Err` of `chat_stream`,
/// so retry and fallback layers see a 429-like error.
#[tokio::test]
async fn error_chunk_before_content_is_the_stream_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(sse_response(
            ": OPENROUTER PROCESSING\n\ndata: {\"error\":{\"code\":429,\"message\":\"Rate limit exceeded: free-models-per-min\"},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n",
        ))
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .chat_stream(ChatRequest::new(
            "meta-llama/llama-3.3-70b-instruct:free",
            vec![Message::user("x")],
        ))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.is_retryable());
}
