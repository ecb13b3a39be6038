//! Cache keys: stable across runs and builds, blind to what does not change the answer.

use std::collections::BTreeMap;

use llm_router_cache::{CacheControl, CacheNamespace, chat_key, embedding_key};
use llm_router_core::{
    ChatRequest, EmbeddingRequest, Message, ResponseFormat, StreamOptions, ToolCall, ToolDefinition,
};
use serde_json::{Map, Value, json};

fn request() -> ChatRequest {
    ChatRequest::new(
        "gpt-4o-mini",
        vec![
            Message::system("You are terse."),
            Message::user("Weather in Paris?"),
            Message::assistant_tool_calls(vec![ToolCall::function(
                "call_1",
                "get_weather",
                r#"{"city":"Paris"}"#,
            )]),
            Message::tool("call_1", r#"{"temp_c":18}"#),
        ],
    )
    .with_temperature(0.0)
    .with_max_tokens(64)
    .with_tools([ToolDefinition::function(
        "get_weather",
        "Current weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )])
    .with_extra("top_k", 40)
}

/// Regression guard: the key of this request must never change silently, or every cache
/// (Redis, disk) would go cold after an upgrade. Bump the key version on purpose instead.
/// The values were checked independently: SHA-256 of Python's
/// `json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` of
/// `{"v":1,"kind":"chat","model":…,"messages":…,"temperature":0.0,"max_tokens":64,"tools":…,
/// "extra":{"top_k":40}}` (and `{"v":1,"kind":"embedding","model":…,"input":"hi"}`).
#[test]
fn the_same_request_gives_the_same_key_across_runs() {
    let key = chat_key("default", &request()).unwrap();
    assert_eq!(
        key.digest_hex(),
        "717be807b89f5dc93ef541618d2dff04107c24024d04f8af48d517ae1f122156"
    );
    assert_eq!(key.namespace(), "default");
    let emb = embedding_key(
        "default",
        &EmbeddingRequest::new("text-embedding-3-small", "hi"),
    )
    .unwrap();
    assert_eq!(
        emb.digest_hex(),
        "0397bd81bb38773dd8a303f49889f5760ed1bdc441bda1975aa34f0d80bd5981"
    );
}

/// Object key order inside tool schemas and vendor fields does not matter (with or without
/// serde_json's `preserve_order`).
#[test]
fn object_key_order_does_not_change_the_key() {
    let mut schema_a = Map::new();
    schema_a.insert("type".into(), json!("object"));
    schema_a.insert("properties".into(), json!({"city": {"type": "string"}}));
    let mut schema_b = Map::new();
    schema_b.insert("properties".into(), json!({"city": {"type": "string"}}));
    schema_b.insert("type".into(), json!("object"));
    let with = |schema: Map<String, Value>, extra: Vec<(&str, i32)>| {
        let mut req = ChatRequest::new("m", vec![Message::user("x")])
            .with_tools([ToolDefinition::function("f", "", Value::Object(schema))]);
        for (k, v) in extra {
            req = req.with_extra(k, v);
        }
        chat_key("ns", &req).unwrap()
    };
    assert_eq!(
        with(schema_a, vec![("top_k", 1), ("min_p", 2)]),
        with(schema_b, vec![("min_p", 2), ("top_k", 1)])
    );
}

#[test]
fn fields_that_do_not_change_the_answer_are_left_out() {
    let base = chat_key("ns", &request()).unwrap();
    let mut req = request();
    req.user = Some("end-user-42".into());
    req.stream = Some(true);
    req.stream_options = Some(StreamOptions {
        include_usage: Some(true),
        ..StreamOptions::default()
    });
    req.metadata = Some(BTreeMap::from([("trace".to_owned(), "abc".to_owned())]));
    req.store = Some(true);
    req.service_tier = Some("flex".into());
    req.extra_headers.insert("x-request-id".into(), "1".into());
    req.extensions.insert(CacheControl::bypass());
    req.extensions
        .insert(CacheNamespace::new("ignored by chat_key"));
    assert_eq!(chat_key("ns", &req).unwrap(), base);
}

#[test]
fn fields_that_change_the_answer_change_the_key() {
    let base = chat_key("ns", &request()).unwrap();
    type Change = Box<dyn Fn(&mut ChatRequest)>;
    let changes: Vec<(&str, Change)> = vec![
        ("model", Box::new(|r| r.model = "gpt-4o".into())),
        (
            "message",
            Box::new(|r| r.messages.push(Message::user("and Rome?"))),
        ),
        ("temperature", Box::new(|r| r.temperature = Some(0.5))),
        ("top_p", Box::new(|r| r.top_p = Some(0.9))),
        ("max_tokens", Box::new(|r| r.max_tokens = Some(65))),
        ("seed", Box::new(|r| r.seed = Some(7))),
        ("tools", Box::new(|r| r.tools.clear())),
        (
            "extra",
            Box::new(|r| {
                r.extra.insert("top_k".into(), json!(41));
            }),
        ),
        (
            "response_format",
            Box::new(|r| r.response_format = Some(ResponseFormat::JsonObject)),
        ),
        (
            "tool call id",
            Box::new(|r| r.messages[2].tool_calls[0].id = "call_2".into()),
        ),
    ];
    for (what, change) in changes {
        let mut req = request();
        change(&mut req);
        assert_ne!(chat_key("ns", &req).unwrap(), base, "{what}");
    }
}

#[test]
fn the_namespace_separates_keys_of_the_same_request() {
    let a = chat_key("tenant-a", &request()).unwrap();
    let b = chat_key("tenant-b", &request()).unwrap();
    assert_eq!(a.digest_hex(), b.digest_hex());
    assert_ne!(a, b);
    assert_eq!(a.as_str(), format!("tenant-a:{}", a.digest_hex()));
}

#[test]
fn chat_and_embedding_keys_never_collide() {
    let emb = EmbeddingRequest::new("m", "x");
    let chat = ChatRequest::new("m", vec![Message::user("x")]);
    assert_ne!(
        embedding_key("ns", &emb).unwrap().digest_hex(),
        chat_key("ns", &chat).unwrap().digest_hex()
    );
    let mut other = emb.clone();
    other.user = Some("u".into());
    assert_eq!(
        embedding_key("ns", &other).unwrap(),
        embedding_key("ns", &emb).unwrap()
    );
    other.dimensions = Some(8);
    assert_ne!(
        embedding_key("ns", &other).unwrap(),
        embedding_key("ns", &emb).unwrap()
    );
}
