//! Stream transcripts (the SDK's official fixtures and documented shapes) split at every byte
//! offset parse to the same response; every event of the vocabulary; errors inside a 200
//! stream; streams without `message_stop`.

use futures_util::StreamExt as _;
use llm_router_anthropic::chat_chunks;
use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, Error, ErrorKind, FinishReason, Message,
    ReasoningKind, collect_stream,
};
use llm_router_testkit::split::{byte_by_byte, chunked, every_split, then_disconnect};
use llm_router_testkit::wire::sse_response;
use serde_json::json;
use wiremock::MockServer;

use crate::{client, fixtures, messages_post};

async fn parse(bytes: llm_router_http::ByteStream) -> Result<ChatResponse, Error> {
    collect_stream(chat_chunks(bytes)).await
}

async fn same_everywhere(body: &[u8]) -> ChatResponse {
    let whole = parse(chunked(body, &[])).await.unwrap();
    for (i, s) in every_split(body) {
        assert_eq!(parse(s).await.unwrap(), whole, "split at byte {i}");
    }
    assert_eq!(
        parse(byte_by_byte(body)).await.unwrap(),
        whole,
        "byte by byte"
    );
    whole
}

/// The SDK's `.txt` fixtures end without the blank line that dispatches the last event (the
/// SDK's test harness never sees their `message_stop` either); a live server sends it.
fn sdk_fixture_as_served(name: &str) -> String {
    format!("{}\n\n", fixtures().text(name).trim_end())
}

fn ev(name: &str, data: serde_json::Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn start(id: &str) -> String {
    ev(
        "message_start",
        json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 5, "output_tokens": 1}}}),
    )
}

fn text_block(text: &str) -> String {
    ev(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ) + &ev(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
    ) + &ev(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    )
}

fn finish(reason: &str) -> String {
    ev(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null}, "usage": {"output_tokens": 7}}),
    ) + &ev("message_stop", json!({"type": "message_stop"}))
}

#[tokio::test]
async fn official_text_stream_at_every_split() {
    let r = same_everywhere(&fixtures().bytes("chat_stream.sse")).await;
    assert_eq!(r.id, "msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK");
    assert_eq!(r.model, "claude-3-opus-latest");
    assert_eq!(r.text(), "Hello there!");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    let u = r.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (11, 6, 17)
    );
    assert!(u.prompt_tokens_details.is_none());
}

#[tokio::test]
async fn official_tool_stream_at_every_split() {
    let r = same_everywhere(&fixtures().bytes("tools_stream.sse")).await;
    let m = r.message().unwrap();
    assert_eq!(m.text(), "I'll check the current weather in Paris for you.");
    assert_eq!(m.tool_calls.len(), 1);
    assert_eq!(m.tool_calls[0].id, "toolu_01NRLabsLyVHZPKxbKvkfSMn");
    assert_eq!(m.tool_calls[0].function.name, "get_weather");
    assert_eq!(
        m.tool_calls[0].function.arguments,
        r#"{"location": "Paris"}"#
    );
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(r.service_tier.as_deref(), Some("standard"));
    let u = r.usage.unwrap();
    assert_eq!((u.prompt_tokens, u.completion_tokens), (377, 65));
    assert_eq!((u.cache_read_tokens(), u.cache_write_tokens()), (0, 0));
}

#[tokio::test]
async fn sdk_txt_fixtures_parse_like_the_sse_copies() {
    for (txt, sse) in [
        ("anthropic_basic_response.txt", "chat_stream.sse"),
        ("anthropic_tool_use_response.txt", "tools_stream.sse"),
    ] {
        let served = parse(chunked(sdk_fixture_as_served(txt).as_bytes(), &[]))
            .await
            .unwrap();
        let copy = parse(chunked(&fixtures().bytes(sse), &[])).await.unwrap();
        assert_eq!(served, copy, "{txt}");
    }
}

#[tokio::test]
async fn a_final_event_without_its_blank_line_is_not_a_clean_end() {
    // As stored, the SDK fixture's `message_stop` is never dispatched (SSE needs the blank
    // line): the content arrives, then the stream is reported cut.
    let raw = fixtures().bytes("anthropic_basic_response.txt");
    let items: Vec<_> = chat_chunks(chunked(&raw, &[])).collect().await;
    assert!(
        items
            .iter()
            .any(|i| i.as_ref().is_ok_and(|c| c.text() == Some("Hello")))
    );
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::StreamInterrupted);
    assert!(last.message().contains("message_stop"), "{last}");
}

