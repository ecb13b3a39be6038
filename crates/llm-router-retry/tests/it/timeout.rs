//! Per-attempt timeouts, time to first token, idle timeouts and total deadlines.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{
    ChatProvider, EmbeddingProvider, EmbeddingRequest, ErrorKind, collect_stream,
};
use llm_router_mock::{DEFAULT_REPLY, MockProvider};
use llm_router_retry::{RetryLayer, TimeoutLayer};
use tokio::time::Instant;

use crate::support::{Probe, ask, drain, exact, ms, secs, text_of, wrap_chat, wrap_embed};

#[tokio::test(start_paused = true)]
async fn a_slow_chat_times_out_after_the_per_attempt_limit() {
    let mock = MockProvider::new();
    let probe = Probe::slow(&mock, [secs(5)]);
    let chat = wrap_chat(TimeoutLayer::per_attempt(secs(1)), probe.clone());
    let started = Instant::now();
    let err = chat.chat(ask()).await.unwrap_err();
    assert_eq!(started.elapsed(), secs(1));
    assert_eq!(
        (err.kind(), err.provider()),
        (ErrorKind::Timeout, Some("mock"))
    );
    assert!(err.message().contains("per-attempt"), "{err}");
    assert!(err.is_retryable());
    // The slow call was cancelled before it reached the mock.
    assert_eq!(mock.call_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_attempt_is_retried_and_the_retry_succeeds() {
    let mock = MockProvider::new();
    let probe = Probe::slow(&mock, [secs(5)]);
    let chat = wrap_chat(
        RetryLayer::new(exact()),
        wrap_chat(TimeoutLayer::per_attempt(secs(1)), probe.clone()),
    );
    let started = Instant::now();
    assert_eq!(chat.chat(ask()).await.unwrap().text(), DEFAULT_REPLY);
    // 1 s timeout, then the 200 ms backoff.
    assert_eq!(probe.starts(), [Duration::ZERO, ms(1200)]);
    assert_eq!(started.elapsed(), ms(1200));
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn calls_within_the_limit_are_untouched() {
    let mock = MockProvider::new();
    let probe = Probe::slow(&mock, [ms(999)]);
    let chat = wrap_chat(TimeoutLayer::per_attempt(secs(1)), probe);
    assert_eq!(chat.chat(ask()).await.unwrap().text(), DEFAULT_REPLY);
    let unlimited = wrap_chat(TimeoutLayer::new(), Arc::new(mock.clone()));
    assert_eq!(unlimited.name(), "mock");
    assert!(unlimited.chat(ask()).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn the_per_attempt_limit_is_the_time_to_first_token_of_a_stream() {
    // The mock returns its stream at once but waits 2 s before each chunk.
    let mock = MockProvider::new().chunk_delay(secs(2));
    let chat = wrap_chat(TimeoutLayer::per_attempt(secs(1)), Arc::new(mock.clone()));
    let started = Instant::now();
    let err = chat.chat_stream(ask()).await.err().unwrap();
    assert_eq!(started.elapsed(), secs(1));
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("first chunk"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_stream_slow_to_start_is_retried() {
    let mock = MockProvider::new();
    let probe = Probe::slow(&mock, [secs(3)]);
    let chat = wrap_chat(
        RetryLayer::new(exact()),
        wrap_chat(TimeoutLayer::per_attempt(secs(1)), probe.clone()),
    );
    let stream = chat.chat_stream(ask()).await.unwrap();
    assert_eq!(collect_stream(stream).await.unwrap().text(), DEFAULT_REPLY);
    assert_eq!(probe.starts(), [Duration::ZERO, ms(1200)]);
}

#[tokio::test(start_paused = true)]
async fn a_stream_that_goes_idle_after_content_is_interrupted() {
    let mock = MockProvider::new().chunk_delay(secs(2));
    let layer = TimeoutLayer::per_attempt(secs(5)).with_stream_idle(secs(1));
    let chat = wrap_chat(
        RetryLayer::default(),
        wrap_chat(layer, Arc::new(mock.clone())),
    );
    let started = Instant::now();
    let stream = chat.chat_stream(ask()).await.unwrap();
    assert_eq!(started.elapsed(), secs(2), "returned with the first chunk");
    let items = drain(stream).await;
    assert_eq!(started.elapsed(), secs(3));
    assert_eq!(items.len(), 2);
    assert_eq!(text_of(&items), "This ");
    let err = items[1].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(err.code(), Some("timeout"));
    assert!(err.message().contains("idle"), "{err}");
    // Content had reached the caller: not retried.
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_total_deadline_cuts_a_stream_that_keeps_trickling() {
    let mock = MockProvider::new()
        .chunk_delay(secs(1))
        .script_stream(["a ", "b ", "c ", "d ", "e "]);
    let layer = TimeoutLayer::new()
        .with_stream_idle(secs(2))
        .with_stream_total(ms(3500));
    let chat = wrap_chat(layer, Arc::new(mock.clone()));
    let started = Instant::now();
    let items = drain(chat.chat_stream(ask()).await.unwrap()).await;
    assert_eq!(started.elapsed(), ms(3500));
    assert_eq!(text_of(&items), "a b c ");
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::StreamInterrupted, Some("timeout"))
    );
    assert!(err.message().contains("deadline"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn the_total_deadline_also_bounds_the_first_chunk() {
    let mock = MockProvider::new().chunk_delay(secs(2));
    let layer = TimeoutLayer::per_attempt(secs(10)).with_stream_total(secs(1));
    let chat = wrap_chat(layer, Arc::new(mock));
    let started = Instant::now();
    let err = chat.chat_stream(ask()).await.err().unwrap();
    assert_eq!(started.elapsed(), secs(1));
    // Nothing reached the caller yet: a plain, retryable timeout.
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("total deadline"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn streams_within_their_limits_are_untouched() {
    let mock = MockProvider::new().chunk_delay(ms(500));
    let layer = TimeoutLayer::per_attempt(secs(1))
        .with_stream_idle(secs(1))
        .with_stream_total(secs(10));
    let chat = wrap_chat(layer, Arc::new(mock));
    let stream = chat.chat_stream(ask()).await.unwrap();
    assert_eq!(collect_stream(stream).await.unwrap().text(), DEFAULT_REPLY);
}

#[tokio::test(start_paused = true)]
async fn errors_after_content_become_interrupted_under_the_timeout_layer_too() {
    let mock = MockProvider::new().fail_next(llm_router_mock::MockFailure::CutStreamAfter(1));
    let chat = wrap_chat(
        TimeoutLayer::new().with_stream_idle(secs(1)),
        Arc::new(mock),
    );
    let items = drain(chat.chat_stream(ask()).await.unwrap()).await;
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1].as_ref().unwrap_err().kind(),
        ErrorKind::StreamInterrupted
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_embedding_call_times_out() {
    let mock = MockProvider::new();
    let probe = Probe::slow(&mock, [secs(5)]);
    let embed = wrap_embed(TimeoutLayer::per_attempt(secs(2)), probe);
    let started = Instant::now();
    let err = embed
        .embed(EmbeddingRequest::new("mock-embed", "hello"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), started.elapsed()),
        (ErrorKind::Timeout, secs(2))
    );
    assert_eq!(embed.name(), "mock");
}
