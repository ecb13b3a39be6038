//! Ollama's documented responses (docs/api.md) decode to the canonical shapes.

use llm_router_core::{ChatProvider, ChatRequest, FinishReason, Message};
use llm_router_testkit::wire::json_response;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{client, fixtures};

async fn chat_with(fixture: &str) -> llm_router_core::ChatResponse {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .respond_with(json_response(200, &fixtures().json(fixture)))
        .mount(&server)
        .await;
    client(&server.uri())
        .chat(ChatRequest::new("llama3.2", vec![Message::user("hi")]))
        .await
        .unwrap()
}

#[tokio::test]
async fn documented_chat_response() {
    let r = chat_with("chat.json").await;
    assert_eq!(r.text(), "Hello! How are you today?");
    assert_eq!(r.model, "llama3.2");
    assert_eq!(r.created, 1_702_390_423); // 2023-12-12T14:13:43Z
    // No done_reason in this documented response: a finished answer is a stop.
    assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
    let u = r.usage.clone().unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (26, 298, 324)
    );
    // Ollama's timings are kept.
    assert_eq!(r.extra["total_duration"], 5191566416u64);
    assert_eq!(r.extra["eval_duration"], 4799921000u64);
}

#[tokio::test]
async fn documented_tool_call_response() {
    let r = chat_with("tools.json").await;
    let m = r.message().unwrap();
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    assert!(m.content.is_none());
    assert_eq!(m.tool_calls.len(), 1);
    assert_eq!(m.tool_calls[0].id, "call_0");
    assert_eq!(m.tool_calls[0].function.name, "get_current_weather");
    assert_eq!(
        m.tool_calls[0].function.arguments,
        r#"{"format":"celsius","location":"Paris, FR"}"#
    );
    assert_eq!(r.usage.clone().unwrap().total_tokens, 155);
}
