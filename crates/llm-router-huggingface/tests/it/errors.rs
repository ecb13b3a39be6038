//! The model-loading 503, and that the token never leaks.

use std::time::Duration;

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, ErrorKind, Message,
};
use llm_router_testkit::wire::json_response;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, client, fixtures};

const PATH: &str =
    "/hf-inference/models/intfloat/multilingual-e5-large/pipeline/feature-extraction";

#[tokio::test]
async fn model_loading_503_waits_the_estimated_time() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(json_response(503, &fixtures().json("model_loading.json")))
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .embed(EmbeddingRequest::new("intfloat/multilingual-e5-large", "x"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable, "{e}");
    assert!(e.is_retryable());
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(20)));
    assert!(e.message().contains("currently loading"), "{e}");
    assert_eq!(e.provider(), Some("huggingface"));
}

#[tokio::test]
async fn a_retry_after_header_wins_over_the_estimate() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            json_response(503, &fixtures().json("model_loading.json"))
                .insert_header("retry-after", "5"),
        )
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable, "{e}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(5)));
}

#[tokio::test]
async fn string_error_bodies_are_classified() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(json_response(
            402,
            &serde_json::json!({"error": "You have exceeded your monthly included credits for Inference Providers."}),
        ))
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded, "{e}");
    assert!(e.message().contains("credits"));
}

#[tokio::test]
async fn the_token_never_appears_in_debug_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(json_response(
            401,
            &serde_json::json!({"error": format!("Invalid credentials in Authorization header: Bearer {KEY}")}),
        ))
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY));
}

#[tokio::test]
async fn missing_token_names_the_variable() {
    let e = llm_router_huggingface::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("HF_TOKEN"), "{e}");
}
