//! DeepSeek's HTTP errors and secrecy of the key.

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client};

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("deepseek-chat", vec![Message::user("hi")])
}

#[tokio::test]
async fn insufficient_balance_402_is_quota_and_not_retryable() {
    let s = server(json_response(402, &json!({"error": {"message": "Insufficient Balance", "type": "unknown_error", "param": null, "code": "invalid_request_error"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
    assert!(!e.is_retryable());
    assert!(e.is_fallback_eligible());
    assert_eq!(e.status(), Some(402));
}

#[tokio::test]
async fn invalid_parameters_422_and_overload_503() {
    let s = server(json_response(422, &json!({"error": {"message": "Invalid max_tokens value, the valid range of max_tokens is [1, 8192]", "type": "invalid_request_error", "param": null, "code": "invalid_request_error"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("max_tokens"));
    let s = server(json_response(503, &json!({"error": {"message": "Server overloaded, please try again later.", "type": "server_error", "param": null, "code": null}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert!(e.is_retryable());
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    let s = server(json_response(401, &json!({"error": {"message": format!("Authentication Fails, Your api key: {KEY} is invalid"), "type": "authentication_error", "param": null, "code": "invalid_request_error"}}))).await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
    assert!(e.message().contains("Authentication Fails"));
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_naming_the_variable() {
    let e = llm_router_deepseek::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("DEEPSEEK_API_KEY"), "{e}");
}
