//! Per-request overhead of the HTTP gateway over a mock provider, against the bare mock call:
//! non-streamed chat and streamed chat (time to the full body), without and with a caller key
//! (SHA-256 + constant-time lookup). `oneshot` drives the axum router in-process (no socket);
//! `loopback` goes through a real 127.0.0.1 listener with a keep-alive HTTP/1.1 client.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use llm_router_core::{ChatProvider, ChatRequest, Message, collect_stream};
use llm_router_gateway::{CallerKey, Gateway};
use llm_router_http::reqwest;
use llm_router_mock::MockProvider;
use tokio::runtime::Runtime;
use tower::ServiceExt as _;

const KEY: &str = "sk-bench";
const CHAT: &str = r#"{"model":"fast","messages":[{"role":"user","content":"hello"}]}"#;
const STREAM: &str = r#"{"model":"fast","messages":[{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}"#;

fn gateway(mock: &MockProvider, keyed: bool) -> Gateway {
    let builder = Gateway::builder().chat_model("fast", Arc::new(mock.clone()));
    if keyed {
        builder
            .caller_key(CallerKey::from_secret("bench", KEY))
            .build()
    } else {
        builder.build()
    }
}

/// One request through the router in-process; the whole body is read.
async fn oneshot(router: &axum::Router, body: &'static str, keyed: bool) -> usize {
    let mut req = Request::post("/v1/chat/completions").header("content-type", "application/json");
    if keyed {
        req = req.header("authorization", format!("Bearer {KEY}"));
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .len()
}

/// One request over a kept-alive loopback connection; the whole body is read.
async fn loopback(client: &reqwest::Client, url: &str, body: &'static str) -> usize {
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .bearer_auth(KEY)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.bytes().await.unwrap().len()
}

fn bench_gateway(c: &mut Criterion) {
    let rt: Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mock = MockProvider::new().default_reply("Hello! One, two, three, four, five.");
    let bare = mock.clone();
    let req = ChatRequest::new("fast", vec![Message::user("hello")]);
    let open = gateway(&mock, false).router();
    let keyed = gateway(&mock, true).router();

    let mut g = c.benchmark_group("gateway");
    // The mock records every request: each call clears the record so memory stays flat and
    // the cost is the same on both sides of the comparison.
    g.bench_function("bare_mock_chat", |b| {
        b.iter(|| {
            let r = rt.block_on(bare.chat(req.clone())).unwrap();
            mock.clear_requests();
            black_box(r)
        })
    });
    g.bench_function("bare_mock_stream", |b| {
        b.iter(|| {
            let r = rt.block_on(async {
                collect_stream(bare.chat_stream(req.clone()).await.unwrap())
                    .await
                    .unwrap()
            });
            mock.clear_requests();
            black_box(r)
        })
    });
    for (name, router, with_key) in [("no_key", &open, false), ("caller_key", &keyed, true)] {
        g.bench_function(format!("oneshot_chat_{name}"), |b| {
            b.iter(|| {
                let n = rt.block_on(oneshot(router, CHAT, with_key));
                mock.clear_requests();
                black_box(n)
            })
        });
        g.bench_function(format!("oneshot_stream_{name}"), |b| {
            b.iter(|| {
                let n = rt.block_on(oneshot(router, STREAM, with_key));
                mock.clear_requests();
                black_box(n)
            })
        });
    }

    // A real listener on 127.0.0.1:0, served on the same runtime as the client.
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!(
        "http://{}/v1/chat/completions",
        listener.local_addr().unwrap()
    );
    let served = gateway(&mock, true);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(async move {
        served
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
    });
    llm_router_http::ensure_crypto_provider();
    let client = reqwest::Client::builder().http1_only().build().unwrap();
    g.bench_function("loopback_chat_caller_key", |b| {
        b.iter(|| {
            let n = rt.block_on(loopback(&client, &url, CHAT));
            mock.clear_requests();
            black_box(n)
        })
    });
    g.bench_function("loopback_stream_caller_key", |b| {
        b.iter(|| {
            let n = rt.block_on(loopback(&client, &url, STREAM));
            mock.clear_requests();
            black_box(n)
        })
    });
    g.finish();
    drop(client);
    let _ = stop.send(());
    rt.block_on(server).unwrap().unwrap();
}

criterion_group!(benches, bench_gateway);
criterion_main!(benches);
