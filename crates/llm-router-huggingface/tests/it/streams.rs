//! The router's stream transcripts split at every byte offset parse the same.

use std::sync::Arc;

use llm_router_core::{ChatResponse, FinishReason, collect_stream};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};

use crate::fixtures;

fn parser(bytes: llm_router_http::ByteStream) -> llm_router_core::ChatStream {
    chat_chunks(Arc::new(llm_router_huggingface::dialect()), bytes)
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
async fn text_stream_at_every_split() {
    let r = same_everywhere("stream.sse").await;
    assert_eq!(r.text(), "Hello! How can I help? 🤗");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.usage.unwrap().total_tokens, 21);
}

#[tokio::test]
async fn tool_call_fragments_at_every_split() {
    let r = same_everywhere("stream_tools.sse").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_4f1b8e2c9a");
    assert_eq!(calls[0].function.arguments, r#"{"location": "Paris"}"#);
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
}
