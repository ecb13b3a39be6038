//! SSE streams: tools with a plan and citations, cut at every byte; interruptions; in-stream
//! errors.

use futures_util::StreamExt as _;
use llm_router_core::{ErrorKind, FinishReason, collect_stream};
use llm_router_testkit::split::{byte_by_byte, every_split};

use crate::fixtures;

#[tokio::test]
async fn tool_stream_with_plan_and_citations_is_the_same_at_every_split() {
    let body = fixtures().bytes("stream_tools_citations.sse");
    let whole = collect_stream(llm_router_cohere::chat_chunks(byte_by_byte(&body)))
        .await
        .unwrap();
    for (i, s) in every_split(&body) {
        let got = collect_stream(llm_router_cohere::chat_chunks(s))
            .await
            .unwrap();
        assert_eq!(got, whole, "split at {i}");
    }
    let m = whole.message().unwrap();
    assert_eq!(whole.id, "b3f2c7e0-5d1a-4f7e-9a41-2c3e8d9f0a11");
    assert_eq!(m.text(), "Paris is sunny.");
    assert_eq!(m.extra["tool_plan"], "I will check the weather in Paris.");
    assert_eq!(m.extra["citations"][0]["text"], "sunny");
    assert_eq!(m.tool_calls.len(), 1);
    assert_eq!(m.tool_calls[0].id, "get_weather_q1w2e3");
    assert_eq!(m.tool_calls[0].function.name, "get_weather");
    assert_eq!(m.tool_calls[0].function.arguments, r#"{"city": "Paris"}"#);
    assert_eq!(whole.finish_reason(), Some(&FinishReason::ToolCalls));
    let u = whole.usage.unwrap();
    assert_eq!((u.input_tokens(), u.output_tokens()), (1200, 40));
}

#[tokio::test]
async fn a_stream_cut_before_message_end_is_interrupted() {
    let body = fixtures().text("stream_tools_citations.sse");
    let cut = &body[..body.find("event: message-end").unwrap()];
    let items: Vec<_> = llm_router_cohere::chat_chunks(byte_by_byte(cut.as_bytes()))
        .collect()
        .await;
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::StreamInterrupted);
}

#[tokio::test]
async fn an_error_in_message_end_is_an_error() {
    let body = "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"x\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n\
event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\",\"error\":\"internal error\"}}\n\n";
    let items: Vec<_> = llm_router_cohere::chat_chunks(byte_by_byte(body.as_bytes()))
        .collect()
        .await;
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::ProviderUnavailable);
    assert!(last.to_string().contains("internal error"));
}

#[tokio::test]
async fn thinking_content_streams_as_reasoning_content() {
    let body = "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"t1\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n\
event: content-start\ndata: {\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"type\":\"thinking\",\"thinking\":\"\"}}}}\n\n\
event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"thinking\":\"2+2 is 4.\"}}}}\n\n\
event: content-end\ndata: {\"type\":\"content-end\",\"index\":0}\n\n\
event: content-start\ndata: {\"type\":\"content-start\",\"index\":1,\"delta\":{\"message\":{\"content\":{\"type\":\"text\",\"text\":\"4\"}}}}\n\n\
event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"tokens\":{\"input_tokens\":5,\"output_tokens\":9}}}}\n\n";
    let r = collect_stream(llm_router_cohere::chat_chunks(byte_by_byte(
        body.as_bytes(),
    )))
    .await
    .unwrap();
    let m = r.message().unwrap();
    assert_eq!(m.reasoning_content.as_deref(), Some("2+2 is 4."));
    assert_eq!(m.text(), "4");
    assert_eq!(r.usage.unwrap().output_tokens(), 9);
}

/// An event whose `data` has no `type` takes the SSE event's name; one named `error`, or with
/// only a `message`, is the error it reports.
#[tokio::test]
async fn an_untyped_event_takes_its_name_and_an_untyped_error_is_an_error() {
    let start = "event: message-start\ndata: {\"id\":\"u1\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n\
event: content-delta\ndata: {\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hi\"}}}}\n\n";
    let end = "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"tokens\":{\"input_tokens\":1,\"output_tokens\":1}}}}\n\n";
    let whole = collect_stream(llm_router_cohere::chat_chunks(byte_by_byte(
        format!("{start}{end}").as_bytes(),
    )))
    .await
    .unwrap();
    assert_eq!(whole.id, "u1");
    assert_eq!(whole.message().unwrap().text(), "Hi");
    for error in [
        "event: error\ndata: {\"detail\":\"x\"}\n\n",
        "event: content-delta\ndata: {\"message\":\"overloaded, try later\"}\n\n",
    ] {
        let items: Vec<_> =
            llm_router_cohere::chat_chunks(byte_by_byte(format!("{start}{error}").as_bytes()))
                .collect()
                .await;
        assert!(items.last().unwrap().is_err(), "{error}");
    }
}
