//! Image generation.

use std::sync::Arc;

use llm_router::gateway::Gateway;
use llm_router::mock::MockProvider;
use serde_json::json;

use crate::gateway::support::{Server, json, post};

#[tokio::test]
async fn generates_images_and_passes_options_on() {
    let mock = MockProvider::new();
    let server = Server::start(
        Gateway::builder()
            .image_model_as("draw", Arc::new(mock.clone()), "gpt-image-1")
            .build(),
    )
    .await;
    let body = json(
        post(
            &server,
            "/v1/images/generations",
            &json!({"model": "draw", "prompt": "a red square", "n": 1, "size": "1024x1024", "background": "transparent"}),
        )
        .await,
    )
    .await;
    assert!(body["created"].as_u64().is_some());
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert!(data[0]["b64_json"].is_string() || data[0]["url"].is_string());
    let sent = mock.image_requests().pop().unwrap();
    assert_eq!(sent.model.as_deref(), Some("gpt-image-1"));
    assert_eq!(sent.size.as_deref(), Some("1024x1024"));
    assert_eq!(sent.extra["background"], "transparent");

    // With one image model, `model` may be left out.
    let resp = post(
        &server,
        "/v1/images/generations",
        &json!({"prompt": "a cat"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let resp = post(&server, "/v1/images/generations", &json!({"model": "draw"})).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"]["param"], "prompt");
}

#[tokio::test]
async fn model_is_required_with_several_image_models() {
    let mock = Arc::new(MockProvider::new());
    let server = Server::start(
        Gateway::builder()
            .image_model("a", mock.clone())
            .image_model("b", mock)
            .build(),
    )
    .await;
    let resp = post(
        &server,
        "/v1/images/generations",
        &json!({"prompt": "a cat"}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(json(resp).await["error"]["param"], "model");
    let resp = post(
        &server,
        "/v1/images/generations",
        &json!({"model": "c", "prompt": "x"}),
    )
    .await;
    assert_eq!(resp.status(), 404);
}
