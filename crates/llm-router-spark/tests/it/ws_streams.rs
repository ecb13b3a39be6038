//! The WebSocket surface against a local server: signed URL, exact request frame, answers
//! split over several frames, usage, function calls, cancel by drop.

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, FinishReason, Message, ToolDefinition, collect_stream,
};
use serde_json::json;

use crate::ws_server::{APP_ID, End, Script, client, frames, serve};

fn documented_request() -> ChatRequest {
    let mut req = ChatRequest::new(
        "generalv3.5",
        vec![
            Message::system(
                "你现在扮演李白，你豪情万丈，狂放不羁；接下来请用李白的口吻和用户对话。",
            ),
            Message::user("你是谁"),
            Message::assistant("吾乃李白，字太白。"),
            Message::user("你会做什么"),
        ],
    )
    .with_temperature(0.5)
    .with_max_tokens(1024)
    .with_extra("top_k", 4);
    req.user = Some("12345".into());
    req
}

#[tokio::test]
async fn signed_url_request_frame_and_an_answer_over_four_frames() {
    let (base, server) = serve(Script::new(
        "/v3.5/chat",
        frames("ws_answer.jsonl"),
        End::Close,
    ))
    .await;
    let stream = client(&base)
        .chat_stream(documented_request())
        .await
        .unwrap();
    let chunks: Vec<_> = stream.collect().await;
    let chunks: Vec<_> = chunks.into_iter().map(Result::unwrap).collect();
    let texts: Vec<_> = chunks
        .iter()
        .map(|c| c.text().unwrap_or_default())
        .collect();
    assert_eq!(texts, ["你好！", "我是讯飞星火，", "有什么可以帮你？", ""]);
    assert!(
        chunks
            .iter()
            .all(|c| c.id == "cht000cb087@dx18793cd421fb894542")
    );
    assert!(chunks.iter().all(|c| c.model == "generalv3.5"));
    assert!(
        chunks[..3]
            .iter()
            .all(|c| c.usage.is_none() && c.finish_reason().is_none())
    );
    let last = chunks.last().unwrap();
    assert_eq!(last.finish_reason(), Some(&FinishReason::Stop));
    let usage = last.usage.clone().unwrap();
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (5, 9, 14)
    );

    let seen = server.await.unwrap();
    assert_eq!(seen.refused, None, "the server accepted the signature");
    assert!(
        seen.uri.starts_with("/v3.5/chat?authorization="),
        "{}",
        seen.uri
    );
    assert_eq!(
        seen.request.unwrap(),
        json!({
            "header": {"app_id": APP_ID, "uid": "12345"},
            "parameter": {"chat": {"domain": "generalv3.5", "temperature": 0.5, "max_tokens": 1024, "top_k": 4}},
            "payload": {"message": {"text": [
                {"role": "system", "content": "你现在扮演李白，你豪情万丈，狂放不羁；接下来请用李白的口吻和用户对话。"},
                {"role": "user", "content": "你是谁"},
                {"role": "assistant", "content": "吾乃李白，字太白。"},
                {"role": "user", "content": "你会做什么"}
            ]}}
        })
    );
}

#[tokio::test]
async fn chat_is_the_collected_stream() {
    let (base, server) = serve(Script::new(
        "/v1.1/chat",
        frames("ws_answer.jsonl"),
        End::Close,
    ))
    .await;
    let resp = client(&base)
        .chat(ChatRequest::new("lite", vec![Message::user("你好")]))
        .await
        .unwrap();
    assert_eq!(resp.text(), "你好！我是讯飞星火，有什么可以帮你？");
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(resp.usage.unwrap().total_tokens, 14);
    let seen = server.await.unwrap();
    assert_eq!(
        seen.request.unwrap(),
        json!({"header": {"app_id": APP_ID}, "parameter": {"chat": {"domain": "lite"}},
               "payload": {"message": {"text": [{"role": "user", "content": "你好"}]}}})
    );
}

#[tokio::test]
async fn a_function_call_is_a_tool_call() {
    let (base, server) = serve(Script::new(
        "/v4.0/chat",
        frames("ws_function_call.jsonl"),
        End::Close,
    ))
    .await;
    let req = ChatRequest::new("4.0Ultra", vec![Message::user("今天合肥天气怎么样")]).with_tools([
        ToolDefinition::function(
            "天气查询",
            "天气插件可以提供天气相关信息。",
            json!({"type": "object", "properties": {"location": {"type": "string", "description": "地点，比如北京。"}, "datetime": {"type": "string", "description": "日期或时间"}}, "required": ["location"]}),
        ),
    ]);
    let resp = collect_stream(client(&base).chat_stream(req).await.unwrap())
        .await
        .unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    let call = &resp.message().unwrap().tool_calls[0];
    assert_eq!(call.function.name, "天气查询");
    assert_eq!(
        call.function.parse_arguments().unwrap(),
        json!({"datetime": "今天", "location": "合肥"})
    );
    assert!(!call.id.is_empty());
    let request = server.await.unwrap().request.unwrap();
    assert_eq!(
        request["payload"]["functions"],
        json!({"text": [{"name": "天气查询", "description": "天气插件可以提供天气相关信息。",
            "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "地点，比如北京。"}, "datetime": {"type": "string", "description": "日期或时间"}}, "required": ["location"]}}]})
    );
}

#[tokio::test]
async fn dropping_the_stream_closes_the_socket() {
    let first = frames("ws_answer.jsonl").remove(0);
    let (base, server) = serve(Script::new("/v1.1/chat", vec![first], End::Wait)).await;
    let mut stream = client(&base)
        .chat_stream(ChatRequest::new("lite", vec![Message::user("你好")]))
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().text(), Some("你好！"));
    drop(stream);
    assert!(server.await.unwrap().client_went_away);
}

#[tokio::test]
async fn routes_can_be_added_and_overridden() {
    let (base, server) = serve(Script::new(
        "/v9.9/chat",
        frames("ws_answer.jsonl"),
        End::Close,
    ))
    .await;
    let c = crate::ws_server::client_builder(&base)
        .route(
            "lite",
            llm_router_spark::ws::Route::new("/v9.9/chat", "lite-next"),
        )
        .build()
        .unwrap();
    c.chat(ChatRequest::new("lite", vec![Message::user("hi")]))
        .await
        .unwrap();
    let request = server.await.unwrap().request.unwrap();
    assert_eq!(request["parameter"]["chat"]["domain"], "lite-next");
}
