//! Exact request bodies Mistral receives (each also checked against its OpenAPI spec).

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, FinishReason,
    Message, ResponseFormat, ToolCall, ToolChoice, ToolDefinition,
};
use llm_router_testkit::wire::{json_response, only_request_json, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::spec::{assert_valid_chat, assert_valid_embedding};
use crate::{KEY, client, fixtures};

/// A server answering `resp` to `POST <p>` with Mistral's bearer auth and a JSON body.
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

fn payment_tool() -> ToolDefinition {
    ToolDefinition::function(
        "retrieve_payment_status",
        "Get payment status of a transaction",
        json!({"type": "object", "properties": {"transaction_id": {"type": "string", "description": "The transaction id."}}, "required": ["transaction_id"]}),
    )
}

fn payment_tool_json() -> Value {
    json!({"type": "function", "function": {"name": "retrieve_payment_status",
        "description": "Get payment status of a transaction",
        "parameters": {"type": "object", "properties": {"transaction_id": {"type": "string", "description": "The transaction id."}}, "required": ["transaction_id"]}}})
}

#[tokio::test]
async fn seed_required_and_openai_only_fields_are_translated() {
    let mut req = ChatRequest::new(
        "mistral-large-latest",
        vec![Message::user("What's the status of my transaction T1001?")],
    )
    .with_tools([payment_tool()])
    .with_tool_choice(ToolChoice::Required);
    req.seed = Some(42);
    req.max_completion_tokens = Some(256);
    req.user = Some("user-1234".into());
    req.logprobs = Some(true);
    req.parallel_tool_calls = Some(false);
    req.extra.insert("safe_prompt".into(), json!(true));
    let expected = json!({
        "model": "mistral-large-latest",
        "messages": [{"role": "user", "content": "What's the status of my transaction T1001?"}],
        "tools": [payment_tool_json()],
        "tool_choice": "any",
        "parallel_tool_calls": false,
        "random_seed": 42,
        "max_tokens": 256,
        "safe_prompt": true,
        "stream": false
    });
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_tool_call.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(req).await.unwrap();
    let body = only_request_json(&server).await;
    assert_eq!(body, expected);
    assert_valid_chat(&body);
    assert_eq!(resp.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(resp.message().unwrap().tool_calls[0].id, "D681PevKs");
}

/// user → tool call (Mistral's own id) → tool result → answer: Mistral's ids are valid and
/// reach it unchanged.
#[tokio::test]
async fn tool_conversation_keeps_mistral_ids_intact() {
    let user = Message::user("What's the status of my transaction T1001?");
    let first = ChatRequest::new("mistral-large-latest", vec![user.clone()])
        .with_tools([payment_tool()])
        .with_tool_choice(ToolChoice::Auto);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_tool_call.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(first).await.unwrap();
    let call = resp.message().unwrap().clone();

    let second = ChatRequest::new(
        "mistral-large-latest",
        vec![
            user,
            call.clone(),
            Message::tool(call.tool_calls[0].id.clone(), "{\"status\": \"Paid\"}"),
        ],
    )
    .with_tools([payment_tool()]);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_answer.json")),
    )
    .await;
    let resp = client(&server.uri()).chat(second).await.unwrap();
    let body = only_request_json(&server).await;
    assert_eq!(
        body,
        json!({"model": "mistral-large-latest",
               "messages": [
                   {"role": "user", "content": "What's the status of my transaction T1001?"},
                   {"role": "assistant", "content": "",
                    "tool_calls": [{"index": 0, "id": "D681PevKs", "type": "function",
                                    "function": {"name": "retrieve_payment_status", "arguments": "{\"transaction_id\": \"T1001\"}"}}],
                    "prefix": false},
                   {"role": "tool", "tool_call_id": "D681PevKs", "content": "{\"status\": \"Paid\"}"}
               ],
               "tools": [payment_tool_json()], "stream": false})
    );
    assert_valid_chat(&body);
    assert_eq!(
        resp.text(),
        "The status of your transaction T1001 is \"Paid\"."
    );
}

/// A conversation begun at OpenAI (`call_…` ids, which Mistral answers with 400) continues at
/// Mistral: the ids are mapped, the same way in the assistant's calls and the tool messages.
#[tokio::test]
async fn conversation_from_openai_gets_valid_consistent_tool_call_ids() {
    let a = "call_abc123xyz789DEF456ghi012";
    let b = "call_Q2w3E4r5T6y7U8i9O0p1";
    let req = ChatRequest::new(
        "mistral-large-latest",
        vec![
            Message::user("Status of T1001 and T1002?"),
            Message::assistant_tool_calls(vec![
                ToolCall::function(
                    a,
                    "retrieve_payment_status",
                    "{\"transaction_id\":\"T1001\"}",
                ),
                ToolCall::function(
                    b,
                    "retrieve_payment_status",
                    "{\"transaction_id\":\"T1002\"}",
                ),
            ]),
            Message::tool(a, "Paid"),
            Message::tool(b, "Unpaid"),
        ],
    )
    .with_tools([payment_tool()]);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_answer.json")),
    )
    .await;
    client(&server.uri()).chat(req.clone()).await.unwrap();
    let body = only_request_json(&server).await;
    assert_valid_chat(&body);
    let ma = llm_router_mistral::mistral_tool_call_id(a);
    let mb = llm_router_mistral::mistral_tool_call_id(b);
    assert_ne!(ma, mb);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Status of T1001 and T1002?"},
            {"role": "assistant", "tool_calls": [
                {"id": ma, "type": "function", "function": {"name": "retrieve_payment_status", "arguments": "{\"transaction_id\":\"T1001\"}"}},
                {"id": mb, "type": "function", "function": {"name": "retrieve_payment_status", "arguments": "{\"transaction_id\":\"T1002\"}"}}
            ]},
            {"role": "tool", "tool_call_id": ma, "content": "Paid"},
            {"role": "tool", "tool_call_id": mb, "content": "Unpaid"}
        ])
    );
    for id in [&ma, &mb] {
        assert!(llm_router_mistral::is_mistral_tool_call_id(id), "{id}");
    }
    // The caller's history is untouched, and the next turn maps the same way.
    assert_eq!(req.messages[1].tool_calls[0].id, a);
    let again =
        llm_router_openai_compat::chat_body(&llm_router_mistral::dialect(), &req, false).unwrap();
    assert_eq!(again["messages"][2]["tool_call_id"], ma.as_str());
}

