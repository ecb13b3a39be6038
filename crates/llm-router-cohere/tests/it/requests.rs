//! Exact requests against wiremock (method, path, headers, JSON body), a multi-turn tool
//! conversation with ids intact, embeddings, and keys kept secret.

use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingProvider, EmbeddingRequest, EncodingFormat, ErrorKind,
    InputType, Message, ToolChoice, ToolDefinition,
};
use llm_router_testkit::wire::json_response;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::spec::{assert_valid_chat, assert_valid_embed};
use crate::{KEY, client};

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
    // Turn 1: the model plans and calls the tool.
    let server = MockServer::start().await;
    let first_body = json!({"model": "command-a-03-2025",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": weather_json(), "tool_choice": "REQUIRED", "stream": false});
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(&first_body))
        .respond_with(json_response(200, &json!({"id": "r1", "finish_reason": "TOOL_CALL",
            "message": {"role": "assistant", "tool_plan": "I will look up the weather.",
                "tool_calls": [{"id": "get_weather_7xk2", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            "usage": {"billed_units": {"input_tokens": 20, "output_tokens": 10}, "tokens": {"input_tokens": 900, "output_tokens": 30}}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let first = ChatRequest::new(
        "command-a-03-2025",
        vec![Message::user("Weather in Paris?")],
    )
    .with_tools([weather()])
    .with_tool_choice(ToolChoice::Required);
    assert_valid_chat(&first_body);
    let r1 = c.chat(first).await.unwrap();
    let assistant = r1.message().unwrap().clone();
    assert_eq!(assistant.tool_calls[0].id, "get_weather_7xk2");
    assert_eq!(assistant.extra["tool_plan"], "I will look up the weather.");

    // Turn 2: the call and its result go back; the id and the plan are intact.
    let server = MockServer::start().await;
    let second_body = json!({"model": "command-a-03-2025",
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "tool_plan": "I will look up the weather.",
             "tool_calls": [{"id": "get_weather_7xk2", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "get_weather_7xk2", "content": "{\"temp_c\":21}"}
        ],
        "tools": weather_json(), "stream": false});
    assert_valid_chat(&second_body);
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .and(body_json(&second_body))
        .respond_with(json_response(200, &json!({"id": "r2", "finish_reason": "COMPLETE",
            "message": {"role": "assistant", "content": [{"type": "text", "text": "It is 21°C in Paris."}],
                "citations": [{"start": 6, "end": 10, "text": "21°C", "type": "TEXT_CONTENT",
                    "sources": [{"type": "tool", "id": "get_weather_7xk2:0", "tool_output": {"temp_c": 21}}]}]},
            "usage": {"billed_units": {"input_tokens": 30, "output_tokens": 8}, "tokens": {"input_tokens": 950, "output_tokens": 12}}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let second = ChatRequest::new(
        "command-a-03-2025",
        vec![
            Message::user("Weather in Paris?"),
            assistant,
            Message::tool("get_weather_7xk2", r#"{"temp_c":21}"#),
        ],
    )
    .with_tools([weather()]);
    let r2 = c.chat(second).await.unwrap();
    assert_eq!(r2.text(), "It is 21°C in Paris.");
    let cites = &r2.message().unwrap().extra["citations"];
    assert_eq!(cites[0]["sources"][0]["id"], "get_weather_7xk2:0");
}

#[tokio::test]
async fn documents_and_sampling_fields_reach_the_body_exactly() {
    let server = MockServer::start().await;
    let want = json!({"model": "command-a-03-2025",
        "messages": [{"role": "system", "content": "Cite."}, {"role": "user", "content": "Who?"}],
        "max_tokens": 200, "temperature": 0.2, "p": 0.9, "seed": 3, "stop_sequences": ["END"],
        "frequency_penalty": 0.5,
        "response_format": {"type": "json_object", "json_schema": {"type": "object"}},
        "stream": false,
        "documents": [{"id": "doc:1", "data": {"text": "Paris is in France."}}],
        "k": 10});
    assert_valid_chat(&want);
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .and(body_json(&want))
        .respond_with(json_response(
            200,
            &json!({"id": "x", "finish_reason": "MAX_TOKENS",
            "message": {"role": "assistant", "content": [{"type": "text", "text": "{}"}]}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = ChatRequest::new(
        "command-a-03-2025",
        vec![Message::system("Cite."), Message::user("Who?")],
    )
    .with_max_tokens(200)
    .with_temperature(0.2)
    .with_response_format(llm_router_core::ResponseFormat::JsonSchema(
        serde_json::from_value(json!({"name": "x", "schema": {"type": "object"}})).unwrap(),
    ))
    .with_extra(
        "documents",
        json!([{"id": "doc:1", "data": {"text": "Paris is in France."}}]),
    )
    .with_extra("k", 10);
    req.top_p = Some(0.9);
    req.seed = Some(3);
    req.stop = Some(llm_router_core::Stop::One("END".into()));
    req.frequency_penalty = Some(0.5);
    let r = client(&server.uri()).chat(req).await.unwrap();
    assert_eq!(
        r.finish_reason(),
        Some(&llm_router_core::FinishReason::Length)
    );
}

#[tokio::test]
async fn refuses_what_cohere_cannot_do_before_sending() {
    let c = client("http://127.0.0.1:9");
    let mut r = ChatRequest::new("m", vec![Message::user("x")]);
    r.n = Some(2);
    assert_eq!(c.chat(r).await.unwrap_err().kind(), ErrorKind::Unsupported);
    let e = c
        .embed(EmbeddingRequest::new(
            "embed-v4.0",
            llm_router_core::EmbeddingInput::Tokens(vec![1, 2, 3]),
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn embed_defaults_input_type_to_search_document_and_maps_the_rest() {
    let server = MockServer::start().await;
    let want = json!({"model": "embed-v4.0", "texts": ["hello"], "input_type": "search_document",
        "embedding_types": ["float"]});
    assert_valid_embed(&want);
    let resp = json!({"id": "e1", "texts": ["hello"], "embeddings": {"float": [[0.5, -1.0]]},
        "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 1}},
        "response_type": "embeddings_by_type"});
    Mock::given(method("POST"))
        .and(path("/v2/embed"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(body_json(&want))
        .respond_with(json_response(200, &resp))
        .expect(1)
        .mount(&server)
        .await;
    let want_q = json!({"model": "embed-v4.0", "texts": ["hello"], "input_type": "search_query",
        "embedding_types": ["float"], "output_dimension": 256});
    Mock::given(method("POST"))
        .and(path("/v2/embed"))
        .and(body_json(&want_q))
        .respond_with(json_response(200, &resp))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let r = c
        .embed(EmbeddingRequest::new("embed-v4.0", "hello"))
        .await
        .unwrap();
    assert_eq!(r.data[0].embedding.to_floats().unwrap(), vec![0.5, -1.0]);
    assert_eq!(r.usage.unwrap().input_tokens(), 1);
    assert_eq!(r.extra["meta"]["billed_units"]["input_tokens"], 1);
    let mut q = EmbeddingRequest::new("embed-v4.0", "hello");
    q.input_type = Some(InputType::Query);
    q.dimensions = Some(256);
    q.encoding_format = Some(EncodingFormat::Base64);
    let r = c.embed(q).await.unwrap();
    assert!(matches!(
        r.data[0].embedding,
        llm_router_core::Embedding::Base64(_)
    ));
    assert_eq!(r.data[0].embedding.to_floats().unwrap(), vec![0.5, -1.0]);
}

#[tokio::test]
async fn the_key_never_shows_in_debug_output_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .respond_with(json_response(
            401,
            &json!({"message": format!("invalid api token {KEY}")}),
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
    let e = llm_router_cohere::builder().build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn status_498_is_an_authentication_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .respond_with(json_response(498, &json!({"message": "invalid token"})))
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .chat(ChatRequest::new("m", vec![Message::user("x")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.status(), Some(498));
}
