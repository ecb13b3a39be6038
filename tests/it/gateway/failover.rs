//! Real OpenAI clients against wiremock upstreams, behind a router: failover when one
//! upstream answers 500, exact bodies sent upstream, streams passed through.

use std::sync::Arc;

use llm_router::gateway::Gateway;
use llm_router::routing::{Deployment, ModelGroup, Ordered, Router};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::gateway::support::{Server, SseReader, json, post};

fn openai(upstream: &MockServer, key: &str) -> llm_router::SharedChat {
    Arc::new(
        llm_router::openai::builder()
            .api_key(key)
            .base_url(format!("{}/v1", upstream.uri()))
            .build()
            .unwrap(),
    )
}

fn completion(text: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    })
}

async fn gateway(primary: &MockServer, secondary: &MockServer) -> Server {
    let router = Router::builder()
        .group(
            ModelGroup::new("fast")
                .deployment(
                    Deployment::new(openai(primary, "sk-primary"), "gpt-4o-mini")
                        .with_id("primary"),
                )
                .deployment(
                    Deployment::new(openai(secondary, "sk-secondary"), "gpt-4o-mini")
                        .with_id("secondary"),
                )
                .strategy(Ordered),
        )
        .build()
        .unwrap();
    Server::start(
        Gateway::builder()
            .chat_model("fast", Arc::new(router))
            .build(),
    )
    .await
}

#[tokio::test]
async fn fails_over_to_the_second_upstream_when_the_first_returns_500() {
    let primary = MockServer::start().await;
    let secondary = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"error": {"message": "boom", "type": "server_error"}})),
        )
        .expect(1)
        .mount(&primary)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-secondary"))
        .and(body_partial_json(json!({"model": "gpt-4o-mini", "top_k": 3, "messages": [{"role": "user", "content": "hi"}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion("from secondary")))
        .expect(1)
        .mount(&secondary)
        .await;
    let server = gateway(&primary, &secondary).await;
    let resp = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "fast", "top_k": 3, "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    assert_eq!(body["choices"][0]["message"]["content"], "from secondary");
    assert_eq!(body["model"], "fast");
    assert_eq!(body["usage"]["total_tokens"], 7);
}

#[tokio::test]
async fn both_upstreams_down_is_a_502_without_keys_in_it() {
    let primary = MockServer::start().await;
    let secondary = MockServer::start().await;
    for upstream in [&primary, &secondary] {
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(503).set_body_json(
                    json!({"error": {"message": "overloaded", "type": "server_error"}}),
                ),
            )
            .mount(upstream)
            .await;
    }
    let server = gateway(&primary, &secondary).await;
    let resp = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "fast", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(resp.status(), 502);
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains("sk-primary") && !text.contains("sk-secondary"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["type"], "server_error");
}

#[tokio::test]
async fn streams_fail_over_before_the_first_chunk_and_pass_through() {
    let primary = MockServer::start().await;
    let secondary = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&primary)
        .await;
    let sse = [
        json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]}),
        json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]}),
        json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}),
    ]
    .iter()
    .map(|c| format!("data: {c}\n\n"))
    .collect::<String>()
        + "data: [DONE]\n\n";
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"stream": true, "stream_options": {"include_usage": true}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sse, "text/event-stream"))
        .mount(&secondary)
        .await;
    let server = gateway(&primary, &secondary).await;

    // The client did not ask for usage: the adapter asked upstream anyway, the gateway
    // keeps it off the client's stream.
    let resp = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "fast", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let events = SseReader::new(resp).rest().await;
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert_eq!(chunks.len(), 2, "{events:?}");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "Hello");
    assert!(
        chunks
            .iter()
            .all(|c| c["model"] == "fast" && c.get("usage").is_none())
    );
}
