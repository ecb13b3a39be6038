//! Requests per minute: the burst, the refusal and its `retry_after`, waiting, `max_wait`.

use std::time::Duration;

use llm_router_core::{
    ChatProvider, ChatStack, EmbeddingProvider, EmbeddingRequest, EmbeddingStack, ErrorKind,
};
use llm_router_limiter::{Mode, RateLimitLayer};
use llm_router_mock::MockProvider;
use tokio::time::Instant;

use crate::support::{ask, wrap};

#[tokio::test(start_paused = true)]
async fn rpm_admits_exactly_n_then_rejects_with_retry_after() {
    let layer = RateLimitLayer::builder()
        .requests_per_minute(3)
        .build()
        .unwrap();
    let mock = MockProvider::new();
    let provider = wrap(&layer, mock.clone());

    for _ in 0..3 {
        provider.chat(ask("hi")).await.unwrap();
    }
    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.code(), Some("local_rate_limit"));
    assert_eq!(err.provider(), Some("mock"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(20)));
    assert!(err.to_string().contains("3 requests per 60s"), "{err}");
    // A refused call never reaches the provider.
    assert_eq!(mock.call_count(), 3);

    // Not yet: 19 s later the next request is still a second away.
    tokio::time::advance(Duration::from_secs(19)).await;
    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));

    tokio::time::advance(Duration::from_secs(1)).await;
    provider.chat(ask("hi")).await.unwrap();
    assert!(provider.chat(ask("hi")).await.is_err());

    // A full minute later the whole burst is back.
    tokio::time::advance(Duration::from_secs(60)).await;
    for _ in 0..3 {
        provider.chat(ask("hi")).await.unwrap();
    }
    assert_eq!(mock.call_count(), 7);
}

#[tokio::test(start_paused = true)]
async fn streams_count_as_requests_too() {
    let layer = RateLimitLayer::builder()
        .requests_per_minute(1)
        .build()
        .unwrap();
    let provider = wrap(&layer, MockProvider::new());
    let _stream = provider.chat_stream(ask("hi")).await.unwrap();
    let err = provider.chat_stream(ask("hi")).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(provider.chat(ask("hi")).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn wait_mode_sleeps_until_capacity_returns() {
    let layer = RateLimitLayer::builder()
        .requests_per_minute(2)
        .mode(Mode::Wait {
            max_wait: Duration::from_secs(120),
        })
        .build()
        .unwrap();
    let provider = wrap(&layer, MockProvider::new());
    let start = Instant::now();
    provider.chat(ask("hi")).await.unwrap();
    provider.chat(ask("hi")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
    provider.chat(ask("hi")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    provider.chat(ask("hi")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn wait_mode_refuses_at_once_when_capacity_returns_after_max_wait() {
    let layer = RateLimitLayer::builder()
        .requests_per_minute(1)
        .mode(Mode::Wait {
            max_wait: Duration::from_secs(30),
        })
        .build()
        .unwrap();
    let mock = MockProvider::new();
    let provider = wrap(&layer, mock.clone());
    provider.chat(ask("hi")).await.unwrap();

    let start = Instant::now();
    let err = provider.chat(ask("hi")).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::ZERO, "no pointless sleeping");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));

    // Within max_wait it waits.
    tokio::time::advance(Duration::from_secs(40)).await;
    let start = Instant::now();
    provider.chat(ask("hi")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(20));
    assert_eq!(mock.call_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn one_layer_is_one_budget_for_chat_and_embeddings() {
    let layer = RateLimitLayer::builder()
        .requests_per_minute(2)
        .build()
        .unwrap();
    let mock = MockProvider::new();
    let chat = ChatStack::new()
        .layer(layer.clone())
        .build(std::sync::Arc::new(mock.clone()));
    let embed = EmbeddingStack::new()
        .layer(layer.clone())
        .build(std::sync::Arc::new(mock.clone()));
    assert_eq!(ChatProvider::name(&*chat), "mock");
    assert_eq!(EmbeddingProvider::name(&*embed), "mock");

    chat.chat(ask("hi")).await.unwrap();
    embed
        .embed(EmbeddingRequest::new("e", "hello"))
        .await
        .unwrap();
    let err = embed
        .embed(EmbeddingRequest::new("e", "hello"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(chat.chat(ask("hi")).await.is_err());
    // Listing models is not rate limited.
    assert_eq!(chat.list_models().await.unwrap().len(), 1);
}
