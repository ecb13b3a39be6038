//! Exact legacy requests: method, path, query, headers and body for chat, streams, tool
//! conversations and embeddings; responses converted to the canonical shape.

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, ErrorKind, FinishReason,
    Message, ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_testkit::wire::{json_response, received, sse_response};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

use crate::{PREFIX, TOKEN, TOKEN_PATH, chat_mock, fixtures, legacy_client, mount_token};

/// A server with the token endpoint and `endpoint` answering `resp`; returns it after `f`.
async fn server(endpoint: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    chat_mock(endpoint, TOKEN, resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// The one model request (the token request aside), checked for what every model request
/// carries: POST, only `access_token` in the query, JSON content type, no auth header.
async fn model_request(server: &MockServer) -> Request {
    let reqs: Vec<Request> = received(server)
        .await
        .into_iter()
        .filter(|r| r.url.path() != TOKEN_PATH)
        .collect();
    assert_eq!(reqs.len(), 1);
    let r = reqs.into_iter().next().unwrap();
    assert_eq!(r.method.as_str(), "POST");
    let query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
    assert_eq!(query, vec![("access_token".into(), TOKEN.into())]);
    assert_eq!(r.headers.get("content-type").unwrap(), "application/json");
    assert!(r.headers.get("authorization").is_none());
    r
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_current_weather",
        "获取指定城市的天气",
        json!({"type": "object", "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}),
    )
}

#[tokio::test]
async fn chat_body_and_response() {
    let server = server(
        "completions_pro",
        json_response(200, &fixtures().json("legacy_chat.json")),
    )
    .await;
    let mut req = ChatRequest::new(
        "ERNIE-4.0-8K",
        vec![
            Message::system("你是一个乐于助人的助手。"),
            Message::user("你好"),
            Message::user("你是谁？"),
        ],
    )
    .with_temperature(0.0)
    .with_extra("penalty_score", 1.1)
    .with_extra("disable_search", true);
    req.max_completion_tokens = Some(1024);
    req.top_p = Some(0.8);
    req.stop = Some(llm_router_core::Stop::One("。".into()));
    req.user = Some("user-42".into());
    let resp = legacy_client(&server.uri()).chat(req).await.unwrap();
    let r = model_request(&server).await;
    assert_eq!(r.url.path(), format!("{PREFIX}/chat/completions_pro"));
    assert_eq!(r.headers.get("accept").unwrap(), "application/json");
    assert_eq!(
        body(&r),
        json!({"messages": [{"role": "user", "content": "你好\n\n你是谁？"}],
               "system": "你是一个乐于助人的助手。",
               "temperature": 0.01, "top_p": 0.8, "stop": ["。"], "max_output_tokens": 1024,
               "user_id": "user-42", "penalty_score": 1.1, "disable_search": true, "stream": false})
    );
    assert_eq!(resp.id, "as-bcmt5ct4id");
    assert_eq!(resp.created, 1_680_167_072);
    assert_eq!(resp.model, "ERNIE-4.0-8K");
    assert!(resp.text().starts_with("您好，我是文心一言"));
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(resp.choices[0].extra["native_finish_reason"], "normal");
    let u = resp.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (4, 37, 41)
    );
}

#[tokio::test]
async fn streams_are_sent_with_stream_true_and_end_at_is_end() {
    let server = server(
        "ernie-speed-128k",
        sse_response(&fixtures().text("legacy_stream.sse")),
    )
    .await;
    let stream = legacy_client(&server.uri())
        .chat_stream(ChatRequest::new(
            "ERNIE-Speed-128K",
            vec![Message::user("你好")],
        ))
        .await
        .unwrap();
    let resp = collect_stream(stream).await.unwrap();
    let r = model_request(&server).await;
    assert_eq!(r.url.path(), format!("{PREFIX}/chat/ernie-speed-128k"));
    assert_eq!(r.headers.get("accept").unwrap(), "text/event-stream");
    assert_eq!(
        body(&r),
        json!({"messages": [{"role": "user", "content": "你好"}], "stream": true})
    );
    assert_eq!(resp.text(), "您好，我是文心一言，很高兴为您服务。");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    // Only the last event's usage counts.
    assert_eq!(resp.usage.unwrap().total_tokens, 19);
}

/// user → function call → function result → answer: the second request carries the call as
/// `function_call` (with the model's thoughts) and the result as a `function` message.
#[tokio::test]
async fn tool_conversation() {
    let user = Message::user("北京今天天气怎么样？");
    let first = ChatRequest::new("ERNIE-3.5-8K", vec![user.clone()])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let server1 = server(
        "completions",
        json_response(200, &fixtures().json("legacy_chat_function_call.json")),
    )
    .await;
    let resp = legacy_client(&server1.uri()).chat(first).await.unwrap();
    let r = model_request(&server1).await;
    assert_eq!(
        body(&r),
        json!({"messages": [{"role": "user", "content": "北京今天天气怎么样？"}],
               "functions": [{"name": "get_current_weather", "description": "获取指定城市的天气",
                              "parameters": {"type": "object", "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}],
               "stream": false})
    );
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    let call = resp.message().unwrap().clone();
    assert_eq!(call.content, None);
    assert_eq!(call.tool_calls.len(), 1);
    assert_eq!(call.tool_calls[0].id, "call_as-rtpw9dcmef");
    assert_eq!(call.tool_calls[0].function.name, "get_current_weather");
    assert_eq!(
        call.tool_calls[0].function.parse_arguments().unwrap(),
        json!({"location": "北京", "unit": "celsius"})
    );
    assert_eq!(
        call.reasoning_content.as_deref(),
        Some("用户想知道北京的天气，需要调用 get_current_weather 查询。")
    );

    let second = ChatRequest::new(
        "ERNIE-3.5-8K",
        vec![
            user,
            call.clone(),
            Message::tool(
                call.tool_calls[0].id.clone(),
                r#"{"temperature": 25, "unit": "celsius"}"#,
            ),
        ],
    )
    .with_tools([weather_tool()])
    .with_tool_choice(ToolChoice::Function("get_current_weather".into()));
    let server2 = server(
        "completions",
        json_response(200, &fixtures().json("legacy_chat.json")),
    )
    .await;
    legacy_client(&server2.uri()).chat(second).await.unwrap();
    let b = body(&model_request(&server2).await);
    assert_eq!(
        b["messages"],
        json!([{"role": "user", "content": "北京今天天气怎么样？"},
               {"role": "assistant", "content": "", "function_call": {
                   "name": "get_current_weather", "arguments": "{\"location\":\"北京\",\"unit\":\"celsius\"}",
                   "thoughts": "用户想知道北京的天气，需要调用 get_current_weather 查询。"}},
               {"role": "function", "name": "get_current_weather",
                "content": "{\"temperature\": 25, \"unit\": \"celsius\"}"}])
    );
    assert_eq!(
        b["tool_choice"],
        json!({"type": "function", "function": {"name": "get_current_weather"}})
    );
}

#[tokio::test]
async fn a_streamed_function_call() {
    let server = server(
        "completions",
        sse_response(&fixtures().text("legacy_stream_function_call.sse")),
    )
    .await;
    let stream = legacy_client(&server.uri())
        .chat_stream(
            ChatRequest::new("ERNIE-Bot", vec![Message::user("北京天气？")])
                .with_tools([weather_tool()]),
        )
        .await
        .unwrap();
    let resp = collect_stream(stream).await.unwrap();
    let m = resp.message().unwrap();
    assert_eq!(m.tool_calls.len(), 1);
    assert_eq!(m.tool_calls[0].id, "call_as-kf6e9thk0f");
    assert_eq!(m.tool_calls[0].function.arguments, r#"{"location":"北京"}"#);
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
}

#[tokio::test]
async fn an_unsafe_input_is_a_content_filter_finish() {
    let server = server(
        "completions_pro",
        json_response(200, &fixtures().json("legacy_chat_unsafe.json")),
    )
    .await;
    let resp = legacy_client(&server.uri())
        .chat(ChatRequest::new("ERNIE-4.0-8K", vec![Message::user("…")]))
        .await
        .unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ContentFilter));
    assert_eq!(resp.extra["need_clear_history"], true);
    assert_eq!(resp.extra["ban_round"], -1);
}

#[tokio::test]
async fn embeddings() {
    let server = MockServer::start().await;
    mount_token(&server, fixtures().json("legacy_token.json"), 1).await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(format!(
            "{PREFIX}/embeddings/embedding-v1"
        )))
        .and(wiremock::matchers::query_param("access_token", TOKEN))
        .respond_with(json_response(
            200,
            &fixtures().json("legacy_embeddings.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = EmbeddingRequest::new("Embedding-V1", vec!["你好", "世界"]);
    req.user = Some("user-42".into());
    let resp = legacy_client(&server.uri()).embed(req).await.unwrap();
    let r = model_request(&server).await;
    assert_eq!(
        body(&r),
        json!({"input": ["你好", "世界"], "user_id": "user-42"})
    );
    assert_eq!(resp.object, "list");
    assert_eq!(resp.model, "Embedding-V1");
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[1].index, 1);
    assert_eq!(resp.data[0].embedding.to_floats().unwrap().len(), 3);
    assert_eq!(resp.usage.unwrap().prompt_tokens, 12);
}

#[tokio::test]
async fn what_the_legacy_api_cannot_take_is_refused_before_sending() {
    // Port 9: nothing listens; a request that were sent would fail with Connection.
    let c = llm_router_ernie::legacy::builder()
        .access_token("24.given-token-0009")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let image = ChatRequest::new(
        "ERNIE-4.0-8K",
        vec![Message::user(vec![
            llm_router_core::ContentPart::text("这是什么？"),
            llm_router_core::ContentPart::image_base64(
                "image/png",
                llm_router_testkit::conformance::PNG_1X1,
            ),
        ])],
    );
    assert_eq!(
        c.chat(image).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let starts_with_assistant = ChatRequest::new(
        "ERNIE-4.0-8K",
        vec![Message::assistant("你好"), Message::user("hi")],
    );
    assert_eq!(
        c.chat(starts_with_assistant).await.unwrap_err().kind(),
        ErrorKind::InvalidRequest
    );
    let required = ChatRequest::new("ERNIE-4.0-8K", vec![Message::user("hi")])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Required);
    assert_eq!(
        c.chat_stream(required).await.err().unwrap().kind(),
        ErrorKind::Unsupported
    );
    let mut dims = EmbeddingRequest::new("Embedding-V1", vec!["a"]);
    dims.dimensions = Some(8);
    assert_eq!(
        c.embed(dims).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}
