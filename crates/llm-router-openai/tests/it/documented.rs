//! OpenAI's documented responses (spec examples and the API reference's chat object) parse,
//! through the client, into the canonical types.

use llm_router_core::{
    ChatChunk, ChatProvider, ChatRequest, EmbeddingResponse, FinishReason, Message,
};
use llm_router_testkit::openai_spec::examples;
use llm_router_testkit::wire::{json_response, sse_response, sse_transcript};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{client, fixtures};

#[tokio::test]
async fn every_documented_chat_response_parses_through_the_client() {
    let mut bodies: Vec<(String, serde_json::Value)> = examples()
        .into_iter()
        .filter(|e| e.operation == "createChatCompletion" && e.response_kind == "json")
        .map(|e| (e.title, e.response))
        .collect();
    bodies.push((
        "API reference".into(),
        fixtures().json("chat_documented.json"),
    ));
    assert!(bodies.len() >= 5, "spec examples found: {}", bodies.len());
    for (title, body) in bodies {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(json_response(200, &body))
            .mount(&server)
            .await;
        let resp = client(&server.uri())
            .chat(ChatRequest::new("m", vec![Message::user("x")]))
            .await
            .unwrap_or_else(|e| panic!("{title}: {e}"));
        assert_eq!(resp.id, body["id"], "{title}");
        assert_eq!(
            resp.usage.as_ref().unwrap().total_tokens,
            body["usage"]["total_tokens"],
            "{title}"
        );
        let finish = resp.finish_reason().unwrap();
        if title == "Functions" {
            assert_eq!(finish, &FinishReason::ToolCalls);
            assert!(!resp.message().unwrap().tool_calls.is_empty());
        } else {
            assert_eq!(finish, &FinishReason::Stop, "{title}");
            assert!(!resp.text().is_empty(), "{title}");
        }
        if title == "Logprobs" {
            assert!(resp.choices[0].logprobs.is_some());
        }
    }
}

#[tokio::test]
async fn documented_stream_example_parses_through_the_client() {
    let ex = examples()
        .into_iter()
        .find(|e| e.operation == "createChatCompletion" && e.response_kind == "stream")
        .expect("a stream example");
    let chunks: Vec<serde_json::Value> = ex.response.as_array().unwrap().clone();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(sse_response(&sse_transcript(&chunks, true)))
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(resp.text(), "Hello");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    for c in &chunks {
        let _: ChatChunk = serde_json::from_value(c.clone()).unwrap();
    }
}

#[test]
fn documented_embedding_shapes_parse() {
    let e: EmbeddingResponse =
        serde_json::from_value(fixtures().json("embeddings_base64.json")).unwrap();
    assert_eq!(e.data.len(), 2);
}
