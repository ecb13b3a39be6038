//! Canonical responses → Anthropic `Message` objects, each validated against the spec.

use llm_router_core::{
    ChatResponse, Choice, Content, ContentPart, FinishReason, Message, ReasoningDetail, ToolCall,
    Usage,
};
use llm_router_messages_api::{REASONING_FORMAT, response_body};
use serde_json::{Value, json};

use crate::fixture_json;
use llm_router_testkit::anthropic_spec::assert_valid;

fn response(message: Message, finish: Option<FinishReason>, usage: Option<Usage>) -> ChatResponse {
    ChatResponse {
        id: "chatcmpl-XYZ".into(),
        model: "gpt-4o-2024-08-06".into(),
        choices: vec![Choice {
            message,
            finish_reason: finish,
            ..Choice::default()
        }],
        usage,
        ..ChatResponse::default()
    }
}

fn body(resp: &ChatResponse) -> Value {
    let b = response_body(resp, "claude-sonnet-4-5");
    assert_valid("Message", &b);
    b
}

#[test]
fn openais_documented_completion() {
    let resp: ChatResponse = serde_json::from_value(fixture_json("openai_chat.json")).unwrap();
    assert_eq!(
        body(&resp),
        json!({
            "id": "msg_123", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "\n\nHello there, how may I assist you today?"}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 9, "output_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        })
    );
}

#[test]
fn tool_calls_become_tool_use_blocks() {
    let mut m = Message::assistant("I'll check the weather.");
    m.tool_calls = vec![
        ToolCall::function("call_abc", "get_weather", r#"{"location": "Paris"}"#),
        ToolCall::function("call_def", "get_time", ""),
        ToolCall::function("call_bad", "broken", r#"{"location": "Par"#),
        ToolCall::function("call_arr", "array", "[1, 2]"),
    ];
    let b = body(&response(
        m,
        Some(FinishReason::ToolCalls),
        Some(Usage::new(100, 20)),
    ));
    assert_eq!(
        b["content"],
        json!([
            {"type": "text", "text": "I'll check the weather."},
            {"type": "tool_use", "id": "call_abc", "name": "get_weather", "input": {"location": "Paris"}},
            {"type": "tool_use", "id": "call_def", "name": "get_time", "input": {}},
            {"type": "tool_use", "id": "call_bad", "name": "broken", "input": {}},
            {"type": "tool_use", "id": "call_arr", "name": "array", "input": {}}
        ])
    );
    assert_eq!(b["stop_reason"], "tool_use");
    // Tool calls without a finish reason still stop for tool use.
    let m = Message::assistant_tool_calls(vec![ToolCall::function("c", "f", "{}")]);
    assert_eq!(body(&response(m, None, None))["stop_reason"], "tool_use");
}

#[test]
fn thinking_blocks_come_first_with_their_signatures() {
    let sig = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+0fGsC2lKrTwX9BFdMTAfKuDG5uVqXVUlEGQxGQCQe0EA==";
    let tag = |mut d: ReasoningDetail, i: u32| {
        d.format = Some(REASONING_FORMAT.into());
        d.index = Some(i);
        d
    };
    let mut m = Message::assistant("Paris is sunny.");
    m.reasoning_content = Some("Let me think.".into());
    m.reasoning_details = vec![
        tag(ReasoningDetail::text("Let me think.", Some(sig.into())), 0),
        tag(ReasoningDetail::encrypted("EmwKAhgB"), 1),
        // Another provider's opaque block means nothing to an Anthropic client.
        ReasoningDetail {
            format: Some("google-gemini-v1".into()),
            ..ReasoningDetail::encrypted("gemini-sig")
        },
    ];
    m.tool_calls = vec![ToolCall::function(
        "toolu_01",
        "get_weather",
        r#"{"city":"Paris"}"#,
    )];
    let usage = Usage::new(4025, 300)
        .with_cache_read(3000)
        .with_cache_write(1000);
    let b = body(&response(m, Some(FinishReason::ToolCalls), Some(usage)));
    assert_eq!(
        b["content"],
        json!([
            {"type": "thinking", "thinking": "Let me think.", "signature": sig},
            {"type": "redacted_thinking", "data": "EmwKAhgB"},
            {"type": "text", "text": "Paris is sunny."},
            {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}
        ])
    );
    assert_eq!(
        b["usage"],
        json!({"input_tokens": 25, "output_tokens": 300, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 3000})
    );
}

#[test]
fn reasoning_without_details_is_one_unsigned_thinking_block() {
    let mut m = Message::assistant("42");
    m.reasoning_content = Some("DeepSeek-style reasoning".into());
    let b = body(&response(m, Some(FinishReason::Stop), None));
    assert_eq!(
        b["content"],
        json!([
            {"type": "thinking", "thinking": "DeepSeek-style reasoning", "signature": ""},
            {"type": "text", "text": "42"}
        ])
    );
    assert_eq!(b["usage"]["input_tokens"], 0);
}

#[test]
fn finish_reasons_and_stop_sequences() {
    let cases = [
        (Some(FinishReason::Stop), "end_turn"),
        (Some(FinishReason::Length), "max_tokens"),
        (Some(FinishReason::ToolCalls), "tool_use"),
        (Some(FinishReason::ContentFilter), "refusal"),
        (Some(FinishReason::Other("pause_turn".into())), "pause_turn"),
        (
            Some(FinishReason::Other("model_context_window_exceeded".into())),
            "model_context_window_exceeded",
        ),
        (Some(FinishReason::Other("eos".into())), "end_turn"),
        (None, "end_turn"),
    ];
    for (finish, expected) in cases {
        let b = body(&response(Message::assistant("x"), finish, None));
        assert_eq!(b["stop_reason"], expected);
        assert_eq!(b["stop_sequence"], Value::Null);
    }
    let mut resp = response(Message::assistant("x"), Some(FinishReason::Stop), None);
    resp.choices[0]
        .extra
        .insert("stop_sequence".into(), json!("END"));
    let b = body(&resp);
    assert_eq!(
        (b["stop_reason"].clone(), b["stop_sequence"].clone()),
        (json!("stop_sequence"), json!("END"))
    );
}

#[test]
fn refusals_parts_and_empty_answers() {
    let mut m = Message::assistant(Content::Parts(vec![
        ContentPart::text("part one. "),
        ContentPart::Refusal {
            refusal: "I can't help with that.".into(),
        },
    ]));
    m.refusal = Some("No.".into());
    let b = body(&response(m, Some(FinishReason::ContentFilter), None));
    assert_eq!(
        b["content"],
        json!([{"type": "text", "text": "part one. "}, {"type": "text", "text": "I can't help with that."}, {"type": "text", "text": "No."}])
    );
    assert_eq!(b["stop_reason"], "refusal");
    let empty = ChatResponse::default();
    let b = body(&empty);
    assert_eq!(b["content"], json!([]));
    assert!(b["id"].as_str().unwrap().starts_with("msg_"));
}
