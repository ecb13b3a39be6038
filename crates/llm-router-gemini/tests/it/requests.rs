//! Exact request bodies, each validated against Gemini's `GenerateContentRequest` schema.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, ErrorKind, InputAudio, JsonSchemaFormat, Message,
    ResponseFormat, Stop, ToolCall, ToolChoice, ToolDefinition,
};
use llm_router_testkit::conformance::PNG_1X1;
use llm_router_testkit::wire::{only_request_json, received, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer};

use crate::spec::assert_valid;
use crate::{KEY, client, expect_post, fixtures, ok};

const PATH: &str = "/v1beta/models/gemini-2.5-flash:generateContent";

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}),
    )
}

/// Sends `req` and checks the body equals `expected` (and the spec accepts it).
async fn sends(req: ChatRequest, expected: Value) {
    assert_valid("GenerateContentRequest", &expected);
    let server = expect_post(PATH, &expected, ok(&fixtures().json("chat_text.json"))).await;
    client(&server.uri()).chat(req).await.unwrap();
    assert_valid("GenerateContentRequest", &only_request_json(&server).await);
}

#[tokio::test]
async fn every_mapped_parameter_and_the_extra_passthrough() {
    let mut req = ChatRequest::new(
        "models/gemini-2.5-flash",
        vec![
            Message::system("Be brief."),
            Message::developer("Answer in JSON."),
            Message::user("Hello!"),
        ],
    )
    .with_temperature(0.7)
    .with_extra("top_k", 40)
    .with_response_format(ResponseFormat::JsonSchema(JsonSchemaFormat {
        name: "greeting".into(),
        description: None,
        schema: Some(json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"], "additionalProperties": false})),
        strict: Some(true),
    }));
    req.top_p = Some(0.9);
    req.n = Some(2);
    req.max_completion_tokens = Some(200);
    req.max_tokens = Some(10); // the newer field wins
    req.stop = Some(Stop::Many(vec!["\n\n".into(), "END".into()]));
    req.seed = Some(42);
    req.presence_penalty = Some(0.5);
    req.frequency_penalty = Some(0.25);
    req.reasoning_effort = Some("low".into());
    // OpenAI-only fields are not sent: Gemini refuses unknown fields.
    req.user = Some("user-1".into());
    req.metadata = Some([("trace".to_owned(), "abc".to_owned())].into());
    req.parallel_tool_calls = Some(false);
    req.extra.insert("prompt_cache_key".into(), json!("k1"));
    // Gemini fields pass through.
    req.extra.insert(
        "generationConfig".into(),
        json!({"responseModalities": ["TEXT"], "temperature": 0.2}),
    );
    req.extra.insert(
        "safetySettings".into(),
        json!([{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]),
    );
    req.extra
        .insert("cachedContent".into(), json!("cachedContents/abc123"));
    sends(
        req,
        json!({
            "systemInstruction": {"parts": [{"text": "Be brief."}, {"text": "Answer in JSON."}]},
            "contents": [{"role": "user", "parts": [{"text": "Hello!"}]}],
            "generationConfig": {
                "temperature": 0.2, "topP": 0.9, "topK": 40, "candidateCount": 2,
                "maxOutputTokens": 200, "stopSequences": ["\n\n", "END"], "seed": 42,
                "presencePenalty": 0.5, "frequencyPenalty": 0.25,
                "responseMimeType": "application/json",
                "responseJsonSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"], "additionalProperties": false},
                "thinkingConfig": {"thinkingLevel": "LOW", "includeThoughts": true},
                "responseModalities": ["TEXT"]
            },
            "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}],
            "cachedContent": "cachedContents/abc123"
        }),
    )
    .await;
}

