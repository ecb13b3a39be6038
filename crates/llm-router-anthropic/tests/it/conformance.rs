//! The provider conformance suite, with Anthropic's wire described in a [`WireScript`]: the
//! documented `Message`, stream event and error shapes (API reference "Messages", "Streaming
//! Messages", "Errors"), values ours.

use std::sync::Arc;

use llm_router_core::{ErrorKind, SharedChat};
use llm_router_testkit::anthropic_spec::{
    Spec, assert_valid_in, assert_valid_request, assert_valid_transcript,
};
use llm_router_testkit::conformance::{Conformance, PNG_1X1, WireScript, requests};
use serde_json::{Value, json};

use crate::{KEY, client};

const TEXT: &str = "Hello there, how may I assist you today? 👋";

fn event(name: &str, data: &Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// The suite's text stream in Anthropic's events; `upto` keeps only the first events.
fn transcript(upto: Option<usize>) -> String {
    let events = [
        event(
            "message_start",
            &json!({"type": "message_start", "message": {"id": "msg_01Conformance", "type": "message", "role": "assistant", "model": "test-model", "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 9, "output_tokens": 1}}}),
        ),
        event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        event("ping", &json!({"type": "ping"})),
        event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}),
        ),
        event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " there, "}}),
        ),
        event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "how may I assist you today? 👋"}}),
        ),
        event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": 0}),
        ),
        event(
            "message_delta",
            &json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 12}}),
        ),
        event("message_stop", &json!({"type": "message_stop"})),
    ];
    events[..upto.unwrap_or(events.len())].concat()
}

pub(crate) fn wire() -> WireScript {
    let basic = |stream: bool| {
        let mut v = json!({
            "model": requests::MODEL,
            "system": "You are terse.",
            "messages": [{"role": "user", "content": "Say hello"}],
            "max_tokens": 16,
            "temperature": 0.0,
        });
        if stream {
            v["stream"] = json!(true);
        }
        v
    };
    let error = |kind: &str, message: &str| json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"});
    let error_body = move |status: u16| match status {
        401 => error("authentication_error", "invalid x-api-key"),
        429 => error(
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit (https://docs.claude.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.",
        ),
        503 => error("overloaded_error", "Overloaded"),
        _ => error("api_error", "Internal server error"),
    };
    WireScript {
        chat_path: "/v1/messages".into(),
        stream_path: "/v1/messages".into(),
        auth_header: ("x-api-key".into(), KEY.into()),
        basic_body: basic(false),
        basic_stream_body: basic(true),
        chat_ok: json!({
            "id": "msg_01Conformance", "type": "message", "role": "assistant", "model": "test-model",
            "content": [{"type": "text", "text": TEXT}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 9, "output_tokens": 12}
        }),
        text: TEXT.into(),
        stream_ok: transcript(None),
        // Cut after the last content event: no message_delta, no message_stop.
        stream_without_terminator: transcript(Some(7)),
        stream_error_first: event(
            "error",
            &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
        stream_error_kind: ErrorKind::ProviderUnavailable,
        tool_call_ok: json!({
            "id": "msg_01ToolCall", "type": "message", "role": "assistant", "model": "test-model",
            "content": [{"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"city": "Paris"}}],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 82, "output_tokens": 17}
        }),
        // The raw base64 as a source's `data` (not inside a `data:` URL).
        image_marker: format!(r#""data":"{PNG_1X1}""#),
        error_body: Arc::new(error_body),
        quota_body: error(
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
        ),
        quota_status: 400,
        embeddings: None,
    }
}

#[tokio::test]
async fn anthropic_passes_the_conformance_suite() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(client(base)) }),
        embed: None,
        parser: Some(Arc::new(llm_router_anthropic::chat_chunks)),
        wire: wire(),
    };
    // What the suite expects and serves follows Anthropic's spec.
    let w = &suite.wire;
    assert_valid_request(&w.basic_body, false);
    assert_valid_request(&w.basic_stream_body, false);
    assert_valid_in(Spec::Pristine, "Message", &w.chat_ok);
    assert_valid_in(Spec::Pristine, "Message", &w.tool_call_ok);
    for status in [401, 429, 500, 503] {
        assert_valid_in(Spec::Pristine, "ErrorResponse", &(w.error_body)(status));
    }
    assert_valid_in(Spec::Pristine, "ErrorResponse", &w.quota_body);
    assert_valid_transcript(&w.stream_ok);
    assert_valid_transcript(&w.stream_error_first);
    suite.run_all().await;
}
