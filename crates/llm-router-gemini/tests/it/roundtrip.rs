//! Multi-turn tool conversations: user → tool calls → tool results → answer, with tool-call
//! ids and thought signatures intact in the second request.

use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, Message, ReasoningDetail, ToolCall, ToolChoice,
    ToolDefinition, collect_stream,
};
use llm_router_testkit::wire::{only_request_json, sse_response};
use serde_json::{Value, json};

use crate::spec::assert_valid;
use crate::{answer, client, expect_post, fixtures, ok};

const MODEL: &str = "gemini-3-flash-preview";
const PATH: &str = "/v1beta/models/gemini-3-flash-preview:generateContent";
const STREAM_PATH: &str = "/v1beta/models/gemini-3-flash-preview:streamGenerateContent";
const SIG: &str = "CiQBcsjafHVkMzJmZTg0Y2E3ZGYxYmQ5ZTQ2NTIwZWM5NzQ0ZWE=";

fn tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn first_turn() -> ChatRequest {
    ChatRequest::new(MODEL, vec![Message::user("Weather in Paris and London?")])
        .with_tools([tool()])
        .with_tool_choice(ToolChoice::Auto)
}

fn second_turn(answer: &ChatResponse) -> ChatRequest {
    let assistant = answer.message().unwrap().clone();
    let ids: Vec<String> = assistant.tool_calls.iter().map(|c| c.id.clone()).collect();
    let mut req = first_turn();
    req.messages.push(assistant);
    req.messages
        .push(Message::tool(&ids[0], r#"{"temp_c":18}"#));
    req.messages.push(Message::tool(&ids[1], "rainy"));
    req
}

fn tools_json() -> Value {
    json!([{"functionDeclarations": [{"name": "get_weather", "description": "Current weather in a city",
        "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]}])
}

/// The second request: the model turn with its thought, both calls (the signature on the
/// first), then both results in one user turn. Synthesized ids are not sent to Gemini.
fn expected_second_body(thought: &str) -> Value {
    json!({
        "contents": [
            {"role": "user", "parts": [{"text": "Weather in Paris and London?"}]},
            {"role": "model", "parts": [
                {"text": thought, "thought": true},
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": SIG},
                {"functionCall": {"name": "get_weather", "args": {"city": "London"}}}
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"temp_c": 18}}},
                {"functionResponse": {"name": "get_weather", "response": {"result": "rainy"}}}
            ]}
        ],
        "tools": tools_json(),
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}
    })
}

fn final_answer() -> Value {
    json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Paris: 18 °C. London: rainy."}]}, "finishReason": "STOP", "index": 0}],
           "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 9, "totalTokenCount": 129}})
}

async fn finish(turn1: &ChatResponse, thought: &str) {
    let ids: Vec<&str> = turn1
        .message()
        .unwrap()
        .tool_calls
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["call_0_get_weather", "call_1_get_weather"]);
    let req = second_turn(turn1);
    // The ids travel unchanged through the canonical conversation.
    assert_eq!(
        req.messages[2].tool_call_id.as_deref(),
        Some("call_0_get_weather")
    );
    assert_eq!(
        req.messages[3].tool_call_id.as_deref(),
        Some("call_1_get_weather")
    );
    let expected = expected_second_body(thought);
    assert_valid("GenerateContentRequest", &expected);
    let s = expect_post(PATH, &expected, ok(&final_answer())).await;
    let r = client(&s.uri()).chat(req).await.unwrap();
    assert_eq!(r.text(), "Paris: 18 °C. London: rainy.");
    assert_valid("GenerateContentRequest", &only_request_json(&s).await);
}

#[tokio::test]
async fn tool_conversation_round_trips_with_synthesized_ids_and_signatures() {
    let s = answer(PATH, ok(&fixtures().json("chat_thinking_tools.json"))).await;
    let turn1 = client(&s.uri()).chat(first_turn()).await.unwrap();
    finish(
        &turn1,
        "**Checking the weather**\nThe user wants two cities; I will call the tool twice.",
    )
    .await;
}

#[tokio::test]
async fn streamed_tool_conversation_round_trips_the_same_way() {
    let s = answer(
        STREAM_PATH,
        sse_response(&fixtures().text("stream_thinking_tools.sse")),
    )
    .await;
    let stream = client(&s.uri()).chat_stream(first_turn()).await.unwrap();
    let turn1 = collect_stream(stream).await.unwrap();
    finish(&turn1, "**Planning**\nTwo cities, so two calls.").await;
}

#[tokio::test]
async fn gemini_ids_are_sent_back_on_calls_and_results() {
    let body = json!({"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": SIG},
        {"functionCall": {"id": "fc-2", "name": "get_weather", "args": {"city": "London"}}}
    ]}, "finishReason": "STOP", "index": 0}]});
    let s = answer(PATH, ok(&body)).await;
    let turn1 = client(&s.uri()).chat(first_turn()).await.unwrap();
    let req = second_turn(&turn1);
    let expected = json!({
        "contents": [
            {"role": "user", "parts": [{"text": "Weather in Paris and London?"}]},
            {"role": "model", "parts": [
                {"functionCall": {"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": SIG},
                {"functionCall": {"id": "fc-2", "name": "get_weather", "args": {"city": "London"}}}
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"id": "fc-1", "name": "get_weather", "response": {"temp_c": 18}}},
                {"functionResponse": {"id": "fc-2", "name": "get_weather", "response": {"result": "rainy"}}}
            ]}
        ],
        "tools": tools_json(),
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}
    });
    assert_valid("GenerateContentRequest", &expected);
    let s = expect_post(PATH, &expected, ok(&final_answer())).await;
    client(&s.uri()).chat(req).await.unwrap();
}

