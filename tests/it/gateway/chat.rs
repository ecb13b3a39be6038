//! Non-streamed chat: answers, unknown fields passed through, tools, image parts, aliases.

use std::sync::Arc;

use llm_router::ContentPart;
use llm_router::gateway::Gateway;
use llm_router::mock::MockProvider;
use serde_json::json;

use crate::gateway::support::{Server, json, post};

#[tokio::test]
async fn chat_answers_in_openai_shape_and_passes_unknown_fields_on() {
    let mock = MockProvider::new().reply("hello", "Hi there!");
    let server = Server::start(
        Gateway::builder()
            .chat_model("fast", Arc::new(mock.clone()))
            .build(),
    )
    .await;
    let resp = post(
        &server,
        "/v1/chat/completions",
        &json!({
            "model": "fast",
            "messages": [{"role": "user", "content": "hello"}],
            "temperature": 0.5,
            "top_k": 40,
            "vendor_thing": {"a": [1, 2]}
        }),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert!(resp.headers().contains_key("x-request-id"));
    let body = json(resp).await;
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "fast");
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
    assert_eq!(body["choices"][0]["message"]["content"], "Hi there!");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert!(body["usage"]["total_tokens"].as_u64().unwrap() > 0);

    let sent = mock.last_request().unwrap();
    assert_eq!(sent.model, "fast");
    assert_eq!(sent.temperature, Some(0.5));
    assert_eq!(sent.extra["top_k"], 40);
    assert_eq!(sent.extra["vendor_thing"], json!({"a": [1, 2]}));
}

#[tokio::test]
async fn chat_model_as_sends_the_upstream_name_and_answers_with_the_alias() {
    let mock = MockProvider::new();
    let gateway = Gateway::builder()
        .chat_model_as("smart", Arc::new(mock.clone()), "vendor-large-2025")
        .build();
    let server = Server::start(gateway).await;
    let body = json(
        post(
            &server,
            "/v1/chat/completions",
            &json!({"model": "smart", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(body["model"], "smart");
    assert_eq!(mock.last_request().unwrap().model, "vendor-large-2025");
}

#[tokio::test]
async fn tools_are_offered_and_tool_calls_come_back() {
    let mock = MockProvider::new().call_tool_when("weather", "get_weather");
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(mock.clone()))
            .build(),
    )
    .await;
    let body = json(
        post(
            &server,
            "/v1/chat/completions",
            &json!({
                "model": "m",
                "messages": [{"role": "user", "content": "weather in Paris?"}],
                "tools": [{"type": "function", "function": {
                    "name": "get_weather",
                    "description": "Current weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
                }}],
                "tool_choice": "auto"
            }),
        )
        .await,
    )
    .await;
    let choice = &body["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    let call = &choice["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "get_weather");
    let args: serde_json::Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert!(args["city"].is_string());
    assert_eq!(mock.last_request().unwrap().tools.len(), 1);

    // The tool result goes back in the next turn.
    let body = json(
        post(
            &server,
            "/v1/chat/completions",
            &json!({
                "model": "m",
                "messages": [
                    {"role": "user", "content": "weather in Paris?"},
                    {"role": "assistant", "content": null, "tool_calls": [call]},
                    {"role": "tool", "tool_call_id": call["id"], "content": "{\"temp\": 21}"}
                ]
            }),
        )
        .await,
    )
    .await;
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.messages.len(), 3);
    assert_eq!(
        sent.messages[2].tool_call_id.as_deref(),
        call["id"].as_str()
    );
}

#[tokio::test]
async fn image_parts_reach_the_provider() {
    let mock = MockProvider::new();
    let server = Server::start(
        Gateway::builder()
            .chat_model("vision", Arc::new(mock.clone()))
            .build(),
    )
    .await;
    let resp = post(
        &server,
        "/v1/chat/completions",
        &json!({
            "model": "vision",
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}
            ]}]
        }),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let sent = mock.last_request().unwrap();
    let content = sent.messages[0].content.as_ref().unwrap();
    assert!(content.has_images());
    let parts = content.parts();
    let ContentPart::ImageUrl { image_url, .. } = &parts[1] else {
        panic!("{parts:?}")
    };
    assert_eq!(image_url.as_data_url(), Some(("image/png", "iVBORw0KGgo=")));
}

#[tokio::test]
async fn the_client_request_id_is_echoed_and_one_is_made_otherwise() {
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(MockProvider::new()))
            .build(),
    )
    .await;
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    let resp = crate::gateway::support::client()
        .post(server.url("/v1/chat/completions"))
        .header("x-request-id", "trace-abc-123")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-abc-123");
    // Errors carry it too.
    let resp = crate::gateway::support::client()
        .post(server.url("/v1/chat/completions"))
        .header("x-request-id", "trace-abc-124")
        .json(&json!({"model": "nope", "messages": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["x-request-id"], "trace-abc-124");
    let a = post(&server, "/v1/chat/completions", &body).await;
    let b = post(&server, "/v1/chat/completions", &body).await;
    assert_ne!(a.headers()["x-request-id"], b.headers()["x-request-id"]);
}

#[tokio::test]
async fn http2_cleartext_works_for_chat_and_streams() {
    let server = Server::start(
        Gateway::builder()
            .chat_model("m", Arc::new(MockProvider::new()))
            .build(),
    )
    .await;
    llm_router_http::ensure_crypto_provider();
    let h2 = llm_router_http::reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let resp = h2
        .post(server.url("/v1/chat/completions"))
        .json(&json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.version(), llm_router_http::reqwest::Version::HTTP_2);
    assert_eq!(resp.status(), 200);
    let resp = h2
        .post(server.url("/v1/chat/completions"))
        .json(
            &json!({"model": "m", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
        )
        .send()
        .await
        .unwrap();
    let events = crate::gateway::support::SseReader::new(resp).rest().await;
    assert_eq!(events.last().unwrap(), "[DONE]");
}
