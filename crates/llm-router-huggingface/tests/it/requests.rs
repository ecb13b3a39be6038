//! Exact chat request bodies the router receives.

use llm_router_core::{ChatProvider, ChatRequest, Message, ToolChoice, ToolDefinition};
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
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
        "Get current temperature for a given location.",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    )
}

fn weather_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "get_weather",
        "description": "Get current temperature for a given location.",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}})
}

#[tokio::test]
async fn provider_suffixed_model_ids_pass_through_unchanged() {
    for model in [
        "meta-llama/Llama-3.1-8B-Instruct:novita",
        "deepseek-ai/DeepSeek-R1:fastest",
        "openai/gpt-oss-120b",
    ] {
        let server = expect_post(
            "/v1/chat/completions",
            json_response(200, &fixtures().json("chat_answer.json")),
        )
        .await;
        let mut req = ChatRequest::new(model, vec![Message::user("Hi")]);
        // Either limit field reaches the router as `max_tokens`.
        if model.ends_with(":fastest") {
            req.max_completion_tokens = Some(64);
        } else {
            req.max_tokens = Some(64);
        }
        client(&server.uri()).chat(req).await.unwrap();
        assert_eq!(
            only_request_json(&server).await,
            json!({"model": model, "messages": [{"role": "user", "content": "Hi"}],
                   "max_tokens": 64, "stream": false})
        );
    }
}

#[tokio::test]
async fn streaming_request_asks_for_usage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("accept", "text/event-stream"))
        .respond_with(sse_response(&fixtures().text("stream.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let req = ChatRequest::new(
        "meta-llama/Llama-3.1-8B-Instruct:novita",
        vec![Message::user("Hello")],
    );
    let stream = client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "meta-llama/Llama-3.1-8B-Instruct:novita",
               "messages": [{"role": "user", "content": "Hello"}],
               "stream": true, "stream_options": {"include_usage": true}})
    );
    assert_eq!(resp.text(), "Hello! How can I help? 🤗");
}

/// user → tool call → tool result → answer, with the call id intact in the second request.
#[tokio::test]
async fn tool_conversation_keeps_ids_intact() {
    let model = "meta-llama/Llama-3.1-8B-Instruct:novita";
    let user = Message::user("What's the weather like in Paris today?");
    let first = ChatRequest::new(model, vec![user.clone()])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_tool_call.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    let call = resp.message().unwrap().clone();
    assert_eq!(call.tool_calls[0].id, "call_4f1b8e2c9a");

    let second = ChatRequest::new(
        model,
        vec![
            user,
            call.clone(),
            Message::tool(call.tool_calls[0].id.clone(), "18°C, sunny"),
        ],
    )
    .with_tools([weather_tool()]);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_answer.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": model,
               "messages": [
                   {"role": "user", "content": "What's the weather like in Paris today?"},
                   {"role": "assistant",
                    "tool_calls": [{"id": "call_4f1b8e2c9a", "type": "function",
                                    "function": {"name": "get_weather", "arguments": "{\"location\": \"Paris\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_4f1b8e2c9a", "content": "18°C, sunny"}
               ],
               "tools": [weather_tool_json()], "stream": false})
    );
    assert_eq!(resp.text(), "It is 18°C and sunny in Paris.");
}
