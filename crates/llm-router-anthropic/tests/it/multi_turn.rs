//! Multi-turn conversations through the provider: user → tool call → tool result → answer,
//! with tool-call ids intact, and thinking blocks sent back with their signatures, before the
//! text and tool calls of their turn.

use llm_router_core::{
    ChatProvider, ChatRequest, FinishReason, Message, ReasoningKind, ToolDefinition, collect_stream,
};
use llm_router_testkit::wire::{json_response, sse_response};
use serde_json::{Value, json};
use wiremock::MockServer;
use wiremock::matchers::body_json;

use crate::{client, fixtures, messages_post};
use llm_router_testkit::anthropic_spec::assert_valid_request;

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn tool_json() -> Value {
    json!([{"name": "get_weather", "description": "Current weather in a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}])
}

const THINKING_SIGNATURE: &str = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+0fGsC2lKrTwX9BFdMTAfKuDG5uVqXVUlEGQxGQCQe0EA==";
const REDACTED: &str = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pLmN8Q";

#[tokio::test]
async fn a_tool_conversation_round_trips_with_ids_intact() {
    // Turn 1: the model calls the tool.
    let first = ChatRequest::new(
        "claude-sonnet-4-5",
        vec![Message::user("Weather in Paris?")],
    )
    .with_tools([weather_tool()]);
    let server = MockServer::start().await;
    messages_post()
        .and(body_json(json!({
            "model": "claude-sonnet-4-5", "max_tokens": 4096, "tools": tool_json(),
            "messages": [{"role": "user", "content": "Weather in Paris?"}]
        })))
        .respond_with(json_response(
            200,
            &fixtures().json("message_tool_use.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let resp = client(&server.uri()).chat(first.clone()).await.unwrap();
    let assistant = resp.message().unwrap().clone();
    let call_id = assistant.tool_calls[0].id.clone();
    assert_eq!(call_id, "toolu_01A09q90qw90lq917835lq9");

    // Turn 2: the tool result goes back; the model answers.
    let mut messages = first.messages.clone();
    messages.push(assistant);
    messages.push(Message::tool(call_id.as_str(), r#"{"temp_c":18}"#));
    let second = ChatRequest { messages, ..first };
    let expected = json!({
        "model": "claude-sonnet-4-5", "max_tokens": 4096, "tools": tool_json(),
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "I'll check the current weather in Paris for you."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"city": "Paris", "unit": "c"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": "{\"temp_c\":18}"}
            ]}
        ]
    });
    assert_valid_request(&expected, false);
    let server = MockServer::start().await;
    messages_post()
        .and(body_json(&expected))
        .respond_with(json_response(200, &json!({
            "id": "msg_01Answer", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "It is 18 °C in Paris."}],
            "stop_reason": "end_turn", "stop_sequence": null, "usage": {"input_tokens": 520, "output_tokens": 12}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let resp = client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(resp.text(), "It is 18 °C in Paris.");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
}

#[tokio::test]
async fn streamed_thinking_and_parallel_calls_go_back_signed_and_first() {
    let first = ChatRequest::new(
        "claude-sonnet-4-5",
        vec![Message::user("Weather in Paris and Lyon?")],
    )
    .with_tools([weather_tool()])
    .with_max_tokens(16000)
    .with_extra(
        "thinking",
        json!({"type": "enabled", "budget_tokens": 10000}),
    );
    let server = MockServer::start().await;
    messages_post()
        .respond_with(sse_response(&fixtures().text("stream_thinking_tools.sse")))
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(first.clone())
        .await
        .unwrap();
    let resp = collect_stream(stream).await.unwrap();
    let assistant = resp.message().unwrap().clone();
    assert_eq!(
        assistant.reasoning_content.as_deref(),
        Some("The user wants the weather in Paris and Lyon — two calls. 🌦")
    );
    assert_eq!(assistant.reasoning_details.len(), 2);
    assert_eq!(assistant.reasoning_details[0].kind, ReasoningKind::Text);
    assert_eq!(
        assistant.reasoning_details[0].signature.as_deref(),
        Some(THINKING_SIGNATURE)
    );
    assert_eq!(
        assistant.reasoning_details[1].kind,
        ReasoningKind::Encrypted
    );
    let ids: Vec<&str> = assistant.tool_calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["toolu_01Paris", "toolu_01Lyon"]);

    // The assistant message travels as OpenAI JSON (a gateway client sends it back).
    let assistant: Message =
        serde_json::from_value(serde_json::to_value(&assistant).unwrap()).unwrap();
    let mut messages = first.messages.clone();
    messages.push(assistant);
    messages.push(Message::tool("toolu_01Paris", "18 °C"));
    messages.push(Message::tool("toolu_01Lyon", "21 °C"));
    messages.push(Message::user("Which is warmer?"));
    let second = ChatRequest { messages, ..first };
    let expected = json!({
        "model": "claude-sonnet-4-5", "max_tokens": 16000, "tools": tool_json(),
        "thinking": {"type": "enabled", "budget_tokens": 10000},
        "messages": [
            {"role": "user", "content": "Weather in Paris and Lyon?"},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "The user wants the weather in Paris and Lyon — two calls. 🌦", "signature": THINKING_SIGNATURE},
                {"type": "redacted_thinking", "data": REDACTED},
                {"type": "text", "text": "Checking both cities…"},
                {"type": "tool_use", "id": "toolu_01Paris", "name": "get_weather", "input": {"city": "Paris"}},
                {"type": "tool_use", "id": "toolu_01Lyon", "name": "get_weather", "input": {"city": "Lyon"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01Paris", "content": "18 °C"},
                {"type": "tool_result", "tool_use_id": "toolu_01Lyon", "content": "21 °C"},
                {"type": "text", "text": "Which is warmer?"}
            ]}
        ]
    });
    assert_valid_request(&expected, true);
    let server = MockServer::start().await;
    messages_post()
        .and(body_json(&expected))
        .respond_with(json_response(200, &fixtures().json("message_text.json")))
        .expect(1)
        .mount(&server)
        .await;
    client(&server.uri()).chat(second).await.unwrap();
}

#[tokio::test]
async fn thinking_in_a_whole_response_is_kept_for_the_next_turn() {
    let server = MockServer::start().await;
    messages_post()
        .respond_with(json_response(
            200,
            &fixtures().json("message_thinking.json"),
        ))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let resp = c
        .chat(ChatRequest::new("m", vec![Message::user("Weather?")]))
        .await
        .unwrap();
    let m = resp.message().unwrap();
    assert_eq!(
        m.reasoning_content.as_deref(),
        Some("The user wants the weather in Paris. I should call get_weather.")
    );
    let details = serde_json::to_value(&m.reasoning_details).unwrap();
    assert_eq!(
        details,
        json!([
            {"type": "reasoning.text", "text": "The user wants the weather in Paris. I should call get_weather.",
             "signature": THINKING_SIGNATURE, "format": "anthropic-claude-v1", "index": 0},
            {"type": "reasoning.encrypted", "data": REDACTED, "format": "anthropic-claude-v1", "index": 1}
        ])
    );
    assert_eq!(m.text(), "Let me look that up.");
    assert_eq!(m.tool_calls[0].id, "toolu_01ThinkTool");

    let next = ChatRequest::new(
        "m",
        vec![
            Message::user("Weather?"),
            m.clone(),
            Message::tool("toolu_01ThinkTool", "sunny"),
        ],
    );
    let body = c.request_body(&next, false).unwrap();
    assert_eq!(
        body["messages"][1]["content"],
        json!([
            {"type": "thinking", "thinking": "The user wants the weather in Paris. I should call get_weather.", "signature": THINKING_SIGNATURE},
            {"type": "redacted_thinking", "data": REDACTED},
            {"type": "text", "text": "Let me look that up."},
            {"type": "tool_use", "id": "toolu_01ThinkTool", "name": "get_weather", "input": {"city": "Paris"}}
        ])
    );
    assert_valid_request(&body, true);
}
