//! Mistral's error bodies, and that the key never leaks.

use llm_router_core::{ChatProvider, ChatRequest, ErrorKind, Message};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, client};

async fn error_for(status: u16, body: serde_json::Value) -> llm_router_core::Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(json_response(status, &body))
        .mount(&server)
        .await;
    client(&server.uri())
        .chat(ChatRequest::new(
            "mistral-small-latest",
            vec![Message::user("x")],
        ))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn invalid_tool_call_id_400_is_an_invalid_request() {
    let e = error_for(
        400,
        json!({"object": "error", "message": "Tool call id was call_abc123 but must be a-z, A-Z, 0-9, with a length of 9.", "type": "invalid_request_message_order", "param": null, "code": "3230"}),
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert!(e.message().contains("length of 9"));
    assert_eq!(e.provider(), Some("mistral"));
}

#[tokio::test]
async fn validation_422_with_detail_list_is_an_invalid_request() {
    let e = error_for(
        422,
        json!({"object": "error", "message": {"detail": [{"type": "extra_forbidden", "loc": ["body", "seed"], "msg": "Extra inputs are not permitted", "input": 1}]}, "type": "invalid_request_error", "param": null, "code": null}),
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.status(), Some(422));
}

#[tokio::test]
async fn the_key_never_appears_in_debug_or_errors() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    let e = error_for(401, json!({"message": format!("Unauthorized key {KEY}")})).await;
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY), "{e:?}");
    let e = c
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert!(!e.to_string().contains(KEY));
}

#[tokio::test]
async fn missing_key_names_the_variable() {
    let e = llm_router_mistral::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("MISTRAL_API_KEY"), "{e}");
}
