//! NDJSON transcripts cut at every byte offset parse to the same response.

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ErrorKind, FinishReason, Message, collect_stream,
};
use llm_router_http::ByteStream;
use llm_router_ollama::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{client, fixtures, ndjson_response};

async fn parse(bytes: ByteStream) -> ChatResponse {
    collect_stream(chat_chunks(bytes)).await.unwrap()
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
async fn documented_tool_call_stream_at_every_split() {
    let r = same_everywhere("stream_tools.ndjson").await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_0");
    assert_eq!(calls[0].function.name, "get_weather");
    assert_eq!(calls[0].function.arguments, r#"{"city":"Tokyo"}"#);
    // Ollama says `stop`; the call makes it `tool_calls`.
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(r.usage.unwrap().total_tokens, 184);
}

#[tokio::test]
async fn thinking_crlf_and_utf8_at_every_split() {
    let r = same_everywhere("stream_thinking.ndjson").await;
    let m = r.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("Count the r's: st-r-awbe-r-r-y → 3.")
    );
    assert_eq!(r.text(), "There are three r’s 🍓.");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Length));
    assert_eq!(r.extra["total_duration"], 412345000);
}

#[tokio::test]
async fn documented_text_stream_at_every_split() {
    let r = same_everywhere("stream_documented.ndjson").await;
    assert_eq!(r.text(), "The");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
}

#[tokio::test]
async fn tool_calls_in_several_lines_get_distinct_ids() {
    let lines = [
        json!({"model": "m", "message": {"role": "assistant", "content": "", "tool_calls": [
            {"function": {"index": 0, "name": "a", "arguments": {"x": 1}}}]}, "done": false}),
        json!({"model": "m", "message": {"role": "assistant", "content": "", "tool_calls": [
            {"function": {"index": 0, "name": "b", "arguments": {}}},
            {"id": "given-id", "function": {"index": 1, "name": "c", "arguments": {"y": "z"}}}]}, "done": false}),
        json!({"model": "m", "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop"}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let r = parse(chunked(body.as_bytes(), &[])).await;
    let calls = &r.message().unwrap().tool_calls;
    let got: Vec<_> = calls
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.function.name.as_str(),
                c.function.arguments.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("call_0", "a", r#"{"x":1}"#),
            ("call_1", "b", "{}"),
            ("given-id", "c", r#"{"y":"z"}"#)
        ]
    );
}

async fn stream_server(body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .respond_with(ndjson_response(body))
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("llama3.2", vec![Message::user("hi")])
}

#[tokio::test]
async fn an_error_line_after_content_interrupts_the_stream() {
    // docs/api/errors.mdx: a mid-stream error is an NDJSON line with an `error` property.
    let body = "{\"model\":\"m\",\"created_at\":\"2025-10-26T17:21:21.196249Z\",\"message\":{\"role\":\"assistant\",\"content\":\" Yes\"},\"done\":false}\n{\"error\":\"an error was encountered while running the model\"}\n";
    let server = stream_server(body).await;
    let items: Vec<_> = client(&server.uri())
        .chat_stream(req())
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().text(), Some(" Yes"));
    let e = items[1].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert!(e.message().contains("error was encountered"), "{e}");
}

#[tokio::test]
async fn a_stream_without_its_done_line_is_interrupted() {
    let body = "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n";
    let server = stream_server(body).await;
    let stream = client(&server.uri()).chat_stream(req()).await.unwrap();
    let e = collect_stream(stream).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert!(e.message().contains("done"), "{e}");
}

#[tokio::test]
async fn an_error_as_the_first_line_is_the_error_of_chat_stream() {
    let server = stream_server("{\"error\":\"rate limit exceeded\"}\n").await;
    let e = client(&server.uri())
        .chat_stream(req())
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
}
