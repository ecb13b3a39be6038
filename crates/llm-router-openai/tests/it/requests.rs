//! Exact request bytes for every endpoint, each also validated against OpenAI's official
//! request schema.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, EncodingFormat,
    ImageDetail, ImageProvider, ImageRequest, ImageUrl, JsonSchemaFormat, Message, ResponseFormat,
    ToolCall, ToolChoice, ToolDefinition,
};
use llm_router_testkit::openai_spec::assert_valid;
use llm_router_testkit::wire::{
    header_values, json_response, only_request_json, received, sse_response,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, client, fixtures};

async fn expect_post(p: &str, body: &Value, resp: wiremock::ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
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
        json!({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"], "additionalProperties": false}),
    )
}

#[tokio::test]
async fn chat_with_every_common_parameter() {
    let mut req = ChatRequest::new(
        "gpt-4o-mini",
        vec![Message::developer("Be brief."), Message::user("Hello!")],
    )
    .with_temperature(0.7)
    .with_max_tokens(50)
    .with_response_format(ResponseFormat::JsonSchema(JsonSchemaFormat {
        name: "greeting".into(),
        description: None,
        schema: Some(json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"], "additionalProperties": false})),
        strict: Some(true),
    }));
    req.top_p = Some(0.9);
    req.seed = Some(42);
    req.stop = Some(llm_router_core::Stop::Many(vec!["\n\n".into()]));
    req.user = Some("user-1".into());
    req.metadata = Some([("trace".to_owned(), "abc".to_owned())].into());
    req.reasoning_effort = Some("low".into());
    req.presence_penalty = Some(0.5);
    req.n = Some(1);
    req.extra.insert("prompt_cache_key".into(), json!("k1"));

    let expected = json!({
        "model": "gpt-4o-mini",
        "messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
        "temperature": 0.7, "top_p": 0.9, "n": 1, "seed": 42, "stop": ["\n\n"],
        "max_completion_tokens": 50, "presence_penalty": 0.5, "user": "user-1",
        "metadata": {"trace": "abc"}, "reasoning_effort": "low", "prompt_cache_key": "k1",
        "response_format": {"type": "json_schema", "json_schema": {"name": "greeting", "schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"], "additionalProperties": false}, "strict": true}},
        "stream": false
    });
    assert_valid("CreateChatCompletionRequest", &expected);
    let server = expect_post(
        "/v1/chat/completions",
        &expected,
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(resp.text(), "\n\nHello there, how may I assist you today?");
    assert_valid(
        "CreateChatCompletionRequest",
        &only_request_json(&server).await,
    );
}

#[tokio::test]
async fn streaming_request_asks_for_usage() {
    let req = ChatRequest::new("gpt-4o-mini", vec![Message::user("Hi")]);
    let expected = json!({
        "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}],
        "stream": true, "stream_options": {"include_usage": true}
    });
    assert_valid("CreateChatCompletionRequest", &expected);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("accept", "text/event-stream"))
        .and(body_json(&expected))
        .respond_with(sse_response(&fixtures().text("stream_crlf.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(resp.text(), "Hello there, how may I assist you today? 👋");
    assert_valid(
        "CreateChatCompletionRequest",
        &only_request_json(&server).await,
    );
    assert_eq!(resp.usage.unwrap().total_tokens, 21);
}

#[tokio::test]
async fn tools_and_a_tool_result_turn() {
    let req = ChatRequest::new(
        "gpt-4o",
        vec![
            Message::user("Weather in Paris?"),
            Message::assistant_tool_calls(vec![ToolCall::function(
                "call_1",
                "get_weather",
                r#"{"city":"Paris"}"#,
            )]),
            Message::tool("call_1", r#"{"temp_c":18}"#),
        ],
    )
    .with_tools([weather_tool()])
    .with_tool_choice(ToolChoice::Function("get_weather".into()));
    let mut req = req;
    req.parallel_tool_calls = Some(false);
    let expected = json!({
        "model": "gpt-4o",
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\":18}"}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"], "additionalProperties": false}}}],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": false,
        "stream": false
    });
    assert_valid("CreateChatCompletionRequest", &expected);
    let server = expect_post(
        "/v1/chat/completions",
        &expected,
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
    assert_valid(
        "CreateChatCompletionRequest",
        &only_request_json(&server).await,
    );
}

#[tokio::test]
async fn vision_parts_with_detail_and_data_urls() {
    let req = ChatRequest::new(
        "gpt-4o",
        vec![Message::user(vec![
            ContentPart::text("Compare these."),
            ContentPart::ImageUrl {
                image_url: ImageUrl {
                    url: "https://example.com/cat.png".into(),
                    detail: Some(ImageDetail::High),
                },
                extra: Default::default(),
            },
            ContentPart::image_base64("image/png", llm_router_testkit::conformance::PNG_1X1),
        ])],
    );
    let expected = json!({
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Compare these."},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{}", llm_router_testkit::conformance::PNG_1X1)}}
        ]}],
        "stream": false
    });
    assert_valid("CreateChatCompletionRequest", &expected);
    let server = expect_post(
        "/v1/chat/completions",
        &expected,
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
    assert_valid(
        "CreateChatCompletionRequest",
        &only_request_json(&server).await,
    );
}

