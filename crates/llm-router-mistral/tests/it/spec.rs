//! Request bodies checked against the schemas of Mistral's official OpenAPI spec
//! (`tests/fixtures/mistral_request_schemas.json`, extracted by `extract_schemas.py`).

use llm_router_core::{
    ChatRequest, ContentPart, EmbeddingRequest, JsonSchemaFormat, Message, ResponseFormat,
    ToolCall, ToolChoice, ToolDefinition,
};
use llm_router_openai_compat::{chat_body, embedding_body};
use serde_json::{Value, json};

use crate::fixtures;

fn validator(root: &str) -> jsonschema::Validator {
    let mut doc = fixtures().json("mistral_request_schemas.json");
    doc["$ref"] = json!(format!("#/components/schemas/{root}"));
    jsonschema::validator_for(&doc).expect("the vendored schema compiles")
}

fn errors(root: &str, body: &Value) -> Vec<String> {
    validator(root)
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Panics unless `body` is a valid `ChatCompletionRequest`.
pub(crate) fn assert_valid_chat(body: &Value) {
    let errs = errors("ChatCompletionRequest", body);
    assert!(
        errs.is_empty(),
        "invalid Mistral chat body {body}: {errs:#?}"
    );
}

/// Panics unless `body` is a valid `EmbeddingRequest`.
pub(crate) fn assert_valid_embedding(body: &Value) {
    let errs = errors("EmbeddingRequest", body);
    assert!(
        errs.is_empty(),
        "invalid Mistral embedding body {body}: {errs:#?}"
    );
}

fn everything_openai_has() -> ChatRequest {
    let mut req = ChatRequest::new(
        "mistral-large-latest",
        vec![
            Message::system("Be brief."),
            Message::developer("Answer in French."),
            {
                let mut m = Message::user("Hi");
                m.name = Some("alice".into());
                m
            },
            {
                let mut m = Message::assistant("Hello");
                m.refusal = Some("no".into());
                m.reasoning_content = Some("thinking".into());
                m
            },
            Message::user(vec![
                ContentPart::text("What is this?"),
                ContentPart::image_url("https://example.com/cat.png"),
                ContentPart::image_base64("image/png", llm_router_testkit::conformance::PNG_1X1),
            ]),
        ],
    )
    .with_temperature(0.3)
    .with_tools([ToolDefinition::function(
        "f",
        "d",
        json!({"type": "object", "properties": {}}),
    )])
    .with_tool_choice(ToolChoice::Required);
    req.top_p = Some(0.9);
    req.n = Some(1);
    req.stop = Some(llm_router_core::Stop::Many(vec!["END".into()]));
    req.max_completion_tokens = Some(100);
    req.presence_penalty = Some(0.1);
    req.frequency_penalty = Some(0.1);
    req.logit_bias = Some([("42".to_owned(), 1.0)].into());
    req.logprobs = Some(true);
    req.top_logprobs = Some(2);
    req.seed = Some(7);
    req.parallel_tool_calls = Some(false);
    req.user = Some("user-1".into());
    req.metadata = Some([("k".to_owned(), "v".to_owned())].into());
    req.store = Some(true);
    req.service_tier = Some("auto".into());
    req.response_format = Some(ResponseFormat::JsonSchema(JsonSchemaFormat {
        name: "book".into(),
        description: None,
        schema: Some(json!({"type": "object"})),
        strict: Some(true),
    }));
    req
}

#[test]
fn a_request_using_every_openai_field_becomes_a_valid_mistral_body() {
    let req = everything_openai_has();
    let d = llm_router_mistral::dialect();
    for stream in [false, true] {
        let body = chat_body(&d, &req, stream).unwrap();
        assert_valid_chat(&body);
        assert_eq!(body["random_seed"], 7);
        assert_eq!(body["tool_choice"], "any");
        assert_eq!(body["max_tokens"], 100);
        assert_eq!(body["messages"][1]["role"], "system");
    }
}

#[test]
fn the_schema_is_strict_so_unmapped_openai_bodies_fail() {
    // Guards the validation itself: OpenAI's own body for the same request is rejected.
    let req = everything_openai_has();
    let openai = chat_body(
        &llm_router_openai_compat::Dialect::new("openai", "http://x"),
        &req,
        true,
    )
    .unwrap();
    let errs = errors("ChatCompletionRequest", &openai);
    assert!(!errs.is_empty());
    let all = errs.join("\n");
    for f in ["seed", "user", "stream_options", "logit_bias"] {
        assert!(all.contains(f), "{f} not reported in {all}");
    }
}

#[test]
fn foreign_tool_call_ids_are_mapped_into_a_valid_body() {
    let call = ToolCall::function(
        "call_abc123xyz789DEF456ghi",
        "get_weather",
        "{\"city\":\"Paris\"}",
    );
    let req = ChatRequest::new(
        "mistral-large-latest",
        vec![
            Message::user("Weather in Paris?"),
            Message::assistant_tool_calls(vec![call]),
            {
                let mut m = Message::tool("call_abc123xyz789DEF456ghi", "22°C");
                m.name = Some("get_weather".into());
                m
            },
        ],
    )
    .with_tool_choice(ToolChoice::Function("get_weather".into()));
    let body = chat_body(&llm_router_mistral::dialect(), &req, false).unwrap();
    assert_valid_chat(&body);
    let id = body["messages"][1]["tool_calls"][0]["id"].as_str().unwrap();
    assert!(llm_router_mistral::is_mistral_tool_call_id(id), "{id}");
    assert_eq!(body["messages"][2]["tool_call_id"], id);
    assert_eq!(body["messages"][2]["name"], "get_weather");
}

#[test]
fn embedding_bodies_are_valid() {
    let d = llm_router_mistral::dialect();
    let mut req = EmbeddingRequest::new("codestral-embed", vec!["a", "b"]);
    req.dimensions = Some(256);
    req.user = Some("u".into());
    req.encoding_format = Some(llm_router_core::EncodingFormat::Float);
    req.input_type = Some(llm_router_core::InputType::Query);
    req.extra.insert("output_dtype".into(), json!("int8"));
    let body = embedding_body(&d, &req).unwrap();
    assert_valid_embedding(&body);
    assert_eq!(body["output_dimension"], 256);
    assert_valid_embedding(
        &embedding_body(&d, &EmbeddingRequest::new("mistral-embed", "x")).unwrap(),
    );
}
