//! Streams are retried only before their first chunk reached the caller.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ChatProvider, ErrorKind, collect_stream};
use llm_router_mock::{DEFAULT_REPLY, MockFailure, MockProvider};
use llm_router_retry::RetryLayer;
use tokio::time::Instant;

use crate::support::{Scripted, Step, ask, drain, secs, text_of, wrap_chat};

#[tokio::test(start_paused = true)]
async fn a_stream_failing_before_its_first_chunk_is_retried() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: secs(1),
    });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let started = Instant::now();
    let stream = chat.chat_stream(ask()).await.unwrap();
    assert_eq!(started.elapsed(), secs(1));
    assert_eq!(collect_stream(stream).await.unwrap().text(), DEFAULT_REPLY);
    assert_eq!(mock.call_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_stream_is_not_retried_after_its_first_chunk() {
    let mock = MockProvider::new().fail_next(MockFailure::CutStreamAfter(2));
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let items = drain(chat.chat_stream(ask()).await.unwrap()).await;
    assert_eq!(items.len(), 3);
    assert_eq!(text_of(&items), "This is ");
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(mock.call_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retryable_error_after_content_passes_through_as_interrupted() {
    let provider = Scripted::new([vec![
        Step::Chunk("Hel"),
        Step::Fail(ErrorKind::Connection),
        Step::Chunk("never seen"),
    ]]);
    let chat = wrap_chat(RetryLayer::default(), provider.clone());
    let items = drain(chat.chat_stream(ask()).await.unwrap()).await;
    assert_eq!(text_of(&items), "Hel");
    let err = items[1].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamInterrupted);
    assert_eq!(err.code(), Some("connection"));
    assert_eq!(provider.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_error_as_the_first_item_counts_as_before_content() {
    // A provider that returns its stream before the first event (breaking the first-event
    // rule) is still retried correctly: nothing had reached the caller.
    let provider = Scripted::new([
        vec![Step::Fail(ErrorKind::ProviderUnavailable)],
        vec![Step::Chunk("ok")],
    ]);
    let chat = wrap_chat(RetryLayer::default(), provider.clone());
    let items = drain(chat.chat_stream(ask()).await.unwrap()).await;
    assert_eq!(text_of(&items), "ok");
    assert_eq!(provider.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_stream_that_keeps_failing_returns_the_last_error() {
    let mock = MockProvider::new().fail_always(MockFailure::ServerError { status: 503 });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let err = chat.chat_stream(ask()).await.err().unwrap();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::ProviderUnavailable, Some(503))
    );
    assert_eq!(mock.call_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_stream_with_retry_after_above_the_cap_returns_at_once() {
    let mock = MockProvider::new().fail_next(MockFailure::RateLimited {
        retry_after: secs(60),
    });
    let chat = wrap_chat(RetryLayer::default(), Arc::new(mock.clone()));
    let started = Instant::now();
    let err = chat.chat_stream(ask()).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!((started.elapsed(), mock.call_count()), (Duration::ZERO, 1));
}