#[tokio::test]
async fn embeddings_float_and_base64() {
    let mut req = EmbeddingRequest::new("text-embedding-3-small", vec!["a", "b"]);
    req.dimensions = Some(3);
    req.encoding_format = Some(EncodingFormat::Base64);
    req.input_type = Some(llm_router_core::InputType::Query); // ours: never sent to OpenAI
    let expected = json!({"model": "text-embedding-3-small", "input": ["a", "b"], "dimensions": 3, "encoding_format": "base64"});
    assert_valid("CreateEmbeddingRequest", &expected);
    let server = expect_post(
        "/v1/embeddings",
        &expected,
        json_response(200, &fixtures().json("embeddings_base64.json")),
    )
    .await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(
        resp.data[0].embedding.to_floats().unwrap(),
        vec![0.5, -1.25, 3.0]
    );
    assert_eq!(
        resp.data[1].embedding.to_floats().unwrap(),
        vec![1.0, 0.0, -0.5]
    );
    assert_eq!(resp.usage.unwrap().prompt_tokens, 2);
    assert_valid("CreateEmbeddingRequest", &only_request_json(&server).await);

    let req = EmbeddingRequest::new("text-embedding-3-small", "hello");
    let expected = json!({"model": "text-embedding-3-small", "input": "hello"});
    assert_valid("CreateEmbeddingRequest", &expected);
    let body = json!({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}], "model": "text-embedding-3-small", "usage": {"prompt_tokens": 1, "total_tokens": 1}});
    let server = expect_post("/v1/embeddings", &expected, json_response(200, &body)).await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(resp.data[0].embedding.to_floats().unwrap(), vec![0.1, 0.2]);
    assert_valid("CreateEmbeddingRequest", &only_request_json(&server).await);
}

#[tokio::test]
async fn image_generation() {
    let mut req = ImageRequest::new("gpt-image-1", "A cute baby sea otter");
    req.size = Some("1024x1024".into());
    req.quality = Some("low".into());
    req.n = Some(1);
    let expected = json!({"prompt": "A cute baby sea otter", "model": "gpt-image-1", "n": 1, "size": "1024x1024", "quality": "low"});
    assert_valid("CreateImageRequest", &expected);
    let server = expect_post(
        "/v1/images/generations",
        &expected,
        json_response(200, &fixtures().json("image_b64.json")),
    )
    .await;
    let resp = client(&server.uri()).generate(req).await.unwrap();
    assert_eq!(resp.data.len(), 1);
    assert!(
        resp.data[0]
            .b64_json
            .as_deref()
            .unwrap()
            .starts_with("iVBOR")
    );
    assert_eq!(resp.extra["output_format"], "png");
    assert_valid("CreateImageRequest", &only_request_json(&server).await);
}

#[tokio::test]
async fn organization_project_and_per_request_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("openai-organization", "org-1"))
        .and(header("openai-project", "proj-1"))
        .and(header("x-trace", "t1"))
        .respond_with(json_response(200, &fixtures().json("chat_documented.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = llm_router_openai::builder()
        .api_key(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .header("OpenAI-Organization", "org-1")
        .header("OpenAI-Project", "proj-1")
        .build()
        .unwrap();
    client
        .chat(ChatRequest::new("m", vec![Message::user("x")]).with_header("x-trace", "t1"))
        .await
        .unwrap();
}

/// A request's own headers replace the configured ones of the same name (and the key's
/// header), each sent once; the adapter's `content-type` and `accept` stay.
#[tokio::test]
async fn per_request_headers_replace_configured_ones() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(json_response(200, &fixtures().json("chat_documented.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = llm_router_openai::builder()
        .api_key(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .header("OpenAI-Project", "proj-1")
        .header("openai-project", "proj-2")
        .header("OpenAI-Organization", "org-1")
        .build()
        .unwrap();
    let req = ChatRequest::new("m", vec![Message::user("x")])
        .with_header("openai-organization", "org-9")
        .with_header("authorization", "Bearer per-request")
        .with_header("accept", "text/plain");
    client.chat(req).await.unwrap();
    let reqs = received(&server).await;
    let all = |name: &str| header_values(&reqs[0], name);
    assert_eq!(all("openai-project"), ["proj-2"]);
    assert_eq!(all("openai-organization"), ["org-9"]);
    assert_eq!(all("authorization"), ["Bearer per-request"]);
    assert_eq!(all("accept"), ["application/json"]);
    assert_eq!(all("content-type"), ["application/json"]);
}

#[tokio::test]
async fn models_are_listed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(json_response(200, &json!({"object": "list", "data": [
            {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
            {"id": "text-embedding-3-small", "object": "model", "created": 1705948997, "owned_by": "system"}
        ]})))
        .mount(&server)
        .await;
    let models = client(&server.uri()).list_models().await.unwrap();
    assert_eq!(
        models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["gpt-4o-mini", "text-embedding-3-small"]
    );
}
