//! Exact URLs (deployment, `api-version`), auth headers and bodies Azure receives.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, ErrorKind, ImageRequest,
    Message, ToolChoice, ToolDefinition,
};
use llm_router_testkit::wire::{json_response, only_request_json, received, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

const CHAT: &str = "/openai/deployments/gpt4o-prod/chat/completions";

/// A server answering `resp` to `POST <p>?api-version=<v>` with the `api-key` header.
async fn expect_post(p: &str, v: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(query_param("api-version", v))
        .and(header("api-key", KEY))
        .and(header("content-type", "application/json"))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn weather_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}})
}

#[tokio::test]
async fn mapped_model_goes_to_its_deployment_with_the_api_version() {
    let server = expect_post(
        CHAT,
        "2025-01-01-preview",
        json_response(200, &fixtures().json("chat_content_filter_results.json")),
    )
    .await;
    let c = llm_router_azure::builder()
        .endpoint(format!("{}/openai/", server.uri()))
        .api_key(KEY)
        .api_version("2025-01-01-preview")
        .deployment("gpt-4o", "gpt4o-prod")
        .build()
        .unwrap();
    let req =
        ChatRequest::new("gpt-4o", vec![Message::user("Capital of France?")]).with_max_tokens(50);
    let resp = c.chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "gpt4o-prod", "messages": [{"role": "user", "content": "Capital of France?"}],
               "max_tokens": 50, "stream": false})
    );
    assert_eq!(resp.text(), "Paris is the capital of France.");
    let url = &received(&server).await[0].url;
    assert_eq!(url.query(), Some("api-version=2025-01-01-preview"));
}

#[tokio::test]
async fn default_api_version_is_sent_and_streams_ask_for_usage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/deployments/gpt-4o/chat/completions"))
        .and(query_param(
            "api-version",
            llm_router_azure::DEFAULT_API_VERSION,
        ))
        .and(header("api-key", KEY))
        .and(header("accept", "text/event-stream"))
        .respond_with(sse_response(
            &fixtures().text("stream_prompt_filter_first.sse"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new(
            "gpt-4o",
            vec![Message::user("Capital of France?")],
        ))
        .await
        .unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Capital of France?"}],
               "stream": true, "stream_options": {"include_usage": true}})
    );
    assert_eq!(resp.text(), "Paris is the capital of France.");
    assert_eq!(resp.usage.unwrap().total_tokens, 22);
}

#[tokio::test]
async fn v1_style_has_no_api_version_and_the_deployment_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/v1/chat/completions"))
        .and(header("api-key", KEY))
        .respond_with(json_response(
            200,
            &fixtures().json("chat_content_filter_results.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_azure::builder()
        .endpoint(server.uri())
        .api_key(KEY)
        .api_style(llm_router_azure::ApiStyle::V1)
        .deployment("gpt-4o", "gpt4o-prod")
        .build()
        .unwrap();
    c.chat(ChatRequest::new("gpt-4o", vec![Message::user("Hi")]))
        .await
        .unwrap();
    let req = &received(&server).await[0];
    assert_eq!(req.url.query(), None);
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "gpt4o-prod", "messages": [{"role": "user", "content": "Hi"}], "stream": false})
    );
}

