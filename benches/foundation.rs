//! Benchmarks of the foundation: SSE parsing, request conversion, stream accumulation.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use llm_router_core::{
    ChatChunk, ChatRequest, Message, StreamAccumulator, ToolCall, ToolDefinition, collect_stream,
};
use llm_router_openai_compat::{chat_body, chat_chunks};
use llm_router_testkit::split::chunked;
use serde_json::json;

/// A 1,000-chunk OpenAI transcript (plus finish, usage and `[DONE]`).
fn transcript() -> String {
    let mut events = Vec::with_capacity(1003);
    events.push(json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "system_fingerprint": "fp_1",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null, "finish_reason": null}]}));
    for i in 0..999 {
        events.push(json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "system_fingerprint": "fp_1",
            "choices": [{"index": 0, "delta": {"content": format!(" token{i}")}, "logprobs": null, "finish_reason": null}]}));
    }
    events.push(json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]}));
    events.push(json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "choices": [],
        "usage": {"prompt_tokens": 20, "completion_tokens": 1000, "total_tokens": 1020}}));
    llm_router_testkit::wire::sse_transcript(&events, true)
}

fn sse_parsing(c: &mut Criterion) {
    let body = transcript();
    let bytes = body.as_bytes();
    // Network-like reads of 1,400 bytes.
    let cuts: Vec<usize> = (1..bytes.len() / 1400).map(|i| i * 1400).collect();
    let dialect = Arc::new(llm_router_openai::dialect());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("sse");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("parse_and_accumulate_1000_chunks", |b| {
        b.iter(|| {
            let stream = chat_chunks(dialect.clone(), chunked(bytes, &cuts));
            let r = rt.block_on(collect_stream(stream)).unwrap();
            black_box(r)
        })
    });
    g.finish();
}

fn typical_request() -> ChatRequest {
    ChatRequest::new(
        "gpt-4o-mini",
        vec![
            Message::system("You are a helpful assistant that answers briefly and precisely."),
            Message::user("What's the weather in Paris and in Berlin right now?"),
            Message::assistant_tool_calls(vec![
                ToolCall::function("call_1", "get_weather", r#"{"city":"Paris"}"#),
                ToolCall::function("call_2", "get_weather", r#"{"city":"Berlin"}"#),
            ]),
            Message::tool("call_1", r#"{"temp_c":18,"sky":"clear"}"#),
            Message::tool("call_2", r#"{"temp_c":12,"sky":"rain"}"#),
            Message::user("Which one is warmer, and by how much?"),
        ],
    )
    .with_temperature(0.2)
    .with_max_tokens(256)
    .with_tools([ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}),
    )])
}

fn request_conversion(c: &mut Criterion) {
    let req = typical_request();
    let dialect = llm_router_openai::dialect();
    c.bench_function("request/convert_and_serialize", |b| {
        b.iter(|| {
            let body = chat_body(&dialect, black_box(&req), true).unwrap();
            black_box(serde_json::to_vec(&body).unwrap())
        })
    });
    c.bench_function("request/clone", |b| b.iter(|| black_box(req.clone())));
}

fn accumulation(c: &mut Criterion) {
    let body = transcript();
    let chunks: Vec<ChatChunk> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let mut g = c.benchmark_group("accumulator");
    g.throughput(Throughput::Elements(chunks.len() as u64));
    g.bench_function("push_1000_chunks_and_finish", |b| {
        b.iter(|| {
            let mut acc = StreamAccumulator::new();
            for ch in &chunks {
                acc.push(black_box(ch));
            }
            black_box(acc.finish())
        })
    });
    g.finish();
}

criterion_group!(benches, sse_parsing, request_conversion, accumulation);
criterion_main!(benches);