#[tokio::test]
async fn reasoning_effort_maps_to_thinking_config() {
    let with = |effort: &str| {
        let mut r = ChatRequest::new("gemini-2.5-flash", vec![Message::user("x")]);
        r.reasoning_effort = Some(effort.into());
        r
    };
    let body = |tc: Value| json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": tc}});
    sends(with("none"), body(json!({"thinkingBudget": 0}))).await;
    sends(
        with("minimal"),
        body(json!({"thinkingLevel": "MINIMAL", "includeThoughts": true})),
    )
    .await;
    sends(
        with("medium"),
        body(json!({"thinkingLevel": "MEDIUM", "includeThoughts": true})),
    )
    .await;
    sends(
        with("xhigh"),
        body(json!({"thinkingLevel": "HIGH", "includeThoughts": true})),
    )
    .await;
    // A thinkingConfig passed through replaces the derived one (Gemini refuses a level and a
    // budget together).
    let mut r = with("high");
    r.extra.insert(
        "generationConfig".into(),
        json!({"thinkingConfig": {"thinkingBudget": 1024}}),
    );
    sends(r, body(json!({"thinkingBudget": 1024}))).await;
}

#[tokio::test]
async fn json_object_sets_only_the_mime_type() {
    let req = ChatRequest::new("gemini-2.5-flash", vec![Message::user("x")])
        .with_response_format(ResponseFormat::JsonObject);
    sends(
        req,
        json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}], "generationConfig": {"responseMimeType": "application/json"}}),
    )
    .await;
}

#[tokio::test]
async fn tool_choice_maps_to_function_calling_config() {
    let cases = [
        (ToolChoice::Auto, json!({"mode": "AUTO"})),
        (ToolChoice::Required, json!({"mode": "ANY"})),
        (ToolChoice::None, json!({"mode": "NONE"})),
        (
            ToolChoice::Function("get_weather".into()),
            json!({"mode": "ANY", "allowedFunctionNames": ["get_weather"]}),
        ),
    ];
    for (choice, config) in cases {
        let req = ChatRequest::new("gemini-2.5-flash", vec![Message::user("Weather in Paris?")])
            .with_tools([weather_tool()])
            .with_tool_choice(choice);
        sends(
            req,
            json!({
                "contents": [{"role": "user", "parts": [{"text": "Weather in Paris?"}]}],
                "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Current weather in a city",
                    "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}}]}],
                "toolConfig": {"functionCallingConfig": config}
            }),
        )
        .await;
    }
}