#[tokio::test]
async fn thinking_redacted_thinking_and_parallel_tools_at_every_split() {
    let body = fixtures().bytes("stream_thinking_tools.sse");
    let r = same_everywhere(&body).await;
    let m = r.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("The user wants the weather in Paris and Lyon — two calls. 🌦")
    );
    assert_eq!(m.reasoning_details.len(), 2);
    let d = &m.reasoning_details[0];
    assert_eq!(d.kind, ReasoningKind::Text);
    assert_eq!(d.index, Some(0));
    assert_eq!(d.format.as_deref(), Some("anthropic-claude-v1"));
    assert!(d.signature.as_deref().unwrap().starts_with("EqQBCgIYAhIM"));
    let d = &m.reasoning_details[1];
    assert_eq!(d.kind, ReasoningKind::Encrypted);
    assert_eq!((d.index, d.text.as_deref()), (Some(1), None));
    assert!(d.data.as_deref().unwrap().starts_with("EmwKAhgB"));
    assert_eq!(m.text(), "Checking both cities…");
    // Tool-call indices count tool blocks only (content blocks 3 and 4 → calls 0 and 1).
    assert_eq!(m.tool_calls.len(), 2);
    assert_eq!(m.tool_calls[0].id, "toolu_01Paris");
    assert_eq!(m.tool_calls[0].function.arguments, r#"{"city": "Paris"}"#);
    assert_eq!(m.tool_calls[1].id, "toolu_01Lyon");
    assert_eq!(m.tool_calls[1].function.arguments, r#"{"city": "Lyon"}"#);
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    // message_delta repeats the (cumulative) input and cache counts.
    let u = r.usage.clone().unwrap();
    assert_eq!((u.prompt_tokens, u.completion_tokens), (4025, 300));
    assert_eq!(
        (u.cache_read_tokens(), u.cache_write_tokens()),
        (3000, 1000)
    );

    // The same transcript with CRLF line endings.
    let crlf = String::from_utf8(body).unwrap().replace('\n', "\r\n");
    assert_eq!(same_everywhere(crlf.as_bytes()).await, r);
}

#[tokio::test]
async fn the_first_tool_fragment_carries_id_and_name_and_arguments_follow() {
    let chunks: Vec<_> = chat_chunks(chunked(&fixtures().bytes("tools_stream.sse"), &[]))
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(
        chunks[0].choices[0].delta.role,
        Some(llm_router_core::Role::Assistant)
    );
    let fragments: Vec<_> = chunks
        .iter()
        .flat_map(|c| c.choices.iter().flat_map(|ch| ch.delta.tool_calls.clone()))
        .collect();
    assert_eq!(fragments[0].index, 0);
    assert_eq!(
        fragments[0].id.as_deref(),
        Some("toolu_01NRLabsLyVHZPKxbKvkfSMn")
    );
    assert_eq!(
        fragments[0].function.as_ref().unwrap().name.as_deref(),
        Some("get_weather")
    );
    assert!(
        fragments[1..]
            .iter()
            .all(|f| f.id.is_none() && f.index == 0)
    );
    // message_delta → a finish chunk, then a usage chunk with no choices.
    let n = chunks.len();
    assert_eq!(
        chunks[n - 2].finish_reason(),
        Some(&FinishReason::ToolCalls)
    );
    assert!(chunks[n - 1].choices.is_empty() && chunks[n - 1].usage.is_some());
}

#[tokio::test]
async fn sdk_refusal_stream_is_content_filter() {
    let r = same_everywhere(sdk_fixture_as_served("sdk_refusal_response.txt").as_bytes()).await;
    assert_eq!(r.finish_reason(), Some(&FinishReason::ContentFilter));
    assert_eq!(r.text(), "");
    assert_eq!(r.usage.unwrap().prompt_tokens, 20);
}

#[tokio::test]
async fn the_matched_stop_sequence_reaches_the_finishing_chunk() {
    let body = start("msg_stop_seq")
        + &text_block("1, 2, 3")
        + &ev(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": "stop_sequence", "stop_sequence": ", 4"}, "usage": {"output_tokens": 7}}),
        )
        + &ev("message_stop", json!({"type": "message_stop"}));
    llm_router_testkit::anthropic_spec::assert_valid_transcript(&body);
    let r = same_everywhere(body.as_bytes()).await;
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.choices[0].extra.get("stop_sequence"), Some(&json!(", 4")));
    // On the chunk that carries the finish reason, where a stream re-encoder reads it.
    let chunks: Vec<_> = chat_chunks(chunked(body.as_bytes(), &[]))
        .map(Result::unwrap)
        .collect()
        .await;
    let finishing: Vec<_> = chunks
        .iter()
        .flat_map(|c| &c.choices)
        .filter(|c| c.finish_reason.is_some())
        .collect();
    assert_eq!(finishing.len(), 1);
    assert_eq!(finishing[0].extra.get("stop_sequence"), Some(&json!(", 4")));
    // `stop_sequence: null` adds nothing.
    let r = same_everywhere((start("msg_2") + &text_block("hi") + &finish("end_turn")).as_bytes())
        .await;
    assert!(r.choices[0].extra.is_empty());
}

#[tokio::test]
async fn pause_turn_and_context_window_stop_reasons() {
    for (reason, expected) in [
        ("pause_turn", FinishReason::Other("pause_turn".into())),
        ("model_context_window_exceeded", FinishReason::Length),
        ("max_tokens", FinishReason::Length),
        ("stop_sequence", FinishReason::Stop),
    ] {
        let body = start("msg_1") + &text_block("partial") + &finish(reason);
        let r = parse(chunked(body.as_bytes(), &[])).await.unwrap();
        assert_eq!(r.finish_reason(), Some(&expected), "{reason}");
    }
}

