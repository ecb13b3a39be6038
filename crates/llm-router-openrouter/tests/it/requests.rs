//! Exact requests OpenRouter receives: attribution headers, routing extras, reasoning sent
//! back with tool-call ids intact, vision, embeddings.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, InputType,
    Message, ToolChoice, ToolDefinition,
};
use llm_router_testkit::wire::{json_response, only_request_json};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

async fn expect_post(p: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Get current weather",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    )
}

fn weather_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "get_weather", "description": "Get current weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}})
}

#[tokio::test]
async fn attribution_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .and(header("http-referer", "https://myapp.example.com"))
        .and(header("x-openrouter-title", "My App"))
        .and(header("x-title", "My App"))
        .respond_with(json_response(200, &fixtures().json("chat_documented.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_openrouter::builder()
        .api_key(KEY)
        .base_url(format!("{}/api/v1", server.uri()))
        .app_url("https://myapp.example.com")
        .app_name("My App")
        .build()
        .unwrap();
    let r = c
        .chat(ChatRequest::new("openai/gpt-4o", vec![Message::user("x")]))
        .await
        .unwrap();
    assert_eq!(r.extra["provider"], "OpenAI");
    assert_eq!(r.choices[0].extra["native_finish_reason"], "stop");
    assert_eq!(r.usage.unwrap().extra["cost"], 0.000165);
}

#[tokio::test]
async fn routing_preferences_and_extras_pass_through_unchanged() {
    let req = ChatRequest::new("openai/gpt-4o", vec![Message::user("What is the meaning of life?")])
        .with_max_tokens(100)
        .with_extra(
            "provider",
            json!({"order": ["openai", "together"], "allow_fallbacks": false, "require_parameters": true,
                   "data_collection": "deny", "ignore": ["deepinfra"], "sort": "throughput"}),
        )
        .with_extra("models", json!(["anthropic/claude-3.5-sonnet", "gryphe/mythomax-l2-13b"]))
        .with_extra("route", "fallback")
        .with_extra("transforms", json!(["middle-out"]))
        .with_extra("reasoning", json!({"effort": "high", "exclude": false}))
        .with_extra("usage", json!({"include": true}));
    let server = expect_post(
        "/api/v1/chat/completions",
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({
            "model": "openai/gpt-4o",
            "messages": [{"role": "user", "content": "What is the meaning of life?"}],
            "max_tokens": 100,
            "provider": {"order": ["openai", "together"], "allow_fallbacks": false, "require_parameters": true,
                         "data_collection": "deny", "ignore": ["deepinfra"], "sort": "throughput"},
            "models": ["anthropic/claude-3.5-sonnet", "gryphe/mythomax-l2-13b"],
            "route": "fallback",
            "transforms": ["middle-out"],
            "reasoning": {"effort": "high", "exclude": false},
            "usage": {"include": true},
            "stream": false
        })
    );
}

/// user → tool call (with signed reasoning) → tool result → answer: the second request
/// carries the call id unchanged and the reasoning blocks unmodified, as OpenRouter's
/// "Preserving reasoning blocks" asks.
#[tokio::test]
async fn tool_conversation_keeps_ids_and_reasoning_blocks() {
    let user = Message::user("What's the weather like in Boston? Then recommend what to wear.");
    let first = ChatRequest::new("anthropic/claude-sonnet-4.5", vec![user.clone()])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Auto)
        .with_extra("reasoning", json!({"max_tokens": 2000}));
    let server = expect_post(
        "/api/v1/chat/completions",
        json_response(200, &fixtures().json("chat_tool_call_reasoning.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "anthropic/claude-sonnet-4.5",
               "messages": [{"role": "user", "content": "What's the weather like in Boston? Then recommend what to wear."}],
               "tools": [weather_tool_json()], "tool_choice": "auto",
               "reasoning": {"max_tokens": 2000}, "stream": false})
    );
    let call = resp.message().unwrap().clone();
    assert_eq!(
        call.reasoning_content.as_deref(),
        Some(
            "The user wants Boston's weather; I should call get_weather before recommending clothes."
        )
    );
    assert_eq!(call.reasoning_details.len(), 2);
    assert_eq!(call.tool_calls[0].id, "toolu_01Ud8Pqc2k3VgCcvwd8oKp1h");

    let second = ChatRequest::new(
        "anthropic/claude-sonnet-4.5",
        vec![
            user,
            call.clone(),
            Message::tool(
                call.tool_calls[0].id.clone(),
                r#"{"temperature": 45, "condition": "rainy", "humidity": 85}"#,
            ),
        ],
    )
    .with_tools([weather_tool()]);
    let server = expect_post(
        "/api/v1/chat/completions",
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "anthropic/claude-sonnet-4.5",
               "messages": [
                   {"role": "user", "content": "What's the weather like in Boston? Then recommend what to wear."},
                   {"role": "assistant", "content": "I'll check the weather in Boston first.",
                    "reasoning_content": "The user wants Boston's weather; I should call get_weather before recommending clothes.",
                    "reasoning_details": [
                        {"type": "reasoning.text", "text": "The user wants Boston's weather; I should call get_weather before recommending clothes.",
                         "signature": "EqoBCkgIBRABGAIiQL2Z3kJ5mJ8x0Q", "format": "anthropic-claude-v1", "index": 0},
                        {"type": "reasoning.encrypted", "data": "eyJlbmNyeXB0ZWQiOiJ0cnVlIiwiY29udGVudCI6IltSRURBQ1RFRF0ifQ==",
                         "id": "reasoning-encrypted-1", "format": "anthropic-claude-v1", "index": 1}
                    ],
                    "tool_calls": [{"id": "toolu_01Ud8Pqc2k3VgCcvwd8oKp1h", "index": 0, "type": "function",
                                    "function": {"name": "get_weather", "arguments": "{\"location\": \"Boston\"}"}}]},
                   {"role": "tool", "tool_call_id": "toolu_01Ud8Pqc2k3VgCcvwd8oKp1h",
                    "content": "{\"temperature\": 45, \"condition\": \"rainy\", \"humidity\": 85}"}
               ],
               "tools": [weather_tool_json()], "stream": false})
    );
}

#[tokio::test]
async fn image_parts_are_sent_in_openai_form() {
    let req = ChatRequest::new(
        "google/gemini-2.5-flash",
        vec![Message::user(vec![
            ContentPart::text("What's in this image?"),
            ContentPart::image_url("https://upload.wikimedia.org/wikipedia/commons/boardwalk.jpg"),
        ])],
    );
    let server = expect_post(
        "/api/v1/chat/completions",
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "google/gemini-2.5-flash",
               "messages": [{"role": "user", "content": [
                   {"type": "text", "text": "What's in this image?"},
                   {"type": "image_url", "image_url": {"url": "https://upload.wikimedia.org/wikipedia/commons/boardwalk.jpg"}}
               ]}],
               "stream": false})
    );
}

#[tokio::test]
async fn embeddings_with_input_type_and_routing() {
    let mut req = EmbeddingRequest::new("openai/text-embedding-3-small", vec!["hello", "world"]);
    req.dimensions = Some(3);
    req.input_type = Some(InputType::Query);
    req.extra
        .insert("provider".into(), json!({"allow_fallbacks": true}));
    let server = expect_post(
        "/api/v1/embeddings",
        json_response(200, &fixtures().json("embeddings.json")),
    )
    .await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "openai/text-embedding-3-small", "input": ["hello", "world"], "dimensions": 3,
               "input_type": "search_query", "provider": {"allow_fallbacks": true}})
    );
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.usage.unwrap().prompt_tokens, 4);
}
