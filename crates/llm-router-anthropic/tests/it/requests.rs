//! Exact requests (method, path, headers, JSON body) for every mapping, each body also
//! validated against Anthropic's spec; documented responses parsed through the client.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, FinishReason, JsonSchemaFormat, Message,
    ResponseFormat, Stop, ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_testkit::anthropic_spec::{assert_valid_request, example};
use llm_router_testkit::conformance::PNG_1X1;
use llm_router_testkit::wire::{
    header_values, json_response, only_request_json, received, sse_response,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, headers, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures, messages_post};

/// A server expecting exactly one non-streaming `POST /v1/messages` with `body`.
async fn expect_post(body: &Value, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    messages_post()
        .and(header("accept", "application/json"))
        .and(body_json(body))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn text_ok() -> ResponseTemplate {
    json_response(200, &fixtures().json("message_text.json"))
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}),
    )
}

#[tokio::test]
async fn system_and_developer_messages_are_hoisted_and_the_response_parsed() {
    let req = ChatRequest::new(
        "claude-sonnet-4-5",
        vec![
            Message::system("You are terse."),
            Message::developer("Answer in French."),
            Message::user("Hello!"),
        ],
    );
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "system": "You are terse.\n\nAnswer in French.",
        "messages": [{"role": "user", "content": "Hello!"}],
        "max_tokens": 4096
    });
    assert_valid_request(&expected, false);
    let server = expect_post(&expected, text_ok()).await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(resp.id, "msg_013Zva2CMHLNnXjNJJKqJ2EF");
    assert_eq!(resp.object, "chat.completion");
    assert_eq!(resp.model, "claude-sonnet-4-5-20250929");
    assert!(resp.created > 1_700_000_000, "created is stamped");
    assert_eq!(resp.text(), "Hi! My name is Claude.");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(resp.service_tier.as_deref(), Some("standard"));
    let u = resp.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (2095, 503, 2598)
    );
    assert_eq!((u.cache_read_tokens(), u.cache_write_tokens()), (0, 0));
    let reqs = received(&server).await;
    assert!(reqs[0].headers.get("authorization").is_none());
    assert_valid_request(&only_request_json(&server).await, false);
}

#[tokio::test]
async fn every_mapped_parameter() {
    let mut req = ChatRequest::new("claude-sonnet-4-5", vec![Message::user("Weather?")])
        .with_temperature(0.5)
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Required)
        .with_response_format(ResponseFormat::JsonSchema(JsonSchemaFormat {
            name: "weather".into(),
            description: None,
            schema: Some(json!({"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"], "additionalProperties": false})),
            strict: Some(true),
        }));
    req.top_p = Some(0.9);
    req.max_tokens = Some(100);
    req.max_completion_tokens = Some(200); // wins: the effective output limit
    req.stop = Some(Stop::Many(vec!["\n\nHuman:".into(), "END".into()]));
    req.user = Some("user-42".into());
    req.service_tier = Some("auto".into());
    req.parallel_tool_calls = Some(false);
    // Not sent: no Anthropic equivalent.
    req.seed = Some(7);
    req.presence_penalty = Some(0.1);
    req.reasoning_effort = Some("low".into());
    req.store = Some(true);
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": "Weather?"}],
        "max_tokens": 200,
        "temperature": 0.5,
        "top_p": 0.9,
        "stop_sequences": ["\n\nHuman:", "END"],
        "metadata": {"user_id": "user-42"},
        "service_tier": "auto",
        "tools": [{"name": "get_weather", "description": "Current weather in a city",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}}],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
        "output_config": {"format": {"type": "json_schema", "schema": {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"], "additionalProperties": false}}}
    });
    assert_valid_request(&expected, true);
    let server = expect_post(&expected, text_ok()).await;
    client(&server.uri()).chat(req).await.unwrap();
}

#[tokio::test]
async fn extra_fields_reach_the_body_thinking_included() {
    // As a request arrives through the gateway: OpenAI JSON with Anthropic's fields.
    let req: ChatRequest = serde_json::from_value(json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": "Prove it."}],
        "max_tokens": 16000,
        "thinking": {"type": "enabled", "budget_tokens": 10000},
        "top_k": 40,
        "metadata": {"user_id": "13803d75-b4b5-4c3e-b2a2-6f21399b021b"},
        "service_tier": "standard_only",
        "user": "ignored-when-metadata-has-a-user-id"
    }))
    .unwrap();
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": "Prove it."}],
        "max_tokens": 16000,
        "thinking": {"type": "enabled", "budget_tokens": 10000},
        "top_k": 40,
        "metadata": {"user_id": "13803d75-b4b5-4c3e-b2a2-6f21399b021b"},
        "service_tier": "standard_only"
    });
    assert_valid_request(&expected, true);
    let server = expect_post(&expected, text_ok()).await;
    client(&server.uri()).chat(req).await.unwrap();

    // `extra` is merged last and wins over computed fields.
    let req = ChatRequest::new("m", vec![Message::user("x")])
        .with_extra("metadata", json!({"user_id": "from-extra"}))
        .with_extra("max_tokens", 5);
    let expected = json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 5, "metadata": {"user_id": "from-extra"}});
    let server = expect_post(&expected, text_ok()).await;
    client(&server.uri()).chat(req).await.unwrap();
}

