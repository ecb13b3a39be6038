//! Native streams, cumulative and incremental, cut at every byte offset.

use llm_router_core::{ChatResponse, ErrorKind, FinishReason, collect_stream};
use llm_router_http::ByteStream;
use llm_router_qwen::{OutputMode, native_chat_chunks};
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use serde_json::json;

use crate::fixtures;
use crate::native::event;

async fn parse(bytes: ByteStream, mode: OutputMode) -> ChatResponse {
    collect_stream(native_chat_chunks(bytes, mode))
        .await
        .unwrap()
}

async fn same_everywhere(name: &str, mode: OutputMode) -> ChatResponse {
    let body = fixtures().bytes(name);
    let whole = parse(chunked(&body, &[]), mode).await;
    for (i, s) in every_split(&body) {
        assert_eq!(parse(s, mode).await, whole, "{name} split at byte {i}");
    }
    assert_eq!(
        parse(byte_by_byte(&body), mode).await,
        whole,
        "{name} byte by byte"
    );
    whole
}

#[tokio::test]
async fn cumulative_text_and_reasoning_at_every_split() {
    let r = same_everywhere("native_stream_cumulative.sse", OutputMode::Cumulative).await;
    assert_eq!(r.text(), "9.9 is larger 🙂");
    assert_eq!(
        r.message().unwrap().reasoning_content.as_deref(),
        Some("Compare 9.90 and 9.11: 90 > 11.")
    );
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(r.id, "5f0a2c3e-ours-cumulative");
    assert_eq!(r.usage.unwrap().total_tokens, 38);
}

#[tokio::test]
async fn cumulative_tool_arguments_at_every_split() {
    let r = same_everywhere("native_stream_cumulative_tools.sse", OutputMode::Cumulative).await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_6596dafa2a6a46f7a217da");
    assert_eq!(calls[0].function.name, "get_current_weather");
    assert_eq!(calls[0].function.arguments, "{\"location\": \"杭州\"}");
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
}

#[tokio::test]
async fn incremental_tool_fragments_at_every_split() {
    let r = same_everywhere(
        "native_stream_incremental_tools.sse",
        OutputMode::Incremental,
    )
    .await;
    let calls = &r.message().unwrap().tool_calls;
    assert_eq!(calls[0].function.name, "get_current_weather");
    assert_eq!(calls[0].function.arguments, "{\"location\": \"杭州\"}");
}

#[tokio::test]
async fn documented_code_interpreter_stream_keeps_tool_info() {
    // What compatible mode cannot return: the interpreter's code (`output.tool_info`).
    let r = same_everywhere(
        "native_stream_code_interpreter.sse",
        OutputMode::Incremental,
    )
    .await;
    assert_eq!(r.text(), "123 to the power of 23");
    assert_eq!(
        r.message().unwrap().reasoning_content.as_deref(),
        Some("The user is askingThe user a clear format.")
    );
    assert_eq!(
        r.extra["tool_info"][0]["code_interpreter"]["code"],
        "123**21"
    );
    let u = r.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.reasoning_tokens()),
        (734, 263, 171)
    );
    assert_eq!(u.extra["plugins"]["code_interpreter"]["count"], 1);
}

#[tokio::test]
async fn documented_search_stream_keeps_its_sources() {
    let r = same_everywhere("native_stream_search.sse", OutputMode::Incremental).await;
    // Later events repeat `search_info` with empty lists; the sources of the first stay.
    assert_eq!(
        r.extra["search_info"]["search_results"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(r.usage.unwrap().cache_read_tokens(), 0);
}

/// The same answer sent cumulatively and incrementally adds up to the same response.
#[tokio::test]
async fn both_modes_give_the_same_response() {
    let frame = |content: &str, reasoning: &str, finish: &str| {
        json!({"output": {"choices": [{"message": {"content": content, "reasoning_content": reasoning, "role": "assistant"}, "finish_reason": finish}]},
               "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}, "request_id": "r"})
    };
    let cumulative: String = [
        frame("", "hm", "null"),
        frame("", "hmm.", "null"),
        frame("Hi", "hmm.", "null"),
        frame("Hi 👋 there", "hmm.", "null"),
        frame("Hi 👋 there", "hmm.", "stop"),
    ]
    .iter()
    .enumerate()
    .map(|(i, f)| event(i + 1, f))
    .collect();
    let incremental: String = [
        frame("", "hm", "null"),
        frame("", "m.", "null"),
        frame("Hi", "", "null"),
        frame(" 👋 there", "", "null"),
        frame("", "", "stop"),
    ]
    .iter()
    .enumerate()
    .map(|(i, f)| event(i + 1, f))
    .collect();
    let a = parse(chunked(cumulative.as_bytes(), &[]), OutputMode::Cumulative).await;
    let b = parse(
        chunked(incremental.as_bytes(), &[]),
        OutputMode::Incremental,
    )
    .await;
    assert_eq!(a, b);
    assert_eq!(a.text(), "Hi 👋 there");
    // Parsing cumulative output as incremental would repeat text: the mode matters.
    let wrong = parse(chunked(cumulative.as_bytes(), &[]), OutputMode::Incremental).await;
    assert_ne!(wrong.text(), a.text());
}

#[tokio::test]
async fn cumulative_output_that_rewrites_sent_text_is_an_error() {
    let body: String = [
        json!({"output": {"choices": [{"message": {"content": "Hello", "role": "assistant"}, "finish_reason": "null"}]}, "request_id": "r"}),
        json!({"output": {"choices": [{"message": {"content": "Help!", "role": "assistant"}, "finish_reason": "null"}]}, "request_id": "r"}),
    ]
    .iter()
    .enumerate()
    .map(|(i, f)| event(i + 1, f))
    .collect();
    let e = collect_stream(native_chat_chunks(
        chunked(body.as_bytes(), &[]),
        OutputMode::Cumulative,
    ))
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
