//! `POST /v1/messages`: Anthropic's wire format over the same models, keys and streams.

use std::sync::Arc;

use llm_router::gateway::{CallerKey, Gateway};
use llm_router::mock::MockProvider;
use llm_router::tokens::{Encoding, TiktokenCounter, TokenCounter as _, openai_tool_tokens};
use llm_router::{Message, ToolDefinition};
use serde_json::{Value, json};

use crate::gateway::support::{Server, SseReader, client, json};

fn gateway(mock: &MockProvider) -> Gateway {
    Gateway::builder()
        .chat_model("claude-fast", Arc::new(mock.clone()))
        .chat_model("claude-native", Arc::new(mock.clone()))
        .keep_anthropic_fields("claude-native")
        .caller_key(CallerKey::from_secret("a", "sk-ant-test"))
        .build()
}

async fn send(
    server: &Server,
    key: Option<&str>,
    body: &Value,
) -> llm_router_http::reqwest::Response {
    let mut rb = client()
        .post(server.url("/v1/messages"))
        .header("anthropic-version", "2023-06-01")
        .json(body);
    if let Some(k) = key {
        rb = rb.header("x-api-key", k);
    }
    rb.send().await.unwrap()
}

fn ask(model: &str) -> Value {
    json!({"model": model, "max_tokens": 100, "messages": [{"role": "user", "content": "hello"}]})
}

