//! Exact request bodies DeepSeek receives, and what is refused before sending.

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, ErrorKind, JsonSchemaFormat,
    Message, ResponseFormat, Stop, ToolChoice, ToolDefinition,
};
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

/// A server answering `resp` to `POST <p>` with DeepSeek's bearer auth and a JSON body.
async fn expect_post(p: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
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
        "Get weather of a location, the user should supply a location first.",
        json!({"type": "object", "properties": {"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}}, "required": ["location"]}),
    )
}

fn weather_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "get_weather",
        "description": "Get weather of a location, the user should supply a location first.",
        "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}}, "required": ["location"]}}})
}

#[tokio::test]
async fn thinking_request_with_max_completion_tokens_sent_as_max_tokens() {
    let mut req = ChatRequest::new(
        "deepseek-chat",
        vec![
            Message::system("You are a helpful assistant."),
            Message::user("9.11 and 9.8, which is greater?"),
        ],
    );
    req.max_completion_tokens = Some(4096);
    req.reasoning_effort = Some("high".into());
    req.response_format = Some(ResponseFormat::JsonObject);
    req.extra
        .insert("thinking".into(), json!({"type": "enabled"}));
    let expected = json!({
        "model": "deepseek-chat",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "9.11 and 9.8, which is greater?"}
        ],
        "max_tokens": 4096,
        "reasoning_effort": "high",
        "response_format": {"type": "json_object"},
        "thinking": {"type": "enabled"},
        "stream": false
    });
    let server = expect_post(
        "/chat/completions",
        json_response(200, &fixtures().json("chat_reasoning.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(only_request_json(&server).await, expected);
    assert_eq!(resp.text(), "9.11 is smaller than 9.8.");
}

#[tokio::test]
async fn streaming_request_asks_for_usage() {
    let req = ChatRequest::new("deepseek-reasoner", vec![Message::user("9.11 or 9.8?")]);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("accept", "text/event-stream"))
        .respond_with(sse_response(&fixtures().text("stream_reasoning.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "deepseek-reasoner", "messages": [{"role": "user", "content": "9.11 or 9.8?"}],
               "stream": true, "stream_options": {"include_usage": true}})
    );
    assert_eq!(resp.text(), "9.11 is smaller than 9.8.");
}

/// user → tool call (with reasoning) → tool result → answer: the second request carries the
/// call id unchanged and the assistant turn's `reasoning_content`, which DeepSeek's thinking
/// mode requires back for tool turns.
#[tokio::test]
async fn tool_conversation_keeps_ids_and_sends_reasoning_back() {
    let user = Message::user("How's the weather in Hangzhou tomorrow?");
    let first = ChatRequest::new("deepseek-reasoner", vec![user.clone()])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let server = expect_post(
        "/chat/completions",
        json_response(200, &fixtures().json("chat_tool_call.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "deepseek-reasoner",
               "messages": [{"role": "user", "content": "How's the weather in Hangzhou tomorrow?"}],
               "tools": [weather_tool_json()], "tool_choice": "auto", "stream": false})
    );
    let call = resp.message().unwrap().clone();
    assert_eq!(call.tool_calls[0].id, "call_00_5eNgAqR1X2rxbeXHk6vVEJwm");
    assert_eq!(resp.usage.as_ref().unwrap().cache_read_tokens(), 192);

    let second = ChatRequest::new(
        "deepseek-reasoner",
        vec![
            user,
            call.clone(),
            Message::tool(call.tool_calls[0].id.clone(), "24℃, cloudy"),
        ],
    )
    .with_tools([weather_tool()]);
    let server = expect_post(
        "/chat/completions",
        json_response(200, &fixtures().json("chat_reasoning.json")),
    )
    .await;
    client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "deepseek-reasoner",
               "messages": [
                   {"role": "user", "content": "How's the weather in Hangzhou tomorrow?"},
                   {"role": "assistant", "content": "",
                    "reasoning_content": "The user wants the weather in Hangzhou; call get_weather.",
                    "tool_calls": [{"index": 0, "id": "call_00_5eNgAqR1X2rxbeXHk6vVEJwm", "type": "function",
                                    "function": {"name": "get_weather", "arguments": "{\"location\": \"Hangzhou\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_00_5eNgAqR1X2rxbeXHk6vVEJwm", "content": "24℃, cloudy"}
               ],
               "tools": [weather_tool_json()], "stream": false})
    );
}

#[tokio::test]
async fn prefix_completion_goes_to_the_beta_path_with_prefix_true() {
    let server = expect_post(
        "/beta/chat/completions",
        json_response(200, &fixtures().json("chat_reasoning.json")),
    )
    .await;
    let client = llm_router_deepseek::builder()
        .api_key(KEY)
        .base_url(format!("{}/beta", server.uri()))
        .build()
        .unwrap();
    let mut req = ChatRequest::new(
        "deepseek-chat",
        vec![
            Message::user("Please write quick sort code"),
            llm_router_deepseek::prefix_message("```python\n"),
        ],
    );
    req.stop = Some(Stop::Many(vec!["```".into()]));
    client.chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "deepseek-chat",
               "messages": [
                   {"role": "user", "content": "Please write quick sort code"},
                   {"role": "assistant", "content": "```python\n", "prefix": true}
               ],
               "stop": ["```"], "stream": false})
    );
}

#[tokio::test]
async fn json_schema_and_embeddings_are_refused_before_sending() {
    let c = client("http://127.0.0.1:9");
    let req = ChatRequest::new("deepseek-chat", vec![Message::user("x")]).with_response_format(
        ResponseFormat::JsonSchema(JsonSchemaFormat {
            name: "n".into(),
            description: None,
            schema: Some(json!({"type": "object"})),
            strict: Some(true),
        }),
    );
    let e = c.chat(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    let e = c
        .embed(EmbeddingRequest::new("deepseek-embed", "x"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("embeddings"), "{e}");
}

#[tokio::test]
async fn models_are_listed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/models"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(json_response(
            200,
            &json!({"object": "list", "data": [
                {"id": "deepseek-chat", "object": "model", "owned_by": "deepseek"},
                {"id": "deepseek-reasoner", "object": "model", "owned_by": "deepseek"}
            ]}),
        ))
        .mount(&server)
        .await;
    let models = client(&server.uri()).list_models().await.unwrap();
    assert_eq!(
        models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["deepseek-chat", "deepseek-reasoner"]
    );
}
