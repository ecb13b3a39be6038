//! Per-key limits: requests per minute, concurrency, tokens per minute; the caller's name
//! travels to the provider stack.

use std::sync::Arc;

use llm_router::gateway::{CallerKey, Gateway};
use llm_router::mock::MockProvider;
use serde_json::{Value, json};

use crate::gateway::support::{Gated, Server, SseReader, client, json, within};

fn ask(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hi"}]})
}

async fn call(server: &Server, key: &str, body: &Value) -> llm_router_http::reqwest::Response {
    client()
        .post(server.url("/v1/chat/completions"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn requests_per_minute_is_per_key_with_retry_after() {
    let mock = MockProvider::new();
    let gateway = Gateway::builder()
        .chat_model("m", Arc::new(mock.clone()))
        .embedding_model("e", Arc::new(mock.clone()))
        .caller_key(CallerKey::from_secret("a", "sk-a").requests_per_minute(2))
        .caller_key(CallerKey::from_secret("b", "sk-b").requests_per_minute(2))
        .build();
    let server = Server::start(gateway).await;
    assert_eq!(call(&server, "sk-a", &ask("m")).await.status(), 200);
    // Embeddings share the key's budget.
    let resp = client()
        .post(server.url("/v1/embeddings"))
        .bearer_auth("sk-a")
        .json(&json!({"model": "e", "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = call(&server, "sk-a", &ask("m")).await;
    assert_eq!(resp.status(), 429);
    let secs: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((29..=30).contains(&secs), "{secs}");
    assert!(resp.headers().contains_key("retry-after-ms"));
    let body = json(resp).await;
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");

    // Key b has its own budget.
    assert_eq!(call(&server, "sk-b", &ask("m")).await.status(), 200);
    // The caller's name reached the provider for layers that scope by caller.
    let sent = mock.last_request().unwrap();
    let caller = sent
        .extensions
        .get::<llm_router::limiter::CallerKey>()
        .unwrap();
    assert_eq!(caller.0, "b");
}

#[tokio::test]
async fn concurrency_counts_a_stream_until_it_ends() {
    let gated = Gated::default();
    let gateway = Gateway::builder()
        .chat_model("slow", Arc::new(gated.clone()))
        .caller_key(CallerKey::from_secret("a", "sk-a").concurrency(1))
        .build();
    let server = Server::start(gateway).await;
    let mut body = ask("slow");
    body["stream"] = json!(true);
    let mut first = SseReader::new(call(&server, "sk-a", &body).await);
    within("first chunk", first.next()).await.unwrap();

    let resp = call(&server, "sk-a", &body).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(
        json(resp).await["error"]["code"],
        "concurrency_limit_exceeded"
    );

    gated.release();
    assert_eq!(within("end", first.rest()).await.last().unwrap(), "[DONE]");
    let second = call(&server, "sk-a", &body).await;
    assert_eq!(second.status(), 200);
    drop(second);
}

#[tokio::test]
async fn tokens_per_minute_refuses_once_spent() {
    let mock = MockProvider::new();
    let gateway = Gateway::builder()
        .chat_model("m", Arc::new(mock))
        .caller_key(CallerKey::from_secret("a", "sk-a").tokens_per_minute(100))
        .build();
    let server = Server::start(gateway).await;
    let long =
        json!({"model": "m", "messages": [{"role": "user", "content": "word ".repeat(200)}]});
    assert_eq!(call(&server, "sk-a", &long).await.status(), 200);
    let resp = call(&server, "sk-a", &long).await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let body = json(resp).await;
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tokens")
    );
}
