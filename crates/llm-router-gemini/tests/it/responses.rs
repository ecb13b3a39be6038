//! Responses: text, thoughts and signatures, finish reasons, usage, several candidates, blocks.

use llm_router_core::{
    ChatProvider, ChatRequest, ErrorKind, FinishReason, Message, ReasoningKind, collect_stream,
};
use llm_router_gemini::SIGNATURE_FORMAT;
use llm_router_testkit::wire::sse_response;
use serde_json::{Value, json};

use crate::conformance::sse;
use crate::spec::assert_valid;
use crate::{answer, client, fixtures, ok};

const PATH: &str = "/v1beta/models/gemini-3-flash-preview:generateContent";
const STREAM_PATH: &str = "/v1beta/models/gemini-3-flash-preview:streamGenerateContent";

fn req() -> ChatRequest {
    ChatRequest::new("gemini-3-flash-preview", vec![Message::user("x")])
}

async fn chat(body: Value) -> llm_router_core::ChatResponse {
    assert_valid("GenerateContentResponse", &body);
    let s = answer(PATH, ok(&body)).await;
    client(&s.uri()).chat(req()).await.unwrap()
}

fn candidate(parts: Value, finish: &str) -> Value {
    json!({"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0})
}

#[tokio::test]
async fn text_id_model_and_usage() {
    let r = chat(fixtures().json("chat_text.json")).await;
    assert_eq!(r.text(), "Hello there, how may I assist you today? 👋");
    assert_eq!(r.id, "mAitaLmkHPPlz7IPvtfUqQ4");
    assert_eq!(r.model, "gemini-2.5-flash");
    assert_eq!(r.object, "chat.completion");
    assert!(r.created > 0);
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    let u = r.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (9, 12, 21)
    );
}

#[tokio::test]
async fn thoughts_signatures_tool_calls_and_usage_details() {
    let r = chat(fixtures().json("chat_thinking_tools.json")).await;
    let m = r.message().unwrap();
    assert_eq!(m.content, None);
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("**Checking the weather**\nThe user wants two cities; I will call the tool twice.")
    );
    let ids: Vec<&str> = m.tool_calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["call_0_get_weather", "call_1_get_weather"]);
    assert_eq!(m.tool_calls[1].function.arguments, r#"{"city":"London"}"#);
    // STOP with function calls is tool_calls.
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(m.reasoning_details.len(), 2);
    let (thought, sig) = (&m.reasoning_details[0], &m.reasoning_details[1]);
    assert_eq!(thought.kind, ReasoningKind::Text);
    assert_eq!(thought.format.as_deref(), Some(SIGNATURE_FORMAT));
    assert_eq!(thought.signature, None);
    assert_eq!(sig.kind, ReasoningKind::Encrypted);
    assert_eq!(
        sig.data.as_deref(),
        Some("CiQBcsjafHVkMzJmZTg0Y2E3ZGYxYmQ5ZTQ2NTIwZWM5NzQ0ZWE=")
    );
    assert_eq!(sig.extra["id"], "call_0_get_weather");
    // Usage: input includes tool-use prompt tokens; output includes thoughts.
    let u = r.usage.unwrap();
    assert_eq!(u.prompt_tokens, 75);
    assert_eq!(u.completion_tokens, 150);
    assert_eq!(u.total_tokens, 225);
    assert_eq!(u.reasoning_tokens(), 120);
    assert_eq!(u.cache_read_tokens(), 40);
}

#[tokio::test]
async fn chat_and_stream_give_the_same_message() {
    let whole = chat(fixtures().json("chat_thinking_tools.json")).await;
    let s = answer(
        STREAM_PATH,
        sse_response(&fixtures().text("stream_thinking_tools.sse")),
    )
    .await;
    let streamed = collect_stream(client(&s.uri()).chat_stream(req()).await.unwrap())
        .await
        .unwrap();
    let (a, b) = (whole.message().unwrap(), streamed.message().unwrap());
    assert_eq!(a.tool_calls, b.tool_calls);
    assert_eq!(a.reasoning_details[1], b.reasoning_details[1]);
    assert_eq!(
        b.reasoning_content.as_deref(),
        Some("**Planning**\nTwo cities, so two calls.")
    );
    assert_eq!(streamed.finish_reason(), Some(&FinishReason::ToolCalls));
}

#[tokio::test]
async fn finish_reasons_map_and_unknown_ones_are_kept() {
    let cases = [
        ("MAX_TOKENS", FinishReason::Length),
        ("SAFETY", FinishReason::ContentFilter),
        ("RECITATION", FinishReason::ContentFilter),
        ("BLOCKLIST", FinishReason::ContentFilter),
        ("PROHIBITED_CONTENT", FinishReason::ContentFilter),
        ("SPII", FinishReason::ContentFilter),
        (
            "MALFORMED_FUNCTION_CALL",
            FinishReason::Other("MALFORMED_FUNCTION_CALL".into()),
        ),
        ("LANGUAGE", FinishReason::Other("LANGUAGE".into())),
    ];
    for (raw, want) in cases {
        let r = chat(json!({"candidates": [candidate(json!([{"text": "partial"}]), raw)]})).await;
        assert_eq!(r.finish_reason(), Some(&want), "{raw}");
    }
    // A candidate cut by the safety filter may have no content at all.
    let r = chat(json!({"candidates": [{"finishReason": "SAFETY", "index": 0}]})).await;
    assert_eq!(r.finish_reason(), Some(&FinishReason::ContentFilter));
    assert_eq!(r.message().unwrap().content, None);
}

#[tokio::test]
async fn gemini_call_ids_are_kept_and_other_parts_ignored() {
    let r = chat(json!({"candidates": [candidate(json!([
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
        {"text": "Calling."},
        {"functionCall": {"id": "fc-7f3a", "name": "get_weather", "args": {"city": "Paris"}}}
    ]), "STOP")]}))
    .await;
    let m = r.message().unwrap();
    assert_eq!(m.text(), "Calling.");
    assert_eq!(m.tool_calls[0].id, "fc-7f3a");
}

#[tokio::test]
async fn several_candidates_become_several_choices() {
    let r = chat(json!({"candidates": [
        {"content": {"role": "model", "parts": [{"text": "A"}]}, "finishReason": "STOP", "index": 0},
        {"content": {"role": "model", "parts": [{"text": "B"}]}, "finishReason": "MAX_TOKENS", "index": 1}
    ]}))
    .await;
    assert_eq!(r.choices.len(), 2);
    assert_eq!(r.choices[1].message.text(), "B");
    assert_eq!(r.choices[1].finish_reason, Some(FinishReason::Length));
}

#[tokio::test]
async fn a_blocked_prompt_is_content_filtered_naming_the_reason() {
    let body = fixtures().json("prompt_blocked.json");
    let s = answer(PATH, ok(&body)).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered);
    assert_eq!(e.code(), Some("SAFETY"));
    assert!(e.message().contains("SAFETY"), "{e}");
    // Streaming: the block is the first event, so chat_stream itself fails.
    let s = answer(STREAM_PATH, sse_response(&sse(&[body]))).await;
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered);
}

#[tokio::test]
async fn no_candidates_and_no_block_reason_is_a_decode_error() {
    let s = answer(PATH, ok(&json!({"usageMetadata": {"promptTokenCount": 3}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
