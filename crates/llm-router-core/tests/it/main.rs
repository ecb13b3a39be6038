//! The canonical types read OpenAI's documented examples and write them back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use llm_router_core::{
    ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest, ImageRequest, ImageResponse, ModelInfo,
};
use llm_router_testkit::openai_spec::{SpecExample, examples, json_equivalent};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads `v` as `T`, writes it back, and compares (null fields equal absent ones, numbers by
/// value: OpenAI's reading of JSON).
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, v: &Value) {
    let parsed: T =
        serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}\n{v:#}"));
    let back = serde_json::to_value(&parsed).unwrap();
    assert!(
        json_equivalent(&back, v),
        "{what} changed in a round trip:\n in: {v:#}\nout: {back:#}"
    );
}

fn by_op(op: &str) -> Vec<SpecExample> {
    examples()
        .into_iter()
        .filter(|e| e.operation == op)
        .collect()
}

#[test]
fn chat_examples_round_trip() {
    let exs = by_op("createChatCompletion");
    assert!(exs.len() >= 5);
    for e in exs {
        let req = e.request.as_ref().expect("chat examples have a body");
        round_trip::<ChatRequest>(&format!("request {}", e.title), req);
        match e.response_kind.as_str() {
            "json" => round_trip::<ChatResponse>(&format!("response {}", e.title), &e.response),
            "stream" => {
                for c in e.response.as_array().unwrap() {
                    round_trip::<ChatChunk>(&format!("chunk {}", e.title), c);
                }
            }
            other => panic!("unexpected kind {other}"),
        }
    }
}

#[test]
fn embedding_image_and_model_examples_round_trip() {
    for e in by_op("createEmbedding") {
        round_trip::<EmbeddingRequest>("embedding request", e.request.as_ref().unwrap());
    }
    let mut images = 0;
    for e in by_op("createImage") {
        round_trip::<ImageRequest>(
            &format!("image request {}", e.title),
            e.request.as_ref().unwrap(),
        );
        if e.response_kind == "json" {
            round_trip::<ImageResponse>("image response", &e.response);
            images += 1;
        }
    }
    assert!(images >= 1);
    for e in by_op("retrieveModel") {
        round_trip::<ModelInfo>("model", &e.response);
    }
}

#[test]
fn the_exact_bytes_of_a_request_survive_when_no_nulls_are_involved() {
    // Stricter than json_equivalent: plain equality.
    let v: Value = serde_json::json!({
        "model": "gpt-4o", "messages": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": [{"type": "text", "text": "t"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA", "detail": "low"}}], "name": "ann"},
            {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "ok"}
        ],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": true}}],
        "tool_choice": "required", "parallel_tool_calls": true, "stop": "END", "seed": 1,
        "stream": true, "stream_options": {"include_usage": true}, "logit_bias": {"50256": -100.0},
        "response_format": {"type": "json_object"}, "vendor_field": {"x": [1, 2]}
    });
    let r: ChatRequest = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap(), v);
    assert_eq!(r.extra["vendor_field"], serde_json::json!({"x": [1, 2]}));
}

#[test]
fn provider_responses_with_unknown_values_still_parse() {
    let v = serde_json::json!({
        "id": "x", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi", "tool_calls": null, "brand_new": 1},
                     "finish_reason": "insufficient_system_resource", "native_finish_reason": "overloaded"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": null, "total_tokens": 1, "prompt_cache_hit_tokens": 0},
        "provider": "Together"
    });
    let r: ChatResponse = serde_json::from_value(v).unwrap();
    assert_eq!(
        r.finish_reason().unwrap().as_str(),
        "insufficient_system_resource"
    );
    assert_eq!(r.choices[0].extra["native_finish_reason"], "overloaded");
    assert_eq!(r.usage.unwrap().completion_tokens, 0);
    assert_eq!(r.extra["provider"], "Together");
}
