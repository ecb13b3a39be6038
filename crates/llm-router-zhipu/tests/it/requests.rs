//! Exact request bodies Zhipu receives: Zhipu's extras, no `stream_options`, reasoning and
//! tool-call ids across turns, image parts, embeddings; what is refused before sending.

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, ErrorKind,
    JsonSchemaFormat, Message, ResponseFormat, ToolChoice, ToolDefinition,
};
use llm_router_testkit::conformance::PNG_1X1;
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

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

const CHAT: &str = "/api/paas/v4/chat/completions";

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "查询城市天气",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn weather_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "get_weather", "description": "查询城市天气",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}})
}

#[tokio::test]
async fn zhipu_extras_pass_through_and_max_tokens_is_used() {
    let mut req = ChatRequest::new(
        "glm-4.5",
        vec![
            Message::system("你是一个有用的助手。"),
            Message::user("你好"),
        ],
    )
    .with_temperature(0.6)
    .with_extra("thinking", json!({"type": "enabled"}))
    .with_extra("do_sample", true)
    .with_extra("request_id", "req-20250729-0001")
    .with_extra("user_id", "user-123456");
    req.max_completion_tokens = Some(1024);
    req.top_p = Some(0.95);
    req.response_format = Some(ResponseFormat::JsonObject);
    let server = expect_post(
        CHAT,
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "glm-4.5",
               "messages": [{"role": "system", "content": "你是一个有用的助手。"}, {"role": "user", "content": "你好"}],
               "temperature": 0.6, "top_p": 0.95, "max_tokens": 1024,
               "response_format": {"type": "json_object"},
               "thinking": {"type": "enabled"}, "do_sample": true,
               "request_id": "req-20250729-0001", "user_id": "user-123456",
               "stream": false})
    );
    assert_eq!(resp.text(), "你好！我是智谱清言，很高兴为你服务。");
    assert_eq!(
        resp.message().unwrap().reasoning_content.as_deref(),
        Some("用户在打招呼，简单友好地回应即可。")
    );
    assert_eq!(resp.extra["request_id"], "req-20250729-0001");
}

#[tokio::test]
async fn streams_are_sent_without_stream_options() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CHAT))
        .and(header("accept", "text/event-stream"))
        .respond_with(sse_response(&fixtures().text("stream.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new("glm-4.5", vec![Message::user("你好")]))
        .await
        .unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "glm-4.5", "messages": [{"role": "user", "content": "你好"}], "stream": true})
    );
    assert_eq!(resp.usage.unwrap().total_tokens, 21);
}

/// user → tool call → tool result → answer: the second request carries the call id
/// unchanged and the turn's `reasoning_content` (Zhipu's interleaved thinking needs it back
/// with the tool result).
#[tokio::test]
async fn tool_conversation_keeps_ids_and_sends_reasoning_back() {
    let user = Message::user("北京今天天气怎么样？");
    let first = ChatRequest::new("glm-4.5", vec![user.clone()])
        .with_tools([weather_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let server = expect_post(
        CHAT,
        json_response(200, &fixtures().json("chat_tool_call.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "glm-4.5", "messages": [{"role": "user", "content": "北京今天天气怎么样？"}],
               "tools": [weather_tool_json()], "tool_choice": "auto", "stream": false})
    );
    let mut call = resp.message().unwrap().clone();
    assert_eq!(call.tool_calls[0].id, "call_-8974985346427009614");
    assert_eq!(resp.usage.as_ref().unwrap().cache_read_tokens(), 128);
    // Reasoning blocks of another vendor are never sent to Zhipu.
    call.reasoning_details = vec![llm_router_core::ReasoningDetail::encrypted("opaque")];

    let second = ChatRequest::new(
        "glm-4.5",
        vec![
            user,
            call.clone(),
            Message::tool(
                call.tool_calls[0].id.clone(),
                r#"{"temperature": 28, "weather": "晴"}"#,
            ),
        ],
    )
    .with_tools([weather_tool()]);
    let server = expect_post(
        CHAT,
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "glm-4.5",
               "messages": [
                   {"role": "user", "content": "北京今天天气怎么样？"},
                   {"role": "assistant", "content": "",
                    "reasoning_content": "用户想知道北京的天气，需要调用 get_weather。",
                    "tool_calls": [{"id": "call_-8974985346427009614", "index": 0, "type": "function",
                                    "function": {"name": "get_weather", "arguments": "{\"city\": \"北京\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_-8974985346427009614",
                    "content": "{\"temperature\": 28, \"weather\": \"晴\"}"}
               ],
               "tools": [weather_tool_json()], "stream": false})
    );
}

#[tokio::test]
async fn image_parts_reach_glm_4v() {
    let req = ChatRequest::new(
        "glm-4v-plus",
        vec![Message::user(vec![
            ContentPart::image_url("https://img1.baidu.com/it/u=1369931113,3388870256.jpg"),
            ContentPart::image_base64("image/png", PNG_1X1),
            ContentPart::text("图里有什么"),
        ])],
    );
    let server = expect_post(
        CHAT,
        json_response(200, &fixtures().json("chat_documented.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "glm-4v-plus", "messages": [{"role": "user", "content": [
                   {"type": "image_url", "image_url": {"url": "https://img1.baidu.com/it/u=1369931113,3388870256.jpg"}},
                   {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_1X1}")}},
                   {"type": "text", "text": "图里有什么"}
               ]}], "stream": false})
    );
}

#[tokio::test]
async fn embeddings_with_dimensions() {
    let mut req = EmbeddingRequest::new("embedding-3", vec!["你好", "世界"]);
    req.dimensions = Some(3);
    req.input_type = Some(llm_router_core::InputType::Query); // ours; not sent to Zhipu
    let server = expect_post(
        "/api/paas/v4/embeddings",
        json_response(200, &fixtures().json("embeddings.json")),
    )
    .await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "embedding-3", "input": ["你好", "世界"], "dimensions": 3})
    );
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[0].embedding.to_floats().unwrap().len(), 3);
    assert_eq!(resp.usage.unwrap().prompt_tokens, 4);
}

#[tokio::test]
async fn json_schema_and_model_listing_are_refused_before_sending() {
    let c = client("http://127.0.0.1:9");
    let req = ChatRequest::new("glm-4.5", vec![Message::user("x")]).with_response_format(
        ResponseFormat::JsonSchema(JsonSchemaFormat {
            name: "n".into(),
            description: None,
            schema: Some(json!({"type": "object"})),
            strict: None,
        }),
    );
    assert_eq!(
        c.chat(req).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert_eq!(
        c.list_models().await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}
