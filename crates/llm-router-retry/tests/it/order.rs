//! The order of the layers decides what a timeout bounds: one attempt (timeout inside retry)
//! or the whole call (timeout outside).

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ChatProvider, ChatStack, ErrorKind, SharedChat};
use llm_router_mock::{MockFailure, MockProvider};
use llm_router_retry::{RetryLayer, TimeoutLayer};
use tokio::time::Instant;

use crate::support::{Probe, ask, exact, secs};

/// Two 503s, then success; waits of 1 s and 2 s between attempts (3 s in all).
fn failing_twice() -> (MockProvider, Arc<Probe>) {
    let mock = MockProvider::new()
        .fail_next(MockFailure::ServerError { status: 503 })
        .fail_next(MockFailure::ServerError { status: 503 });
    let probe = Probe::new(&mock);
    (mock, probe)
}

fn retry() -> RetryLayer {
    RetryLayer::new(exact().with_base_delay(secs(1)))
}

#[tokio::test(start_paused = true)]
async fn timeout_inside_retry_bounds_each_attempt() {
    let (_mock, probe) = failing_twice();
    let chat = ChatStack::new()
        .layer(retry())
        .layer(TimeoutLayer::per_attempt(secs(2)))
        .build(probe.clone() as SharedChat);
    let started = Instant::now();
    assert!(chat.chat(ask()).await.is_ok());
    assert_eq!(probe.starts(), [Duration::ZERO, secs(1), secs(3)]);
    assert_eq!(started.elapsed(), secs(3));
}

#[tokio::test(start_paused = true)]
async fn timeout_outside_retry_bounds_the_whole_call() {
    let (_mock, probe) = failing_twice();
    let chat = ChatStack::new()
        .layer(TimeoutLayer::per_attempt(secs(2)))
        .layer(retry())
        .build(probe.clone() as SharedChat);
    let started = Instant::now();
    let err = chat.chat(ask()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(started.elapsed(), secs(2));
    // The second wait (2 s, from 1 s) was cut by the outer timeout.
    assert_eq!(probe.starts(), [Duration::ZERO, secs(1)]);
    assert_eq!(chat.name(), "mock");
}
