//! Mistral's stream transcripts split at every byte offset parse the same; its finish reasons.

use std::sync::Arc;

use futures_util::StreamExt as _;
use llm_router_core::{ChatResponse, ErrorKind, FinishReason, collect_stream};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};

use crate::fixtures;

fn parser(bytes: llm_router_http::ByteStream) -> llm_router_core::ChatStream {
    chat_chunks(Arc::new(llm_router_mistral::dialect()), bytes)
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
async fn text_stream_with_usage_in_the_last_chunk_at_every_split() {
    let r = same_everywhere("stream.sse").await;
    assert_eq!(r.text(), "Bonjour ! Comment puis-je vous aider ? 🇫🇷");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    let u = r.usage.unwrap();
    assert_eq!((u.prompt_tokens, u.completion_tokens), (10, 12));
}

#[tokio::test]
async fn whole_tool_call_in_one_delta_at_every_split() {
    let r = same_everywhere("stream_tools.sse").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "D681PevKs");
    assert_eq!(calls[0].function.name, "retrieve_payment_status");
    assert_eq!(
        calls[0].function.arguments,
        r#"{"transaction_id": "T1001"}"#
    );
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
}

#[tokio::test]
async fn model_length_is_length_at_every_split() {
    let r = same_everywhere("stream_model_length.sse").await;
    assert_eq!(r.text(), "Il était une fois");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Length));
}

#[tokio::test]
async fn error_finish_ends_every_split_with_the_same_error() {
    let body = fixtures().bytes("stream_error.sse");
    for (i, s) in every_split(&body).chain(std::iter::once((0, byte_by_byte(&body)))) {
        let items: Vec<_> = parser(s).collect().await;
        let texts: String = items
            .iter()
            .filter_map(|c| c.as_ref().ok().and_then(|c| c.text()))
            .collect();
        assert_eq!(texts, "Première partie", "split {i}");
        let e = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable, "split {i}");
        assert_eq!(e.code(), Some("error"));
    }
}
