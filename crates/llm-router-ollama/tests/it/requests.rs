//! Exact request bodies (method, path, headers, JSON) for every endpoint.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, EncodingFormat,
    ErrorKind, FinishReason, JsonSchemaFormat, Message, ReasoningEffort, ResponseFormat, Stop,
    ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_testkit::conformance::PNG_1X1;
use llm_router_testkit::wire::{json_response, received};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, fixtures, ndjson_response};

async fn expect_post(p: &str, body: &Value, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
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
        "get_current_weather",
        "Get the current weather for a location",
        json!({"type": "object", "properties": {
            "location": {"type": "string", "description": "The location to get the weather for, e.g. San Francisco, CA"},
            "format": {"type": "string", "description": "The format to return the weather in, e.g. 'celsius' or 'fahrenheit'", "enum": ["celsius", "fahrenheit"]}
        }, "required": ["location", "format"]}),
    )
}

#[tokio::test]
async fn sampling_parameters_go_into_options_and_extras_pass_through() {
    let mut req = ChatRequest::new(
        "llama3.2",
        vec![Message::developer("Be brief."), Message::user("Hello!")],
    )
    .with_temperature(0.7)
    .with_max_tokens(50)
    .with_extra("top_k", 40)
    .with_extra("num_ctx", 8192)
    .with_extra("keep_alive", "10m")
    .with_extra("truncate", false)
    .with_response_format(ResponseFormat::JsonSchema(JsonSchemaFormat {
        name: "greeting".into(),
        description: None,
        schema: Some(json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]})),
        strict: Some(true),
    }));
    req.top_p = Some(0.9);
    req.seed = Some(42);
    req.stop = Some(Stop::One("\n\n".into()));
    req.presence_penalty = Some(0.5);
    req.frequency_penalty = Some(0.25);
    req.reasoning_effort = Some(ReasoningEffort::Medium);
    req.logprobs = Some(true);
    req.top_logprobs = Some(2);
    req.user = Some("user-1".into()); // no Ollama field: not sent

    let expected = json!({
        "model": "llama3.2",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
        "stream": false,
        "format": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "options": {"temperature": 0.7, "top_p": 0.9, "num_predict": 50, "stop": ["\n\n"], "seed": 42,
                    "presence_penalty": 0.5, "frequency_penalty": 0.25, "top_k": 40, "num_ctx": 8192},
        "think": "medium",
        "logprobs": true, "top_logprobs": 2,
        "keep_alive": "10m", "truncate": false
    });
    let server = expect_post(
        "/api/chat",
        &expected,
        json_response(200, &fixtures().json("chat.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(resp.text(), "Hello! How are you today?");
    // A local server needs no key: no Authorization header is sent.
    let reqs = received(&server).await;
    assert!(reqs[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn json_mode_and_a_whole_options_object() {
    let req = ChatRequest::new("llama3.2", vec![Message::user("JSON please")])
        .with_response_format(ResponseFormat::JsonObject)
        .with_extra("options", json!({"num_gpu": 1, "temperature": 0.1}))
        .with_extra("think", false);
    let expected = json!({
        "model": "llama3.2", "messages": [{"role": "user", "content": "JSON please"}],
        "stream": false, "format": "json", "think": false,
        "options": {"num_gpu": 1, "temperature": 0.1}
    });
    let server = expect_post(
        "/api/chat",
        &expected,
        json_response(200, &fixtures().json("chat.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
}

#[tokio::test]
async fn streaming_request_asks_for_ndjson() {
    let req = ChatRequest::new("llama3.2", vec![Message::user("why is the sky blue?")]);
    let expected = json!({"model": "llama3.2", "messages": [{"role": "user", "content": "why is the sky blue?"}], "stream": true});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .and(header("accept", "application/x-ndjson"))
        .and(body_json(&expected))
        .respond_with(ndjson_response(
            &fixtures().text("stream_documented.ndjson"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = collect_stream(stream).await.unwrap();
    assert_eq!(resp.text(), "The");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    let usage = resp.usage.unwrap();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (26, 282));
}

#[tokio::test]
async fn images_are_sent_as_raw_base64_and_urls_are_refused() {
    let req = ChatRequest::new(
        "llava",
        vec![Message::user(vec![
            ContentPart::text("what is in this image?"),
            ContentPart::image_base64("image/png", PNG_1X1),
        ])],
    );
    let expected = json!({
        "model": "llava",
        "messages": [{"role": "user", "content": "what is in this image?", "images": [PNG_1X1]}],
        "stream": false
    });
    let server = expect_post(
        "/api/chat",
        &expected,
        json_response(200, &fixtures().json("chat.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();

    // Ollama needs bytes; an http URL is refused before anything is sent.
    let url_req = ChatRequest::new(
        "llava",
        vec![Message::user(vec![
            ContentPart::text("and this?"),
            ContentPart::image_url("https://example.com/cat.png"),
        ])],
    );
    let e = client(&server.uri()).chat(url_req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("data: URL"), "{e}");
    assert_eq!(received(&server).await.len(), 1);
}

/// user → tool call → tool result → answer: the second request carries the call with object
/// arguments and its synthesized id, and the result names the tool.
#[tokio::test]
async fn a_tool_conversation_round_trips_with_ids_and_tool_names() {
    let turn1 = ChatRequest::new(
        "llama3.2",
        vec![Message::user("What is the weather today in Paris?")],
    )
    .with_tools([weather_tool()])
    .with_tool_choice(ToolChoice::Auto);
    let tools_wire = json!([{"type": "function", "function": {
        "name": "get_current_weather",
        "description": "Get the current weather for a location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "The location to get the weather for, e.g. San Francisco, CA"},
            "format": {"type": "string", "description": "The format to return the weather in, e.g. 'celsius' or 'fahrenheit'", "enum": ["celsius", "fahrenheit"]}
        }, "required": ["location", "format"]}}}]);
    let expected1 = json!({
        "model": "llama3.2",
        "messages": [{"role": "user", "content": "What is the weather today in Paris?"}],
        "tools": tools_wire, "stream": false
    });
    let server = expect_post(
        "/api/chat",
        &expected1,
        json_response(200, &fixtures().json("tools.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(turn1.clone()).await.unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    let assistant = resp.message().unwrap().clone();
    let call = &assistant.tool_calls[0];
    assert_eq!(call.id, "call_0");
    assert_eq!(
        call.function.parse_arguments().unwrap(),
        json!({"format": "celsius", "location": "Paris, FR"})
    );

    let mut turn2 = turn1;
    turn2.messages.push(assistant);
    turn2
        .messages
        .push(Message::tool("call_0", "22 degrees celsius"));
    let expected2 = json!({
        "model": "llama3.2",
        "messages": [
            {"role": "user", "content": "What is the weather today in Paris?"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "function": {
                "name": "get_current_weather", "arguments": {"format": "celsius", "location": "Paris, FR"}}}]},
            {"role": "tool", "content": "22 degrees celsius", "tool_name": "get_current_weather", "tool_call_id": "call_0"}
        ],
        "tools": tools_wire, "stream": false
    });
    let server = expect_post(
        "/api/chat",
        &expected2,
        json_response(200, &fixtures().json("chat.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(turn2).await.unwrap();
    assert_eq!(resp.text(), "Hello! How are you today?");
}

#[tokio::test]
async fn embeddings_of_one_text_and_of_several() {
    let mut req = EmbeddingRequest::new(
        "all-minilm",
        vec!["Why is the sky blue?", "Why is the grass green?"],
    );
    req.dimensions = Some(10);
    req.extra.insert("truncate".into(), json!(true));
    req.extra.insert("keep_alive".into(), json!("5m"));
    let expected = json!({"model": "all-minilm", "input": ["Why is the sky blue?", "Why is the grass green?"],
                          "dimensions": 10, "truncate": true, "keep_alive": "5m"});
    let server = expect_post(
        "/api/embed",
        &expected,
        json_response(200, &fixtures().json("embed_multiple.json")),
    )
    .await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[1].index, 1);
    assert_eq!(resp.data[0].embedding.to_floats().unwrap()[0], 0.010071029);
    assert_eq!(resp.model, "all-minilm");

    // One text; base64 asked for: Ollama sends floats, we encode them.
    let mut req = EmbeddingRequest::new("all-minilm", "hello");
    req.encoding_format = Some(EncodingFormat::Base64);
    let expected = json!({"model": "all-minilm", "input": "hello"});
    let body =
        json!({"model": "all-minilm", "embeddings": [[0.5, -1.25, 3.0]], "prompt_eval_count": 1});
    let server = expect_post("/api/embed", &expected, json_response(200, &body)).await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert!(matches!(
        resp.data[0].embedding,
        llm_router_core::Embedding::Base64(_)
    ));
    assert_eq!(
        resp.data[0].embedding.to_floats().unwrap(),
        vec![0.5, -1.25, 3.0]
    );
    assert_eq!(resp.usage.unwrap().prompt_tokens, 1);

    let tokens = EmbeddingRequest::new(
        "all-minilm",
        llm_router_core::EmbeddingInput::Tokens(vec![1, 2]),
    );
    let e = client(&server.uri()).embed(tokens).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn models_are_listed_from_tags() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/tags"))
        .respond_with(json_response(200, &fixtures().json("tags.json")))
        .expect(1)
        .mount(&server)
        .await;
    let models = client(&server.uri()).list_models().await.unwrap();
    assert_eq!(
        models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["deepseek-r1:latest", "llama3.2:latest"]
    );
    assert_eq!(models[0].owned_by, "ollama");
    assert_eq!(models[0].extra["details"]["parameter_size"], "7.6B");
    assert!(models[0].created > 1_700_000_000);
}

#[tokio::test]
async fn a_key_and_headers_are_sent_when_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .and(header(
            "authorization",
            format!("Bearer {}", crate::KEY).as_str(),
        ))
        .and(header("x-proxy", "p1"))
        .and(header("x-trace", "t1"))
        .respond_with(json_response(200, &fixtures().json("chat.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_ollama::builder()
        .base_url(server.uri())
        .api_key(crate::KEY)
        .header("x-proxy", "p1")
        .http_client(crate::http())
        .build()
        .unwrap();
    c.chat(ChatRequest::new("m", vec![Message::user("x")]).with_header("x-trace", "t1"))
        .await
        .unwrap();
}
