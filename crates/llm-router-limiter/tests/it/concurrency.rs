//! Concurrency: N calls in flight, the next one refused or waiting, permits held by streams
//! until they end or are dropped.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::ErrorKind;
use llm_router_limiter::{Mode, RateLimitLayer};
use llm_router_mock::MockProvider;
use tokio::time::Instant;

use crate::support::{Gated, ask, settle_tasks, wrap};

fn layer(n: usize, mode: Mode) -> RateLimitLayer {
    RateLimitLayer::builder()
        .concurrency(n)
        .mode(mode)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_call_after_n_in_flight_is_refused_in_reject_mode() {
    let layer = layer(2, Mode::Reject);
    let mock = MockProvider::new();
    let (gated, gate) = Gated::closed(mock.clone());
    let provider = wrap(&layer, gated);
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let p = Arc::clone(&provider);
            tokio::spawn(async move { p.chat(ask("hi")).await })
        })
        .collect();
    settle_tasks().await;
    assert_eq!(layer.available_permits("global"), Some(0));

    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.code(), Some("local_rate_limit"));
    assert_eq!(err.retry_after(), None, "nobody knows when a call ends");
    assert!(err.to_string().contains("2 concurrent requests"), "{err}");

    gate.add_permits(2);
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(layer.available_permits("global"), Some(2));
    gate.add_permits(1);
    provider.chat(ask("hi")).await.unwrap();
    assert_eq!(mock.call_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_call_after_n_in_flight_waits_for_a_permit_in_wait_mode() {
    let layer = layer(
        1,
        Mode::Wait {
            max_wait: Duration::from_secs(10),
        },
    );
    let (gated, gate) = Gated::closed(MockProvider::new());
    let provider = wrap(&layer, gated);
    let first = tokio::spawn({
        let p = Arc::clone(&provider);
        async move { p.chat(ask("hi")).await }
    });
    settle_tasks().await;
    let second = tokio::spawn({
        let p = Arc::clone(&provider);
        async move { p.chat(ask("hi")).await }
    });
    settle_tasks().await;
    assert!(!second.is_finished(), "waiting for the permit");

    // The first finishes 3 s later; the second gets its permit then.
    tokio::time::sleep(Duration::from_secs(3)).await;
    gate.add_permits(2);
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn waiting_for_a_permit_stops_at_max_wait() {
    let layer = layer(
        1,
        Mode::Wait {
            max_wait: Duration::from_secs(10),
        },
    );
    let (gated, gate) = Gated::closed(MockProvider::new());
    let provider = wrap(&layer, gated);
    let _stuck = tokio::spawn({
        let p = Arc::clone(&provider);
        async move { p.chat(ask("hi")).await }
    });
    settle_tasks().await;
    let start = Instant::now();
    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    drop(gate);
}

#[tokio::test(start_paused = true)]
async fn a_stream_holds_its_permit_until_dropped() {
    let layer = layer(1, Mode::Reject);
    let provider = wrap(&layer, MockProvider::new());
    let mut stream = provider.chat_stream(ask("hi")).await.unwrap();
    assert!(stream.next().await.is_some());
    let err = provider.chat_stream(ask("hi")).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(provider.chat(ask("hi")).await.is_err());

    drop(stream);
    assert_eq!(layer.available_permits("global"), Some(1));
    provider.chat(ask("hi")).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_finished_stream_returns_its_permit_even_if_kept() {
    let layer = layer(1, Mode::Reject);
    let provider = wrap(&layer, MockProvider::new());
    let mut stream = provider.chat_stream(ask("hi")).await.unwrap();
    while stream.next().await.is_some() {}
    assert_eq!(layer.available_permits("global"), Some(1));
    provider.chat(ask("hi")).await.unwrap();
    drop(stream);
}

#[tokio::test(start_paused = true)]
async fn concurrency_combines_with_a_request_budget() {
    let layer = RateLimitLayer::builder()
        .concurrency(1)
        .requests_per_minute(1)
        .build()
        .unwrap();
    let provider = wrap(&layer, MockProvider::new());
    provider.chat(ask("hi")).await.unwrap();
    // The permit came back, the request budget did not; a refusal returns the permit.
    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert!(err.retry_after().is_some());
    assert_eq!(layer.available_permits("global"), Some(1));
}