#[tokio::test]
async fn images_from_data_urls_and_https_urls() {
    let req = ChatRequest::new(
        "claude-sonnet-4-5",
        vec![Message::user(vec![
            ContentPart::text("Compare these."),
            ContentPart::image_base64("image/png", PNG_1X1),
            ContentPart::image_url("https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg"),
        ])],
    )
    .with_max_tokens(64);
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Compare these."},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_1X1}},
            {"type": "image", "source": {"type": "url", "url": "https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg"}}
        ]}],
        "max_tokens": 64
    });
    assert_valid_request(&expected, true);
    // Without the URL image, the body is valid for the November 2024 spec too.
    let mut base64_only = expected.clone();
    base64_only["messages"][0]["content"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_valid_request(&base64_only, false);
    let server = expect_post(&expected, text_ok()).await;
    client(&server.uri()).chat(req).await.unwrap();
}

/// `%PDF-1.4` and a newline, base64: a stand-in for a PDF.
const PDF: &str = "JVBERi0xLjQK";

#[tokio::test]
async fn openai_file_parts_with_a_pdf_become_document_blocks() {
    // OpenAI's `file` part ("File inputs": `file_data` as a data URL with `filename`), and the
    // part llm-router-messages-api makes of an Anthropic base64 `document` (`cache_control`
    // on the part, title as `filename`).
    let req: ChatRequest = serde_json::from_value(json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": [
            {"type": "file", "file": {"filename": "draconomicon.pdf", "file_data": format!("data:application/pdf;base64,{PDF}")}},
            {"type": "file", "file": {"filename": "Q3 report", "file_data": format!("data:application/pdf;base64,{PDF}")},
             "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "What is the first dragon in the book?"}
        ]}]
    }))
    .unwrap();
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": [
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
             "title": "draconomicon.pdf"},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
             "title": "Q3 report", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "What is the first dragon in the book?"}
        ]}],
        "max_tokens": 256
    });
    assert_valid_request(&expected, true);
    let server = expect_post(&expected, text_ok()).await;
    client(&server.uri()).chat(req).await.unwrap();
}

#[tokio::test]
async fn file_parts_anthropic_cannot_read_are_refused_before_sending() {
    let server = MockServer::start().await;
    for (file, why) in [
        (json!({"file_id": "file-abc123"}), "file ids"),
        (
            json!({"filename": "notes.txt", "file_data": "data:text/plain;base64,aGk="}),
            "base64 PDFs",
        ),
        (
            json!({"filename": "notes.txt", "file_data": "aGk="}),
            ".pdf",
        ),
    ] {
        let req: ChatRequest = serde_json::from_value(json!({
            "model": "m",
            "messages": [{"role": "user", "content": [{"type": "file", "file": file}]}]
        }))
        .unwrap();
        let e = client(&server.uri()).chat(req).await.unwrap_err();
        assert_eq!(e.kind(), llm_router_core::ErrorKind::Unsupported, "{file}");
        assert!(e.message().contains(why), "{e}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn the_matched_stop_sequence_is_kept_in_the_choice_extra() {
    let mut message = fixtures().json("message_text.json");
    message["stop_reason"] = json!("stop_sequence");
    message["stop_sequence"] = json!("\n\nHuman:");
    llm_router_testkit::anthropic_spec::assert_valid_in(
        llm_router_testkit::anthropic_spec::Spec::Pristine,
        "Message",
        &message,
    );
    let mut req = ChatRequest::new("m", vec![Message::user("x")]);
    req.stop = Some(Stop::Many(vec!["\n\nHuman:".into()]));
    let expected = json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 4096, "stop_sequences": ["\n\nHuman:"]});
    assert_valid_request(&expected, false);
    let server = expect_post(&expected, json_response(200, &message)).await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(
        resp.choices[0].extra,
        json!({"stop_sequence": "\n\nHuman:"})
            .as_object()
            .cloned()
            .unwrap()
    );
    // Without a matched sequence nothing is added.
    let server = expect_post(
        &json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 4096}),
        text_ok(),
    )
    .await;
    let resp = client(&server.uri())
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap();
    assert!(resp.choices[0].extra.is_empty());
}

