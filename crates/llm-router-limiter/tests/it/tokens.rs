//! Tokens per minute: the estimate is reserved before the call and settled with the real
//! usage after it (chat, streams with and without a usage chunk, dropped streams, failures,
//! embeddings).
//!
//! The counter is `CharEstimate` (a quarter of the characters, rounded up), which is also how
//! the mock computes its usage, so every number here can be worked out by hand. The request
//! `user: "hello"` with `max_tokens = 100` is estimated at 3 + 1 ("user") + 2 ("hello") + 3
//! = 9 prompt tokens + 100 output = 109; the mock answers "This is a mock response." and
//! reports 2 prompt + 6 completion = 8 tokens.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatProvider, ChatRequest, EmbeddingRequest, EmbeddingStack, ErrorKind, StreamOptions,
};
use llm_router_limiter::{Mode, RateLimitLayer};
use llm_router_mock::{MockFailure, MockProvider};
use llm_router_tokens::CharEstimate;

use crate::support::{Gated, ask, settle_tasks, wrap};

const RESERVED: u64 = 109;
const USED: u64 = 8;

fn req() -> ChatRequest {
    ask("hello").with_max_tokens(100)
}

fn with_usage(mut req: ChatRequest) -> ChatRequest {
    req.stream_options = Some(StreamOptions {
        include_usage: Some(true),
        ..StreamOptions::default()
    });
    req
}

fn layer(tpm: u64) -> RateLimitLayer {
    RateLimitLayer::builder()
        .tokens_per_minute(tpm)
        .token_counter(CharEstimate)
        .build()
        .unwrap()
}

async fn left(layer: &RateLimitLayer) -> u64 {
    layer.available_tokens("global").await.unwrap().unwrap()
}

#[tokio::test(start_paused = true)]
async fn chat_reserves_the_estimate_then_settles_with_the_real_usage() {
    let layer = layer(1000);
    let (gated, gate) = Gated::closed(MockProvider::new());
    let provider = wrap(&layer, gated);
    assert_eq!(left(&layer).await, 1000);

    let call = tokio::spawn({
        let provider = Arc::clone(&provider);
        async move { provider.chat(req()).await }
    });
    settle_tasks().await;
    assert_eq!(
        left(&layer).await,
        1000 - RESERVED,
        "reserved while in flight"
    );

    gate.add_permits(1);
    let resp = call.await.unwrap().unwrap();
    assert_eq!(resp.usage.as_ref().unwrap().total_tokens, USED);
    assert_eq!(
        left(&layer).await,
        1000 - USED,
        "refunded down to the usage"
    );
}