#[tokio::test]
async fn tool_results_become_function_responses_merged_into_one_user_turn() {
    let req = ChatRequest::new(
        "gemini-2.5-flash",
        vec![
            Message::user("Weather and time in Paris?"),
            Message::assistant_tool_calls(vec![
                ToolCall::function("call_abc", "get_weather", r#"{"city":"Paris"}"#),
                ToolCall::function("call_def", "get_time", r#"{"tz":"Europe/Paris"}"#),
            ]),
            Message::tool("call_abc", r#"{"temp_c":18}"#),
            Message::tool("call_def", "14:05"),
            Message::user("And in a JSON array?"),
            Message::assistant_tool_calls(vec![ToolCall::function("call_ghi", "get_time", "")]),
            Message::tool("call_ghi", "[1,2]"),
        ],
    );
    sends(
        req,
        json!({"contents": [
            {"role": "user", "parts": [{"text": "Weather and time in Paris?"}]},
            {"role": "model", "parts": [
                {"functionCall": {"id": "call_abc", "name": "get_weather", "args": {"city": "Paris"}}},
                {"functionCall": {"id": "call_def", "name": "get_time", "args": {"tz": "Europe/Paris"}}}
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"id": "call_abc", "name": "get_weather", "response": {"temp_c": 18}}},
                {"functionResponse": {"id": "call_def", "name": "get_time", "response": {"result": "14:05"}}}
            ]},
            {"role": "user", "parts": [{"text": "And in a JSON array?"}]},
            {"role": "model", "parts": [{"functionCall": {"id": "call_ghi", "name": "get_time", "args": {}}}]},
            {"role": "user", "parts": [{"functionResponse": {"id": "call_ghi", "name": "get_time", "response": {"result": "[1,2]"}}}]}
        ]}),
    )
    .await;
}

#[tokio::test]
async fn a_tool_result_for_an_unknown_call_is_refused_before_sending() {
    let server = MockServer::start().await;
    let req = ChatRequest::new(
        "gemini-2.5-flash",
        vec![Message::user("x"), Message::tool("call_nowhere", "42")],
    );
    let e = client(&server.uri()).chat(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("call_nowhere"), "{e}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn images_audio_and_file_api_uris() {
    let req = ChatRequest::new(
        "gemini-2.5-flash",
        vec![Message::user(vec![
            ContentPart::text("Compare these."),
            ContentPart::image_base64("image/png", PNG_1X1),
            ContentPart::image_url("https://generativelanguage.googleapis.com/v1beta/files/abc-123"),
            ContentPart::InputAudio {
                input_audio: InputAudio {
                    data: "UklGRg==".into(),
                    format: "wav".into(),
                },
            },
            ContentPart::Other(
                serde_json::from_value(json!({"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}}))
                    .unwrap(),
            ),
        ])],
    );
    sends(
        req,
        json!({"contents": [{"role": "user", "parts": [
            {"text": "Compare these."},
            {"inlineData": {"mimeType": "image/png", "data": PNG_1X1}},
            {"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc-123"}},
            {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
            {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}
        ]}]}),
    )
    .await;
}

#[tokio::test]
async fn unsupported_parts_and_bad_model_ids_fail_without_a_request() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    let req = ChatRequest::new(
        "gemini-2.5-flash",
        vec![Message::user(vec![ContentPart::Other(
            serde_json::from_value(json!({"type": "file", "file": {"file_id": "file-1"}})).unwrap(),
        )])],
    );
    assert_eq!(
        c.chat(req).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let req = ChatRequest::new("../../secret", vec![Message::user("x")]);
    assert_eq!(
        c.chat(req).await.unwrap_err().kind(),
        ErrorKind::InvalidRequest
    );
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn streaming_uses_alt_sse_and_the_same_body() {
    let expected = json!({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
        ))
        .and(query_param("alt", "sse"))
        .and(header("x-goog-api-key", KEY))
        .and(header("accept", "text/event-stream"))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(sse_response(&fixtures().text("stream_text_signature.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new(
            "models/gemini-2.5-flash",
            vec![Message::user("Hi")],
        ))
        .await
        .unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(resp.text(), "Bonjour à tous, ça va ? 🌍");
    let reqs = received(&server).await;
    assert_eq!(reqs[0].url.query(), Some("alt=sse"));
}

#[tokio::test]
async fn per_request_and_default_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("x-goog-api-key", KEY))
        .and(header("x-client", "c1"))
        .and(header("x-trace", "t1"))
        .respond_with(ok(&fixtures().json("chat_text.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_gemini::builder()
        .api_key(KEY)
        .http_client(crate::http())
        .base_url(format!("{}/v1beta/", server.uri()))
        .header("x-client", "c1")
        .build()
        .unwrap();
    c.chat(
        ChatRequest::new("gemini-2.5-flash", vec![Message::user("x")]).with_header("x-trace", "t1"),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn models_are_listed_across_pages() {
    let page1 = json!({"models": [{"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash", "inputTokenLimit": 1048576, "outputTokenLimit": 65536, "supportedGenerationMethods": ["generateContent", "countTokens"]}], "nextPageToken": "p2=="});
    let page2 = json!({"models": [{"name": "models/gemini-embedding-001", "supportedGenerationMethods": ["embedContent"]}]});
    crate::spec::assert_valid("ListModelsResponse", &page1);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1beta/models"))
        .and(query_param("pageToken", "p2=="))
        .and(header("x-goog-api-key", KEY))
        .respond_with(ok(&page2))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1beta/models"))
        .and(query_param("pageSize", "1000"))
        .and(header("x-goog-api-key", KEY))
        .respond_with(ok(&page1))
        .mount(&server)
        .await;
    let models = client(&server.uri()).list_models().await.unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["gemini-2.5-flash", "gemini-embedding-001"]);
    assert_eq!(models[0].owned_by, "google");
    assert_eq!(models[0].extra["input_token_limit"], 1048576);
}
