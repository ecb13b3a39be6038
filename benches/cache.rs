//! Benchmarks of the response cache: a memory hit, a disk hit and a Redis hit against a call
//! of the in-process mock provider, plus the key alone and a request while Redis is down.
//!
//! The Redis cases use `REDIS_URL` (default `redis://127.0.0.1:6379`) and are skipped with a
//! note when no server answers there.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use llm_router_cache::{CacheLayer, CacheStore, DiskStore, RedisStore, chat_key};
use llm_router_core::{
    ChatProvider, ChatRequest, Layer, Message, SharedChat, ToolCall, ToolDefinition, collect_stream,
};
use llm_router_mock::MockProvider;
use serde_json::json;

/// A typical agent turn: system prompt, a tool round trip, a follow-up question.
fn request() -> ChatRequest {
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
    .with_temperature(0.0)
    .with_max_tokens(256)
    .with_tools([ToolDefinition::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}),
    )])
}

fn mock() -> MockProvider {
    MockProvider::new().reply(
        "warmer",
        "Paris is warmer than Berlin by 6 °C (18 °C against 12 °C), and it is clear there \
         while it rains in Berlin.",
    )
}

async fn redis_store() -> Option<RedisStore> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let store = RedisStore::builder(url)
        .op_timeout(Duration::from_secs(1))
        .build()
        .ok()?;
    let probe = chat_key("bench-probe", &request()).ok()?;
    store.get(&probe).await.ok()?;
    Some(store)
}

fn cache(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let req = request();
    let ns = format!("bench-{}", std::process::id());
    let mut g = c.benchmark_group("cache");

    // The provider alone: an in-process mock (no network), the floor of any real call.
    let plain = mock();
    let provider: SharedChat = Arc::new(plain.clone());
    g.bench_function("mock_provider_call", |b| {
        b.iter(|| {
            let r = rt.block_on(provider.chat(black_box(req.clone()))).unwrap();
            plain.clear_requests();
            black_box(r)
        })
    });

    g.bench_function("key", |b| {
        b.iter(|| black_box(chat_key("default", black_box(&req)).unwrap()))
    });

    let hit = |name: &str, chat: SharedChat, g: &mut criterion::BenchmarkGroup<'_, _>| {
        rt.block_on(chat.chat(req.clone())).unwrap();
        g.bench_function(format!("{name}_hit"), |b| {
            b.iter(|| black_box(rt.block_on(chat.chat(black_box(req.clone()))).unwrap()))
        });
    };

    let memory = CacheLayer::memory(64 * 1024 * 1024).namespace(&ns);
    let chat = memory.layer(Arc::new(mock()) as SharedChat);
    hit("memory", chat.clone(), &mut g);
    g.bench_function("memory_hit_stream_replay", |b| {
        b.iter(|| {
            let s = rt
                .block_on(chat.chat_stream(black_box(req.clone())))
                .unwrap();
            black_box(rt.block_on(collect_stream(s)).unwrap())
        })
    });
    assert_eq!(memory.stats().misses, 1);

    let dir = std::env::temp_dir().join(format!("llm-router-cache-bench-{}", std::process::id()));
    let disk = rt
        .block_on(DiskStore::open(&dir, 64 * 1024 * 1024))
        .unwrap();
    let disk_layer = CacheLayer::new(disk).namespace(&ns);
    hit(
        "disk",
        disk_layer.layer(Arc::new(mock()) as SharedChat),
        &mut g,
    );
    assert_eq!(disk_layer.stats().errors, 0);

    match rt.block_on(redis_store()) {
        Some(store) => {
            let redis = CacheLayer::new(store.clone()).namespace(&ns);
            hit("redis", redis.layer(Arc::new(mock()) as SharedChat), &mut g);
            assert_eq!(redis.stats().errors, 0);
            rt.block_on(store.clear_namespace(&ns)).unwrap();
        }
        None => eprintln!("cache/redis_hit skipped: no Redis answers at REDIS_URL"),
    }

    // Redis down (nothing listens on the port): the request costs the provider call plus the
    // store's fast failure (connection refused, then back-off).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = rt.block_on(async {
        RedisStore::builder(format!("redis://127.0.0.1:{port}"))
            .build()
            .unwrap()
    });
    let down_mock = mock();
    let down_layer = CacheLayer::new(down);
    let chat = down_layer.layer(Arc::new(down_mock.clone()) as SharedChat);
    g.bench_function("redis_down_miss", |b| {
        b.iter(|| {
            let r = rt.block_on(chat.chat(black_box(req.clone()))).unwrap();
            down_mock.clear_requests();
            black_box(r)
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, cache);
criterion_main!(benches);
