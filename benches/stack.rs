//! Overhead of the middleware stack per call: retry + rate limiter + router over a mock,
//! against the bare mock.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use llm_router_core::{ChatProvider, ChatRequest, ChatStack, Message, SharedChat, collect_stream};
use llm_router_limiter::RateLimitLayer;
use llm_router_mock::MockProvider;
use llm_router_retry::{RetryLayer, TimeoutLayer};
use llm_router_routing::{Deployment, ModelGroup, RoundRobin, Router};

fn stacked(mock: &MockProvider) -> SharedChat {
    let per_target = ChatStack::new()
        .layer(RetryLayer::default())
        .layer(
            RateLimitLayer::builder()
                .requests_per_minute(1_000_000_000)
                .concurrency(1024)
                .build()
                .unwrap(),
        )
        .layer(TimeoutLayer::per_attempt(std::time::Duration::from_secs(
            30,
        )));
    let a = per_target.build(Arc::new(mock.clone().with_name("a")));
    let b = per_target.build(Arc::new(mock.clone().with_name("b")));
    let router = Router::builder()
        .group(
            ModelGroup::new("fast")
                .deployment(Deployment::new(a, "model-a"))
                .deployment(Deployment::new(b, "model-b"))
                .strategy(RoundRobin::new()),
        )
        .build()
        .unwrap();
    Arc::new(router)
}

fn stack(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let mock = MockProvider::new().default_reply("ok");
    let bare: SharedChat = Arc::new(mock.clone());
    let full = stacked(&mock);
    let req = ChatRequest::new("fast", vec![Message::user("hello")]);
    let mut g = c.benchmark_group("stack");
    // The mock records every request: both sides clear the record on every call, so memory
    // stays flat and the cost cancels out of the comparison.
    let chat = |p: &SharedChat| {
        let r = rt.block_on(p.chat(req.clone())).unwrap();
        mock.clear_requests();
        r
    };
    let stream = |p: &SharedChat| {
        let r = rt.block_on(async {
            collect_stream(p.chat_stream(req.clone()).await.unwrap())
                .await
                .unwrap()
        });
        mock.clear_requests();
        r
    };
    g.bench_function("bare_mock_chat", |b| b.iter(|| black_box(chat(&bare))));
    g.bench_function("retry_limiter_timeout_router_chat", |b| {
        b.iter(|| black_box(chat(&full)))
    });
    g.bench_function("bare_mock_stream", |b| b.iter(|| black_box(stream(&bare))));
    g.bench_function("retry_limiter_timeout_router_stream", |b| {
        b.iter(|| black_box(stream(&full)))
    });
    g.finish();
}

criterion_group!(benches, stack);
criterion_main!(benches);