#[tokio::test]
async fn synthesized_ids_stay_unique_across_turns() {
    let call = json!({"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}}
    ]}, "finishReason": "STOP", "index": 0}]});
    let s = answer(PATH, ok(&call)).await;
    // The conversation already holds call_0 and call_1: the next call is call_2.
    let s1 = answer(PATH, ok(&fixtures().json("chat_thinking_tools.json"))).await;
    let turn1 = client(&s1.uri()).chat(first_turn()).await.unwrap();
    let mut req = second_turn(&turn1);
    req.messages.push(Message::user("And Rome?"));
    let r = client(&s.uri()).chat(req).await.unwrap();
    assert_eq!(r.message().unwrap().tool_calls[0].id, "call_2_get_weather");
}

#[tokio::test]
async fn signatures_on_text_parts_and_from_tool_call_extra_go_back() {
    // A signature that came on a text part returns on the text part; signatures from other
    // providers' formats are not sent; a signature in the tool call's `extra` (as Gemini's
    // OpenAI-compatible endpoint returns it) is used when there is no reasoning block.
    let mut call = ToolCall::function("call_x", "get_weather", r#"{"city":"Oslo"}"#);
    call.extra.insert(
        "extra_content".into(),
        json!({"google": {"thought_signature": "c2lnLWV4dHJh"}}),
    );
    let mut assistant = Message::assistant("Let me check.");
    assistant.tool_calls = vec![call];
    let mut text_sig = ReasoningDetail::encrypted("c2lnLXRleHQ=");
    text_sig.format = Some("google-gemini-v1".into());
    let mut foreign = ReasoningDetail::text("claude thinking", Some("anthropic-sig".into()));
    foreign.format = Some("anthropic-claude-v1".into());
    assistant.reasoning_details = vec![foreign, text_sig];
    let req = ChatRequest::new(
        MODEL,
        vec![
            Message::user("Oslo?"),
            assistant,
            Message::tool("call_x", r#"{"temp_c":3}"#),
        ],
    );
    let expected = json!({"contents": [
        {"role": "user", "parts": [{"text": "Oslo?"}]},
        {"role": "model", "parts": [
            {"text": "Let me check.", "thoughtSignature": "c2lnLXRleHQ="},
            {"functionCall": {"id": "call_x", "name": "get_weather", "args": {"city": "Oslo"}}, "thoughtSignature": "c2lnLWV4dHJh"}
        ]},
        {"role": "user", "parts": [{"functionResponse": {"id": "call_x", "name": "get_weather", "response": {"temp_c": 3}}}]}
    ]});
    assert_valid("GenerateContentRequest", &expected);
    let s = expect_post(PATH, &expected, ok(&final_answer())).await;
    client(&s.uri()).chat(req).await.unwrap();
}

#[tokio::test]
async fn a_text_signature_from_a_stream_round_trips() {
    let s = answer(
        STREAM_PATH,
        sse_response(&fixtures().text("stream_text_signature.sse")),
    )
    .await;
    let turn1 = collect_stream(
        client(&s.uri())
            .chat_stream(ChatRequest::new(MODEL, vec![Message::user("Salut")]))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    let mut req = ChatRequest::new(MODEL, vec![Message::user("Salut")]);
    req.messages.push(turn1.message().unwrap().clone());
    req.messages.push(Message::user("Merci"));
    let expected = json!({"contents": [
        {"role": "user", "parts": [{"text": "Salut"}]},
        {"role": "model", "parts": [{"text": "Bonjour à tous, ça va ? 🌍", "thoughtSignature": "c2lnLXRleHQ="}]},
        {"role": "user", "parts": [{"text": "Merci"}]}
    ]});
    let s = expect_post(PATH, &expected, ok(&final_answer())).await;
    client(&s.uri()).chat(req).await.unwrap();
}
