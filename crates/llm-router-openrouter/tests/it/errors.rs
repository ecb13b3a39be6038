//! OpenRouter's HTTP errors and secrecy of the key.

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client};

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/chat/completions"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("openai/gpt-4o", vec![Message::user("hi")])
}

#[tokio::test]
async fn no_credits_402_is_quota_and_fallback_eligible() {
    let s = server(json_response(402, &json!({"error": {"code": 402, "message": "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 1000."}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
    assert!(!e.is_retryable());
    assert!(e.is_fallback_eligible());
    assert_eq!(e.code(), Some("402"));
}

#[tokio::test]
async fn moderation_403_and_upstream_502() {
    let s = server(json_response(403, &json!({"error": {"code": 403, "message": "openai/gpt-4o requires moderation on OpenAI. Your input was flagged for \"harassment\".",
        "metadata": {"reasons": ["harassment"], "flagged_input": "...", "provider_name": "OpenAI", "model_slug": "openai/gpt-4o"}}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(e.message().contains("flagged"));
    let s = server(json_response(502, &json!({"error": {"code": 502, "message": "Provider returned error", "metadata": {"provider_name": "OpenAI", "raw": "upstream connect error"}}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert!(e.is_retryable());
}

#[tokio::test]
async fn an_error_inside_a_200_body_is_an_error() {
    let s = server(json_response(200, &json!({"error": {"code": 502, "message": "Provider returned error"}, "user_id": "user_2x"}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert_eq!(e.message(), "Provider returned error");
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    let s = server(json_response(
        401,
        &json!({"error": {"code": 401, "message": format!("Invalid API key {KEY}")}}),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_naming_the_variable() {
    let e = llm_router_openrouter::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("OPENROUTER_API_KEY"), "{e}");
}