#[tokio::test]
async fn answers_in_anthropic_shape() {
    let mock = MockProvider::new().reply("hello", "Hi there!");
    let server = Server::start(gateway(&mock)).await;
    let resp = send(&server, Some("sk-ant-test"), &ask("claude-fast")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("x-request-id"));
    let body = json(resp).await;
    assert_eq!(body["type"], "message");
    assert_eq!(body["role"], "assistant");
    assert_eq!(body["model"], "claude-fast");
    assert_eq!(
        body["content"][0],
        json!({"type": "text", "text": "Hi there!"})
    );
    assert_eq!(body["stop_reason"], "end_turn");
    assert!(body["usage"]["input_tokens"].as_u64().unwrap() > 0);

    // `Authorization: Bearer` works too.
    let resp = client()
        .post(server.url("/v1/messages"))
        .bearer_auth("sk-ant-test")
        .json(&ask("claude-fast"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn streams_anthropic_events_with_usage() {
    let mock = MockProvider::new().reply("hello", "Hi there, friend!");
    let server = Server::start(gateway(&mock)).await;
    let mut body = ask("claude-fast");
    body["stream"] = json!(true);
    let resp = send(&server, Some("sk-ant-test"), &body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let events: Vec<Value> = SseReader::new(resp)
        .rest()
        .await
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"message_start"));
    assert_eq!(types.last(), Some(&"message_stop"));
    assert!(types.contains(&"content_block_start") && types.contains(&"content_block_stop"));
    let text: String = events
        .iter()
        .filter(|e| e["type"] == "content_block_delta")
        .filter_map(|e| e["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, "Hi there, friend!");
    assert_eq!(events[0]["message"]["model"], "claude-fast");
    let delta = events
        .iter()
        .find(|e| e["type"] == "message_delta")
        .unwrap();
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert!(
        delta["usage"]["output_tokens"].as_u64().unwrap() > 0,
        "{delta}"
    );
}

#[tokio::test]
async fn errors_are_in_anthropic_shape() {
    let mock = MockProvider::new();
    let server = Server::start(gateway(&mock)).await;
    let resp = send(&server, None, &ask("claude-fast")).await;
    assert_eq!(resp.status(), 401);
    let body = json(resp).await;
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");

    let resp = send(&server, Some("sk-ant-test"), &ask("nope")).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(json(resp).await["error"]["type"], "not_found_error");

    let resp = send(
        &server,
        Some("sk-ant-test"),
        &json!({"model": "claude-fast", "messages": []}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"]["type"], "invalid_request_error");

    let resp = client()
        .post(server.url("/v1/messages"))
        .header("x-api-key", "sk-ant-test")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["type"], "error");
}

#[tokio::test]
async fn anthropic_only_fields_reach_only_native_models() {
    let mock = MockProvider::new();
    let server = Server::start(gateway(&mock)).await;
    let with_thinking = |model: &str| {
        let mut b = ask(model);
        b["thinking"] = json!({"type": "enabled", "budget_tokens": 2048});
        b["top_k"] = json!(5);
        b
    };
    assert_eq!(
        send(&server, Some("sk-ant-test"), &with_thinking("claude-fast"))
            .await
            .status(),
        200
    );
    let sent = mock.last_request().unwrap();
    assert!(!sent.extra.contains_key("thinking"));
    assert_eq!(sent.extra["top_k"], 5);

    assert_eq!(
        send(
            &server,
            Some("sk-ant-test"),
            &with_thinking("claude-native")
        )
        .await
        .status(),
        200
    );
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.extra["thinking"]["budget_tokens"], 2048);
}

async fn count(
    server: &Server,
    key: Option<&str>,
    body: &str,
) -> llm_router_http::reqwest::Response {
    let mut rb = client()
        .post(server.url("/v1/messages/count_tokens"))
        .header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(k) = key {
        rb = rb.header("x-api-key", k);
    }
    rb.send().await.unwrap()
}

/// A Messages body without `max_tokens`, with a system prompt and a tool.
fn count_body(model: &str) -> String {
    json!({
        "model": model,
        "system": "You are a terse assistant.",
        "messages": [{"role": "user", "content": "What is the weather in Paris today?"}],
        "tools": [{
            "name": "get_weather",
            "description": "Get the current weather.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "The city."},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
                },
                "required": ["city"]
            }
        }]
    })
    .to_string()
}

/// The same request counted by hand with llm-router-tokens (OpenAI's accounting).
fn expected_count(encoding: Encoding) -> u64 {
    let messages = [
        Message::system("You are a terse assistant."),
        Message::user("What is the weather in Paris today?"),
    ];
    let tool = ToolDefinition::function(
        "get_weather",
        "Get the current weather.",
        json!({"type": "object", "properties": {
            "city": {"type": "string", "description": "The city."},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
        }}),
    );
    let n = TiktokenCounter::new(encoding).count_messages(&messages)
        + openai_tool_tokens(encoding, &[tool]);
    n as u64
}

fn count_gateway(mock: &MockProvider) -> Gateway {
    Gateway::builder()
        .chat_model("gpt-4o-mini", Arc::new(mock.clone()))
        .chat_model("claude-fast", Arc::new(mock.clone()))
        .chat_model_as("legacy", Arc::new(mock.clone()), "gpt-4")
        .caller_key(CallerKey::from_secret("a", "sk-ant-test"))
        .build()
}

#[tokio::test]
async fn count_tokens_counts_locally_with_the_upstream_models_encoding() {
    let mock = MockProvider::new();
    let server = Server::start(count_gateway(&mock)).await;
    let o200k = expected_count(Encoding::O200kBase);
    let cl100k = expected_count(Encoding::Cl100kBase);
    // The tool overhead alone differs (10 per function for gpt-4, 7 for gpt-4o).
    assert_ne!(o200k, cl100k);

    for (model, want) in [
        ("gpt-4o-mini", o200k),
        // Not an OpenAI model: the o200k fallback, an estimate.
        ("claude-fast", o200k),
        // Counted with the encoding of the model sent upstream.
        ("legacy", cl100k),
    ] {
        let resp = count(&server, Some("sk-ant-test"), &count_body(model)).await;
        assert_eq!(resp.status(), 200, "{model}");
        assert!(resp.headers().contains_key("x-request-id"));
        assert_eq!(json(resp).await, json!({"input_tokens": want}), "{model}");
    }
    // `Authorization: Bearer` works too, and `max_tokens` may be given.
    let mut with_max: Value = serde_json::from_str(&count_body("gpt-4o-mini")).unwrap();
    with_max["max_tokens"] = json!(50);
    let resp = client()
        .post(server.url("/v1/messages/count_tokens"))
        .bearer_auth("sk-ant-test")
        .json(&with_max)
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await["input_tokens"], o200k);
    // Nothing went upstream.
    assert!(mock.last_request().is_none());
}

#[tokio::test]
async fn count_tokens_errors_are_in_anthropic_shape() {
    let mock = MockProvider::new();
    let server = Server::start(count_gateway(&mock)).await;

    let resp = count(&server, None, &count_body("gpt-4o-mini")).await;
    assert_eq!(resp.status(), 401);
    let body = json(resp).await;
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");

    let resp = count(&server, Some("sk-wrong"), &count_body("gpt-4o-mini")).await;
    assert_eq!(resp.status(), 401);

    let resp = count(&server, Some("sk-ant-test"), &count_body("nope")).await;
    assert_eq!(resp.status(), 404);
    let body = json(resp).await;
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "not_found_error");

    for bad in [
        "{not json",
        r#"{"model": "gpt-4o-mini"}"#,
        r#"{"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "x"}]}"#,
    ] {
        let resp = count(&server, Some("sk-ant-test"), bad).await;
        assert_eq!(resp.status(), 400, "{bad}");
        let body = json(resp).await;
        assert_eq!(body["type"], "error", "{bad}");
        assert_eq!(body["error"]["type"], "invalid_request_error", "{bad}");
    }
    assert!(mock.last_request().is_none());
}
