//! The native DashScope API: conformance checks, exact bodies, what compatible mode lacks.

use std::sync::Arc;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, ErrorKind,
    FinishReason, InputType, Message, SharedChat, SharedEmbedding, ToolChoice, ToolDefinition,
    collect_stream,
};
use llm_router_qwen::OutputMode;
use llm_router_testkit::conformance::{Conformance, WireScript, requests::MODEL};
use llm_router_testkit::wire::{json_response, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::{KEY, fixtures, native_client};

const GENERATION: &str = "/api/v1/services/aigc/text-generation/generation";
const EMBEDDING: &str = "/api/v1/services/embeddings/text-embedding/text-embedding";

/// One native SSE event, framed as DashScope frames it.
pub(crate) fn event(id: usize, data: &Value) -> String {
    format!("id:{id}\nevent:result\n:HTTP_STATUS/200\ndata:{data}\n\n")
}

fn script() -> WireScript {
    let text = "Hello there, how may I assist you today? 👋";
    let rid = "7574ee8f-38a3-4b1e-9280-11c33ab46e51";
    let ev = |content: &str, finish: &str, out: u64| {
        json!({"output": {"choices": [{"message": {"content": content, "role": "assistant"}, "finish_reason": finish}]},
               "usage": {"total_tokens": 9 + out, "output_tokens": out, "input_tokens": 9}, "request_id": rid})
    };
    let parts = [
        ev("Hello", "null", 1),
        ev(" there, ", "null", 3),
        ev("how may I assist you today? 👋", "null", 12),
    ];
    let stream_without_terminator: String = parts
        .iter()
        .enumerate()
        .map(|(i, d)| event(i + 1, d))
        .collect();
    let stream_ok = format!(
        "{stream_without_terminator}{}",
        event(4, &ev("", "stop", 12))
    );
    let basic = |stream: bool| {
        let mut p = json!({"temperature": 0.0, "max_tokens": 16, "result_format": "message"});
        if stream {
            p["incremental_output"] = json!(true);
        }
        json!({"model": MODEL, "input": {"messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello"}
        ]}, "parameters": p})
    };
    let error_body = |status: u16| match status {
        401 => {
            json!({"request_id": "r1", "code": "InvalidApiKey", "message": "Invalid API-key provided."})
        }
        429 => {
            json!({"request_id": "r2", "code": "Throttling.RateQuota", "message": "Requests rate limit exceeded, please try again later."})
        }
        _ => {
            json!({"request_id": "r3", "code": "InternalError", "message": "An internal error has occured, please try again later or contact service support."})
        }
    };
    WireScript {
        chat_path: GENERATION.into(),
        stream_path: GENERATION.into(),
        auth_header: ("authorization".into(), format!("Bearer {KEY}")),
        basic_body: basic(false),
        basic_stream_body: basic(true),
        chat_ok: json!({"output": {"choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": text}}]},
                        "usage": {"total_tokens": 21, "output_tokens": 12, "input_tokens": 9}, "request_id": rid}),
        text: text.into(),
        stream_ok,
        stream_without_terminator,
        stream_error_first: "id:1\nevent:error\n:HTTP_STATUS/429\ndata:{\"code\":\"Throttling.RateQuota\",\"message\":\"Requests rate limit exceeded, please try again later.\",\"request_id\":\"r\"}\n\n".into(),
        stream_error_kind: ErrorKind::RateLimited,
        tool_call_ok: json!({"output": {"choices": [{"finish_reason": "tool_calls", "message": {"role": "assistant", "content": "",
            "tool_calls": [{"function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}, "index": 0, "id": "call_cd0bbd1f5bb34b6e8bd5f9", "type": "function"}]}}]},
            "usage": {"total_tokens": 240, "output_tokens": 20, "input_tokens": 220}, "request_id": rid}),
        image_marker: String::new(),
        error_body: Arc::new(error_body),
        quota_body: json!({"request_id": "r4", "code": "Arrearage", "message": "Access denied, plesase make sure your account is in good standing."}),
        quota_status: 400,
        embeddings: Some((
            EMBEDDING.into(),
            json!({"output": {"embeddings": [{"text_index": 1, "embedding": [0.4, 0.5, 0.6]}, {"text_index": 0, "embedding": [0.1, 0.2, 0.3]}]},
                   "usage": {"total_tokens": 2}, "request_id": rid}),
        )),
    }
}

/// Every conformance check but vision: the native client sends text only (images go through
/// compatible mode, whose suite run covers vision).
#[tokio::test]
async fn native_api_passes_the_conformance_checks() {
    let suite = Conformance {
        chat: Arc::new(|base: &str| -> SharedChat { Arc::new(native_client(base)) }),
        embed: Some(Arc::new(|base: &str| -> SharedEmbedding {
            Arc::new(native_client(base))
        })),
        parser: Some(Arc::new(|bytes| {
            llm_router_qwen::native_chat_chunks(bytes, OutputMode::Incremental)
        })),
        wire: script(),
    };
    suite.chat_basic().await;
    suite.stream_basic().await;
    suite.stream_split_everywhere().await;
    suite.tool_call().await;
    suite.embeddings().await;
    suite.errors().await;
    suite.stream_failures().await;
}

async fn expect_post(p: &str, body: &Value, resp: wiremock::ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_json(body))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn streams_send_the_sse_header_and_can_ask_for_cumulative_output() {
    let req = ChatRequest::new("qwen-plus", vec![Message::user("9.9 or 9.11?")])
        .with_extra("enable_thinking", true);
    let expected = json!({"model": "qwen-plus", "input": {"messages": [{"role": "user", "content": "9.9 or 9.11?"}]},
        "parameters": {"enable_thinking": true, "result_format": "message", "incremental_output": false}});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GENERATION))
        .and(header("x-dashscope-sse", "enable"))
        .and(header("accept", "text/event-stream"))
        .and(header("x-dashscope-workspace", "ws-1"))
        .and(body_json(&expected))
        .respond_with(sse_response(
            &fixtures().text("native_stream_cumulative.sse"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = llm_router_qwen::builder()
        .api_key(KEY)
        .native()
        .base_url(format!("{}/api/v1", server.uri()))
        .workspace("ws-1")
        .incremental_output(false)
        .http_client(crate::http())
        .build()
        .unwrap();
    let chunks: Vec<_> = client.chat_stream(req).await.unwrap().collect().await;
    // Cumulative events arrive as deltas: nothing is repeated.
    let texts: Vec<&str> = chunks
        .iter()
        .filter_map(|c| c.as_ref().unwrap().text())
        .collect();
    assert_eq!(texts, ["9.9", " is larger 🙂"]);
    let mut acc = llm_router_core::StreamAccumulator::new();
    for c in &chunks {
        acc.push(c.as_ref().unwrap());
    }
    let r = acc.finish();
    assert_eq!(r.text(), "9.9 is larger 🙂");
    assert_eq!(r.model, "qwen-plus");
    assert!(r.created > 0);
    assert_eq!(
        r.message().unwrap().reasoning_content.as_deref(),
        Some("Compare 9.90 and 9.11: 90 > 11.")
    );
    assert_eq!(r.usage.unwrap().completion_tokens, 18);
}

#[tokio::test]
async fn search_sources_come_back_in_extra() {
    // What compatible mode cannot return: `output.search_info` (web-search guide).
    let req = ChatRequest::new("qwen-plus", vec![Message::user("明天杭州天气如何？")])
        .with_extra("enable_search", true)
        .with_extra(
            "search_options",
            json!({"enable_source": true, "prepend_search_result": true}),
        );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GENERATION))
        .respond_with(sse_response(&fixtures().text("native_stream_search.sse")))
        .mount(&server)
        .await;
    let r = collect_stream(
        native_client(&server.uri())
            .chat_stream(req.clone())
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(r.text(), "根据现有建议根据天气变化调整出行安排。");
    let results = r.extra["search_info"]["search_results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["index"], 1);
    assert_eq!(
        r.usage.clone().unwrap().extra["plugins"]["search"]["count"],
        1
    );

    // The same in a whole response.
    let body = json!({"output": {"choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "晴"}}],
        "search_info": {"search_results": [{"index": 1, "title": "t", "url": "https://x"}]}},
        "usage": {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6}, "request_id": "r"});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GENERATION))
        .respond_with(json_response(200, &body))
        .mount(&server)
        .await;
    let r = native_client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        r.extra["search_info"]["search_results"][0]["url"],
        "https://x"
    );
    assert_eq!(r.id, "r");
}

/// user → tool call → tool result → answer, with the call's id intact on the second turn.
#[tokio::test]
async fn a_tool_conversation_round_trips_with_ids() {
    let tool = ToolDefinition::function(
        "get_current_weather",
        "当你想查询指定城市的天气时非常有用。",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    );
    let turn1 = ChatRequest::new("qwen-plus", vec![Message::user("杭州天气怎么样")])
        .with_tools([tool])
        .with_tool_choice(ToolChoice::Auto);
    let tools = json!([{"type": "function", "function": {"name": "get_current_weather", "description": "当你想查询指定城市的天气时非常有用。",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]);
    let expected1 = json!({"model": "qwen-plus", "input": {"messages": [{"role": "user", "content": "杭州天气怎么样"}]},
        "parameters": {"tools": tools, "tool_choice": "auto", "result_format": "message", "incremental_output": true}});
    let server = expect_post(
        GENERATION,
        &expected1,
        sse_response(&fixtures().text("native_stream_incremental_tools.sse")),
    )
    .await;
    let r = collect_stream(
        native_client(&server.uri())
            .chat_stream(turn1.clone())
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
    let assistant = r.message().unwrap().clone();
    assert_eq!(assistant.tool_calls[0].id, "call_6596dafa2a6a46f7a217da");
    assert_eq!(
        assistant.tool_calls[0].function.arguments,
        "{\"location\": \"杭州\"}"
    );

    let mut turn2 = turn1;
    turn2.messages.push(assistant);
    turn2.messages.push(Message::tool(
        "call_6596dafa2a6a46f7a217da",
        "杭州今天是晴天。",
    ));
    let expected2 = json!({"model": "qwen-plus", "input": {"messages": [
        {"role": "user", "content": "杭州天气怎么样"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "call_6596dafa2a6a46f7a217da", "type": "function",
            "function": {"name": "get_current_weather", "arguments": "{\"location\": \"杭州\"}"}}]},
        {"role": "tool", "content": "杭州今天是晴天。", "tool_call_id": "call_6596dafa2a6a46f7a217da"}
    ]}, "parameters": {"tools": tools, "tool_choice": "auto", "result_format": "message"}});
    let answer = json!({"output": {"choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "杭州今天是晴天。"}}]},
        "usage": {"input_tokens": 250, "output_tokens": 8, "total_tokens": 258}, "request_id": "r2"});
    let server = expect_post(GENERATION, &expected2, json_response(200, &answer)).await;
    let r = native_client(&server.uri()).chat(turn2).await.unwrap();
    assert_eq!(r.text(), "杭州今天是晴天。");
}

#[tokio::test]
async fn embeddings_take_text_type_from_input_type() {
    let mut req = EmbeddingRequest::new("text-embedding-v4", vec!["衣服的质量杠杠的", "hello"]);
    req.dimensions = Some(3);
    req.input_type = Some(InputType::Query);
    req.extra
        .insert("output_type".into(), json!("dense&sparse"));
    let expected = json!({"model": "text-embedding-v4", "input": {"texts": ["衣服的质量杠杠的", "hello"]},
        "parameters": {"dimension": 3, "text_type": "query", "output_type": "dense&sparse"}});
    let body = json!({"output": {"embeddings": [
        {"sparse_embedding": [{"index": 7149, "value": 0.83, "token": "衣服"}], "embedding": [0.1, 0.2, 0.3], "text_index": 0},
        {"sparse_embedding": [{"index": 1, "value": 0.5, "token": "hello"}], "embedding": [0.4, 0.5, 0.6], "text_index": 1}]},
        "usage": {"total_tokens": 12}, "request_id": "r"});
    let server = expect_post(EMBEDDING, &expected, json_response(200, &body)).await;
    let resp = native_client(&server.uri()).embed(req).await.unwrap();
    assert_eq!(
        resp.data[0].embedding.to_floats().unwrap(),
        vec![0.1, 0.2, 0.3]
    );
    assert_eq!(resp.usage.unwrap().total_tokens, 12);
    assert_eq!(
        resp.extra["sparse_embeddings"][1]["sparse_embedding"][0]["token"],
        "hello"
    );

    let mut bad = EmbeddingRequest::new("text-embedding-v4", "x");
    bad.input_type = Some(InputType::Clustering);
    let e = native_client(&server.uri()).embed(bad).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn errors_in_streams_and_in_200_bodies() {
    // Moderation after content: an `event:error` mid-stream interrupts it.
    let body = format!(
        "{}id:2\nevent:error\n:HTTP_STATUS/400\ndata:{{\"code\":\"DataInspectionFailed\",\"message\":\"Output data may contain inappropriate content.\",\"request_id\":\"r\"}}\n\n",
        event(
            1,
            &json!({"output": {"choices": [{"message": {"content": "Hel", "role": "assistant"}, "finish_reason": "null"}]}, "usage": {}, "request_id": "r"})
        )
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sse_response(&body))
        .mount(&server)
        .await;
    let items: Vec<_> = native_client(&server.uri())
        .chat_stream(ChatRequest::new("qwen-plus", vec![Message::user("x")]))
        .await
        .unwrap()
        .collect()
        .await;
    let e = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(e.code(), Some("DataInspectionFailed"));

    // A 200 whose body is an error.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json_response(200, &json!({"request_id": "r", "code": "DataInspectionFailed", "message": "Input data may contain inappropriate content."})))
        .mount(&server)
        .await;
    let e = native_client(&server.uri())
        .chat(ChatRequest::new("qwen-plus", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentFiltered);

    // An HTTP error with the key echoed back never shows it.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json_response(401, &json!({"request_id": "r", "code": "InvalidApiKey", "message": format!("Invalid API-key provided: {KEY}")})))
        .mount(&server)
        .await;
    let c = native_client(&server.uri());
    assert!(!format!("{c:?}").contains(KEY));
    let e = c
        .chat(ChatRequest::new("qwen-plus", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(
        !e.to_string().contains(KEY) && !format!("{e:?}").contains(KEY),
        "{e}"
    );
}

#[tokio::test]
async fn images_are_refused_before_sending() {
    let e = native_client("http://127.0.0.1:9")
        .chat(ChatRequest::new(
            "qwen-vl-plus",
            vec![Message::user(vec![ContentPart::image_url(
                "https://x/cat.png",
            )])],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}
