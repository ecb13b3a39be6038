//! Graceful shutdown: live streams finish within the grace period, then are cut.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use llm_router::gateway::Gateway;
use serde_json::json;

use crate::gateway::support::{Gated, Server, SseReader, client, post, within};

fn ask() -> serde_json::Value {
    json!({"model": "slow", "stream": true, "messages": [{"role": "user", "content": "hi"}]})
}

#[tokio::test]
async fn a_live_stream_finishes_after_shutdown_starts() {
    let gated = Gated::default();
    let gateway = Gateway::builder()
        .chat_model("slow", Arc::new(gated.clone()))
        .shutdown_grace(Duration::from_secs(10))
        .build();
    let mut server = Server::start(gateway).await;
    let mut events = SseReader::new(post(&server, "/v1/chat/completions", &ask()).await);
    within("first chunk", events.next()).await.unwrap();

    server.shutdown();
    // New connections are refused once the listener is closed.
    within("listener closed", async {
        loop {
            let fresh = client().get(server.url("/health/live")).send().await;
            if fresh.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(!server.task.is_finished());

    gated.release();
    let rest = within("stream end", events.rest()).await;
    assert_eq!(rest.last().unwrap(), "[DONE]");
    within("server stop", &mut server.task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn streams_are_cut_when_the_grace_period_is_over() {
    let gated = Gated::default();
    let gateway = Gateway::builder()
        .chat_model("slow", Arc::new(gated.clone()))
        .shutdown_grace(Duration::from_millis(300))
        .build();
    let mut server = Server::start(gateway).await;
    let mut events = SseReader::new(post(&server, "/v1/chat/completions", &ask()).await);
    within("first chunk", events.next()).await.unwrap();

    let started = Instant::now();
    server.shutdown();
    within("server stop", &mut server.task)
        .await
        .unwrap()
        .unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // The upstream stream was dropped (request cancelled) and the client saw no [DONE].
    assert!(gated.dropped.load(Ordering::SeqCst));
    let mut rest = Vec::new();
    while let Ok(Some(e)) = within("cut body", events.read()).await {
        rest.push(e);
    }
    assert!(!rest.contains(&"[DONE]".to_owned()), "{rest:?}");
}

#[tokio::test]
async fn shutdown_with_nothing_in_flight_is_immediate() {
    let mut server = Server::start(Gateway::builder().build()).await;
    assert_eq!(
        client()
            .get(server.url("/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let started = Instant::now();
    server.shutdown();
    within("server stop", &mut server.task)
        .await
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_router_mounts_inside_an_app_with_its_own_routes_and_fallback() {
    use axum::routing::get;
    use tower::ServiceExt as _;

    let gateway = Gateway::builder()
        .chat_model("m", Arc::new(llm_router::mock::MockProvider::new()))
        .build();
    let app = axum::Router::new()
        .route("/mine", get(|| async { "mine" }))
        .fallback(|| async { (axum::http::StatusCode::IM_A_TEAPOT, "app fallback") })
        .merge(gateway.router());
    let get_status = |path: &'static str| {
        let app = app.clone();
        async move {
            let req = axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            app.oneshot(req).await.unwrap().status()
        }
    };
    assert_eq!(get_status("/mine").await, 200);
    assert_eq!(get_status("/v1/models").await, 200);
    assert_eq!(get_status("/health/live").await, 200);
    assert_eq!(get_status("/elsewhere").await, 418);
}
