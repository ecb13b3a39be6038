//! Zhipu's stream transcripts split at every byte offset parse the same; its finish reasons.

use std::sync::Arc;

use futures_util::StreamExt as _;
use llm_router_core::{ChatResponse, ErrorKind, FinishReason, collect_stream};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};

use crate::fixtures;

fn parser(bytes: llm_router_http::ByteStream) -> llm_router_core::ChatStream {
    chat_chunks(Arc::new(llm_router_zhipu::dialect()), bytes)
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
async fn reasoning_stream_at_every_split() {
    let r = same_everywhere("stream.sse").await;
    assert_eq!(
        r.message().unwrap().reasoning_content.as_deref(),
        Some("用户在打招呼，友好回应。")
    );
    assert_eq!(r.text(), "你好！很高兴为你服务。");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.usage.unwrap().total_tokens, 21);
}

#[tokio::test]
async fn whole_tool_call_in_one_delta_at_every_split() {
    let r = same_everywhere("stream_tools.sse").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_-8974985346427009614");
    assert_eq!(calls[0].function.arguments, r#"{"city": "北京"}"#);
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(r.usage.unwrap().cache_read_tokens(), 128);
}

#[tokio::test]
async fn sensitive_finish_is_content_filter_at_every_split() {
    let r = same_everywhere("stream_sensitive.sse").await;
    assert_eq!(r.text(), "关于这个话题，");
    assert_eq!(r.finish_reason(), Some(&FinishReason::ContentFilter));
    // The chunk itself keeps Zhipu's raw value.
    let chunks: Vec<_> = parser(chunked(&fixtures().bytes("stream_sensitive.sse"), &[]))
        .collect()
        .await;
    let last = chunks[1].as_ref().unwrap();
    assert_eq!(last.choices[0].extra["native_finish_reason"], "sensitive");
}

#[tokio::test]
async fn network_error_ends_every_split_with_the_same_error() {
    let body = fixtures().bytes("stream_network_error.sse");
    for (i, s) in every_split(&body).chain(std::iter::once((0, byte_by_byte(&body)))) {
        let items: Vec<_> = parser(s).collect().await;
        assert_eq!(items.len(), 2, "split {i}");
        assert_eq!(items[0].as_ref().unwrap().text(), Some("第一部分"));
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable, "split {i}");
        assert_eq!(e.code(), Some("network_error"));
    }
}
