//! The Embedder: splitting, order, concurrency, usage, failures, limits by model.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ErrorKind, SharedEmbedding};
use llm_router_embeddings::{BatchLimits, Embedder, NoEmbeddings, l2_norm};
use llm_router_tokens::{CharEstimate, TokenCounter as _};

use crate::support::{Fake, decode};

fn numbers(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

#[tokio::test(start_paused = true)]
async fn splits_keeps_order_and_sums_usage() {
    // Later requests answer first: the first input's number decides how long a call sleeps.
    let fake = Arc::new(Fake::new().latency_fn(|texts| {
        let first: u64 = texts[0].parse().unwrap();
        Duration::from_millis(2000 - first)
    }));
    let embedder = Embedder::new(fake.clone(), "m")
        .limits(BatchLimits::new(7, None))
        .concurrency(4);
    let texts = numbers(0..1000);
    let out = embedder.embed(texts.clone()).await.unwrap();

    assert_eq!(out.vectors.len(), 1000);
    for (i, v) in out.vectors.iter().enumerate() {
        assert_eq!(decode(v), i as f32);
    }
    assert_eq!(out.requests, 1000usize.div_ceil(7));
    assert_eq!(fake.calls(), out.requests);
    assert!(fake.inputs().iter().all(|r| r.len() <= 7));
    assert_eq!(
        fake.inputs().concat(),
        texts,
        "every input sent once, in order"
    );
    let bytes: usize = texts.iter().map(String::len).sum();
    let usage = out.usage.unwrap();
    assert_eq!(
        (usage.prompt_tokens, usage.total_tokens),
        (bytes as u64, bytes as u64)
    );
    assert_eq!(out.model, "m");
    assert!(fake.max_in_flight() <= 4);
}

#[tokio::test(start_paused = true)]
async fn token_limit_splits_requests() {
    let fake = Arc::new(Fake::new());
    let embedder = Embedder::new(fake.clone(), "m")
        .limits(BatchLimits::new(100, Some(10)))
        .token_counter(CharEstimate);
    // 1, 2, 3 … 12 tokens each (4 chars per token with CharEstimate); the 12 exceeds 10 alone.
    let texts: Vec<String> = (1..=12).map(|t| "x".repeat(4 * t)).collect();
    let out = embedder.embed(texts.clone()).await.unwrap();
    assert_eq!(out.vectors.len(), 12);
    for (i, v) in out.vectors.iter().enumerate() {
        assert_eq!(v[1] as usize, texts[i].len(), "order kept");
    }
    for request in fake.inputs() {
        let tokens: usize = request.iter().map(|t| CharEstimate.count_text(t)).sum();
        assert!(
            tokens <= 10 || request.len() == 1,
            "{tokens} tokens in {request:?}"
        );
    }
    assert_eq!(fake.inputs().concat(), texts);
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded() {
    let fake = Arc::new(Fake::new().latency(Duration::from_millis(10)));
    let embedder = Embedder::new(fake.clone(), "m")
        .limits(BatchLimits::new(5, None))
        .concurrency(3);
    let out = embedder.embed(numbers(0..200)).await.unwrap();
    assert_eq!(out.requests, 40);
    assert_eq!(fake.max_in_flight(), 3, "exactly the bound, never more");

    let fake = Arc::new(Fake::new().latency(Duration::from_millis(10)));
    let serial = Embedder::new(fake.clone(), "m")
        .limits(BatchLimits::new(5, None))
        .concurrency(0); // clamped to 1
    serial.embed(numbers(0..20)).await.unwrap();
    assert_eq!(fake.max_in_flight(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_request_fails_the_call() {
    let fake = Arc::new(
        Fake::new()
            .latency(Duration::from_millis(1))
            .fail_call(3, ErrorKind::RateLimited),
    );
    let embedder = Embedder::new(fake.clone(), "m")
        .limits(BatchLimits::new(2, None))
        .concurrency(1);
    let err = embedder.embed(numbers(0..20)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(fake.calls(), 3, "nothing is sent after the failure");
}

#[tokio::test]
async fn empty_input_sends_nothing_and_single_text_works() {
    let fake = Arc::new(Fake::new());
    let embedder = Embedder::new(fake.clone(), "m");
    let out = embedder.embed(Vec::<String>::new()).await.unwrap();
    assert!(out.vectors.is_empty() && out.usage.is_none());
    assert_eq!((out.requests, fake.calls()), (0, 0));
    assert_eq!(decode(&embedder.embed_one("42").await.unwrap()), 42.0);
}

#[tokio::test]
async fn known_model_limits_apply_by_default() {
    let fake = Arc::new(Fake::new());
    // Titan takes one text per request.
    let titan = Embedder::new(fake.clone(), "amazon.titan-embed-text-v1");
    assert_eq!(titan.embed(numbers(0..3)).await.unwrap().requests, 3);
    // Cohere 96.
    let cohere = Embedder::new(fake.clone(), "embed-english-v3.0");
    assert_eq!(cohere.embed(numbers(0..200)).await.unwrap().requests, 3);
    // OpenAI: 2048 inputs, and a token limit counted with tiktoken.
    let openai = Embedder::new(fake.clone(), "text-embedding-3-small");
    assert_eq!(openai.batch_limits(), BatchLimits::new(2048, Some(300_000)));
    assert_eq!(openai.embed(numbers(0..5000)).await.unwrap().requests, 3);
}

#[tokio::test]
async fn normalize_option_makes_unit_vectors() {
    let fake: SharedEmbedding = Arc::new(Fake::new());
    let raw = Embedder::new(fake.clone(), "m")
        .embed_one("3")
        .await
        .unwrap();
    assert_eq!(raw, [3.0, 1.0]);
    let unit = Embedder::new(fake, "m")
        .normalize(true)
        .embed_one("3")
        .await
        .unwrap();
    assert!((l2_norm(&unit) - 1.0).abs() < 1e-6);
    assert!((unit[0] / unit[1] - 3.0).abs() < 1e-5, "direction kept");
}

#[tokio::test]
async fn providers_without_embeddings_fail_clearly() {
    let embedder = Embedder::new(NoEmbeddings::shared("acme"), "m");
    let err = embedder.embed_one("x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.provider(), Some("acme"));
    assert!(err.message().contains("acme"));
}
