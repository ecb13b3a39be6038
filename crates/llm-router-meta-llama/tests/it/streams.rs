//! The native stream: tool calls without `type`, cut at every byte; the end-of-stream rule;
//! error events.

use futures_util::StreamExt as _;
use llm_router_core::{ErrorKind, FinishReason, ToolType, collect_stream};
use llm_router_testkit::split::{byte_by_byte, every_split};

use crate::fixtures;

#[tokio::test]
async fn tool_call_stream_is_the_same_at_every_split() {
    let body = fixtures().bytes("stream_tools.sse");
    let whole = collect_stream(llm_router_meta_llama::chat_chunks(byte_by_byte(&body)))
        .await
        .unwrap();
    for (i, s) in every_split(&body) {
        let got = collect_stream(llm_router_meta_llama::chat_chunks(s))
            .await
            .unwrap();
        assert_eq!(got, whole, "split at {i}");
    }
    assert_eq!(whole.id, "Ay8kq2vXbR7nPz3LmT0wQe");
    let m = whole.message().unwrap();
    assert_eq!(m.tool_calls.len(), 2, "{m:?}");
    assert_eq!(m.tool_calls[0].id, "call_4f1c2e9a");
    assert_eq!(m.tool_calls[0].kind, ToolType::Function);
    assert_eq!(m.tool_calls[0].function.name, "get_weather");
    assert_eq!(m.tool_calls[0].function.arguments, r#"{"city": "Paris"}"#);
    assert_eq!(m.tool_calls[1].id, "call_7b3d0c11");
    assert_eq!(m.tool_calls[1].function.name, "get_time");
    assert_eq!(whole.finish_reason(), Some(&FinishReason::ToolCalls));
    let u = whole.usage.unwrap();
    assert_eq!(
        (u.input_tokens(), u.output_tokens(), u.total_tokens),
        (210, 31, 241)
    );
}

#[tokio::test]
async fn a_stream_closing_after_complete_without_metrics_ends_cleanly() {
    let body = fixtures().text("stream_tools.sse");
    let cut = &body[..body
        .find("data: {\"id\": \"Ay8kq2vXbR7nPz3LmT0wQe\", \"event\": {\"event_type\": \"metrics\"")
        .unwrap()];
    let r = collect_stream(llm_router_meta_llama::chat_chunks(byte_by_byte(
        cut.as_bytes(),
    )))
    .await
    .unwrap();
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert!(r.usage.is_none());
}

#[tokio::test]
async fn a_stream_closing_before_complete_is_interrupted() {
    let body = fixtures().text("stream_tools.sse");
    let cut = &body[..body.find("\"complete\"").unwrap()];
    let cut = &cut[..cut.rfind("data:").unwrap()];
    let items: Vec<_> = llm_router_meta_llama::chat_chunks(byte_by_byte(cut.as_bytes()))
        .collect()
        .await;
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::StreamInterrupted);
}

#[tokio::test]
async fn an_error_event_mid_stream_is_an_error() {
    let body = "data: {\"id\": \"x\", \"event\": {\"event_type\": \"start\", \"delta\": {\"type\": \"text\", \"text\": \"Hi\"}}}\n\n\
event: error\ndata: {\"title\": \"Internal Server Error\", \"detail\": \"upstream failure\", \"status\": 500}\n\n";
    let items: Vec<_> = llm_router_meta_llama::chat_chunks(byte_by_byte(body.as_bytes()))
        .collect()
        .await;
    assert!(items[0].is_ok());
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::ProviderUnavailable);
    assert!(last.to_string().contains("upstream failure"), "{last}");
}

#[tokio::test]
async fn a_stream_cut_inside_the_metrics_event_is_interrupted() {
    let body = fixtures().text("stream_tools.sse");
    let cut = &body[..body.find("num_prompt_tokens").unwrap()];
    let items: Vec<_> = llm_router_meta_llama::chat_chunks(byte_by_byte(cut.as_bytes()))
        .collect()
        .await;
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::StreamInterrupted);
    // The same bytes with CRLF line ends, closed at a boundary after `complete`: clean.
    let crlf = body[..body
        .find("data: {\"id\": \"Ay8kq2vXbR7nPz3LmT0wQe\", \"event\": {\"event_type\": \"metrics\"")
        .unwrap()]
        .replace('\n', "\r\n");
    let r = collect_stream(llm_router_meta_llama::chat_chunks(byte_by_byte(
        crlf.as_bytes(),
    )))
    .await
    .unwrap();
    assert_eq!(r.message().unwrap().tool_calls.len(), 2);
}
