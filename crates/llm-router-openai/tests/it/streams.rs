//! Stream transcripts split at every byte offset parse to the same response.

use std::sync::Arc;

use llm_router_core::{ChatResponse, FinishReason, collect_stream};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};

use crate::fixtures;

async fn parse(bytes: llm_router_http::ByteStream) -> ChatResponse {
    collect_stream(chat_chunks(Arc::new(llm_router_openai::dialect()), bytes))
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
async fn tool_call_stream_reassembles_at_every_split() {
    let r = same_everywhere("stream_tools.sse").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].id, "call_DdmO9pD3xa9XTPNJ32zg2hcA");
    assert_eq!(calls[0].function.name, "get_weather");
    assert_eq!(calls[0].function.arguments, r#"{"city":"Paris"}"#);
    assert_eq!(calls[1].function.arguments, r#"{"tz":"Europe/Paris"}"#);
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(r.usage.unwrap().total_tokens, 99);
}

#[tokio::test]
async fn crlf_comments_and_unspaced_data_at_every_split() {
    let r = same_everywhere("stream_crlf.sse").await;
    assert_eq!(r.text(), "Hello there, how may I assist you today? 👋");
    assert_eq!(r.usage.unwrap().prompt_tokens, 9);
    assert_eq!(r.extra["obfuscation"], "k3j");
}
