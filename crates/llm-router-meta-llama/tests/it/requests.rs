//! Exact native requests against wiremock, a multi-turn tool conversation with ids intact,
//! the OpenAI-compatible option, refusals and secrets.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, ErrorKind, FinishReason, Message, ResponseFormat,
    ToolChoice, ToolDefinition, ToolType,
};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, client, http};

fn weather() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn weather_json() -> serde_json::Value {
    json!([{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])
}

#[tokio::test]
async fn a_tool_conversation_round_trips_with_ids_intact() {
    let server = MockServer::start().await;
    let first = json!({"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": weather_json(), "tool_choice": "auto", "stream": false});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_json(&first))
        .respond_with(json_response(200, &json!({"id": "r1", "completion_message": {"role": "assistant",
            "content": "", "stop_reason": "tool_calls",
            "tool_calls": [{"id": "call_Zq81", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            "metrics": [{"metric": "num_prompt_tokens", "value": 50}, {"metric": "num_completion_tokens", "value": 12}]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let r1 = c
        .chat(
            ChatRequest::new(
                "Llama-4-Maverick-17B-128E-Instruct-FP8",
                vec![Message::user("Weather in Paris?")],
            )
            .with_tools([weather()])
            .with_tool_choice(ToolChoice::Auto),
        )
        .await
        .unwrap();
    assert_eq!(r1.finish_reason(), Some(&FinishReason::ToolCalls));
    let assistant = r1.message().unwrap().clone();
    assert_eq!(assistant.tool_calls[0].id, "call_Zq81");
    assert_eq!(
        assistant.tool_calls[0].kind,
        ToolType::Function,
        "type added"
    );

    let server = MockServer::start().await;
    let second = json!({"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "tool_calls": [{"id": "call_Zq81",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_Zq81", "content": "{\"temp_c\":21}"}
        ],
        "tools": weather_json(), "stream": false});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_json(&second))
        .respond_with(json_response(
            200,
            &json!({"id": "r2", "completion_message": {"role": "assistant",
            "content": {"type": "text", "text": "21°C in Paris."}, "stop_reason": "stop"},
            "metrics": [{"metric": "num_prompt_tokens", "value": 80, "unit": "tokens"},
                        {"metric": "num_completion_tokens", "value": 7, "unit": "tokens"},
                        {"metric": "num_total_tokens", "value": 87, "unit": "tokens"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let r2 = c
        .chat(
            ChatRequest::new(
                "Llama-4-Maverick-17B-128E-Instruct-FP8",
                vec![
                    Message::user("Weather in Paris?"),
                    assistant,
                    Message::tool("call_Zq81", r#"{"temp_c":21}"#),
                ],
            )
            .with_tools([weather()]),
        )
        .await
        .unwrap();
    assert_eq!(r2.text(), "21°C in Paris.");
    assert_eq!(r2.usage.as_ref().unwrap().total_tokens, 87);
    assert_eq!(r2.extra["metrics"][2]["metric"], "num_total_tokens");
}

#[tokio::test]
async fn native_fields_reach_the_body_exactly() {
    let server = MockServer::start().await;
    let want = json!({"model": "Llama-3.3-70B-Instruct",
        "messages": [{"role": "system", "content": "JSON only."},
                     {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}],
        "max_completion_tokens": 100, "temperature": 0.6, "top_p": 0.9,
        "response_format": {"type": "json_schema", "json_schema": {"name": "Animal", "schema": {"type": "object"}}},
        "tools": weather_json(), "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "user": "u-1", "stream": false, "top_k": 40, "repetition_penalty": 1.1});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_json(&want))
        .respond_with(json_response(
            200,
            &json!({"completion_message": {"role": "assistant",
            "content": "{\"animal\":\"cat\"}", "stop_reason": "length"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = ChatRequest::new(
        "Llama-3.3-70B-Instruct",
        vec![
            Message::developer("JSON only."),
            Message::user(vec![
                ContentPart::text("What is this?"),
                ContentPart::image_url("https://example.com/cat.png"),
            ]),
        ],
    )
    .with_max_tokens(100)
    .with_temperature(0.6)
    .with_response_format(ResponseFormat::JsonSchema(
        serde_json::from_value(json!({"name": "Animal", "schema": {"type": "object"}})).unwrap(),
    ))
    .with_tools([weather()])
    .with_tool_choice(ToolChoice::Function("get_weather".into()))
    .with_extra("top_k", 40)
    .with_extra("repetition_penalty", 1.1);
    req.top_p = Some(0.9);
    req.user = Some("u-1".into());
    let r = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(r.text(), "{\"animal\":\"cat\"}", "string content");
    assert_eq!(r.finish_reason(), Some(&FinishReason::Length));
    assert!(r.usage.is_none(), "no metrics, no usage");
}

#[tokio::test]
async fn the_openai_compatible_option_posts_to_compat_v1() {
    let b = llm_router_meta_llama::builder()
        .api_key(KEY)
        .openai_compatible()
        .build()
        .unwrap();
    assert_eq!(b.dialect().base_url, llm_router_meta_llama::COMPAT_BASE_URL);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/compat/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(json_response(200, &json!({"id": "c", "object": "chat.completion", "created": 1,
            "model": "Llama-3.3-70B-Instruct",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = llm_router_meta_llama::builder()
        .api_key(KEY)
        .base_url(format!("{}/compat/v1", server.uri()))
        .http_client(http())
        .openai_compatible()
        .build()
        .unwrap();
    let r = c
        .chat(
            ChatRequest::new("Llama-3.3-70B-Instruct", vec![Message::user("Hi")])
                .with_max_tokens(8),
        )
        .await
        .unwrap();
    assert_eq!(r.text(), "Hello");
    let body = llm_router_testkit::wire::only_request_json(&server).await;
    assert_eq!(
        body,
        json!({"model": "Llama-3.3-70B-Instruct",
            "messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 8, "stream": false})
    );
}

#[tokio::test]
async fn refuses_json_object_and_n_before_sending() {
    let c = client("http://127.0.0.1:9");
    let r = ChatRequest::new("m", vec![Message::user("x")])
        .with_response_format(ResponseFormat::JsonObject);
    assert_eq!(c.chat(r).await.unwrap_err().kind(), ErrorKind::Unsupported);
    let mut r = ChatRequest::new("m", vec![Message::user("x")]);
    r.n = Some(3);
    assert_eq!(c.chat(r).await.unwrap_err().kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn the_key_never_shows_in_debug_output_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(json_response(
            401,
            &json!({"detail": format!("Invalid API key {KEY}")}),
        ))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    assert!(!format!("{c:?}").contains(KEY));
    let e = c
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY));
    let compat = llm_router_meta_llama::builder()
        .api_key(KEY)
        .openai_compatible()
        .build()
        .unwrap();
    assert!(!format!("{compat:?}").contains(KEY));
    assert_eq!(
        llm_router_meta_llama::builder().build().unwrap_err().kind(),
        ErrorKind::Config
    );
}