#[tokio::test]
async fn unknown_events_citations_and_server_tools_are_skipped() {
    let body = start("msg_1")
        + &ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}}),
        )
        + &ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"query\": \"x\"}"}}),
        )
        + &ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        )
        + &ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 1, "content_block": {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}}),
        )
        + &ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 1}),
        )
        + &ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 2, "content_block": {"type": "text", "text": ""}}),
        )
        + &ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 2, "delta": {"type": "citations_delta", "citation": {"type": "web_search_result_location", "url": "https://x"}}}),
        )
        + &ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": "Found it."}}),
        )
        + &ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 2}),
        )
        + &ev(
            "brand_new_event",
            json!({"type": "brand_new_event", "x": 1}),
        )
        + ": a comment line\n\n"
        + &finish("end_turn");
    let r = parse(chunked(body.as_bytes(), &[])).await.unwrap();
    assert_eq!(r.text(), "Found it.");
    assert!(r.message().unwrap().tool_calls.is_empty());
}

#[tokio::test]
async fn a_tool_input_given_whole_at_block_start_becomes_the_arguments() {
    let body = start("msg_1")
        + &ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}}}),
        )
        + &ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        )
        + &finish("tool_use");
    let r = parse(chunked(body.as_bytes(), &[])).await.unwrap();
    assert_eq!(
        r.message().unwrap().tool_calls[0].function.arguments,
        r#"{"a":1}"#
    );
}

#[tokio::test]
async fn a_stream_without_message_stop_is_interrupted() {
    // message_delta arrived (finish reason and usage) but not message_stop.
    let body = start("msg_1")
        + &text_block("Hi")
        + &ev(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}}),
        );
    let items: Vec<_> = chat_chunks(chunked(body.as_bytes(), &[])).collect().await;
    assert!(items[..items.len() - 1].iter().all(Result::is_ok));
    assert_eq!(
        items.last().unwrap().as_ref().unwrap_err().kind(),
        ErrorKind::StreamInterrupted
    );
    // A transport error mid-stream passes through the parser.
    let items: Vec<_> = chat_chunks(then_disconnect(
        (start("msg_1") + &text_block("Hi")).as_bytes(),
    ))
    .collect()
    .await;
    assert_eq!(
        items.last().unwrap().as_ref().unwrap_err().kind(),
        ErrorKind::Connection
    );
}

async fn serve(body: String) -> MockServer {
    let server = MockServer::start().await;
    messages_post()
        .respond_with(sse_response(&body))
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("claude-sonnet-4-5", vec![Message::user("hi")])
}

#[tokio::test]
async fn an_error_event_after_content_interrupts_the_stream() {
    let body = start("msg_1")
        + &ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        )
        + &ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}}),
        )
        + &ev(
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        );
    let s = serve(body).await;
    let stream = client(&s.uri()).chat_stream(req()).await.unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 3, "role, text, error");
    assert_eq!(items[1].as_ref().unwrap().text(), Some("Hel"));
    let e = items[2].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(e.code(), Some("overloaded_error"));
    assert_eq!(e.message(), "Overloaded");
}

#[tokio::test]
async fn an_error_as_the_first_event_is_returned_by_chat_stream() {
    for (kind, expected) in [
        ("rate_limit_error", ErrorKind::RateLimited),
        ("overloaded_error", ErrorKind::ProviderUnavailable),
        ("api_error", ErrorKind::ProviderUnavailable),
        ("invalid_request_error", ErrorKind::InvalidRequest),
    ] {
        let s = serve(ev(
            "error",
            json!({"type": "error", "error": {"type": kind, "message": "m"}}),
        ))
        .await;
        let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
        assert_eq!(e.kind(), expected, "{kind}");
        assert_eq!(e.code(), Some(kind));
        assert_eq!(e.provider(), Some("anthropic"));
    }
    // Garbage as the first event is a decode error, not a silent empty stream.
    let s = serve("event: message_start\ndata: {not json\n\n".to_owned()).await;
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Decode);
}

/// Some proxies drop `type` from the `data` (the SSE event name still says it), and some send
/// an error object under another event name: the first take the event's name, the second is
/// still the error.
#[tokio::test]
async fn a_data_without_type_takes_the_event_name_and_an_error_object_is_an_error() {
    let untyped = |name: &str, data: serde_json::Value| {
        let mut data = data;
        data.as_object_mut().unwrap().remove("type");
        ev(name, data)
    };
    let body = untyped(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_u", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "usage": {"input_tokens": 5, "output_tokens": 1}}}),
    ) + &untyped(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ) + &untyped(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}),
    ) + &untyped(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ) + &finish("end_turn");
    let resp = same_everywhere(body.as_bytes()).await;
    assert_eq!(resp.id, "msg_u");
    assert_eq!(resp.choices[0].message.text(), "hi");

    let body = start("msg_e")
        + &ev(
            "message_delta",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Busy"}}),
        );
    let e = parse(chunked(body.as_bytes(), &[])).await.unwrap_err();
    assert_eq!(e.code(), Some("overloaded_error"));
    assert_eq!(e.message(), "Busy");
}
