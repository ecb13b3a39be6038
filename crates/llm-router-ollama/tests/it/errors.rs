//! Error mapping and secrecy of the key.

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, keyed_client};

async fn server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn req() -> ChatRequest {
    ChatRequest::new("llama9", vec![Message::user("hi")])
}

#[tokio::test]
async fn an_unknown_model_is_model_not_found() {
    let s = server(json_response(
        404,
        &json!({"error": "model 'llama9' not found"}),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ModelNotFound);
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.message(), "model 'llama9' not found");
    assert!(e.is_fallback_eligible());
    let e = client(&s.uri()).chat_stream(req()).await.err().unwrap();
    assert_eq!(e.kind(), ErrorKind::ModelNotFound);
}

#[tokio::test]
async fn bad_request_and_server_errors() {
    let s = server(json_response(
        400,
        &json!({"error": "registry.ollama.ai/library/llama2:latest does not support tools"}),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let s = server(json_response(
        500,
        &json!({"error": "llama runner process has terminated"}),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert!(e.is_retryable());
}

#[tokio::test]
async fn an_error_inside_a_200_body_is_an_error() {
    let s = server(json_response(
        200,
        &json!({"error": "the model failed to generate a response"}),
    ))
    .await;
    let e = client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    assert_eq!(e.message(), "the model failed to generate a response");
}

#[tokio::test]
async fn nothing_listening_is_a_connection_error() {
    let e = client("http://127.0.0.1:9").chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
}

#[tokio::test]
async fn the_key_never_appears_in_debug_display_or_errors() {
    let c = keyed_client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    let s = server(json_response(
        401,
        &json!({"error": format!("invalid key {KEY}")}),
    ))
    .await;
    let e = keyed_client(&s.uri()).chat(req()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
}

#[tokio::test]
async fn a_bad_base_url_is_a_config_error() {
    let e = llm_router_ollama::builder()
        .base_url("http://bad host:11434")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
}
