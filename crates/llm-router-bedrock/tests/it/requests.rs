//! Exact requests (method, path, headers, JSON body) and response mapping, against wiremock.

use std::time::Duration;

use llm_router_core::{
    ChatProvider as _, ChatRequest, ContentPart, EmbeddingProvider as _, EmbeddingRequest,
    ErrorKind, FinishReason, InputType, Message, ToolCall, ToolChoice, ToolDefinition,
};
use llm_router_testkit::conformance::PNG_1X1;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{AKID, CLAUDE, CLAUDE_PATH, bearer_client, fixture, sigv4_client};

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-amzn-requestid", "7a2c3f4e-1111-2222-3333-444455556666")
        .set_body_raw(body.to_string(), "application/json")
}

async fn server_for(p: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

async fn only(server: &MockServer) -> (Request, Value) {
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    let r = reqs.into_iter().next().unwrap();
    let body = serde_json::from_slice(&r.body).unwrap();
    (r, body)
}

fn h<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

fn assert_sigv4_headers(r: &Request) {
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(h(r, "content-type"), Some("application/json"));
    let date = h(r, "x-amz-date").unwrap();
    assert!(
        date.len() == 16
            && date[..8].bytes().all(|b| b.is_ascii_digit())
            && &date[8..9] == "T"
            && date[9..15].bytes().all(|b| b.is_ascii_digit())
            && date.ends_with('Z'),
        "{date}"
    );
    let auth = h(r, "authorization").unwrap();
    let prefix = format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/{}/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=",
        &date[..8]
    );
    let sig = auth
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{auth}"));
    assert_eq!(sig.len(), 64);
    assert!(
        sig.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
}

#[tokio::test]
async fn chat_request_and_response() {
    let server = server_for(
        &format!("/model/{CLAUDE_PATH}/converse"),
        ok(&fixture("converse_response.json")),
    )
    .await;
    let client = sigv4_client(&server.uri(), None);
    let req = ChatRequest::new(
        CLAUDE,
        vec![
            Message::system("You are terse."),
            Message::developer("Answer in English."),
            Message::user("Hi"),
            Message::assistant("Hello."),
            Message::user("How are you?"),
        ],
    )
    .with_max_tokens(100)
    .with_temperature(0.5)
    .with_extra("additionalModelRequestFields", json!({"top_k": 40}))
    .with_header("x-custom", "1");
    let mut req = req;
    req.top_p = Some(0.9);
    req.stop = Some(llm_router_core::Stop::Many(vec!["END".into()]));
    let resp = client.chat(req).await.unwrap();
    let (r, body) = only(&server).await;
    assert_sigv4_headers(&r);
    assert_eq!(h(&r, "accept"), Some("application/json"));
    assert_eq!(h(&r, "x-custom"), Some("1"));
    assert_eq!(
        body,
        json!({
            "messages": [
                {"role": "user", "content": [{"text": "Hi"}]},
                {"role": "assistant", "content": [{"text": "Hello."}]},
                {"role": "user", "content": [{"text": "How are you?"}]}
            ],
            "system": [{"text": "You are terse."}, {"text": "Answer in English."}],
            "inferenceConfig": {"maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]},
            "additionalModelRequestFields": {"top_k": 40}
        })
    );
    assert_eq!(resp.id, "7a2c3f4e-1111-2222-3333-444455556666");
    assert_eq!(resp.model, CLAUDE);
    assert_eq!(resp.text(), "Hello! How can I help you today?");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    let m = resp.message().unwrap();
    assert_eq!(m.reasoning_content.as_deref(), Some("The user greets me."));
    assert_eq!(
        m.reasoning_details[0].signature.as_deref(),
        Some("EqoBCkgIARABGAIiQL9X")
    );
    let u = resp.usage.as_ref().unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (1112, 10, 1122)
    );
    assert_eq!((u.cache_read_tokens(), u.cache_write_tokens()), (1000, 100));
    assert_eq!(resp.extra["metrics"], json!({"latencyMs": 421}));
}

fn weather() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

#[tokio::test]
async fn tools_tool_history_and_tool_calls() {
    let server = server_for(
        &format!("/model/{CLAUDE_PATH}/converse"),
        ok(&fixture("converse_tool_use.json")),
    )
    .await;
    let client = sigv4_client(&server.uri(), None);
    let mut assistant = Message::assistant_tool_calls(vec![
        ToolCall::function("tooluse_1", "get_weather", r#"{"city":"Paris"}"#),
        ToolCall::function("tooluse_2", "get_weather", r#"{"city":"Rome"}"#),
    ]);
    // An earlier signed reasoning block of this provider goes back; another's does not.
    assistant.reasoning_details = vec![
        {
            let mut d = llm_router_core::ReasoningDetail::text("thinking", Some("sig1".into()));
            d.format = Some("bedrock-converse".into());
            d
        },
        llm_router_core::ReasoningDetail::text("other", None),
    ];
    let req = ChatRequest::new(
        CLAUDE,
        vec![
            Message::user("Weather in Paris and Rome?"),
            assistant,
            Message::tool("tooluse_1", "18C sunny"),
            Message::tool("tooluse_2", r#"{"temp": 21}"#),
        ],
    )
    .with_tools([weather()])
    .with_tool_choice(ToolChoice::Function("get_weather".into()));
    let resp = client.chat(req).await.unwrap();
    let (_, body) = only(&server).await;
    assert_eq!(
        body,
        json!({
            "messages": [
                {"role": "user", "content": [{"text": "Weather in Paris and Rome?"}]},
                {"role": "assistant", "content": [
                    {"reasoningContent": {"reasoningText": {"text": "thinking", "signature": "sig1"}}},
                    {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}},
                    {"toolUse": {"toolUseId": "tooluse_2", "name": "get_weather", "input": {"city": "Rome"}}}
                ]},
                {"role": "user", "content": [
                    {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "18C sunny"}]}},
                    {"toolResult": {"toolUseId": "tooluse_2", "content": [{"text": "{\"temp\": 21}"}]}}
                ]}
            ],
            "toolConfig": {
                "tools": [{"toolSpec": {
                    "name": "get_weather",
                    "description": "Current weather in a city",
                    "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
                }}],
                "toolChoice": {"tool": {"name": "get_weather"}}
            }
        })
    );
    let m = resp.message().unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(m.text(), "I'll check the weather in Paris.");
    assert_eq!(m.tool_calls[0].id, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
    assert_eq!(
        m.tool_calls[0].function.parse_arguments().unwrap(),
        json!({"city": "Paris"})
    );
}

#[tokio::test]
async fn tool_choice_mapping() {
    let cases = [
        (ToolChoice::Auto, json!({"auto": {}})),
        (ToolChoice::Required, json!({"any": {}})),
    ];
    let client = sigv4_client("http://127.0.0.1:9", None);
    for (choice, expected) in cases {
        let req = ChatRequest::new(CLAUDE, vec![Message::user("x")])
            .with_tools([weather()])
            .with_tool_choice(choice);
        assert_eq!(
            client.request_body(&req).unwrap()["toolConfig"]["toolChoice"],
            expected
        );
    }
}

#[tokio::test]
async fn image_bytes_from_a_data_url() {
    let server = server_for(
        &format!("/model/{CLAUDE_PATH}/converse"),
        ok(&fixture("converse_response.json")),
    )
    .await;
    let client = sigv4_client(&server.uri(), None);
    let req = ChatRequest::new(
        CLAUDE,
        vec![Message::user(vec![
            ContentPart::text("What is in this image?"),
            ContentPart::image_base64("image/png", PNG_1X1),
        ])],
    );
    client.chat(req).await.unwrap();
    let (_, body) = only(&server).await;
    assert_eq!(
        body,
        json!({"messages": [{"role": "user", "content": [
            {"text": "What is in this image?"},
            {"image": {"format": "png", "source": {"bytes": PNG_1X1}}}
        ]}]})
    );
    // Remote URLs are refused before anything is sent.
    let req = ChatRequest::new(
        CLAUDE,
        vec![Message::user(vec![ContentPart::image_url(
            "https://example.com/cat.png",
        )])],
    );
    let e = client.chat(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn titan_embeddings_fan_out_and_keep_order() {
    let server = MockServer::start().await;
    let model = "amazon.titan-embed-text-v2:0";
    for (i, text) in ["first", "second", "third"].iter().enumerate() {
        let v = json!({"embedding": [i as f32, 0.5, -0.5], "inputTextTokenCount": i + 1});
        // The first answer is the slowest: order must still follow the input.
        let delay = Duration::from_millis(if i == 0 { 150 } else { 0 });
        Mock::given(method("POST"))
            .and(path("/model/amazon.titan-embed-text-v2%3A0/invoke"))
            .and(body_partial_json(json!({"inputText": text})))
            .respond_with(ok(&v).set_delay(delay))
            .mount(&server)
            .await;
    }
    let client = sigv4_client(&server.uri(), None);
    let mut req = EmbeddingRequest::new(model, vec!["first", "second", "third"]);
    req.dimensions = Some(256);
    let resp = client.embed(req).await.unwrap();
    let firsts: Vec<f32> = resp
        .data
        .iter()
        .map(|d| d.embedding.to_floats().unwrap()[0])
        .collect();
    assert_eq!(firsts, vec![0.0, 1.0, 2.0]);
    assert_eq!(
        resp.data.iter().map(|d| d.index).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert_eq!(resp.usage.unwrap().prompt_tokens, 6);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 3);
    let mut bodies: Vec<Value> = reqs
        .iter()
        .map(|r| {
            assert_sigv4_headers(r);
            serde_json::from_slice(&r.body).unwrap()
        })
        .collect();
    bodies.sort_by_key(|b| b["inputText"].as_str().unwrap().to_owned());
    assert_eq!(
        bodies,
        vec![
            json!({"inputText": "first", "dimensions": 256, "normalize": true}),
            json!({"inputText": "second", "dimensions": 256, "normalize": true}),
            json!({"inputText": "third", "dimensions": 256, "normalize": true}),
        ]
    );
}

#[tokio::test]
async fn titan_fixture_and_normalize_override() {
    let server = server_for(
        "/model/amazon.titan-embed-text-v2%3A0/invoke",
        ok(&fixture("titan_embed_response.json")),
    )
    .await;
    let client = sigv4_client(&server.uri(), None);
    let req = EmbeddingRequest::new("amazon.titan-embed-text-v2:0", "hello");
    let mut req = req;
    req.extra.insert("normalize".into(), json!(false));
    let resp = client.embed(req).await.unwrap();
    assert_eq!(
        resp.data[0].embedding.to_floats().unwrap(),
        vec![0.0123, -0.0456, 0.0789]
    );
    let (_, body) = only(&server).await;
    assert_eq!(body, json!({"inputText": "hello", "normalize": false}));
}

#[tokio::test]
async fn cohere_embeddings_in_one_call() {
    let server = server_for(
        "/model/cohere.embed-english-v3/invoke",
        ok(&fixture("cohere_embed_response.json"))
            .insert_header("x-amzn-bedrock-input-token-count", "4"),
    )
    .await;
    let client = sigv4_client(&server.uri(), None);
    let mut req = EmbeddingRequest::new("cohere.embed-english-v3", vec!["hello", "world"]);
    req.input_type = Some(InputType::Query);
    req.extra.insert("truncate".into(), json!("END"));
    let resp = client.embed(req).await.unwrap();
    let (r, body) = only(&server).await;
    assert_sigv4_headers(&r);
    assert_eq!(
        body,
        json!({"texts": ["hello", "world"], "input_type": "search_query", "truncate": "END"})
    );
    assert_eq!(resp.data.len(), 2);
    assert_eq!(
        resp.data[1].embedding.to_floats().unwrap(),
        vec![-0.0201, 0.0032, 0.0417]
    );
    assert_eq!(resp.usage.unwrap().prompt_tokens, 4);
    assert_eq!(resp.extra["id"], "5f9e5c34-2f6d-4a6b-9d0e-4b1a2c3d4e5f");
}

#[tokio::test]
async fn cohere_inputs_over_96_texts_are_split_in_order() {
    let server = MockServer::start().await;
    let texts: Vec<String> = (0..100).map(|i| format!("t{i}")).collect();
    for (first, n) in [(0usize, 96usize), (96, 4)] {
        let vectors: Vec<Vec<f32>> = (first..first + n).map(|i| vec![i as f32]).collect();
        Mock::given(method("POST"))
            .and(path("/model/cohere.embed-multilingual-v3/invoke"))
            .and(body_partial_json(json!({"texts": texts[first..first + n]})))
            .respond_with(ok(
                &json!({"id": format!("b{first}"), "embeddings": vectors,
                "response_type": "embeddings_floats"}),
            ))
            .mount(&server)
            .await;
    }
    let client = sigv4_client(&server.uri(), None);
    let resp = client
        .embed(EmbeddingRequest::new(
            "cohere.embed-multilingual-v3",
            texts.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    let firsts: Vec<f32> = resp
        .data
        .iter()
        .map(|d| d.embedding.to_floats().unwrap()[0])
        .collect();
    assert_eq!(firsts, (0..100).map(|i| i as f32).collect::<Vec<_>>());
    assert_eq!(resp.extra["ids"], json!(["b0", "b96"]));
}

#[tokio::test]
async fn unknown_embedding_family_needs_configuration() {
    let client = sigv4_client("http://127.0.0.1:9", None);
    let e = client
        .embed(EmbeddingRequest::new(
            "arn:aws:bedrock:us-east-1:1:provisioned-model/x",
            "a",
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn bearer_api_key_replaces_sigv4() {
    let server = server_for(
        &format!("/model/{CLAUDE_PATH}/converse"),
        ok(&fixture("converse_response.json")),
    )
    .await;
    let client = bearer_client(&server.uri());
    assert!(!format!("{client:?}").contains("test-key"));
    client
        .chat(ChatRequest::new(CLAUDE, vec![Message::user("Hi")]))
        .await
        .unwrap();
    let (r, _) = only(&server).await;
    assert_eq!(h(&r, "authorization"), Some("Bearer test-key"));
    assert!(h(&r, "x-amz-date").is_none());
}

#[tokio::test]
async fn http_errors_by_error_type_header() {
    let cases = [
        (429, "ThrottlingException", ErrorKind::RateLimited, true),
        (
            429,
            "ModelNotReadyException",
            ErrorKind::ProviderUnavailable,
            true,
        ),
        (400, "ValidationException", ErrorKind::InvalidRequest, false),
        (
            400,
            "ServiceQuotaExceededException",
            ErrorKind::QuotaExceeded,
            false,
        ),
        (
            403,
            "AccessDeniedException",
            ErrorKind::PermissionDenied,
            false,
        ),
        (
            404,
            "ResourceNotFoundException",
            ErrorKind::ModelNotFound,
            false,
        ),
        (408, "ModelTimeoutException", ErrorKind::Timeout, true),
        (
            424,
            "ModelErrorException",
            ErrorKind::ProviderUnavailable,
            true,
        ),
        (
            503,
            "ServiceUnavailableException",
            ErrorKind::ProviderUnavailable,
            true,
        ),
    ];
    for (status, t, kind, retryable) in cases {
        let server = server_for(
            &format!("/model/{CLAUDE_PATH}/converse"),
            ResponseTemplate::new(status)
                .insert_header(
                    "x-amzn-errortype",
                    format!("{t}:http://internal.amazon.com/coral/com.amazon.bedrock/").as_str(),
                )
                .set_body_raw(
                    json!({"message": format!("{t} happened")}).to_string(),
                    "application/json",
                ),
        )
        .await;
        let client = sigv4_client(&server.uri(), None);
        let e = client
            .chat(ChatRequest::new(CLAUDE, vec![Message::user("Hi")]))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{t}");
        assert_eq!(e.is_retryable(), retryable, "{t}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.code(), Some(t));
        assert_eq!(e.message(), format!("{t} happened"));
    }
}
