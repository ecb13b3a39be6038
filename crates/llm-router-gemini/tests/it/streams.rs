//! Stream transcripts split at every byte offset parse to the same response, and the end of a
//! stream is judged by finishReason (Gemini sends no terminator).

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, ChatResponse, ErrorKind, Message, collect_stream,
};
use llm_router_gemini::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split, then_disconnect};
use llm_router_testkit::wire::sse_response;
use serde_json::json;

use crate::conformance::sse;
use crate::{answer, client, fixtures};

async fn parse(bytes: llm_router_http::ByteStream) -> ChatResponse {
    collect_stream(chat_chunks(bytes)).await.unwrap()
}

async fn same_everywhere(body: &[u8]) -> ChatResponse {
    let whole = parse(chunked(body, &[])).await;
    for (i, s) in every_split(body) {
        assert_eq!(parse(s).await, whole, "split at byte {i}");
    }
    assert_eq!(parse(byte_by_byte(body)).await, whole, "byte by byte");
    whole
}

#[tokio::test]
async fn thinking_and_tool_call_stream_is_the_same_at_every_split() {
    let r = same_everywhere(&fixtures().bytes("stream_thinking_tools.sse")).await;
    let m = r.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("**Planning**\nTwo cities, so two calls.")
    );
    assert_eq!(m.tool_calls.len(), 2);
    assert_eq!(m.tool_calls[0].id, "call_0_get_weather");
    assert_eq!(m.tool_calls[0].function.arguments, r#"{"city":"Paris"}"#);
    // One thought block (two fragments merged) and the call's signature.
    assert_eq!(m.reasoning_details.len(), 2);
    assert_eq!(m.reasoning_details[1].extra["id"], "call_0_get_weather");
    assert_eq!(r.id, "resp-stream-1");
    assert_eq!(r.model, "gemini-3-flash-preview");
    let u = r.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (70, 150, 220)
    );
    assert_eq!(u.reasoning_tokens(), 120);
}

#[tokio::test]
async fn utf8_text_with_a_signature_is_the_same_at_every_split() {
    let r = same_everywhere(&fixtures().bytes("stream_text_signature.sse")).await;
    assert_eq!(r.text(), "Bonjour à tous, ça va ? 🌍");
    let d = &r.message().unwrap().reasoning_details;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].data.as_deref(), Some("c2lnLXRleHQ="));
    assert!(!d[0].extra.contains_key("id"));
}

#[tokio::test]
async fn usage_is_emitted_once_as_the_last_chunk() {
    let chunks: Vec<ChatChunk> =
        chat_chunks(chunked(&fixtures().bytes("stream_thinking_tools.sse"), &[]))
            .map(|c| c.unwrap())
            .collect()
            .await;
    let with_usage: Vec<usize> = chunks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.usage.is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(with_usage, [chunks.len() - 1]);
    assert!(chunks.last().unwrap().choices.is_empty());
    // The first chunk names the role; the tool calls arrive whole, one delta each.
    assert_eq!(
        chunks[0].choices[0].delta.role,
        Some(llm_router_core::Role::Assistant)
    );
    let calls: Vec<_> = chunks
        .iter()
        .flat_map(|c| c.choices.iter().flat_map(|ch| ch.delta.tool_calls.iter()))
        .collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].index, 1);
    assert_eq!(
        calls[1].function.as_ref().unwrap().arguments.as_deref(),
        Some(r#"{"city":"London"}"#)
    );
}

#[tokio::test]
async fn a_large_thought_signature_line_is_read() {
    // python-genai had to raise its line limit for signatures over 128 KiB (test_async_stream.py).
    let sig = "A".repeat(300 * 1024);
    let body = sse(&[
        json!({"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"name": "f", "args": {}}, "thoughtSignature": sig}
    ]}, "finishReason": "STOP", "index": 0}]}),
    ]);
    let r = parse(chunked(body.as_bytes(), &[1000, 70_000, 200_000])).await;
    assert_eq!(
        r.message().unwrap().reasoning_details[0].data.as_deref(),
        Some(sig.as_str())
    );
}

#[tokio::test]
async fn every_candidate_must_finish_for_a_clean_end() {
    let ev = |idx: u32, text: &str, finish: Option<&str>| {
        let mut c = json!({"content": {"role": "model", "parts": [{"text": text}]}, "index": idx});
        if let Some(f) = finish {
            c["finishReason"] = json!(f);
        }
        json!({"candidates": [c]})
    };
    let both = sse(&[
        ev(0, "a", None),
        ev(1, "b", None),
        ev(0, "", Some("STOP")),
        ev(1, "c", Some("MAX_TOKENS")),
    ]);
    let r = parse(chunked(both.as_bytes(), &[])).await;
    assert_eq!(r.choices.len(), 2);
    assert_eq!(r.choices[1].message.text(), "bc");
    let one = sse(&[ev(0, "a", None), ev(1, "b", None), ev(0, "", Some("STOP"))]);
    let e = collect_stream(chat_chunks(chunked(one.as_bytes(), &[])))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
}

#[tokio::test]
async fn an_error_event_after_content_interrupts_the_stream() {
    let body = format!(
        "{}data: {{\"error\":{{\"code\":500,\"message\":\"An internal error has occurred.\",\"status\":\"INTERNAL\"}}}}\r\n\r\n",
        sse(&[
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}, "index": 0}]})
        ])
    );
    let s = answer(
        "/v1beta/models/m:streamGenerateContent",
        sse_response(&body),
    )
    .await;
    let stream = client(&s.uri())
        .chat_stream(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().text(), Some("Hel"));
    let e = items[1].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert!(e.message().contains("internal error"), "{e}");
}

#[tokio::test]
async fn a_disconnect_after_the_finish_chunk_is_still_an_error() {
    // The transport failed, so the body did not end cleanly, even though everything arrived.
    let body = fixtures().bytes("stream_text_signature.sse");
    let e = collect_stream(chat_chunks(then_disconnect(&body)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
}

#[tokio::test]
async fn garbage_in_an_event_is_a_decode_error() {
    let e = collect_stream(chat_chunks(chunked(b"data: {not json\r\n\r\n", &[])))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
