//! Exact requests the HTTP API receives, and Spark's documented responses decoded.

use llm_router_core::{ChatProvider, ChatRequest, Message, ToolDefinition, collect_stream};
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{PASSWORD, fixtures, http_client};

async fn expect_post(p: &str, resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header(
            "authorization",
            format!("Bearer {PASSWORD}").as_str(),
        ))
        .and(header("content-type", "application/json"))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn documented_request_and_response() {
    let req = ChatRequest::new(
        "generalv3.5",
        vec![
            Message::system("你是知识渊博的助理"),
            Message::user("来一个只有程序员能听懂的笑话"),
        ],
    )
    .with_temperature(0.5)
    .with_max_tokens(4096)
    .with_extra("top_k", 4)
    .with_tools([ToolDefinition::function(
        "天气查询",
        "查询某地的天气",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    )]);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("http_chat.json")),
    )
    .await;
    let resp = http_client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({
            "model": "generalv3.5",
            "messages": [
                {"role": "system", "content": "你是知识渊博的助理"},
                {"role": "user", "content": "来一个只有程序员能听懂的笑话"}
            ],
            "temperature": 0.5,
            "max_tokens": 4096,
            "top_k": 4,
            "tools": [{"type": "function", "function": {"name": "天气查询", "description": "查询某地的天气",
                "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}],
            "stream": false
        })
    );
    assert_eq!(resp.text(), "你好，我是由科大讯飞构建的星火认知智能模型。");
    assert_eq!(
        resp.id, "cha000b0003@dx1905cd86d6bb86d552",
        "the sid becomes the id"
    );
    let usage = resp.usage.unwrap();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (6, 42));
}

#[tokio::test]
async fn documented_stream() {
    let server = expect_post(
        "/v1/chat/completions",
        sse_response(&fixtures().text("http_stream.sse")),
    )
    .await;
    let req = ChatRequest::new("lite", vec![Message::user("你好")]);
    let stream = http_client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = collect_stream(stream).await.unwrap();
    assert_eq!(resp.text(), "你好！有什么可以帮你？");
    assert_eq!(resp.usage.unwrap().total_tokens, 14);
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "lite", "messages": [{"role": "user", "content": "你好"}], "stream": true})
    );
}

#[tokio::test]
async fn x1_is_sent_to_v2() {
    let server = expect_post(
        "/v2/chat/completions",
        json_response(200, &fixtures().json("http_chat.json")),
    )
    .await;
    let req = ChatRequest::new("x1", vec![Message::user("9.11 和 9.8 哪个大？")]);
    http_client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(only_request_json(&server).await["model"], "x1");
}

#[tokio::test]
async fn the_older_key_and_secret_form() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer key123456:secret123456"))
        .respond_with(json_response(200, &fixtures().json("http_chat.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = llm_router_spark::http::builder()
        .api_key_and_secret(&"key123456".into(), &"secret123456".into())
        .base_url(format!("{}/v1", server.uri()))
        .build()
        .unwrap();
    let resp = client
        .chat(ChatRequest::new("lite", vec![Message::user("hi")]))
        .await
        .unwrap();
    assert!(resp.text().starts_with("你好"));
}