#[tokio::test(start_paused = true)]
async fn a_spent_token_budget_refuses_with_retry_after() {
    let layer = layer(120); // 2 tokens per second
    let provider = wrap(&layer, MockProvider::new());
    provider.chat(req()).await.unwrap(); // 120 - 8 = 112 left, 109 needed
    provider.chat(req()).await.unwrap(); // 104 left
    let err = provider.chat(req()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    // 5 tokens short at 2 per second.
    assert_eq!(err.retry_after(), Some(Duration::from_millis(2500)));
    assert!(err.to_string().contains("tokens"), "{err}");
    tokio::time::advance(Duration::from_millis(2500)).await;
    provider.chat(req()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_call_larger_than_the_bucket_waits_for_a_full_bucket_and_leaves_debt() {
    let layer = layer(60); // 1 token per second
    let (gated, gate) = Gated::closed(MockProvider::new());
    let provider = wrap(&layer, gated);
    let call = tokio::spawn({
        let provider = Arc::clone(&provider);
        async move { provider.chat(req()).await }
    });
    settle_tasks().await;
    assert_eq!(left(&layer).await, 0, "109 reserved from 60: in debt");
    gate.add_permits(1);
    call.await.unwrap().unwrap();
    assert_eq!(left(&layer).await, 60 - USED);
}

#[tokio::test(start_paused = true)]
async fn failed_calls_get_their_reservation_back() {
    let layer = layer(1000);
    let mock = MockProvider::new()
        .fail_next(MockFailure::ServerError { status: 503 })
        .fail_next(MockFailure::Timeout);
    let provider = wrap(&layer, mock);
    let err = provider.chat(req()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProviderUnavailable);
    let err = provider.chat_stream(req()).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(left(&layer).await, 1000);
}

#[tokio::test(start_paused = true)]
async fn a_stream_settles_when_its_usage_chunk_arrives() {
    let layer = layer(1000);
    let provider = wrap(&layer, MockProvider::new());
    let mut stream = provider.chat_stream(with_usage(req())).await.unwrap();
    assert_eq!(left(&layer).await, 1000 - RESERVED);
    let mut usage = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        if let Some(u) = chunk.usage {
            usage = Some(u);
            // Settled as the usage chunk passes, before the stream ends.
            assert_eq!(left(&layer).await, 1000 - USED);
        }
    }
    assert_eq!(usage.unwrap().total_tokens, USED);
    assert_eq!(left(&layer).await, 1000 - USED);
}

#[tokio::test(start_paused = true)]
async fn a_stream_without_usage_settles_with_the_streamed_text_at_its_end() {
    let layer = layer(1000);
    let provider = wrap(&layer, MockProvider::new());
    let mut stream = provider.chat_stream(req()).await.unwrap();
    while let Some(chunk) = stream.next().await {
        assert!(chunk.unwrap().usage.is_none());
    }
    // 9 prompt tokens estimated + "This is a mock response." (24 chars = 6).
    assert_eq!(left(&layer).await, 1000 - 15);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_stream_settles_with_what_was_streamed() {
    let layer = layer(1000);
    let mock = MockProvider::new().script_stream(["abcd", "efgh", "ijkl"]);
    let provider = wrap(&layer, mock);
    let mut stream = provider.chat_stream(with_usage(req())).await.unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().text(), Some("abcd"));
    drop(stream);
    settle_tasks().await; // the settlement runs on a spawned task
    assert_eq!(left(&layer).await, 1000 - (9 + 1));
}

#[tokio::test(start_paused = true)]
async fn a_cut_stream_settles_with_what_was_streamed() {
    let layer = layer(1000);
    let mock = MockProvider::new()
        .script_stream(["abcd", "efgh", "ijkl"])
        .fail_next(MockFailure::CutStreamAfter(2));
    let provider = wrap(&layer, mock);
    let mut stream = provider.chat_stream(with_usage(req())).await.unwrap();
    let mut kinds = Vec::new();
    while let Some(item) = stream.next().await {
        kinds.push(item.err().map(|e| e.kind()));
    }
    assert_eq!(kinds, [None, None, Some(ErrorKind::StreamInterrupted)]);
    assert_eq!(left(&layer).await, 1000 - (9 + 2));
}

#[tokio::test(start_paused = true)]
async fn reservations_refill_over_time_in_wait_mode() {
    let layer = RateLimitLayer::builder()
        .tokens_per_minute(120)
        .token_counter(CharEstimate)
        .mode(Mode::Wait {
            max_wait: Duration::from_secs(60),
        })
        .build()
        .unwrap();
    let provider = wrap(&layer, MockProvider::new());
    let start = tokio::time::Instant::now();
    for _ in 0..3 {
        provider.chat(req()).await.unwrap();
    }
    // 120 → 112 → 104; the third needs 5 more tokens at 2/s.
    assert_eq!(start.elapsed(), Duration::from_millis(2500));
}

#[tokio::test(start_paused = true)]
async fn embeddings_reserve_their_input_and_settle_with_usage() {
    let layer = layer(1000);
    let provider = EmbeddingStack::new()
        .layer(layer.clone())
        .build(Arc::new(MockProvider::new()));
    // Estimated 2 + 1 = 3 (each text rounded up); the mock reports ceil(8 / 4) = 2.
    let resp = provider
        .embed(EmbeddingRequest::new("e", vec!["abcde", "abc"]))
        .await
        .unwrap();
    assert_eq!(resp.usage.unwrap().total_tokens, 2);
    assert_eq!(left(&layer).await, 1000 - 2);
}

#[tokio::test(start_paused = true)]
async fn the_default_counter_is_tiktoken() {
    let layer = RateLimitLayer::builder()
        .tokens_per_minute(10_000)
        .build()
        .unwrap();
    let provider = wrap(&layer, MockProvider::new());
    let req = ask("Hello, how are you?").with_max_tokens(100);
    let mut stream = provider.chat_stream(req).await.unwrap();
    // o200k_base: 13 prompt tokens (as OpenAI counts them) + 100.
    assert_eq!(left(&layer).await, 10_000 - 113);
    while stream.next().await.is_some() {}
    assert!(left(&layer).await > 10_000 - 113);
}