#[tokio::test]
async fn fixed_entra_token_is_a_bearer_and_no_api_key_is_sent() {
    let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.entra-test-token";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/deployments/gpt-4o/chat/completions"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(json_response(
            200,
            &fixtures().json("chat_content_filter_results.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_azure::builder()
        .endpoint(server.uri())
        .entra_token(token)
        .build()
        .unwrap();
    c.chat(ChatRequest::new("gpt-4o", vec![Message::user("Hi")]))
        .await
        .unwrap();
    assert!(received(&server).await[0].headers.get("api-key").is_none());
    assert!(!format!("{c:?}").contains(token));
}

#[tokio::test]
async fn token_provider_is_asked_before_every_request() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider: llm_router_azure::TokenProvider = Arc::new(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(format!("entra-token-{n}"))
    });
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/deployments/gpt-4o/chat/completions"))
        .respond_with(json_response(
            200,
            &fixtures().json("chat_content_filter_results.json"),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let c = llm_router_azure::builder()
        .endpoint(server.uri())
        .token_provider(provider)
        .build()
        .unwrap();
    for _ in 0..2 {
        c.chat(ChatRequest::new("gpt-4o", vec![Message::user("Hi")]))
            .await
            .unwrap();
    }
    let reqs = received(&server).await;
    let auth: Vec<_> = reqs
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(auth, ["Bearer entra-token-1", "Bearer entra-token-2"]);
    assert!(reqs[0].headers.get("api-key").is_none());
}

#[tokio::test]
async fn failing_token_provider_fails_the_call_without_sending() {
    let provider: llm_router_azure::TokenProvider = Arc::new(|| {
        Err(llm_router_core::Error::new(
            ErrorKind::Authentication,
            "token expired",
        ))
    });
    let c = llm_router_azure::builder()
        .endpoint("http://127.0.0.1:9")
        .token_provider(provider)
        .build()
        .unwrap();
    let e = c
        .chat(ChatRequest::new("gpt-4o", vec![Message::user("Hi")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
}

/// user → tool call → tool result → answer: the second request carries the call id unchanged.
#[tokio::test]
async fn tool_conversation_keeps_ids() {
    let user = Message::user("Weather in Paris?");
    let first = ChatRequest::new("gpt-4o", vec![user.clone()])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let call_resp = json!({"id": "chatcmpl-AZt1", "object": "chat.completion", "created": 1729000003, "model": "gpt-4o-2024-08-06",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
        "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": null, "content_filter_results": {},
            "message": {"role": "assistant", "content": null,
                "tool_calls": [{"id": "call_Az9kQ1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}],
        "usage": {"prompt_tokens": 60, "completion_tokens": 15, "total_tokens": 75}});
    let server = expect_post(
        "/openai/deployments/gpt-4o/chat/completions",
        llm_router_azure::DEFAULT_API_VERSION,
        json_response(200, &call_resp),
    )
    .await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Weather in Paris?"}],
               "tools": [weather_tool_json()], "tool_choice": "auto", "stream": false})
    );
    let call = resp.message().unwrap().clone();
    assert_eq!(call.tool_calls[0].id, "call_Az9kQ1");

    let second = ChatRequest::new(
        "gpt-4o",
        vec![
            user,
            call.clone(),
            Message::tool(call.tool_calls[0].id.clone(), "18°C, sunny"),
        ],
    )
    .with_tools([weather_tool()]);
    let server = expect_post(
        "/openai/deployments/gpt-4o/chat/completions",
        llm_router_azure::DEFAULT_API_VERSION,
        json_response(200, &fixtures().json("chat_content_filter_results.json")),
    )
    .await;
    client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "gpt-4o",
               "messages": [
                   {"role": "user", "content": "Weather in Paris?"},
                   {"role": "assistant",
                    "tool_calls": [{"id": "call_Az9kQ1", "type": "function",
                                    "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_Az9kQ1", "content": "18°C, sunny"}
               ],
               "tools": [weather_tool_json()], "stream": false})
    );
}

#[tokio::test]
async fn embeddings_go_to_the_embedding_deployment() {
    let server = expect_post(
        "/openai/deployments/embed-small/embeddings",
        llm_router_azure::DEFAULT_API_VERSION,
        json_response(
            200,
            &json!({"object": "list", "model": "text-embedding-3-small",
                    "data": [{"object": "embedding", "index": 0, "embedding": [0.1, -0.2, 0.3]}],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1}}),
        ),
    )
    .await;
    let c = llm_router_azure::builder()
        .endpoint(server.uri())
        .api_key(KEY)
        .deployment("text-embedding-3-small", "embed-small")
        .build()
        .unwrap();
    let r = c
        .embed(EmbeddingRequest::new(
            "text-embedding-3-small",
            vec!["hello"],
        ))
        .await
        .unwrap();
    assert_eq!(r.data.len(), 1);
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "embed-small", "input": ["hello"]})
    );
}

#[tokio::test]
async fn images_go_to_the_image_deployment() {
    let server = expect_post(
        "/openai/deployments/dalle3/images/generations",
        llm_router_azure::DEFAULT_API_VERSION,
        json_response(
            200,
            &json!({"created": 1729000004, "data": [{"url": "https://example.invalid/img.png", "revised_prompt": "A red fox"}]}),
        ),
    )
    .await;
    let r = client(&server.uri())
        .generate_images(ImageRequest::new("dalle3", "a fox"))
        .await
        .unwrap();
    assert_eq!(r.data[0].revised_prompt.as_deref(), Some("A red fox"));
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "dalle3", "prompt": "a fox"})
    );
}
