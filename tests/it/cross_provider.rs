//! A tool conversation started on one provider and continued on others: ids and tool results
//! survive every conversion, and reasoning a target cannot accept is dropped, not sent.
//! OpenAI (tool call) → Anthropic (thinking with a signature + a second tool call) → Mistral
//! (9-character ids) → Cohere (native v2), each over HTTP to wiremock.

use llm_router::{ChatProvider, ChatRequest, ChatResponse, Message, ToolDefinition};
use llm_router_testkit::wire::json_response;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

fn tools() -> Vec<ToolDefinition> {
    vec![
        ToolDefinition::function(
            "get_weather",
            "Weather in a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        ),
        ToolDefinition::function(
            "get_time",
            "Local time in a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        ),
    ]
}

async fn serve(p: &str, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(p))
        .respond_with(json_response(200, &body))
        .expect(1)
        .mount(&server)
        .await;
    server
}

async fn sent(server: &MockServer) -> Value {
    let reqs = server.received_requests().await.unwrap();
    serde_json::from_slice(&reqs[0].body).unwrap()
}

fn append(history: &mut Vec<Message>, resp: &ChatResponse) {
    history.push(resp.message().unwrap().clone());
}

#[tokio::test]
async fn openai_then_anthropic_then_mistral_then_cohere() {
    let mut history = vec![
        Message::system("Be brief."),
        Message::user("Weather and time in Paris?"),
    ];

    // 1. OpenAI calls get_weather.
    let openai_srv = serve("/v1/chat/completions", json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": "call_Q6hPzX8u3LrS1kQe", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}
    })).await;
    let openai = llm_router::openai::builder()
        .api_key("k")
        .base_url(format!("{}/v1", openai_srv.uri()))
        .build()
        .unwrap();
    let r = openai
        .chat(ChatRequest::new("gpt-4o", history.clone()).with_tools(tools()))
        .await
        .unwrap();
    append(&mut history, &r);
    history.push(Message::tool("call_Q6hPzX8u3LrS1kQe", r#"{"temp_c":18}"#));

    // 2. Anthropic sees the OpenAI call as tool_use/tool_result with the same id, thinks (signed)
    //    and calls get_time.
    let anthropic_srv = serve("/v1/messages", json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Weather known; need the time.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pk="},
            {"type": "text", "text": "It is 18°C. Checking the time."},
            {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_time", "input": {"city": "Paris"}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 80, "output_tokens": 30}
    })).await;
    let anthropic = llm_router::anthropic::builder()
        .api_key("k")
        .base_url(anthropic_srv.uri())
        .build()
        .unwrap();
    let r = anthropic
        .chat(
            ChatRequest::new("claude-sonnet-4-5", history.clone())
                .with_tools(tools())
                .with_max_tokens(512),
        )
        .await
        .unwrap();
    let body = sent(&anthropic_srv).await;
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs[1]["content"][0]["type"], "tool_use");
    assert_eq!(msgs[1]["content"][0]["id"], "call_Q6hPzX8u3LrS1kQe");
    assert_eq!(msgs[2]["content"][0]["type"], "tool_result");
    assert_eq!(
        msgs[2]["content"][0]["tool_use_id"],
        "call_Q6hPzX8u3LrS1kQe"
    );
    assert_eq!(
        r.message().unwrap().reasoning_details.len(),
        1,
        "the signed thinking is kept"
    );
    append(&mut history, &r);
    history.push(Message::tool(
        "toolu_01A09q90qw90lq917835lq9",
        r#"{"time":"14:05"}"#,
    ));

    // 3. Mistral: ids become valid 9-character ids, consistently; the Anthropic reasoning is
    //    not sent.
    let mistral_srv = serve("/v1/chat/completions", json!({
        "id": "cmpl-1", "object": "chat.completion", "created": 1, "model": "mistral-large-latest",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "18°C, 14:05.", "tool_calls": null}}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 8, "total_tokens": 128}
    })).await;
    let mistral = llm_router::mistral::builder()
        .api_key("k")
        .base_url(format!("{}/v1", mistral_srv.uri()))
        .build()
        .unwrap();
    let r = mistral
        .chat(ChatRequest::new("mistral-large-latest", history.clone()).with_tools(tools()))
        .await
        .unwrap();
    let body = sent(&mistral_srv).await;
    let text = body.to_string();
    assert!(
        !text.contains("reasoning"),
        "reasoning must not reach Mistral: {text}"
    );
    assert!(
        !text.contains("EqQBCgIYAhIM"),
        "signature must not reach Mistral"
    );
    let msgs = body["messages"].as_array().unwrap();
    let call_ids: Vec<&str> = msgs
        .iter()
        .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let result_ids: Vec<&str> = msgs
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["tool_call_id"].as_str().unwrap())
        .collect();
    assert_eq!(call_ids.len(), 2);
    assert_eq!(call_ids, result_ids, "calls and results still pair up");
    assert!(
        call_ids
            .iter()
            .all(|id| id.len() == 9 && id.chars().all(|c| c.is_ascii_alphanumeric()))
    );
    append(&mut history, &r);
    history.push(Message::user("Thanks. Anything else?"));

    cohere_turn(&history).await;
}

/// 4. Cohere (native v2) gets the original ids on both the calls and the results, and no
///    reasoning.
async fn cohere_turn(history: &[Message]) {
    let srv = serve("/v2/chat", json!({
        "id": "c-1", "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "No, that is all."}]},
        "usage": {"billed_units": {"input_tokens": 150, "output_tokens": 6}, "tokens": {"input_tokens": 160, "output_tokens": 6}}
    })).await;
    let cohere = llm_router::cohere::builder()
        .api_key("k")
        .base_url(srv.uri())
        .build()
        .unwrap();
    let r = cohere
        .chat(ChatRequest::new("command-a-03-2025", history.to_vec()).with_tools(tools()))
        .await
        .unwrap();
    assert_eq!(r.text(), "No, that is all.");
    let body = sent(&srv).await;
    let text = body.to_string();
    assert!(
        !text.contains("EqQBCgIYAhIM"),
        "signature must not reach Cohere"
    );
    let msgs = body["messages"].as_array().unwrap();
    let call_ids: Vec<&str> = msgs
        .iter()
        .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let result_ids: Vec<&str> = msgs
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["tool_call_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        call_ids,
        ["call_Q6hPzX8u3LrS1kQe", "toolu_01A09q90qw90lq917835lq9"]
    );
    assert_eq!(result_ids, call_ids);
}