#[tokio::test]
async fn tools_with_strict_cache_control_and_a_forced_choice() {
    let mut tool = weather_tool();
    tool.function.strict = Some(true);
    tool.extra
        .insert("cache_control".into(), json!({"type": "ephemeral"}));
    let no_params = ToolDefinition {
        function: llm_router_core::FunctionDefinition {
            name: "get_time".into(),
            description: None,
            parameters: None,
            strict: None,
            extra: Default::default(),
        },
        ..weather_tool()
    };
    let req = ChatRequest::new("claude-sonnet-4-5", vec![Message::user("Weather?")])
        .with_tools([tool, no_params])
        .with_tool_choice(ToolChoice::Function("get_weather".into()));
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": "Weather?"}],
        "max_tokens": 4096,
        "tools": [
            {"name": "get_weather", "description": "Current weather in a city", "strict": true, "cache_control": {"type": "ephemeral"},
             "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}},
            {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}
        ],
        "tool_choice": {"type": "tool", "name": "get_weather"}
    });
    assert_valid_request(&expected, true);
    let server = expect_post(
        &expected,
        json_response(200, &fixtures().json("message_tool_use.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    let m = resp.message().unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(m.text(), "I'll check the current weather in Paris for you.");
    assert_eq!(m.tool_calls.len(), 1);
    assert_eq!(m.tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9");
    assert_eq!(m.tool_calls[0].function.name, "get_weather");
    assert_eq!(
        m.tool_calls[0].function.parse_arguments().unwrap(),
        json!({"city": "Paris", "unit": "c"})
    );
}

#[tokio::test]
async fn cache_control_passthrough_and_cache_token_usage() {
    let mut system = Message::system("A very long system prompt.");
    system.extra.insert(
        "cache_control".into(),
        json!({"type": "ephemeral", "ttl": "1h"}),
    );
    let mut user = Message::user(vec![
        ContentPart::text("Document: …"),
        ContentPart::text("Question?"),
    ]);
    user.extra
        .insert("cache_control".into(), json!({"type": "ephemeral"}));
    let req = ChatRequest::new("claude-sonnet-4-5", vec![system, user]).with_max_tokens(1024);
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "system": [{"type": "text", "text": "A very long system prompt.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Document: …"},
            {"type": "text", "text": "Question?", "cache_control": {"type": "ephemeral"}}
        ]}],
        "max_tokens": 1024
    });
    assert_valid_request(&expected, true);
    let server = expect_post(
        &expected,
        json_response(200, &fixtures().json("message_thinking.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    let u = resp.usage.unwrap();
    // prompt_tokens = input_tokens + cache reads + cache writes.
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (4025, 300, 4325)
    );
    assert_eq!(u.cache_read_tokens(), 3000);
    assert_eq!(u.cache_write_tokens(), 1000);
}

#[tokio::test]
async fn default_max_tokens_betas_and_extra_headers() {
    let server = MockServer::start().await;
    messages_post()
        .and(headers(
            "anthropic-beta",
            vec!["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"],
        ))
        .and(header("x-team", "search"))
        .and(header("x-trace", "t1"))
        .and(body_json(json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 1000})))
        .respond_with(text_ok())
        .expect(1)
        .mount(&server)
        .await;
    let http = llm_router_http::build_client(&llm_router_http::HttpConfig::default()).unwrap();
    let c = llm_router_anthropic::builder()
        .api_key(KEY)
        .base_url(format!("{}/", server.uri()))
        .http_client(http)
        .request_timeout(Some(std::time::Duration::from_secs(30)))
        .stream_timeouts(llm_router_anthropic::StreamTimeouts::new(
            Some(std::time::Duration::from_secs(30)),
            Some(std::time::Duration::from_secs(120)),
        ))
        .default_max_tokens(1000)
        .beta("interleaved-thinking-2025-05-14")
        .beta("context-1m-2025-08-07")
        .header("x-team", "search")
        .build()
        .unwrap();
    assert_eq!(c.default_max_tokens(), 1000);
    c.chat(ChatRequest::new("m", vec![Message::user("x")]).with_header("x-trace", "t1"))
        .await
        .unwrap();
    assert_valid_request(&only_request_json(&server).await, false);
    let reqs = received(&server).await;
    assert_eq!(
        reqs[0].headers.get("anthropic-beta").unwrap(),
        "interleaved-thinking-2025-05-14,context-1m-2025-08-07"
    );
}

