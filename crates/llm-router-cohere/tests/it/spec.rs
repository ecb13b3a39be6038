//! Validation against Cohere's official OpenAPI spec: the v2 chat and v2 embed request-body
//! schemas, and the operations' own examples, vendored in `tests/fixtures/cohere-spec/` by
//! `extract.py` (see `SOURCES.md`).
//!
//! The spec's schemas do not forbid unknown properties, so [`assert_valid_chat`] also checks
//! that every top-level field and every message field this crate sends is one the spec names.

use std::sync::OnceLock;

use llm_router_core::{
    ChatProvider, ChatRequest, ContentPart, EmbeddingProvider, EmbeddingRequest, FinishReason,
    InputType, Message, ResponseFormat, ToolCall, ToolChoice, ToolDefinition, collect_stream,
};
use llm_router_testkit::split::{byte_by_byte, every_split};
use llm_router_testkit::wire::{json_response, sse_response};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::{client, fixtures};

fn schemas() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| fixtures().json("cohere-spec/schemas.json"))
}

fn examples() -> Vec<Value> {
    match fixtures().json("cohere-spec/examples.json") {
        Value::Array(a) => a,
        _ => panic!("examples.json is an array"),
    }
}

fn validate(name: &str, instance: &Value) -> Result<(), Vec<String>> {
    let mut root = schemas().clone();
    root["$ref"] = json!(format!("#/$defs/{name}"));
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .map_err(|e| vec![format!("schema {name} does not compile: {e}")])?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn known_keys(def: &str) -> Vec<String> {
    schemas()["$defs"][def]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn assert_closed(def: &str, v: &Value) {
    let known = known_keys(def);
    for k in v.as_object().unwrap().keys() {
        assert!(known.contains(k), "{def} has no field {k:?}: {v:#}");
    }
}

/// A `/v2/chat` body is valid per the spec and uses only fields the spec names.
pub(crate) fn assert_valid_chat(body: &Value) {
    if let Err(e) = validate("ChatRequestV2", body) {
        panic!("not a valid ChatRequestV2:\n  {}\n{body:#}", e.join("\n  "));
    }
    assert_closed("ChatRequestV2", body);
    for m in body["messages"].as_array().unwrap() {
        let def = match m["role"].as_str().unwrap() {
            "system" => "SystemMessageV2",
            "user" => "UserMessageV2",
            "assistant" => "AssistantMessageV2",
            "tool" => "ToolMessageV2",
            r => panic!("role {r}"),
        };
        assert_closed(def, m);
    }
}

/// A `/v2/embed` body is valid per the spec and uses only fields the spec names.
pub(crate) fn assert_valid_embed(body: &Value) {
    if let Err(e) = validate("EmbedRequestV2", body) {
        panic!(
            "not a valid EmbedRequestV2:\n  {}\n{body:#}",
            e.join("\n  ")
        );
    }
    assert_closed("EmbedRequestV2", body);
}

#[test]
fn the_spec_examples_requests_are_valid_and_the_validator_rejects_what_the_spec_forbids() {
    for ex in examples() {
        let def = if ex["path"] == "/v2/chat" {
            "ChatRequestV2"
        } else {
            "EmbedRequestV2"
        };
        validate(def, &ex["request"]).unwrap_or_else(|e| panic!("{}: {e:?}", ex["index"]));
    }
    let ok = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    assert!(validate("ChatRequestV2", &ok).is_ok());
    let mut bad = ok.clone();
    bad["tool_choice"] = json!("AUTO");
    assert!(validate("ChatRequestV2", &bad).is_err(), "tool_choice AUTO");
    assert!(
        validate("ChatRequestV2", &json!({"messages": []})).is_err(),
        "no model"
    );
    let bad = json!({"model": "m", "messages": [{"role": "tool", "content": "x"}]});
    assert!(
        validate("ChatRequestV2", &bad).is_err(),
        "tool result without id"
    );
    let bad = json!({"model": "e", "texts": ["a"], "input_type": "query"});
    assert!(
        validate("EmbedRequestV2", &bad).is_err(),
        "input_type query"
    );
}

fn weather() -> ToolDefinition {
    ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

#[test]
fn every_chat_body_this_crate_builds_is_valid_per_the_spec() {
    let c = client("http://127.0.0.1:9");
    let call = ToolCall::function("get_weather_1", "get_weather", r#"{"city":"Paris"}"#);
    let mut assistant = Message::assistant_tool_calls(vec![call]);
    assistant
        .extra
        .insert("tool_plan".into(), json!("I will check the weather."));
    let reqs = vec![
        ChatRequest::new(
            "command-a-03-2025",
            vec![Message::system("Be terse."), Message::user("Hi")],
        ),
        ChatRequest::new(
            "command-a-03-2025",
            vec![Message::developer("Be terse."), Message::user("Hi")],
        )
        .with_max_tokens(100)
        .with_temperature(0.3),
        ChatRequest::new("command-a-03-2025", vec![Message::user("Weather?")])
            .with_tools([weather()])
            .with_tool_choice(ToolChoice::Required),
        ChatRequest::new("command-a-03-2025", vec![Message::user("Weather?")])
            .with_tools([weather()])
            .with_tool_choice(ToolChoice::Function("get_weather".into())),
        ChatRequest::new("command-a-03-2025", vec![Message::user("Weather?")])
            .with_tools([weather()])
            .with_tool_choice(ToolChoice::None),
        ChatRequest::new(
            "command-a-03-2025",
            vec![
                Message::user("Weather in Paris?"),
                assistant,
                Message::tool("get_weather_1", r#"{"temp_c":21}"#),
            ],
        )
        .with_tools([weather()]),
        ChatRequest::new(
            "command-a-vision-07-2025",
            vec![Message::user(vec![
                ContentPart::text("What is this?"),
                ContentPart::image_url("https://cohere.com/favicon-32x32.png"),
            ])],
        ),
        ChatRequest::new(
            "command-a-03-2025",
            vec![Message::user("Who is more popular?")],
        )
        .with_extra(
            "documents",
            json!([{"id": "doc:1", "data": {"title": "x", "snippet": "y"}}, "plain text doc"]),
        )
        .with_extra("citation_options", json!({"mode": "FAST"}))
        .with_extra("k", 40)
        .with_extra("safety_mode", "STRICT"),
        ChatRequest::new("command-a-03-2025", vec![Message::user("JSON please")])
            .with_response_format(ResponseFormat::JsonObject),
        {
            let mut r = ChatRequest::new("command-a-03-2025", vec![Message::user("x")]);
            r.top_p = Some(0.9);
            r.seed = Some(7);
            r.stop = Some(llm_router_core::Stop::Many(vec!["END".into()]));
            r.frequency_penalty = Some(0.1);
            r.presence_penalty = Some(0.2);
            r.logprobs = Some(true);
            r.max_completion_tokens = Some(50);
            r
        },
    ];
    for r in &reqs {
        for stream in [false, true] {
            assert_valid_chat(&c.request_body(r, stream).unwrap());
        }
    }
}

#[test]
fn every_embed_body_this_crate_builds_is_valid_per_the_spec() {
    let c = client("http://127.0.0.1:9");
    for t in [
        None,
        Some(InputType::Query),
        Some(InputType::Document),
        Some(InputType::Classification),
        Some(InputType::Clustering),
    ] {
        let mut r = EmbeddingRequest::new("embed-v4.0", vec!["hello", "world"]);
        r.input_type = t;
        r.dimensions = Some(512);
        assert_valid_embed(&c.embed_request_body(&r).unwrap());
    }
    let mut r = EmbeddingRequest::new("embed-v4.0", "one");
    r.extra.insert("truncate".into(), json!("END"));
    assert_valid_embed(&c.embed_request_body(&r).unwrap());
}

async fn chat_with(body: &Value) -> llm_router_core::ChatResponse {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .respond_with(json_response(200, body))
        .mount(&server)
        .await;
    client(&server.uri())
        .chat(ChatRequest::new(
            "command-a-03-2025",
            vec![Message::user("x")],
        ))
        .await
        .unwrap()
}

fn texts(content: &Value) -> String {
    content
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "text")
        .map(|c| c["text"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_spec_examples_chat_responses_parse_with_citations_surfaced() {
    let mut citations_seen = false;
    let mut tools_seen = false;
    for ex in examples().into_iter().filter(|e| e["path"] == "/v2/chat") {
        let Some(body) = ex.get("response") else {
            continue;
        };
        let r = chat_with(body).await;
        let m = r.message().unwrap();
        assert_eq!(
            m.text(),
            texts(&body["message"]["content"]),
            "example {}",
            ex["index"]
        );
        assert_eq!(r.id, body["id"].as_str().unwrap());
        if let Some(c) = body["message"].get("citations") {
            assert_eq!(m.extra["citations"], *c, "citations reachable");
            citations_seen = true;
        }
        if let Some(calls) = body["message"]["tool_calls"].as_array() {
            tools_seen = true;
            assert_eq!(r.finish_reason(), Some(&FinishReason::ToolCalls));
            assert_eq!(m.tool_calls.len(), calls.len());
            for (got, want) in m.tool_calls.iter().zip(calls) {
                assert_eq!(got.id, want["id"].as_str().unwrap());
                assert_eq!(
                    got.function.name,
                    want["function"]["name"].as_str().unwrap()
                );
                assert_eq!(
                    got.function.arguments,
                    want["function"]["arguments"].as_str().unwrap()
                );
            }
            // The example's `thinking` content part.
            assert!(
                m.reasoning_content
                    .as_deref()
                    .unwrap()
                    .starts_with("I will first find")
            );
            let u = r.usage.as_ref().unwrap();
            assert_eq!((u.input_tokens(), u.output_tokens()), (1032, 124));
            assert_eq!(
                u.extra["billed_units"],
                json!({"input_tokens": 127, "output_tokens": 69})
            );
        } else {
            assert_eq!(r.finish_reason(), Some(&FinishReason::Stop));
        }
    }
    assert!(citations_seen && tools_seen);
}

/// The text and citations a transcript carries, read straight from its events.
fn expected(sse: &str) -> (String, Vec<Value>) {
    let mut text = String::new();
    let mut citations = Vec::new();
    for line in sse.lines() {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        let v: Value = serde_json::from_str(data).unwrap();
        match v["type"].as_str().unwrap() {
            "content-start" | "content-delta" => {
                text.push_str(
                    v["delta"]["message"]["content"]["text"]
                        .as_str()
                        .unwrap_or_default(),
                );
            }
            "citation-start" => citations.push(v["delta"]["message"]["citations"].clone()),
            _ => {}
        }
    }
    (text, citations)
}

#[tokio::test]
async fn the_spec_examples_streams_parse_the_same_at_every_split() {
    for ex in examples().into_iter().filter(|e| e.get("sse").is_some()) {
        let sse = ex["sse"].as_str().unwrap();
        let bytes = sse.as_bytes();
        let whole = collect_stream(llm_router_cohere::chat_chunks(byte_by_byte(bytes)))
            .await
            .unwrap();
        let (text, citations) = expected(sse);
        let m = whole.message().unwrap();
        assert_eq!(m.text(), text, "example {}", ex["index"]);
        if citations.is_empty() {
            assert!(!m.extra.contains_key("citations"));
        } else {
            assert_eq!(
                m.extra["citations"],
                Value::Array(citations),
                "citations surfaced"
            );
        }
        assert!(whole.usage.is_some());
        if sse.contains("tool-call-start") {
            assert_eq!(whole.finish_reason(), Some(&FinishReason::ToolCalls));
            assert_eq!(m.tool_calls.len(), 2);
            for c in &m.tool_calls {
                assert!(!c.id.is_empty());
                c.function.parse_arguments().unwrap();
            }
            assert!(
                m.extra["tool_plan"]
                    .as_str()
                    .unwrap()
                    .starts_with("I will use the query_daily_sales_report tool")
            );
        }
        if bytes.len() < 4_000 {
            for (i, s) in every_split(bytes) {
                let got = collect_stream(llm_router_cohere::chat_chunks(s))
                    .await
                    .unwrap();
                assert_eq!(got, whole, "example {} split at {i}", ex["index"]);
            }
        }
    }
}

#[tokio::test]
async fn the_spec_examples_stream_through_the_client() {
    let ex = examples()
        .into_iter()
        .find(|e| e["index"] == 2 && e["path"] == "/v2/chat")
        .unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/chat"))
        .respond_with(sse_response(ex["sse"].as_str().unwrap()))
        .mount(&server)
        .await;
    let r = collect_stream(
        client(&server.uri())
            .chat_stream(ChatRequest::new(
                "command-a-plus-05-2026",
                vec![Message::user("Tell me about LLMs")],
            ))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(r.id, "29f14a5a-11de-4cae-9800-25e4747408ea");
    assert_eq!(r.model, "command-a-plus-05-2026");
    let u = r.usage.unwrap();
    assert_eq!((u.input_tokens(), u.output_tokens()), (71, 26));
    assert_eq!(
        u.extra["billed_units"],
        json!({"input_tokens": 5, "output_tokens": 26})
    );
}

#[tokio::test]
async fn the_spec_examples_embed_responses_parse() {
    for ex in examples().into_iter().filter(|e| e["path"] == "/v2/embed") {
        let body = &ex["response"];
        let Some(floats) = body["embeddings"]["float"].as_array() else {
            continue;
        };
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/embed"))
            .respond_with(json_response(200, body))
            .mount(&server)
            .await;
        let r = client(&server.uri())
            .embed(EmbeddingRequest::new("embed-v4.0", "hello world"))
            .await
            .unwrap();
        assert_eq!(r.data.len(), floats.len());
        assert_eq!(
            r.data[0].embedding.to_floats().unwrap().len(),
            floats[0].as_array().unwrap().len()
        );
        assert_eq!(r.extra["id"], body["id"]);
    }
}
