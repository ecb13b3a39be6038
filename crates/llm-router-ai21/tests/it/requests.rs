//! Exact request bodies AI21 receives, streams at every split, tool conversations, secrets.

use std::sync::Arc;

use llm_router_core::{
    ChatProvider, ChatRequest, ChatResponse, ErrorKind, FinishReason, JsonSchemaFormat, Message,
    ResponseFormat, Stop, ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_openai_compat::chat_chunks;
use llm_router_testkit::split::{byte_by_byte, chunked, every_split};
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{KEY, client, fixtures};

/// A server answering `resp` to `POST /chat/completions` with AI21's bearer auth.
async fn expect_post(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(resp)
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn documents_json_mode_and_n_are_sent_as_documented() {
    let mut req = ChatRequest::new(
        "jamba-large",
        vec![
            Message::system("Answer from the documents only."),
            Message::user("What was Q3 revenue?"),
        ],
    )
    .with_response_format(ResponseFormat::JsonObject);
    req.max_completion_tokens = Some(200);
    req.n = Some(2);
    req.top_p = Some(0.9);
    req.stop = Some(Stop::Many(vec!["##".into()]));
    let req = llm_router_ai21::with_documents(
        req,
        [llm_router_ai21::document(
            "Q3 revenue was $4M.",
            Some("doc-1"),
            &[("year", "2024")],
        )],
    );
    let server = expect_post(json_response(200, &fixtures().json("chat.json"))).await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "jamba-large",
               "messages": [
                   {"role": "system", "content": "Answer from the documents only."},
                   {"role": "user", "content": "What was Q3 revenue?"}
               ],
               "max_tokens": 200, "n": 2, "top_p": 0.9, "stop": ["##"],
               "response_format": {"type": "json_object"},
               "documents": [{"content": "Q3 revenue was $4M.", "id": "doc-1", "metadata": {"year": "2024"}}],
               "stream": false})
    );
    assert_eq!(resp.text(), "Q3 revenue was $4M, up 20% from Q2.");
    assert_eq!(resp.usage.unwrap().total_tokens, 126);
    assert_eq!(resp.extra["meta"]["requestDurationMillis"], 412);
}

#[tokio::test]
async fn json_schema_is_refused_before_sending() {
    let req = ChatRequest::new("jamba-mini", vec![Message::user("x")]).with_response_format(
        ResponseFormat::JsonSchema(JsonSchemaFormat {
            name: "n".into(),
            description: None,
            schema: Some(json!({"type": "object"})),
            strict: Some(true),
        }),
    );
    let e = client("http://127.0.0.1:9").chat(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}

#[tokio::test]
async fn streams_send_no_stream_options_and_read_usage_from_the_last_chunk() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("accept", "text/event-stream"))
        .respond_with(sse_response(&fixtures().text("stream.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri())
        .chat_stream(ChatRequest::new(
            "jamba-mini",
            vec![Message::user("What is Jamba?")],
        ))
        .await
        .unwrap();
    let resp = collect_stream(stream).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "What is Jamba?"}], "stream": true})
    );
    assert_eq!(resp.text(), "Jamba is a hybrid SSM-Transformer model.");
    assert_eq!(resp.usage.unwrap().total_tokens, 21);
}

fn parser(bytes: llm_router_http::ByteStream) -> llm_router_core::ChatStream {
    chat_chunks(Arc::new(llm_router_ai21::dialect()), bytes)
}

#[tokio::test]
async fn stream_with_usage_on_the_last_content_chunk_at_every_split() {
    let body = fixtures().bytes("stream.sse");
    let whole: ChatResponse = collect_stream(parser(chunked(&body, &[]))).await.unwrap();
    for (i, s) in every_split(&body) {
        assert_eq!(
            collect_stream(parser(s)).await.unwrap(),
            whole,
            "split at byte {i}"
        );
    }
    assert_eq!(
        collect_stream(parser(byte_by_byte(&body))).await.unwrap(),
        whole
    );
    assert_eq!(whole.text(), "Jamba is a hybrid SSM-Transformer model.");
    assert_eq!(whole.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(whole.usage.unwrap().completion_tokens, 12);
}

fn order_tool() -> ToolDefinition {
    ToolDefinition::function(
        "get_order_delivery_date",
        "Get the delivery date for a given order ID.",
        json!({"type": "object", "properties": {"order_id": {"type": "string", "description": "The customer's order ID."}}, "required": ["order_id"]}),
    )
}

fn order_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "get_order_delivery_date",
        "description": "Get the delivery date for a given order ID.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string", "description": "The customer's order ID."}}, "required": ["order_id"]}}})
}

/// user → tool call → tool result → answer: the second request carries the call id unchanged.
#[tokio::test]
async fn tool_conversation_keeps_ids() {
    let user = Message::user("When will order ORD-7890 arrive?");
    let first = ChatRequest::new("jamba-large", vec![user.clone()])
        .with_tools([order_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let server = expect_post(json_response(200, &fixtures().json("chat_tool_call.json"))).await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "jamba-large",
               "messages": [{"role": "user", "content": "When will order ORD-7890 arrive?"}],
               "tools": [order_tool_json()], "tool_choice": "auto", "stream": false})
    );
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    let call = resp.message().unwrap().clone();
    assert_eq!(call.tool_calls[0].id, "call_62136354");

    let second = ChatRequest::new(
        "jamba-large",
        vec![
            user,
            call.clone(),
            Message::tool(call.tool_calls[0].id.clone(), "2025-03-14"),
        ],
    )
    .with_tools([order_tool()]);
    let server = expect_post(json_response(200, &fixtures().json("chat.json"))).await;
    client(&server.uri()).chat(second).await.unwrap();
    assert_eq!(
        only_request_json(&server).await,
        json!({"model": "jamba-large",
               "messages": [
                   {"role": "user", "content": "When will order ORD-7890 arrive?"},
                   {"role": "assistant", "content": "",
                    "tool_calls": [{"id": "call_62136354", "type": "function",
                                    "function": {"name": "get_order_delivery_date", "arguments": "{\"order_id\": \"ORD-7890\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_62136354", "content": "2025-03-14"}
               ],
               "tools": [order_tool_json()], "stream": false})
    );
}

#[tokio::test]
async fn unprocessable_request_is_invalid_and_the_key_stays_secret() {
    let body =
        json!({"detail": format!("Invalid request for key {KEY}: messages must not be empty")});
    let server = expect_post(json_response(422, &body)).await;
    let c = client(&server.uri());
    assert!(!format!("{c:?}").contains(KEY));
    let e = c
        .chat(ChatRequest::new("jamba-mini", vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.status(), Some(422));
    assert!(!format!("{e} {e:?}").contains(KEY), "{e:?}");
}