#[tokio::test]
async fn images_are_sent_as_image_url_objects() {
    let req = ChatRequest::new(
        "pixtral-12b-2409",
        vec![Message::user(vec![
            ContentPart::text("What's in this image?"),
            ContentPart::image_url(
                "https://tripfixers.com/wp-content/uploads/2019/11/eiffel-tower-with-snow.jpeg",
            ),
        ])],
    )
    .with_response_format(ResponseFormat::JsonObject);
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_answer.json")),
    )
    .await;
    client(&server.uri()).chat(req).await.unwrap();
    let body = only_request_json(&server).await;
    assert_eq!(
        body,
        json!({"model": "pixtral-12b-2409",
               "messages": [{"role": "user", "content": [
                   {"type": "text", "text": "What's in this image?"},
                   {"type": "image_url", "image_url": {"url": "https://tripfixers.com/wp-content/uploads/2019/11/eiffel-tower-with-snow.jpeg"}}
               ]}],
               "response_format": {"type": "json_object"},
               "stream": false})
    );
    assert_valid_chat(&body);
}

#[tokio::test]
async fn streaming_request_has_no_stream_options() {
    let req = ChatRequest::new("mistral-small-latest", vec![Message::user("Bonjour")]);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("accept", "text/event-stream"))
        .respond_with(sse_response(&fixtures().text("stream.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server.uri()).chat_stream(req).await.unwrap();
    let resp = llm_router_core::collect_stream(stream).await.unwrap();
    let body = only_request_json(&server).await;
    assert_eq!(
        body,
        json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Bonjour"}], "stream": true})
    );
    assert_valid_chat(&body);
    assert_eq!(resp.usage.unwrap().total_tokens, 22);
}

#[tokio::test]
async fn model_length_is_a_length_finish() {
    let server = expect_post(
        "/v1/chat/completions",
        json_response(200, &fixtures().json("chat_model_length.json")),
    )
    .await;
    let resp = client(&server.uri())
        .chat(ChatRequest::new(
            "mistral-small-latest",
            vec![Message::user("Story")],
        ))
        .await
        .unwrap();
    assert_eq!(resp.finish_reason(), Some(&FinishReason::Length));
    assert_eq!(
        resp.choices[0].extra["native_finish_reason"],
        "model_length"
    );
}

#[tokio::test]
async fn embeddings_with_output_dimension_and_dtype() {
    let mut req = EmbeddingRequest::new(
        "codestral-embed",
        vec!["Embed this sentence.", "As well as this one."],
    );
    req.dimensions = Some(3);
    req.extra.insert("output_dtype".into(), json!("float"));
    let server = expect_post(
        "/v1/embeddings",
        json_response(200, &fixtures().json("embeddings.json")),
    )
    .await;
    let resp = client(&server.uri()).embed(req).await.unwrap();
    let body = only_request_json(&server).await;
    assert_eq!(
        body,
        json!({"model": "codestral-embed", "input": ["Embed this sentence.", "As well as this one."],
               "output_dimension": 3, "output_dtype": "float"})
    );
    assert_valid_embedding(&body);
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[1].embedding.to_floats().unwrap().len(), 3);
    assert_eq!(resp.usage.unwrap().prompt_tokens, 15);
}