/// A configured `anthropic-version` or `anthropic-beta` replaces the adapter's (sent once, not
/// twice), and a request's own header replaces the configured one.
#[tokio::test]
async fn configured_and_per_request_headers_replace_the_adapters() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(json_response(200, &fixtures().json("message_text.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_anthropic::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .beta("context-1m-2025-08-07")
        .header("anthropic-version", "2099-01-01")
        .header("anthropic-beta", "configured-beta")
        .build()
        .unwrap();
    let req = ChatRequest::new("m", vec![Message::user("x")]).with_header("anthropic-beta", "mine");
    c.chat(req).await.unwrap();
    let reqs = received(&server).await;
    let all = |name: &str| header_values(&reqs[0], name);
    assert_eq!(all("anthropic-version"), ["2099-01-01"]);
    assert_eq!(all("anthropic-beta"), ["mine"]);
    assert_eq!(all("x-api-key"), [KEY]);
}

#[tokio::test]
async fn streaming_request_asks_for_events() {
    let req = ChatRequest::new("claude-3-opus-latest", vec![Message::user("Hello")]);
    let expected = json!({
        "model": "claude-3-opus-latest",
        "messages": [{"role": "user", "content": "Hello"}],
        "max_tokens": 4096,
        "stream": true
    });
    assert_valid_request(&expected, false);
    let server = MockServer::start().await;
    messages_post()
        .and(header("accept", "text/event-stream"))
        .and(body_json(&expected))
        .respond_with(sse_response(&fixtures().text("chat_stream.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = collect_stream(stream).await.unwrap();
    assert_eq!(resp.id, "msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK");
    assert!(resp.created > 1_700_000_000, "created is stamped");
    assert_eq!(resp.text(), "Hello there!");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    let u = resp.usage.unwrap();
    assert_eq!((u.prompt_tokens, u.completion_tokens), (11, 6));
}

#[tokio::test]
async fn the_documented_message_example_parses() {
    let message = example("Message").unwrap();
    let server = MockServer::start().await;
    messages_post()
        .respond_with(json_response(200, &message))
        .mount(&server)
        .await;
    let resp = client(&server.uri())
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap();
    assert_eq!(resp.text(), "Hi! My name is Claude.");
    assert_eq!(resp.usage.unwrap().total_tokens, 2095 + 503);
}

#[tokio::test]
async fn models_are_listed_across_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .and(header("x-api-key", KEY))
        .and(header("anthropic-version", "2023-06-01"))
        .and(query_param("limit", "1000"))
        .and(query_param("after_id", "claude-sonnet-4-5-20250929"))
        .respond_with(json_response(200, &json!({"data": [
            {"type": "model", "id": "claude-3-5-haiku-20241022", "display_name": "Claude Haiku 3.5", "created_at": "2024-10-22T00:00:00Z"}
        ], "has_more": false, "first_id": "claude-3-5-haiku-20241022", "last_id": "claude-3-5-haiku-20241022"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .and(query_param("limit", "1000"))
        .respond_with(json_response(200, &json!({"data": [
            {"type": "model", "id": "claude-opus-4-1-20250805", "display_name": "Claude Opus 4.1", "created_at": "2025-08-05T00:00:00Z"},
            {"type": "model", "id": "claude-sonnet-4-5-20250929", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}
        ], "has_more": true, "first_id": "claude-opus-4-1-20250805", "last_id": "claude-sonnet-4-5-20250929"})))
        .expect(1)
        .mount(&server)
        .await;
    let models = client(&server.uri()).list_models().await.unwrap();
    assert_eq!(
        models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [
            "claude-opus-4-1-20250805",
            "claude-sonnet-4-5-20250929",
            "claude-3-5-haiku-20241022"
        ]
    );
    assert_eq!(models[0].owned_by, "anthropic");
    assert_eq!(models[0].extra["display_name"], "Claude Opus 4.1");
}

/// The form OpenAI-shaped clients send (LiteLLM's convention): `cache_control` on a content
/// part, text or image.
#[tokio::test]
async fn part_level_cache_control_reaches_the_block() {
    let req: ChatRequest = serde_json::from_value(json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Long document …", "cache_control": {"type": "ephemeral"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            {"type": "text", "text": "Question?"}
        ]}]
    }))
    .unwrap();
    let expected = json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Long document …", "cache_control": {"type": "ephemeral"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            {"type": "text", "text": "Question?"}
        ]}],
        "max_tokens": 64
    });
    assert_valid_request(&expected, true);
    let server = expect_post(
        &expected,
        json_response(200, &fixtures().json("message_thinking.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
}
